// rgsd up: the command (exact argv, prompts, output) and its ops (local checks, plan, apply
// with events) on the exact-argv FakeRunner.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { openTarget, resolveChart, resolveProject } from '../../src/cli/open.js';
import { chartLabel } from '../../src/cluster/release.js';
import upCommand, { type UpFlags } from '../../src/commands/up.js';
import { ConfigError, ExitCode, InterruptedError, MissingToolError, ReleaseBusyError, RgsdError } from '../../src/core/errors.js';
import { applyUp, checkLocal, plannedCalls, planUp, type UpEvent } from '../../src/ops/up.js';
import { reportError } from '../../src/ui/report.js';
import { FakeRunner } from '../helpers/fake-runner.js';
import { expectGolden } from '../helpers/golden.js';
import { FakePrompter, testApp, type TestApp } from '../helpers/test-app.js';
import { SECRET_KEY, SECRET_TOKEN, writeProject } from '../helpers/project-fixture.js';
import {
  argv,
  CHART,
  H,
  helmStatusDoc,
  release,
  RENDERED,
  upRunner,
  UNREACHABLE,
  workloadDoc,
  type UpRunnerOptions,
} from '../helpers/cluster-fixture.js';

const NOW = new Date('2026-11-22T12:00:00Z');
const OLD = '2026-11-22T10:00:00Z';
const TEMPLATE = ['helm', 'template', 'demo', CHART, '-n', 'rgsd', '-f', '-'];

function assertNoSecretInArgv(runner: FakeRunner): void {
  for (const c of runner.calls) {
    const joined = c.argv.join(' ');
    for (const s of [SECRET_TOKEN, SECRET_KEY, Buffer.from(SECRET_TOKEN).toString('base64')]) expect(joined).not.toContain(s);
  }
}

async function setup(o: Parameters<typeof upRunner>[0] = {}, app: Parameters<typeof testApp>[0] = {}): Promise<TestApp> {
  const t = await testApp({ runner: upRunner(o), now: NOW, ...app });
  writeProject(t.configDir, 'demo');
  return t;
}

/** `rgsd up [project]` through the command handler. */
function up(t: TestApp, opts: UpFlags = {}, project: string | undefined = 'demo'): Promise<void> {
  return upCommand.run(t.app, { project }, opts);
}

/** The ops in the command's order, without the prompt; events collected. */
async function upOps(t: TestApp) {
  const found = await resolveProject(t.app, 'demo', { command: 'up', requireSettings: true });
  const local = { ...(await checkLocal(t.app, found)), chart: resolveChart(t.app, found.cfg, undefined) };
  const { target } = await openTarget(t.app, found);
  const plan = await planUp(t.app, local, target);
  const events: UpEvent[] = [];
  const result = await applyUp(t.app, local, plan, { onEvent: (e) => events.push(e) });
  return { local, plan, result, events };
}

/** Calls that change the cluster: marked `mutates`, or with a changing verb. */
const MUTATING_VERBS = ['create', 'apply', 'upgrade', 'uninstall', 'delete', 'rollback', 'restart', 'annotate', 'patch'];
const mutating = (r: FakeRunner) =>
  r.calls.filter((c) => c.opts.mutates || MUTATING_VERBS.some((verb) => c.argv.includes(verb))).map((c) => c.argv);

/** The values the first `up` passes to helm (what a deployed release then holds). */
async function valuesOfFirstRun(): Promise<Record<string, unknown>> {
  const t = await setup();
  await up(t);
  return parse(t.runner.find(...argv.upgrade)[0]?.stdin ?? '') as Record<string, unknown>;
}

/** The Secret the first `up` applies, as the cluster then holds it. */
async function liveSecretOfFirstRun(): Promise<NonNullable<UpRunnerOptions['liveSecret']>> {
  const t = await setup();
  await up(t);
  const applied = JSON.parse(t.runner.find(...argv.applySecret)[0]?.stdin ?? '{}') as {
    data: Record<string, string>;
    metadata: { labels: Record<string, string> };
  };
  return { data: applied.data, labels: applied.metadata.labels };
}

/** A deployed release of the local chart (so only the values decide about a restart). */
async function deployed(opts: { revision?: number } = {}): Promise<Record<string, unknown>> {
  return { ...release('deployed', opts), chart: await chartLabel(CHART) };
}

