// rgsd restart, rgsd reset-home, rgsd logs (fake runner, exact argv).
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/core/errors.js';
import { logs } from '../../src/ops/logs.js';
import { resetHome, restart } from '../../src/ops/restart.js';
import { FakeRunner } from '../helpers/fake-runner.js';
import { FakePrompter, testApp } from '../helpers/test-app.js';
import { writeProject } from '../helpers/project-fixture.js';
import { K, argv } from '../helpers/cluster-fixture.js';

const r = {
  restart: ['kubectl', ...K, 'rollout', 'restart', 'deployment/demo-rgsd'],
  rollout: (s = 300) => ['kubectl', ...K, 'rollout', 'status', 'deployment/demo-rgsd', `--timeout=${s}s`],
  sentinel: ['kubectl', ...K, 'exec', 'deployment/demo-rgsd', '-c', 'workstation', '--', 'sh', '-c', 'rm -f -- "${RGSD_HOME:-/home/gsd}/.home-initialized"'],
};
const NOT_DEPLOYED = { exitCode: 1, stderr: 'Error from server (NotFound): deployments.apps "demo-rgsd" not found\n' };

function runner(): FakeRunner {
  return new FakeRunner()
    .on(argv.currentContext, { stdout: 'ctx\n' })
    .on(r.restart, { stdout: 'deployment.apps/demo-rgsd restarted\n' })
    .on(r.rollout(), { stdout: 'deployment "demo-rgsd" successfully rolled out\n' })
    .on(r.rollout(90), { stdout: 'deployment "demo-rgsd" successfully rolled out\n' })
    .on(r.sentinel, {});
}
const mutating = (argvs: string[][]) => argvs.filter((a) => a.includes('restart') || a.includes('exec'));

describe('rgsd restart', () => {
  it('warns that the tmux session ends, confirms, restarts the rollout and waits for it', async () => {
    const prompter = new FakePrompter([true], true);
    const t = await testApp({ runner: runner(), prompter, interactive: true });
    writeProject(t.configDir, 'demo');
    await restart(t.app, 'demo', {});
    expect(t.stderr()).toContain('restarting the pod ends its tmux session');
    expect(prompter.asked).toEqual([{ kind: 'confirm', message: 'Restart the workstation of demo now?' }]);
    expect(t.runner.argvs).toEqual([argv.currentContext, r.restart, r.rollout()]);
    expect(t.runner.calls.at(-1)?.opts.timeoutMs).toBe(330_000);
    expect(t.stderr()).toContain('context: ctx  namespace: rgsd');
  });

  it('--yes skips the prompt; --timeout reaches kubectl rollout status', async () => {
    const t = await testApp({ runner: runner(), interactive: false, globals: { yes: true } });
    await restart(t.app, 'demo', { timeout: '90s' });
    expect(t.runner.argvs).toEqual([argv.currentContext, r.restart, r.rollout(90)]);
  });

  it('no TTY and no --yes: refused (exit 7), nothing restarted', async () => {
    const t = await testApp({ runner: runner(), interactive: false });
    await expect(restart(t.app, 'demo', {})).rejects.toMatchObject({ exitCode: ExitCode.refused, hint: 'detach and save your work, then `rgsd restart demo --yes`' });
    expect(mutating(t.runner.argvs)).toEqual([]);
  });

  it('answering no refuses, nothing restarted', async () => {
    const t = await testApp({ runner: runner(), prompter: new FakePrompter([false], true), interactive: true });
    await expect(restart(t.app, 'demo', {})).rejects.toMatchObject({ exitCode: ExitCode.refused });
    expect(mutating(t.runner.argvs)).toEqual([]);
  });

  it('not deployed → not found (exit 6) with `rgsd up`', async () => {
    const t = await testApp({ runner: runner().on(r.restart, NOT_DEPLOYED), interactive: false, globals: { yes: true } });
    await expect(restart(t.app, 'demo', {})).rejects.toMatchObject({ exitCode: ExitCode.notFound, hint: 'start it with `rgsd up demo`' });
  });

  it('a rollout that does not finish in time → timeout (exit 8)', async () => {
    const t = await testApp({
      runner: runner().on(r.rollout(), { exitCode: 1, stderr: 'error: timed out waiting for the condition\n' }),
      interactive: false,
      globals: { yes: true },
    });
    await expect(restart(t.app, 'demo', {})).rejects.toMatchObject({ exitCode: ExitCode.timeout, message: 'the workstation was not ready again within 300s' });
  });

  it('a bad --timeout is a usage error before anything runs', async () => {
    const t = await testApp({ runner: runner(), interactive: false, globals: { yes: true } });
    await expect(restart(t.app, 'demo', { timeout: 'soon' })).rejects.toMatchObject({ exitCode: ExitCode.usage });
    expect(t.runner.argvs).toEqual([]);
  });
});

