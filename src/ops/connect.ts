// `rgsd connect`: the happy path is ONE cluster call,
//   kubectl exec -it deployment/<fullname> -c workstation --pod-running-timeout=5s -- /opt/rgsd/attach …
// (src/cluster/attach.ts): the in-pod script picks the session, and the terminal passes straight
// through. Only when that call fails does connect look further (diagnoseAttach): the pod's phase
// and reason, a crashing workstation with the last lines of its log (`kubectl logs <pod> -c
// workstation --tail=20 [--previous]`), a pod that went away. A pod that is shutting down is
// tried again (a bounded number of times). `--list` and the project picker still list pods first.
// These ops return what they found; the command asks (project picker) and prints.
import { kubectl, type Target } from '../cluster/gateway.js';
import { pinnedContextError } from '../cluster/target.js';
import { ATTACH_EXIT, runAttach, type AttachRequest } from '../cluster/attach.js';
import { queryInPodStatus, type SessionInfo } from '../cluster/podstate.js';
import {
  getSleepState,
  isRunning,
  listItems,
  rankPods,
  scaleDeployment,
  summarizePod,
  waitRollout,
  type K8sObject,
  type PodSummary,
} from '../cluster/workload.js';
import type { App } from '../core/app.js';
import { loadProject, type ProjectConfig } from '../core/config.js';
import { ExitCode, NotFoundError, RgsdError, isInterrupt } from '../core/errors.js';
import type { ProjectNames } from '../core/names.js';
import { ALL_PROJECTS_SELECTOR, CONTAINER, IN_POD, SESSION_NAME_RE, projectSelector } from '../core/vocab.js';
import { plural } from '../ui/format.js';

/** `rgsd connect --list --json` document. */
export interface SessionListDocument {
  schemaVersion: 1;
  project: string;
  context: string;
  namespace: string;
  pod: string;
  sessions: SessionInfo[];
}

/** The workstation container of a pod, as connect needs it (its `containerStatuses` entry). */
export interface WorkstationContainer {
  state: 'running' | 'waiting' | 'terminated' | 'unknown';
  /** Why it waits or ended: CrashLoopBackOff, Error, OOMKilled, … */
  reason: string | null;
  /** Of the current run, when it ended. */
  exitCode: number | null;
  ready: boolean;
  restarts: number;
  /** How the run before this one ended (`lastState.terminated`), if there was one. */
  lastExit: { reason: string | null; exitCode: number | null } | null;
}

/** A pod summary (the one pod-choosing rule) plus its workstation container. */
export interface ConnectPod extends PodSummary {
  workstation: WorkstationContainer | null;
}

interface ContainerState {
  running?: Record<string, unknown>;
  waiting?: { reason?: string };
  terminated?: { reason?: string; exitCode?: number };
}
interface WorkstationStatus {
  name: string;
  ready?: boolean;
  restartCount?: number;
  state?: ContainerState;
  lastState?: ContainerState;
}

export function workstationOf(pod: K8sObject): WorkstationContainer | null {
  const statuses = ((pod.status ?? {}) as { containerStatuses?: WorkstationStatus[] }).containerStatuses ?? [];
  const c = statuses.find((s) => s.name === CONTAINER.workstation);
  if (!c) return null;
  const st = c.state ?? {};
  const last = c.lastState?.terminated;
  return {
    state: st.running ? 'running' : st.waiting ? 'waiting' : st.terminated ? 'terminated' : 'unknown',
    reason: st.waiting?.reason ?? st.terminated?.reason ?? null,
    exitCode: st.terminated?.exitCode ?? null,
    ready: Boolean(c.ready),
    restarts: c.restartCount ?? 0,
    lastExit: last ? { reason: last.reason ?? null, exitCode: last.exitCode ?? null } : null,
  };
}

/** Cluster call 1: the pods matching `selector` (the argv of workload.ts `getPods`), ranked
 * by the one pod-choosing rule, each with its workstation container. */
export async function connectPods(app: App, target: Target, selector: string): Promise<ConnectPod[]> {
  const { stdout } = await kubectl(app, target, ['get', 'pods', '-l', selector, '-o', 'json']);
  const raw = new Map(listItems(stdout).map((p) => [p.metadata.name, p]));
  const now = app.now();
  return rankPods([...raw.values()].map((p) => summarizePod(p, now))).map((s) => {
    const obj = raw.get(s.name);
    return { ...s, workstation: obj ? workstationOf(obj) : null };
  });
}

/** The workstation container of a Running pod that cannot be attached to, or null: not
 * running (waiting in CrashLoopBackOff, exited), or running but not ready again after a
 * restart (its readiness check keeps failing). A first boot that is not ready yet is fine. */
