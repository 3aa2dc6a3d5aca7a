// The workload: the project's Deployment and its pod. One pod-choosing rule, the rollout
// wait and restart, execs into the workstation container (the sentinel removal; the status
// query is podstate.ts, the attach attach.ts) and its logs.
import { ForbiddenError, NotFoundError, TimeoutError } from '../core/errors.js';
import { CONTAINER, IN_POD, LABEL, goDuration } from '../core/vocab.js';
import type { ProjectNames } from '../core/names.js';
import { kubectl, type CallOptions, type Gateway, type Target } from './gateway.js';
import { getNamespace, type NamespaceState } from './namespace.js';

export interface K8sObject {
  kind?: string;
  metadata: {
    name: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    creationTimestamp?: string;
    deletionTimestamp?: string;
  };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
}

/** `items` of a `kubectl get … -o json` list. */
export function listItems<T = K8sObject>(json: string): T[] {
  return (JSON.parse(json.trim() || '{}') as { items?: T[] }).items ?? [];
}

export interface PodSummary {
  name: string;
  phase: string;
  ready: boolean;
  restarts: number;
  ageSeconds: number | null;
  node: string | null;
  /** Why it is not running/ready: a container waiting/terminated reason, or null. */
  reason: string | null;
  terminating: boolean;
  /** Scheduling problem (PodScheduled=False), e.g. "Unschedulable: 0/3 nodes are available…" */
  scheduling: string | null;
  /** The pod's rgsd.dev/project label. */
  project: string | null;
}

interface ContainerStatus {
  name: string;
  ready?: boolean;
  restartCount?: number;
  state?: { waiting?: { reason?: string }; terminated?: { reason?: string; exitCode?: number } };
}
interface PodStatus {
  phase?: string;
  startTime?: string;
  reason?: string;
  containerStatuses?: ContainerStatus[];
  initContainerStatuses?: ContainerStatus[];
  conditions?: { type: string; status: string; reason?: string; message?: string }[];
}

export function summarizePod(pod: K8sObject, now: Date): PodSummary {
  const status = (pod.status ?? {}) as PodStatus;
  const all = [...(status.initContainerStatuses ?? []), ...(status.containerStatuses ?? [])];
  const main = (status.containerStatuses ?? []).find((c) => c.name === CONTAINER.workstation);
  const readyCond = status.conditions?.find((c) => c.type === 'Ready');
  const sched = status.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False');
  const failing = (c: ContainerStatus): string | undefined =>
    c.state?.waiting?.reason ?? (c.state?.terminated && c.state.terminated.exitCode !== 0 ? c.state.terminated.reason : undefined);
  const started = status.startTime ?? pod.metadata.creationTimestamp;
  return {
    name: pod.metadata.name,
    phase: pod.metadata.deletionTimestamp ? 'Terminating' : (status.phase ?? 'Unknown'),
    ready: readyCond ? readyCond.status === 'True' : Boolean(main?.ready),
    restarts: all.reduce((n, c) => n + (c.restartCount ?? 0), 0),
    ageSeconds: started ? Math.max(0, Math.floor((now.getTime() - Date.parse(started)) / 1000)) : null,
    node: ((pod.spec ?? {}) as { nodeName?: string }).nodeName ?? null,
    reason: all.map(failing).find((r) => r) ?? status.reason ?? null,
    terminating: Boolean(pod.metadata.deletionTimestamp),
    scheduling: sched ? [sched.reason, sched.message].filter(Boolean).join(': ') || 'not scheduled' : null,
    project: pod.metadata.labels?.[LABEL.project] ?? null,
  };
}

/** The one pod-choosing rule: not terminating, then Running, then Ready, then the newest. */
export function byPreference(a: PodSummary, b: PodSummary): number {
  return (
    Number(a.terminating) - Number(b.terminating) ||
    Number(b.phase === 'Running') - Number(a.phase === 'Running') ||
    Number(b.ready) - Number(a.ready) ||
    (a.ageSeconds ?? 0) - (b.ageSeconds ?? 0)
  );
}

/** Pods sorted by the rule, best first. */
export function rankPods(pods: PodSummary[]): PodSummary[] {
  return [...pods].sort(byPreference);
}

