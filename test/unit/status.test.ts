import { describe, expect, it } from 'vitest';
import type { Target } from '../../src/cluster/gateway.js';
import { ClusterUnreachableError } from '../../src/core/errors.js';
import { collectStatus } from '../../src/ops/status.js';
import { argv, IN_POD_STATUS, K, release, UNREACHABLE } from '../helpers/cluster-fixture.js';
import { FakeRunner } from '../helpers/fake-runner.js';
import { expectGolden } from '../helpers/golden.js';
import { REPO_ROOT, testApp } from '../helpers/test-app.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { App } from '../../src/core/app.js';

const NOW = new Date('2026-11-22T12:00:00Z');
const TARGET: Target = { context: 'ctx', namespace: 'rgsd' };
const ALL = 'app.kubernetes.io/name=rgsd';

/** The command as main.ts runs it. */
async function runStatus(app: App, project: string | undefined): Promise<void> {
  const cmd = (await import('../../src/commands/status.js')).default;
  await cmd.run(app, { project }, {});
}

interface PodOpts {
  name?: string;
  ready?: boolean;
  phase?: string;
  waiting?: string;
  restarts?: number;
  deleting?: boolean;
}

function pod(project: string, o: PodOpts = {}) {
  return {
    kind: 'Pod',
    metadata: {
      name: o.name ?? `${project}-rgsd-abc`,
      labels: { 'rgsd.dev/project': project },
      creationTimestamp: '2026-11-22T09:00:00Z',
      ...(o.deleting ? { deletionTimestamp: '2026-11-22T11:59:00Z' } : {}),
    },
    spec: { nodeName: 'node-1' },
    status: {
      phase: o.phase ?? 'Running',
      startTime: '2026-11-22T10:30:00Z',
      conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }],
      containerStatuses: [
        {
          name: 'workstation',
          ready: o.ready !== false,
          restartCount: o.restarts ?? 1,
          state: o.waiting ? { waiting: { reason: o.waiting } } : { running: {} },
        },
      ],
      initContainerStatuses: [
        { name: 'init-home', ready: true, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } },
      ],
    },
  };
}
const deploy = (p: string) => ({
  kind: 'Deployment',
  metadata: { name: `${p}-rgsd`, labels: { 'rgsd.dev/project': p } },
  spec: { replicas: 1 },
  status: { readyReplicas: 1 },
});
const pvc = (p: string, size = '20Gi') => ({
  kind: 'PersistentVolumeClaim',
  metadata: { name: `${p}-rgsd-home`, labels: { 'rgsd.dev/project': p } },
  spec: { storageClassName: 'standard' },
  status: { phase: 'Bound', capacity: { storage: size } },
});
const list = (...items: unknown[]) => JSON.stringify({ apiVersion: 'v1', kind: 'List', items });

function runner(items: unknown[], releases: unknown[] = [release('deployed', { revision: 3 })]): FakeRunner {
  return new FakeRunner()
    .on(argv.currentContext, { stdout: 'ctx' })
    .on(argv.helmList('demo'), { stdout: JSON.stringify(releases) })
    .on(argv.getObjects(), { stdout: list(...items) })
    .on(argv.getSecrets(), { stdout: 'secret/demo-rgsd-secrets\n' })
    .on(argv.execStatus('demo-rgsd-abc'), { stdout: IN_POD_STATUS });
}

