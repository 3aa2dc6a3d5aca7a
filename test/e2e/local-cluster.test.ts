// scripts/local-cluster itself: a real control plane and kubelet at the pinned version,
// idempotent `up`, `status`/`env`, local volumes that honour fsGroup and get recycled, and a
// `down` that never touches a directory it did not create.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_IMAGE } from '../helpers/version.js';
import {
  diagnoseFailure,
  getObject,
  kubeconfig,
  kubectl,
  kubectlOk,
  LOCAL_CLUSTER,
  REPO_ROOT,
  waitFor,
  type K8sObject,
} from './helpers/cluster.js';

const pinned = /^\s*k8s\.io\/kubernetes (v[0-9.]+)$/m.exec(readFileSync(join(REPO_ROOT, 'scripts', 'cluster', 'go.mod'), 'utf8'))?.[1];
const TEST_NS = 'rgsd-e2e-storage';

async function script(args: string[], env: Record<string, string> = {}): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const res = await execa(LOCAL_CLUSTER, args, { reject: false, stdin: 'ignore', env });
  return { exitCode: res.exitCode ?? -1, stdout: String(res.stdout), stderr: String(res.stderr) };
}

describe('scripts/local-cluster', () => {
  afterEach((ctx) => diagnoseFailure(ctx));
  afterAll(async () => {
    await kubectl(['delete', 'namespace', TEST_NS, '--ignore-not-found', '--wait=true'], { timeoutMs: 120_000 });
  });

  it('runs the pinned Kubernetes version with a real, Ready kubelet on containerd', async () => {
    expect(pinned).toMatch(/^v1\.\d+\.\d+$/);
    const version = JSON.parse(await kubectlOk(['version', '-o', 'json'])) as {
      serverVersion: { gitVersion: string; major: string; minor: string };
    };
    expect(version.serverVersion.gitVersion).toBe(pinned);
    expect(`v${version.serverVersion.major}.${version.serverVersion.minor}`).toBe(pinned?.split('.').slice(0, 2).join('.'));
    const nodes = JSON.parse(await kubectlOk(['get', 'nodes', '-o', 'json'])) as {
      items: {
        metadata: { name: string };
        status: { conditions: { type: string; status: string }[]; nodeInfo: { kubeletVersion: string; containerRuntimeVersion: string } };
      }[];
    };
    expect(nodes.items).toHaveLength(1);
    const node = nodes.items[0];
    expect(node?.status.nodeInfo.kubeletVersion).toBe(pinned);
    expect(node?.status.nodeInfo.containerRuntimeVersion).toMatch(/^containerd:\/\//);
    expect(node?.status.conditions.find((c) => c.type === 'Ready')?.status).toBe('True');
  });

  it('up is idempotent: a second up keeps every process and is quick', async () => {
    const pids = (): string =>
      readFileSync(join(kubeconfig(), '..', 'run', 'kube-apiserver.pid'), 'utf8') +
      readFileSync(join(kubeconfig(), '..', 'run', 'kubelet.pid'), 'utf8');
    const before = pids();
    const started = Date.now();
    const res = await script(['up']);
    expect(res.exitCode, res.stderr).toBe(0);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(res.stdout.trim()).toBe(`export KUBECONFIG=${kubeconfig()}`);
    expect(pids()).toBe(before);
  });

  it('status reports every component; env prints the kubeconfig', async () => {
    const status = await script(['status']);
    expect(status.exitCode, status.stdout).toBe(0);
    // kube-router enforces NetworkPolicy (on unless RGSD_CLUSTER_NETWORK_POLICY=0)
    const components = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'containerd', 'kubelet', 'pv-recycler'];
    if (process.env.RGSD_CLUSTER_NETWORK_POLICY !== '0') components.push('kube-router');
    for (const c of components) {
      expect(status.stdout).toMatch(new RegExp(`^\\s+${c}\\s+running, pid \\d+`, 'm'));
    }
    expect(status.stdout).toMatch(/node \S+ Ready/);
    const env = await script(['env']);
    expect(env.stdout.trim()).toBe(`export KUBECONFIG=${kubeconfig()}`);
  });

  it('status and down on a directory that is not a cluster: stopped, and nothing removed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rgsd-e2e-notacluster-'));
    try {
      writeFileSync(join(dir, 'precious.txt'), 'keep me');
      const status = await script(['status'], { RGSD_CLUSTER_DIR: dir });
      expect(status.exitCode).toBe(1);
      expect(status.stdout).toMatch(/^\s+kube-apiserver\s+stopped$/m);
      const down = await script(['down'], { RGSD_CLUSTER_DIR: dir });
      expect(down.exitCode).toBe(0);
      expect(down.stderr).toMatch(/nothing to do/);
      expect(existsSync(join(dir, 'precious.txt'))).toBe(true);
      const up = await script(['up'], { RGSD_CLUSTER_DIR: dir });
      expect(up.exitCode).not.toBe(0);
      expect(up.stderr).toMatch(/was not created by local-cluster/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the default StorageClass binds a claim to a local volume on real disk, honouring fsGroup, and recycles it', async () => {
    const classes = JSON.parse(await kubectlOk(['get', 'storageclass', '-o', 'json'])) as {
      items: (K8sObject & { volumeBindingMode: string })[];
    };
    const defaults = classes.items.filter((c) => c.metadata.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true');
    expect(defaults).toHaveLength(1);
    expect(defaults[0]?.volumeBindingMode).toBe('WaitForFirstConsumer');

    await kubectlOk(['create', 'namespace', TEST_NS]);
    await kubectlOk(['label', 'namespace', TEST_NS, 'pod-security.kubernetes.io/enforce=restricted']);
    const manifest = {
      apiVersion: 'v1',
      kind: 'List',
      items: [
        {
          apiVersion: 'v1',
          kind: 'PersistentVolumeClaim',
          metadata: { name: 'data', namespace: TEST_NS },
          spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
        },
        {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: 'writer', namespace: TEST_NS },
          spec: {
            restartPolicy: 'Never',
            securityContext: {
              runAsNonRoot: true,
              runAsUser: 1000,
              runAsGroup: 1000,
              fsGroup: 1000,
              seccompProfile: { type: 'RuntimeDefault' },
            },
            containers: [
              {
                name: 'writer',
                image: DEFAULT_IMAGE,
                command: ['sh', '-c', 'stat -c "%g %a" /data && echo payload > /data/file && echo wrote'],
                securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
                volumeMounts: [{ name: 'data', mountPath: '/data' }],
              },
            ],
            volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data' } }],
          },
        },
      ],
    };
    await kubectlOk(['apply', '-f', '-'], { input: JSON.stringify(manifest) });
    await waitFor(
      'the writer pod to finish',
      async () => {
        const pod = await getObject<K8sObject & { status: { phase: string } }>('pod', 'writer', TEST_NS);
        if (pod?.status.phase === 'Failed') throw new Error('writer pod failed');
        return pod?.status.phase === 'Succeeded';
      },
      120_000,
    );
    expect((await kubectlOk(['-n', TEST_NS, 'logs', 'writer'])).trim().split('\n')).toEqual(['1000 2775', 'wrote']);
    const pvc = await getObject<K8sObject & { spec: { volumeName: string } }>('pvc', 'data', TEST_NS);
    const pv = await getObject<K8sObject & { spec: { local: { path: string } } }>('pv', pvc?.spec.volumeName ?? '', null);
    const path = pv?.spec.local.path ?? '';
    expect(readFileSync(join(path, 'file'), 'utf8')).toBe('payload\n');

    await kubectlOk(['delete', 'namespace', TEST_NS, '--wait=true'], { timeoutMs: 120_000 });
    await waitFor(
      'the released volume to be recycled',
      async () => {
        const v = await getObject<K8sObject & { status: { phase: string }; spec: { claimRef?: unknown } }>(
          'pv',
          pv?.metadata.name ?? '',
          null,
        );
        return v?.status.phase === 'Available' && v.spec.claimRef === undefined;
      },
      60_000,
    );
    expect(existsSync(join(path, 'file'))).toBe(false);
    expect(existsSync(path)).toBe(true);
  });
});