describe('rgsd up — fresh install', () => {
  it('runs exactly the preflight, namespace, Secret, helm, rollout, status calls', async () => {
    const t = await setup({ nsExists: false });
    await up(t);
    expect(t.runner.argvs).toEqual([
      argv.helmVersion,
      // the plan: these at once, the rendering and the early question to the pod included
      argv.workload,
      argv.helmStatus,
      argv.template,
      argv.execStatusEarly,
      // not current: is there a copy of the release in another namespace?
      argv.helmListAll('demo'),
      argv.createNamespace,
      argv.applySecret,
      argv.upgrade,
      argv.rollout,
      argv.execStatus(),
    ]);
    expect(t.stderr()).toContain('context: ctx  namespace: rgsd');
    expect(t.stderr()).toContain('tmux session "main" is ready');
    expect(t.stderr()).toContain('rgsd connect demo');
    expect(t.stderr()).toContain('kubectl --context ctx -n rgsd exec -it deployment/demo-rgsd -c workstation -- tmux attach -t main');
    expect(t.stdout()).toBe('');
    expectGolden('up-install', t.stderr());
  });

  it('the plan is data; apply reports each step as an event and returns the result', async () => {
    const t = await setup({ nsExists: false });
    const { plan, result, events } = await upOps(t);
    expect(plan).toMatchObject({
      target: { context: 'ctx', namespace: 'rgsd' },
      namespaceExists: false,
      release: null,
      recovery: { kind: 'install' },
      previousValues: null,
      restartReasons: [],
      action: 'installed',
    });
    expect(events.map((e) => e.kind)).toEqual([
      'namespace-created',
      'secret-applied',
      'helm-done',
      'rollout-waiting',
      'rollout-ready',
      'session-ready',
    ]);
    expect(events).toContainEqual({
      kind: 'helm-done',
      action: 'installed',
      release: 'demo',
      helm: { major: 4, version: 'v4.1.4' },
      revision: null,
    });
    expect(events).toContainEqual({ kind: 'rollout-waiting', deployment: 'demo-rgsd', timeoutMs: 300_000 });
    expect(result).toMatchObject({
      project: 'demo',
      target: { context: 'ctx', namespace: 'rgsd' },
      helm: { major: 4, version: 'v4.1.4' },
      action: 'installed',
      restarted: false,
      deployment: 'demo-rgsd',
      session: 'main',
    });
    expect(result.status?.sessions.map((s) => s.name)).toEqual(['main']);
    expect(t.stderr()).toBe('context: ctx  namespace: rgsd\n'); // the ops print nothing
  });

  it('creates the namespace with the rgsd and restricted labels, on stdin', async () => {
    const t = await setup({ nsExists: false });
    await up(t);
    const ns = JSON.parse(t.runner.find(...argv.createNamespace)[0]?.stdin ?? '');
    expect(ns).toEqual({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'rgsd', labels: { 'app.kubernetes.io/managed-by': 'rgsd', 'pod-security.kubernetes.io/enforce': 'restricted' } },
    });
  });

  it('applies the Secret only through stdin and passes only its name + checksum to helm', async () => {
    const t = await setup();
    await up(t);
    const secret = JSON.parse(t.runner.find(...argv.applySecret)[0]?.stdin ?? '');
    expect(secret.kind).toBe('Secret');
    expect(secret.metadata.name).toBe('demo-rgsd-secrets');
    expect(Buffer.from(secret.data.GITHUB_TOKEN, 'base64').toString()).toBe(SECRET_TOKEN);
    expect(Buffer.from(secret.data.ANTHROPIC_API_KEY, 'base64').toString()).toBe(SECRET_KEY);
    const valuesText = t.runner.find(...argv.upgrade)[0]?.stdin ?? '';
    expect(valuesText).not.toContain(SECRET_TOKEN);
    expect(valuesText).not.toContain(secret.data.GITHUB_TOKEN);
    const values = parse(valuesText);
    expect(values.project).toBe('demo');
    expect(values.secrets).toEqual({ existingSecret: 'demo-rgsd-secrets', checksum: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(values.git).toEqual({ repo: 'https://github.com/org/repo.git' });
    assertNoSecretInArgv(t.runner);
    expect(t.stderr()).not.toContain(SECRET_TOKEN);
  });

  it('does not create a namespace that exists', async () => {
    const t = await setup();
    await up(t);
    expect(t.runner.find(...argv.createNamespace)).toHaveLength(0);
    expect(t.stderr()).not.toContain('created namespace');
  });

  it('--verbose echoes every command line, never a secret', async () => {
    const t = await setup({}, { globals: { verbose: true } });
    await up(t);
    expect(t.stderr()).toContain('$ kubectl --context ctx -n rgsd apply --server-side --field-manager=rgsd --force-conflicts -f - < stdin');
    expect(t.stderr()).not.toContain(SECRET_TOKEN);
  });

  it('a settings tmuxSession is the session checked and the one to attach to', async () => {
    const t = await testApp({ runner: upRunner(), now: NOW });
    writeProject(t.configDir, 'demo', { settings: 'tmuxSession: work\n' });
    await up(t);
    expect(t.stderr()).toContain('warning: the pod is ready but tmux session "work" is not listed (main)');
    expect(t.stderr()).toContain('-c workstation -- tmux attach -t work');
  });

  it('an unreadable session list after a ready rollout is a warning, not a failure', async () => {
    const t = await setup();
    t.runner.on(argv.execStatus(), { exitCode: 1, stderr: 'error: unable to upgrade connection\n' });
    await up(t);
    expect(t.stderr()).toContain('warning: the pod is ready but its session list could not be read');
    expect(t.stderr()).toContain('rgsd connect demo');
  });
});

describe('rgsd up — idempotence and restarts', () => {
  it('a current release (same values, same rendered objects, ready pod): the reads and nothing else', async () => {
    const prev = await valuesOfFirstRun();
    const secret = await liveSecretOfFirstRun();
    const t = await setup({ releases: [await deployed({ revision: 3 })], prevValues: prev, liveSecret: secret });
    await up(t);
    // one round of reads, all at once; no Secret apply, no helm upgrade, no rollout wait, no
    // second exec, no look for copies elsewhere
    expect(t.runner.argvs).toEqual([argv.helmVersion, argv.workload, argv.helmStatus, argv.template, argv.execStatusEarly]);
    expect(mutating(t.runner)).toEqual([]);
    expect(t.stderr()).toContain('release demo is current (revision 3: same values, same objects): no helm upgrade');
    expect(t.stderr()).not.toContain('warning');
    expectGolden('up-current', t.stderr());
  });

  it('current, but the Secret was edited in the cluster: it is applied again, helm still does not run', async () => {
    const prev = await valuesOfFirstRun();
    const secret = await liveSecretOfFirstRun();
    const edited = { ...secret, data: { ...secret.data, EXTRA: 'eA==' } };
    const t = await setup({ releases: [await deployed({ revision: 3 })], prevValues: prev, liveSecret: edited });
    await up(t);
    expect(mutating(t.runner)).toEqual([argv.applySecret]);
    expect(t.stderr()).toContain('Secret demo-rgsd-secrets applied');
  });

  it('current, but the early exec failed (a slow pod): the pod is asked again with the usual wait', async () => {
    const prev = await valuesOfFirstRun();
    const t = await setup({ releases: [await deployed({ revision: 3 })], prevValues: prev });
    t.runner.on(argv.execStatusEarly, { exitCode: 1, stderr: 'error: timed out waiting for the condition\n' });
    await up(t);
    expect(t.runner.argvs.at(-1)).toEqual(argv.execStatus());
    expect(t.stderr()).toContain('tmux session "main" is ready');
    expect(t.stderr()).not.toContain('warning');
  });

  it('--reapply: helm upgrade runs although the release is current', async () => {
    const prev = await valuesOfFirstRun();
    const t = await setup({ releases: [await deployed({ revision: 3 })], prevValues: prev });
    await up(t, { reapply: true });
    expect(t.runner.argvs).toContainEqual(argv.upgrade);
    expect(t.stderr()).toContain('pod template unchanged, no restart');
  });

  it('current but not rolled out (a pod not ready): no helm upgrade, the rollout is waited for', async () => {
    const prev = await valuesOfFirstRun();
    const t = await setup({ releases: [await deployed({ revision: 3 })], prevValues: prev, rolledOut: false });
    await up(t);
    expect(t.runner.argvs).not.toContainEqual(argv.upgrade);
    expect(t.runner.argvs.slice(-2)).toEqual([argv.rollout, argv.execStatus()]);
  });

  it('no Deployment (deleted by hand): not current, helm upgrade puts it back', async () => {
    const prev = await valuesOfFirstRun();
    const t = await setup({ releases: [await deployed({ revision: 3 })], prevValues: prev });
    t.runner.on(argv.workload, { stdout: workloadDoc({ deployment: false }) });
    await up(t);
    expect(t.runner.argvs).toContainEqual(argv.upgrade);
  });

  it('the same values but other rendered objects (the chart changed, same version): upgraded, no restart', async () => {
    const prev = await valuesOfFirstRun();
    const t = await setup({ releases: [await deployed({ revision: 3 })], prevValues: prev, manifest: `${RENDERED}  labels: {a: b}\n` });
    await up(t);
    expect(t.stderr()).toContain('pod template unchanged, no restart');
    expect(t.stderr()).not.toContain('warning');
    expect(t.runner.argvs).toContainEqual(argv.upgrade);
    expectGolden('up-unchanged', t.stderr());
  });

  it('asleep (0 replicas) and current: no helm upgrade, woken, then the rollout is waited for; awake: no scale', async () => {
    const prev = await valuesOfFirstRun();
    const t = await setup({ releases: [await deployed({ revision: 3 })], prevValues: prev, replicas: 0 });
    await up(t);
    const order = t.runner.argvs.filter((a) => [argv.upgrade, argv.scaleUp, argv.rollout].some((x) => x.join(' ') === a.join(' ')));
    expect(order).toEqual([argv.scaleUp, argv.rollout]);
    expect(t.stderr()).toContain('it was asleep (0 replicas): woken (kubectl scale deployment/demo-rgsd --replicas=1)');
    const awake = await setup({ releases: [await deployed({ revision: 3 })], prevValues: prev });
    await up(awake);
    expect(awake.runner.argvs).toContainEqual(argv.workload);
    expect(awake.runner.argvs).not.toContainEqual(argv.scaleUp);
  });

  it('asleep with a change: upgraded, then woken, then the rollout is waited for', async () => {
    const prev = await valuesOfFirstRun();
    const t = await setup({ releases: [await deployed({ revision: 3 })], prevValues: prev, replicas: 0, manifest: 'kind: Other\n' });
    await up(t);
    const order = t.runner.argvs.filter((a) => [argv.upgrade, argv.scaleUp, argv.rollout].some((x) => x.join(' ') === a.join(' ')));
    expect(order).toEqual([argv.upgrade, argv.scaleUp, argv.rollout]);
  });

  it('idle sleep on: the API server addresses are read (the watcher and the NetworkPolicy need them)', async () => {
    const t = await setup();
    writeProject(t.configDir, 'demo', { settings: 'values: {idle: {sleepAfter: 30m}}\n' });
    t.runner.on(argv.apiServer, {
      stdout: JSON.stringify({ items: [{ addressType: 'IPv4', endpoints: [{ addresses: ['10.9.8.7'] }], ports: [{ port: 6443 }] }] }),
    });
    await up(t);
    expect(t.runner.argvs).toContainEqual(argv.apiServer);
    const values = parse(t.runner.find(...argv.upgrade)[0]?.stdin ?? '') as { networkPolicy?: { apiServerCIDRs?: string[] } };
    expect(values.networkPolicy?.apiServerCIDRs).toEqual(['10.9.8.7']);
  });

  it('the current plan and result say so', async () => {
    const prev = await valuesOfFirstRun();
    const t = await setup({ releases: [await deployed({ revision: 3 })], prevValues: prev });
    const { plan, result, events } = await upOps(t);
    expect(plan).toMatchObject({ action: 'current', ready: true, revision: 3, secretCurrent: false, restartReasons: [] });
    expect(result).toMatchObject({ action: 'current', restarted: false });
    expect(events.map((e) => e.kind)).toEqual(['secret-applied', 'helm-done', 'rollout-ready', 'session-ready']);
  });

  it('the unchanged plan and result say so', async () => {
    const prev = await valuesOfFirstRun();
    const t = await setup({ releases: [await deployed({ revision: 3 })], prevValues: prev, manifest: 'kind: Other\n' });
    const { plan, result } = await upOps(t);
    expect(plan.action).toBe('unchanged');
    expect(plan.restartReasons).toEqual([]);
    expect(plan.previousValues).toEqual(prev);
    expect(result).toMatchObject({ action: 'unchanged', restarted: false });
  });

  it('changed secrets: warns; without a TTY and --yes it refuses (exit 7) before changing anything', async () => {
    const prev = (await valuesOfFirstRun()) as { secrets: { checksum: string } };
    const old = { ...prev, secrets: { ...prev.secrets, checksum: '0'.repeat(64) } };
    const t = await setup({ releases: [await deployed()], prevValues: old });
    const err = await up(t).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RgsdError);
    expect((err as RgsdError).exitCode).toBe(ExitCode.refused);
    expect((err as RgsdError).hint).toContain('--yes');
    expect(t.stderr()).toContain('restarts the pod, which ends its tmux session');
    expect(t.stderr()).toContain('the secrets changed');
    expect(mutating(t.runner)).toEqual([]);
  });

  it('changed settings with --yes: upgrades and reports the restart', async () => {
    const prev = await valuesOfFirstRun();
    const t = await setup({ releases: [await deployed()], prevValues: { ...prev, agent: { name: 'codex' } } }, { globals: { yes: true } });
    await up(t);
    expect(t.stderr()).toContain('agent changed');
    expect(t.stderr()).toContain('helm upgraded release demo (Helm 4)\n');
    expect(t.runner.argvs).toContainEqual(argv.upgrade);
  });

  it('the restart is in the plan; apply reports it in the result', async () => {
    const prev = await valuesOfFirstRun();
    const t = await setup({ releases: [await deployed()], prevValues: { ...prev, agent: { name: 'codex' } } });
    const { plan, result } = await upOps(t);
    expect(plan.restartReasons).toEqual(['agent changed']);
    expect(plan.action).toBe('upgraded');
    expect(result).toMatchObject({ action: 'upgraded', restarted: true });
  });

  it('a different chart version counts as a restart (asks first)', async () => {
    const prev = await valuesOfFirstRun();
    // helm status has no chart field: the chart comes from the manifest's helm.sh/chart label
    const manifest = `${RENDERED}  labels:\n    helm.sh/chart: rgsd-0.0.9\n`;
    const t = await setup({ releases: [{ ...release('deployed'), chart: 'rgsd-0.0.9' }], prevValues: prev, manifest });
    await expect(up(t)).rejects.toMatchObject({ exitCode: ExitCode.refused });
    expect(t.stderr()).toMatch(/the chart changes from rgsd-0.0.9 to rgsd-\d+\.\d+\.\d+/);
  });

  it('interactive: the restart is confirmed through the prompter; "no" refuses', async () => {
    const prev = await valuesOfFirstRun();
    const prompter = new FakePrompter([false]);
    const t = await setup({ releases: [await deployed()], prevValues: { ...prev, git: { repo: 'x' } } }, { prompter, interactive: true });
    await expect(up(t)).rejects.toMatchObject({ exitCode: ExitCode.refused });
    expect(prompter.asked[0]?.message).toBe('Restart the workstation now?');
    expect(mutating(t.runner)).toEqual([]);
  });

  it('interactive: "yes" upgrades', async () => {
    const prev = await valuesOfFirstRun();
    const prompter = new FakePrompter([true]);
    const t = await setup({ releases: [await deployed()], prevValues: { ...prev, git: { repo: 'x' } } }, { prompter, interactive: true });
    await up(t);
    expect(prompter.asked).toEqual([{ kind: 'confirm', message: 'Restart the workstation now?' }]);
    expect(t.runner.argvs).toContainEqual(argv.upgrade);
  });
});

