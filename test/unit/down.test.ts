// rgsd down: the op (exact argv) and the command's output (golden files).
import { describe, expect, it } from 'vitest';
import downCommand from '../../src/commands/down.js';
import { ExitCode, InterruptedError, RgsdError } from '../../src/core/errors.js';
import { projectNames } from '../../src/core/names.js';
import { down } from '../../src/ops/down.js';
import { FakeRunner } from '../helpers/fake-runner.js';
import { expectGolden } from '../helpers/golden.js';
import { reportText, testApp } from '../helpers/test-app.js';
import { writeProject } from '../helpers/project-fixture.js';
import { argv, GUARD_STATUS, IN_POD_STATUS_IDLE, IN_POD_STATUS_V2, release, UNREACHABLE } from '../helpers/cluster-fixture.js';

const PVC = JSON.stringify({
  metadata: { name: 'demo-rgsd-home' },
  spec: { storageClassName: 'standard', resources: { requests: { storage: '20Gi' } } },
  status: { phase: 'Bound', capacity: { storage: '20Gi' } },
});
const PVC_NOT_FOUND = { exitCode: 1, stderr: 'Error from server (NotFound): persistentvolumeclaims "demo-rgsd-home" not found\n' };
const TARGET = { context: 'ctx', namespace: 'rgsd' };
const NAMES = projectNames('demo');

const NO_DEPLOYMENT = { exitCode: 1, stderr: 'Error from server (NotFound): deployments.apps "demo-rgsd" not found\n' };

function downRunner(o: { releases?: unknown[]; secretDeleted?: boolean; pvc?: boolean; work?: string } = {}): FakeRunner {
  const deployed = (o.releases ?? [1]).length > 0;
  return new FakeRunner()
    .on(GUARD_STATUS, deployed ? { stdout: o.work ?? IN_POD_STATUS_IDLE } : NO_DEPLOYMENT)
    .on(argv.currentContext, { stdout: 'ctx\n' })
    .on(argv.helmList('demo'), { stdout: JSON.stringify(o.releases ?? [release('deployed', { revision: 2 })]) })
    .on(argv.uninstall, { stdout: 'release "demo" uninstalled\n' })
    .on(argv.deleteSecret, { stdout: o.secretDeleted === false ? '' : 'secret/demo-rgsd-secrets\n' })
    .on(argv.getPvc, o.pvc === false ? PVC_NOT_FOUND : { stdout: PVC });
}

const runDown = (app: Parameters<typeof downCommand.run>[0]) => downCommand.run(app, { project: 'demo' }, {});

describe('rgsd down (op)', () => {
  it('uninstalls, deletes the Secret, then reads the kept PVC — and returns what it did', async () => {
    const t = await testApp({ runner: downRunner() });
    const res = await down(t.app, TARGET, NAMES);
    expect(t.runner.argvs).toEqual([argv.helmList('demo'), argv.uninstall, argv.deleteSecret, argv.getPvc]);
    expect(res).toMatchObject({
      project: 'demo',
      release: { name: 'demo', status: 'deployed', revision: 2 },
      secretRemoved: true,
      pvc: { name: 'demo-rgsd-home', size: '20Gi', phase: 'Bound' },
      dryRun: false,
    });
    expect(t.stderr()).toBe(''); // ops do not print
  });

  it('not installed: no uninstall, nothing removed', async () => {
    const t = await testApp({ runner: downRunner({ releases: [], secretDeleted: false, pvc: false }) });
    const res = await down(t.app, TARGET, NAMES);
    expect(t.runner.argvs).toEqual([argv.helmList('demo'), argv.deleteSecret, argv.getPvc]);
    expect(res).toMatchObject({ release: null, secretRemoved: false, pvc: null });
  });

  it('uninstalls a release stuck in pending-install too', async () => {
    const t = await testApp({ runner: downRunner({ releases: [release('pending-install')] }) });
    await down(t.app, TARGET, NAMES);
    expect(t.runner.argvs).toContainEqual(argv.uninstall);
  });

  it('unreachable cluster → exit 5', async () => {
    const t = await testApp({
      runner: downRunner().on(argv.helmList('demo'), {
        exitCode: 1,
        stderr: 'Error: Kubernetes cluster unreachable: Get "https://x": dial tcp: connect: connection refused',
      }),
    });
    await expect(down(t.app, TARGET, NAMES)).rejects.toMatchObject({ exitCode: ExitCode.unreachable });
  });

  it('a PVC read that fails for another reason is not taken for "no volume"', async () => {
    const t = await testApp({ runner: downRunner().on(argv.getPvc, UNREACHABLE) });
    await expect(down(t.app, TARGET, NAMES)).rejects.toMatchObject({ exitCode: ExitCode.unreachable });
  });
});