describe('rgsd reset-home', () => {
  it('confirms, deletes the sentinel in the running container, then restarts and waits', async () => {
    const prompter = new FakePrompter([true], true);
    const t = await testApp({ runner: runner(), prompter, interactive: true });
    await resetHome(t.app, 'demo', {});
    expect(prompter.asked).toEqual([{ kind: 'confirm', message: 'Re-seed the home of demo and restart now?' }]);
    expect(t.runner.argvs).toEqual([argv.currentContext, r.sentinel, r.restart, r.rollout()]);
    expect(t.stderr()).toContain('files that exist are not overwritten');
  });

  it('no TTY and no --yes: refused, the sentinel is untouched', async () => {
    const t = await testApp({ runner: runner(), interactive: false });
    await expect(resetHome(t.app, 'demo', {})).rejects.toMatchObject({ exitCode: ExitCode.refused });
    expect(mutating(t.runner.argvs)).toEqual([]);
  });

  it('a pod that is not running: clear error, no restart', async () => {
    const t = await testApp({
      runner: runner().on(r.sentinel, { exitCode: 1, stderr: 'error: unable to upgrade connection: container not found ("workstation")\n' }),
      interactive: false,
      globals: { yes: true },
    });
    const err = await resetHome(t.app, 'demo', {}).catch((e: unknown) => e);
    expect(err).toMatchObject({ message: 'could not remove the home\'s sentinel in demo: unable to upgrade connection: container not found ("workstation")' });
    expect(t.runner.argvs).not.toContainEqual(r.restart);
  });

  it('not deployed → not found', async () => {
    const t = await testApp({ runner: runner().on(r.sentinel, NOT_DEPLOYED), interactive: false, globals: { yes: true } });
    await expect(resetHome(t.app, 'demo', {})).rejects.toMatchObject({ exitCode: ExitCode.notFound });
  });
});

describe('rgsd logs', () => {
  const logsArgv = (...extra: string[]) => ['kubectl', ...K, 'logs', 'deployment/demo-rgsd', ...extra];
  function logsRunner(...extra: string[]): FakeRunner {
    return new FakeRunner().on(argv.currentContext, { stdout: 'ctx\n' }).on(logsArgv(...extra), {});
  }

  it('streams the workstation container with the terminal passed through', async () => {
    const t = await testApp({ runner: logsRunner('-c', 'workstation') });
    await logs(t.app, 'demo', {});
    expect(t.runner.argvs).toEqual([argv.currentContext, logsArgv('-c', 'workstation')]);
    expect(t.runner.calls.at(-1)?.opts).toMatchObject({ interactive: true });
    expect(t.stderr()).toContain('context: ctx  namespace: rgsd');
  });

  it('-f --tail N --previous --init', async () => {
    const t = await testApp({ runner: logsRunner('-c', 'init-home', '-f', '--tail=50', '--previous') });
    await logs(t.app, 'demo', { follow: true, tail: '50', previous: true, init: true });
    expect(t.runner.argvs.at(-1)).toEqual(logsArgv('-c', 'init-home', '-f', '--tail=50', '--previous'));
  });

  it('--tail that is not a number: usage error, nothing runs', async () => {
    const t = await testApp({ runner: logsRunner('-c', 'workstation') });
    await expect(logs(t.app, 'demo', { tail: 'lots' })).rejects.toMatchObject({ exitCode: ExitCode.usage });
    expect(t.runner.argvs).toEqual([]);
  });

  it('kubectl logs failing → one error line with a hint', async () => {
    const t = await testApp({ runner: new FakeRunner().on(argv.currentContext, { stdout: 'ctx\n' }).on(logsArgv('-c', 'workstation'), { exitCode: 1 }) });
    await expect(logs(t.app, 'demo', {})).rejects.toMatchObject({ exitCode: ExitCode.failure, hint: 'check `rgsd status demo`; not deployed yet? `rgsd up demo`' });
  });
});