describe('rgsd up — interrupted releases', () => {
  it('pending-install: uninstall (PVC kept by policy) then install', async () => {
    const t = await setup({ releases: [release('pending-install', { updated: OLD })] });
    await up(t);
    const seq = t.runner.argvs.map((a) => a.join(' '));
    const un = seq.indexOf(argv.uninstall.join(' '));
    expect(un).toBeGreaterThan(-1);
    expect(un).toBeLessThan(seq.indexOf(argv.upgrade.join(' ')));
    expect(seq).not.toContain(argv.getValues.join(' '));
    expect(t.stderr()).toContain(
      'warning: release demo was left pending-install by an interrupted run; ' +
        'recovering: helm --kube-context ctx -n rgsd uninstall demo --wait (the home volume is kept)',
    );
    expect(t.stderr()).toContain('helm installed release demo');
  });

  it('pending-install: the plan reinstalls and apply reports the recovery before the Secret', async () => {
    const t = await setup({ releases: [release('pending-install', { updated: OLD })] });
    const { plan, result, events } = await upOps(t);
    expect(plan.recovery).toEqual({ kind: 'uninstall-then-install', command: ['uninstall', 'demo', '--wait'] });
    expect(plan.previousValues).toBeNull();
    expect(events[0]).toEqual({
      kind: 'recovering',
      release: 'demo',
      status: 'pending-install',
      command: 'helm --kube-context ctx -n rgsd uninstall demo --wait',
      reinstall: true,
    });
    expect(result.action).toBe('installed');
  });

  it.each(['pending-upgrade', 'pending-rollback'])('%s: rollback then upgrade', async (status) => {
    const t = await setup({ releases: [release(status, { revision: 4, updated: OLD })] }, { globals: { yes: true } });
    await up(t);
    const seq = t.runner.argvs.map((a) => a.join(' '));
    const rb = seq.indexOf(argv.rollback.join(' '));
    expect(rb).toBeGreaterThan(-1);
    expect(rb).toBeLessThan(seq.indexOf(argv.upgrade.join(' ')));
    expect(t.stderr()).toContain(`left ${status}`);
    expect(t.stderr()).toContain(`recovering: helm ${H.join(' ')} rollback demo\n`);
  });

  it('failed: plain upgrade, no uninstall or rollback', async () => {
    const t = await setup({ releases: [release('failed', { updated: OLD })] });
    await up(t);
    expect(t.runner.argvs).not.toContainEqual(argv.uninstall);
    expect(t.runner.argvs).not.toContainEqual(argv.rollback);
    expect(t.runner.argvs).toContainEqual(argv.upgrade);
    expect(t.stderr()).toContain('warning: release demo is failed (an interrupted or failed run); upgrading it');
  });

  it('a pending release younger than a minute is not touched: the error names the exact command', async () => {
    const t = await setup({ releases: [release('pending-upgrade', { updated: '2026-11-22T11:59:40Z' })] });
    const err = (await up(t).catch((e: unknown) => e)) as RgsdError;
    expect(err.exitCode).toBe(ExitCode.failure);
    expect(err.message).toContain('another helm operation may still be running');
    expect(err.hint).toContain('`helm --kube-context ctx -n rgsd rollback demo`');
    expect(mutating(t.runner)).toEqual([]);
  });

  it('helm busy with another operation → a ReleaseBusyError with the re-run hint', async () => {
    const t = await setup();
    const busy = 'Error: UPGRADE FAILED: another operation (install/upgrade/rollback) is in progress\n';
    t.runner.on(argv.upgrade, { exitCode: 1, stderr: busy });
    const err = await up(t).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ReleaseBusyError);
    expect((err as RgsdError).hint).toContain('re-run `rgsd up`');
    expect(t.runner.argvs).not.toContainEqual(argv.rollout);
  });

  it('uses RGSD_HELM / RGSD_KUBECTL binaries in calls and in hints', async () => {
    const runner = new FakeRunner()
      .on(['helm3', 'version', '--template', '{{.Version}}'], { stdout: 'v3.18.0' })
      .on(['kc', 'config', 'current-context'], { stdout: 'ctx' })
      .on(['kc', '--context', 'ctx', 'get', 'namespace', 'rgsd', '-o', 'json'], { stdout: '{}' })
      .on(['helm3', ...argv.helmStatus.slice(1)], {
        stdout: helmStatusDoc(release('pending-install', { updated: '2026-11-22T11:59:59Z' }), {}, RENDERED),
      })
      .on(['kc', ...argv.workload.slice(1)], { stdout: workloadDoc({ deployment: false }) })
      .on(['kc', ...argv.execStatusEarly.slice(1)], {
        exitCode: 1,
        stderr: 'Error from server (NotFound): deployments.apps "demo-rgsd" not found\n',
      })
      .on(['helm3', ...argv.helmListAll('demo').slice(1)], { stdout: '[]' })
      .on(['helm3', ...argv.template.slice(1)], { stdout: 'kind: Deployment\n' });
    const t = await testApp({ runner, now: NOW, env: { RGSD_HELM: 'helm3', RGSD_KUBECTL: 'kc' } });
    writeProject(t.configDir, 'demo');
    const err = (await up(t).catch((e: unknown) => e)) as RgsdError;
    expect(err.hint).toContain('`helm3 --kube-context ctx -n rgsd uninstall demo --wait`');
  });
});

