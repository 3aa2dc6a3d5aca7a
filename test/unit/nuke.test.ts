// rgsd nuke: the plan (reads only), destroy (exact argv, events), and the command
// (summary golden files, the typed-name confirmation, --confirm, --dry-run).
import { describe, expect, it } from 'vitest';
import nukeCommand, { nukeSummary } from '../../src/commands/nuke.js';
import { ExitCode, InterruptedError, RefusedError, RgsdError } from '../../src/core/errors.js';
import { projectNames } from '../../src/core/names.js';
import { destroy, OTHER_KINDS, planNuke, type NukeEvent } from '../../src/ops/nuke.js';
import { FakeRunner, type FakeResponse } from '../helpers/fake-runner.js';
import { expectGolden } from '../helpers/golden.js';
import { FakePrompter, reportText, tempDir, testApp, type TestApp } from '../helpers/test-app.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_ENV, SECRET_KEY, SECRET_TOKEN, writeProject } from '../helpers/project-fixture.js';
import {
  GUARD_STATUS,
  H,
  IN_POD_STATUS_IDLE,
  IN_POD_STATUS_V2,
  K,
  NOT_FOUND_NS,
  UNREACHABLE,
  argv,
  release,
} from '../helpers/cluster-fixture.js';

const n = {
  getOthers: ['kubectl', ...K, 'get', OTHER_KINDS, '-o', 'json'],
  getSecretNames: ['kubectl', ...K, 'get', 'secret', '-o', 'name'],
  uninstall: ['helm', ...H, 'uninstall', 'demo', '--wait', '--timeout', '5m'],
  deleteSecret: ['kubectl', ...K, 'delete', 'secret', 'demo-rgsd-secrets', '--ignore-not-found', '--wait=true', '-o', 'name'],
  deletePvc: ['kubectl', ...K, 'delete', 'pvc', 'demo-rgsd-home', '--ignore-not-found', '--wait=true', '--timeout=180s'],
  deleteNs: ['kubectl', '--context', 'ctx', 'delete', 'namespace', 'rgsd', '--ignore-not-found', '--wait=false'],
  fallbackObjects: [
    'kubectl',
    ...K,
    'delete',
    'deployment,replicaset,pod,serviceaccount,role,rolebinding,networkpolicy',
    '-l',
    'rgsd.dev/project=demo',
    '--ignore-not-found',
    '--wait=true',
  ],
  fallbackRecords: ['kubectl', ...K, 'delete', 'secret', '-l', 'owner=helm,name=demo', '--ignore-not-found'],
};

const obj = (kind: string, name: string, extra: Record<string, unknown> = {}) => ({
  kind,
  metadata: { name, labels: { 'rgsd.dev/project': 'demo' } },
  ...extra,
});
const PVC = obj('PersistentVolumeClaim', 'demo-rgsd-home', {
  spec: { volumeName: 'pv-42', resources: { requests: { storage: '20Gi' } } },
  status: { capacity: { storage: '20Gi' } },
});
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
const NS_FOREIGN = { stdout: JSON.stringify({ metadata: { name: 'rgsd', labels: {} } }) };
const TARGET = { context: 'ctx', namespace: 'rgsd' };
const NAMES = projectNames('demo');

interface State {
  releases?: unknown[];
  objects?: unknown[];
  secrets?: string;
  ns?: FakeResponse;
  /** what the work guard's look inside the pod answers */
  work?: FakeResponse;
}

