// `rgsd watch [project...] [--interval 10s] [--until idle|done] [--exec CMD] [--no-notify]`
import { defineCommand, type OptionSpec } from '../cli/spec.js';
import { UsageError } from '../core/errors.js';
import type { App } from '../core/app.js';
import type { LocalProject } from '../cli/open.js';
import type { PeekDocument } from '../ops/peek.js';
import type { WatchEvent } from '../ops/watch.js';

interface WatchFlags {
  interval?: string;
  until?: string;
  exec?: string;
  notify?: boolean;
}

const UNTIL_CHOICES = ['idle', 'done'] as const;
const MIN_INTERVAL_MS = 2_000;
const MAX_INTERVAL_MS = 3_600_000;

const OPTIONS: OptionSpec[] = [
  { flags: '--interval <duration>', description: 'time between two looks, 2s to 1h', default: '10s' },
  {
    flags: '--until <what>',
    description: 'stop when no agent works and no task runs (idle), or when the tasks are done (done)',
    choices: UNTIL_CHOICES,
  },
  { flags: '--exec <command>', description: 'run this shell command for each event, the event as JSON on its stdin' },
  { flags: '--no-notify', description: 'no terminal bell or desktop notification' },
];

export default defineCommand<WatchFlags>(
  {
    name: 'watch',
    summary: 'follow the agents: print each state change, notify when one waits for you or a task ends',
    description:
      'Polls like `rgsd peek` (one exec per project per interval, concurrently; without a project, every project of ' +
      'the namespace) and prints each change with a timestamp. When an agent goes from working to waiting, an agent ' +
      'or a task ends, or the pod restarts, it rings the terminal bell and sends a desktop notification (OSC 9 and ' +
      'OSC 777: iTerm2, kitty, WezTerm, foot). A lost connection is said once and retried with a growing pause. ' +
      'Ctrl-C stops it (exit 0).',
    args: [
      {
        name: 'project',
        required: false,
        variadic: true,
        description: 'projects (default: every rgsd project in the namespace)',
        complete: 'project',
      },
    ],
    options: OPTIONS,
    examples: ['rgsd watch', 'rgsd watch myproj --until idle', "rgsd watch myproj --exec 'jq -r .kind >> ~/rgsd-events.log'"],
  },
  async (app, { project }, opts) => {
    const intervalMs = parseInterval(opts.interval ?? '10s');
    const until = opts.until as (typeof UNTIL_CHOICES)[number] | undefined;
    if (app.globals.json)
      throw new UsageError('watch prints lines, not one JSON document', { hint: 'use --exec to get each event as JSON' });
    const projects = (project ?? '').split(' ').filter(Boolean);
    const { openNamespace, openProject, resolveProject } = await import('../cli/open.js');
    const { peekAll, peekProject } = await import('../ops/peek.js');
    const { watchLoop } = await import('../ops/watch.js');
    let poll: () => Promise<PeekDocument>;
    if (projects.length === 0) {
      const target = await openNamespace(app);
      poll = () => peekAll(app, target, { lines: 1 });
    } else {
      // every name checked before the first call; one target for all (the first project's settings decide it)
      const locals: LocalProject[] = [];
      for (const p of projects) locals.push(await resolveProject(app, p, { command: 'watch', requireSettings: false }));
      const { target } = await openProject(app, projects[0], { command: 'watch', requireSettings: false });
      poll = async () => {
        const docs = await Promise.all(
          locals.map((l) => peekProject(app, target, l.project, l.names, { lines: 1 }).catch(unanswered(l.project, target))),
        );
        return { schemaVersion: 1, context: target.context, namespace: target.namespace, projects: docs.flatMap((d) => d.projects) };
      };
    }
    app.progress.stopsOnInterrupt('stopped watching');
    const notify = opts.notify !== false;
    const reachedUntil = await watchLoop({
      intervalMs,
      until,
      poll,
      now: app.now,
      sleep: (ms) => new Promise((resolve) => setTimeout(() => resolve(true), ms)),
      onEvent: async (e, worthIt) => {
        app.out.data(eventLine(e, app.now()));
        if (worthIt && notify) app.out.alert(notification(e));
        if (opts.exec) await runExec(app, opts.exec, e);
      },
    });
    if (reachedUntil) app.out.info(`rgsd: ${until === 'done' ? 'the tasks are done' : 'no agent is working'}; stopped watching`);
  },
);

