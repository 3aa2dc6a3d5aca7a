// The local cluster (scripts/local-cluster) as the e2e suite sees it: its kubeconfig,
// kubectl against it, polling, and the diagnostics attached to a failing test.
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { inject } from 'vitest';

export const REPO_ROOT = resolve(import.meta.dirname, '..', '..', '..');
export const LOCAL_CLUSTER = join(REPO_ROOT, 'scripts', 'local-cluster');
/** rgsd's default namespace, which the suite uses like a user would. */
export const NAMESPACE = 'rgsd';

declare module 'vitest' {
  export interface ProvidedContext {
    kubeconfig: string;
  }
}

export function kubeconfig(): string {
  return inject('kubeconfig');
}

export interface K8sObject {
  kind?: string;
  metadata: {
    name: string;
    uid: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    deletionTimestamp?: string;
  };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
}

export interface PodObject extends K8sObject {
  spec: {
    containers: { name: string; image: string }[];
    initContainers?: { name: string; image: string }[];
    volumes?: { name: string; persistentVolumeClaim?: { claimName: string } }[];
  };
  status: {
    phase: string;
    containerStatuses?: { name: string; ready: boolean; restartCount: number; image: string; imageID: string; started?: boolean }[];
    initContainerStatuses?: { name: string; state: { terminated?: { exitCode: number; reason?: string } } }[];
  };
}

