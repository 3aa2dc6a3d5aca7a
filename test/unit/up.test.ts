import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ExitCode, RgsdError } from '../../src/core/errors.js';
import { up } from '../../src/ops/deploy.js';
import { run as runUp } from '../../src/commands/up.js';
import { FakePrompter, testApp } from '../helpers/test-app.js';
import { SECRET_KEY, SECRET_TOKEN, writeProject } from '../helpers/project-fixture.js';
import { argv, release, upRunner, UNREACHABLE } from '../helpers/cluster-fixture.js';
import type { FakeRunner } from '../helpers/fake-runner.js';

function assertNoSecretInArgv(runner: FakeRunner): void {
  for (const c of runner.calls) {
    const joined = c.argv.join(' ');
    for (const s of [SECRET_TOKEN, SECRET_KEY, Buffer.from(SECRET_TOKEN).toString('base64')]) expect(joined).not.toContain(s);
  }
}

async function setup(o: Parameters<typeof upRunner>[0] = {}, app: Parameters<typeof testApp>[0] = {}) {
  const runner = upRunner(o);
  const t = await testApp({ runner, ...app });
  writeProject(t.configDir, 'demo');
  return t;
}

const mutating = (r: FakeRunner) =>
  r.argvs.filter((a) => ['create', 'apply', 'upgrade', 'uninstall', 'rollback'].some((verb) => a.includes(verb)) && !a.includes('config'));

describe('rgsd up — fresh install', () => {
  it('runs exactly the preflight, namespace, Secret, helm, rollout, status calls', async () => {
    const t = await setup({ nsExists: false });
    const res = await up(t.app, 'demo', {});
    expect(t.runner.argvs).toEqual([
      argv.helmVersion,
      argv.currentContext,
      argv.getNamespace,
      argv.helmList('demo'),
      argv.createNamespace,
      argv.applySecret,
      argv.upgrade,
      argv.rollout,
      argv.execStatus(),
    ]);
    expect(res.action).toBe('installed');
    expect(res.helm).toEqual({ major: 4, version: 'v4.1.4' });
    expect(t.stderr()).toContain('context: ctx  namespace: rgsd');
    expect(t.stderr()).toContain('tmux session "main" is ready');
    expect(t.stderr()).toContain('rgsd connect demo');
    expect(t.stderr()).toContain('kubectl --context ctx -n rgsd exec -it deployment/demo-rgsd -c workstation -- tmux attach -t main');
    expect(t.stdout()).toBe('');
  });

  it('creates the namespace with the rgsd and restricted labels, on stdin', async () => {
    const t = await setup({ nsExists: false });
    await up(t.app, 'demo', {});
    const ns = JSON.parse(t.runner.find(...argv.createNamespace)[0]?.stdin ?? '');
    expect(ns).toEqual({
      apiVersion: 'v1', kind: 'Namespace',
      metadata: { name: 'rgsd', labels: { 'app.kubernetes.io/managed-by': 'rgsd', 'pod-security.kubernetes.io/enforce': 'restricted' } },
    });
  });

  it('applies the Secret only through stdin and passes only its name + checksum to helm', async () => {
    const t = await setup();
    await up(t.app, 'demo', {});
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
    await up(t.app, 'demo', {});
    expect(t.runner.find(...argv.createNamespace)).toHaveLength(0);
  });

  it('--verbose echoes every command line, never a secret', async () => {
    const t = await setup({}, { globals: { verbose: true } });
    await up(t.app, 'demo', {});
    expect(t.stderr()).toContain('$ kubectl --context ctx -n rgsd apply --server-side --field-manager=rgsd --force-conflicts -f - < stdin');
    expect(t.stderr()).not.toContain(SECRET_TOKEN);
  });
});