describe('rgsd down (command)', () => {
  it('uninstalled: the context line, what went, and the kept home volume', async () => {
    const t = await testApp({ runner: downRunner() });
    writeProject(t.configDir, 'demo');
    await runDown(t.app);
    expect(t.runner.argvs).toEqual([GUARD_STATUS, argv.helmList('demo'), argv.uninstall, argv.deleteSecret, argv.getPvc]);
    expect(t.stdout()).toBe('');
    expectGolden('down-uninstalled', t.stderr());
  });

  it('not installed is a success that says so', async () => {
    const t = await testApp({ runner: downRunner({ releases: [], secretDeleted: false, pvc: false }) });
    await runDown(t.app);
    expectGolden('down-not-installed', t.stderr());
  });

  it('release gone but the Secret was still there: deletes it, no "nothing to do"', async () => {
    const t = await testApp({ runner: downRunner({ releases: [], pvc: false }) });
    await runDown(t.app);
    expect(t.stderr()).toContain('✓ Secret demo-rgsd-secrets deleted');
    expect(t.stderr()).not.toContain('nothing to do');
  });

  it('works without a settings file (project deployed from elsewhere)', async () => {
    const t = await testApp({ runner: downRunner() });
    await runDown(t.app);
    expect(t.runner.argvs).toContainEqual(argv.uninstall);
  });

  it('warns when the home PVC is gone', async () => {
    const t = await testApp({ runner: downRunner({ pvc: false }) });
    await runDown(t.app);
    expect(t.stderr()).toContain('warning: no home volume demo-rgsd-home found in rgsd (it was never created, or was deleted)');
  });

  it('--dry-run runs only reads and prints the commands it would run', async () => {
    const t = await testApp({ runner: downRunner(), globals: { dryRun: true } });
    await runDown(t.app);
    expect(t.runner.argvs).toEqual([GUARD_STATUS, argv.helmList('demo'), argv.getPvc]);
    expectGolden('down-dry-run', t.stderr());
  });

  it('pinned context mismatch refuses before touching the cluster', async () => {
    const t = await testApp({ runner: downRunner() });
    writeProject(t.configDir, 'demo', { settings: 'context: other\n' });
    await expect(runDown(t.app)).rejects.toMatchObject({ exitCode: ExitCode.config });
    expect(t.runner.argvs).toEqual([]);
  });
});

