import { describe, expect, it } from 'vitest';
import { run as runStatus } from '../../src/commands/status.js';
import { collectStatus } from '../../src/ops/status.js';
import { FakeRunner } from '../helpers/fake-runner.js';
import { testApp } from '../helpers/test-app.js';
import { argv, IN_POD_STATUS, K, release } from '../helpers/cluster-fixture.js';

const NOW = new Date('2026-11-22T12:00:00Z');

function pod(project: string, o: { name?: string; ready?: boolean; phase?: string; waiting?: string; restarts?: number; deleting?: boolean } = {}) {
  return {
    kind: 'Pod',
    metadata: { name: o.name ?? `${project}-rgsd-abc`, labels: { 'rgsd.dev/project': project }, creationTimestamp: '2026-11-22T09:00:00Z', ...(o.deleting ? { deletionTimestamp: '2026-11-22T11:59:00Z' } : {}) },
    spec: { nodeName: 'node-1' },
    status: {
      phase: o.phase ?? 'Running',
      startTime: '2026-11-22T10:30:00Z',
      conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }],
      containerStatuses: [{ name: 'workstation', ready: o.ready !== false, restartCount: o.restarts ?? 1, state: o.waiting ? { waiting: { reason: o.waiting } } : { running: {} } }],
      initContainerStatuses: [{ name: 'init-home', ready: true, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }],
    },
  };
}
const deploy = (p: string) => ({ kind: 'Deployment', metadata: { name: `${p}-rgsd`, labels: { 'rgsd.dev/project': p } }, spec: { replicas: 1 }, status: { readyReplicas: 1 } });
const pvc = (p: string) => ({
  kind: 'PersistentVolumeClaim', metadata: { name: `${p}-rgsd-home`, labels: { 'rgsd.dev/project': p } },
  spec: { storageClassName: 'standard' }, status: { phase: 'Bound', capacity: { storage: '20Gi' } },
});
const list = (...items: unknown[]) => JSON.stringify({ apiVersion: 'v1', kind: 'List', items });

describe('rgsd status <project>', () => {
  function runner(items: unknown[], releases: unknown[] = [release('deployed', { revision: 3 })]) {
    return new FakeRunner()
      .on(argv.currentContext, { stdout: 'ctx' })
      .on(argv.helmList('demo'), { stdout: JSON.stringify(releases) })
      .on(argv.getObjects(), { stdout: list(...items) })
      .on(argv.getSecrets(), { stdout: 'secret/demo-rgsd-secrets\n' })
      .on(argv.execStatus('demo-rgsd-abc'), { stdout: IN_POD_STATUS });
  }

  it('at most 3 cluster calls, started concurrently, then one in-pod query', async () => {
    const r = runner([deploy('demo'), pod('demo'), pvc('demo')]);
    let inFlight = 0;
    let maxInFlight = 0;
    const orig = r.run.bind(r);
    r.run = async (cmd, args, opts) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((res) => setTimeout(res, 5));
      try {
        return await orig(cmd, args, opts);
      } finally {
        inFlight--;
      }
    };
    const t = await testApp({ runner: r, now: NOW });
    await collectStatus(t.app, 'demo');
    const cluster = t.runner.argvs.filter((a) => a.join(' ') !== argv.currentContext.join(' '));
    expect(cluster.slice(0, 3)).toEqual(expect.arrayContaining([argv.helmList('demo'), argv.getObjects(), argv.getSecrets()]));
    expect(cluster).toHaveLength(4);
    expect(cluster[3]).toEqual(argv.execStatus('demo-rgsd-abc'));
    expect(maxInFlight).toBe(3);
    // Secret data is never fetched: names only
    expect(t.runner.argvs.some((a) => a.includes('secret') && a.includes('json'))).toBe(false);
  });

  it('--json prints one stable document', async () => {
    const t = await testApp({ runner: runner([deploy('demo'), pod('demo'), pvc('demo')]), now: NOW });
    await runStatus(t.app, 'demo', { json: true });
    const doc = JSON.parse(t.stdout());
    expect(doc).toEqual({
      schemaVersion: 1, context: 'ctx', namespace: 'rgsd',
      projects: [{
        project: 'demo',
        release: { name: 'demo', status: 'deployed', revision: 3, chart: 'rgsd-0.1.0', appVersion: '0.1.0', updated: '2026-11-22T10:00:00Z' },
        deployment: { name: 'demo-rgsd', replicas: 1, readyReplicas: 1 },
        pod: { name: 'demo-rgsd-abc', phase: 'Running', ready: true, restarts: 1, ageSeconds: 5400, age: '1h30m', node: 'node-1', reason: null },
        pvc: { name: 'demo-rgsd-home', phase: 'Bound', capacity: '20Gi', storageClass: 'standard' },
        secret: { name: 'demo-rgsd-secrets' },
        sessions: [{ name: 'main', windows: 2, attached: false, created: '2026-11-22T10:00:05Z' }],
        tunnel: { state: 'stopped', name: null, url: null },
        sessionsError: null,
      }],
    });
    expect(t.stderr()).toContain('context: ctx  namespace: rgsd');
  });

  it('human output names release, pod, home, sessions', async () => {
    const t = await testApp({ runner: runner([deploy('demo'), pod('demo'), pvc('demo')]), now: NOW });
    await runStatus(t.app, 'demo', {});
    expect(t.stdout()).toMatch(/release:\s+deployed, revision 3, rgsd-0.1.0/);
    expect(t.stdout()).toMatch(/pod:\s+demo-rgsd-abc: Running, ready, 1 restarts, age 1h30m, node node-1/);
    expect(t.stdout()).toMatch(/home:\s+demo-rgsd-home: Bound, 20Gi, class standard/);
    expect(t.stdout()).toMatch(/tmux:\s+main \(2 windows\)/);
  });

  it('a pod that is not ready is not exec-ed and shows its reason', async () => {
    const t = await testApp({ runner: runner([deploy('demo'), pod('demo', { ready: false, waiting: 'ImagePullBackOff', phase: 'Pending' }), pvc('demo')]), now: NOW });
    const doc = await collectStatus(t.app, 'demo');
    expect(t.runner.find('kubectl', ...K, 'exec')).toHaveLength(0);
    expect(doc.projects[0]?.pod).toMatchObject({ phase: 'Pending', ready: false, reason: 'ImagePullBackOff' });
    expect(doc.projects[0]?.sessions).toBeNull();
  });

  it('not installed: release/pod null, kept PVC still shown', async () => {
    const t = await testApp({ runner: runner([pvc('demo')], []), now: NOW });
    await runStatus(t.app, 'demo', {});
    expect(t.stdout()).toMatch(/release:\s+not installed/);
    expect(t.stdout()).toMatch(/home:\s+demo-rgsd-home: Bound/);
  });

  it('a failing in-pod query is reported, not fatal', async () => {
    const r = runner([deploy('demo'), pod('demo'), pvc('demo')]).on(argv.execStatus('demo-rgsd-abc'), { exitCode: 1, stderr: 'error: container not found' });
    const t = await testApp({ runner: r, now: NOW });
    const doc = await collectStatus(t.app, 'demo');
    expect(doc.projects[0]?.sessionsError).toContain('container not found');
  });
});

