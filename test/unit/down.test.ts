import { describe, expect, it } from 'vitest';
import { down } from '../../src/ops/down.js';
import { ExitCode } from '../../src/core/errors.js';
import { FakeRunner } from '../helpers/fake-runner.js';
import { testApp } from '../helpers/test-app.js';
import { writeProject } from '../helpers/project-fixture.js';
import { argv, release } from '../helpers/cluster-fixture.js';

const PVC = JSON.stringify({ metadata: { name: 'demo-rgsd-home' }, status: { phase: 'Bound', capacity: { storage: '20Gi' } } });
const PVC_NOT_FOUND = { exitCode: 1, stderr: 'Error from server (NotFound): persistentvolumeclaims "demo-rgsd-home" not found\n' };

function downRunner(o: { releases?: unknown[]; secretDeleted?: boolean; pvc?: boolean } = {}): FakeRunner {
  return new FakeRunner()
    .on(argv.currentContext, { stdout: 'ctx\n' })
    .on(argv.helmList('demo'), { stdout: JSON.stringify(o.releases ?? [release('deployed', { revision: 2 })]) })
    .on(argv.uninstall, { stdout: 'release "demo" uninstalled\n' })
    .on(argv.deleteSecret, { stdout: o.secretDeleted === false ? '' : 'secret/demo-rgsd-secrets\n' })
    .on(argv.getPvc, o.pvc === false ? PVC_NOT_FOUND : { stdout: PVC });
}

describe('rgsd down', () => {
  it('uninstalls, deletes the Secret, then reports the kept PVC', async () => {
    const t = await testApp({ runner: downRunner() });
    writeProject(t.configDir, 'demo');
    const res = await down(t.app, 'demo');
    expect(t.runner.argvs).toEqual([argv.currentContext, argv.helmList('demo'), argv.uninstall, argv.deleteSecret, argv.getPvc]);
    expect(res).toMatchObject({ releaseRemoved: true, secretRemoved: true, pvc: { name: 'demo-rgsd-home', capacity: '20Gi', phase: 'Bound' } });
    expect(t.stderr()).toContain('context: ctx  namespace: rgsd');
    expect(t.stderr()).toContain('release demo uninstalled (was deployed, revision 2)');
    expect(t.stderr()).toContain('home volume demo-rgsd-home is kept (20Gi, Bound)');
  });
  it('not installed is a success that says so', async () => {
    const t = await testApp({ runner: downRunner({ releases: [], secretDeleted: false, pvc: false }) });
    const res = await down(t.app, 'demo');
    expect(t.runner.argvs).not.toContainEqual(argv.uninstall);
    expect(res.releaseRemoved).toBe(false);
    expect(t.stderr()).toContain('demo is not installed in namespace rgsd (context ctx); nothing to do');
  });
  it('works without a settings file (project deployed from elsewhere)', async () => {
    const t = await testApp({ runner: downRunner() });
    await expect(down(t.app, 'demo')).resolves.toMatchObject({ releaseRemoved: true });
  });
  it('uninstalls a release stuck in pending-install too', async () => {
    const t = await testApp({ runner: downRunner({ releases: [release('pending-install')] }) });
    await down(t.app, 'demo');
    expect(t.runner.argvs).toContainEqual(argv.uninstall);
  });
  it('warns when the home PVC is gone', async () => {
    const t = await testApp({ runner: downRunner({ pvc: false }) });
    await down(t.app, 'demo');
    expect(t.stderr()).toContain('no home volume demo-rgsd-home found');
  });
  it('--dry-run runs only reads', async () => {
    const t = await testApp({ runner: downRunner(), globals: { dryRun: true } });
    await down(t.app, 'demo', { dryRun: true });
    expect(t.runner.argvs).toEqual([argv.currentContext, argv.helmList('demo'), argv.getPvc]);
    expect(t.stderr()).toContain('[dry-run] would run: helm uninstall demo --kube-context ctx -n rgsd --wait');
  });
  it('unreachable cluster → exit 5', async () => {
    const t = await testApp({ runner: downRunner().on(argv.helmList('demo'), { exitCode: 1, stderr: 'Error: Kubernetes cluster unreachable: Get "https://x": dial tcp: connect: connection refused' }) });
    await expect(down(t.app, 'demo')).rejects.toMatchObject({ exitCode: ExitCode.unreachable });
  });
  it('pinned context mismatch refuses before touching the cluster', async () => {
    const t = await testApp({ runner: downRunner() });
    writeProject(t.configDir, 'demo', { settings: 'context: other\n' });
    await expect(down(t.app, 'demo')).rejects.toMatchObject({ exitCode: ExitCode.config });
    expect(t.runner.argvs).toEqual([argv.currentContext]);
  });
});
