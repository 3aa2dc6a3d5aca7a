import { describe, expect, it } from 'vitest';
import connectCommand from '../../src/commands/connect.js';
import type { App } from '../../src/core/app.js';
import { ChildExitError, CommandError, ExitCode, NotFoundError, RgsdError } from '../../src/core/errors.js';
import { choosePod, rankPods, summarizePod, type K8sObject, type SessionInfo } from '../../src/cluster/workload.js';
import { crashOf, locateProjectPod, planSession, runningWorkstations, workstationOf, type ConnectPod } from '../../src/ops/connect.js';
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
const attach = (pod: string, ...cmd: string[]) => ['kubectl', ...K, 'exec', '-it', pod, '-c', 'workstation', '--', ...cmd];

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

function runner(o: { pods?: unknown[]; sessions?: string[]; attachExit?: number } = {}): FakeRunner {
  const p = o.pods ?? [pod('demo-rgsd-abc')];
  return new FakeRunner()
    .on(argv.currentContext, { stdout: 'ctx\n' })
    .on(getPods(), pods(...p))
    .on(argv.execStatus('demo-rgsd-abc'), sessions(...(o.sessions ?? ['main'])))
    .on(attach('demo-rgsd-abc', 'tmux', 'attach', '-t', 'main'), { exitCode: o.attachExit ?? 0 })
    .on(attach('demo-rgsd-abc', 'tmux', 'attach', '-t', 'review'), {})
    .on(attach('demo-rgsd-abc', 'tmux', '-CC', 'attach', '-t', 'main'), {})
    .on(attach('demo-rgsd-abc', 'tmux', 'new-session', '-A', '-s', 'scratch'), {})
    .on(attach('demo-rgsd-abc', 'zsh', '-l'), {});
}

/** Calls that reach the cluster (the kubeconfig read is local). */
const clusterCalls = (argvs: string[][]) => argvs.filter((a) => !(a[1] === 'config'));