describe('rgsd status (every project)', () => {
  it('lists every rgsd project of the namespace with one exec per ready pod', async () => {
    const r = new FakeRunner()
      .on(argv.currentContext, { stdout: 'ctx' })
      .on(argv.helmList(), { stdout: JSON.stringify([release('deployed', { name: 'alpha' }), release('failed', { name: 'beta' }), { ...release('deployed', { name: 'other' }), chart: 'nginx-1.0.0' }]) })
      .on(argv.getObjects('app.kubernetes.io/name=rgsd'), { stdout: list(pod('alpha'), pvc('alpha'), pvc('beta'), pod('gamma', { deleting: true })) })
      .on(argv.getSecrets('app.kubernetes.io/name=rgsd'), { stdout: 'secret/alpha-rgsd-secrets\n' })
      .on(argv.execStatus('alpha-rgsd-abc'), { stdout: IN_POD_STATUS });
    const t = await testApp({ runner: r, now: NOW });
    await runStatus(t.app, undefined, {});
    const lines = t.stdout().trim().split('\n');
    expect(lines[0]).toMatch(/^PROJECT\s+RELEASE\s+POD\s+READY\s+RESTARTS\s+AGE\s+NODE\s+HOME\s+SESSIONS$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/)[0])).toEqual(['alpha', 'beta', 'gamma']);
    expect(lines[1]).toMatch(/alpha\s+deployed#1\s+Running\s+yes\s+1\s+1h30m\s+node-1\s+20Gi Bound\s+main/);
    expect(lines[2]).toMatch(/beta\s+failed#1\s+-/);
    expect(t.runner.find('kubectl', ...K, 'exec')).toHaveLength(1);
  });
  it('an empty namespace says how to start', async () => {
    const r = new FakeRunner()
      .on(argv.currentContext, { stdout: 'ctx' })
      .on(argv.helmList(), { stdout: '[]' })
      .on(argv.getObjects('app.kubernetes.io/name=rgsd'), { stdout: list() })
      .on(argv.getSecrets('app.kubernetes.io/name=rgsd'), { stdout: '' });
    const t = await testApp({ runner: r, now: NOW });
    await runStatus(t.app, undefined, { json: false });
    expect(t.stdout()).toBe('');
    expect(t.stderr()).toContain('no rgsd projects in namespace rgsd');
  });
});
