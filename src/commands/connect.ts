// `rgsd connect [project] [session]` — attach to the workstation's tmux session: one cluster
// call on the happy path (src/ops/connect.ts), the diagnosis only after it failed.
import type { AttachRequest } from '../cluster/attach.js';
import type { SessionInfo } from '../cluster/podstate.js';
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
    aliases: ['attach'],
    summary: 'attach to the tmux session in the pod (kubectl exec -it … /opt/rgsd/attach)',
    description:
      'One cluster call: kubectl exec -it deployment/<fullname> -- /opt/rgsd/attach, which picks the session in the pod ' +
      "(the named one, the configured one, the only one, else tmux's chooser; no session: a login shell in the workspace). " +
      'Only when that fails does connect look at the pod: its phase and reason, or a crashing workstation with the last lines of its log. ' +
      'Detach with Ctrl-b d. Attaching needs stdin and stdout on a terminal (stderr may go to a file); --list works anywhere.',
    args: [
      projectArg('project (picker when several are running)'),
      { name: 'session', required: false, description: "tmux session (default: the configured one, the only one, or tmux's chooser)" },
    ],
    options: [
      { flags: '--new <name>', description: 'create a new tmux session with this name (in the workspace) and attach' },
      { flags: '--iterm', description: 'use tmux control mode (-CC) for iTerm2' },
      { flags: '--list', description: 'list the sessions instead of attaching' },
      { ...JSON_OPTION, description: 'with --list: print JSON' },
    ],
    examples: ['rgsd connect myproj', 'rgsd connect myproj --new review', 'rgsd connect myproj --list --json'],
  },
  async (app, { project: projectArg, session: sessionArg }, opts) => {
    checkOptions(app, projectArg, sessionArg, opts);
    if (opts.list) return listSessions(app, projectArg);
    const ops = await import('../ops/connect.js');
    const { out } = app;
    const how: AttachRequest = {
      session: sessionArg,
      newSession: opts.new,
      iterm: Boolean(opts.iterm),
      term: app.env.TERM || undefined,
      size: terminalSize(),
    };
    const where = await attachTarget(app, projectArg);
    const { project, target } = where;
    out.info(
      opts.new !== undefined
        ? `attaching to new-or-existing tmux session "${opts.new}" of ${project} (detach: Ctrl-b d)`
        : `attaching to ${sessionArg ? `tmux session "${sessionArg}" of ` : ''}${project} (detach: Ctrl-b d)`,
    );
    const attach = () =>
      ops.attachWithRetry(app, target, where.podOrRef, how, (n) =>
        out.warn(`the pod of ${project} is shutting down; trying again (${n} of ${ops.TERMINATING_RETRY_MS.length})`),
      );
    let status = await attach();
    let outcome = ops.attachOutcome(project, status, how);
    if (outcome.kind === 'ok') return;
    if (outcome.kind === 'error') throw outcome.error;
    const { projectNames } = await import('../core/names.js');
    const names = projectNames(project);
    let why = where.pod
      ? await ops.explainExecFailure(app, target, project, where.pod)
      : await ops.diagnoseAttach(app, target, project, names);
    if (why && 'asleep' in why) {
      // asleep (idle sleep, `rgsd sleep`): wake it, wait for it, attach again (once)
      const since = why.asleep.since ? ` since ${why.asleep.since}` : '';
      const { DEFAULT_TIMEOUT, durationMs, goDuration } = await import('../core/vocab.js');
      const timeoutMs = durationMs(DEFAULT_TIMEOUT) as number;
      out.info(`${project} is asleep${since}: waking it (kubectl scale deployment/${names.deployment} --replicas=1)`);
      const spin = out.spinner(`waiting for the pod (tmux ready) — up to ${goDuration(timeoutMs)}`);
      try {
        await ops.wakeWorkstation(app, target, names, timeoutMs);
      } catch (err) {
        spin.fail(`${project} did not wake`);
        throw err;
      }
      spin.succeed(`${project} is awake; attaching`);
      status = await attach();
      outcome = ops.attachOutcome(project, status, how);
      if (outcome.kind === 'ok') return;
      if (outcome.kind === 'error') throw outcome.error;
      why = await ops.diagnoseAttach(app, target, project, names);
      if (why && 'asleep' in why) why = { error: ops.noPodError(project, target) };
    }
    if (why && 'error' in why) throw why.error;
    if (why) showCrash(app, why.crash);
    if (outcome.fallback) throw outcome.fallback;
    // the child already spoke on the terminal: its status becomes rgsd's, silently
    throw new ChildExitError('kubectl exec', status);
  },
);

/** The local window size (passed to the pod for a terminal that starts at 0x0). */
function terminalSize(): AttachRequest['size'] {
  const { columns, rows } = process.stdout;
  return columns && rows ? { columns, rows } : undefined;
}

/** `connect --list`: the pod of the project (one call), then its in-pod status (one exec). */
async function listSessions(app: App, projectArg: string | undefined): Promise<void> {
  const ops = await import('../ops/connect.js');
  const { project, target, pod } = await locate(app, projectArg);
  const { out } = app;
  const crash = ops.crashOf(pod);
  if (crash) return showCrash(app, await ops.crashReport(app, target, project, pod, crash));
  const sessions = await ops.listSessions(app, target, pod.name).catch(async (err: unknown) => {
    if (err instanceof CommandError || err instanceof NotFoundError) await explain(app, target, project, pod);
    throw err;
  });
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
}

interface AttachTarget {
  project: string;
  target: Target;
  /** `deployment/<fullname>` (kubectl picks the pod: no call before the attach), or the pod picked */
  podOrRef: string;
  /** the pod, when the project picker chose it (it listed the pods already) */
  pod?: ConnectPod;
}

/** Where to attach: the named (or only configured) project's Deployment, without a call; else
 * the pod picked among the projects running in the namespace (one call, the picker). */
async function attachTarget(app: App, projectArg: string | undefined): Promise<AttachTarget> {
  const { listProjects } = await import('../core/config.js');
  const configured = projectArg ? [] : await listProjects(app.configDir);
  if (projectArg || configured.length === 1) {
    const { openProject } = await import('../cli/open.js');
    const { project, names, target } = await openProject(app, projectArg, { command: 'connect', requireSettings: false });
    return { project, target, podOrRef: `deployment/${names.deployment}` };
  }
  const { project, target, pod } = await locate(app, projectArg);
  const ops = await import('../ops/connect.js');
  const crash = ops.crashOf(pod);
  if (crash) showCrash(app, await ops.crashReport(app, target, project, pod, crash));
  if (!pod.ready) app.out.warn(`${pod.name} is running but not ready yet (its tmux session may still be starting)`);
  return { project, target, podOrRef: pod.name, pod };
}

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
  if (!list && !app.attachable) {
    throw new UsageError(`rgsd connect attaches your terminal, but ${untty()} not a terminal`, {
      hint: 'run it from an interactive terminal (ssh -t for remote shells); `rgsd connect --list` works without one',
    });
  }
}

/** Which of stdin and stdout is not a terminal ("stdin is", "stdout is", "stdin and stdout are"). */
export function untty(): string {
  const not = [process.stdin.isTTY ? null : 'stdin', process.stdout.isTTY ? null : 'stdout'].filter(Boolean);
  return not.length === 1 ? `${not[0]} is` : 'stdin and stdout are';
}

interface Located {
  project: string;
  cfg: ProjectConfig | undefined;
  target: Target;
  pod: ConnectPod;
}

/** The pod (for --list, and the project picker): of the named (or only configured) project, else
 * picked among the projects running in the namespace. One cluster call. */
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
