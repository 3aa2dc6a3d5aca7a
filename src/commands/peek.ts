// `rgsd peek [project] [--json] [--lines N]` — what the agents are doing, without attaching.
import { JSON_OPTION, defineCommand, projectArg } from '../cli/spec.js';
import { UsageError } from '../core/errors.js';
import type { App } from '../core/app.js';
import type { PeekDocument } from '../ops/peek.js';
import { table } from '../ui/format.js';
import { clip, repoCells, warningText, windowCells, windowPanes } from '../ui/podstate.js';

interface PeekFlags {
  lines?: string;
}

/** Most screen lines per window peek asks for (the pod caps at the same number). */
const MAX_LINES = 200;

export default defineCommand<PeekFlags>(
  {
    name: 'peek',
    summary: 'what each agent is doing (working, waiting, idle, exited), its last screen line, and the repositories',
    description:
      'One cluster call for a project (an exec of /opt/rgsd/status in the pod); without a project, every project of the ' +
      'namespace (one pod list, then one exec per running pod, concurrently). A line per tmux window: agent, state ' +
      '(and what it waits for), seconds since the last activity, the last line on its screen; a line per git repository ' +
      'and worktree; the boot warnings. `--json` prints one document (schema in the README).',
    args: [projectArg('project (default: every rgsd project in the namespace)')],
    options: [{ flags: '--lines <n>', description: `screen lines per window (default 1, at most ${MAX_LINES})` }, JSON_OPTION],
    examples: ['rgsd peek', 'rgsd peek myproj --lines 10', "rgsd peek myproj --json | jq '.projects[0].status.panes'"],
  },
  async (app, { project }, opts) => {
    const lines = opts.lines === undefined ? 1 : parseLines(opts.lines);
    const { openNamespace, openProject } = await import('../cli/open.js');
    const ops = await import('../ops/peek.js');
    let doc: PeekDocument;
    if (project) {
      const { names, target } = await openProject(app, project, { command: 'peek', requireSettings: false });
      doc = await ops.peekProject(app, target, project, names, { lines });
    } else {
      doc = await ops.peekAll(app, await openNamespace(app), { lines });
    }
    if (app.globals.json) app.out.json(doc);
    else render(app, doc, lines);
    const [only] = doc.projects;
    // asleep is a state like any other (exit 0); not running or failing is an error
    if (project && only && only.state !== 'ok' && only.state !== 'asleep') throw ops.peekFailure(only);
  },
);

/** --lines: a whole number from 0 to MAX_LINES. */
export function parseLines(text: string): number {
  const t = text.trim();
  if (!/^\d+$/.test(t) || Number(t) > MAX_LINES) {
    throw new UsageError(`--lines "${text}" is not a number of lines from 0 to ${MAX_LINES}`, { hint: 'e.g. --lines 10' });
  }
  return Number(t);
}

function render(app: App, doc: PeekDocument, lines: number): void {
  if (doc.projects.length === 0) {
    app.out.info(`no rgsd projects in namespace ${doc.namespace}; create one with \`rgsd init <project>\` and \`rgsd up\``);
    return;
  }
  app.out.data(renderPeek(doc, lines));
  for (const p of doc.projects) {
    for (const w of p.status?.warnings ?? []) app.out.warn(`${p.project}: ${warningText(w)}`);
  }
}

/** The windows table (with the last `lines` screen lines under each window when more than
 * one), then the repositories table. */
export function renderPeek(doc: PeekDocument, lines: number): string {
  const out: string[] = [];
  const rows = [['PROJECT', 'WINDOW', 'AGENT', 'STATE', 'SINCE', 'LAST LINE']];
  const screens = new Map<number, string[]>();
  for (const p of doc.projects) {
    if (p.state !== 'ok' || !p.status) {
      rows.push([p.project, '-', '-', p.state.replace('-', ' '), '-', p.error ?? '']);
      continue;
    }
    if (p.status.schemaVersion < 2) {
      rows.push([p.project, '-', '-', 'unknown', '-', 'its image predates rgsd peek: rebuild it, then `rgsd up`']);
      continue;
    }
    const panes = windowPanes(p.status.panes);
    if (panes.length === 0) rows.push([p.project, '-', '-', 'no tmux session', '-', '']);
    for (const pane of panes) {
      const cells = windowCells(pane);
      if (lines === 0) cells[4] = '';
      rows.push([p.project, ...cells]);
      if (lines > 1) screens.set(rows.length - 1, pane.lines.slice(-lines));
    }
  }
  const rendered = table(rows).split('\n');
  rendered.forEach((line, i) => {
    out.push(line);
    for (const l of screens.get(i) ?? []) out.push(`    │ ${clip(l, 160)}`);
  });
  const repos = [['PROJECT', 'REPOSITORY', 'BRANCH', 'CHANGES']];
  for (const p of doc.projects) for (const r of p.status?.repos ?? []) repos.push([p.project, ...repoCells(r)]);
  if (repos.length > 1) out.push('', table(repos));
  return out.join('\n');
}
