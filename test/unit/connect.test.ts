import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import connectCommand from '../../src/commands/connect.js';
import type { App } from '../../src/core/app.js';
import { ChildExitError, CommandError, ExitCode, RgsdError } from '../../src/core/errors.js';
import { choosePod, rankPods, summarizePod, type K8sObject } from '../../src/cluster/workload.js';
import { attachArgs, attachCommand } from '../../src/cluster/attach.js';
import {
  TERMINATING_RETRY_MS,
  attachOutcome,
  crashOf,
  locateProjectPod,
  runningWorkstations,
  workstationOf,
  type ConnectPod,
} from '../../src/ops/connect.js';
import { projectNames } from '../../src/core/names.js';
import { reportError } from '../../src/ui/report.js';
import type { Choice } from '../../src/ui/prompts.js';
import { FakeRunner } from '../helpers/fake-runner.js';
import { FakePrompter, testApp } from '../helpers/test-app.js';
import { writeProject } from '../helpers/project-fixture.js';
import { K, UNREACHABLE, argv } from '../helpers/cluster-fixture.js';
import { expectGolden } from '../helpers/golden.js';

/** The command's handler, as main.ts runs it (--json lives in app.globals). */
function connect(
  app: App,
  project: string | undefined,
  session: string | undefined,
  opts: { new?: string; iterm?: boolean; list?: boolean },
) {
  return connectCommand.run(app, { project, session }, opts);
}

const NOW = new Date('2026-11-23T12:00:00Z');
const getPods = (selector = 'rgsd.dev/project=demo') => ['kubectl', ...K, 'get', 'pods', '-l', selector, '-o', 'json'];
/** The one call of the happy path: kubectl picks the Deployment's pod, the pod picks the session. */
const attachDeploy = (...args: string[]) => [
  'kubectl',
  ...K,
  'exec',
  '-it',
  'deployment/demo-rgsd',
  '-c',
  'workstation',
  '--pod-running-timeout=5s',
  '--',
  '/opt/rgsd/attach',
  ...args,
];
/** The same to a pod the project picker chose. */
const attachPod = (pod: string, ...args: string[]) => [
  'kubectl',
  ...K,
  'exec',
  '-it',
  pod,
  '-c',
  'workstation',
  '--',
  '/opt/rgsd/attach',
  ...args,
];

// a pod that is shutting down is tried again without the real waits
const realRetry = [...TERMINATING_RETRY_MS];
beforeAll(() => TERMINATING_RETRY_MS.splice(0, TERMINATING_RETRY_MS.length, 0, 0));
afterAll(() => TERMINATING_RETRY_MS.splice(0, TERMINATING_RETRY_MS.length, ...realRetry));

function pod(
  name: string,
  o: {
    project?: string;
    phase?: string;
    ready?: boolean;
    waiting?: string;
    unschedulable?: string;
    created?: string;
    deleting?: boolean;
    /** the workstation container's current run ended */
    terminated?: { reason: string; exitCode: number };
    restarts?: number;
    /** how the run before ended (lastState.terminated) */
    last?: { reason: string; exitCode: number };
  } = {},
) {
  const phase = o.phase ?? 'Running';
  const state = o.waiting
    ? { waiting: { reason: o.waiting } }
    : o.terminated
      ? { terminated: { ...o.terminated, containerID: 'containerd://b' } }
      : { running: { startedAt: '2026-11-23T11:00:00Z' } };
  return {
    kind: 'Pod',
    metadata: {
      name,
      labels: { 'app.kubernetes.io/name': 'rgsd', 'rgsd.dev/project': o.project ?? 'demo' },
      creationTimestamp: o.created ?? '2026-11-23T10:00:00Z',
      ...(o.deleting ? { deletionTimestamp: '2026-11-23T11:59:00Z' } : {}),
    },
    spec: { nodeName: 'node-1' },
    status: {
      phase,
      conditions: [
        ...(o.unschedulable
          ? [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: o.unschedulable }]
          : [{ type: 'PodScheduled', status: 'True' }]),
        { type: 'Ready', status: (o.ready ?? phase === 'Running') ? 'True' : 'False' },
      ],
      containerStatuses: o.unschedulable
        ? undefined
        : [
            {
              name: 'workstation',
              ready: o.ready ?? phase === 'Running',
              restartCount: o.restarts ?? 0,
              state,
              ...(o.last ? { lastState: { terminated: { ...o.last, containerID: 'containerd://a' } } } : {}),
            },
          ],
    },
  };
}
const pods = (...items: unknown[]) => ({ stdout: JSON.stringify({ items }) });
const sessions = (...names: string[]) => ({
  stdout: JSON.stringify({
    sessions: names.map((n, i) => ({ name: n, windows: i + 1, attached: i === 1, created: 1700000000 + i })),
    tunnel: { state: 'stopped', name: null, url: null },
  }),
});

/** connect's look at the Deployment when no pod answers (asleep: 0 replicas) */
const SLEEP_STATE = ['kubectl', ...K, 'get', 'deployment/demo-rgsd', 'configmap/demo-rgsd-idle', '--ignore-not-found', '-o', 'json'];
const deploymentList = (replicas: number, since?: string) =>
  JSON.stringify({
    kind: 'List',
    items: [
      {
        kind: 'Deployment',
        metadata: { name: 'demo-rgsd', ...(since ? { annotations: { 'rgsd.dev/asleep-since': since } } : {}) },
        spec: { replicas },
      },
    ],
  });