describe("the README's status --json example", () => {
  /** every key path of a JSON value (arrays by their first element) */
  const paths = (v: unknown, prefix = ''): string[] => {
    if (Array.isArray(v)) return v.length ? paths(v[0], `${prefix}[]`) : [`${prefix}[]`];
    if (v && typeof v === 'object') return Object.entries(v).flatMap(([k, x]) => [`${prefix}.${k}`, ...paths(x, `${prefix}.${k}`)]);
    return [];
  };

  it('has exactly the fields of the real document (a ready pod with sessions, a warning and home usage)', async () => {
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('### `rgsd status [project]`'));
    const example = JSON.parse(/```json\n([\s\S]*?)```/.exec(section)?.[1] ?? '{}') as unknown;
    const warned = JSON.stringify({
      ...JSON.parse(IN_POD_STATUS),
      warnings: [{ code: 'clone-failed', message: 'x', time: '2026-11-22T10:00:03Z' }],
      home: { path: '/home/gsd', sizeBytes: 1, usedBytes: 1, availableBytes: 0 },
    });
    const r = runner([deploy('demo'), pod('demo'), pvc('demo')]).on(argv.execStatus('demo-rgsd-abc'), { stdout: warned });
    const t = await testApp({ runner: r, now: NOW, globals: { json: true } });
    await runStatus(t.app, 'demo');
    expect(paths(example).sort()).toEqual(paths(JSON.parse(t.stdout())).sort());
  });
});

describe('a sleeping project (0 replicas)', () => {
  const asleep = (annotation?: string) => ({
    ...deploy('demo'),
    metadata: { ...deploy('demo').metadata, ...(annotation ? { annotations: { 'rgsd.dev/asleep-since': annotation } } : {}) },
    spec: { replicas: 0 },
    status: {},
  });
  const idleCm = (since: string) => ({
    kind: 'ConfigMap',
    metadata: { name: 'demo-rgsd-idle', labels: { 'rgsd.dev/project': 'demo' } },
    data: { asleepSince: since },
  });

  it("says asleep, since the later of the watcher's ConfigMap and rgsd sleep's annotation; no in-pod query", async () => {
    const t = await testApp({
      runner: runner([asleep('2026-11-22T09:00:00Z'), idleCm('2026-11-22T11:15:00Z'), pvc('demo')]),
      now: NOW,
      globals: { json: true },
    });
    await runStatus(t.app, 'demo');
    const doc = JSON.parse(t.stdout()) as { projects: { asleep: unknown; pod: unknown }[] };
    expect(doc.projects[0]).toMatchObject({ asleep: { since: '2026-11-22T11:15:00Z' }, pod: null });
    expect(t.runner.find('kubectl', '--context', 'ctx', '-n', 'rgsd', 'exec')).toEqual([]);
    const human = await testApp({ runner: runner([asleep('2026-11-22T09:00:00Z'), pvc('demo')]), now: NOW });
    await runStatus(human.app, 'demo');
    expect(human.stdout()).toContain('pod:      asleep since 2026-11-22 09:00 UTC (0 replicas; `rgsd up` or `rgsd connect` wakes it)');
  });
});