describe('rgsd up — idempotence and restarts', () => {
  async function valuesOfFirstRun(): Promise<unknown> {
    const t = await setup();
    await up(t.app, 'demo', {});
    return parse(t.runner.find(...argv.upgrade)[0]?.stdin ?? '');
  }

  it('an unchanged second up asks nothing and reports no restart', async () => {
    const prev = await valuesOfFirstRun();
    const t = await setup({ releases: [release('deployed', { revision: 3 })], prevValues: prev });
    const res = await up(t.app, 'demo', {});
    expect(res.action).toBe('unchanged');
    expect(res.restarted).toBe(false);
    expect(t.stderr()).toContain('pod template unchanged, no restart');
    expect(t.stderr()).not.toContain('warning');
    expect(t.runner.argvs).toContainEqual(argv.getValues);
  });

  it('changed secrets: warns; without a TTY and --yes it refuses (exit 7) before changing anything', async () => {
    const prev = (await valuesOfFirstRun()) as { secrets: { checksum: string } };
    const old = { ...prev, secrets: { ...prev.secrets, checksum: '0'.repeat(64) } };
    const t = await setup({ releases: [release('deployed')], prevValues: old });
    const err = await up(t.app, 'demo', {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RgsdError);
    expect((err as RgsdError).exitCode).toBe(ExitCode.refused);
    expect((err as RgsdError).hint).toContain('--yes');
    expect(t.stderr()).toContain('restarts the pod, which ends its tmux session');
    expect(t.stderr()).toContain('the secrets changed');
    expect(mutating(t.runner)).toEqual([]);
  });

  it('changed settings with --yes: upgrades and reports the restart', async () => {
    const prev = (await valuesOfFirstRun()) as Record<string, unknown>;
    const t = await setup({ releases: [release('deployed')], prevValues: { ...prev, agent: { name: 'codex' } } }, { globals: { yes: true } });
    const res = await up(t.app, 'demo', {});
    expect(res.restarted).toBe(true);
    expect(t.stderr()).toContain('agent changed');
    expect(t.runner.argvs).toContainEqual(argv.upgrade);
  });

  it('a different chart version counts as a restart (asks first)', async () => {
    const prev = await valuesOfFirstRun();
    const t = await setup({ releases: [{ ...release('deployed'), chart: 'rgsd-0.0.9' }], prevValues: prev });
    await expect(up(t.app, 'demo', {})).rejects.toMatchObject({ exitCode: ExitCode.refused });
    expect(t.stderr()).toMatch(/the chart changes from rgsd-0.0.9 to rgsd-\d+\.\d+\.\d+/);
  });

  it('interactive: the restart is confirmed through the prompter; "no" refuses', async () => {
    const prev = (await valuesOfFirstRun()) as Record<string, unknown>;
    const prompter = new FakePrompter([false]);
    const t = await setup({ releases: [release('deployed')], prevValues: { ...prev, git: { repo: 'x' } } }, { prompter, interactive: true });
    await expect(up(t.app, 'demo', {})).rejects.toMatchObject({ exitCode: ExitCode.refused });
    expect(prompter.asked[0]?.message).toBe('Restart the workstation now?');
    expect(mutating(t.runner)).toEqual([]);
  });
});

describe('rgsd up — interrupted releases', () => {
  const OLD = '2026-11-22T10:00:00Z';
  const now = new Date('2026-11-22T12:00:00Z');

  it('pending-install: uninstall (PVC kept by policy) then install', async () => {
    const t = await setup({ releases: [release('pending-install', { updated: OLD })] }, { now });
    const res = await up(t.app, 'demo', {});
    const seq = t.runner.argvs.map((a) => a.join(' '));
    const un = seq.indexOf(argv.uninstall.join(' '));
    expect(un).toBeGreaterThan(-1);
    expect(un).toBeLessThan(seq.indexOf(argv.upgrade.join(' ')));
    expect(seq).not.toContainEqual(argv.getValues);
    expect(res.action).toBe('installed');
    expect(t.stderr()).toContain('pending-install');
    expect(t.stderr()).toContain('helm uninstall demo --kube-context ctx -n rgsd --wait');
  });

  it.each(['pending-upgrade', 'pending-rollback'])('%s: rollback then upgrade', async (status) => {
    const t = await setup({ releases: [release(status, { revision: 4, updated: OLD })] }, { now, globals: { yes: true } });
    await up(t.app, 'demo', {});
    const seq = t.runner.argvs.map((a) => a.join(' '));
    const rb = seq.indexOf(argv.rollback.join(' '));
    expect(rb).toBeGreaterThan(-1);
    expect(rb).toBeLessThan(seq.indexOf(argv.upgrade.join(' ')));
    expect(t.stderr()).toContain(`left ${status}`);
  });

  it('failed: plain upgrade, no uninstall or rollback', async () => {
    const t = await setup({ releases: [release('failed', { updated: OLD })] }, { now });
    await up(t.app, 'demo', {});
    expect(t.runner.argvs).not.toContainEqual(argv.uninstall);
    expect(t.runner.argvs).not.toContainEqual(argv.rollback);
    expect(t.runner.argvs).toContainEqual(argv.upgrade);
  });

  it('a pending release younger than a minute is not touched: the error names the exact command', async () => {
    const t = await setup({ releases: [release('pending-upgrade', { updated: '2026-11-22T11:59:40Z' })] }, { now });
    const err = (await up(t.app, 'demo', {}).catch((e: unknown) => e)) as RgsdError;
    expect(err.exitCode).toBe(ExitCode.failure);
    expect(err.message).toContain('another helm operation may still be running');
    expect(err.hint).toContain('`helm rollback demo --kube-context ctx -n rgsd`');
    expect(mutating(t.runner)).toEqual([]);
  });

  it('uses RGSD_HELM / RGSD_KUBECTL binaries in calls and in hints', async () => {
    const { FakeRunner } = await import('../helpers/fake-runner.js');
    const runner = new FakeRunner()
      .on(['helm3', 'version', '--template', '{{.Version}}'], { stdout: 'v3.18.0' })
      .on(['kc', 'config', 'current-context'], { stdout: 'ctx' })
      .on(['kc', '--context', 'ctx', 'get', 'namespace', 'rgsd', '-o', 'json'], { stdout: '{}' })
      .on(['helm3', ...argv.helmList('demo').slice(1)], { stdout: JSON.stringify([release('pending-install', { updated: '2026-11-22T11:59:59Z' })]) });
    const t = await testApp({ runner, now, env: { RGSD_HELM: 'helm3', RGSD_KUBECTL: 'kc' } });
    writeProject(t.configDir, 'demo');
    const err = (await up(t.app, 'demo', {}).catch((e: unknown) => e)) as RgsdError;
    expect(err.hint).toContain('`helm3 uninstall demo --kube-context ctx -n rgsd --wait`');
  });
});

describe('rgsd up — errors (exit codes, nothing half-done)', () => {
  it('helm missing → exit 4, no cluster call', async () => {
    const { MissingToolError } = await import('../../src/core/errors.js');
    const t = await setup();
    t.runner.on(argv.helmVersion, { throws: new MissingToolError('helm not found', { hint: 'install Helm' }) });
    await expect(up(t.app, 'demo', {})).rejects.toMatchObject({ exitCode: ExitCode.missingTool });
    expect(t.runner.argvs).toEqual([argv.helmVersion]);
  });
  it('Helm 2 is refused (exit 4)', async () => {
    const t = await setup({ helmVersion: 'v2.17.0' });
    await expect(up(t.app, 'demo', {})).rejects.toThrow(/not supported \(need Helm 3 or 4\)/);
  });
  it('Helm 3 works the same way', async () => {
    const t = await setup({ helmVersion: 'v3.18.0' });
    expect((await up(t.app, 'demo', {})).helm.major).toBe(3);
  });
  it('unreachable cluster → exit 5 with a hint, nothing applied', async () => {
    const t = await setup();
    t.runner.on(argv.getNamespace, UNREACHABLE);
    const err = (await up(t.app, 'demo', {}).catch((e: unknown) => e)) as RgsdError;
    expect(err.exitCode).toBe(ExitCode.unreachable);
    expect(err.message).toMatch(/^cannot reach the cluster \(context ctx\)/);
    expect(err.hint).toContain('kubectl cluster-info');
    expect(mutating(t.runner)).toEqual([]);
  });
  it('a user who may not read Namespace objects proceeds (the namespace is assumed to exist)', async () => {
    const t = await setup();
    t.runner.on(argv.getNamespace, { exitCode: 1, stderr: 'Error from server (Forbidden): namespaces "rgsd" is forbidden: User "dev" cannot get resource "namespaces"' });
    await up(t.app, 'demo', {});
    expect(t.runner.argvs).not.toContainEqual(argv.createNamespace);
    expect(t.runner.argvs).toContainEqual(argv.upgrade);
  });
  it('pinned context different from the current one → exit 3 before any cluster call', async () => {
    const t = await testApp({ runner: upRunner() });
    writeProject(t.configDir, 'demo', { settings: 'context: prod\n' });
    const err = (await up(t.app, 'demo', {}).catch((e: unknown) => e)) as RgsdError;
    expect(err.exitCode).toBe(ExitCode.config);
    expect(err.message).toBe('project demo is pinned to context "prod" but the current context is "ctx"');
    expect(err.hint).toContain('--context prod');
    expect(t.runner.argvs).toEqual([argv.helmVersion, argv.currentContext]);
  });
  it('--context overrides the pin', async () => {
    const t = await testApp({ runner: upRunner(), globals: { context: 'ctx' } });
    writeProject(t.configDir, 'demo', { settings: 'context: prod\n' });
    await up(t.app, 'demo', {});
    expect(t.runner.argvs).not.toContainEqual(argv.currentContext);
  });
  it('secrets file readable by others → exit 3 with chmod hint, before any cluster call', async () => {
    const t = await testApp({ runner: upRunner() });
    const { secretsFile } = writeProject(t.configDir, 'demo', { envMode: 0o644 });
    const err = (await up(t.app, 'demo', {}).catch((e: unknown) => e)) as RgsdError;
    expect(err.exitCode).toBe(ExitCode.config);
    expect(err.hint).toBe(`chmod 600 ${secretsFile}`);
    expect(t.runner.argvs).toEqual([]); // not even helm or the kube context: the file is fixed first
  });
  it('unknown project → exit 6', async () => {
    const t = await testApp({ runner: upRunner() });
    await expect(up(t.app, 'ghost', {})).rejects.toMatchObject({ exitCode: ExitCode.notFound });
  });
  it('rollout timeout → exit 8 with the status/logs hint', async () => {
    const t = await setup();
    t.runner.on(argv.rollout, { exitCode: 1, stderr: 'error: timed out waiting for the condition\n' });
    const err = (await up(t.app, 'demo', {}).catch((e: unknown) => e)) as RgsdError;
    expect(err.exitCode).toBe(ExitCode.timeout);
    expect(err.hint).toContain('rgsd logs demo --init');
  });
  it('--timeout reaches kubectl rollout status; a bad duration is a usage error', async () => {
    const t = await setup();
    const rollout90 = argv.rollout.map((a) => (a === '--timeout=300s' ? '--timeout=90s' : a));
    t.runner.on(rollout90, {});
    await runUp(t.app, 'demo', { timeout: '1m30s' });
    expect(t.runner.argvs).toContainEqual(rollout90);
    await expect(up(t.app, 'demo', { timeout: 'soon' })).rejects.toMatchObject({ exitCode: ExitCode.usage });
  });
  it('a secret value in an argv is refused by the guard (defence in depth)', async () => {
    const t = await setup();
    await up(t.app, 'demo', {});
    await expect(t.app.runner.run('kubectl', ['annotate', `x=${SECRET_TOKEN}`])).rejects.toThrow(/secret value would appear/);
  });
});