describe('rgsd up — errors (exit codes, nothing half-done)', () => {
  it('helm missing → exit 4, no cluster call', async () => {
    const { MissingToolError } = await import('../../src/core/errors.js');
    const t = await setup();
    t.runner.on(argv.helmVersion, { throws: new MissingToolError('helm not found', { hint: 'install Helm' }) });
    await expect(up(t)).rejects.toMatchObject({ exitCode: ExitCode.missingTool });
    expect(t.runner.argvs).toEqual([argv.helmVersion]);
  });
  it('Helm 2 is refused (exit 4)', async () => {
    const t = await setup({ helmVersion: 'v2.17.0' });
    await expect(up(t)).rejects.toThrow(/not supported \(need Helm 3 or 4\)/);
  });
  it('Helm 3 works the same way', async () => {
    const t = await setup({ helmVersion: 'v3.18.0' });
    await up(t);
    expect(t.stderr()).toContain('helm installed release demo (Helm 3)');
  });
  it('unreachable cluster → exit 5 with a hint, nothing applied', async () => {
    const t = await setup();
    t.runner.on(argv.workload, UNREACHABLE);
    const err = (await up(t).catch((e: unknown) => e)) as RgsdError;
    expect(err.exitCode).toBe(ExitCode.unreachable);
    expect(err.message).toMatch(/^cannot reach the cluster \(context ctx\)/);
    expect(err.hint).toContain('kubectl cluster-info');
    expect(mutating(t.runner)).toEqual([]);
  });
  it('a user who may not read Namespace objects proceeds (the namespace is assumed to exist)', async () => {
    const t = await setup();
    const forbidden = 'Error from server (Forbidden): namespaces "rgsd" is forbidden: User "dev" cannot get resource "namespaces"';
    // the one read of namespace, Deployment and Secret is refused: each is read alone
    t.runner.on(argv.workload, { exitCode: 1, stderr: forbidden });
    t.runner.on(argv.getNamespace, { exitCode: 1, stderr: forbidden });
    t.runner.on(argv.workloadAlone, { stdout: workloadDoc({ deployment: false, namespace: 'missing' }) });
    await up(t);
    expect(t.runner.argvs).toContainEqual(argv.workloadAlone);
    expect(t.runner.argvs).not.toContainEqual(argv.createNamespace);
    expect(t.runner.argvs).toContainEqual(argv.upgrade);
  });
  it('a namespace being deleted is refused before anything changes', async () => {
    const t = await setup();
    t.runner.on(argv.workload, { stdout: workloadDoc({ deployment: false, namespace: 'terminating' }) });
    const err = (await up(t).catch((e: unknown) => e)) as RgsdError;
    expect(err.message).toBe('namespace rgsd is being deleted');
    expect(err.hint).toContain('re-run `rgsd up demo`');
    expect(mutating(t.runner)).toEqual([]);
  });
  it('pinned context different from the current one → exit 3 before any cluster call', async () => {
    const t = await testApp({ runner: upRunner() });
    writeProject(t.configDir, 'demo', { settings: 'context: prod\n' });
    const err = (await up(t).catch((e: unknown) => e)) as RgsdError;
    expect(err.exitCode).toBe(ExitCode.config);
    expect(err.message).toBe('project demo is pinned to context "prod" but the current context is "ctx"');
    expect(err.hint).toContain('--context prod');
    expect(t.runner.argvs).toEqual([argv.helmVersion]);
  });
  it('--context overrides the pin', async () => {
    const t = await testApp({ runner: upRunner(), globals: { context: 'ctx' } });
    writeProject(t.configDir, 'demo', { settings: 'context: prod\n' });
    await up(t);
    expect(t.runner.argvs).not.toContainEqual(argv.currentContext);
    expect(t.runner.argvs).toContainEqual(argv.upgrade);
  });
  it('secrets file readable by others → exit 3 with chmod hint, before any cluster call', async () => {
    const t = await testApp({ runner: upRunner() });
    const { secretsFile } = writeProject(t.configDir, 'demo', { envMode: 0o644 });
    const err = (await up(t).catch((e: unknown) => e)) as RgsdError;
    expect(err.exitCode).toBe(ExitCode.config);
    expect(err.hint).toBe(`chmod 600 ${secretsFile}`);
    expect(t.runner.argvs).toEqual([]); // not even helm or the kube context: the file is fixed first
  });
  it('unknown project → exit 6', async () => {
    const t = await testApp({ runner: upRunner() });
    await expect(up(t, {}, 'ghost')).rejects.toMatchObject({ exitCode: ExitCode.notFound });
    expect(t.runner.argvs).toEqual([]);
  });
  it('rollout timeout → exit 8 with the status/logs hint; the wait is marked failed', async () => {
    const t = await setup();
    t.runner.on(argv.rollout, { exitCode: 1, stderr: 'error: timed out waiting for the condition\n' });
    const err = (await up(t).catch((e: unknown) => e)) as RgsdError;
    expect(err.exitCode).toBe(ExitCode.timeout);
    expect(err.message).toBe('the workstation was not ready within 300s');
    expect(err.hint).toContain('rgsd logs demo --init');
    expect(t.stderr()).toContain('… waiting for the pod (tmux ready) — up to 300s\n✗ the pod did not become ready\n');
    expect(t.stderr()).not.toContain('connect:');
  });
  it('--timeout reaches kubectl rollout status (and its subprocess deadline)', async () => {
    const t = await setup();
    const rollout90 = argv.rollout.map((a) => (a === '--timeout=300s' ? '--timeout=90s' : a));
    t.runner.on(rollout90, {});
    await up(t, { timeout: '1m30s' });
    expect(t.runner.argvs).toContainEqual(rollout90);
    expect(t.runner.find(...rollout90)[0]?.opts.timeoutMs).toBe(120_000);
    expect(t.stderr()).toContain('up to 90s');
  });
  it('a bad --timeout is a usage error before anything else runs (even the project lookup)', async () => {
    const t = await testApp({ runner: upRunner() });
    await expect(up(t, { timeout: 'soon' }, 'ghost')).rejects.toMatchObject({
      exitCode: ExitCode.usage,
      message: '--timeout "soon" is not a duration',
    });
    await expect(up(t, { timeout: '0s' }, 'ghost')).rejects.toMatchObject({ exitCode: ExitCode.usage });
    expect(t.runner.argvs).toEqual([]);
  });
  it('a secret value in an argv is refused by the guard (defence in depth)', async () => {
    const t = await setup();
    await up(t);
    await expect(t.app.runner.run('kubectl', ['annotate', `x=${SECRET_TOKEN}`])).rejects.toThrow(
      'refusing to run kubectl: the value of secret GITHUB_TOKEN would appear on its command line',
    );
  });
});

