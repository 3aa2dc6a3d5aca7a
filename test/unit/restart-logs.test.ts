// rgsd restart, rgsd reset-home, rgsd logs: the ops (fake runner, exact argv, events) and
// the commands (warning, confirmation, spinner lines, --timeout and --tail checks).
import { describe, expect, it } from 'vitest';
import logsCommand, { parseTail } from '../../src/commands/logs.js';
import resetHomeCommand from '../../src/commands/reset-home.js';
import restartCommand from '../../src/commands/restart.js';
import { ExitCode, InterruptedError, NotFoundError, RgsdError } from '../../src/core/errors.js';
import { projectNames } from '../../src/core/names.js';
import { resetHome, restartWorkstation, type RestartEvent } from '../../src/ops/restart.js';
import { FakeRunner } from '../helpers/fake-runner.js';
import { FakePrompter, reportText, testApp, type TestApp } from '../helpers/test-app.js';
import { writeProject } from '../helpers/project-fixture.js';
import { GUARD_STATUS, IN_POD_STATUS_IDLE, IN_POD_STATUS_V2, K, UNREACHABLE, argv } from '../helpers/cluster-fixture.js';

const r = {
  restart: ['kubectl', ...K, 'rollout', 'restart', 'deployment/demo-rgsd'],
  rollout: (s = 300) => ['kubectl', ...K, 'rollout', 'status', 'deployment/demo-rgsd', `--timeout=${s}s`],
  sentinel: [
    'kubectl',
    ...K,
    'exec',
    'deployment/demo-rgsd',
    '-c',
    'workstation',
    '--',
    'sh',
    '-c',
    'rm -f -- "${RGSD_HOME:-/home/gsd}/.home-initialized"',
  ],
};
const NOT_DEPLOYED = { exitCode: 1, stderr: 'Error from server (NotFound): deployments.apps "demo-rgsd" not found\n' };
const TARGET = { context: 'ctx', namespace: 'rgsd' };
const NAMES = projectNames('demo');

function runner(): FakeRunner {
  return new FakeRunner()
    .on(GUARD_STATUS, { stdout: IN_POD_STATUS_IDLE })
    .on(argv.currentContext, { stdout: 'ctx\n' })
    .on(r.restart, { stdout: 'deployment.apps/demo-rgsd restarted\n' })
    .on(r.rollout(), { stdout: 'deployment "demo-rgsd" successfully rolled out\n' })
    .on(r.rollout(90), { stdout: 'deployment "demo-rgsd" successfully rolled out\n' })
    .on(r.sentinel, {});
}
/** restarts and execs that change something (the work guard's status query does not) */
const mutating = (argvs: string[][]) =>
  argvs.filter((a) => a.includes('restart') || (a.includes('exec') && !a.includes('/opt/rgsd/status')));
const runRestart = (t: TestApp, opts: { timeout?: string } = {}) => restartCommand.run(t.app, { project: 'demo' }, opts);
const runResetHome = (t: TestApp, opts: { timeout?: string } = {}) => resetHomeCommand.run(t.app, { project: 'demo' }, opts);

describe('restart (op)', () => {
  it('rollout restart, then waits for the rollout (kubectl gets 30s more than --timeout)', async () => {
    const t = await testApp({ runner: runner() });
    const events: RestartEvent[] = [];
    await restartWorkstation(t.app, TARGET, NAMES, 300_000, (e) => events.push(e));
    expect(t.runner.argvs).toEqual([r.restart, r.rollout()]);
    expect(t.runner.calls.at(-1)?.opts.timeoutMs).toBe(330_000);
    expect(events).toEqual([{ kind: 'waiting', timeoutMs: 300_000 }, { kind: 'ready' }]);
    expect(t.stderr()).toBe('');
  });

  it('not deployed → NotFoundError naming `rgsd up` (exit 6)', async () => {
    const t = await testApp({ runner: runner().on(r.restart, NOT_DEPLOYED) });
    const err = await restartWorkstation(t.app, TARGET, NAMES, 300_000).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect(err).toMatchObject({ message: 'demo is not deployed in namespace rgsd (context ctx)', hint: 'start it with `rgsd up demo`' });
  });

  it('a rollout that does not finish in time → timeout (exit 8)', async () => {
    const t = await testApp({ runner: runner().on(r.rollout(), { exitCode: 1, stderr: 'error: timed out waiting for the condition\n' }) });
    await expect(restartWorkstation(t.app, TARGET, NAMES, 300_000)).rejects.toMatchObject({
      exitCode: ExitCode.timeout,
      message: 'the workstation was not ready within 300s',
    });
  });
});