function nukeRunner(s: State = {}): FakeRunner {
  return new FakeRunner()
    .on(GUARD_STATUS, s.work ?? { stdout: IN_POD_STATUS_IDLE })
    .on(argv.currentContext, { stdout: 'ctx\n' })
    .on(argv.getNamespace, s.ns ?? NS_RGSD)
    .on(argv.helmList('demo'), { stdout: JSON.stringify(s.releases ?? [release('deployed', { revision: 2 })]) })
    .on(n.getOthers, { stdout: JSON.stringify({ items: s.objects ?? OWN_OBJECTS }) })
    .on(n.getSecretNames, { stdout: s.secrets ?? OWN_SECRETS })
    .on(n.uninstall, { stdout: 'release "demo" uninstalled\n' })
    .on(n.deleteSecret, { stdout: 'secret/demo-rgsd-secrets\n' })
    .on(n.deletePvc, { stdout: 'persistentvolumeclaim "demo-rgsd-home" deleted\n' })
    .on(n.deleteNs, { stdout: 'namespace "rgsd" deleted\n' })
    .on(n.fallbackObjects, { stdout: '' })
    .on(n.fallbackRecords, { stdout: '' });
}

const READS = [argv.getNamespace, argv.helmList('demo'), n.getOthers, n.getSecretNames];
const ALL_DELETES = [n.uninstall, n.deleteSecret, n.deletePvc, n.deleteNs];
const DESTRUCTIVE = (argvs: string[][]) => argvs.filter((a) => a.includes('delete') || a.includes('uninstall'));
/** The reads run concurrently: compare them as a set (the context comes from the kubeconfig, no call). */
function expectReadsThen(t: TestApp, after: string[][]): void {
  const argvs = t.runner.argvs;
  expect(argvs.slice(0, 4)).toEqual(expect.arrayContaining(READS));
  // then the work guard's one look inside the pod, before any change
  expect(argvs[4]).toEqual(GUARD_STATUS);
  expect(argvs.slice(5)).toEqual(after);
}
const runNuke = (t: TestApp, opts: { confirm?: string } = {}) => nukeCommand.run(t.app, { project: 'demo' }, opts);

describe('planNuke (reads only)', () => {
  it('release, PVC with size and volume, Secret, and an rgsd namespace with nothing else in it', async () => {
    const t = await testApp({ runner: nukeRunner() });
    const plan = await planNuke(t.app, TARGET, NAMES);
    expect(t.runner.argvs).toEqual(expect.arrayContaining(READS));
    expect(t.runner.argvs).toHaveLength(READS.length);
    expect(plan).toMatchObject({
      project: 'demo',
      release: { name: 'demo', status: 'deployed', revision: 2 },
      pvc: { name: 'demo-rgsd-home', size: '20Gi', volume: 'pv-42', terminating: false },
      secret: 'demo-rgsd-secrets',
      namespace: { name: 'rgsd', remove: true, why: 'created by rgsd and nothing else lives in it' },
    });
  });

  it('keeps a namespace rgsd did not create', async () => {
    const t = await testApp({ runner: nukeRunner({ ns: NS_FOREIGN }) });
    expect((await planNuke(t.app, TARGET, NAMES)).namespace).toEqual({ name: 'rgsd', remove: false, why: 'kept: rgsd did not create it' });
  });

  it('keeps the namespace when anything else lives in it (another project, a foreign Secret)', async () => {
    const other = { kind: 'PersistentVolumeClaim', metadata: { name: 'web-rgsd-home', labels: { 'rgsd.dev/project': 'web' } } };
    const t = await testApp({ runner: nukeRunner({ objects: [...OWN_OBJECTS, other], secrets: `${OWN_SECRETS}secret/registry-creds\n` }) });
    const plan = await planNuke(t.app, TARGET, NAMES);
    expect(plan.namespace?.why).toBe('kept: 2 other objects live in it (persistentvolumeclaim/web-rgsd-home, secret/registry-creds)');
    expect(plan.pvc?.name).toBe('demo-rgsd-home');
  });

  it('more than three other objects: the first three and "…"', async () => {
    const others = ['a', 'b', 'c', 'd'].map((x) => ({ kind: 'ConfigMap', metadata: { name: x } }));
    const t = await testApp({ runner: nukeRunner({ objects: others }) });
    expect((await planNuke(t.app, TARGET, NAMES)).namespace?.why).toBe(
      'kept: 4 other objects live in it (configmap/a, configmap/b, configmap/c, …)',
    );
  });

  it('cannot list every kind (Forbidden): looks up the PVC alone and keeps the namespace', async () => {
    const runner = nukeRunner()
      .on(n.getOthers, {
        exitCode: 1,
        stderr: 'Error from server (Forbidden): networkpolicies.networking.k8s.io is forbidden: User "dev" cannot list resource\n',
      })
      .on(argv.getPvc, { stdout: JSON.stringify(PVC) });
    const t = await testApp({ runner });
    const plan = await planNuke(t.app, TARGET, NAMES);
    expect(t.runner.argvs).toContainEqual(argv.getPvc);
    expect(plan.pvc).toMatchObject({ name: 'demo-rgsd-home', size: '20Gi', volume: 'pv-42' });
    expect(plan.namespace).toEqual({ name: 'rgsd', remove: false, why: 'kept: your credentials cannot list everything in it' });
  });

  it('any other listing failure is not taken for "forbidden"', async () => {
    const t = await testApp({ runner: nukeRunner().on(n.getOthers, UNREACHABLE) });
    await expect(planNuke(t.app, TARGET, NAMES)).rejects.toMatchObject({ exitCode: ExitCode.unreachable });
  });

  it('a namespace that does not exist is no part of the plan', async () => {
    const t = await testApp({ runner: nukeRunner({ ns: NOT_FOUND_NS, releases: [], objects: [], secrets: '' }) });
    expect(await planNuke(t.app, TARGET, NAMES)).toMatchObject({ release: null, pvc: null, secret: null, namespace: null });
  });
});