describe('rgsd up --dry-run', () => {
  function dryRunner(): FakeRunner {
    return new FakeRunner()
      .on(argv.helmVersion, { stdout: 'v3.18.0' })
      .on(argv.currentContext, { stdout: 'ctx' })
      .on(TEMPLATE, { stdout: '---\nkind: Deployment\nmetadata:\n  name: demo-rgsd\n' });
  }

  it('prints the namespace, the masked Secret and the rendered chart; only local calls', async () => {
    const t = await testApp({ runner: dryRunner(), globals: { dryRun: true } });
    writeProject(t.configDir, 'demo');
    await up(t);
    expect(t.runner.argvs).toEqual([argv.helmVersion, TEMPLATE]);
    const values = parse(t.runner.find(...TEMPLATE)[0]?.stdin ?? '');
    expect(values.secrets.existingSecret).toBe('demo-rgsd-secrets');
    const out = t.stdout();
    expect(out).toContain('# Namespace: created by rgsd only if missing');
    expect(out).toContain(`GITHUB_TOKEN: "<masked: ${SECRET_TOKEN.length} bytes>"`);
    expect(out).toContain(`# helm upgrade --install demo ${CHART}\nkind: Deployment\n`);
    expect(t.stderr()).toContain('values passed to helm on stdin (no secrets):\n  project: demo\n');
    expect(t.stderr()).toContain('dry run: nothing was changed');
    for (const s of [SECRET_TOKEN, SECRET_KEY]) expect(out + t.stderr()).not.toContain(s);
  });

  it('a pinned context that does not match is only a warning', async () => {
    const t = await testApp({ runner: dryRunner(), globals: { dryRun: true } });
    writeProject(t.configDir, 'demo', { settings: 'context: prod\n' });
    await up(t);
    expect(t.stderr()).toContain('warning: project demo is pinned to context "prod" but the current context is "ctx" (ignored: dry run)');
    expect(t.stderr()).toContain('context: prod  namespace: rgsd');
    expect(t.stdout()).toContain('kind: Deployment');
  });
});

// ---- check, render, then change ---------------------------------------------------------

/** Helm 3's and Helm 4's real words for values the chart's schema refuses. */
const SCHEMA_ERRORS = {
  helm3:
    "Error: values don't meet the specifications of the schema(s) in the following chart(s):\nrgsd:\n" +
    "- tmux.session: Does not match pattern '^[A-Za-z0-9_-]+$'\n" +
    '- resources.limits.cpu: Must validate at least one schema (anyOf)\n' +
    '- resources.limits.cpu: Must be greater than or equal to 0\n\n',
  helm4:
    "Error: values don't meet the specifications of the schema(s) in the following chart(s):\nrgsd:\n" +
    "- at '/tmux/session': 'my session:1' does not match pattern '^[A-Za-z0-9_-]+$'\n" +
    "- at '/resources/limits/cpu': 'anyOf' failed\n" +
    "  - at '/resources/limits/cpu': got number, want string\n" +
    "  - at '/resources/limits/cpu': minimum: got -1, want 0\n\nUse --debug flag to render out invalid YAML\n",
};

async function failing(t: TestApp): Promise<RgsdError> {
  const err = await up(t).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(RgsdError);
  return err as RgsdError;
}