export function crashOf(p: ConnectPod): WorkstationContainer | null {
  const w = p.workstation;
  if (!w || !isRunning(p)) return null;
  if (w.state === 'waiting' || w.state === 'terminated') return w;
  return w.state === 'running' && !w.ready && w.restarts > 0 ? w : null;
}

/** "Error, code 1" */
function exitText(reason: string | null, code: number | null): string {
  return [reason, code === null ? null : `code ${code}`].filter(Boolean).join(', ') || 'unknown';
}

/** The error that ends a crash report: state, restarts, last exit, and the hint
 * `rgsd logs <project> --previous` (without --previous before the first restart). */
export function crashError(project: string, pod: ConnectPod, w: WorkstationContainer): RgsdError {
  const now =
    w.state === 'running'
      ? 'its tmux session is not up'
      : w.state === 'terminated'
        ? `exited: ${exitText(w.reason, w.exitCode)}`
        : (w.reason ?? 'waiting');
  const parts = [now];
  if (w.restarts > 0) parts.push(`restarted ${plural(w.restarts, 'time')}`);
  if (w.lastExit) parts.push(`last exit: ${exitText(w.lastExit.reason, w.lastExit.exitCode)}`);
  const verb = w.state === 'running' ? 'keeps failing its readiness check' : w.restarts > 0 ? 'is crashing' : 'is not running';
  const logs = `rgsd logs ${project}${w.restarts > 0 ? ' --previous' : ''}`;
  return new RgsdError(`the workstation container of ${project} ${verb} (${parts.join('; ')}): ${pod.name}`, {
    hint: `its whole log: \`${logs}\`; \`rgsd status ${project}\` shows the pod, \`rgsd up ${project}\` redeploys it after a fix`,
  });
}

/** How many lines of a crashing container's log connect shows. */
export const CRASH_LOG_LINES = 20;

export interface CrashReport {
  pod: ConnectPod;
  container: WorkstationContainer;
  /** The log read: of the run before the last restart (`previous`) or of the current one. */
  log: { previous: boolean; lines: string[] } | { previous: boolean; unreadable: string };
  /** To throw once the log is shown. */
  error: RgsdError;
}