describe('destroy', () => {
  it('release, Secret, PVC (after the release: its pod lets go), namespace — with an event per step', async () => {
    const t = await testApp({ runner: nukeRunner() });
    const plan = await planNuke(t.app, TARGET, NAMES);
    const events: NukeEvent[] = [];
    const res = await destroy(t.app, plan, (e) => events.push(e));
    expect(t.runner.argvs.slice(READS.length)).toEqual(ALL_DELETES);
    expect(res.destroyed).toEqual(['release', 'secret', 'volume', 'namespace']);
    expect(events).toEqual(
      ['release', 'secret', 'volume', 'namespace'].flatMap((step) => [
        { kind: 'start', step },
        { kind: 'done', step },
      ]),
    );
    expect(t.stderr()).toBe(''); // ops do not print
  });

  it('a release that disappeared meanwhile (helm: not found) counts as uninstalled', async () => {
    const runner = nukeRunner().on(n.uninstall, {
      exitCode: 1,
      stderr: 'Error: uninstall: Release not loaded: demo: release: not found\n',
    });
    const t = await testApp({ runner });
    const res = await destroy(t.app, await planNuke(t.app, TARGET, NAMES));
    expect(res.destroyed[0]).toBe('release');
    expect(t.runner.argvs).not.toContainEqual(n.fallbackObjects);
  });

  it('if helm cannot uninstall a stuck release, its objects and release records are deleted directly', async () => {
    const runner = nukeRunner({ releases: [release('pending-upgrade')] }).on(n.uninstall, {
      exitCode: 1,
      stderr: 'Error: failed to delete release: demo: pre-delete hook failed\n',
    });
    const t = await testApp({ runner });
    const events: NukeEvent[] = [];
    await destroy(t.app, await planNuke(t.app, TARGET, NAMES), (e) => events.push(e));
    expect(t.runner.argvs.slice(READS.length)).toEqual([
      n.uninstall,
      n.fallbackObjects,
      n.fallbackRecords,
      n.deleteSecret,
      n.deletePvc,
      n.deleteNs,
    ]);
    expect(events).toContainEqual({
      kind: 'uninstall-failed',
      release: 'demo',
      reason: 'failed to delete release: demo: pre-delete hook failed',
    });
  });

  it('a typed helm failure (forbidden) is not worked around: it stops the nuke', async () => {
    const forbidden = {
      exitCode: 1,
      stderr:
        'Error: uninstall: secrets is forbidden: User "dev" cannot delete resource "secrets" in API group "" in the namespace "rgsd"\n',
    };
    const t = await testApp({ runner: nukeRunner().on(n.uninstall, forbidden) });
    await expect(destroy(t.app, await planNuke(t.app, TARGET, NAMES))).rejects.toMatchObject({ exitCode: ExitCode.forbidden });
    expect(DESTRUCTIVE(t.runner.argvs)).toEqual([n.uninstall]);
  });

  it('a PVC still mounted past the wait: a clear error naming the way out', async () => {
    const t = await testApp({
      runner: nukeRunner().on(n.deletePvc, {
        exitCode: 1,
        stderr: 'error: timed out waiting for the condition on persistentvolumeclaims/demo-rgsd-home\n',
      }),
    });
    await expect(destroy(t.app, await planNuke(t.app, TARGET, NAMES))).rejects.toMatchObject({
      message: 'home volume demo-rgsd-home is marked for deletion but still in use (a pod mounts it)',
    });
    expect(t.runner.argvs).not.toContainEqual(n.deleteNs);
  });
});

