// Canned helm/kubectl answers for unit tests of cluster commands (project "demo",
// context "ctx", namespace "rgsd"). Every argv here is exact: a command that builds a
// different argv hits FakeRunner's "unexpected call" failure. The target always comes
// first (src/cluster/gateway.ts): `kubectl --context C -n NS …`, `helm --kube-context C -n NS …`.
import { join } from 'node:path';
import { FakeRunner, type FakeResponse } from './fake-runner.js';
import { REPO_ROOT } from './test-app.js';

export const CHART = join(REPO_ROOT, 'chart', 'rgsd');
export const K = ['--context', 'ctx', '-n', 'rgsd'];
export const H = ['--kube-context', 'ctx', '-n', 'rgsd'];

/** What every `helm list` of rgsd asks for (every state, RFC 3339 times). */
const LIST_FLAGS = ['-o', 'json', '--deployed', '--failed', '--pending', '--uninstalling', '--time-format', '2006-01-02T15:04:05Z07:00'];

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
  applySecret: ['kubectl', ...K, 'apply', '--server-side', '--field-manager=rgsd', '--force-conflicts', '-f', '-'],
  upgrade: ['helm', ...H, 'upgrade', '--install', 'demo', CHART, '-f', '-'],
  uninstall: ['helm', ...H, 'uninstall', 'demo', '--wait'],
  rollback: ['helm', ...H, 'rollback', 'demo'],
  rollout: ['kubectl', ...K, 'rollout', 'status', 'deployment/demo-rgsd', '--timeout=300s'],
  execStatus: (pod = 'deployment/demo-rgsd') => ['kubectl', ...K, 'exec', pod, '-c', 'workstation', '--', '/opt/rgsd/status', '--json'],
  deleteSecret: ['kubectl', ...K, 'delete', 'secret', 'demo-rgsd-secrets', '--ignore-not-found', '-o', 'name'],
  getPvc: ['kubectl', ...K, 'get', 'pvc', 'demo-rgsd-home', '-o', 'json'],
  getObjects: (selector = 'rgsd.dev/project=demo') => ['kubectl', ...K, 'get', 'deployment,pod,pvc', '-l', selector, '-o', 'json'],
  getSecrets: (selector = 'rgsd.dev/project=demo') => ['kubectl', ...K, 'get', 'secret', '-l', selector, '-o', 'name'],
};

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

/** A runner that answers a complete `rgsd up demo` run. */
export function upRunner(o: { releases?: unknown[]; prevValues?: unknown; nsExists?: boolean; helmVersion?: string } = {}): FakeRunner {
  return new FakeRunner()
    .on(argv.helmVersion, { stdout: o.helmVersion ?? 'v4.1.4' })
    .on(argv.currentContext, { stdout: 'ctx\n' })
    .on(argv.getNamespace, o.nsExists === false ? NOT_FOUND_NS : { stdout: '{"metadata":{"name":"rgsd","labels":{}}}' })
    .on(argv.createNamespace, { stdout: 'namespace/rgsd created\n' })
    .on(argv.helmList('demo'), { stdout: JSON.stringify(o.releases ?? []) })
    .on(argv.helmListAll('demo'), { stdout: JSON.stringify(o.releases ?? []) })
    .on(argv.template, { stdout: '---\nkind: Deployment\nmetadata:\n  name: demo-rgsd\n' })
    .on(argv.getValues, { stdout: JSON.stringify(o.prevValues ?? {}) })
    .on(argv.uninstall, { stdout: 'release "demo" uninstalled\n' })
    .on(argv.rollback, { stdout: 'Rollback was a success!\n' })
    .on(argv.applySecret, { stdout: 'secret/demo-rgsd-secrets serverside-applied\n' })
    .on(argv.upgrade, { stdout: 'Release "demo" has been upgraded.\n' })
    .on(argv.rollout, { stdout: 'deployment "demo-rgsd" successfully rolled out\n' })
    .on(argv.execStatus(), { stdout: IN_POD_STATUS });
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
