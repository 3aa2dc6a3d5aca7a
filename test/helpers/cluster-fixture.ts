// Canned helm/kubectl answers for unit tests of cluster commands (project "demo",
// context "ctx", namespace "rgsd"). Every argv here is exact: a command that builds a
// different argv hits FakeRunner's "unexpected call" failure. The target always comes
// first (src/cluster/gateway.ts): `kubectl --context C -n NS …`, `helm --kube-context C -n NS …`.
import { join } from 'node:path';
import { POD_CHECK_SCRIPT } from '../../src/cluster/podchecks.js';
import { FakeRunner, type FakeResponse } from './fake-runner.js';
import { REPO_ROOT } from './test-app.js';

export const CHART = join(REPO_ROOT, 'chart', 'rgsd');
export const K = ['--context', 'ctx', '-n', 'rgsd'];
export const H = ['--kube-context', 'ctx', '-n', 'rgsd'];

/** What every `helm list` of rgsd asks for (every state, RFC 3339 times). */
const LIST_FLAGS = ['-o', 'json', '--deployed', '--failed', '--pending', '--uninstalling', '--time-format', '2006-01-02T15:04:05Z07:00'];

/** `kubectl … exec deployment/demo-rgsd -c workstation --pod-running-timeout=<wait> -- <command…>` */
function inPod(wait: string, ...command: string[]): string[] {
  return ['kubectl', ...K, 'exec', 'deployment/demo-rgsd', '-c', 'workstation', `--pod-running-timeout=${wait}`, '--', ...command];
}

function podChecksArgv(wait: string, checks: string[]): string[] {
  return inPod(wait, 'sh', '-c', POD_CHECK_SCRIPT, 'rgsd-checks', ...checks);
}

export const argv = {
  helmVersion: ['helm', 'version', '--template', '{{.Version}}'],
  currentContext: ['kubectl', 'config', 'current-context'],
  getNamespace: ['kubectl', '--context', 'ctx', 'get', 'namespace', 'rgsd', '-o', 'json'],
  createNamespace: ['kubectl', '--context', 'ctx', 'create', '-f', '-'],
  helmList: (project?: string) => ['helm', ...H, 'list', ...LIST_FLAGS, ...(project ? ['--filter', `^${project}$`] : [])],
  /** the same list in every namespace (up's check for a copy elsewhere) */
  helmListAll: (project = 'demo') => ['helm', '--kube-context', 'ctx', 'list', '-A', ...LIST_FLAGS, '--filter', `^${project}$`],
  /** up renders the chart (local) before it changes anything */
  template: ['helm', 'template', 'demo', CHART, '-n', 'rgsd', '-f', '-'],
  /** the API server's addresses (when rbac.mode is not none) */
  apiServer: [
    'kubectl',
    '--context',
    'ctx',
    '-n',
    'default',
    'get',
    'endpointslices',
    '-l',
    'kubernetes.io/service-name=kubernetes',
    '-o',
    'json',
  ],
  getValues: ['helm', ...H, 'get', 'values', 'demo', '-o', 'json'],
  /** up reads the release's record (status, values, manifest) in one call */
  helmStatus: ['helm', ...H, 'status', 'demo', '-o', 'json'],
  /** up reads the namespace, the Deployment (replicas, rollout) and the Secret in one call */
  workload: [
    'kubectl',
    ...K,
    'get',
    'namespace/rgsd',
    'deployment/demo-rgsd',
    'secret/demo-rgsd-secrets',
    '--ignore-not-found',
    '-o',
    'json',
  ],
  /** …or, when that is refused, the namespace (getNamespace) and these */
  workloadAlone: ['kubectl', ...K, 'get', 'deployment/demo-rgsd', 'secret/demo-rgsd-secrets', '--ignore-not-found', '-o', 'json'],
  workloadNoSecret: ['kubectl', ...K, 'get', 'deployment/demo-rgsd', '--ignore-not-found', '-o', 'json'],
  applySecret: ['kubectl', ...K, 'apply', '--server-side', '--field-manager=rgsd', '--force-conflicts', '-f', '-'],
  upgrade: ['helm', ...H, 'upgrade', '--install', 'demo', CHART, '-f', '-'],
  uninstall: ['helm', ...H, 'uninstall', 'demo', '--wait'],
  rollback: ['helm', ...H, 'rollback', 'demo'],
  rollout: ['kubectl', ...K, 'rollout', 'status', 'deployment/demo-rgsd', '--timeout=300s'],
  /** up reads the replica count of an existing release (0: asleep, it wakes it) */
  getReplicas: ['kubectl', ...K, 'get', 'deployment/demo-rgsd', '-o', 'jsonpath={.spec.replicas}'],
  scaleUp: ['kubectl', ...K, 'scale', 'deployment/demo-rgsd', '--replicas=1'],
  /** a deployment/… reference waits at most 10s for a running pod */
  execStatus: (pod = 'deployment/demo-rgsd', ...more: string[]) => [
    'kubectl',
    ...K,
    'exec',
    pod,
    '-c',
    'workstation',
    ...(pod.startsWith('deployment/') ? ['--pod-running-timeout=10s'] : []),
    '--',
    '/opt/rgsd/status',
    '--json',
    ...more,
  ],
  /** the plan of up asks the pod early, waiting only a second for a running one */
  execStatusEarly: inPod('1s', '/opt/rgsd/status', '--json', '--brief'),
  /** up's in-pod checks after the rollout (models.json, the pod's kubectl): one exec */
  podChecks: (...checks: string[]) => podChecksArgv('10s', checks),
  podChecksEarly: (...checks: string[]) => podChecksArgv('1s', checks),
  /** `rgsd doctor <project>`: the workstation's agents and Codex's sandbox */
  taskCheck: inPod('10s', '/opt/rgsd/task', 'check', '--json'),
  deleteSecret: ['kubectl', ...K, 'delete', 'secret', 'demo-rgsd-secrets', '--ignore-not-found', '-o', 'name'],
  getPvc: ['kubectl', ...K, 'get', 'pvc', 'demo-rgsd-home', '-o', 'json'],
  getObjects: (selector = 'rgsd.dev/project=demo') => [
    'kubectl',
    ...K,
    'get',
    'deployment,pod,pvc,configmap',
    '-l',
    selector,
    '-o',
    'json',
  ],
  getSecrets: (selector = 'rgsd.dev/project=demo') => ['kubectl', ...K, 'get', 'secret', '-l', selector, '-o', 'name'],
};