describe('rgsd nuke — summary (golden)', () => {
  it('release, PVC, Secret and a namespace that goes', async () => {
    const t = await testApp({ runner: nukeRunner() });
    expectGolden('nuke-summary', `${nukeSummary(await planNuke(t.app, TARGET, NAMES)).join('\n')}\n`);
  });

  it('the namespace is kept (rgsd did not create it)', async () => {
    const t = await testApp({ runner: nukeRunner({ ns: NS_FOREIGN }) });
    expectGolden('nuke-summary-namespace-kept', `${nukeSummary(await planNuke(t.app, TARGET, NAMES)).join('\n')}\n`);
  });

  it('a partial nuke: only the PVC (already being deleted) and the namespace are left', async () => {
    const going = { ...PVC, metadata: { ...PVC.metadata, deletionTimestamp: '2026-11-22T10:00:00Z' } };
    const t = await testApp({ runner: nukeRunner({ releases: [], objects: [going], secrets: '' }) });
    expectGolden('nuke-summary-partial', `${nukeSummary(await planNuke(t.app, TARGET, NAMES)).join('\n')}\n`);
  });
});

describe('rgsd nuke — confirmation', () => {
  it('lists what will be destroyed, asks for the typed name, destroys, says it is gone', async () => {
    const prompter = new FakePrompter(['demo', false], true);
    const t = await testApp({ runner: nukeRunner(), prompter, interactive: true });
    writeProject(t.configDir, 'demo');
    await runNuke(t);
    expect(prompter.asked).toEqual([
      { kind: 'input', message: 'Type the project name (demo) to destroy it:' },
      // a terminal is offered a backup first (declined here)
      { kind: 'confirm', message: 'Back up the home of demo first (rgsd backup)?' },
    ]);
    expectReadsThen(t, ALL_DELETES);
    expect(t.stdout()).toBe('');
    expectGolden('nuke-destroyed', t.stderr());
  });

  it('a wrongly typed name refuses (exit 7) and deletes nothing', async () => {
    const t = await testApp({ runner: nukeRunner(), prompter: new FakePrompter(['dem'], true), interactive: true });
    const err = await runNuke(t).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RefusedError);
    expect((err as RefusedError).exitCode).toBe(ExitCode.refused);
    expect((err as RefusedError).message).toBe('the name typed is not "demo"; nothing was deleted');
    expectReadsThen(t, []);
  });

  it('stdin not a TTY and no --confirm: refused with exit 7 after showing the list, nothing deleted', async () => {
    const t = await testApp({ runner: nukeRunner(), interactive: false });
    const err = (await runNuke(t).catch((e: unknown) => e)) as RefusedError;
    expect(err.exitCode).toBe(ExitCode.refused);
    expect(err.message).toMatch(/^refusing to nuke demo: stdin is not a terminal/);
    expect(err.hint).toBe('from a script: rgsd nuke demo --confirm demo');
    expect(DESTRUCTIVE(t.runner.argvs)).toEqual([]);
    expect(t.stderr()).toContain('PersistentVolumeClaim demo-rgsd-home (20Gi');
  });

  it('--yes is NOT enough (no TTY): refused, nothing deleted, the hint says why', async () => {
    const t = await testApp({ runner: nukeRunner(), interactive: false, globals: { yes: true } });
    const err = (await runNuke(t).catch((e: unknown) => e)) as RefusedError;
    expect(err.exitCode).toBe(ExitCode.refused);
    expect(err.hint).toBe('from a script: rgsd nuke demo --confirm demo (--yes is not enough for nuke)');
    expect(DESTRUCTIVE(t.runner.argvs)).toEqual([]);
  });

  it('--yes at a terminal still asks for the typed name', async () => {
    const prompter = new FakePrompter(['nope'], true);
    const t = await testApp({ runner: nukeRunner(), prompter, interactive: true, globals: { yes: true } });
    await expect(runNuke(t)).rejects.toMatchObject({ exitCode: ExitCode.refused });
    expect(prompter.asked).toHaveLength(1);
    expect(t.stderr()).toContain('--yes does not apply to nuke');
    expect(DESTRUCTIVE(t.runner.argvs)).toEqual([]);
  });

  it('--confirm <project> works without a TTY', async () => {
    const t = await testApp({ runner: nukeRunner(), interactive: false });
    await runNuke(t, { confirm: 'demo' });
    expectReadsThen(t, ALL_DELETES);
    expect(t.stderr()).toContain('✓ demo is gone (release, Secret, home volume, namespace); the local settings and secrets files are kept');
  });

  it('--confirm with the wrong name is refused before any cluster call', async () => {
    const t = await testApp({ runner: nukeRunner(), interactive: false });
    const err = (await runNuke(t, { confirm: 'other' }).catch((e: unknown) => e)) as RefusedError;
    expect(err.exitCode).toBe(ExitCode.refused);
    expect(err.message).toBe('--confirm "other" does not match the project "demo"; nothing was deleted');
    expect(t.runner.argvs).toEqual([]);
  });

  it('--dry-run lists and deletes nothing, without asking', async () => {
    const t = await testApp({ runner: nukeRunner(), interactive: false, globals: { dryRun: true } });
    await runNuke(t);
    expectReadsThen(t, []);
    expect(t.stderr()).toContain('✓ dry run: nothing was destroyed');
  });

  it('no secret value reaches any argv', async () => {
    const t = await testApp({ runner: nukeRunner(), interactive: false });
    writeProject(t.configDir, 'demo', { env: DEFAULT_ENV });
    await runNuke(t, { confirm: 'demo' });
    const all = t.runner.calls.map((c) => `${c.argv.join(' ')} ${c.stdin ?? ''}`).join('\n');
    expect(all).not.toContain(SECRET_TOKEN);
    expect(all).not.toContain(SECRET_KEY);
  });
});