/** What the report prints for an error (the way main.ts does). */
function report(err: unknown, progress?: TestApp['app']['progress']): string {
  let text = '';
  reportError(err, false, (s) => (text += s), progress ? () => progress.summary() : undefined);
  return text;
}

describe('rgsd up — check, render, then change (zero mutating calls for each failing input)', () => {
  it.each(Object.entries(SCHEMA_ERRORS))(
    'the chart refuses the values (%s): every schema error with its path, exit 3',
    async (_, stderr) => {
      const t = await setup();
      t.runner.on(argv.template, { exitCode: 1, stderr });
      const err = await failing(t);
      expect(err).toBeInstanceOf(ConfigError);
      expect(err.message).toBe(
        "cannot render the chart with the values of demo: values don't meet the specifications of the schema(s) in the following chart(s):",
      );
      expect(err.details.join('\n')).toContain('tmux');
      expect(err.details.filter((l) => /resources.limits.cpu|\/resources\/limits\/cpu/.test(l)).length).toBeGreaterThanOrEqual(2);
      expect(err.details).not.toContain('Use --debug flag to render out invalid YAML');
      expect(err.hint).toContain('tmuxSession → tmux.session');
      expect(err.hint).toContain('nothing was changed');
      const printed = report(err);
      for (const line of err.details) expect(printed).toContain(`\n  ${line}\n`);
      expect(mutating(t.runner)).toEqual([]);
      // the values helm judged are the ones up would install
      expect(parse(t.runner.find(...argv.template)[0]?.stdin ?? '')).toMatchObject({
        project: 'demo',
        secrets: { existingSecret: 'demo-rgsd-secrets' },
      });
    },
  );

  it('what the user sees (golden): the context line, then every line of the verdict, the hint', async () => {
    const t = await setup();
    t.runner.on(argv.template, { exitCode: 1, stderr: SCHEMA_ERRORS.helm4 });
    const err = await failing(t);
    expectGolden('up-values-refused', (t.stderr() + report(err)).replaceAll(t.configDir, '<config>').replaceAll(CHART, '<chart>'));
  });

  it("a template failure (the chart's own `fail`) is refused the same way", async () => {
    const t = await setup();
    const said =
      'Error: execution error at (rgsd/templates/deployment.yaml:1:4): serviceAccount.name is required when serviceAccount.create is false\n';
    t.runner.on(argv.template, { exitCode: 1, stderr: said });
    const err = await failing(t);
    expect(err).toMatchObject({ exitCode: ExitCode.config });
    expect(err.message).toContain('execution error at (rgsd/templates/deployment.yaml:1:4): serviceAccount.name is required');
    expect(mutating(t.runner)).toEqual([]);
  });

  it('values errors come first even when the cluster cannot be reached (same answer every time)', async () => {
    const t = await setup();
    t.runner.on(argv.template, { exitCode: 1, stderr: SCHEMA_ERRORS.helm3 });
    t.runner.on(argv.workload, UNREACHABLE);
    t.runner.on(argv.helmStatus, UNREACHABLE);
    const err = await failing(t);
    expect(err).toBeInstanceOf(ConfigError);
    expect(mutating(t.runner)).toEqual([]);
  });

  it('a secret repeated in the settings (extraEnv) never reaches helm: refused with the value path, before any call', async () => {
    const t = await testApp({ runner: upRunner(), now: NOW });
    writeProject(t.configDir, 'demo', { settings: `extraEnv:\n  FOO: "x ${SECRET_TOKEN} y"\n` });
    const err = await failing(t);
    expect(err).toMatchObject({ exitCode: ExitCode.config });
    expect(err.message).toMatch(/^the chart value extraEnv\[0\]\.value contains the value of secret GITHUB_TOKEN \(from .*demo\.yaml\)$/);
    expect(err.message + (err.hint ?? '')).not.toContain(SECRET_TOKEN);
    expect(t.runner.argvs).toEqual([]);
  });

  it('a secret in settings.values (any depth, even a key) is refused the same way', async () => {
    const t = await testApp({ runner: upRunner(), now: NOW });
    writeProject(t.configDir, 'demo', { settings: `values:\n  podAnnotations:\n    "${SECRET_KEY}": "1"\n` });
    const err = await failing(t);
    expect(err.message).toContain('the chart value podAnnotations.');
    expect(err.message).toContain('(the key) contains the value of secret ANTHROPIC_API_KEY');
    expect(t.runner.argvs).toEqual([]);
  });

  it.each([
    ['the kube context name', { globals: { context: `team-${SECRET_TOKEN}` } }, {}],
    ['the namespace name', { globals: { namespace: 'tokenvalue-ns' } }, { env: 'OPENAI_API_KEY=tokenvalue-ns\n' }],
  ])('a secret in %s: refused before the first cluster call, naming where', async (role, app, project) => {
    const t = await testApp({ runner: upRunner(), now: NOW, ...app });
    writeProject(t.configDir, 'demo', project);
    const err = await failing(t);
    expect(err).toMatchObject({ exitCode: ExitCode.config });
    expect(err.message).toContain(`appears in ${role}, which is on the command line of every helm or kubectl call`);
    expect(err.hint).toContain('nothing was changed');
    expect(t.runner.argvs.filter((a) => a.includes('get') || a.includes('list') || a.includes('template'))).toEqual([]);
    expect(mutating(t.runner)).toEqual([]);
  });

  it('a secret in the project name: refused before any call at all', async () => {
    const t = await testApp({ runner: new FakeRunner(), now: NOW });
    writeProject(t.configDir, 'hunter2secret', { env: 'OPENAI_API_KEY=hunter2secret\n' });
    const err = (await upCommand.run(t.app, { project: 'hunter2secret' }, {}).catch((e: unknown) => e)) as RgsdError;
    expect(err.message).toBe(
      'the value of secret OPENAI_API_KEY appears in the project name, which is on the command line of every helm or kubectl call',
    );
    expect(t.runner.argvs).toEqual([]);
  });

  it('a secret that only a later command line would carry is refused with the plan, not halfway', async () => {
    // "workstation" is in no input, but in `kubectl exec … -c workstation` after the rollout
    const t = await testApp({ runner: upRunner(), now: NOW });
    writeProject(t.configDir, 'demo', { env: 'OPENAI_API_KEY=workstation\n' });
    const err = await failing(t);
    expect(err).toMatchObject({ exitCode: ExitCode.config });
    expect(err.message).toBe('the value of secret OPENAI_API_KEY would appear on the command line of kubectl exec (the session list)');
    expect(mutating(t.runner)).toEqual([]);
  });

  it('the planned command lines are exactly those apply runs (the guard sees the whole run)', async () => {
    const t = await setup({ nsExists: false, releases: [release('pending-upgrade', { updated: OLD })] }, { globals: { yes: true } });
    const found = await resolveProject(t.app, 'demo', { command: 'up', requireSettings: true });
    const local = { ...(await checkLocal(t.app, found)), chart: resolveChart(t.app, found.cfg, undefined) };
    const { target } = await openTarget(t.app, found);
    const plan = await planUp(t.app, local, target, { timeoutMs: 90_000 });
    const before = t.runner.calls.length;
    const rollout = argv.rollout.map((a) => (a === '--timeout=300s' ? '--timeout=90s' : a));
    t.runner.on(rollout, {});
    await applyUp(t.app, local, plan);
    const ran = t.runner.calls.slice(before).map((c) => ({ argv: c.argv, stdin: c.stdin }));
    expect(plannedCalls(t.app, local, plan).map((c) => ({ argv: c.argv, stdin: c.stdin }))).toEqual(ran);
    expect(ran.map((c) => c.argv)).toEqual([
      argv.createNamespace,
      argv.rollback,
      argv.applySecret,
      argv.upgrade,
      rollout,
      argv.execStatus(),
    ]);
  });

  it('only the Secret apply may carry secrets on stdin; the runner refuses them on any other stdin', async () => {
    const t = await setup();
    await up(t);
    const secretApply = t.runner.find(...argv.applySecret)[0];
    expect(secretApply?.opts.secretStdin).toBe(true);
    expect(t.runner.calls.filter((c) => c.opts.secretStdin).map((c) => c.argv)).toEqual([argv.applySecret]);
    await expect(t.app.runner.run('helm', ['upgrade', 'x', '-f', '-'], { stdin: `extraEnv: ${SECRET_KEY}` })).rejects.toThrow(
      'refusing to run helm: the value of secret ANTHROPIC_API_KEY would be in its input (only the Secret may carry it)',
    );
  });

  it('Helm older than 3.7 (no `uninstall --wait`) is refused with exit 4 before any cluster call', async () => {
    const t = await setup({ helmVersion: 'v3.6.3' });
    const err = await failing(t);
    expect(err).toBeInstanceOf(MissingToolError);
    expect(err.message).toBe('Helm v3.6.3 is too old: rgsd needs Helm 3.7.0 or newer (for `helm uninstall --wait`)');
    expect(err.hint).toContain('RGSD_HELM');
    expect(t.runner.argvs).toEqual([argv.helmVersion]);
  });
});