/** Terminal control sequences and other control characters out of a log line. */
function printable(line: string): string {
  return line.replace(/\x1b\[[0-?]*[ -/]*[@-~]|\x1b[@-_]|[\x00-\x08\x0b-\x1f\x7f]/g, '');
}

function crashLogArgs(pod: string, previous: boolean): string[] {
  return ['logs', pod, '-c', CONTAINER.workstation, `--tail=${CRASH_LOG_LINES}`, ...(previous ? ['--previous'] : [])];
}

/** One `kubectl logs` of the crashing container (the run before the last restart when it
 * restarted; the current one if that log is gone). Never attaches. */
export async function crashReport(
  app: App,
  target: Target,
  project: string,
  pod: ConnectPod,
  w: WorkstationContainer,
): Promise<CrashReport> {
  const error = crashError(project, pod, w);
  const read = async (previous: boolean): Promise<CrashReport['log']> => {
    try {
      const { stdout } = await kubectl(app, target, crashLogArgs(pod.name, previous), { timeoutMs: 30_000 });
      const lines = stdout.split('\n').map((l) => printable(l).trimEnd());
      while (lines.length > 0 && lines.at(-1) === '') lines.pop();
      return { previous, lines: lines.slice(-CRASH_LOG_LINES) };
    } catch (err) {
      if (!(err instanceof RgsdError) || isInterrupt(err)) throw err;
      return { previous, unreadable: err.message };
    }
  };
  let log = await read(w.restarts > 0);
  if ('unreadable' in log && log.previous) log = await read(false);
  return { pod, container: w, log, error };
}

/** After an exec into the pod failed (the session list, or the attach exited non-zero): one
 * more look at the pod. A crash there replaces kubectl's raw error (`unable to upgrade
 * connection`, `container not found`); a pod that went away or stopped running says so;
 * otherwise null (the original error stands). A failure of this look itself is null too. */
export async function explainExecFailure(
  app: App,
  target: Target,
  project: string,
  pod: ConnectPod,
): Promise<{ crash: CrashReport } | { error: RgsdError } | null> {
  let now: ConnectPod | undefined;
  try {
    now = (await connectPods(app, target, projectSelector(project))).find((p) => p.name === pod.name);
  } catch (err) {
    if (err instanceof RgsdError && !isInterrupt(err)) return null;
    throw err;
  }
  if (!now || now.terminating) {
    return {
      error: new RgsdError(`the pod ${pod.name} went away (deleted or replaced)`, {
        hint: `run \`rgsd connect ${project}\` again; \`rgsd status ${project}\` shows its pod`,
      }),
    };
  }
  if (!isRunning(now)) return { error: notRunningError(project, now) };
  const w = crashOf(now);
  return w ? { crash: await crashReport(app, target, project, now, w) } : null;
}

/** A pod that cannot be attached to: its phase, the reason and the hint `rgsd up`. */
export function notRunningError(project: string, p: PodSummary): RgsdError {
  const why = [p.reason, p.scheduling && p.scheduling !== p.reason ? p.scheduling : null].filter(Boolean).join('; ');
  return new RgsdError(`the workstation pod of ${project} is ${p.phase}${why ? ` (${why})` : ''}: ${p.name}`, {
    hint: `run \`rgsd up ${project}\` to (re)deploy it; \`rgsd status ${project}\` and \`rgsd logs ${project} --init\` show more`,
  });
}

/** Cluster call 1 for a named project: its best pod (the one pod-choosing rule), which must be running. */
export async function locateProjectPod(app: App, target: Target, project: string, names: ProjectNames): Promise<ConnectPod> {
  const [pod] = await connectPods(app, target, names.selector);
  if (!pod) throw noPodError(project, target);
  if (!isRunning(pod)) throw notRunningError(project, pod);
  return pod;
}

/** The project has no pod at all (not deployed, or scaled to zero). */
export function noPodError(project: string, target: Target): NotFoundError {
  return new NotFoundError(`${project} has no workstation pod in namespace ${target.namespace} (context ${target.context})`, {
    hint: `start it with \`rgsd up ${project}\``,
  });
}

/** Cluster call 1 without a project: the best pod of each project running in the namespace,
 * sorted by project name (the picker's choices). `configured` only words the errors. */
export async function runningWorkstations(app: App, target: Target, configured: readonly string[]): Promise<ConnectPod[]> {
  const byProject = new Map<string, ConnectPod>();
  // connectPods ranks them: the first pod of a project is the one to talk to
  for (const p of await connectPods(app, target, ALL_PROJECTS_SELECTOR)) {
    if (p.project && !byProject.has(p.project)) byProject.set(p.project, p);
  }
  const running = [...byProject.values()].filter(isRunning);
  if (running.length > 0) return running.sort((a, b) => (a.project ?? '').localeCompare(b.project ?? ''));
  const [only] = byProject.values();
  if (byProject.size === 1 && only?.project) throw notRunningError(only.project, only);
  const states = [...byProject.values()].map((p) => `${p.project}: ${p.phase}${p.reason ? `/${p.reason}` : ''}`).join(', ');
  throw new NotFoundError(
    byProject.size
      ? `no running workstation in namespace ${target.namespace} (${states})`
      : `no rgsd workstation in namespace ${target.namespace} (context ${target.context})`,
    {
      hint: configured.length
        ? `start one with \`rgsd up <project>\` (configured: ${configured.join(', ')})`
        : 'create one with `rgsd init <project>` and `rgsd up`',
    },
  );
}

/** The settings of a project picked from the cluster (none is fine: it may run from another
 * machine's settings); a pin to another context than the one looked at is refused. Local only. */
export async function pickedProjectSettings(app: App, target: Target, project: string): Promise<ProjectConfig | undefined> {
  let cfg: ProjectConfig | undefined;
  try {
    cfg = await loadProject(app.configDir, project);
  } catch (err) {
    if (!(err instanceof NotFoundError)) throw err;
  }
  const pinned = pinnedContextError({ contextFlag: app.globals.context, pinnedContext: cfg?.settings.context, project }, target.context);
  if (pinned) throw pinned;
  return cfg;
}

/** Cluster call 2: the tmux sessions in the pod. */
export async function listSessions(app: App, target: Target, pod: string): Promise<SessionInfo[]> {
  return (await queryInPodStatus(app, target, pod)).sessions;
}

/** How often connect waits for a pod that is shutting down before it tries again (ms);
 * bounded: after the last wait, the diagnosis. Tests shorten it. */
export const TERMINATING_RETRY_MS = [1000, 2000];

/** The one call (`kubectl exec -it deployment/<fullname> … -- /opt/rgsd/attach …`, or a pod by
 * name); through the Deployment, a pod that is shutting down (attach's exit 82) is tried again
 * after each wait of TERMINATING_RETRY_MS (kubectl may pick its replacement then), with
 * `onRetry` told first; a pod named is not. Resolves with the last exit status. */
export async function attachWithRetry(
  app: App,
  target: Target,
  podOrRef: string,
  how: AttachRequest,
  onRetry: (attempt: number) => void = () => {},
): Promise<number> {
  let status = await runAttach(app, target, podOrRef, how);
  for (const [i, ms] of TERMINATING_RETRY_MS.entries()) {
    if (status !== ATTACH_EXIT.terminating || !podOrRef.includes('/')) break;
    onRetry(i + 1);
    await new Promise((r) => setTimeout(r, ms));
    status = await runAttach(app, target, podOrRef, how);
  }
  return status;
}

/** What an attach exit status means. `diagnose`: look at the pod (diagnoseAttach), and fall
 * back to `fallback` (null: pass the status on silently; the child already spoke). */
export type AttachOutcome = { kind: 'ok' } | { kind: 'error'; error: RgsdError } | { kind: 'diagnose'; fallback: RgsdError | null };

export function attachOutcome(project: string, status: number, how: AttachRequest): AttachOutcome {
  switch (status) {
    case 0:
      return { kind: 'ok' };
    case ATTACH_EXIT.noSession: {
      const name = how.session ?? '<name>';
      return {
        kind: 'error',
        error: new NotFoundError(`no tmux session "${name}" in ${project} (the running ones are listed above)`, {
          hint: `create it with \`rgsd connect ${project} --new ${SESSION_NAME_RE.test(name) ? name : '<name>'}\`; \`rgsd connect ${project} --list\` lists them`,
        }),
      };
    }
    case ATTACH_EXIT.usage:
      return {
        kind: 'error',
        error: new RgsdError(`the workstation of ${project} did not accept the attach request (its image and this rgsd differ)`, {
          hint: `\`rgsd up ${project}\` deploys the image of this rgsd version`,
        }),
      };
    case ATTACH_EXIT.tmux:
      return {
        kind: 'error',
        error: new RgsdError(`tmux does not answer in the workstation of ${project}`, {
          hint: `\`rgsd logs ${project}\` shows why; \`rgsd restart ${project}\` starts it again`,
        }),
      };
    case ATTACH_EXIT.terminating:
      return {
        kind: 'diagnose',
        fallback: new RgsdError(`the workstation pod of ${project} is still shutting down`, {
          exitCode: ExitCode.failure,
          hint: `try again in a moment; \`rgsd status ${project}\` shows its pods`,
        }),
      };
    case ATTACH_EXIT.cannotRun:
    case ATTACH_EXIT.notFound:
      return {
        kind: 'diagnose',
        fallback: new RgsdError(`the workstation of ${project} could not run ${IN_POD.attach} (an image older than this rgsd?)`, {
          hint: `\`rgsd up ${project}\` deploys the image of this rgsd version`,
        }),
      };
    default:
      // kubectl's own errors (exit 1) and whatever the attached program ended with
      return { kind: 'diagnose', fallback: null };
  }
}

/** Wakes a sleeping workstation: scale to 1, then the rollout wait (connect, then attach again). */
export async function wakeWorkstation(app: App, target: Target, names: ProjectNames, timeoutMs: number): Promise<void> {
  app.progress.begin(`\`rgsd status ${names.release}\` shows whether it woke; \`rgsd connect ${names.release}\` again`);
  app.progress.start('the wake-up (scale to 1)');
  await scaleDeployment(app, target, names, 1);
  app.progress.done('the workstation was woken (scaled to 1)');
  app.progress.start('the wait for the pod', { risk: 'the pod may still be starting' });
  await waitRollout(app, target, names, timeoutMs);
  app.progress.done('the pod is ready');
}

/** After the attach failed: one look at the project's pods (their best one, by the one rule).
 * No pod → asleep (0 replicas: the command wakes it) or not found; a pod shutting down → "went away"; not Running → its phase and reason
 * (Pending: the scheduler's message); a crashing workstation → the crash report; otherwise
 * null (nothing to add). A failure of this look itself is null too. */
export async function diagnoseAttach(
  app: App,
  target: Target,
  project: string,
  names: ProjectNames,
): Promise<{ crash: CrashReport } | { error: RgsdError } | { asleep: { since: string | null } } | null> {
  let best: ConnectPod | undefined;
  try {
    [best] = await connectPods(app, target, names.selector);
  } catch (err) {
    if (err instanceof RgsdError && !isInterrupt(err)) return null;
    throw err;
  }
  if (!best) {
    // no pod: asleep (0 replicas) is woken by the command; otherwise not deployed or starting
    const sleep = await getSleepState(app, target, names).catch((err: unknown) => {
      if (err instanceof RgsdError && !isInterrupt(err)) return null;
      throw err;
    });
    if (sleep?.replicas === 0) return { asleep: { since: sleep.since } };
    return { error: noPodError(project, target) };
  }
  if (best.terminating) {
    return {
      error: new RgsdError(`the pod ${best.name} of ${project} is going away (deleted or replaced)`, {
        hint: `run \`rgsd connect ${project}\` again once its replacement runs; \`rgsd status ${project}\` shows its pods`,
      }),
    };
  }
  if (!isRunning(best)) return { error: notRunningError(project, best) };
  const w = crashOf(best);
  return w ? { crash: await crashReport(app, target, project, best, w) } : null;
}