describe('rgsd down — checked before the first change; interrupted', () => {
  const changes = (r: FakeRunner) => r.calls.filter((c) => c.opts.mutates || c.argv.includes('uninstall') || c.argv.includes('delete'));

  it.each([
    ['an invalid project name', 'Bad_Name', undefined],
    ['a settings file that is not YAML', 'demo', 'repo: [unclosed\n'],
    ['a pinned context that is not the current one', 'demo', 'context: prod\n'],
  ])('%s → an error and zero changes', async (_, project, settings) => {
    const t = await testApp({ runner: downRunner() });
    if (settings !== undefined) writeProject(t.configDir, 'demo', { settings });
    const err = await downCommand.run(t.app, { project }, {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RgsdError);
    expect(changes(t.runner)).toEqual([]);
  });

  it('credentials that may not list releases → exit 9, zero changes', async () => {
    const t = await testApp({ runner: downRunner() });
    t.runner.on(argv.helmList('demo'), {
      exitCode: 1,
      stderr:
        'Error: list: failed to list: secrets is forbidden: User "dev" cannot list resource "secrets" in API group "" in the namespace "rgsd"\n',
    });
    await expect(runDown(t.app)).rejects.toMatchObject({ exitCode: ExitCode.forbidden });
    expect(changes(t.runner)).toEqual([]);
  });

  it('Ctrl-C during helm uninstall: what may be left, and that `rgsd down` finishes it', async () => {
    const t = await testApp({ runner: downRunner() });
    t.runner.on(argv.uninstall, { throws: new InterruptedError() });
    const err = await runDown(t.app).catch((e: unknown) => e);
    expect(await reportText(t.app, err)).toBe(
      'rgsd: interrupted during helm uninstall: release demo may be left uninstalling\nhint: re-run `rgsd down demo`: it finishes the job\n',
    );
  });

  it('Ctrl-C after the uninstall, while the Secret goes', async () => {
    const t = await testApp({ runner: downRunner() });
    t.runner.on(argv.deleteSecret, { throws: new InterruptedError() });
    const err = await runDown(t.app).catch((e: unknown) => e);
    expect(await reportText(t.app, err)).toBe(
      'rgsd: interrupted after release demo was uninstalled, during the deletion of Secret demo-rgsd-secrets\n' +
        'hint: re-run `rgsd down demo`: it finishes the job\n',
    );
  });
});

describe('rgsd down — the work guard', () => {
  const working = JSON.stringify({
    ...IN_POD_STATUS_V2,
    panes: [{ ...IN_POD_STATUS_V2.panes[0], state: 'working', waitingFor: null, since: 4 }, IN_POD_STATUS_V2.panes[1]],
    tasks: [{ id: 't20261203-061500-ab12', name: 'fix login', agent: 'claude', state: 'running' }],
  });

  it('a working agent and a running task without a terminal: refused (exit 7), saying what would end; nothing changed', async () => {
    const t = await testApp({ runner: downRunner({ work: working }) });
    const err = await runDown(t.app).catch((e: unknown) => e);
    expect(err).toMatchObject({ exitCode: ExitCode.refused });
    expect((err as Error).message).toBe('not stopping demo: it would end claude working in main:0; end task t20261203-061500-ab12');
    expect((err as RgsdError).hint).toContain('rgsd down demo --discard-work');
    expect(t.runner.argvs).toEqual([GUARD_STATUS]);
    expect(t.stderr()).toContain('warning: demo: stop ends the work in the workstation:');
    expect(t.stderr()).toContain('  - claude in main:0 is working, last output 4s ago');
    // the repository is listed but does not block: the home stays
    expect(t.stderr()).toContain('  - workspace: 3 modified files, 1 untracked file, 2 commits not pushed on feat/x, 1 stash');
  });

  it('--discard-work goes ahead and says what it ends', async () => {
    const t = await testApp({ runner: downRunner({ work: working }) });
    await downCommand.run(t.app, { project: 'demo' }, { discardWork: true });
    expect(t.runner.argvs).toContainEqual(argv.uninstall);
    expect(t.stderr()).toContain('--discard-work: going ahead (end claude working in main:0; end task t20261203-061500-ab12)');
  });

  it('on a terminal it asks; "no" refuses and changes nothing', async () => {
    const { FakePrompter } = await import('../helpers/test-app.js');
    const prompter = new FakePrompter([false]);
    const t = await testApp({ runner: downRunner({ work: working }), prompter, interactive: true });
    await expect(runDown(t.app)).rejects.toMatchObject({ exitCode: ExitCode.refused });
    expect((prompter as InstanceType<typeof FakePrompter>).asked[0]?.message).toBe('Stop demo anyway and lose that?');
    expect(t.runner.argvs).toEqual([GUARD_STATUS]);
  });

  it('a pod that cannot be asked: the guard says it could not look, and why; down goes on', async () => {
    const r = downRunner().on(GUARD_STATUS, {
      exitCode: 1,
      stderr: 'error: unable to upgrade connection: container not found ("workstation")\n',
    });
    const t = await testApp({ runner: r });
    await runDown(t.app);
    expect(t.stderr()).toMatch(/warning: could not look at the work inside demo before stopping: .*container not found/);
    expect(t.runner.argvs).toContainEqual(argv.uninstall);
  });
});
