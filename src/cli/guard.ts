// The work guard as commands use it: before a command ends the pod (down, restart,
// reset-home, an up that restarts it) or deletes the home (nuke), look at what is there
// (ops/guard.ts: one in-pod status call), show it, and go on only when nothing would be
// lost, the user confirms on a terminal, or `--discard-work` says so. Without a terminal,
// work that would be lost is a refusal (exit 7) that says exactly what it is.
import type { Target } from '../cluster/gateway.js';
import type { App } from '../core/app.js';
import { RefusedError } from '../core/errors.js';
import type { ProjectNames } from '../core/names.js';
import type { WorkItem, WorkReport } from '../ops/guard.js';
import { formatAge, plural } from '../ui/format.js';
import type { OptionSpec } from './spec.js';

export const DISCARD_WORK_OPTION: OptionSpec = {
  flags: '--discard-work',
  description: 'go ahead even when an agent is working, a task runs, or (nuke) unpushed work would be lost',
};

/** What the command does to the workstation: `stop` ends the pod (the home stays), `destroy`
 * deletes the home too. */
export type GuardAction = 'stop' | 'destroy';

export interface GuardOptions {
  action: GuardAction;
  /** "stop", "restart", "re-seed", "destroy": words for the messages */
  verb: string;
  discardWork: boolean;
  /** the command line that repeats this one with --discard-work */
  retry: string;
  /** only show, never refuse or ask (--dry-run) */
  showOnly?: boolean;
  /** the command shows the work in its own summary and confirms by itself on a terminal
   * (nuke: typing the name); without a terminal the guard returns its refusal for the
   * command to throw after the summary */
  summaryByCaller?: boolean;
}

export interface GuardOutcome {
  report: WorkReport;
  /** the work that ending the pod (or deleting the home) would lose */
  atRisk: WorkItem[];
  /** the user already said yes on a terminal */
  confirmed: boolean;
  /** with summaryByCaller: the refusal to throw once the caller has shown its summary */
  refusal: RefusedError | null;
}

/** One line per item: "claude in main:0 is working, last output 4s ago". */
export function workLine(i: WorkItem): string {
  switch (i.kind) {
    case 'agent':
      return `${i.agent} in ${i.window} is ${i.state}${i.since === null ? '' : `, last output ${formatAge(i.since)} ago`}`;
    case 'task':
      return `task ${i.id}${i.name ? ` (${i.name})` : ''} is running${i.agent ? ` (${i.agent})` : ''}`;
    case 'client':
      return `a terminal is attached to tmux session ${i.session}${i.tty ? ` (${i.tty})` : ''}`;
    case 'repo': {
      const parts = [
        i.staged ? `${i.staged} staged` : '',
        i.modified ? plural(i.modified, 'modified file') : '',
        i.untracked ? plural(i.untracked, 'untracked file') : '',
        i.unpushed === null
          ? `branch ${i.branch ?? '?'} has no upstream (its commits are only here)`
          : i.unpushed > 0
            ? `${plural(i.unpushed, 'commit')} not pushed${i.branch ? ` on ${i.branch}` : ''}`
            : '',
        i.stashes ? plural(i.stashes, 'stash', 'stashes') : '',
      ].filter(Boolean);
      return `${i.path}: ${parts.join(', ')}`;
    }
  }
}

/** The guard's lines for a summary (nuke prints them inside its own list). */
export function workLines(report: WorkReport, project: string): string[] {
  if (!report.looked) return report.deployed ? [`could not look inside the workstation of ${project}: ${report.why}`] : [];
  return report.items.map(workLine);
}

/** Look, show, and decide. Throws RefusedError when work would be lost and nobody said yes. */
export async function guardWork(app: App, target: Target, names: ProjectNames, o: GuardOptions): Promise<GuardOutcome> {
  const { inspectWork, blocking } = await import('../ops/guard.js');
  const report = await inspectWork(app, target, names);
  const p = names.release;
  const { out } = app;
  if (!report.looked) {
    if (report.deployed && !o.summaryByCaller)
      out.warn(`could not look at the work inside ${p} before ${o.verb === 'stop' ? 'stopping' : `the ${o.verb}`}: ${report.why}`);
    return { report, atRisk: [], confirmed: false, refusal: null };
  }
  const atRisk = blocking(report.items, o.action);
  if (report.items.length === 0) return { report, atRisk, confirmed: false, refusal: null };
  if (!o.summaryByCaller) {
    out.warn(`${p}: ${o.action === 'destroy' ? 'this destroys' : `${o.verb} ends`} the work in the workstation:`);
    for (const i of report.items) out.info(`  - ${workLine(i)}`);
  }
  if (atRisk.length === 0 || o.showOnly) return { report, atRisk, confirmed: false, refusal: null };
  if (o.discardWork) {
    out.warn(`--discard-work: going ahead (${lossSummary(atRisk)})`);
    return { report, atRisk, confirmed: true, refusal: null };
  }
  if (app.interactive) {
    if (o.summaryByCaller) return { report, atRisk, confirmed: false, refusal: null };
    const yes = await app.prompter.confirm(`${capital(o.verb)} ${p} anyway and lose that?`, { default: false });
    if (!yes) throw new RefusedError(`not ${ing(o.verb)} ${p}: the work above would be lost`, { hint: hintFor(o) });
    return { report, atRisk, confirmed: true, refusal: null };
  }
  const refusal = new RefusedError(`not ${ing(o.verb)} ${p}: it would ${lossSummary(atRisk)}`, { hint: hintFor(o) });
  if (o.summaryByCaller) return { report, atRisk, confirmed: false, refusal };
  throw refusal;
}

function hintFor(o: GuardOptions): string {
  const save =
    o.action === 'destroy' ? 'commit and push, or `rgsd backup` first' : 'wait for the agent (`rgsd peek`, `rgsd watch --until idle`)';
  return `${save}; or re-run with --discard-work: \`${o.retry} --discard-work\``;
}

/** "end claude working in main:0, end task t1, lose 3 modified files in workspace" */
export function lossSummary(items: readonly WorkItem[]): string {
  return items.map(lossOf).join('; ');
}

function lossOf(i: WorkItem): string {
  if (i.kind === 'agent') return `end ${i.agent} ${i.state} in ${i.window}`;
  if (i.kind === 'task') return `end task ${i.id}`;
  if (i.kind === 'client') return `detach the terminal on ${i.session}`;
  return `lose ${workLine(i)}`;
}

function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** "stop" → "stopping", "re-seed" → "re-seeding", "destroy" → "destroying" */
function ing(verb: string): string {
  if (verb === 'stop') return 'stopping';
  return verb.endsWith('e') ? `${verb.slice(0, -1)}ing` : `${verb}ing`;
}