describe('reset-home (op)', () => {
  it('deletes the sentinel in the running container, then restarts and waits', async () => {
    const t = await testApp({ runner: runner() });
    const events: RestartEvent[] = [];
    await resetHome(t.app, TARGET, NAMES, 300_000, (e) => events.push(e));
    expect(t.runner.argvs).toEqual([r.sentinel, r.restart, r.rollout()]);
    expect(events.map((e) => e.kind)).toEqual(['sentinel-removed', 'waiting', 'ready']);
  });

  it('a container that is not running: a clear error, no restart', async () => {
    const t = await testApp({
      runner: runner().on(r.sentinel, {
        exitCode: 1,
        stderr: 'error: unable to upgrade connection: container not found ("workstation")\n',
      }),
    });
    const err = await resetHome(t.app, TARGET, NAMES, 300_000).catch((e: unknown) => e);
    expect(err).toMatchObject({
      exitCode: ExitCode.failure,
      message: 'could not remove the home\'s sentinel in demo: unable to upgrade connection: container not found ("workstation")',
      hint: 'the pod must be running: check `rgsd status demo` (or `rgsd up demo`), then re-run',
    });
    expect(t.runner.argvs).toEqual([r.sentinel]);
  });

  it('not deployed → not found (exit 6)', async () => {
    const t = await testApp({ runner: runner().on(r.sentinel, NOT_DEPLOYED) });
    await expect(resetHome(t.app, TARGET, NAMES, 300_000)).rejects.toMatchObject({
      exitCode: ExitCode.notFound,
      hint: 'start it with `rgsd up demo`',
    });
  });

  it('an unreachable cluster stays exit 5 (not the sentinel message)', async () => {
    const t = await testApp({ runner: runner().on(r.sentinel, UNREACHABLE) });
    await expect(resetHome(t.app, TARGET, NAMES, 300_000)).rejects.toMatchObject({ exitCode: ExitCode.unreachable });
  });
});

describe('rgsd restart (command)', () => {
  it('warns that the tmux session ends, confirms, restarts and waits, then says how to reconnect', async () => {
    const prompter = new FakePrompter([true], true);
    const t = await testApp({ runner: runner(), prompter, interactive: true });
    writeProject(t.configDir, 'demo');
    await runRestart(t);
    expect(prompter.asked).toEqual([{ kind: 'confirm', message: 'Restart the workstation of demo now?' }]);
    expect(t.runner.argvs).toEqual([GUARD_STATUS, r.restart, r.rollout()]);
    expect(t.stderr()).toBe(
      [
        'context: ctx  namespace: rgsd',
        'warning: restarting the pod ends its tmux session and whatever the agent is doing in it; the home volume is kept',
        '… restarting: waiting for the new pod (tmux ready) — up to 300s',
        '✓ pod ready again (its readiness probe is `tmux has-session`)',
        'reconnect: rgsd connect demo',
        '',
      ].join('\n'),
    );
  });

  it('--yes skips the prompt; --timeout reaches kubectl rollout status', async () => {
    const t = await testApp({ runner: runner(), interactive: false, globals: { yes: true } });
    await runRestart(t, { timeout: '90s' });
    expect(t.runner.argvs).toEqual([GUARD_STATUS, r.restart, r.rollout(90)]);
  });

  it('no TTY and no --yes: refused (exit 7), nothing restarted', async () => {
    const t = await testApp({ runner: runner(), interactive: false });
    await expect(runRestart(t)).rejects.toMatchObject({
      exitCode: ExitCode.refused,
      hint: 'detach and save your work, then `rgsd restart demo --yes`',
    });
    expect(mutating(t.runner.argvs)).toEqual([]);
  });

  it('answering no refuses, nothing restarted', async () => {
    const t = await testApp({ runner: runner(), prompter: new FakePrompter([false], true), interactive: true });
    await expect(runRestart(t)).rejects.toMatchObject({ exitCode: ExitCode.refused });
    expect(mutating(t.runner.argvs)).toEqual([]);
  });

  it('a rollout that runs out of time fails the spinner line (exit 8)', async () => {
    const t = await testApp({
      runner: runner().on(r.rollout(), { exitCode: 1, stderr: 'error: timed out waiting for the condition\n' }),
      globals: { yes: true },
    });
    await expect(runRestart(t)).rejects.toMatchObject({ exitCode: ExitCode.timeout });
    expect(t.stderr()).toContain('✗ the new pod did not become ready');
    expect(t.stderr()).not.toContain('reconnect');
  });

  it.each(['soon', '0s', '48h'])('a bad --timeout (%s) is a usage error before anything runs', async (timeout) => {
    const t = await testApp({ runner: runner(), interactive: false, globals: { yes: true } });
    await expect(runRestart(t, { timeout })).rejects.toMatchObject({ exitCode: ExitCode.usage });
    expect(t.runner.argvs).toEqual([]);
  });
});