/** A project whose own poll failed (unreachable, not deployed) does not end the watch. */
function unanswered(project: string, target: { context: string; namespace: string }) {
  return (err: unknown) => {
    if (err instanceof Error && (err as { exitCode?: number }).exitCode === 130) throw err;
    return {
      schemaVersion: 1 as const,
      context: target.context,
      namespace: target.namespace,
      projects: [{ project, pod: null, state: 'error' as const, error: (err as Error).message.split('\n')[0] ?? 'failed', status: null }],
    };
  };
}

export function parseInterval(text: string): number {
  // same grammar as --timeout elsewhere
  const m = /^(\d+)(ms|s|m|h)?$/.exec(text.trim());
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m?.[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
  const ms = m ? Number(m[1]) * unit : Number.NaN;
  if (!Number.isFinite(ms) || ms < MIN_INTERVAL_MS || ms > MAX_INTERVAL_MS) {
    throw new UsageError(`--interval "${text}" is not a duration from 2s to 1h`, { hint: 'e.g. --interval 10s or --interval 1m' });
  }
  return ms;
}

/** "12:03:04" in local time. */
export function clock(d: Date): string {
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

/** One line per event on stdout. */
export function eventLine(e: WatchEvent, at: Date): string {
  const t = clock(at);
  switch (e.kind) {
    case 'state': {
      const change = e.from === null ? `${e.to}` : `${e.from} → ${e.to}`;
      const code = e.exitCode !== null && e.to === 'exited' ? ` (code ${e.exitCode})` : '';
      const line = e.line ? `  │ ${e.line.length > 80 ? `${e.line.slice(0, 79)}…` : e.line}` : '';
      return `${t}  ${e.project}  ${e.window}${e.agent ? ` [${e.agent}]` : ''}: ${change}${code}${line}`;
    }
    case 'pane-closed':
      return `${t}  ${e.project}  ${e.window}${e.agent ? ` [${e.agent}]` : ''}: closed (was ${e.from})`;
    case 'task':
      return `${t}  ${e.project}  task ${e.task}${e.name ? ` (${e.name})` : ''}: ${e.from === null ? e.to : `${e.from} → ${e.to}`}${e.exitCode !== null && e.to !== 'running' ? `, exit code ${e.exitCode}` : ''}`;
    case 'restart':
      return `${t}  ${e.project}  tmux session ${e.session} was recreated (the pod restarted, or the session was killed)`;
    case 'project':
      return `${t}  ${e.project}  ${e.to === 'running' ? 'running' : `${e.to}${e.detail ? `: ${e.detail}` : ''}`}`;
    case 'unreachable':
      return `${t}  ${e.project ?? 'cluster'}  no answer (${e.error}); retrying in ${e.retryInSeconds}s`;
    case 'reconnected':
      return `${t}  ${e.project ?? 'cluster'}  answering again`;
  }
}

function summary(e: WatchEvent): string {
  switch (e.kind) {
    case 'state':
      return e.to === 'exited' ? `${e.project}: ${e.agent ?? 'agent'} ended` : `${e.project}: ${e.agent ?? e.window} is ${e.to}`;
    case 'task':
      return `${e.project}: task ${e.name ?? e.task} ${e.to}`;
    case 'restart':
      return `${e.project}: the workstation restarted`;
    case 'pane-closed':
      return `${e.project}: ${e.agent ?? e.window} closed`;
    default:
      return `${e.project ?? 'rgsd'}: ${e.kind}`;
  }
}

/** Bell + OSC 9 (iTerm2, WezTerm, kitty) + OSC 777 (foot, urxvt, some others), on stderr:
 * the terminal shows them, a file or a pipe gets none (no terminal, no notification). */
export function notification(e: WatchEvent): string {
  const text = summary(e).replace(/[\x00-\x1f\x7f;]/g, ' ');
  return `\x07\x1b]9;${text}\x07\x1b]777;notify;rgsd;${text}\x07`;
}

async function runExec(app: App, command: string, e: WatchEvent): Promise<void> {
  const res = await app.runner.run('sh', ['-c', command], { stdin: `${JSON.stringify(e)}\n`, allowFailure: true, timeoutMs: 60_000 });
  if (res.exitCode !== 0)
    app.out.warn(`--exec exited ${res.exitCode} for a ${e.kind} event${res.stderr ? `: ${res.stderr.trim().split('\n')[0]}` : ''}`);
}