describe('collectStatus(app, target, project)', () => {
  it('3 cluster calls in flight together, then one in-pod query; never Secret data', async () => {
    const r = runner([deploy('demo'), pod('demo'), pvc('demo')]);
    let inFlight = 0;
    let maxInFlight = 0;
    const orig = r.run.bind(r);
    r.run = async (cmd, args, opts) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      // yield to the event loop, so calls started together overlap (no timers: load does not matter)
      await new Promise((res) => setImmediate(res));
      try {
        return await orig(cmd, args, opts);
      } finally {
        inFlight--;
      }
    };
    const t = await testApp({ runner: r, now: NOW });
    await collectStatus(t.app, TARGET, 'demo');
    expect(t.runner.argvs.slice(0, 3)).toEqual(expect.arrayContaining([argv.helmList('demo'), argv.getObjects(), argv.getSecrets()]));
    expect(t.runner.argvs).toHaveLength(4);
    expect(t.runner.argvs[3]).toEqual(argv.execStatus('demo-rgsd-abc'));
    expect(maxInFlight).toBe(3);
    expect(t.runner.argvs.some((a) => a.includes('secret') && a.includes('json'))).toBe(false);
    // the op prints nothing: the command renders
    expect(t.stdout() + t.stderr()).toBe('');
  });

  it('a pod that is not ready is not exec-ed and keeps its reason', async () => {
    const items = [deploy('demo'), pod('demo', { ready: false, waiting: 'ImagePullBackOff', phase: 'Pending' }), pvc('demo')];
    const t = await testApp({ runner: runner(items), now: NOW });
    const doc = await collectStatus(t.app, TARGET, 'demo');
    expect(t.runner.find('kubectl', ...K, 'exec')).toHaveLength(0);
    expect(doc.projects[0]?.pod).toMatchObject({ phase: 'Pending', ready: false, reason: 'ImagePullBackOff' });
    expect(doc.projects[0]?.sessions).toBeNull();
  });

  it('a failing in-pod query is reported in sessionsError, not fatal', async () => {
    const r = runner([deploy('demo'), pod('demo'), pvc('demo')]).on(argv.execStatus('demo-rgsd-abc'), {
      exitCode: 1,
      stderr: 'error: container not found',
    });
    const t = await testApp({ runner: r, now: NOW });
    const doc = await collectStatus(t.app, TARGET, 'demo');
    expect(doc.projects[0]?.sessionsError).toContain('container not found');
    expect(doc.projects[0]?.sessions).toBeNull();
  });

  it('an unreachable cluster is a typed error', async () => {
    const r = runner([]).on(argv.helmList('demo'), UNREACHABLE).on(argv.getObjects(), UNREACHABLE).on(argv.getSecrets(), UNREACHABLE);
    const t = await testApp({ runner: r, now: NOW });
    await expect(collectStatus(t.app, TARGET, 'demo')).rejects.toBeInstanceOf(ClusterUnreachableError);
  });

  it('every project: releases of other charts are left out; a project with only objects is listed', async () => {
    const r = new FakeRunner()
      .on(argv.helmList(), {
        stdout: JSON.stringify([release('deployed', { name: 'alpha' }), { ...release('deployed', { name: 'web' }), chart: 'nginx-1.0.0' }]),
      })
      .on(argv.getObjects(ALL), { stdout: list(pvc('beta')) })
      .on(argv.getSecrets(ALL), { stdout: '' });
    const t = await testApp({ runner: r, now: NOW });
    const doc = await collectStatus(t.app, TARGET);
    expect(doc.projects.map((p) => p.project)).toEqual(['alpha', 'beta']);
    expect(doc.projects[1]).toMatchObject({ release: null, pod: null, pvc: { name: 'beta-rgsd-home' } });
  });
});