describe('rgsd nuke — what the command says', () => {
  it('keeps a namespace rgsd did not create, and says so', async () => {
    const t = await testApp({ runner: nukeRunner({ ns: NS_FOREIGN }), interactive: false });
    await runNuke(t, { confirm: 'demo' });
    expect(t.runner.argvs).not.toContainEqual(n.deleteNs);
    expect(t.stderr()).toContain('  Namespace rgsd is kept: rgsd did not create it.');
    expect(t.stderr()).toContain('✓ demo is gone (release, Secret, home volume); the local settings and secrets files are kept');
  });

  it('a release stuck in pending-install is listed and uninstalled like any other', async () => {
    const t = await testApp({
      runner: nukeRunner({ releases: [release('pending-install', { updated: new Date().toISOString() })] }),
      interactive: false,
    });
    await runNuke(t, { confirm: 'demo' });
    expect(t.runner.argvs).toContainEqual(n.uninstall);
    expect(t.stderr()).toContain('Helm release demo (pending-install, revision 1)');
  });

  it('helm failing on a stuck release: warns, removes the objects directly, finishes', async () => {
    const runner = nukeRunner({ releases: [release('pending-upgrade')] }).on(n.uninstall, {
      exitCode: 1,
      stderr: 'Error: failed to delete release: demo: pre-delete hook failed\n',
    });
    const t = await testApp({ runner, interactive: false });
    await runNuke(t, { confirm: 'demo' });
    expect(t.stderr()).toContain(
      "warning: helm uninstall failed (failed to delete release: demo: pre-delete hook failed); removing the release's objects directly",
    );
    expect(t.stderr()).toContain('demo is gone');
  });

  it('re-run after a partial nuke (release gone, PVC left) finishes the job', async () => {
    const t = await testApp({ runner: nukeRunner({ releases: [], objects: [PVC], secrets: '' }), interactive: false });
    await runNuke(t, { confirm: 'demo' });
    expectReadsThen(t, [n.deletePvc, n.deleteNs]);
    expect(t.stderr()).not.toContain('Helm release');
    expect(t.stderr()).toContain('demo is gone (home volume, namespace)');
  });

  it('nothing left: says so and succeeds without asking or deleting', async () => {
    const t = await testApp({ runner: nukeRunner({ releases: [], objects: [], secrets: '', ns: NOT_FOUND_NS }), interactive: false });
    await runNuke(t);
    expect(DESTRUCTIVE(t.runner.argvs)).toEqual([]);
    expect(t.stderr()).toBe('context: ctx  namespace: rgsd\nnothing left of demo in namespace rgsd (context ctx)\n');
  });

  it('nothing left of the project in a namespace others use: says so, keeps the namespace', async () => {
    const t = await testApp({
      runner: nukeRunner({
        releases: [],
        objects: [{ kind: 'Deployment', metadata: { name: 'web-rgsd', labels: { 'rgsd.dev/project': 'web' } } }],
        secrets: '',
      }),
      interactive: false,
    });
    await runNuke(t);
    expect(DESTRUCTIVE(t.runner.argvs)).toEqual([]);
    expect(t.stderr()).toContain(
      'nothing left of demo in namespace rgsd (context ctx); namespace rgsd kept: 1 other object lives in it (deployment/web-rgsd)',
    );
  });

  it('a namespace still terminating counts as gone: nothing left, nothing deleted', async () => {
    const ns = {
      stdout: JSON.stringify({
        metadata: { name: 'rgsd', labels: { 'app.kubernetes.io/managed-by': 'rgsd' } },
        status: { phase: 'Terminating' },
      }),
    };
    const t = await testApp({ runner: nukeRunner({ ns, releases: [], objects: [], secrets: '' }), interactive: false });
    await runNuke(t);
    expect(DESTRUCTIVE(t.runner.argvs)).toEqual([]);
    expect(t.stderr()).toContain('nothing left of demo in namespace rgsd (context ctx); namespace rgsd already being deleted');
  });

  it('unreachable cluster ("The connection to the server … was refused") → exit 5, nothing deleted', async () => {
    const t = await testApp({
      runner: nukeRunner({ ns: UNREACHABLE }).on(n.getOthers, UNREACHABLE).on(n.getSecretNames, UNREACHABLE),
      interactive: false,
    });
    await expect(runNuke(t, { confirm: 'demo' })).rejects.toMatchObject({ exitCode: ExitCode.unreachable });
    expect(DESTRUCTIVE(t.runner.argvs)).toEqual([]);
  });

  it('a failing step fails its spinner line and stops there', async () => {
    const t = await testApp({
      runner: nukeRunner().on(n.deletePvc, { exitCode: 1, stderr: 'error: timed out waiting for the condition\n' }),
      interactive: false,
    });
    await expect(runNuke(t, { confirm: 'demo' })).rejects.toMatchObject({ message: expect.stringContaining('still in use') });
    expect(t.stderr()).toContain('✗ deleting home volume demo-rgsd-home (waits until no pod mounts it)');
    expect(t.stderr()).not.toContain('is gone');
    expect(t.runner.argvs).not.toContainEqual(n.deleteNs);
  });
});

