// rgsd peek: one cluster call for a project, the diagnosis only after a failure, every
// project of the namespace with one pod list and one exec per running pod.
import { describe, expect, it } from 'vitest';
import peekCommand from '../../src/commands/peek.js';
import type { App } from '../../src/core/app.js';
import { ExitCode, UsageError } from '../../src/core/errors.js';
import { parseInPodStatus } from '../../src/cluster/podstate.js';
import { IN_POD_STATUS, IN_POD_STATUS_V2, K, argv } from '../helpers/cluster-fixture.js';
import { FakeRunner } from '../helpers/fake-runner.js';
import { expectGolden } from '../helpers/golden.js';
import { testApp } from '../helpers/test-app.js';

const NOW = new Date('2026-11-22T12:00:00Z');
const ALL = 'app.kubernetes.io/name=rgsd';
const getPods = (selector = 'rgsd.dev/project=demo') => ['kubectl', ...K, 'get', 'pods', '-l', selector, '-o', 'json'];
const V2 = JSON.stringify(IN_POD_STATUS_V2);

function peek(app: App, project: string | undefined, opts: { lines?: string } = {}) {
  return peekCommand.run(app, { project }, opts);
}

function pod(project: string, o: { name?: string; phase?: string; ready?: boolean; reason?: string; unschedulable?: string } = {}) {
  return {
    kind: 'Pod',
    metadata: {
      name: o.name ?? `${project}-rgsd-abc`,
      labels: { 'rgsd.dev/project': project, 'app.kubernetes.io/name': 'rgsd' },
      creationTimestamp: '2026-11-22T09:00:00Z',
    },
    spec: { nodeName: 'node-1' },
    status: {
      phase: o.phase ?? 'Running',
      conditions: [
        { type: 'Ready', status: o.ready === false ? 'False' : 'True' },
        ...(o.unschedulable ? [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: o.unschedulable }] : []),
      ],
      containerStatuses: [
        {
          name: 'workstation',
          ready: o.ready !== false,
          restartCount: 0,
          state: o.reason ? { waiting: { reason: o.reason } } : { running: {} },
        },
      ],
    },
  };
}
const list = (...items: unknown[]) => JSON.stringify({ kind: 'List', items });

describe('rgsd peek <project>', () => {
  it('one cluster call on the happy path; a line per window, a line per repository (golden); warnings on stderr', async () => {
    const r = new FakeRunner().on(argv.execStatus('deployment/demo-rgsd', '--lines', '1'), { stdout: V2 });
    const t = await testApp({ runner: r, now: NOW });
    await peek(t.app, 'demo');
    expect(t.runner.argvs).toEqual([argv.execStatus('deployment/demo-rgsd', '--lines', '1')]);
    expectGolden('peek-project', t.stdout());
    expect(t.stderr()).toContain('context: ctx  namespace: rgsd\n');
    expect(t.stderr()).toMatch(/^warning: demo: clone of https:\/\/example\.invalid\/me\/demo\.git failed/m);
  });

  it('--lines N shows the last N screen lines under each window (golden) and asks the pod for N', async () => {
    const r = new FakeRunner().on(argv.execStatus('deployment/demo-rgsd', '--lines', '3'), { stdout: V2 });
    const t = await testApp({ runner: r, now: NOW });
    await peek(t.app, 'demo', { lines: '3' });
    expectGolden('peek-lines', t.stdout());
  });

  it('--json prints one document: the pod state as the pod reported it', async () => {
    const r = new FakeRunner().on(argv.execStatus('deployment/demo-rgsd', '--lines', '1'), { stdout: V2 });
    const t = await testApp({ runner: r, now: NOW, globals: { json: true } });
    await peek(t.app, 'demo');
    const doc = JSON.parse(t.stdout());
    expect(doc).toEqual({
      schemaVersion: 1,
      context: 'ctx',
      namespace: 'rgsd',
      projects: [{ project: 'demo', pod: null, state: 'ok', error: null, status: parseInPodStatus(V2) }],
    });
    expect(doc.projects[0].status.panes[0]).toMatchObject({ id: '%1', state: 'waiting', waitingFor: 'permission', source: 'hook' });
  });

  it('not deployed: one call, then "not deployed" (exit 6) with the hint to start it', async () => {
    const r = new FakeRunner().on(argv.execStatus('deployment/demo-rgsd', '--lines', '1'), {
      exitCode: 1,
      stderr: 'Error from server (NotFound): deployments.apps "demo-rgsd" not found\n',
    });
    const t = await testApp({ runner: r, now: NOW });
    await expect(peek(t.app, 'demo')).rejects.toMatchObject({ exitCode: ExitCode.notFound, hint: expect.stringContaining('rgsd up demo') });
    expect(t.runner.argvs).toHaveLength(1);
  });

  it('a pod that cannot run: the exec fails, one pod list says why (phase and scheduling reason)', async () => {
    const r = new FakeRunner()
      .on(argv.execStatus('deployment/demo-rgsd', '--lines', '1'), {
        exitCode: 1,
        stderr: 'error: timed out waiting for the condition\n',
      })
      .on(getPods(), { stdout: list(pod('demo', { phase: 'Pending', ready: false, unschedulable: '0/1 nodes are available' })) });
    const t = await testApp({ runner: r, now: NOW });
    const err = await peek(t.app, 'demo').catch((e: unknown) => e);
    expect(err).toMatchObject({ exitCode: ExitCode.notFound });
    expect((err as Error).message).toBe('demo: pod demo-rgsd-abc is Pending, not ready (Unschedulable: 0/1 nodes are available)');
    expect(t.runner.argvs).toEqual([argv.execStatus('deployment/demo-rgsd', '--lines', '1'), getPods()]);
    expect(t.stdout()).toMatch(/^demo\s+-\s+-\s+not running/m);
  });

  it('an image older than the agent state (schema 1) is shown as unknown, with what to do', async () => {
    const r = new FakeRunner().on(argv.execStatus('deployment/demo-rgsd', '--lines', '1'), { stdout: IN_POD_STATUS });
    const t = await testApp({ runner: r, now: NOW });
    await peek(t.app, 'demo');
    expect(t.stdout()).toMatch(/^demo\s+-\s+-\s+unknown\s+-\s+its image predates rgsd peek/m);
  });

  it('--lines out of range is a usage error before any call', async () => {
    for (const bad of ['-1', '201', 'x', '1.5']) {
      const t = await testApp({ runner: new FakeRunner(), now: NOW });
      await expect(peek(t.app, 'demo', { lines: bad })).rejects.toBeInstanceOf(UsageError);
      expect(t.runner.argvs).toEqual([]);
    }
  });
});