/** The pod to talk to, or null. */
export function choosePod(pods: K8sObject[], now: Date): PodSummary | null {
  return rankPods(pods.map((p) => summarizePod(p, now)))[0] ?? null;
}

export function isRunning(p: PodSummary): boolean {
  return p.phase === 'Running' && !p.terminating;
}

/** The pods matching a label selector, summarised and ranked. */
export async function getPods(gw: Gateway, t: Target, selector: string, now: Date): Promise<PodSummary[]> {
  const { stdout } = await kubectl(gw, t, ['get', 'pods', '-l', selector, '-o', 'json']);
  return rankPods(listItems(stdout).map((p) => summarizePod(p, now)));
}

// ---- rollout ----------------------------------------------------------------------------

export function rolloutStatusArgs(deployment: string, timeoutMs: number): string[] {
  return ['rollout', 'status', `deployment/${deployment}`, `--timeout=${goDuration(timeoutMs)}`];
}

/** `kubectl rollout status --timeout`; running out of time is a TimeoutError with a hint. */
export async function waitRollout(gw: Gateway, t: Target, names: ProjectNames, timeoutMs: number): Promise<void> {
  try {
    await kubectl(gw, t, rolloutStatusArgs(names.deployment, timeoutMs), { timeoutMs: timeoutMs + 30_000 });
  } catch (err) {
    if (!(err instanceof TimeoutError)) throw err;
    throw new TimeoutError(`the workstation was not ready within ${goDuration(timeoutMs)}`, {
      hint: `see why with \`rgsd status ${names.release}\` and \`rgsd logs ${names.release} --init\`; re-run with a longer --timeout`,
      cause: err,
    });
  }
}

/** A NotFoundError about the Deployment itself becomes "not deployed". */
export function notDeployed(err: unknown, names: ProjectNames, t: Target): unknown {
  if (!(err instanceof NotFoundError) || !/^deployments?(\.apps)?$/.test(err.resource ?? '')) return err;
  return new NotFoundError(`${names.release} is not deployed in namespace ${t.namespace} (context ${t.context})`, {
    hint: `start it with \`rgsd up ${names.release}\``,
    resource: err.resource,
    cause: err,
  });
}

/** `kubectl rollout restart deployment/<fullname>`. */
export async function rolloutRestart(gw: Gateway, t: Target, names: ProjectNames): Promise<void> {
  try {
    await kubectl(gw, t, ['rollout', 'restart', `deployment/${names.deployment}`], { mutates: true, timeoutMs: 60_000 });
  } catch (err) {
    throw notDeployed(err, names, t);
  }
}

// ---- exec -------------------------------------------------------------------------------

/** Arguments of `kubectl exec [-it] <pod or deployment/x> -c workstation -- <command…>`. */
export function execArgs(podOrRef: string, command: readonly string[], opts: { tty?: boolean } = {}): string[] {
  return ['exec', ...(opts.tty ? ['-it'] : []), podOrRef, '-c', CONTAINER.workstation, '--', ...command];
}

/** Run a command in the workstation container. */
export function execInPod(gw: Gateway, t: Target, podOrRef: string, command: readonly string[], opts: CallOptions = {}) {
  return kubectl(gw, t, execArgs(podOrRef, command, { tty: Boolean(opts.interactive) }), opts);
}

/** Deletes `$RGSD_HOME/.home-initialized` in the running container (init-home re-seeds on the next boot). */
export async function removeSentinel(gw: Gateway, t: Target, names: ProjectNames): Promise<void> {
  const script = `rm -f -- "\${RGSD_HOME:-${IN_POD.home}}/${IN_POD.sentinel}"`;
  try {
    await execInPod(gw, t, `deployment/${names.deployment}`, ['sh', '-c', script], { mutates: true, timeoutMs: 60_000 });
  } catch (err) {
    throw notDeployed(err, names, t);
  }
}

// The attach (`rgsd connect`'s one call to /opt/rgsd/attach) lives in attach.ts.

// ---- logs -------------------------------------------------------------------------------

export interface LogsOptions {
  follow?: boolean;
  tail?: number;
  previous?: boolean;
  init?: boolean;
}