/** `task check --json` of a workstation with every agent, whose Codex sandbox works (or not: `sandbox` false). */
export function taskCheckDoc(sandbox = true): string {
  const detail = sandbox
    ? 'runs commands'
    : 'bwrap: No permissions to create a new namespace, likely because the kernel does not allow non-privileged user namespaces.';
  return JSON.stringify({
    agents: { claude: true, codex: true, gsd: true },
    codexSandbox: ['read-only', 'workspace-write'].map((mode) => ({ mode, ok: sandbox, detail })),
  });
}

export const IN_POD_STATUS = JSON.stringify({
  sessions: [{ name: 'main', windows: 2, attached: 0, created: '2026-11-22T10:00:05Z' }],
  tunnel: { state: 'stopped', name: null, url: null },
});

export const NOT_FOUND_NS: FakeResponse = { exitCode: 1, stderr: 'Error from server (NotFound): namespaces "rgsd" not found\n' };
export const UNREACHABLE: FakeResponse = {
  exitCode: 1,
  stderr:
    "E1123 memcache.go:265] couldn't get current server API group list\nThe connection to the server 127.0.0.1:6443 was refused - did you specify the right host or port?\nUnable to connect to the server: dial tcp 127.0.0.1:6443: connect: connection refused\n",
};

export function release(status: string, opts: { revision?: number; updated?: string; name?: string } = {}): Record<string, unknown> {
  return {
    name: opts.name ?? 'demo',
    namespace: 'rgsd',
    revision: String(opts.revision ?? 1),
    updated: opts.updated ?? '2026-11-22T10:00:00Z',
    status,
    chart: 'rgsd-0.1.0',
    app_version: '0.1.0',
  };
}

/** What the fixture's `helm template` renders (and, by default, what a release stored). */
export const RENDERED = '---\nkind: Deployment\nmetadata:\n  name: demo-rgsd\n';

export interface UpRunnerOptions {
  /** what `helm list` shows (the first one in namespace rgsd is what `helm status` shows) */
  releases?: unknown[];
  /** the values the release holds */
  prevValues?: unknown;
  /** the manifest the release holds (default: what the template renders now) */
  manifest?: string;
  nsExists?: boolean;
  helmVersion?: string;
  /** the Deployment's replicas (default 1; no Deployment without a release) */
  replicas?: number;
  /** its rollout complete and its pod ready (default true) */
  rolledOut?: boolean;
  /** the Secret in the cluster: the one up would apply (its data), or none (default) */
  liveSecret?: { data: Record<string, string>; labels: Record<string, string> };
}

/** `helm status -o json` of a release as `release()` describes it. */
export function helmStatusDoc(r: Record<string, unknown>, values: unknown, manifest: string): string {
  return JSON.stringify({
    name: r.name,
    namespace: r.namespace,
    version: Number(r.revision),
    info: { status: r.status, last_deployed: r.updated },
    config: values,
    manifest: `${manifest}\n`,
  });
}

