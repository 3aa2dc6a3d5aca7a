// rgsd exec / rgsd shell: ONE kubectl exec through the Deployment with the terminal passed
// through (exact argv), the remote status passed on; only after kubectl's 1 one pod list says
// whether kubectl reached a running workstation. Bad input fails before any call. And the
// parser's split of a command line at `--` (commander drops the `--` itself).
import { describe, expect, it } from 'vitest';
import { splitRest, wordsAfterDash } from '../../src/cli/program.js';
import { GLOBAL_OPTIONS } from '../../src/cli/spec.js';
import execCommand from '../../src/commands/exec.js';
import shellCommand from '../../src/commands/shell.js';
import type { App } from '../../src/core/app.js';
import { ChildExitError, ClusterUnreachableError, ConfigError, NotFoundError, RgsdError, UsageError } from '../../src/core/errors.js';
import { SHELL_SCRIPT, WORKDIR_SCRIPT } from '../../src/ops/exec.js';
import { CRASH_LOOP_PODS, K, UNREACHABLE } from '../helpers/cluster-fixture.js';
import { FakeRunner } from '../helpers/fake-runner.js';
import { writeProject } from '../helpers/project-fixture.js';
import { testApp } from '../helpers/test-app.js';

const exec = (flags: string[], ...command: string[]) => [
  'kubectl',
  ...K,
  'exec',
  ...flags,
  'deployment/demo-rgsd',
  '-c',
  'workstation',
  '--pod-running-timeout=10s',
  '--',
  ...command,
];
const getPods = ['kubectl', ...K, 'get', 'pods', '-l', 'rgsd.dev/project=demo', '-o', 'json'];
const pods = (...items: unknown[]) => ({ stdout: JSON.stringify({ items }) });
function pod(o: { phase?: string; deleting?: boolean } = {}) {
  const phase = o.phase ?? 'Running';
  return {
    metadata: {
      name: 'demo-rgsd-7f9c',
      labels: { 'rgsd.dev/project': 'demo' },
      creationTimestamp: '2026-11-23T00:00:00Z',
      ...(o.deleting ? { deletionTimestamp: '2026-11-23T00:01:00Z' } : {}),
    },
    status: {
      phase,
      conditions: [{ type: 'Ready', status: phase === 'Running' ? 'True' : 'False' }],
      containerStatuses: [
        {
          name: 'workstation',
          ready: phase === 'Running',
          restartCount: 0,
          state: phase === 'Running' ? { running: {} } : { waiting: { reason: 'ContainerCreating' } },
        },
      ],
    },
  };
}

type ExecFlags = { stdin?: boolean; tty?: boolean; workdir?: string };
const runExec = (app: App, project: string | undefined, opts: ExecFlags, rest: string[]) => execCommand.run(app, { project }, opts, rest);
const runShell = (app: App, project: string | undefined) => shellCommand.run(app, { project }, {});