export interface CommandResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** kubectl (the pinned one from .tools/bin) against the local cluster; never throws. */
export async function kubectl(args: string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<CommandResult> {
  const res = await execa('kubectl', args, {
    env: { KUBECONFIG: kubeconfig() },
    reject: false,
    timeout: opts.timeoutMs ?? 60_000,
    ...(opts.input !== undefined ? { input: opts.input } : { stdin: 'ignore' }),
  });
  return { exitCode: res.exitCode ?? -1, stdout: String(res.stdout), stderr: String(res.stderr) };
}

/** kubectl that must succeed; returns stdout. */
export async function kubectlOk(args: string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<string> {
  const res = await kubectl(args, opts);
  if (res.exitCode !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${res.exitCode}: ${res.stderr.trim()}`);
  return res.stdout;
}

/** One object as JSON, or null when it does not exist. */
export async function getObject<T extends K8sObject = K8sObject>(
  kind: string,
  name: string,
  namespace: string | null = NAMESPACE,
): Promise<T | null> {
  const res = await kubectl([...(namespace ? ['-n', namespace] : []), 'get', kind, name, '-o', 'json']);
  if (res.exitCode !== 0) {
    if (/NotFound|not found/i.test(res.stderr)) return null;
    throw new Error(`kubectl get ${kind} ${name} exited ${res.exitCode}: ${res.stderr.trim()}`);
  }
  return JSON.parse(res.stdout) as T;
}

export async function listObjects<T extends K8sObject = K8sObject>(kind: string, selector: string, namespace = NAMESPACE): Promise<T[]> {
  const out = await kubectlOk(['-n', namespace, 'get', kind, '-l', selector, '-o', 'json']);
  return (JSON.parse(out) as { items: T[] }).items;
}

/** The project's pods that are not being deleted. */
export async function livePods(project: string, namespace = NAMESPACE): Promise<PodObject[]> {
  const pods = await listObjects<PodObject>('pods', `rgsd.dev/project=${project}`, namespace);
  return pods.filter((p) => !p.metadata.deletionTimestamp);
}

/** The one live, Ready pod of a project (fails if there is not exactly one). */
export async function readyPod(project: string, namespace = NAMESPACE): Promise<PodObject> {
  const pods = await livePods(project, namespace);
  if (pods.length !== 1)
    throw new Error(
      `expected 1 live pod of ${project}, found ${pods.length}: ${pods.map((p) => `${p.metadata.name}(${p.status.phase})`).join(', ')}`,
    );
  const pod = pods[0] as PodObject;
  const ready = pod.status.containerStatuses?.every((c) => c.ready) ?? false;
  if (pod.status.phase !== 'Running' || !ready) throw new Error(`pod ${pod.metadata.name} is ${pod.status.phase}, ready=${ready}`);
  return pod;
}

/** Runs a command in the workstation container as its user (gsd, uid 1000). */
export async function podExec(pod: string, script: string, namespace = NAMESPACE): Promise<CommandResult> {
  return kubectl(['-n', namespace, 'exec', pod, '-c', 'workstation', '--', 'sh', '-c', script]);
}

export async function waitFor<T>(
  what: string,
  fn: () => Promise<T | null | undefined | false>,
  timeoutMs = 120_000,
  intervalMs = 1_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Cluster state and the components' own logs, for a failing test. */
export async function collectDiagnostics(namespace = NAMESPACE): Promise<string> {
  const sections: [string, Promise<CommandResult>][] = [
    ['kubectl get all,pvc,secret (namespace)', kubectl(['-n', namespace, 'get', 'all,pvc,secret', '-o', 'wide'])],
    ['kubectl get pv,nodes', kubectl(['get', 'pv,nodes', '-o', 'wide'])],
    ['kubectl describe pods', kubectl(['-n', namespace, 'describe', 'pods'])],
    ['kubectl describe pvc', kubectl(['-n', namespace, 'describe', 'pvc'])],
    ['events (namespace)', kubectl(['-n', namespace, 'get', 'events', '--sort-by=.lastTimestamp'])],
    ['events (all namespaces, last 40)', kubectl(['get', 'events', '-A', '--sort-by=.lastTimestamp'])],
    ['local-cluster status', execa(LOCAL_CLUSTER, ['status'], { reject: false }).then(toResult)],
    [
      'local-cluster logs (kube-apiserver, kubelet, containerd, kube-controller-manager, kube-router, pv-recycler)',
      Promise.all(
        ['kube-apiserver', 'kubelet', 'containerd', 'kube-controller-manager', 'kube-router', 'pv-recycler'].map((c) =>
          execa(LOCAL_CLUSTER, ['logs', c, '60'], { reject: false }).then(toResult),
        ),
      ).then((rs) => ({ exitCode: 0, stdout: rs.map((r) => r.stdout).join('\n'), stderr: rs.map((r) => r.stderr).join('') })),
    ],
  ];
  const parts = await Promise.all(
    sections.map(async ([title, p]) => {
      const r = await p.catch((err: Error) => ({ exitCode: -1, stdout: '', stderr: err.message }));
      const body = title.startsWith('events (all') ? r.stdout.split('\n').slice(-40).join('\n') : r.stdout;
      return `===== ${title} =====\n${body}${r.stderr ? `\n[stderr] ${r.stderr}` : ''}`;
    }),
  );
  return parts.join('\n\n');
}

function toResult(res: { exitCode?: number | undefined; stdout: unknown; stderr: unknown }): CommandResult {
  return { exitCode: res.exitCode ?? -1, stdout: String(res.stdout), stderr: String(res.stderr) };
}

const ARTIFACTS = join(tmpdir(), 'rgsd-e2e-artifacts');

/** For afterEach: when the test failed, prints the cluster diagnostics (stderr, so they
 * appear with the failure) and keeps a copy under $TMPDIR/rgsd-e2e-artifacts. */
export async function diagnoseFailure(ctx: { task: { name: string; result?: { state?: string } } }, namespace = NAMESPACE): Promise<void> {
  if (ctx.task.result?.state !== 'fail') return;
  const text = await collectDiagnostics(namespace);
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = join(
    ARTIFACTS,
    `${new Date().toISOString().replace(/[:.]/g, '-')}-${ctx.task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)}.log`,
  );
  writeFileSync(file, text);
  process.stderr.write(
    `\n----- cluster diagnostics for failed test "${ctx.task.name}" (also in ${file}) -----\n${text}\n----- end of diagnostics -----\n`,
  );
}