function runner(o: { pods?: unknown[]; sessions?: string[]; attachExit?: number | number[] } = {}): FakeRunner {
  const p = o.pods ?? [pod('demo-rgsd-abc')];
  const exits = [o.attachExit ?? 0].flat().map((exitCode) => ({ exitCode }));
  return new FakeRunner()
    .on(SLEEP_STATE, { stdout: deploymentList(1) })
    .on(getPods(), pods(...p))
    .on(argv.execStatus('demo-rgsd-abc'), sessions(...(o.sessions ?? ['main'])))
    .on(attachDeploy(), exits)
    .on(attachDeploy('--session', 'review'), exits)
    .on(attachDeploy('--session', 'nope'), { exitCode: 81 })
    .on(attachDeploy('--iterm'), exits)
    .on(attachDeploy('--new', 'scratch'), exits);
}

describe('rgsd connect — attach in one call', () => {
  it('the happy path is ONE cluster call: kubectl exec -it deployment/<fullname> … -- /opt/rgsd/attach, the terminal passed through', async () => {
    const t = await testApp({ runner: runner(), interactive: true, now: NOW });
    writeProject(t.configDir, 'demo');
    await connect(t.app, 'demo', undefined, {});
    expect(t.runner.argvs).toEqual([
      [
        'kubectl',
        '--context',
        'ctx',
        '-n',
        'rgsd',
        'exec',
        '-it',
        'deployment/demo-rgsd',
        '-c',
        'workstation',
        '--pod-running-timeout=5s',
        '--',
        '/opt/rgsd/attach',
      ],
    ]);
    const last = t.runner.calls.at(-1);
    expect(last?.opts.interactive).toBe(true);
    expect(last?.stdin).toBeUndefined();
    expectGolden('connect-attach', `$ rgsd connect demo\n--- stdout\n${t.stdout()}--- stderr\n${t.stderr()}`);
  });

  it('a named session, --new and --iterm go to the pod as flags of attach (still one call)', async () => {
    for (const [session, opts, args] of [
      ['review', {}, ['--session', 'review']],
      [undefined, { new: 'scratch' }, ['--new', 'scratch']],
      [undefined, { iterm: true }, ['--iterm']],
    ] as const) {
      const t = await testApp({ runner: runner(), interactive: true, now: NOW });
      await connect(t.app, 'demo', session, opts);
      expect(t.runner.argvs).toEqual([attachDeploy(...args)]);
    }
  });

  it('the terminal type goes along (kubectl exec does not pass TERM)', async () => {
    const r = new FakeRunner().on(attachDeploy('--term', 'xterm-kitty'), {});
    const t = await testApp({ runner: r, interactive: true, now: NOW, env: { TERM: 'xterm-kitty' } });
    await connect(t.app, 'demo', undefined, {});
    expect(t.runner.argvs).toEqual([attachDeploy('--term', 'xterm-kitty')]);
  });

  it('attachCommand / attachArgs: the in-pod argv for each way of connecting', () => {
    expect(attachCommand({})).toEqual(['/opt/rgsd/attach']);
    expect(attachCommand({ session: 's', iterm: true, term: 'xterm', size: { columns: 120, rows: 40 } })).toEqual([
      '/opt/rgsd/attach',
      '--session',
      's',
      '--iterm',
      '--term',
      'xterm',
      '--size',
      '120x40',
    ]);
    expect(attachCommand({ newSession: 'n', size: { columns: 0, rows: 0 } })).toEqual(['/opt/rgsd/attach', '--new', 'n']);
    expect(attachArgs('demo-rgsd-abc', {})).toEqual(['exec', '-it', 'demo-rgsd-abc', '-c', 'workstation', '--', '/opt/rgsd/attach']);
  });

  it('a missing session (attach exit 81): "not found" (exit 6) with the --new hint, no diagnosis call', async () => {
    const t = await testApp({ runner: runner(), interactive: true, now: NOW });
    const err = await connect(t.app, 'demo', 'nope', {}).catch((e: unknown) => e);
    expect(err).toMatchObject({
      exitCode: ExitCode.notFound,
      message: 'no tmux session "nope" in demo (the running ones are listed above)',
      hint: 'create it with `rgsd connect demo --new nope`; `rgsd connect demo --list` lists them',
    });
    expect(t.runner.argvs).toEqual([attachDeploy('--session', 'nope')]);
  });

  it("attach's own exit codes each have their message", () => {
    const how = { session: 'a:b' };
    expect(attachOutcome('demo', 0, {})).toEqual({ kind: 'ok' });
    expect(attachOutcome('demo', 81, how)).toMatchObject({ kind: 'error', error: { exitCode: ExitCode.notFound } });
    expect(attachOutcome('demo', 81, how)).toMatchObject({ error: { hint: expect.stringContaining('--new <name>') } });
    expect(attachOutcome('demo', 80, {})).toMatchObject({
      kind: 'error',
      error: { message: 'the workstation of demo did not accept the attach request (its image and this rgsd differ)' },
    });
    expect(attachOutcome('demo', 83, {})).toMatchObject({
      kind: 'error',
      error: { message: 'tmux does not answer in the workstation of demo', hint: expect.stringContaining('rgsd restart demo') },
    });
    expect(attachOutcome('demo', 82, {})).toMatchObject({
      kind: 'diagnose',
      fallback: { message: 'the workstation pod of demo is still shutting down' },
    });
    for (const code of [126, 127]) {
      expect(attachOutcome('demo', code, {})).toMatchObject({
        kind: 'diagnose',
        fallback: { message: 'the workstation of demo could not run /opt/rgsd/attach (an image older than this rgsd?)' },
      });
    }
    expect(attachOutcome('demo', 1, {})).toEqual({ kind: 'diagnose', fallback: null });
    expect(attachOutcome('demo', 3, {})).toEqual({ kind: 'diagnose', fallback: null });
  });

  it('usage (80) and tmux (83) failures are reported without a diagnosis call', async () => {
    for (const [code, message] of [
      [80, /did not accept the attach request/],
      [83, /tmux does not answer/],
    ] as const) {
      const t = await testApp({ runner: runner({ attachExit: code }), interactive: true, now: NOW });
      await expect(connect(t.app, 'demo', undefined, {})).rejects.toMatchObject({ message });
      expect(t.runner.argvs).toEqual([attachDeploy()]);
    }
  });

  it('a pod that is shutting down (82) is tried again, then attached: no diagnosis', async () => {
    const t = await testApp({ runner: runner({ attachExit: [82, 0] }), interactive: true, now: NOW });
    await connect(t.app, 'demo', undefined, {});
    expect(t.runner.argvs).toEqual([attachDeploy(), attachDeploy()]);
    expect(t.stderr()).toContain('warning: the pod of demo is shutting down; trying again (1 of 2)');
  });

  it('still shutting down after the bounded retries: one diagnosis call, then "still shutting down"', async () => {
    const t = await testApp({ runner: runner({ attachExit: [82, 82, 82, 0] }), interactive: true, now: NOW });
    const err = await connect(t.app, 'demo', undefined, {}).catch((e: unknown) => e);
    expect(err).toMatchObject({ message: 'the workstation pod of demo is still shutting down' });
    expect(t.runner.argvs).toEqual([attachDeploy(), attachDeploy(), attachDeploy(), getPods()]);
    // the diagnosis sees it going away: that is the error
    const t2 = await testApp({
      runner: runner({ attachExit: [82, 82, 82], pods: [pod('demo-rgsd-abc', { deleting: true })] }),
      interactive: true,
      now: NOW,
    });
    await expect(connect(t2.app, 'demo', undefined, {})).rejects.toMatchObject({
      message: 'the pod demo-rgsd-abc of demo is going away (deleted or replaced)',
    });
  });

  it("the attached command's exit status becomes rgsd's, silently (after one look at the pod)", async () => {
    const t = await testApp({ runner: runner({ attachExit: 3 }), interactive: true, now: NOW });
    const err = await connect(t.app, 'demo', undefined, {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChildExitError);
    let printed = '';
    expect(reportError(err, false, (s) => (printed += s))).toBe(3);
    expect(printed).toBe('');
    expect(t.runner.argvs).toEqual([attachDeploy(), getPods()]);
  });

  it('never attaches without stdin and stdout on a terminal: clear usage error before any cluster call', async () => {
    const t = await testApp({ runner: runner(), interactive: false, now: NOW });
    const err = await connect(t.app, 'demo', undefined, {}).catch((e: unknown) => e);
    expect(err).toMatchObject({
      exitCode: ExitCode.usage,
      message: expect.stringMatching(/^rgsd connect attaches your terminal, but (stdin|stdout|stdin and stdout) (is|are) not a terminal$/),
    });
    expect((err as { hint: string }).hint).toContain('rgsd connect --list');
    expect(t.runner.argvs).toEqual([]);
  });

  it('stderr redirected (stdin and stdout terminals) is fine: it attaches', async () => {
    const t = await testApp({ runner: runner(), interactive: false, attachable: true, now: NOW });
    await connect(t.app, 'demo', undefined, {});
    expect(t.runner.argvs).toEqual([attachDeploy()]);
  });
});

describe('rgsd connect — the diagnosis after a failed attach', () => {
  /** kubectl's own failure (exit 1): no pod to exec into, or one that cannot take it */
  const failing = (items: unknown[]) => runner({ pods: items, attachExit: 1 });

  it('a pod that is not Running: phase, reason (ImagePullBackOff) and the hint `rgsd up <project>`', async () => {
    const t = await testApp({
      runner: failing([pod('demo-rgsd-abc', { phase: 'Pending', waiting: 'ImagePullBackOff' })]),
      interactive: true,
      now: NOW,
    });
    const err = await connect(t.app, 'demo', undefined, {}).catch((e: unknown) => e);
    expect(err).toMatchObject({ message: 'the workstation pod of demo is Pending (ImagePullBackOff): demo-rgsd-abc' });
    expect((err as { hint: string }).hint).toMatch(/^run `rgsd up demo`/);
    expect(t.runner.argvs).toEqual([attachDeploy(), getPods()]);
  });

  it('Pending unschedulable: the scheduler message is shown', async () => {
    const msg = '0/1 nodes are available: 1 Insufficient memory.';
    const t = await testApp({
      runner: failing([pod('demo-rgsd-abc', { phase: 'Pending', unschedulable: msg })]),
      interactive: true,
      now: NOW,
    });
    await expect(connect(t.app, 'demo', undefined, {})).rejects.toMatchObject({
      message: `the workstation pod of demo is Pending (Unschedulable: ${msg}): demo-rgsd-abc`,
    });
  });

  it('the diagnosis looks at the best pod (the one rule): a terminating one is passed over for its replacement', async () => {
    const t = await testApp({
      runner: failing([
        pod('demo-rgsd-old', { deleting: true }),
        pod('demo-rgsd-new', { phase: 'Pending', created: '2026-11-23T11:59:30Z' }),
      ]),
      interactive: true,
      now: NOW,
    });
    await expect(connect(t.app, 'demo', undefined, {})).rejects.toMatchObject({
      message: 'the workstation pod of demo is Pending: demo-rgsd-new',
    });
  });

  it('no pod at all → not found (exit 6) with `rgsd up`', async () => {
    const t = await testApp({ runner: failing([]), interactive: true, now: NOW });
    await expect(connect(t.app, 'demo', undefined, {})).rejects.toMatchObject({
      exitCode: ExitCode.notFound,
      message: 'demo has no workstation pod in namespace rgsd (context ctx)',
      hint: 'start it with `rgsd up demo`',
    });
  });

  it('asleep (no pod, 0 replicas): says so, wakes it (scale 1, rollout), attaches again', async () => {
    const r = runner({ pods: [], attachExit: [1, 0] })
      .on(SLEEP_STATE, { stdout: deploymentList(0, '2026-11-23T10:00:00Z') })
      .on(['kubectl', ...K, 'scale', 'deployment/demo-rgsd', '--replicas=1'])
      .on(argv.rollout);
    const t = await testApp({ runner: r, interactive: true, now: NOW });
    await connect(t.app, 'demo', undefined, {});
    expect(t.runner.argvs).toEqual([
      attachDeploy(),
      getPods(),
      SLEEP_STATE,
      ['kubectl', ...K, 'scale', 'deployment/demo-rgsd', '--replicas=1'],
      argv.rollout,
      attachDeploy(),
    ]);
    expect(t.stderr()).toContain('demo is asleep since 2026-11-23T10:00:00Z: waking it (kubectl scale deployment/demo-rgsd --replicas=1)');
  });

  it('a pod that looks fine: the exit status, silently', async () => {
    const t = await testApp({ runner: failing([pod('demo-rgsd-abc')]), interactive: true, now: NOW });
    await expect(connect(t.app, 'demo', undefined, {})).rejects.toBeInstanceOf(ChildExitError);
  });

  it('the image has no /opt/rgsd/attach (126/127) and the pod looks fine: says so, with `rgsd up`', async () => {
    const t = await testApp({ runner: runner({ attachExit: 127 }), interactive: true, now: NOW });
    await expect(connect(t.app, 'demo', undefined, {})).rejects.toMatchObject({
      message: 'the workstation of demo could not run /opt/rgsd/attach (an image older than this rgsd?)',
      hint: '`rgsd up demo` deploys the image of this rgsd version',
    });
  });
});

describe('rgsd connect — project picker', () => {
  const all = getPods('app.kubernetes.io/name=rgsd');
  function multiRunner(items: unknown[]): FakeRunner {
    return new FakeRunner().on(all, pods(...items)).on(attachPod('web-rgsd-1'), {});
  }

  it('several projects running and none named → picker over the running ones (one pod list), then the attach to the pod picked', async () => {
    const prompter = new FakePrompter([], true);
    const items = [
      pod('demo-rgsd-abc'),
      pod('web-rgsd-1', { project: 'web' }),
      pod('api-rgsd-1', { project: 'api', phase: 'Pending', waiting: 'ErrImagePull' }),
    ];
    const t = await testApp({ runner: multiRunner(items), prompter, interactive: true, now: NOW });
    writeProject(t.configDir, 'demo');
    writeProject(t.configDir, 'web');
    // the choice values are pod summaries: answer by the displayed name
    prompter.select = async <T>(message: string, choices: Choice<T>[]): Promise<T> => {
      prompter.asked.push({ kind: 'select', message, choices: choices.map((c) => c.name) });
      return (choices.find((c) => c.name === 'web') as Choice<T>).value;
    };
    await connect(t.app, undefined, undefined, {});
    expect(prompter.asked).toEqual([{ kind: 'select', message: 'Connect to which project?', choices: ['demo', 'web'] }]);
    expect(t.runner.argvs).toEqual([all, attachPod('web-rgsd-1')]);
  });

  it('one running project among several configured → no picker', async () => {
    const t = await testApp({
      runner: multiRunner([pod('web-rgsd-1', { project: 'web' })]),
      prompter: new FakePrompter([], true),
      interactive: true,
      now: NOW,
    });
    writeProject(t.configDir, 'demo');
    writeProject(t.configDir, 'web');
    await connect(t.app, undefined, undefined, {});
    expect(t.runner.argvs.at(-1)).toEqual(attachPod('web-rgsd-1'));
  });

  it('the picked pod is shutting down (82): not tried again (it is that pod), one look says it went away', async () => {
    const web = (o: { deleting?: boolean } = {}) => pod('web-rgsd-1', { project: 'web', ...o });
    const r = multiRunner([web()])
      .on(attachPod('web-rgsd-1'), { exitCode: 82 })
      .on(getPods('rgsd.dev/project=web'), pods(web({ deleting: true })));
    const t = await testApp({ runner: r, prompter: new FakePrompter([], true), interactive: true, now: NOW });
    writeProject(t.configDir, 'demo');
    writeProject(t.configDir, 'web');
    await expect(connect(t.app, undefined, undefined, {})).rejects.toMatchObject({
      message: 'the pod web-rgsd-1 went away (deleted or replaced)',
    });
    expect(t.runner.argvs).toEqual([all, attachPod('web-rgsd-1'), getPods('rgsd.dev/project=web')]);
  });

  it('nothing running → not found, naming the configured projects', async () => {
    const t = await testApp({ runner: multiRunner([]), interactive: true, now: NOW });
    writeProject(t.configDir, 'demo');
    writeProject(t.configDir, 'web');
    await expect(connect(t.app, undefined, undefined, {})).rejects.toMatchObject({
      exitCode: ExitCode.notFound,
      message: 'no rgsd workstation in namespace rgsd (context ctx)',
      hint: 'start one with `rgsd up <project>` (configured: demo, web)',
    });
  });

  it('a picked project pinned to another context is refused', async () => {
    const t = await testApp({ runner: multiRunner([pod('web-rgsd-1', { project: 'web' })]), interactive: true, now: NOW });
    writeProject(t.configDir, 'demo');
    writeProject(t.configDir, 'web', { settings: 'context: prod\n' });
    const err = await connect(t.app, undefined, undefined, {}).catch((e: unknown) => e);
    expect(err).toMatchObject({
      exitCode: ExitCode.config,
      message: 'project web is pinned to context "prod" but the current context is "ctx"',
    });
    expect((err as { hint: string }).hint).toMatch(/^pass --context prod/);
    expect(t.runner.argvs.filter((a) => a.includes('-it'))).toEqual([]);
  });
});

describe('rgsd connect --list', () => {
  it('prints the sessions as a table, without a TTY', async () => {
    const t = await testApp({ runner: runner({ sessions: ['main', 'review'] }), interactive: false, now: NOW });
    await connect(t.app, 'demo', undefined, { list: true });
    expect(t.runner.argvs).toEqual([getPods(), argv.execStatus('demo-rgsd-abc')]);
    expectGolden('connect-list', `$ rgsd connect demo --list\n--- stdout\n${t.stdout()}--- stderr\n${t.stderr()}`);
  });

  it('no session: says how to start one (stderr), stdout stays empty', async () => {
    const t = await testApp({ runner: runner({ sessions: [] }), interactive: false, now: NOW });
    await connect(t.app, 'demo', undefined, { list: true });
    expect(t.stdout()).toBe('');
    expect(t.stderr()).toContain('no tmux session in demo-rgsd-abc; `rgsd connect demo --new main` starts one');
  });

  it('--json prints one document', async () => {
    const t = await testApp({ runner: runner({ sessions: ['main'] }), interactive: false, now: NOW, globals: { json: true } });
    await connect(t.app, 'demo', undefined, { list: true });
    expect(JSON.parse(t.stdout())).toEqual({
      schemaVersion: 1,
      project: 'demo',
      context: 'ctx',
      namespace: 'rgsd',
      pod: 'demo-rgsd-abc',
      sessions: [{ name: 'main', windows: 1, attached: false, created: '2023-11-14T22:13:20Z' }],
    });
  });

  it('--list with --new is a usage error', async () => {
    const t = await testApp({ runner: runner(), interactive: false, now: NOW });
    await expect(connect(t.app, 'demo', undefined, { list: true, new: 'x' })).rejects.toMatchObject({ exitCode: ExitCode.usage });
  });
});

describe('rgsd connect — flag combinations and readiness', () => {
  it('--json without --list is a usage error before any call', async () => {
    const t = await testApp({ runner: runner(), interactive: true, now: NOW, globals: { json: true } });
    await expect(connect(t.app, 'demo', undefined, {})).rejects.toMatchObject({
      exitCode: ExitCode.usage,
      message: '--json goes with --list',
    });
    expect(t.runner.argvs).toEqual([]);
  });

  it('a session argument together with --new is a usage error', async () => {
    const t = await testApp({ runner: runner(), interactive: true, now: NOW });
    await expect(connect(t.app, 'demo', 'main', { new: 'scratch' })).rejects.toMatchObject({ exitCode: ExitCode.usage });
    expect(t.runner.argvs).toEqual([]);
  });

  it('a session argument is passed on as given; the pod checks it (no session list first)', async () => {
    const t = await testApp({ runner: runner(), interactive: true, now: NOW });
    await connect(t.app, 'demo', 'review', {});
    expect(t.runner.argvs).toEqual([attachDeploy('--session', 'review')]);
    expect(t.stderr()).toContain('attaching to tmux session "review" of demo (detach: Ctrl-b d)');
  });
});

describe('connect ops: the data the command renders', () => {
  const t0 = { context: 'ctx', namespace: 'rgsd' };

  it('locateProjectPod: one cluster call; the pod connect picks is the pod status shows (one rule)', async () => {
    // Running but not ready (newer) vs Running and ready (older): the ready one wins
    const items = [
      pod('demo-rgsd-new', { ready: false, created: '2026-11-23T11:59:00Z' }),
      pod('demo-rgsd-old', { created: '2026-11-23T10:00:00Z' }),
      pod('demo-rgsd-pending', { phase: 'Pending', created: '2026-11-23T11:59:50Z' }),
    ];
    const r = new FakeRunner().on(getPods(), pods(...items));
    const t = await testApp({ runner: r, now: NOW });
    const located = await locateProjectPod(t.app, t0, 'demo', projectNames('demo'));
    expect(located.name).toBe('demo-rgsd-old');
    expect(choosePod(items as K8sObject[], NOW)?.name).toBe(located.name);
    expect(rankPods(items.map((p) => summarizePod(p as K8sObject, NOW))).map((p) => p.name)).toEqual([
      'demo-rgsd-old',
      'demo-rgsd-new',
      'demo-rgsd-pending',
    ]);
    expect(t.runner.argvs).toEqual([getPods()]);
  });

  it('runningWorkstations: the best pod per project, running only, by project name', async () => {
    const all = getPods('app.kubernetes.io/name=rgsd');
    const items = [
      pod('web-rgsd-2', { project: 'web', deleting: true }),
      pod('web-rgsd-1', { project: 'web' }),
      pod('api-rgsd-1', { project: 'api' }),
      pod('db-rgsd-1', { project: 'db', phase: 'Pending', waiting: 'ErrImagePull' }),
    ];
    const t = await testApp({ runner: new FakeRunner().on(all, pods(...items)), now: NOW });
    expect((await runningWorkstations(t.app, t0, [])).map((p) => [p.project, p.name])).toEqual([
      ['api', 'api-rgsd-1'],
      ['web', 'web-rgsd-1'],
    ]);

    // nothing running: the states are named
    const t2 = await testApp({
      runner: new FakeRunner().on(all, pods(items[3], pod('x-rgsd-1', { project: 'x', phase: 'Failed' }))),
      now: NOW,
    });
    await expect(runningWorkstations(t2.app, t0, [])).rejects.toMatchObject({
      exitCode: ExitCode.notFound,
      message: 'no running workstation in namespace rgsd (db: Pending/ErrImagePull, x: Failed)',
      hint: 'create one with `rgsd init <project>` and `rgsd up`',
    });
    // only one project and it is not running: its own error
    const t3 = await testApp({ runner: new FakeRunner().on(all, pods(items[3])), now: NOW });
    await expect(runningWorkstations(t3.app, t0, ['db'])).rejects.toMatchObject({
      message: 'the workstation pod of db is Pending (ErrImagePull): db-rgsd-1',
    });
  });
});

describe('rgsd connect — a crashing workstation', () => {
  const logs = (podName: string, previous: boolean) => [
    'kubectl',
    ...K,
    'logs',
    podName,
    '-c',
    'workstation',
    '--tail=20',
    ...(previous ? ['--previous'] : []),
  ];
  const CRASH_LOG = [
    'rgsd: cloning https://github.com/org/repo.git into /home/gsd/workspace',
    "fatal: could not read Username for 'https://github.com': terminal prompts disabled",
    '\x1b[31mrgsd: clone failed; starting tmux anyway\x1b[0m\r',
    'exec: tmux: Argument list too long',
    '',
  ].join('\n');
  const crashLoop = pod('demo-rgsd-abc', {
    waiting: 'CrashLoopBackOff',
    ready: false,
    restarts: 5,
    last: { reason: 'Error', exitCode: 1 },
  });
  const execFails: { exitCode: number; stderr: string } = {
    exitCode: 1,
    stderr: 'error: unable to upgrade connection: container not found ("workstation")\n',
  };

  function crashRunner(podsSeen: unknown[][], extra: (r: FakeRunner) => FakeRunner = (r) => r): FakeRunner {
    return extra(
      runner()
        .on(
          getPods(),
          podsSeen.map((items) => pods(...items)),
        )
        .on(logs('demo-rgsd-abc', true), { stdout: CRASH_LOG })
        .on(logs('demo-rgsd-abc', false), { stdout: 'current run\n' }),
    );
  }

  it('CrashLoopBackOff: the attach fails, then the reason, the restarts, the last 20 log lines of the run before, the hint `rgsd logs <p> --previous`', async () => {
    const t = await testApp({ runner: crashRunner([[crashLoop]], (r) => r.on(attachDeploy(), execFails)), interactive: true, now: NOW });
    writeProject(t.configDir, 'demo');
    const err = await connect(t.app, 'demo', undefined, {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RgsdError);
    expect(err).toMatchObject({
      exitCode: ExitCode.failure,
      message:
        'the workstation container of demo is crashing (CrashLoopBackOff; restarted 5 times; last exit: Error, code 1): demo-rgsd-abc',
      hint: 'its whole log: `rgsd logs demo --previous`; `rgsd status demo` shows the pod, `rgsd up demo` redeploys it after a fix',
    });
    expect(t.runner.argvs).toEqual([attachDeploy(), getPods(), logs('demo-rgsd-abc', true)]);
    let printed = '';
    expect(reportError(err, false, (s) => (printed += s))).toBe(1);
    // the terminal escape sequences and the carriage return of the log are gone
    expect(t.stderr()).not.toMatch(/[\x1b\r]/);
    expectGolden('connect-crash', `$ rgsd connect demo\n--- stdout\n${t.stdout()}--- stderr\n${t.stderr()}${printed}`);
  });

  it('the same after --new; --list diagnoses before any in-pod call', async () => {
    const t = await testApp({
      runner: crashRunner([[crashLoop]], (r) => r.on(attachDeploy('--new', 'scratch'), execFails)),
      interactive: true,
      now: NOW,
    });
    await expect(connect(t.app, 'demo', undefined, { new: 'scratch' })).rejects.toMatchObject({ message: /is crashing/ });
    expect(t.runner.argvs).toEqual([attachDeploy('--new', 'scratch'), getPods(), logs('demo-rgsd-abc', true)]);
    const l = await testApp({ runner: crashRunner([[crashLoop]]), now: NOW });
    await expect(connect(l.app, 'demo', undefined, { list: true })).rejects.toMatchObject({ message: /is crashing/ });
    expect(l.runner.argvs).toEqual([getPods(), logs('demo-rgsd-abc', true)]);
  });

  it('running again after restarts but not ready (its readiness check keeps failing): diagnosed after a failed attach, and by --list', async () => {
    const unready = pod('demo-rgsd-abc', { ready: false, restarts: 2, last: { reason: 'OOMKilled', exitCode: 137 } });
    const message =
      'the workstation container of demo keeps failing its readiness check (its tmux session is not up; restarted 2 times; last exit: OOMKilled, code 137): demo-rgsd-abc';
    const t = await testApp({
      runner: crashRunner([[unready]], (r) => r.on(attachDeploy(), { exitCode: 1 })),
      interactive: true,
      now: NOW,
    });
    await expect(connect(t.app, 'demo', undefined, {})).rejects.toMatchObject({ message });
    expect(t.runner.argvs).toEqual([attachDeploy(), getPods(), logs('demo-rgsd-abc', true)]);
    const l = await testApp({ runner: crashRunner([[unready]]), now: NOW });
    await expect(connect(l.app, 'demo', undefined, { list: true })).rejects.toMatchObject({ message });
  });

  it('ended before any restart: the current log (no --previous, in the call and in the hint)', async () => {
    const ended = pod('demo-rgsd-abc', { ready: false, terminated: { reason: 'Error', exitCode: 2 } });
    const t = await testApp({ runner: crashRunner([[ended]], (r) => r.on(attachDeploy(), execFails)), interactive: true, now: NOW });
    await expect(connect(t.app, 'demo', undefined, {})).rejects.toMatchObject({
      message: 'the workstation container of demo is not running (exited: Error, code 2): demo-rgsd-abc',
      hint: 'its whole log: `rgsd logs demo`; `rgsd status demo` shows the pod, `rgsd up demo` redeploys it after a fix',
    });
    expect(t.runner.argvs).toEqual([attachDeploy(), getPods(), logs('demo-rgsd-abc', false)]);
    expect(t.stderr()).toContain('last 1 line of the workstation log of demo-rgsd-abc (its last run):\n  │ current run\n');
  });

  it('a log that cannot be read: the current run is tried, then a warning; the diagnosis stands', async () => {
    const gone = { exitCode: 1, stderr: 'Error from server (BadRequest): previous terminated container "workstation" not found\n' };
    const t = await testApp({
      runner: crashRunner([[crashLoop]], (r) =>
        r.on(attachDeploy(), execFails).on(logs('demo-rgsd-abc', true), gone).on(logs('demo-rgsd-abc', false), gone),
      ),
      interactive: true,
      now: NOW,
    });
    await expect(connect(t.app, 'demo', undefined, {})).rejects.toMatchObject({ message: /is crashing/ });
    expect(t.runner.argvs).toEqual([attachDeploy(), getPods(), logs('demo-rgsd-abc', true), logs('demo-rgsd-abc', false)]);
    expect(t.stderr()).toContain('warning: could not read the log of demo-rgsd-abc: kubectl failed:');
  });

  it('a ready pod that restarted long ago is attached as usual (one call)', async () => {
    const healed = pod('demo-rgsd-abc', { restarts: 3, last: { reason: 'Error', exitCode: 1 } });
    const t = await testApp({ runner: crashRunner([[healed]]), interactive: true, now: NOW });
    await connect(t.app, 'demo', undefined, {});
    expect(t.runner.argvs).toEqual([attachDeploy()]);
  });

  it("--list: the session list fails with kubectl's `unable to upgrade connection` and the pod now crashes: the crash, not the raw error", async () => {
    const t = await testApp({
      runner: crashRunner([[pod('demo-rgsd-abc')], [crashLoop]], (r) => r.on(argv.execStatus('demo-rgsd-abc'), execFails)),
      now: NOW,
    });
    const err = await connect(t.app, 'demo', undefined, { list: true }).catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(CommandError);
    expect(err).toMatchObject({ message: expect.stringMatching(/^the workstation container of demo is crashing \(CrashLoopBackOff;/) });
    expect(String((err as Error).message)).not.toContain('upgrade');
    expect(t.runner.argvs).toEqual([getPods(), argv.execStatus('demo-rgsd-abc'), getPods(), logs('demo-rgsd-abc', true)]);
    expect(t.stderr()).toContain('│ exec: tmux: Argument list too long');
  });

  it('--list: the session list fails but the pod looks fine: the original error stands', async () => {
    const t = await testApp({
      runner: crashRunner([[pod('demo-rgsd-abc')]], (r) => r.on(argv.execStatus('demo-rgsd-abc'), execFails)),
      now: NOW,
    });
    await expect(connect(t.app, 'demo', undefined, { list: true })).rejects.toBeInstanceOf(CommandError);
    expect(t.runner.argvs).toEqual([getPods(), argv.execStatus('demo-rgsd-abc'), getPods()]);
  });

  it('--list: the session list fails because the pod went away: says so', async () => {
    const t = await testApp({
      runner: crashRunner([[pod('demo-rgsd-abc')], [pod('demo-rgsd-new', { ready: false })]], (r) =>
        r.on(argv.execStatus('demo-rgsd-abc'), { exitCode: 1, stderr: 'Error from server (NotFound): pods "demo-rgsd-abc" not found\n' }),
      ),
      now: NOW,
    });
    await expect(connect(t.app, 'demo', undefined, { list: true })).rejects.toMatchObject({
      message: 'the pod demo-rgsd-abc went away (deleted or replaced)',
      hint: 'run `rgsd connect demo` again; `rgsd status demo` shows its pod',
    });
  });

  it('the attach fails because the pod stopped running (evicted): its phase and the `rgsd up` hint', async () => {
    const evicted = pod('demo-rgsd-abc', { phase: 'Failed', ready: false });
    const t = await testApp({ runner: crashRunner([[evicted]], (r) => r.on(attachDeploy(), execFails)), interactive: true, now: NOW });
    const err = await connect(t.app, 'demo', undefined, {}).catch((e: unknown) => e);
    expect(err).toMatchObject({ message: 'the workstation pod of demo is Failed: demo-rgsd-abc' });
    expect((err as RgsdError).hint).toMatch(/^run `rgsd up demo`/);
  });

  it('a non-zero attach whose second look fails (cluster gone): the exit status, silently', async () => {
    const t = await testApp({
      runner: crashRunner([[]], (r) => r.on(attachDeploy(), { exitCode: 4 }).on(getPods(), UNREACHABLE)),
      interactive: true,
      now: NOW,
    });
    const err = await connect(t.app, 'demo', undefined, {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChildExitError);
    expect((err as ChildExitError).exitCode).toBe(4);
    expect(t.runner.argvs).toEqual([attachDeploy(), getPods()]);
  });

  it('the project picker marks a crashing workstation', async () => {
    const all = getPods('app.kubernetes.io/name=rgsd');
    const prompter = new FakePrompter([], true);
    const crashingWeb = pod('web-rgsd-1', { project: 'web', waiting: 'CrashLoopBackOff', ready: false, restarts: 1 });
    const t = await testApp({
      runner: new FakeRunner()
        .on(all, pods(pod('demo-rgsd-abc'), crashingWeb))
        .on(['kubectl', ...K, 'get', 'pods', '-l', 'rgsd.dev/project=web', '-o', 'json'], pods(crashingWeb))
        .on(logs('web-rgsd-1', true), { stdout: 'boom\n' }),
      prompter,
      interactive: true,
      now: NOW,
    });
    writeProject(t.configDir, 'demo');
    writeProject(t.configDir, 'web');
    const described: string[] = [];
    prompter.select = async <T>(_message: string, choices: Choice<T>[]): Promise<T> => {
      described.push(...choices.map((c) => `${c.name}: ${c.description ?? ''}`));
      return (choices.find((c) => c.name === 'web') as Choice<T>).value;
    };
    await expect(connect(t.app, undefined, undefined, {})).rejects.toMatchObject({
      message: 'the workstation container of web is crashing (CrashLoopBackOff; restarted 1 time): web-rgsd-1',
    });
    expect(described).toEqual(['demo: demo-rgsd-abc, ready, age 2h', 'web: web-rgsd-1, crashing (CrashLoopBackOff), age 2h']);
    expect(t.runner.argvs.filter((a) => a.includes('exec'))).toEqual([]);
  });

  it('crashOf: only a Running pod whose workstation container is not running, or not ready again after a restart', () => {
    const at = (o: Parameters<typeof pod>[1]): ConnectPod => {
      const obj = pod('p', o) as K8sObject;
      return { ...summarizePod(obj, NOW), workstation: workstationOf(obj) };
    };
    expect(crashOf(at({}))).toBeNull();
    expect(crashOf(at({ ready: false }))).toBeNull(); // first boot, not ready yet
    expect(crashOf(at({ restarts: 2 }))).toBeNull(); // ready again
    expect(crashOf(at({ phase: 'Pending', waiting: 'ImagePullBackOff' }))).toBeNull(); // not Running: `rgsd up`
    expect(crashOf(at({ waiting: 'CrashLoopBackOff', restarts: 1 }))).toMatchObject({ state: 'waiting', reason: 'CrashLoopBackOff' });
    expect(crashOf(at({ ready: false, restarts: 1 }))).toMatchObject({ state: 'running', restarts: 1 });
    expect(crashOf(at({ terminated: { reason: 'Completed', exitCode: 0 } }))).toMatchObject({ state: 'terminated', exitCode: 0 });
  });
});