export function logsArgs(names: ProjectNames, opts: LogsOptions): string[] {
  const args = ['logs', `deployment/${names.deployment}`, '-c', opts.init ? CONTAINER.initHome : CONTAINER.workstation];
  if (opts.follow) args.push('-f');
  if (opts.tail !== undefined) args.push(`--tail=${opts.tail}`);
  if (opts.previous) args.push('--previous');
  return args;
}

/** `kubectl logs` streamed to the terminal; resolves with kubectl's exit code. */
export async function streamLogs(gw: Gateway, t: Target, names: ProjectNames, opts: LogsOptions): Promise<number> {
  return (await kubectl(gw, t, logsArgs(names, opts), { interactive: true, allowFailure: true })).exitCode;
}

// ---- scale ------------------------------------------------------------------------------

/** `kubectl scale deployment/<fullname> --replicas=N` (restore stops the workstation with it,
 * `up`, `connect` and `rgsd sleep` wake or put it to sleep; the chart sets no count). */
export async function scaleDeployment(gw: Gateway, t: Target, names: ProjectNames, replicas: number): Promise<void> {
  try {
    await kubectl(gw, t, ['scale', `deployment/${names.deployment}`, `--replicas=${replicas}`], { mutates: true, timeoutMs: 60_000 });
  } catch (err) {
    throw notDeployed(err, names, t);
  }
}

/** What `up` needs of the Deployment: its `spec.replicas` (0: asleep — idle sleep, `rgsd
 * sleep`, an interrupted restore) and whether its rollout is complete with every replica ready
 * (what `kubectl rollout status` waits for), so an up that changes nothing need not wait. */
export interface DeploymentState {
  replicas: number;
  rolledOut: boolean;
}

/** A Deployment's rollout is complete the way `kubectl rollout status` judges it: the
 * controller saw the latest spec, every replica is updated, ready and available, and no
 * old one is left. 0 replicas is not rolled out here: nothing runs. */
export function rolledOut(deploy: K8sObject): boolean {
  const spec = (deploy.spec ?? {}) as { replicas?: number };
  const st = (deploy.status ?? {}) as {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
  };
  const want = spec.replicas ?? 1;
  const generation = (deploy.metadata as { generation?: number }).generation ?? 0;
  return (
    want > 0 &&
    (st.observedGeneration ?? 0) >= generation &&
    st.updatedReplicas === want &&
    st.readyReplicas === want &&
    st.availableReplicas === want &&
    (st.replicas ?? 0) === want
  );
}

function deploymentState(deploy: K8sObject): DeploymentState {
  return { replicas: Number((deploy.spec as { replicas?: number } | undefined)?.replicas ?? 1), rolledOut: rolledOut(deploy) };
}

export function workloadArgs(names: ProjectNames, withSecret: boolean): string[] {
  return ['get', `deployment/${names.deployment}`, ...(withSecret ? [`secret/${names.secret}`] : []), '--ignore-not-found', '-o', 'json'];
}

/** The Deployment's state and the project's Secret as it is in the cluster (what `up`
 * compares with the one it would apply), in one call; either is null when missing. The
 * Secret is `undefined` when it may not be read (credentials that may apply Secrets but not
 * get them): then the Deployment is read alone. */
export async function getWorkload(
  gw: Gateway,
  t: Target,
  names: ProjectNames,
): Promise<{ deployment: DeploymentState | null; secret: K8sObject | null | undefined }> {
  try {
    const { stdout } = await kubectl(gw, t, workloadArgs(names, true));
    const items = stdout.trim() ? listItems(stdout) : [];
    const deploy = items.find((o) => o.kind === 'Deployment');
    return { deployment: deploy ? deploymentState(deploy) : null, secret: items.find((o) => o.kind === 'Secret') ?? null };
  } catch (err) {
    if (!(err instanceof ForbiddenError)) throw err;
    const { stdout } = await kubectl(gw, t, workloadArgs(names, false));
    return { deployment: stdout.trim() ? deploymentState(JSON.parse(stdout) as K8sObject) : null, secret: undefined };
  }
}

/** What `up` reads of the cluster in one call: the namespace (also the reachability check),
 * the Deployment and the Secret. */