describe('rgsd up — a release of the same name in another namespace', () => {
  it('is refused, naming where it is; nothing changes', async () => {
    const t = await setup();
    t.runner.on(argv.helmListAll('demo'), { stdout: JSON.stringify([{ ...release('deployed'), namespace: 'team-a' }]) });
    const err = await failing(t);
    expect(err).toMatchObject({ exitCode: ExitCode.config });
    expect(err.message).toBe(
      'release demo already exists in namespace team-a (context ctx); installing it in rgsd too would make a second workstation of demo',
    );
    expect(err.hint).toContain('`rgsd up demo -n team-a`');
    expect(err.hint).toContain('`rgsd down demo -n team-a`');
    expect(mutating(t.runner)).toEqual([]);
  });

  it('when this namespace has it too, up upgrades this one and warns about the other', async () => {
    const here = release('deployed');
    const t = await setup({ releases: [here] }, { globals: { yes: true } });
    t.runner.on(argv.helmListAll('demo'), { stdout: JSON.stringify([here, { ...here, namespace: 'old' }]) });
    await up(t);
    expect(t.stderr()).toContain('warning: release demo also exists in namespace old: upgrading the one in this namespace only');
    expect(t.runner.argvs).toContainEqual(argv.upgrade);
  });

  it('credentials that cannot list releases cluster-wide: a warning that it could not look, not a failure', async () => {
    const t = await setup();
    t.runner.on(argv.helmListAll('demo'), {
      exitCode: 1,
      stderr:
        'Error: list: failed to list: secrets is forbidden: User "dev" cannot list resource "secrets" in API group "" at the cluster scope\n',
    });
    await up(t);
    expect(t.stderr()).toMatch(
      /warning: could not look for a release of the same name in other namespaces \(permission denied: .*cannot list secrets/,
    );
    expect(t.runner.argvs).toContainEqual(argv.upgrade);
  });
});

describe('rgsd up — the NetworkPolicy reaches the API server (rbac.mode not none)', () => {
  const SLICES = JSON.stringify({
    items: [
      {
        addressType: 'IPv4',
        endpoints: [{ addresses: ['172.18.0.3'] }, { addresses: ['172.18.0.2', 'not-an-ip'] }],
        ports: [{ name: 'https', port: 6443, protocol: 'TCP' }],
      },
    ],
  });

  it('fills networkPolicy.apiServerCIDRs/Ports from the endpoints; rendered and installed with them', async () => {
    const t = await testApp({ runner: upRunner().on(argv.apiServer, { stdout: SLICES }), now: NOW });
    writeProject(t.configDir, 'demo', { settings: 'rbac: {mode: namespace}\n' });
    await up(t);
    for (const call of [argv.template, argv.upgrade]) {
      const values = parse(t.runner.find(...call)[0]?.stdin ?? '');
      expect(values.networkPolicy).toEqual({ apiServerCIDRs: ['172.18.0.2', '172.18.0.3'], apiServerPorts: [6443] });
    }
    const seq = t.runner.argvs.map((a) => a.join(' '));
    expect(seq.indexOf(argv.apiServer.join(' '))).toBeLessThan(seq.indexOf(argv.template.join(' ')));
    expect(seq.indexOf(argv.template.join(' '))).toBeLessThan(seq.indexOf(argv.applySecret.join(' ')));
    expect(t.stderr()).toContain('NetworkPolicy: the pod may reach the API server at 172.18.0.2, 172.18.0.3 (ports 6443)');
  });

  it('a user who may not read them gets a warning, not a failure', async () => {
    const forbidden =
      'Error from server (Forbidden): endpointslices.discovery.k8s.io is forbidden: User "dev" cannot list resource "endpointslices" in API group "discovery.k8s.io" in the namespace "default"\n';
    const t = await testApp({ runner: upRunner().on(argv.apiServer, { exitCode: 1, stderr: forbidden }), now: NOW });
    writeProject(t.configDir, 'demo', { settings: 'rbac: {mode: cluster-admin}\n' });
    await up(t);
    expect(t.stderr()).toContain("warning: could not read the API server's addresses (permission denied");
    // the CLI says what the chart's NOTES say (helm's output is not shown)
    expect(t.stderr()).toMatch(
      /warning: rbac\.mode is cluster-admin: ServiceAccount \S+\/demo-rgsd is bound to the cluster-admin ClusterRole/,
    );
    expect(parse(t.runner.find(...argv.upgrade)[0]?.stdin ?? '').networkPolicy).toBeUndefined();
  });

  it('not read when rbac.mode is none, or when the settings give the addresses', async () => {
    const t = await setup();
    await up(t);
    const u = await testApp({ runner: upRunner(), now: NOW });
    writeProject(u.configDir, 'demo', { settings: 'rbac: {mode: namespace}\nvalues: {networkPolicy: {apiServerCIDRs: [10.0.0.1/32]}}\n' });
    await up(u);
    for (const x of [t, u]) expect(x.runner.argvs).not.toContainEqual(argv.apiServer);
    for (const x of [t, u]) expect(x.stderr()).not.toContain('cluster-admin');
  });
});

describe('rgsd up — the in-pod checks after the rollout (models.json, the pod kubectl)', () => {
  const MODELS = { settings: 'files: {models: models.json}\n', files: { 'models.json': '{"providers":{}}\n' } };

  it('a configured models.json: one exec after the session list, a ✓ line; no kubectl check with rbac none', async () => {
    const t = await testApp({ runner: upRunner(), now: NOW });
    writeProject(t.configDir, 'demo', MODELS);
    await up(t);
    expect(t.runner.argvs.slice(-2)).toEqual([argv.execStatus(), argv.podChecks('models')]);
    // after the rollout: one exec of the checks (an install has no pod for the plan's early one)
    expect(t.runner.argvs.filter((a) => a.includes('rgsd-checks') && a.includes('--pod-running-timeout=10s'))).toHaveLength(1);
    expect(t.stderr()).toContain('✓ models.json valid in the pod');
    expect(t.stderr()).not.toContain('kubectl reaches');
  });

  it('models.json and rbac.mode namespace: both checks in ONE exec; failures are warnings, the up succeeds', async () => {
    const runner = upRunner().on(argv.apiServer, { stdout: '{"items":[]}' }).on(argv.podChecks('models', 'kubectl'), {
      stdout:
        'models invalid jq: error (at <stdin>:3): parse error: Expected separator between values at line 3, column 5\nkubectl ok no\n',
    });
    const t = await testApp({ runner, now: NOW });
    writeProject(t.configDir, 'demo', { ...MODELS, settings: 'files: {models: models.json}\nrbac: {mode: namespace}\n' });
    await up(t);
    expect(t.runner.argvs.filter((a) => a.includes('rgsd-checks'))).toEqual([
      argv.podChecksEarly('models', 'kubectl'),
      argv.podChecks('models', 'kubectl'),
    ]);
    expect(t.runner.argvs.at(-1)).toEqual(argv.podChecks('models', 'kubectl'));
    expect(t.stderr()).toContain(
      'warning: models.json in the pod is not valid JSON: jq: error (at <stdin>:3): parse error: Expected separator between values at line 3, column 5',
    );
    expect(t.stderr()).toContain(
      "warning: the pod's kubectl does not reach the API server: the API server answered, but the ServiceAccount may not get pods",
    );
    expect(t.stderr()).toContain('rgsd connect demo');
  });

  it('rbac.mode cluster-admin without models.json: only the kubectl check; a reachable API is a ✓ line', async () => {
    const t = await testApp({ runner: upRunner().on(argv.apiServer, { stdout: '{"items":[]}' }), now: NOW });
    writeProject(t.configDir, 'demo', { settings: 'rbac: {mode: cluster-admin}\n' });
    await up(t);
    expect(t.runner.argvs.at(-1)).toEqual(argv.podChecks('kubectl'));
    expect(t.stderr()).toContain("✓ the pod's kubectl reaches the API server (may get pods)");
  });

  it('a missing file, an unreachable API, a failed exec: warnings only', async () => {
    const t = await testApp({
      runner: upRunner().on(argv.apiServer, { stdout: '{"items":[]}' }).on(argv.podChecks('models', 'kubectl'), {
        stdout: 'models missing\nkubectl failed Unable to connect to the server: dial tcp 10.96.0.1:443: i/o timeout\n',
      }),
      now: NOW,
    });
    writeProject(t.configDir, 'demo', { ...MODELS, settings: 'files: {models: models.json}\nrbac: {mode: namespace}\n' });
    await up(t);
    expect(t.stderr()).toContain('warning: models.json is configured but ~/.gsd/agent/models.json is not in the pod');
    expect(t.stderr()).toContain(
      "warning: the pod's kubectl does not reach the API server: Unable to connect to the server: dial tcp 10.96.0.1:443: i/o timeout",
    );

    const u = await testApp({
      runner: upRunner().on(argv.podChecks('models'), {
        exitCode: 1,
        stderr: 'error: unable to upgrade connection: container not found\n',
      }),
      now: NOW,
    });
    writeProject(u.configDir, 'demo', MODELS);
    await up(u);
    expect(u.stderr()).toMatch(/warning: the in-pod checks \(models\.json\) could not run: /);
    expect(u.stderr()).toContain('rgsd connect demo');
  });

  it('a detail that quotes a secret value is not shown', async () => {
    const t = await testApp({
      runner: upRunner().on(argv.podChecks('models'), { stdout: `models invalid near ${SECRET_KEY}\n` }),
      now: NOW,
    });
    writeProject(t.configDir, 'demo', MODELS);
    await up(t);
    expect(t.stderr()).not.toContain(SECRET_KEY);
    expect(t.stderr()).toContain('warning: models.json in the pod is not valid JSON: (the message quoted a secret value; not shown)');
  });

  it('--json: one document on stdout with the checks; progress stays on stderr', async () => {
    const t = await testApp({ runner: upRunner(), now: NOW, globals: { json: true } });
    writeProject(t.configDir, 'demo', MODELS);
    await up(t);
    const doc = JSON.parse(t.stdout()) as Record<string, unknown>;
    expect(doc).toEqual({
      schemaVersion: 1,
      project: 'demo',
      context: 'ctx',
      namespace: 'rgsd',
      action: 'installed',
      restarted: false,
      deployment: 'demo-rgsd',
      session: 'main',
      sessionReady: true,
      warnings: [],
      checks: [{ check: 'models', ok: true, message: 'models.json valid in the pod' }],
    });
    expect(t.stderr()).toContain('✓ models.json valid in the pod');
    expect(t.stderr()).not.toContain('rgsd connect demo');
  });

  it('--json without a check that applies: checks [] and no extra call', async () => {
    const t = await testApp({ runner: upRunner(), now: NOW, globals: { json: true } });
    writeProject(t.configDir, 'demo');
    await up(t);
    expect((JSON.parse(t.stdout()) as { checks: unknown }).checks).toEqual([]);
    expect(t.runner.argvs.at(-1)).toEqual(argv.execStatus());
  });
});

describe('rgsd up — interrupted (Ctrl-C): what was done, what to run next', () => {
  it('during helm upgrade, after the namespace and the Secret', async () => {
    const t = await setup({ nsExists: false });
    t.runner.on(argv.upgrade, { throws: new InterruptedError() });
    const err = await up(t).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InterruptedError);
    expect(report(err, t.app.progress)).toBe(
      'rgsd: interrupted after namespace rgsd was created and the Secret was applied, during helm upgrade --install: ' +
        'the release may be left pending-install\nhint: re-run `rgsd up demo` in a minute: it recovers a pending release\n',
    );
  });

  it('while waiting for the pod: the release is in; status and connect are next', async () => {
    const t = await setup();
    t.runner.on(argv.rollout, { throws: new InterruptedError() });
    const err = await up(t).catch((e: unknown) => e);
    expect(report(err, t.app.progress)).toBe(
      'rgsd: interrupted after the Secret was applied and helm installed release demo, during the wait for the pod: the pod may still be starting\n' +
        'hint: `rgsd status demo` shows the pod; `rgsd connect demo` once it is ready\n',
    );
  });

  it('during the plan: nothing was changed', async () => {
    const t = await setup();
    t.runner.on(argv.workload, { throws: new InterruptedError() });
    const err = await up(t).catch((e: unknown) => e);
    expect(report(err, t.app.progress)).toBe('rgsd: interrupted before anything was changed\n');
    expect(mutating(t.runner)).toEqual([]);
  });
});