describe('rgsd exec', () => {
  it('one call: the argv exactly as given, the terminal passed through, marked as a change', async () => {
    const r = new FakeRunner().on(exec([], 'sh', '-c', 'echo "a  b" $HOME'), {});
    const t = await testApp({ runner: r });
    await runExec(t.app, 'demo', {}, ['sh', '-c', 'echo "a  b" $HOME']);
    expect(r.argvs).toEqual([exec([], 'sh', '-c', 'echo "a  b" $HOME')]);
    expect(r.calls[0]?.opts).toMatchObject({ interactive: true, allowFailure: true, mutates: true });
    expect(r.calls[0]?.stdin).toBeUndefined();
  });

  it('-i passes stdin (kubectl -i), -t allocates a terminal (-it: kubectl needs stdin for one)', async () => {
    for (const [opts, flags] of [
      [{ stdin: true }, ['-i']],
      [{ tty: true }, ['-it']],
      [{ stdin: true, tty: true }, ['-it']],
    ] as const) {
      const r = new FakeRunner().on(exec([...flags], 'cat'), {});
      const t = await testApp({ runner: r, attachable: true });
      await runExec(t.app, 'demo', opts, ['cat']);
      expect(r.argvs).toEqual([exec([...flags], 'cat')]);
    }
  });

  it('--workdir: through sh, the directory and the command stay separate words (no interpolation)', async () => {
    const dir = 'work space/$(rm -rf ~)';
    const r = new FakeRunner().on(exec([], 'sh', '-c', WORKDIR_SCRIPT, 'sh', dir, 'ls', '-la'), {});
    const t = await testApp({ runner: r });
    await runExec(t.app, 'demo', { workdir: dir }, ['ls', '-la']);
    expect(r.argvs).toHaveLength(1);
  });

  it("the remote command's status is rgsd's, silently (no pod list unless it is 1)", async () => {
    for (const code of [7, 2, 126, 130]) {
      const r = new FakeRunner().on(exec([], 'sh', '-c', 'exit 7'), { exitCode: code });
      const t = await testApp({ runner: r });
      const err = await runExec(t.app, 'demo', {}, ['sh', '-c', 'exit 7']).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ChildExitError);
      expect(err).toMatchObject({ exitCode: code });
      expect(r.argvs).toHaveLength(1);
    }
  });

  it('exit 1 with the pod running: the command said 1 (one pod list), passed on', async () => {
    const r = new FakeRunner().on(exec([], 'false'), { exitCode: 1 }).on(getPods, pods(pod()));
    const t = await testApp({ runner: r });
    const err = await runExec(t.app, 'demo', {}, ['false']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChildExitError);
    expect(err).toMatchObject({ exitCode: 1 });
    expect(r.argvs).toEqual([exec([], 'false'), getPods]);
  });

  it('exit 1 and no pod (not deployed, asleep, unknown project): NotFoundError with the status/up hint', async () => {
    const r = new FakeRunner().on(exec([], 'ls'), { exitCode: 1 }).on(getPods, pods());
    const t = await testApp({ runner: r });
    const err = await runExec(t.app, 'demo', {}, ['ls']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as RgsdError).hint).toBe('`rgsd status demo` shows it; `rgsd up demo` starts it');
  });

  it('exit 1 and a pod that is not running, going away or crashing: an RgsdError naming it, with a hint', async () => {
    for (const answer of [pods(pod({ phase: 'Pending' })), pods(pod({ deleting: true })), { stdout: CRASH_LOOP_PODS }]) {
      const r = new FakeRunner().on(exec([], 'ls'), { exitCode: 1 }).on(getPods, answer);
      const t = await testApp({ runner: r });
      const err = await runExec(t.app, 'demo', {}, ['ls']).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RgsdError);
      expect(err).not.toBeInstanceOf(ChildExitError);
      expect((err as RgsdError).hint).toMatch(/rgsd (status|up|logs) demo/);
    }
  });

  it('exit 1 and the cluster unreachable: ClusterUnreachableError', async () => {
    const r = new FakeRunner().on(exec([], 'ls'), { exitCode: 1 }).on(getPods, UNREACHABLE);
    const t = await testApp({ runner: r });
    await expect(runExec(t.app, 'demo', {}, ['ls'])).rejects.toBeInstanceOf(ClusterUnreachableError);
  });

  it('--dry-run prints the kubectl command and runs nothing', async () => {
    const r = new FakeRunner();
    const t = await testApp({ runner: r, globals: { dryRun: true } });
    await runExec(t.app, 'demo', { tty: true }, ['rm', '-rf', 'x']);
    expect(r.argvs).toEqual([]);
    expect(t.stderr()).toContain(
      '[dry-run] would run: kubectl --context ctx -n rgsd exec -it deployment/demo-rgsd -c workstation --pod-running-timeout=10s -- rm -rf x',
    );
  });

  it('the project: the only configured one by default; --context/-n as everywhere', async () => {
    const r = new FakeRunner().on(['kubectl', '--context', 'other', '-n', 'team', ...exec([], 'id').slice(5)], {});
    const t = await testApp({ runner: r, globals: { context: 'other', namespace: 'team' } });
    writeProject(t.configDir, 'demo');
    await runExec(t.app, undefined, {}, ['id']);
    expect(r.argvs).toHaveLength(1);
  });

  it('bad input, before any call: no command; -t without a terminal; no project; a bad project name', async () => {
    const cases: [Partial<{ attachable: boolean }>, string | undefined, ExecFlags, string[], unknown][] = [
      [{}, 'demo', {}, [], UsageError],
      [{ attachable: false }, 'demo', { tty: true }, ['top'], UsageError],
      [{}, 'demo', { workdir: '' }, ['ls'], UsageError],
      [{}, undefined, {}, ['ls'], UsageError],
      [{}, 'Not_A_Name', {}, ['ls'], ConfigError],
    ];
    for (const [app, project, opts, rest, type] of cases) {
      const t = await testApp({ runner: new FakeRunner(), ...app });
      const err = await runExec(t.app, project, opts, rest).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(type);
      expect((err as RgsdError).hint).toBeTruthy();
      expect(t.runner.argvs).toEqual([]);
    }
  });
});

