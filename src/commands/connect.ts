// `rgsd connect [project] [session]` — attach to the workstation's tmux session.
import type { SessionInfo } from '../cluster/workload.js';
import type { Target } from '../cluster/gateway.js';
import type { App } from '../core/app.js';
import type { ProjectConfig } from '../core/config.js';
import { JSON_OPTION, defineCommand, projectArg } from '../cli/spec.js';
import { ChildExitError, CommandError, NotFoundError, UsageError } from '../core/errors.js';
import { DEFAULT_SESSION, SESSION_NAME_RE } from '../core/vocab.js';
import type { ConnectPod, CrashReport, SessionListDocument, WorkstationContainer } from '../ops/connect.js';
import { formatAge, plural, table } from '../ui/format.js';

interface ConnectOptions {
  new?: string;
  iterm?: boolean;
  list?: boolean;
}

export default defineCommand<ConnectOptions>(
  {
    name: 'connect',
    summary: 'attach to the tmux session in the pod (kubectl exec -it … tmux attach)',
    description:
      'At most two cluster calls before the attach: the pods of the project, then one in-pod status query for the session list. ' +
      'A crashing workstation is not attached to: connect shows why and the last lines of its log. ' +
      'Detach with Ctrl-b d. Attaching needs a terminal; --list works anywhere.',
    args: [
      projectArg('project (picker when several are running)'),
      { name: 'session', required: false, description: 'tmux session (picker when several)' },
    ],
    options: [
      { flags: '--new <name>', description: 'create a new tmux session with this name and attach' },
      { flags: '--iterm', description: 'use tmux control mode (-CC) for iTerm2' },
      { flags: '--list', description: 'list the sessions instead of attaching' },
      { ...JSON_OPTION, description: 'with --list: print JSON' },
    ],
    examples: ['rgsd connect myproj', 'rgsd connect myproj --new review', 'rgsd connect myproj --list --json'],
  },
  async (app, { project: projectArg, session: sessionArg }, opts) => {
    const list = Boolean(opts.list);
    checkOptions(app, projectArg, sessionArg, opts);
    const ops = await import('../ops/connect.js');
    const { project, cfg, target, pod } = await locate(app, projectArg);
    const { out } = app;
    const crash = ops.crashOf(pod);
    if (crash) return showCrash(app, await ops.crashReport(app, target, project, pod, crash));
    if (!pod.ready) out.warn(`${pod.name} is running but not ready yet (its tmux session may still be starting)`);
    const attached = async (status: number): Promise<void> => {
      if (status === 0) return;
      await explain(app, target, project, pod);
      // the child already spoke on the terminal: its status becomes rgsd's, silently
      throw new ChildExitError('kubectl exec', status);
    };

    if (opts.new !== undefined) {
      out.info(`attaching to new-or-existing tmux session "${opts.new}" in ${pod.name} (detach: Ctrl-b d)`);
      return attached(await ops.attachTo(app, target, pod.name, { newSession: opts.new, iterm: Boolean(opts.iterm) }));
    }

    const sessions = await ops.listSessions(app, target, pod.name).catch(async (err: unknown) => {
      if (err instanceof CommandError || err instanceof NotFoundError) await explain(app, target, project, pod);
      throw err;
    });
    if (list) {
      if (app.globals.json) {
        const doc: SessionListDocument = {
          schemaVersion: 1,
          project,
          context: target.context,
          namespace: target.namespace,
          pod: pod.name,
          sessions,
        };
        out.json(doc);
      } else if (sessions.length === 0) {
        out.info(`no tmux session in ${pod.name}; \`rgsd connect ${project} --new ${DEFAULT_SESSION}\` starts one`);
      } else {
        out.data(renderSessions(sessions));
      }
      return;
    }

    const plan = ops.planSession(project, sessions, sessionArg, cfg?.settings.tmuxSession ?? DEFAULT_SESSION);
    let session: string | undefined;
    if (plan.kind === 'named') session = plan.session;
    else if (plan.kind === 'choose') {
      const { pickOne } = await import('../ui/prompts.js');
      session = await pickOne(
        app.prompter,
        'Attach to which tmux session?',
        plan.sessions.map((s) => ({
          name: s.name,
          value: s.name,
          description: `${plural(s.windows, 'window')}${s.attached ? ', attached elsewhere' : ''}`,
        })),
        `name the session: rgsd connect ${project} <session>`,
      );
    }
    if (session) {
      out.info(`attaching to tmux session "${session}" in ${pod.name} (detach: Ctrl-b d)`);
    } else {
      const start = `rgsd connect ${project} --new ${DEFAULT_SESSION}`;
      out.warn(`no tmux session is running in ${pod.name}; opening a login shell (start one with \`${start}\`)`);
    }
    return attached(await ops.attachTo(app, target, pod.name, { session, iterm: Boolean(opts.iterm) }));
  },
);