describe('rgsd connect — attach', () => {
  it('one pod, one session: at most 2 cluster calls, then kubectl exec -it … tmux attach with the terminal passed through', async () => {
    const t = await testApp({ runner: runner(), interactive: true, now: NOW });
    writeProject(t.configDir, 'demo');
    await connect(t.app, 'demo', undefined, {});
    const expected = attach('demo-rgsd-abc', 'tmux', 'attach', '-t', 'main');
    expect(t.runner.argvs).toEqual([argv.currentContext, getPods(), argv.execStatus('demo-rgsd-abc'), expected]);
    const before = clusterCalls(t.runner.argvs.slice(0, -1));
    expect(before).toHaveLength(2);
    expect(expected).toEqual([
      'kubectl',
      '--context',
      'ctx',
      '-n',
      'rgsd',
      'exec',
      '-it',
      'demo-rgsd-abc',
      '-c',
      'workstation',
      '--',
      'tmux',
      'attach',
      '-t',
      'main',
    ]);
    const last = t.runner.calls.at(-1);
    expect(last?.opts.interactive).toBe(true);
    expect(last?.stdin).toBeUndefined();
    expectGolden('connect-attach', `$ rgsd connect demo\n--- stdout\n${t.stdout()}--- stderr\n${t.stderr()}`);
  });

  it('several sessions → picker (configured session first); the pick is attached', async () => {
    const prompter = new FakePrompter(['review'], true);
    const t = await testApp({ runner: runner({ sessions: ['review', 'main'] }), prompter, interactive: true, now: NOW });
    await connect(t.app, 'demo', undefined, {});
    expect(prompter.asked).toEqual([{ kind: 'select', message: 'Attach to which tmux session?', choices: ['main', 'review'] }]);
    expect(t.runner.argvs.at(-1)).toEqual(attach('demo-rgsd-abc', 'tmux', 'attach', '-t', 'review'));
  });

  it('a named session is attached without a picker; an unknown one is "not found" (exit 6) with the --new hint', async () => {
    const t = await testApp({ runner: runner({ sessions: ['main', 'review'] }), interactive: true, now: NOW });
    await connect(t.app, 'demo', 'review', {});
    expect(t.runner.argvs.at(-1)).toEqual(attach('demo-rgsd-abc', 'tmux', 'attach', '-t', 'review'));

    const t2 = await testApp({ runner: runner({ sessions: ['main'] }), interactive: true, now: NOW });
    const err = await connect(t2.app, 'demo', 'nope', {}).catch((e: unknown) => e);
    expect(err).toMatchObject({
      exitCode: ExitCode.notFound,
      message: 'no tmux session "nope" in demo (sessions: main)',
      hint: 'create it with `rgsd connect demo --new nope`',
    });
    expect(t2.runner.argvs.filter((a) => a.includes('-it'))).toEqual([]);
  });

  it('no session → a login shell (zsh -l) with a warning', async () => {
    const t = await testApp({ runner: runner({ sessions: [] }), interactive: true, now: NOW });
    await connect(t.app, 'demo', undefined, {});
    expect(t.runner.argvs.at(-1)).toEqual(attach('demo-rgsd-abc', 'zsh', '-l'));
    expect(t.stderr()).toContain('no tmux session is running in demo-rgsd-abc; opening a login shell');
  });

  it('--new <name> → tmux new-session -A -s name, with a single cluster call before it', async () => {
    const t = await testApp({ runner: runner(), interactive: true, now: NOW });
    await connect(t.app, 'demo', undefined, { new: 'scratch' });
    expect(t.runner.argvs).toEqual([argv.currentContext, getPods(), attach('demo-rgsd-abc', 'tmux', 'new-session', '-A', '-s', 'scratch')]);
  });

  it('--new rejects names tmux would mangle, before any call', async () => {
    const t = await testApp({ runner: runner(), interactive: true, now: NOW });
    await expect(connect(t.app, 'demo', undefined, { new: 'a:b' })).rejects.toMatchObject({ exitCode: ExitCode.usage });
    expect(t.runner.argvs).toEqual([]);
  });

  it('--iterm → tmux -CC attach', async () => {
    const t = await testApp({ runner: runner(), interactive: true, now: NOW });
    await connect(t.app, 'demo', undefined, { iterm: true });
    expect(t.runner.argvs.at(-1)).toEqual(attach('demo-rgsd-abc', 'tmux', '-CC', 'attach', '-t', 'main'));
  });

  it("the attached command's exit status becomes rgsd's, silently", async () => {
    const t = await testApp({ runner: runner({ attachExit: 3 }), interactive: true, now: NOW });
    const err = await connect(t.app, 'demo', undefined, {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChildExitError);
    let printed = '';
    expect(reportError(err, false, (s) => (printed += s))).toBe(3);
    expect(printed).toBe('');
  });

  it('never attaches without a TTY: clear usage error before any cluster call', async () => {
    const t = await testApp({ runner: runner(), interactive: false, now: NOW });
    const err = await connect(t.app, 'demo', undefined, {}).catch((e: unknown) => e);
    expect(err).toMatchObject({
      exitCode: ExitCode.usage,
      message: 'rgsd connect attaches your terminal, but stdin/stdout is not a terminal',
    });
    expect((err as { hint: string }).hint).toContain('rgsd connect --list');
    expect(t.runner.argvs).toEqual([]);
  });
});

describe('rgsd connect — pod states', () => {
  it('a pod that is not Running: phase, reason (ImagePullBackOff) and the hint `rgsd up <project>`', async () => {
    const t = await testApp({
      runner: runner({ pods: [pod('demo-rgsd-abc', { phase: 'Pending', waiting: 'ImagePullBackOff' })] }),
      interactive: true,
      now: NOW,
    });
    const err = await connect(t.app, 'demo', undefined, {}).catch((e: unknown) => e);
    expect(err).toMatchObject({ message: 'the workstation pod of demo is Pending (ImagePullBackOff): demo-rgsd-abc' });
    expect((err as { hint: string }).hint).toMatch(/^run `rgsd up demo`/);
    expect(t.runner.argvs).toEqual([argv.currentContext, getPods()]);
  });

  it('Pending unschedulable: the scheduler message is shown', async () => {
    const msg = '0/1 nodes are available: 1 Insufficient memory.';
    const t = await testApp({
      runner: runner({ pods: [pod('demo-rgsd-abc', { phase: 'Pending', unschedulable: msg })] }),
      interactive: true,
      now: NOW,
    });
    await expect(connect(t.app, 'demo', undefined, {})).rejects.toMatchObject({
      message: `the workstation pod of demo is Pending (Unschedulable: ${msg}): demo-rgsd-abc`,
    });
  });

  it('a terminating pod is skipped for the running replacement', async () => {
    const t = await testApp({
      runner: runner({ pods: [pod('demo-rgsd-old', { deleting: true }), pod('demo-rgsd-abc', { created: '2026-11-23T11:59:30Z' })] }),
      interactive: true,
      now: NOW,
    });
    await connect(t.app, 'demo', undefined, {});
    expect(t.runner.argvs.at(-1)).toEqual(attach('demo-rgsd-abc', 'tmux', 'attach', '-t', 'main'));
  });

  it('no pod at all → not found (exit 6) with `rgsd up`', async () => {
    const t = await testApp({ runner: runner({ pods: [] }), interactive: true, now: NOW });
    await expect(connect(t.app, 'demo', undefined, {})).rejects.toMatchObject({
      exitCode: ExitCode.notFound,
      hint: 'start it with `rgsd up demo`',
    });
  });
});

describe('rgsd connect — project picker', () => {
  const all = getPods('app.kubernetes.io/name=rgsd');
  function multiRunner(items: unknown[]): FakeRunner {
    return new FakeRunner()
      .on(argv.currentContext, { stdout: 'ctx\n' })
      .on(all, pods(...items))
      .on(argv.execStatus('web-rgsd-1'), sessions('main'))
      .on(attach('web-rgsd-1', 'tmux', 'attach', '-t', 'main'), {});
  }

  it('several projects running and none named → picker over the running ones; still 2 cluster calls before the attach', async () => {
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
    expect(t.runner.argvs).toEqual([
      argv.currentContext,
      all,
      argv.execStatus('web-rgsd-1'),
      attach('web-rgsd-1', 'tmux', 'attach', '-t', 'main'),
    ]);
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
    expect(t.runner.argvs.at(-1)).toEqual(attach('web-rgsd-1', 'tmux', 'attach', '-t', 'main'));
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
    expect(t.runner.argvs).toEqual([argv.currentContext, getPods(), argv.execStatus('demo-rgsd-abc')]);
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

  it('a Running pod that is not Ready yet is attached, with a warning', async () => {
    const t = await testApp({ runner: runner({ pods: [pod('demo-rgsd-abc', { ready: false })] }), interactive: true, now: NOW });
    await connect(t.app, 'demo', undefined, {});
    expect(t.stderr()).toContain('demo-rgsd-abc is running but not ready yet');
    expect(t.runner.argvs.at(-1)).toEqual(attach('demo-rgsd-abc', 'tmux', 'attach', '-t', 'main'));
  });
});

describe('connect ops: the data the command renders', () => {
  const t0 = { context: 'ctx', namespace: 'rgsd' };
  const s = (name: string): SessionInfo => ({ name, windows: 1, attached: false, created: null });

  it('planSession: named (must exist), choose (configured session first), or a shell', () => {
    expect(planSession('demo', [s('a'), s('b')], 'b')).toEqual({ kind: 'named', session: 'b' });
    expect(planSession('demo', [s('a'), s('main'), s('b')], undefined)).toEqual({ kind: 'choose', sessions: [s('main'), s('a'), s('b')] });
    expect(planSession('demo', [s('a'), s('work')], undefined, 'work')).toEqual({ kind: 'choose', sessions: [s('work'), s('a')] });
    expect(planSession('demo', [], undefined)).toEqual({ kind: 'shell' });
    expect(() => planSession('demo', [s('a')], 'x')).toThrow(NotFoundError);
    // a name tmux cannot take is not suggested back
    expect(() => planSession('demo', [], 'a:b')).toThrow(
      expect.objectContaining({ hint: 'create it with `rgsd connect demo --new <name>`' }),
    );
  });

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
  const clusterArgvs = (r: FakeRunner) => r.argvs.filter((a) => a[1] !== 'config');

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

  it('CrashLoopBackOff: the reason, the restarts, the last 20 log lines of the run before, the hint `rgsd logs <p> --previous`; no exec at all', async () => {
    const t = await testApp({ runner: crashRunner([[crashLoop]]), interactive: true, now: NOW });
    writeProject(t.configDir, 'demo');
    const err = await connect(t.app, 'demo', undefined, {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RgsdError);
    expect(err).toMatchObject({
      exitCode: ExitCode.failure,
      message:
        'the workstation container of demo is crashing (CrashLoopBackOff; restarted 5 times; last exit: Error, code 1): demo-rgsd-abc',
      hint: 'its whole log: `rgsd logs demo --previous`; `rgsd status demo` shows the pod, `rgsd up demo` redeploys it after a fix',
    });
    expect(t.runner.argvs).toEqual([argv.currentContext, getPods(), logs('demo-rgsd-abc', true)]);
    let printed = '';
    expect(reportError(err, false, (s) => (printed += s))).toBe(1);
    // the terminal escape sequences and the carriage return of the log are gone
    expect(t.stderr()).not.toMatch(/[\x1b\r]/);
    expectGolden('connect-crash', `$ rgsd connect demo\n--- stdout\n${t.stdout()}--- stderr\n${t.stderr()}${printed}`);
  });

  it('the same for --new and --list: nothing is attached, no in-pod call', async () => {
    for (const opts of [{ new: 'scratch' }, { list: true }]) {
      const t = await testApp({ runner: crashRunner([[crashLoop]]), interactive: true, now: NOW });
      await expect(connect(t.app, 'demo', undefined, opts)).rejects.toMatchObject({ message: /is crashing/ });
      expect(t.runner.argvs).toEqual([argv.currentContext, getPods(), logs('demo-rgsd-abc', true)]);
    }
  });

  it('running again after restarts but not ready (its readiness check keeps failing): diagnosed, not attached', async () => {
    const unready = pod('demo-rgsd-abc', { ready: false, restarts: 2, last: { reason: 'OOMKilled', exitCode: 137 } });
    const t = await testApp({ runner: crashRunner([[unready]]), interactive: true, now: NOW });
    await expect(connect(t.app, 'demo', undefined, {})).rejects.toMatchObject({
      message:
        'the workstation container of demo keeps failing its readiness check (its tmux session is not up; restarted 2 times; last exit: OOMKilled, code 137): demo-rgsd-abc',
    });
    expect(t.runner.argvs).toEqual([argv.currentContext, getPods(), logs('demo-rgsd-abc', true)]);
  });

  it('ended before any restart: the current log (no --previous, in the call and in the hint)', async () => {
    const ended = pod('demo-rgsd-abc', { ready: false, terminated: { reason: 'Error', exitCode: 2 } });
    const t = await testApp({ runner: crashRunner([[ended]]), interactive: true, now: NOW });
    await expect(connect(t.app, 'demo', undefined, {})).rejects.toMatchObject({
      message: 'the workstation container of demo is not running (exited: Error, code 2): demo-rgsd-abc',
      hint: 'its whole log: `rgsd logs demo`; `rgsd status demo` shows the pod, `rgsd up demo` redeploys it after a fix',
    });
    expect(t.runner.argvs).toEqual([argv.currentContext, getPods(), logs('demo-rgsd-abc', false)]);
    expect(t.stderr()).toContain('last 1 line of the workstation log of demo-rgsd-abc (its last run):\n  │ current run\n');
  });

  it('a log that cannot be read: the current run is tried, then a warning; the diagnosis stands', async () => {
    const gone = { exitCode: 1, stderr: 'Error from server (BadRequest): previous terminated container "workstation" not found\n' };
    const t = await testApp({
      runner: crashRunner([[crashLoop]], (r) => r.on(logs('demo-rgsd-abc', true), gone).on(logs('demo-rgsd-abc', false), gone)),
      interactive: true,
      now: NOW,
    });
    await expect(connect(t.app, 'demo', undefined, {})).rejects.toMatchObject({ message: /is crashing/ });
    expect(clusterArgvs(t.runner)).toEqual([getPods(), logs('demo-rgsd-abc', true), logs('demo-rgsd-abc', false)]);
    expect(t.stderr()).toContain('warning: could not read the log of demo-rgsd-abc: kubectl failed:');
  });

  it('a ready pod that restarted long ago is attached as usual (2 calls before the attach)', async () => {
    const healed = pod('demo-rgsd-abc', { restarts: 3, last: { reason: 'Error', exitCode: 1 } });
    const t = await testApp({ runner: crashRunner([[healed]]), interactive: true, now: NOW });
    await connect(t.app, 'demo', undefined, {});
    expect(t.runner.argvs).toEqual([
      argv.currentContext,
      getPods(),
      argv.execStatus('demo-rgsd-abc'),
      attach('demo-rgsd-abc', 'tmux', 'attach', '-t', 'main'),
    ]);
  });

  it("the session list fails with kubectl's `unable to upgrade connection` and the pod now crashes: the crash, not the raw error", async () => {
    const t = await testApp({
      runner: crashRunner([[pod('demo-rgsd-abc')], [crashLoop]], (r) => r.on(argv.execStatus('demo-rgsd-abc'), execFails)),
      interactive: true,
      now: NOW,
    });
    const err = await connect(t.app, 'demo', undefined, {}).catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(CommandError);
    expect(err).toMatchObject({ message: expect.stringMatching(/^the workstation container of demo is crashing \(CrashLoopBackOff;/) });
    expect(String((err as Error).message)).not.toContain('upgrade');
    expect(clusterArgvs(t.runner)).toEqual([getPods(), argv.execStatus('demo-rgsd-abc'), getPods(), logs('demo-rgsd-abc', true)]);
    expect(t.stderr()).toContain('│ exec: tmux: Argument list too long');
  });

  it('the session list fails but the pod looks fine: the original error stands', async () => {
    const t = await testApp({
      runner: crashRunner([[pod('demo-rgsd-abc')]], (r) => r.on(argv.execStatus('demo-rgsd-abc'), execFails)),
      interactive: true,
      now: NOW,
    });
    await expect(connect(t.app, 'demo', undefined, {})).rejects.toBeInstanceOf(CommandError);
    expect(clusterArgvs(t.runner)).toEqual([getPods(), argv.execStatus('demo-rgsd-abc'), getPods()]);
  });

  it('the session list fails because the pod went away: says so', async () => {
    const t = await testApp({
      runner: crashRunner([[pod('demo-rgsd-abc')], [pod('demo-rgsd-new', { ready: false })]], (r) =>
        r.on(argv.execStatus('demo-rgsd-abc'), { exitCode: 1, stderr: 'Error from server (NotFound): pods "demo-rgsd-abc" not found\n' }),
      ),
      interactive: true,
      now: NOW,
    });
    await expect(connect(t.app, 'demo', undefined, {})).rejects.toMatchObject({
      message: 'the pod demo-rgsd-abc went away (deleted or replaced)',
      hint: 'run `rgsd connect demo` again; `rgsd status demo` shows its pod',
    });
  });

  it('the session list fails because the pod stopped running (evicted): its phase and the `rgsd up` hint', async () => {
    const evicted = pod('demo-rgsd-abc', { phase: 'Failed', ready: false });
    const t = await testApp({
      runner: crashRunner([[pod('demo-rgsd-abc')], [evicted]], (r) => r.on(argv.execStatus('demo-rgsd-abc'), execFails)),
      interactive: true,
      now: NOW,
    });
    const err = await connect(t.app, 'demo', undefined, {}).catch((e: unknown) => e);
    expect(err).toMatchObject({ message: 'the workstation pod of demo is Failed: demo-rgsd-abc' });
    expect((err as RgsdError).hint).toMatch(/^run `rgsd up demo`/);
  });

  it('the attach itself fails (exit 1) and the pod now crashes: the crash report instead of a silent exit', async () => {
    const t = await testApp({
      runner: crashRunner([[pod('demo-rgsd-abc')], [crashLoop]], (r) =>
        r.on(attach('demo-rgsd-abc', 'tmux', 'new-session', '-A', '-s', 'scratch'), { exitCode: 1 }),
      ),
      interactive: true,
      now: NOW,
    });
    const err = await connect(t.app, 'demo', undefined, { new: 'scratch' }).catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(ChildExitError);
    expect(err).toMatchObject({ message: expect.stringMatching(/is crashing/) });
    expect(clusterArgvs(t.runner)).toEqual([
      getPods(),
      attach('demo-rgsd-abc', 'tmux', 'new-session', '-A', '-s', 'scratch'),
      getPods(),
      logs('demo-rgsd-abc', true),
    ]);
  });

  it('a non-zero attach whose second look fails (cluster gone): the exit status, silently', async () => {
    const t = await testApp({
      runner: crashRunner([[pod('demo-rgsd-abc')], []], (r) =>
        r
          .on(attach('demo-rgsd-abc', 'tmux', 'attach', '-t', 'main'), { exitCode: 4 })
          .on(getPods(), [{ stdout: JSON.stringify({ items: [pod('demo-rgsd-abc')] }) }, UNREACHABLE]),
      ),
      interactive: true,
      now: NOW,
    });
    const err = await connect(t.app, 'demo', undefined, {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChildExitError);
    expect((err as ChildExitError).exitCode).toBe(4);
    expect(clusterArgvs(t.runner).at(-1)).toEqual(getPods());
  });

  it('the project picker marks a crashing workstation', async () => {
    const all = getPods('app.kubernetes.io/name=rgsd');
    const prompter = new FakePrompter([], true);
    const crashingWeb = pod('web-rgsd-1', { project: 'web', waiting: 'CrashLoopBackOff', ready: false, restarts: 1 });
    const t = await testApp({
      runner: new FakeRunner()
        .on(argv.currentContext, { stdout: 'ctx\n' })
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