describe('rgsd reset-home (command)', () => {
  it('warns (existing files are kept), confirms, removes the sentinel, restarts, says it re-seeded', async () => {
    const prompter = new FakePrompter([true], true);
    const t = await testApp({ runner: runner(), prompter, interactive: true });
    await runResetHome(t);
    expect(prompter.asked).toEqual([{ kind: 'confirm', message: 'Re-seed the home of demo and restart now?' }]);
    expect(t.runner.argvs).toEqual([GUARD_STATUS, r.sentinel, r.restart, r.rollout()]);
    const err = t.stderr();
    expect(err).toContain(
      'warning: reset-home re-seeds the home of demo from the image skeleton on the next boot: files that exist are not overwritten',
    );
    expect(err).toContain('✓ sentinel ~/.home-initialized removed\n… restarting: waiting for the new pod');
    expect(err).toContain('✓ init-home re-seeded the home of demo\nreconnect: rgsd connect demo\n');
  });

  it('no TTY and no --yes: refused, the sentinel is untouched', async () => {
    const t = await testApp({ runner: runner(), interactive: false });
    await expect(runResetHome(t)).rejects.toMatchObject({
      exitCode: ExitCode.refused,
      hint: 're-run with --yes: `rgsd reset-home demo --yes`',
    });
    expect(mutating(t.runner.argvs)).toEqual([]);
  });

  it('--timeout reaches kubectl rollout status; a bad one runs nothing', async () => {
    const t = await testApp({ runner: runner(), globals: { yes: true } });
    await runResetHome(t, { timeout: '90s' });
    expect(t.runner.argvs.at(-1)).toEqual(r.rollout(90));
    const bad = await testApp({ runner: runner(), globals: { yes: true } });
    await expect(runResetHome(bad, { timeout: 'later' })).rejects.toMatchObject({ exitCode: ExitCode.usage });
    expect(bad.runner.argvs).toEqual([]);
  });
});

describe('rgsd logs', () => {
  const logsArgv = (...extra: string[]) => ['kubectl', ...K, 'logs', 'deployment/demo-rgsd', ...extra];
  function logsRunner(...extra: string[]): FakeRunner {
    return new FakeRunner().on(argv.currentContext, { stdout: 'ctx\n' }).on(logsArgv(...extra), {});
  }
  const runLogs = (t: TestApp, opts: Record<string, unknown> = {}) => logsCommand.run(t.app, { project: 'demo' }, opts);

  it('streams the workstation container with the terminal passed through', async () => {
    const t = await testApp({ runner: logsRunner('-c', 'workstation') });
    await runLogs(t);
    expect(t.runner.argvs).toEqual([logsArgv('-c', 'workstation')]);
    expect(t.runner.calls.at(-1)?.opts).toMatchObject({ interactive: true });
    expect(t.stderr()).toBe('context: ctx  namespace: rgsd\n');
  });

  it('-f --tail N --previous --init', async () => {
    const t = await testApp({ runner: logsRunner('-c', 'init-home', '-f', '--tail=50', '--previous') });
    await runLogs(t, { follow: true, tail: '50', previous: true, init: true });
    expect(t.runner.argvs.at(-1)).toEqual(logsArgv('-c', 'init-home', '-f', '--tail=50', '--previous'));
  });

  it.each(['lots', '1.5', '-1', ''])('--tail "%s" is not a whole number: usage error, nothing runs', async (tail) => {
    const t = await testApp({ runner: logsRunner('-c', 'workstation') });
    await expect(runLogs(t, { tail })).rejects.toMatchObject({ exitCode: ExitCode.usage, hint: 'e.g. --tail 200' });
    expect(t.runner.argvs).toEqual([]);
  });

  it('parseTail accepts whole numbers, 0 included', () => {
    expect(parseTail('0')).toBe(0);
    expect(parseTail(' 200 ')).toBe(200);
  });

  it('kubectl logs failing → one error line with a hint (kubectl already said why)', async () => {
    const t = await testApp({
      runner: new FakeRunner().on(argv.currentContext, { stdout: 'ctx\n' }).on(logsArgv('-c', 'workstation'), { exitCode: 1 }),
    });
    await expect(runLogs(t)).rejects.toMatchObject({
      exitCode: ExitCode.failure,
      message: 'kubectl logs failed (exit 1); its message is above',
      hint: 'check `rgsd status demo`; not deployed yet? `rgsd up demo`',
    });
  });

  it('with --previous the hint says it needs a restarted container', async () => {
    const t = await testApp({
      runner: new FakeRunner()
        .on(argv.currentContext, { stdout: 'ctx\n' })
        .on(logsArgv('-c', 'workstation', '--previous'), { exitCode: 1 }),
    });
    await expect(runLogs(t, { previous: true })).rejects.toMatchObject({
      hint: expect.stringContaining('--previous needs a container that restarted'),
    });
  });
});