describe('rgsd status <project>', () => {
  it('--json prints one stable document', async () => {
    const t = await testApp({ runner: runner([deploy('demo'), pod('demo'), pvc('demo')]), now: NOW, globals: { json: true } });
    await runStatus(t.app, 'demo');
    expect(JSON.parse(t.stdout())).toEqual({
      schemaVersion: 1,
      context: 'ctx',
      namespace: 'rgsd',
      projects: [
        {
          project: 'demo',
          release: {
            name: 'demo',
            status: 'deployed',
            revision: 3,
            chart: 'rgsd-0.1.0',
            appVersion: '0.1.0',
            updated: '2026-11-22T10:00:00Z',
          },
          deployment: { name: 'demo-rgsd', replicas: 1, readyReplicas: 1 },
          asleep: null,
          pod: {
            name: 'demo-rgsd-abc',
            phase: 'Running',
            ready: true,
            restarts: 1,
            ageSeconds: 5400,
            age: '1h30m',
            node: 'node-1',
            reason: null,
          },
          pvc: { name: 'demo-rgsd-home', phase: 'Bound', capacity: '20Gi', storageClass: 'standard' },
          secret: { name: 'demo-rgsd-secrets' },
          sessions: [{ name: 'main', windows: 2, attached: false, created: '2026-11-22T10:00:05Z' }],
          tunnel: { state: 'stopped', name: null, url: null },
          sessionsError: null,
          warnings: [],
          homeUsage: null,
        },
      ],
    });
    expect(t.stderr()).toBe('context: ctx  namespace: rgsd\n');
  });

  it('human output (golden): release, pod, home, secret, sessions, tunnel', async () => {
    const inPod = JSON.stringify({
      sessions: [
        { name: 'main', windows: 2, attached: 1, created: '2026-11-22T10:00:05Z' },
        { name: 'review', windows: 1, attached: 0, created: '2026-11-22T11:00:00Z' },
      ],
      tunnel: { state: 'running', name: 'demo-ws', url: 'https://vscode.dev/tunnel/demo-ws' },
    });
    const r = runner([deploy('demo'), pod('demo'), pvc('demo')]).on(argv.execStatus('demo-rgsd-abc'), { stdout: inPod });
    const t = await testApp({ runner: r, now: NOW });
    await runStatus(t.app, 'demo');
    expectGolden('status-project', t.stdout());
    expect(t.stderr()).toBe('context: ctx  namespace: rgsd\n');
  });

  it('not installed: release and pod absent, the kept PVC still shown', async () => {
    const t = await testApp({ runner: runner([pvc('demo')], []), now: NOW });
    await runStatus(t.app, 'demo');
    expect(t.stdout()).toMatch(/^release:\s+not installed$/m);
    expect(t.stdout()).toMatch(/^pod:\s+none$/m);
    expect(t.stdout()).toMatch(/^home:\s+demo-rgsd-home: Bound, 20Gi, class standard$/m);
    expect(t.stdout()).toMatch(/^tmux:\s+-$/m);
  });

  it('a failing in-pod query shows as unavailable', async () => {
    const r = runner([deploy('demo'), pod('demo'), pvc('demo')]).on(argv.execStatus('demo-rgsd-abc'), {
      exitCode: 1,
      stderr: 'error: container not found',
    });
    const t = await testApp({ runner: r, now: NOW });
    await runStatus(t.app, 'demo');
    expect(t.stdout()).toMatch(/^tmux:\s+unavailable \(.*container not found\)$/m);
  });

  it('a pinned context that is not the current one is refused before any cluster call', async () => {
    const t = await testApp({ runner: runner([]), now: NOW });
    const { writeProject } = await import('../helpers/project-fixture.js');
    writeProject(t.configDir, 'demo', { settings: 'context: prod\n' });
    await expect(runStatus(t.app, 'demo')).rejects.toMatchObject({ exitCode: 3 });
    expect(t.runner.argvs).toEqual([]);
  });
});