describe('rgsd peek (every project)', () => {
  it('one pod list, then one exec per running pod, concurrently; a project that is not running gets its row (golden)', async () => {
    const other = {
      ...IN_POD_STATUS_V2,
      project: 'web',
      panes: [
        {
          ...IN_POD_STATUS_V2.panes[0],
          agent: 'codex',
          windowName: 'codex',
          state: 'working',
          waitingFor: null,
          since: 1,
          lines: ['Working (3s • esc to interrupt)'],
        },
      ],
      repos: [],
      warnings: [],
    };
    const r = new FakeRunner()
      .on(getPods(ALL), {
        stdout: list(
          pod('demo'),
          pod('web', { name: 'web-rgsd-1' }),
          pod('api', { phase: 'Pending', ready: false, reason: 'ImagePullBackOff' }),
        ),
      })
      .on(argv.execStatus('demo-rgsd-abc', '--lines', '1'), { stdout: V2 })
      .on(argv.execStatus('web-rgsd-1', '--lines', '1'), { stdout: JSON.stringify(other) });
    let inFlight = 0;
    let most = 0;
    const run = r.run.bind(r);
    r.run = async (cmd, args, opts) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((res) => setImmediate(res));
      try {
        return await run(cmd, args, opts);
      } finally {
        inFlight--;
      }
    };
    const t = await testApp({ runner: r, now: NOW });
    await peek(t.app, undefined);
    expect(t.runner.argvs.slice(0, 1)).toEqual([getPods(ALL)]);
    expect(t.runner.argvs.slice(1)).toEqual(
      expect.arrayContaining([argv.execStatus('demo-rgsd-abc', '--lines', '1'), argv.execStatus('web-rgsd-1', '--lines', '1')]),
    );
    expect(t.runner.argvs).toHaveLength(3);
    expect(most).toBe(2);
    expectGolden('peek-all', t.stdout());
  });

  it('no projects: says how to create one', async () => {
    const r = new FakeRunner().on(getPods(ALL), { stdout: list() });
    const t = await testApp({ runner: r, now: NOW });
    await peek(t.app, undefined);
    expect(t.stdout()).toBe('');
    expect(t.stderr()).toContain('no rgsd projects in namespace rgsd');
  });
});
