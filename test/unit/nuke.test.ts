import { describe, expect, it } from 'vitest';
import { ExitCode, RefusedError } from '../../src/core/errors.js';
import { nuke, OTHER_KINDS } from '../../src/ops/nuke.js';
import { FakeRunner, type FakeResponse } from '../helpers/fake-runner.js';
import { FakePrompter, testApp } from '../helpers/test-app.js';
import { DEFAULT_ENV, SECRET_KEY, SECRET_TOKEN, writeProject } from '../helpers/project-fixture.js';
import { H, K, argv, release } from '../helpers/cluster-fixture.js';

const n = {
  getOthers: ['kubectl', ...K, 'get', OTHER_KINDS, '-o', 'json'],
  getSecretNames: ['kubectl', ...K, 'get', 'secret', '-o', 'name'],
  uninstall: ['helm', 'uninstall', 'demo', ...H, '--wait', '--timeout', '5m'],
  deleteSecret: ['kubectl', ...K, 'delete', 'secret', 'demo-rgsd-secrets', '--ignore-not-found', '--wait=true'],
  deletePvc: ['kubectl', ...K, 'delete', 'pvc', 'demo-rgsd-home', '--ignore-not-found', '--wait=true', '--timeout=180s'],
  deleteNs: ['kubectl', ...K, 'delete', 'namespace', 'rgsd', '--ignore-not-found', '--wait=false'],
  fallbackObjects: ['kubectl', ...K, 'delete', 'deployment,replicaset,pod,serviceaccount,role,rolebinding', '-l', 'rgsd.dev/project=demo', '--ignore-not-found', '--wait=true'],
  fallbackRecords: ['kubectl', ...K, 'delete', 'secret', '-l', 'owner=helm,name=demo', '--ignore-not-found'],
};

const obj = (kind: string, name: string, extra: Record<string, unknown> = {}) => ({ kind, metadata: { name, labels: { 'rgsd.dev/project': 'demo' } }, ...extra });
const PVC = obj('PersistentVolumeClaim', 'demo-rgsd-home', { spec: { volumeName: 'pv-42', resources: { requests: { storage: '20Gi' } } }, status: { capacity: { storage: '20Gi' } } });
const OWN_OBJECTS = [
  obj('Deployment', 'demo-rgsd'),
  obj('Pod', 'demo-rgsd-abc'),
  PVC,
  { kind: 'ConfigMap', metadata: { name: 'kube-root-ca.crt' } },
  { kind: 'ServiceAccount', metadata: { name: 'default' } },
  { kind: 'ServiceAccount', metadata: { name: 'demo-rgsd', annotations: { 'meta.helm.sh/release-name': 'demo' } } },
];
const OWN_SECRETS = 'secret/demo-rgsd-secrets\nsecret/sh.helm.release.v1.demo.v1\nsecret/sh.helm.release.v1.demo.v2\n';
const NS_RGSD = { stdout: JSON.stringify({ metadata: { name: 'rgsd', labels: { 'app.kubernetes.io/managed-by': 'rgsd' } } }) };

interface State {
  releases?: unknown[];
  objects?: unknown[];
  secrets?: string;
  ns?: FakeResponse;
}

function nukeRunner(s: State = {}): FakeRunner {
  return new FakeRunner()
    .on(argv.currentContext, { stdout: 'ctx\n' })
    .on(argv.getNamespace, s.ns ?? NS_RGSD)
    .on(argv.helmList('demo'), { stdout: JSON.stringify(s.releases ?? [release('deployed', { revision: 2 })]) })
    .on(n.getOthers, { stdout: JSON.stringify({ items: s.objects ?? OWN_OBJECTS }) })
    .on(n.getSecretNames, { stdout: s.secrets ?? OWN_SECRETS })
    .on(n.uninstall, { stdout: 'release "demo" uninstalled\n' })
    .on(n.deleteSecret, { stdout: 'secret "demo-rgsd-secrets" deleted\n' })
    .on(n.deletePvc, { stdout: 'persistentvolumeclaim "demo-rgsd-home" deleted\n' })
    .on(n.deleteNs, { stdout: 'namespace "rgsd" deleted\n' })
    .on(n.fallbackObjects, { stdout: '' })
    .on(n.fallbackRecords, { stdout: '' });
}

const READS = [argv.currentContext, argv.getNamespace, argv.helmList('demo'), n.getOthers, n.getSecretNames];
const DESTRUCTIVE = (argvs: string[][]) => argvs.filter((a) => a.includes('delete') || a.includes('uninstall'));