describe('rgsd nuke — checked before the first change; interrupted', () => {
  it.each([
    ['an invalid project name', 'Bad_Name', {}],
    ['a settings file that is not YAML', 'demo', { settings: 'repo: [unclosed\n' }],
    ['--confirm naming another project', 'demo', { confirm: 'other' }],
  ])('%s → an error and zero deletions', async (_, project, o: { settings?: string; confirm?: string }) => {
    const t = await testApp({ runner: nukeRunner() });
    if (o.settings !== undefined) writeProject(t.configDir, 'demo', { settings: o.settings });
    const err = await nukeCommand.run(t.app, { project }, o.confirm ? { confirm: o.confirm } : {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RgsdError);
    expect(DESTRUCTIVE(t.runner.argvs)).toEqual([]);
  });

  it('Ctrl-C while the home volume goes: what is gone, and that a re-run finishes', async () => {
    const t = await testApp({ runner: nukeRunner() });
    t.runner.on(n.deletePvc, { throws: new InterruptedError() });
    const err = await runNuke(t, { confirm: 'demo' }).catch((e: unknown) => e);
    expect(await reportText(t.app, err)).toBe(
      'rgsd: interrupted after release demo was uninstalled and Secret demo-rgsd-secrets was deleted, ' +
        'during the deletion of home volume demo-rgsd-home: the home volume may be marked for deletion already\n' +
        'hint: re-run `rgsd nuke demo`: it destroys what is left\n',
    );
  });

  it('Ctrl-C at the typed-name prompt: nothing was changed', async () => {
    const prompter = new FakePrompter([]);
    prompter.input = async () => {
      throw Object.assign(new Error('User force closed the prompt'), { name: 'ExitPromptError' });
    };
    const t = await testApp({ runner: nukeRunner(), prompter, interactive: true });
    const err = await runNuke(t).catch((e: unknown) => e);
    expect(await reportText(t.app, err)).toBe('rgsd: interrupted before anything was changed\n');
    expect(DESTRUCTIVE(t.runner.argvs)).toEqual([]);
  });
});

describe('rgsd nuke — the work guard', () => {
  const DIRTY = { stdout: JSON.stringify({ ...IN_POD_STATUS_V2, clients: [] }) };
  const discard = (t: TestApp) => nukeCommand.run(t.app, { project: 'demo' }, { confirm: 'demo', discardWork: true });

  it('the summary always lists the work that would be lost (golden); typing the name on a terminal is the confirmation', async () => {
    const prompter = new FakePrompter(['demo', false], true);
    const t = await testApp({ runner: nukeRunner({ work: DIRTY }), prompter, interactive: true });
    await runNuke(t);
    expect(prompter.asked).toHaveLength(2);
    expectGolden('nuke-summary-work', t.stderr().split('\n').slice(0, 12).join('\n'));
    expectReadsThen(t, ALL_DELETES);
  });

  it('without a terminal, unpushed work needs --discard-work even with --confirm: refused, nothing deleted', async () => {
    const t = await testApp({ runner: nukeRunner({ work: DIRTY }), interactive: false });
    const err = (await runNuke(t, { confirm: 'demo' }).catch((e: unknown) => e)) as RefusedError;
    expect(err.exitCode).toBe(ExitCode.refused);
    expect(err.message).toBe(
      'not destroying demo: it would lose workspace: 3 modified files, 1 untracked file, 2 commits not pushed on feat/x, 1 stash; ' +
        'lose .rgsd/worktrees/workspace-fix: branch fix has no upstream (its commits are only here)',
    );
    expect(err.hint).toBe(
      'commit and push, or `rgsd backup` first; or re-run with --discard-work: `rgsd nuke demo --confirm demo --discard-work`',
    );
    expect(DESTRUCTIVE(t.runner.argvs)).toEqual([]);
    // the summary, with the work, comes first
    expect(t.stderr()).toContain('  Work in the workstation that is lost with it:\n    - claude in main:0 is waiting (permission)');
    const ok = await testApp({ runner: nukeRunner({ work: DIRTY }), interactive: false });
    await discard(ok);
    expect(DESTRUCTIVE(ok.runner.argvs)).toEqual(ALL_DELETES);
  });

  it('a workstation that is not running: the summary says the home could not be looked at, and why', async () => {
    const notDeployed = { exitCode: 1, stderr: 'Error from server (NotFound): deployments.apps "demo-rgsd" not found\n' };
    const t = await testApp({ runner: nukeRunner({ work: notDeployed, releases: [] }), globals: { dryRun: true } });
    await runNuke(t);
    expect(t.stderr()).toContain(
      'Unpushed work in the home could not be looked for (the workstation is not running): `rgsd up demo` and `rgsd peek` show it.',
    );
  });

  it('--backup: a file that exists is refused before any call; a workstation that cannot be asked refuses, nothing deleted', async () => {
    const dir = tempDir('rgsd-nuke-backup-');
    const existing = join(dir, 'old.tar.gz');
    writeFileSync(existing, 'x');
    const t = await testApp({ runner: nukeRunner() });
    const err = await nukeCommand.run(t.app, { project: 'demo' }, { confirm: 'demo', backup: existing }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RefusedError);
    expect((err as Error).message).toContain('already exists');
    expect(t.runner.calls).toEqual([]);
    const down = { exitCode: 1, stderr: 'error: unable to upgrade connection: container not found ("workstation")\n' };
    const t2 = await testApp({ runner: nukeRunner({ work: down }) });
    const err2 = await nukeCommand
      .run(t2.app, { project: 'demo' }, { confirm: 'demo', backup: join(dir, 'new.tar.gz') })
      .catch((e: unknown) => e);
    expect(err2).toBeInstanceOf(RefusedError);
    expect((err2 as Error).message).toMatch(/^cannot back up demo before destroying it: .*; nothing was deleted$/);
    expect((err2 as RefusedError).hint).toBe('`rgsd up demo` first, or nuke without --backup');
    expect(DESTRUCTIVE(t2.runner.argvs)).toEqual([]);
  });

  it('a restore helper left behind is deleted before the home volume, and keeps no namespace alive', async () => {
    const helper = { kind: 'Pod', metadata: { name: 'demo-rgsd-restore', labels: { 'rgsd.dev/restore-of': 'demo' } } };
    const deleteHelpers = [
      'kubectl',
      ...K,
      'delete',
      'pod',
      '-l',
      'rgsd.dev/restore-of=demo',
      '--ignore-not-found',
      '--grace-period=1',
      '--wait=true',
      '--timeout=120s',
    ];
    const t = await testApp({ runner: nukeRunner({ objects: [...OWN_OBJECTS, helper] }).on(deleteHelpers) });
    await runNuke(t, { confirm: 'demo' });
    expect(DESTRUCTIVE(t.runner.argvs)).toEqual([n.uninstall, n.deleteSecret, deleteHelpers, n.deletePvc, n.deleteNs]);
  });
});
