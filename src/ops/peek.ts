// `rgsd peek`: what the agents are doing, without attaching. One project: one cluster call
// (`kubectl exec deployment/<fullname> … /opt/rgsd/status --json`); only when it fails, one
// more look at the pods says why. Every project of the namespace: one pod list, then one exec
// per running pod, concurrently. Returns the `peek --json` document.
import type { Target } from '../cluster/gateway.js';
import { queryInPodStatus, type InPodStatus } from '../cluster/podstate.js';
import { getPods, getSleepState, isRunning, notDeployed, type PodSummary } from '../cluster/workload.js';
import type { App } from '../core/app.js';
import { NotFoundError, RgsdError, isInterrupt } from '../core/errors.js';
import type { ProjectNames } from '../core/names.js';
import { ALL_PROJECTS_SELECTOR } from '../core/vocab.js';

/** `rgsd peek --json` document. */
export interface PeekDocument {
  schemaVersion: 1;
  context: string;
  namespace: string;
  projects: PeekProject[];
}

export interface PeekProject {
  project: string;
  /** the pod that answered (null when the query went through the Deployment or no pod runs) */
  pod: string | null;
  /** `ok`: the status below came from the pod; otherwise why there is none */
  state: 'ok' | 'not-running' | 'asleep' | 'not-deployed' | 'error';
  /** with a state other than ok: the pod's phase and reason, or the error */
  error: string | null;
  status: InPodStatus | null;
}

export interface PeekOptions {
  /** visible lines per pane to fetch */
  lines: number;
}

function failed(project: string, state: PeekProject['state'], error: string, pod: string | null = null): PeekProject {
  return { project, pod, state, error, status: null };
}

function podProblem(p: PodSummary): string {
  const why = [p.reason, p.scheduling && p.scheduling !== p.reason ? p.scheduling : null].filter(Boolean).join('; ');
  return `pod ${p.name} is ${p.phase}${p.ready ? '' : ', not ready'}${why ? ` (${why})` : ''}`;
}

/** One project: the status through the Deployment; on failure, why. */
export async function peekProject(
  app: App,
  target: Target,
  project: string,
  names: ProjectNames,
  opts: PeekOptions,
): Promise<PeekDocument> {
  let entry: PeekProject;
  try {
    const status = await queryInPodStatus(app, target, `deployment/${names.deployment}`, { lines: opts.lines });
    entry = { project, pod: null, state: 'ok', error: null, status };
  } catch (err) {
    if (!(err instanceof RgsdError) || isInterrupt(err)) throw err;
    const explained = notDeployed(err, names, target);
    if (explained !== err) throw explained;
    entry = await explainFailure(app, target, project, names, err);
  }
  return { schemaVersion: 1, context: target.context, namespace: target.namespace, projects: [entry] };
}

/** The exec failed: the pods say why (none, not running, crashing), else the error itself. */
async function explainFailure(app: App, target: Target, project: string, names: ProjectNames, err: RgsdError): Promise<PeekProject> {
  let pods: PodSummary[];
  try {
    pods = await getPods(app, target, names.selector, app.now());
  } catch (again) {
    if (!(again instanceof RgsdError) || isInterrupt(again)) throw again;
    return failed(project, 'error', err.message);
  }
  const [best] = pods;
  if (!best) {
    const sleep = await getSleepState(app, target, names).catch(() => null);
    if (sleep?.replicas === 0) {
      const since = sleep.since ? ` since ${sleep.since}` : '';
      return failed(project, 'asleep', `asleep${since} (0 replicas): \`rgsd up ${project}\` or \`rgsd connect ${project}\` wakes it`);
    }
    return failed(project, 'not-running', 'no workstation pod (scaled down, or not created yet)');
  }
  if (!isRunning(best) || !best.ready) return failed(project, 'not-running', podProblem(best), best.name);
  return failed(project, 'error', err.message, best.name);
}

/** Every rgsd project of the namespace: one pod list, then one exec per running pod. */
export async function peekAll(app: App, target: Target, opts: PeekOptions): Promise<PeekDocument> {
  const pods = await getPods(app, target, ALL_PROJECTS_SELECTOR, app.now());
  const best = new Map<string, PodSummary>();
  // ranked best first: the first pod of a project is the one to ask
  for (const p of pods) if (p.project && !best.has(p.project)) best.set(p.project, p);
  const projects = await Promise.all(
    [...best.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(async ([project, pod]): Promise<PeekProject> => {
        if (!isRunning(pod) || !pod.ready) return failed(project, 'not-running', podProblem(pod), pod.name);
        try {
          const status = await queryInPodStatus(app, target, pod.name, { lines: opts.lines });
          return { project, pod: pod.name, state: 'ok', error: null, status };
        } catch (err) {
          if (!(err instanceof RgsdError) || isInterrupt(err)) throw err;
          return failed(project, 'error', err.message.split('\n')[0] ?? 'failed', pod.name);
        }
      }),
  );
  return { schemaVersion: 1, context: target.context, namespace: target.namespace, projects };
}

/** A project that did not answer, as an error for scripts that asked for one project. */
export function peekFailure(p: PeekProject): RgsdError {
  if (p.state === 'not-running') {
    return new NotFoundError(`${p.project}: ${p.error}`, {
      hint: `\`rgsd status ${p.project}\` shows the pod; \`rgsd up ${p.project}\` starts or repairs it`,
    });
  }
  return new RgsdError(`could not read the state of ${p.project}: ${p.error}`, {
    hint: `\`rgsd status ${p.project}\` shows the pod; \`rgsd logs ${p.project}\` its log`,
  });
}