describe('rgsd nuke — listing and confirmation', () => {
  it('lists exactly what will be destroyed (release, PVC with size, Secret, rgsd namespace), then requires the typed name', async () => {
    const prompter = new FakePrompter(['demo'], true);
    const t = await testApp({ runner: nukeRunner(), prompter, interactive: true });
    writeProject(t.configDir, 'demo');
    const res = await nuke(t.app, 'demo', {});
    const err = t.stderr();
    expect(err).toContain('context: ctx  namespace: rgsd');
    expect(err).toContain('This permanently destroys project demo (context ctx, namespace rgsd):');
    expect(err).toContain('  - Helm release demo (deployed, revision 2)');
    expect(err).toContain('  - PersistentVolumeClaim demo-rgsd-home (20Gi, volume pv-42)');
    expect(err).toContain('  - Secret demo-rgsd-secrets');
    expect(err).toContain('  - Namespace rgsd (created by rgsd and nothing else lives in it)');
    // the list is printed before the prompt; the prompt asks for the name
    expect(prompter.asked).toEqual([{ kind: 'input', message: 'Type the project name (demo) to destroy it:' }]);
    expect(t.runner.argvs).toEqual([...READS, n.uninstall, n.deleteSecret, n.deletePvc, n.deleteNs]);
    expect(n.uninstall).toEqual(['helm', 'uninstall', 'demo', '--kube-context', 'ctx', '-n', 'rgsd', '--wait', '--timeout', '5m']);
    expect(res.destroyed).toEqual(['release', 'Secret', 'home volume', 'namespace']);
    expect(err).toContain('demo is gone');
  });

  it('a wrongly typed name refuses (exit 7) and deletes nothing', async () => {
    const t = await testApp({ runner: nukeRunner(), prompter: new FakePrompter(['dem'], true), interactive: true });
    const err = await nuke(t.app, 'demo', {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RefusedError);
    expect((err as RefusedError).exitCode).toBe(ExitCode.refused);
    expect((err as RefusedError).message).toContain('nothing was deleted');
    expect(DESTRUCTIVE(t.runner.argvs)).toEqual([]);
    expect(t.runner.argvs).toEqual(READS);
  });

  it('stdin not a TTY and no --confirm: refused with exit 7, nothing deleted', async () => {
    const t = await testApp({ runner: nukeRunner(), interactive: false });
    const err = (await nuke(t.app, 'demo', {}).catch((e: unknown) => e)) as RefusedError;
    expect(err.exitCode).toBe(ExitCode.refused);
    expect(err.message).toMatch(/stdin is not a terminal/);
    expect(err.hint).toBe('from a script: rgsd nuke demo --confirm demo');
    expect(DESTRUCTIVE(t.runner.argvs)).toEqual([]);
    // it still showed what would have been destroyed
    expect(t.stderr()).toContain('PersistentVolumeClaim demo-rgsd-home (20Gi');
  });

  it('--yes is NOT enough (no TTY): refused, nothing deleted, the hint says why', async () => {
    const t = await testApp({ runner: nukeRunner(), interactive: false, globals: { yes: true } });
    const err = (await nuke(t.app, 'demo', {}).catch((e: unknown) => e)) as RefusedError;
    expect(err.exitCode).toBe(ExitCode.refused);
    expect(err.hint).toContain('--yes is not enough for nuke');
    expect(DESTRUCTIVE(t.runner.argvs)).toEqual([]);
  });

  it('--yes at a terminal still asks for the typed name', async () => {
    const prompter = new FakePrompter(['nope'], true);
    const t = await testApp({ runner: nukeRunner(), prompter, interactive: true, globals: { yes: true } });
    await expect(nuke(t.app, 'demo', {})).rejects.toMatchObject({ exitCode: ExitCode.refused });
    expect(prompter.asked).toHaveLength(1);
    expect(t.stderr()).toContain('--yes does not apply to nuke');
    expect(DESTRUCTIVE(t.runner.argvs)).toEqual([]);
  });

  it('--confirm <project> works without a TTY', async () => {
    const t = await testApp({ runner: nukeRunner(), interactive: false });
    await nuke(t.app, 'demo', { confirm: 'demo' });
    expect(t.runner.argvs).toEqual([...READS, n.uninstall, n.deleteSecret, n.deletePvc, n.deleteNs]);
  });

  it('--confirm with the wrong name is refused before the cluster is read', async () => {
    const t = await testApp({ runner: nukeRunner(), interactive: false });
    const err = (await nuke(t.app, 'demo', { confirm: 'other' }).catch((e: unknown) => e)) as RefusedError;
    expect(err.exitCode).toBe(ExitCode.refused);
    expect(err.message).toBe('--confirm "other" does not match the project "demo"; nothing was deleted');
    expect(t.runner.argvs).toEqual([argv.currentContext]);
  });

  it('--dry-run lists and deletes nothing, without asking', async () => {
    const t = await testApp({ runner: nukeRunner(), interactive: false, globals: { dryRun: true } });
    const res = await nuke(t.app, 'demo', { dryRun: true });
    expect(t.runner.argvs).toEqual(READS);
    expect(res.destroyed).toEqual([]);
    expect(t.stderr()).toContain('dry run: nothing was destroyed');
  });

  it('no secret value reaches any argv', async () => {
    const t = await testApp({ runner: nukeRunner(), interactive: false });
    writeProject(t.configDir, 'demo', { env: DEFAULT_ENV });
    await nuke(t.app, 'demo', { confirm: 'demo' });
    const all = t.runner.calls.map((c) => `${c.argv.join(' ')} ${c.stdin ?? ''}`).join('\n');
    expect(all).not.toContain(SECRET_TOKEN);
    expect(all).not.toContain(SECRET_KEY);
  });
});

describe('rgsd nuke — what it destroys', () => {
  it('keeps a namespace rgsd did not create', async () => {
    const t = await testApp({ runner: nukeRunner({ ns: { stdout: JSON.stringify({ metadata: { name: 'rgsd', labels: {} } }) } }), interactive: false });
    const res = await nuke(t.app, 'demo', { confirm: 'demo' });
    expect(t.runner.argvs).not.toContainEqual(n.deleteNs);
    expect(res.plan.namespace).toEqual({ name: 'rgsd', remove: false, why: 'kept: rgsd did not create it' });
    expect(t.stderr()).toContain('Namespace rgsd is kept: rgsd did not create it.');
  });

  it('keeps the namespace when anything else lives in it (another project, a foreign Secret)', async () => {
    const other = { kind: 'PersistentVolumeClaim', metadata: { name: 'web-rgsd-home', labels: { 'rgsd.dev/project': 'web' } } };
    const t = await testApp({ runner: nukeRunner({ objects: [...OWN_OBJECTS, other], secrets: `${OWN_SECRETS}secret/registry-creds\n` }), interactive: false });
    const res = await nuke(t.app, 'demo', { confirm: 'demo' });
    expect(t.runner.argvs).not.toContainEqual(n.deleteNs);
    expect(res.plan.namespace?.why).toBe('kept: 2 other objects live in it (persistentvolumeclaim/web-rgsd-home, secret/registry-creds)');
    expect(t.runner.argvs).toContainEqual(n.deletePvc);
  });

  it('a release stuck in pending-install is uninstalled like any other', async () => {
    const t = await testApp({ runner: nukeRunner({ releases: [release('pending-install', { updated: new Date().toISOString() })] }), interactive: false });
    await nuke(t.app, 'demo', { confirm: 'demo' });
    expect(t.runner.argvs).toContainEqual(n.uninstall);
    expect(t.stderr()).toContain('Helm release demo (pending-install, revision 1)');
  });

  it('if helm cannot uninstall a stuck release, its objects and release records are deleted directly', async () => {
    const runner = nukeRunner({ releases: [release('pending-upgrade')] }).on(n.uninstall, { exitCode: 1, stderr: 'Error: failed to delete release: demo: pre-delete hook failed\n' });
    const t = await testApp({ runner, interactive: false });
    await nuke(t.app, 'demo', { confirm: 'demo' });
    expect(t.runner.argvs).toEqual([...READS, n.uninstall, n.fallbackObjects, n.fallbackRecords, n.deleteSecret, n.deletePvc, n.deleteNs]);
    expect(t.stderr()).toContain("removing the release's objects directly");
  });

  it('the PVC is deleted with kubectl (the keep policy only protects it from helm)', async () => {
    const t = await testApp({ runner: nukeRunner(), interactive: false });
    await nuke(t.app, 'demo', { confirm: 'demo' });
    const i = t.runner.argvs.findIndex((a) => a.join(' ') === n.deletePvc.join(' '));
    const u = t.runner.argvs.findIndex((a) => a.join(' ') === n.uninstall.join(' '));
    expect(u).toBeGreaterThan(-1);
    expect(i).toBeGreaterThan(u); // after the pod is gone
    expect(t.stderr()).toContain('home volume demo-rgsd-home deleted (20Gi)');
  });

  it('re-run after a partial nuke (release gone, PVC left) finishes the job', async () => {
    const t = await testApp({ runner: nukeRunner({ releases: [], objects: [PVC], secrets: '' }), interactive: false });
    const res = await nuke(t.app, 'demo', { confirm: 'demo' });
    expect(t.runner.argvs).not.toContainEqual(n.uninstall);
    expect(t.runner.argvs).toContainEqual(n.deletePvc);
    expect(res.destroyed).toEqual(['home volume', 'namespace']);
    const err = t.stderr();
    expect(err).not.toContain('Helm release');
    expect(err).not.toContain('  - Secret');
  });

  it('nothing left: says so and succeeds without asking or deleting', async () => {
    const t = await testApp({ runner: nukeRunner({ releases: [], objects: [], secrets: '', ns: { exitCode: 1, stderr: 'Error from server (NotFound): namespaces "rgsd" not found\n' } }), interactive: false });
    const res = await nuke(t.app, 'demo', {});
    expect(res.destroyed).toEqual([]);
    expect(DESTRUCTIVE(t.runner.argvs)).toEqual([]);
    expect(t.stderr()).toContain('nothing left of demo in namespace rgsd (context ctx)');
  });

  it('nothing left of the project in a namespace others use: says so, keeps the namespace', async () => {
    const t = await testApp({
      runner: nukeRunner({ releases: [], objects: [{ kind: 'Deployment', metadata: { name: 'web-rgsd', labels: { 'rgsd.dev/project': 'web' } } }], secrets: '' }),
      interactive: false,
    });
    await nuke(t.app, 'demo', {});
    expect(DESTRUCTIVE(t.runner.argvs)).toEqual([]);
    expect(t.stderr()).toMatch(/nothing left of demo .*namespace rgsd kept: 1 other object lives in it \(deployment\/web-rgsd\)/);
  });

  it('unreachable cluster → exit 5, nothing deleted', async () => {
    const t = await testApp({
      runner: nukeRunner({ ns: { exitCode: 1, stderr: 'Unable to connect to the server: dial tcp 127.0.0.1:6443: connect: connection refused\n' } }),
      interactive: false,
    });
    await expect(nuke(t.app, 'demo', { confirm: 'demo' })).rejects.toMatchObject({ exitCode: ExitCode.unreachable });
    expect(DESTRUCTIVE(t.runner.argvs)).toEqual([]);
  });
});

describe('rgsd nuke — limited credentials', () => {
  it('cannot list every kind in the namespace: looks up the PVC alone, keeps the namespace, still destroys the project', async () => {
    const getPvc = ['kubectl', ...K, 'get', 'pvc', 'demo-rgsd-home', '--ignore-not-found', '-o', 'json'];
    const runner = nukeRunner()
      .on(n.getOthers, { exitCode: 1, stderr: 'Error from server (Forbidden): networkpolicies.networking.k8s.io is forbidden: User "dev" cannot list resource\n' })
      .on(getPvc, { stdout: JSON.stringify(PVC) });
    const t = await testApp({ runner, interactive: false });
    const res = await nuke(t.app, 'demo', { confirm: 'demo' });
    expect(res.plan.pvc).toMatchObject({ name: 'demo-rgsd-home', size: '20Gi' });
    expect(res.plan.namespace).toEqual({ name: 'rgsd', remove: false, why: 'kept: your credentials cannot list everything in it' });
    expect(t.runner.argvs).toContainEqual(n.deletePvc);
    expect(t.runner.argvs).not.toContainEqual(n.deleteNs);
  });
});

describe('rgsd nuke — real kubectl wording', () => {
  it('"The connection to the server … was refused" (what kubectl prints for a closed port) is exit 5', async () => {
    const refused = { exitCode: 1, stderr: 'The connection to the server 127.0.0.1:6443 was refused - did you specify the right host or port?\n' };
    const t = await testApp({ runner: nukeRunner({ ns: refused }).on(n.getOthers, refused).on(n.getSecretNames, refused), interactive: false });
    await expect(nuke(t.app, 'demo', { confirm: 'demo' })).rejects.toMatchObject({ exitCode: ExitCode.unreachable });
    expect(DESTRUCTIVE(t.runner.argvs)).toEqual([]);
  });
});

describe('rgsd nuke — right after a nuke', () => {
  it('a namespace still terminating counts as gone: nothing left, exit 0, nothing deleted', async () => {
    const ns = { stdout: JSON.stringify({ metadata: { name: 'rgsd', labels: { 'app.kubernetes.io/managed-by': 'rgsd' } }, status: { phase: 'Terminating' } }) };
    const t = await testApp({ runner: nukeRunner({ ns, releases: [], objects: [], secrets: '' }), interactive: false });
    const res = await nuke(t.app, 'demo', {});
    expect(res.destroyed).toEqual([]);
    expect(DESTRUCTIVE(t.runner.argvs)).toEqual([]);
    expect(t.stderr()).toContain('nothing left of demo in namespace rgsd (context ctx); namespace rgsd already being deleted');
  });
});