describe('rgsd status (every project)', () => {
  function allRunner(): FakeRunner {
    return new FakeRunner()
      .on(argv.currentContext, { stdout: 'ctx' })
      .on(argv.helmList(), {
        stdout: JSON.stringify([
          release('deployed', { name: 'alpha', revision: 4 }),
          release('deployed', { name: 'beta', revision: 2 }),
          { ...release('deployed', { name: 'other' }), chart: 'nginx-1.0.0' },
        ]),
      })
      .on(argv.getObjects(ALL), {
        stdout: list(
          deploy('alpha'),
          pod('alpha'),
          pvc('alpha'),
          deploy('beta'),
          pod('beta', { ready: false, phase: 'Pending', waiting: 'ImagePullBackOff', restarts: 0 }),
          pvc('beta', '50Gi'),
        ),
      })
      .on(argv.getSecrets(ALL), { stdout: 'secret/alpha-rgsd-secrets\nsecret/beta-rgsd-secrets\n' })
      .on(argv.execStatus('alpha-rgsd-abc'), { stdout: IN_POD_STATUS });
  }

  it('the table (golden): one row per project, one exec per ready pod', async () => {
    const t = await testApp({ runner: allRunner(), now: NOW });
    await runStatus(t.app, undefined);
    expectGolden('status-all', t.stdout());
    expect(t.stderr()).toBe('context: ctx  namespace: rgsd\n');
    expect(t.runner.find('kubectl', ...K, 'exec')).toHaveLength(1);
  });

  it('a terminating pod and a failed release still show up', async () => {
    const r = new FakeRunner()
      .on(argv.currentContext, { stdout: 'ctx' })
      .on(argv.helmList(), { stdout: JSON.stringify([release('failed', { name: 'beta' })]) })
      .on(argv.getObjects(ALL), { stdout: list(pod('gamma', { deleting: true })) })
      .on(argv.getSecrets(ALL), { stdout: '' });
    const t = await testApp({ runner: r, now: NOW });
    await runStatus(t.app, undefined);
    const lines = t.stdout().trim().split('\n');
    expect(lines.slice(1).map((l) => l.split(/\s+/)[0])).toEqual(['beta', 'gamma']);
    expect(lines[1]).toMatch(/^beta\s+failed#1\s+-/);
    expect(lines[2]).toMatch(/^gamma\s+-\s+Terminating\s+yes/);
    // a terminating pod is never exec-ed
    expect(t.runner.find('kubectl', ...K, 'exec')).toHaveLength(0);
  });

  it('an empty namespace says how to start (stderr), stdout stays empty', async () => {
    const r = new FakeRunner()
      .on(argv.currentContext, { stdout: 'ctx' })
      .on(argv.helmList(), { stdout: '[]' })
      .on(argv.getObjects(ALL), { stdout: list() })
      .on(argv.getSecrets(ALL), { stdout: '' });
    const t = await testApp({ runner: r, now: NOW });
    await runStatus(t.app, undefined);
    expect(t.stdout()).toBe('');
    expect(t.stderr()).toContain('no rgsd projects in namespace rgsd');
  });

  it('--json with -n and --context: no current-context lookup', async () => {
    const K2 = ['--context', 'prod', '-n', 'team'];
    const H2 = ['--kube-context', 'prod', '-n', 'team'];
    const r = new FakeRunner()
      .on(['helm', ...H2, ...argv.helmList().slice(5)], { stdout: '[]' })
      .on(['kubectl', ...K2, ...argv.getObjects(ALL).slice(5)], { stdout: list() })
      .on(['kubectl', ...K2, ...argv.getSecrets(ALL).slice(5)], { stdout: '' });
    const t = await testApp({ runner: r, now: NOW, globals: { json: true, context: 'prod', namespace: 'team' } });
    await runStatus(t.app, undefined);
    expect(JSON.parse(t.stdout())).toEqual({ schemaVersion: 1, context: 'prod', namespace: 'team', projects: [] });
    expect(t.runner.argvs).not.toContainEqual(argv.currentContext);
  });
});

describe('rgsd status — what the workstation reports about itself (schema 2)', () => {
  it("shows the pod's boot warnings and the home's use; --json carries them", async () => {
    const { IN_POD_STATUS_V2 } = await import('../helpers/cluster-fixture.js');
    const r = runner([deploy('demo'), pod('demo'), pvc('demo')]).on(argv.execStatus('demo-rgsd-abc'), {
      stdout: JSON.stringify(IN_POD_STATUS_V2),
    });
    const t = await testApp({ runner: r, now: NOW });
    await runStatus(t.app, 'demo');
    expect(t.stdout()).toMatch(/^home:\s+demo-rgsd-home: Bound, 20Gi, class standard; 2\.1 GiB of 20 GiB used \(10%\), 18 GiB free$/m);
    expect(t.stdout()).toMatch(/^warning:\s+clone of https:\/\/example\.invalid\/me\/demo\.git failed; starting with an empty workspace$/m);
    const j = await testApp({ runner: r, now: NOW, globals: { json: true } });
    await runStatus(j.app, 'demo');
    const doc = JSON.parse(j.stdout()) as { projects: { warnings: { code: string }[]; homeUsage: { usedBytes: number } }[] };
    expect(doc.projects[0]?.warnings.map((w) => w.code)).toEqual(['clone-failed']);
    expect(doc.projects[0]?.homeUsage.usedBytes).toBe(2254857830);
  });
});