/** Flag combinations and the terminal, before any call. */
function checkOptions(app: App, projectArg: string | undefined, sessionArg: string | undefined, opts: ConnectOptions): void {
  const list = Boolean(opts.list);
  const name = projectArg ?? '<project>';
  if (opts.new !== undefined && !SESSION_NAME_RE.test(opts.new)) {
    throw new UsageError(`--new "${opts.new}" is not a usable tmux session name`, {
      hint: 'use letters, digits, "_" and "-" (at most 64), e.g. --new review',
    });
  }
  if (opts.new !== undefined && sessionArg)
    throw new UsageError('give either a session or --new <name>, not both', { hint: `rgsd connect ${name} --new ${opts.new}` });
  if (list && (opts.new !== undefined || opts.iterm))
    throw new UsageError('--list does not attach: drop --new/--iterm', { hint: 'rgsd connect --list' });
  if (!list && app.globals.json) throw new UsageError('--json goes with --list', { hint: `rgsd connect ${name} --list --json` });
  if (!list && !app.interactive) {
    throw new UsageError('rgsd connect attaches your terminal, but stdin/stdout is not a terminal', {
      hint: 'run it from an interactive terminal (ssh -t for remote shells); `rgsd connect --list` works without one',
    });
  }
}

interface Located {
  project: string;
  cfg: ProjectConfig | undefined;
  target: Target;
  pod: ConnectPod;
}

/** The pod to attach to: of the named (or only configured) project, else picked among the
 * projects running in the namespace. One cluster call. */
async function locate(app: App, projectArg: string | undefined): Promise<Located> {
  const ops = await import('../ops/connect.js');
  const { openNamespace, openProject } = await import('../cli/open.js');
  const { listProjects } = await import('../core/config.js');
  const configured = projectArg ? [] : await listProjects(app.configDir);
  if (projectArg || configured.length === 1) {
    const { project, cfg, names, target } = await openProject(app, projectArg, { command: 'connect', requireSettings: false });
    return { project, cfg, target, pod: await ops.locateProjectPod(app, target, project, names) };
  }
  // several (or no) configured projects and none named: what runs in the namespace
  const target = await openNamespace(app);
  const running = await ops.runningWorkstations(app, target, configured);
  const { pickOne } = await import('../ui/prompts.js');
  const pod = await pickOne(
    app.prompter,
    'Connect to which project?',
    running.map((p) => ({ name: p.project as string, value: p, description: podLine(p, ops.crashOf(p)) })),
    `name the project: rgsd connect <project> (running: ${running.map((p) => p.project).join(', ')})`,
  );
  const project = pod.project as string;
  return { project, cfg: await ops.pickedProjectSettings(app, target, project), target, pod };
}

function podLine(p: ConnectPod, crash: WorkstationContainer | null): string {
  const state = crash ? `crashing${crash.reason ? ` (${crash.reason})` : ''}` : p.ready ? 'ready' : 'not ready';
  return `${p.name}, ${state}, age ${p.ageSeconds === null ? '-' : formatAge(p.ageSeconds)}`;
}

export function renderSessions(sessions: readonly SessionInfo[]): string {
  const rows = [['SESSION', 'WINDOWS', 'ATTACHED', 'CREATED']];
  for (const s of sessions) rows.push([s.name, String(s.windows), s.attached ? 'yes' : 'no', s.created ?? '-']);
  return table(rows);
}

/** An exec into the pod failed: when the pod now crashes (or went away) that is the error,
 * with the crash report, instead of kubectl's own words. Returns when there is nothing to add. */
async function explain(app: App, target: Target, project: string, pod: ConnectPod): Promise<void> {
  const { explainExecFailure } = await import('../ops/connect.js');
  const why = await explainExecFailure(app, target, project, pod);
  if (why && 'error' in why) throw why.error;
  if (why) showCrash(app, why.crash);
}

/** The log lines of a crashing container (stderr), then its error. */
export function showCrash(app: App, report: CrashReport): never {
  const { out } = app;
  // while it waits (CrashLoopBackOff) or after it ended, both logs are of the run that just ended
  const run =
    report.container.state !== 'running' ? 'its last run' : report.log.previous ? 'the run before its last restart' : 'its current run';
  if ('unreadable' in report.log) {
    out.warn(`could not read the log of ${report.pod.name}: ${report.log.unreadable}`);
  } else if (report.log.lines.length === 0) {
    out.info(`the workstation log of ${report.pod.name} (${run}) is empty`);
  } else {
    out.info(`last ${plural(report.log.lines.length, 'line')} of the workstation log of ${report.pod.name} (${run}):`);
    for (const line of report.log.lines) out.info(`  ${out.c.dim('│')} ${line}`);
  }
  throw report.error;
}