describe('rgsd shell', () => {
  it('one call: -it, a login shell in the workspace, the local TERM along', async () => {
    const call = exec(['-it'], 'sh', '-c', SHELL_SCRIPT, 'sh', 'xterm-256color');
    const r = new FakeRunner().on(call, { exitCode: 0 });
    const t = await testApp({ runner: r, attachable: true, env: { TERM: 'xterm-256color' } });
    await runShell(t.app, 'demo');
    expect(r.argvs).toEqual([call]);
    expect(r.calls[0]?.opts).toMatchObject({ interactive: true });
    expect(SHELL_SCRIPT).toContain('RGSD_WORKSPACE');
  });

  it("the shell's last status is rgsd's; no pod: NotFoundError", async () => {
    const call = exec(['-it'], 'sh', '-c', SHELL_SCRIPT, 'sh', '');
    let t = await testApp({ runner: new FakeRunner().on(call, { exitCode: 3 }), attachable: true, env: { TERM: '' } });
    await expect(runShell(t.app, 'demo')).rejects.toMatchObject({ exitCode: 3 });
    t = await testApp({ runner: new FakeRunner().on(call, { exitCode: 1 }).on(getPods, pods()), attachable: true, env: { TERM: '' } });
    await expect(runShell(t.app, 'demo')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('without a terminal: a UsageError whose hint names rgsd exec, no call', async () => {
    const t = await testApp({ runner: new FakeRunner(), attachable: false });
    const err = await runShell(t.app, 'demo').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as RgsdError).hint).toContain('rgsd exec demo --');
    expect(t.runner.argvs).toEqual([]);
  });
});

describe('the command after --', () => {
  const spec = execCommand.spec;
  it('wordsAfterDash: after the first -- that is not the value of an option', () => {
    const opts = [...GLOBAL_OPTIONS, ...spec.options];
    expect(wordsAfterDash(['node', 'rgsd', 'exec', 'p', '--', 'git', 'diff', '--', 'f'], opts)).toEqual(['git', 'diff', '--', 'f']);
    expect(wordsAfterDash(['exec', '-w', '--', 'p', '--', 'ls'], opts)).toEqual(['ls']);
    expect(wordsAfterDash(['exec', '-n', 'x', 'p'], opts)).toEqual([]);
  });

  it('splitRest: the project before --, the command after; an operand too many before -- is a usage error', () => {
    expect(splitRest(spec, ['p', ['sh', '-c', 'exit 7']], ['exec', 'p', '--', 'sh', '-c', 'exit 7'])).toEqual({
      args: { project: 'p' },
      rest: ['sh', '-c', 'exit 7'],
    });
    // commander gave the first word to the optional project: it came after --
    expect(splitRest(spec, ['ls', []], ['exec', '--', 'ls'])).toEqual({ args: { project: undefined }, rest: ['ls'] });
    expect(splitRest(spec, ['p', []], ['exec', 'p'])).toEqual({ args: { project: 'p' }, rest: [] });
    expect(() => splitRest(spec, ['p', ['extra', 'ls']], ['exec', 'p', 'extra', '--', 'ls'])).toThrow(UsageError);
    expect(() => splitRest(spec, ['p', ['ls']], ['exec', 'p', 'ls'])).toThrow(UsageError);
  });
});
