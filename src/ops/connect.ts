// `rgsd connect`: find the project's running pod (cluster call 1: one `kubectl get pods`),
// list its tmux sessions (cluster call 2: one in-pod `/opt/rgsd/status --json`), then
// `kubectl exec -it … tmux attach` with the terminal passed straight through. These ops
// return what they found; the command asks (project and session pickers) and prints.
import type { Target } from '../cluster/gateway.js';
import { pinnedContextError } from '../cluster/target.js';
import { attach, attachCommand, getPods, isRunning, queryInPodStatus, type PodSummary, type SessionInfo } from '../cluster/workload.js';
import type { App } from '../core/app.js';
import { loadProject, type ProjectConfig } from '../core/config.js';
import { NotFoundError, RgsdError } from '../core/errors.js';
import type { ProjectNames } from '../core/names.js';
import { ALL_PROJECTS_SELECTOR, DEFAULT_SESSION, SESSION_NAME_RE } from '../core/vocab.js';

/** `rgsd connect --list --json` document. */
export interface SessionListDocument {
  schemaVersion: 1;
  project: string;
  context: string;
  namespace: string;
  pod: string;
  sessions: SessionInfo[];
}

/** A pod that cannot be attached to: its phase, the reason and the hint `rgsd up`. */
export function notRunningError(project: string, p: PodSummary): RgsdError {
  const why = [p.reason, p.scheduling && p.scheduling !== p.reason ? p.scheduling : null].filter(Boolean).join('; ');
  return new RgsdError(`the workstation pod of ${project} is ${p.phase}${why ? ` (${why})` : ''}: ${p.name}`, {
    hint: `run \`rgsd up ${project}\` to (re)deploy it; \`rgsd status ${project}\` and \`rgsd logs ${project} --init\` show more`,
  });
}

/** Cluster call 1 for a named project: its best pod (the one pod-choosing rule), which must be running. */
export async function locateProjectPod(app: App, target: Target, project: string, names: ProjectNames): Promise<PodSummary> {
  const [pod] = await getPods(app, target, names.selector, app.now());
  if (!pod) {
    throw new NotFoundError(`${project} has no workstation pod in namespace ${target.namespace} (context ${target.context})`, {
      hint: `start it with \`rgsd up ${project}\``,
    });
  }
  if (!isRunning(pod)) throw notRunningError(project, pod);
  return pod;
}

/** Cluster call 1 without a project: the best pod of each project running in the namespace,
 * sorted by project name (the picker's choices). `configured` only words the errors. */
export async function runningWorkstations(app: App, target: Target, configured: readonly string[]): Promise<PodSummary[]> {
  const byProject = new Map<string, PodSummary>();
  // getPods ranks them: the first pod of a project is the one to talk to
  for (const p of await getPods(app, target, ALL_PROJECTS_SELECTOR, app.now())) {
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

/** What to attach to, given the sessions found. */
export type SessionPlan =
  /** the named session (it exists) */
  | { kind: 'named'; session: string }
  /** choose one (the configured session first); a single one needs no question */
  | { kind: 'choose'; sessions: SessionInfo[] }
  /** no session runs: a login shell */
  | { kind: 'shell' };

export function planSession(
  project: string,
  sessions: readonly SessionInfo[],
  named: string | undefined,
  preferred = DEFAULT_SESSION,
): SessionPlan {
  if (named !== undefined) {
    if (!sessions.some((s) => s.name === named)) {
      throw new NotFoundError(`no tmux session "${named}" in ${project} (sessions: ${sessions.map((s) => s.name).join(', ') || 'none'})`, {
        hint: `create it with \`rgsd connect ${project} --new ${SESSION_NAME_RE.test(named) ? named : '<name>'}\``,
      });
    }
    return { kind: 'named', session: named };
  }
  if (sessions.length === 0) return { kind: 'shell' };
  return { kind: 'choose', sessions: [...sessions].sort((a, b) => Number(b.name === preferred) - Number(a.name === preferred)) };
}

export interface AttachHow {
  session?: string | undefined;
  newSession?: string | undefined;
  iterm?: boolean;
}

/** The attach itself (stdio inherited); resolves with kubectl's exit status. */
export function attachTo(app: App, target: Target, pod: string, how: AttachHow): Promise<number> {
  return attach(app, target, pod, attachCommand(how));
}