/** `kubectl get deployment/… secret/… -o json`, as the cluster would answer it. */
export function workloadDoc(o: {
  deployment: boolean;
  replicas?: number;
  rolledOut?: boolean;
  secret?: UpRunnerOptions['liveSecret'];
  /** the Namespace object: there (default), absent, or being deleted */
  namespace?: 'exists' | 'missing' | 'terminating';
}): string {
  const items: unknown[] = [];
  if (o.namespace !== 'missing') {
    items.push({
      kind: 'Namespace',
      metadata: { name: 'rgsd', labels: {} },
      status: { phase: o.namespace === 'terminating' ? 'Terminating' : 'Active' },
    });
  }
  if (o.deployment) {
    const n = o.replicas ?? 1;
    const done = o.rolledOut ?? true;
    items.push({
      kind: 'Deployment',
      metadata: { name: 'demo-rgsd', generation: 2 },
      spec: { replicas: n },
      status: done
        ? { observedGeneration: 2, replicas: n, updatedReplicas: n, readyReplicas: n, availableReplicas: n }
        : { observedGeneration: 2, replicas: n, updatedReplicas: n, readyReplicas: 0, availableReplicas: 0 },
    });
  }
  if (o.secret)
    items.push({ kind: 'Secret', metadata: { name: 'demo-rgsd-secrets', labels: o.secret.labels }, type: 'Opaque', data: o.secret.data });
  return JSON.stringify({ apiVersion: 'v1', kind: 'List', items });
}

const RELEASE_NOT_FOUND: FakeResponse = { exitCode: 1, stderr: 'Error: release: not found\n' };
const NO_DEPLOYMENT: FakeResponse = { exitCode: 1, stderr: 'Error from server (NotFound): deployments.apps "demo-rgsd" not found\n' };

/** A runner that answers a complete `rgsd up demo` run. */
export function upRunner(o: UpRunnerOptions = {}): FakeRunner {
  const here = (o.releases ?? []).find((r) => (r as { namespace?: string }).namespace === 'rgsd') as Record<string, unknown> | undefined;
  return new FakeRunner()
    .on(argv.helmStatus, here ? { stdout: helmStatusDoc(here, o.prevValues ?? {}, o.manifest ?? RENDERED) } : RELEASE_NOT_FOUND)
    .on(argv.workload, {
      stdout: workloadDoc({
        deployment: Boolean(here),
        replicas: o.replicas,
        rolledOut: o.rolledOut,
        secret: o.liveSecret,
        namespace: o.nsExists === false ? 'missing' : 'exists',
      }),
    })
    .on(argv.execStatusEarly, here && o.replicas !== 0 ? { stdout: IN_POD_STATUS } : NO_DEPLOYMENT)
    .on(argv.podChecksEarly('models'), { stdout: 'models ok\n' })
    .on(argv.podChecksEarly('kubectl'), { stdout: 'kubectl ok yes\n' })
    .on(argv.podChecksEarly('models', 'kubectl'), { stdout: 'models ok\nkubectl ok yes\n' })
    .on(argv.helmVersion, { stdout: o.helmVersion ?? 'v4.1.4' })
    .on(argv.currentContext, { stdout: 'ctx\n' })
    .on(argv.getNamespace, o.nsExists === false ? NOT_FOUND_NS : { stdout: '{"metadata":{"name":"rgsd","labels":{}}}' })
    .on(argv.createNamespace, { stdout: 'namespace/rgsd created\n' })
    .on(argv.helmList('demo'), { stdout: JSON.stringify(o.releases ?? []) })
    .on(argv.helmListAll('demo'), { stdout: JSON.stringify(o.releases ?? []) })
    .on(argv.template, { stdout: RENDERED })
    .on(argv.getValues, { stdout: JSON.stringify(o.prevValues ?? {}) })
    .on(argv.uninstall, { stdout: 'release "demo" uninstalled\n' })
    .on(argv.rollback, { stdout: 'Rollback was a success!\n' })
    .on(argv.applySecret, { stdout: 'secret/demo-rgsd-secrets serverside-applied\n' })
    .on(argv.upgrade, { stdout: 'Release "demo" has been upgraded.\n' })
    .on(argv.rollout, { stdout: 'deployment "demo-rgsd" successfully rolled out\n' })
    .on(argv.getReplicas, { stdout: '1' })
    .on(argv.scaleUp, { stdout: 'deployment.apps/demo-rgsd scaled\n' })
    .on(argv.execStatus(), { stdout: IN_POD_STATUS })
    .on(argv.podChecks('models'), { stdout: 'models ok\n' })
    .on(argv.podChecks('kubectl'), { stdout: 'kubectl ok yes\n' })
    .on(argv.podChecks('models', 'kubectl'), { stdout: 'models ok\nkubectl ok yes\n' })
    .on(GUARD_STATUS, { stdout: IN_POD_STATUS_IDLE });
}