export interface ProjectState extends Awaited<ReturnType<typeof getWorkload>> {
  namespace: NamespaceState;
}

export function projectStateArgs(t: Target, names: ProjectNames): string[] {
  return ['get', `namespace/${t.namespace}`, ...workloadArgs(names, true).slice(1)];
}

/** The namespace, the Deployment and the Secret in one `kubectl get`. Credentials that may
 * not read one of them (Namespaces and Secrets are the usual ones) fall back to a call each,
 * which know what to assume (`getNamespace`, `getWorkload`). */
export async function getProjectState(gw: Gateway, t: Target, names: ProjectNames): Promise<ProjectState> {
  let stdout: string;
  try {
    stdout = (await kubectl(gw, t, projectStateArgs(t, names))).stdout;
  } catch (err) {
    if (!(err instanceof ForbiddenError)) throw err;
    const [namespace, workload] = await Promise.all([getNamespace(gw, t), getWorkload(gw, t, names)]);
    return { namespace, ...workload };
  }
  const items = stdout.trim() ? listItems(stdout) : [];
  const ns = items.find((o) => o.kind === 'Namespace') as (K8sObject & { status?: { phase?: string } }) | undefined;
  const deploy = items.find((o) => o.kind === 'Deployment');
  return {
    namespace: ns
      ? { exists: true, labels: ns.metadata.labels ?? {}, ...(ns.status?.phase === 'Terminating' ? { terminating: true } : {}) }
      : { exists: false, labels: {} },
    deployment: deploy ? deploymentState(deploy) : null,
    secret: items.find((o) => o.kind === 'Secret') ?? null,
  };
}

/** The annotation `rgsd sleep` puts on the Deployment when it scales it to 0. */
export const ASLEEP_ANNOTATION = 'rgsd.dev/asleep-since';

/** When a Deployment at 0 replicas went to sleep: the later of the watcher's record and `rgsd sleep`'s. */
export function asleepSince(deploy: K8sObject | undefined, idleConfigMap: K8sObject | undefined): string | null {
  const times = [
    deploy?.metadata.annotations?.[ASLEEP_ANNOTATION],
    (idleConfigMap as { data?: Record<string, string> } | undefined)?.data?.asleepSince,
  ].filter((x): x is string => typeof x === 'string' && !Number.isNaN(Date.parse(x)));
  return times.sort((a, b) => Date.parse(b) - Date.parse(a))[0] ?? null;
}

/** Asleep (0 replicas) and since when, in one call (the Deployment and the -idle ConfigMap);
 * null when there is no Deployment. */
export async function getSleepState(
  gw: Gateway,
  t: Target,
  names: ProjectNames,
): Promise<{ replicas: number; since: string | null } | null> {
  const { stdout } = await kubectl(gw, t, [
    'get',
    `deployment/${names.deployment}`,
    `configmap/${names.fullname}-idle`,
    '--ignore-not-found',
    '-o',
    'json',
  ]);
  const items = stdout.trim() ? listItems(stdout) : [];
  const deploy = items.find((o) => o.kind === 'Deployment');
  if (!deploy) return null;
  const replicas = Number((deploy.spec as { replicas?: number } | undefined)?.replicas ?? 1);
  return {
    replicas,
    since:
      replicas === 0
        ? asleepSince(
            deploy,
            items.find((o) => o.kind === 'ConfigMap'),
          )
        : null,
  };
}

/** Waits until no pod matches `selector` (`kubectl wait --for=delete`; none at all is done). */
export async function waitPodsGone(gw: Gateway, t: Target, selector: string, timeoutMs: number): Promise<void> {
  const res = await kubectl(gw, t, ['wait', '--for=delete', 'pod', '-l', selector, `--timeout=${goDuration(timeoutMs)}`], {
    allowFailure: true,
    timeoutMs: timeoutMs + 30_000,
  });
  if (res.exitCode === 0 || /no matching resources found/i.test(res.stderr)) return;
  throw new TimeoutError(`the workstation pod did not stop within ${goDuration(timeoutMs)}`, {
    hint: `see it with \`kubectl get pods -n ${t.namespace} -l ${selector}\`; re-run with a longer --timeout`,
  });
}