describe('restart / reset-home — checked before the first change; interrupted', () => {
  it.each([
    ['restart', '0s'],
    ['restart', '25h'],
    ['reset-home', 'soon'],
    ['reset-home', '-5m'],
  ])('%s --timeout %s → a usage error, nothing runs', async (command, timeout) => {
    const t = await testApp({ runner: runner(), globals: { yes: true } });
    const run = command === 'restart' ? runRestart : runResetHome;
    await expect(run(t, { timeout })).rejects.toMatchObject({ exitCode: ExitCode.usage });
    expect(t.runner.argvs).toEqual([]);
  });

  it.each([
    [restartCommand, 'Bad_Name', undefined],
    [resetHomeCommand, 'demo', 'repo: [unclosed\n'],
    [restartCommand, 'demo', 'context: prod\n'],
  ])('%# a bad project or settings → an error, zero changes', async (command, project, settings) => {
    const t = await testApp({ runner: runner(), globals: { yes: true } });
    if (settings !== undefined) writeProject(t.configDir, 'demo', { settings });
    await expect(command.run(t.app, { project }, {})).rejects.toBeInstanceOf(RgsdError);
    expect(mutating(t.runner.argvs)).toEqual([]);
  });

  it('restart: Ctrl-C while waiting for the new pod says it is restarting and where to look', async () => {
    const t = await testApp({ runner: runner(), globals: { yes: true } });
    t.runner.on(r.rollout(), { throws: new InterruptedError() });
    const err = await runRestart(t).catch((e: unknown) => e);
    expect(await reportText(t.app, err)).toBe(
      'rgsd: interrupted after the restart was requested, during the wait for the new pod: the pod is still restarting\n' +
        'hint: `rgsd status demo` shows the new pod; `rgsd connect demo` once it is ready\n',
    );
  });

  it('reset-home: Ctrl-C after the sentinel went, before the restart: `rgsd restart` finishes the re-seed', async () => {
    const t = await testApp({ runner: runner(), globals: { yes: true } });
    t.runner.on(r.restart, { throws: new InterruptedError() });
    const err = await runResetHome(t).catch((e: unknown) => e);
    expect(await reportText(t.app, err)).toBe(
      "rgsd: interrupted after the home's sentinel was removed, during kubectl rollout restart: the pod may be restarting\n" +
        'hint: re-run `rgsd restart demo`\n',
    );
  });
});

describe('restart / reset-home — the work guard', () => {
  const working = {
    stdout: JSON.stringify({
      ...IN_POD_STATUS_V2,
      panes: [{ ...IN_POD_STATUS_V2.panes[0], state: 'working', waitingFor: null, since: 2 }],
    }),
  };

  it('a working agent: --yes is not enough without a terminal (exit 7, nothing restarted); --discard-work is', async () => {
    const t = await testApp({ runner: runner().on(GUARD_STATUS, working), globals: { yes: true } });
    const err = await runRestart(t).catch((e: unknown) => e);
    expect(err).toMatchObject({ exitCode: ExitCode.refused, message: 'not restarting demo: it would end claude working in main:0' });
    expect(mutating(t.runner.argvs)).toEqual([]);
    const ok = await testApp({ runner: runner().on(GUARD_STATUS, working) });
    await restartCommand.run(ok.app, { project: 'demo' }, { discardWork: true });
    expect(ok.runner.argvs).toEqual([GUARD_STATUS, r.restart, r.rollout()]);
  });

  it('on a terminal one question covers both (the work and the restart); reset-home the same way', async () => {
    const prompter = new FakePrompter([true], true);
    const t = await testApp({ runner: runner().on(GUARD_STATUS, working), prompter, interactive: true });
    await runResetHome(t);
    expect(prompter.asked.map((a) => a.message)).toEqual(['Reset demo anyway and lose that?']);
    expect(t.runner.argvs).toEqual([GUARD_STATUS, r.sentinel, r.restart, r.rollout()]);
  });
});