/** `kubectl get pods` of project demo whose workstation container is in CrashLoopBackOff
 * (restarted 4 times, last exit Error 1): what connect diagnoses instead of attaching. */
export const CRASH_LOOP_PODS = JSON.stringify({
  items: [
    {
      metadata: { name: 'demo-rgsd-7f9c', labels: { 'rgsd.dev/project': 'demo' }, creationTimestamp: '2026-11-23T00:00:00Z' },
      status: {
        phase: 'Running',
        conditions: [{ type: 'Ready', status: 'False' }],
        containerStatuses: [
          {
            name: 'workstation',
            ready: false,
            restartCount: 4,
            state: { waiting: { reason: 'CrashLoopBackOff' } },
            lastState: { terminated: { reason: 'Error', exitCode: 1, containerID: 'containerd://x' } },
          },
        ],
      },
    },
  ],
});

/** A schema-2 in-pod status: an agent waiting for a permission, a shell, a dirty repository
 * ahead of its upstream, a worktree, the home's use and a boot warning. */
export const IN_POD_STATUS_V2 = {
  schemaVersion: 2,
  time: '2026-11-22T12:00:00Z',
  project: 'demo',
  agent: { name: 'claude', autoStart: true, installed: true },
  sessions: [{ name: 'main', windows: 2, attached: 1, created: '2026-11-22T10:00:05Z' }],
  clients: [{ session: 'main', tty: '/dev/pts/0', since: '2026-11-22T11:50:00Z' }],
  panes: [
    {
      id: '%1',
      session: 'main',
      window: 0,
      windowName: 'claude',
      pane: 0,
      active: true,
      program: 'claude',
      agent: 'claude',
      state: 'waiting',
      waitingFor: 'permission',
      exitCode: null,
      source: 'hook',
      since: 12,
      lastActivity: '2026-11-22T11:59:48Z',
      lines: ['Edit src/app.ts', 'Do you want to make this edit to app.ts?', '❯ 1. Yes'],
      task: null,
    },
    {
      id: '%2',
      session: 'main',
      window: 1,
      windowName: 'shell',
      pane: 0,
      active: true,
      program: 'zsh',
      agent: null,
      state: 'idle',
      waitingFor: null,
      exitCode: null,
      source: 'process',
      since: 185,
      lastActivity: '2026-11-22T11:56:55Z',
      lines: ['gsd@demo ~/workspace %'],
      task: null,
    },
  ],
  tasks: [],
  repos: [
    {
      path: 'workspace',
      worktree: false,
      branch: 'feat/x',
      head: '1a2b3c4',
      upstream: 'origin/feat/x',
      ahead: 2,
      behind: 0,
      staged: 0,
      modified: 3,
      untracked: 1,
      conflicts: 0,
      stashes: 1,
    },
    {
      path: '.rgsd/worktrees/workspace-fix',
      worktree: true,
      branch: 'fix',
      head: '5d6e7f8',
      upstream: null,
      ahead: 0,
      behind: 0,
      staged: 0,
      modified: 0,
      untracked: 0,
      conflicts: 0,
      stashes: 0,
    },
  ],
  home: { path: '/home/gsd', sizeBytes: 21474836480, usedBytes: 2254857830, availableBytes: 19219978650 },
  warnings: [
    {
      code: 'clone-failed',
      message: 'clone of https://example.invalid/me/demo.git failed; starting with an empty workspace',
      time: '2026-11-22T10:00:03Z',
    },
  ],
  terminating: false,
  tunnel: { state: 'stopped', name: 'demo', url: null },
};

/** A schema-2 in-pod status with nothing at risk: a shell, no agent at work, a clean repository. */
export const IN_POD_STATUS_IDLE = JSON.stringify({
  ...IN_POD_STATUS_V2,
  clients: [],
  panes: [IN_POD_STATUS_V2.panes[1]],
  repos: [{ ...IN_POD_STATUS_V2.repos[1], path: 'workspace', worktree: false, upstream: 'origin/fix' }],
  warnings: [],
});

/** The work guard's look inside the pod (before down, restart, reset-home, nuke, an up that restarts). */
export const GUARD_STATUS = argv.execStatus('deployment/demo-rgsd', '--lines', '0');
