import { describe, expect, it } from 'vitest';
import { chmodSync } from 'node:fs';
import { ExitCode, MissingToolError } from '../../src/core/errors.js';
import { run as doctorCommand } from '../../src/commands/doctor.js';
import { doctor } from '../../src/ops/doctor.js';
import { FakeRunner } from '../helpers/fake-runner.js';
import { testApp } from '../helpers/test-app.js';
import { SECRET_KEY, SECRET_TOKEN, writeProject } from '../helpers/project-fixture.js';
import { argv } from '../helpers/cluster-fixture.js';

const d = {
  kubectlClient: ['kubectl', 'version', '--client', '-o', 'json'],
  server: (ctx = 'ctx') => ['kubectl', '--context', ctx, 'version', '-o', 'json', '--request-timeout=10s'],
  getNamespace: (ctx = 'ctx', ns = 'rgsd') => ['kubectl', '--context', ctx, 'get', 'namespace', ns, '-o', 'json'],
};
const NS = { stdout: JSON.stringify({ metadata: { name: 'rgsd', labels: { 'app.kubernetes.io/managed-by': 'rgsd', 'pod-security.kubernetes.io/enforce': 'restricted' } } }) };

function healthy(): FakeRunner {
  return new FakeRunner()
    .on(argv.helmVersion, { stdout: 'v4.1.4' })
    .on(d.kubectlClient, { stdout: JSON.stringify({ clientVersion: { gitVersion: 'v1.35.2' } }) })
    .on(argv.currentContext, { stdout: 'ctx\n' })
    .on(d.server(), { stdout: JSON.stringify({ clientVersion: {}, serverVersion: { gitVersion: 'v1.35.4' } }) })
    .on(d.getNamespace(), NS);
}

const statuses = (checks: { name: string; status: string }[]) => Object.fromEntries(checks.map((c) => [c.name, c.status]));

describe('rgsd doctor', () => {
  it('all checks pass: each one reported with its result', async () => {
    const t = await testApp({ runner: healthy() });
    writeProject(t.configDir, 'demo');
    await doctorCommand(t.app, 'demo', {});
    const out = t.stdout();
    expect(out).toMatch(/✓\s+helm\s+helm v4\.1\.4 \(Helm 4\)/);
    expect(out).toMatch(/✓\s+kubectl\s+kubectl v1\.35\.2 \(client\)/);
    expect(out).toMatch(/✓\s+context\s+ctx \(current\)/);
    expect(out).toMatch(/✓\s+cluster\s+reachable, Kubernetes v1\.35\.4/);
    expect(out).toMatch(/✓\s+namespace\s+rgsd exists \(created by rgsd, pod-security: restricted\)/);
    expect(out).toMatch(/✓\s+settings \(demo\)\s+.*demo\.yaml is valid/);
    expect(out).toMatch(/✓\s+secrets \(demo\)\s+.*demo\.env \(mode 0600, 2 keys set\)/);
    expect(t.stderr()).toContain('context: ctx  namespace: rgsd');
    expect(t.stderr()).toContain('all checks passed');
    expect(t.runner.argvs).toEqual(expect.arrayContaining([argv.helmVersion, d.kubectlClient, argv.currentContext, d.server(), d.getNamespace()]));
    expect(t.runner.argvs).toHaveLength(5);
    // read-only: nothing mutating, no secret anywhere
    const all = JSON.stringify(t.runner.calls) + out + t.stderr();
    expect(all).not.toContain(SECRET_TOKEN);
    expect(all).not.toContain(SECRET_KEY);
  });

  it('--json: one document with every check', async () => {
    const t = await testApp({ runner: healthy() });
    writeProject(t.configDir, 'demo');
    await doctorCommand(t.app, 'demo', { json: true });
    const doc = JSON.parse(t.stdout());
    expect(doc).toMatchObject({ schemaVersion: 1, ok: true, context: 'ctx', namespace: 'rgsd', projects: ['demo'] });
    expect(doc.checks.map((c: { name: string }) => c.name)).toEqual(['helm', 'kubectl', 'context', 'cluster', 'namespace', 'settings', 'secrets']);
    for (const c of doc.checks) expect(Object.keys(c).sort()).toEqual(expect.arrayContaining(['detail', 'hint', 'name', 'status']));
    expect(doc.checks.find((c: { name: string }) => c.name === 'secrets')).toMatchObject({ project: 'demo', status: 'ok' });
    expect(JSON.stringify(doc)).not.toContain('exitCode');
  });

  it('secrets file readable by others fails with the chmod hint; exit 3', async () => {
    const t = await testApp({ runner: healthy() });
    const { secretsFile } = writeProject(t.configDir, 'demo');
    chmodSync(secretsFile, 0o644);
    const err = await doctorCommand(t.app, 'demo', {}).catch((e: unknown) => e);
    expect(err).toMatchObject({ exitCode: ExitCode.config, message: '1 check failed: secrets', hint: `chmod 600 ${secretsFile}` });
    expect(t.stdout()).toMatch(/✗\s+secrets \(demo\)\s+.*mode 0644/);
    expect(t.stdout()).toContain(`hint: chmod 600 ${secretsFile}`);
  });

  it('invalid settings fail the settings check (and skip secrets)', async () => {
    const t = await testApp({ runner: healthy() });
    writeProject(t.configDir, 'demo', { settings: 'agent: vim\n' });
    const { doc, failed } = await doctor(t.app, 'demo');
    expect(failed.map((c) => c.name)).toEqual(['settings']);
    expect(statuses(doc.checks)).toMatchObject({ settings: 'fail', secrets: 'skip' });
    expect(doc.checks.find((c) => c.name === 'settings')?.detail).toContain('agent must be one of gsd, claude, codex, none (got "vim")');
  });

  it('helm missing → fail (exit 4), other checks still run', async () => {
    const t = await testApp({ runner: healthy().on(argv.helmVersion, { throws: new MissingToolError('helm not found', { hint: 'install Helm 3 or 4' }) }) });
    writeProject(t.configDir, 'demo');
    const err = await doctorCommand(t.app, 'demo', {}).catch((e: unknown) => e);
    expect(err).toMatchObject({ exitCode: ExitCode.missingTool, message: '1 check failed: helm', hint: 'install Helm 3 or 4' });
    expect(t.stdout()).toMatch(/✓\s+cluster/);
  });

  it('Helm 2 is refused', async () => {
    const t = await testApp({ runner: healthy().on(argv.helmVersion, { stdout: 'v2.17.0' }) });
    const { doc } = await doctor(t.app, undefined);
    expect(doc.checks[0]).toMatchObject({ name: 'helm', status: 'fail', detail: 'Helm v2.17.0 is not supported (need Helm 3 or 4)' });
  });

  it('unreachable cluster → cluster fails (exit 5), namespace skipped', async () => {
    const t = await testApp({
      runner: healthy().on(d.server(), { exitCode: 1, stdout: '{"clientVersion":{}}', stderr: 'Unable to connect to the server: dial tcp 127.0.0.1:6443: connect: connection refused\n' }),
    });
    const err = await doctorCommand(t.app, undefined, { json: true }).catch((e: unknown) => e);
    expect(err).toMatchObject({ exitCode: ExitCode.unreachable });
    const doc = JSON.parse(t.stdout());
    expect(doc.ok).toBe(false);
    expect(statuses(doc.checks)).toMatchObject({ cluster: 'fail', namespace: 'skip' });
    expect(t.runner.argvs).not.toContainEqual(d.getNamespace());
  });

  it('pinned context differs from the current one → context fails (exit 3) and the cluster is not touched', async () => {
    const t = await testApp({ runner: healthy() });
    writeProject(t.configDir, 'demo', { settings: 'context: prod\nnamespace: team\n' });
    const { doc, failed } = await doctor(t.app, 'demo');
    expect(failed.map((c) => c.name)).toEqual(['context']);
    expect(failed[0]).toMatchObject({ exitCode: ExitCode.config, hint: 'pass --context prod (or `kubectl config use-context prod`)' });
    expect(doc.namespace).toBe('team');
    expect(statuses(doc.checks)).toMatchObject({ cluster: 'skip', namespace: 'skip' });
    expect(t.runner.argvs.some((a) => a.includes('--context'))).toBe(false);
  });

  it('--context and -n are honoured', async () => {
    const runner = healthy()
      .on(d.server('prod'), { stdout: JSON.stringify({ serverVersion: { gitVersion: 'v1.34.0' } }) })
      .on(d.getNamespace('prod', 'team'), { exitCode: 1, stderr: 'Error from server (NotFound): namespaces "team" not found\n' });
    const t = await testApp({ runner, globals: { context: 'prod', namespace: 'team' } });
    const { doc, failed } = await doctor(t.app, undefined);
    expect(failed).toEqual([]);
    expect(doc.checks.find((c) => c.name === 'namespace')).toMatchObject({ status: 'warn', detail: 'team does not exist yet' });
    expect(doc.checks.find((c) => c.name === 'context')).toMatchObject({ status: 'ok', detail: 'prod (--context)' });
  });

  it('no project configured: the settings check says so (skip), the rest runs', async () => {
    const t = await testApp({ runner: healthy() });
    const { doc, failed } = await doctor(t.app, undefined);
    expect(failed).toEqual([]);
    expect(doc.checks.find((c) => c.name === 'settings')).toMatchObject({ status: 'skip', hint: 'create one with `rgsd init <project>`' });
  });

  it('an unknown project fails the settings check with exit 6', async () => {
    const t = await testApp({ runner: healthy() });
    const err = await doctorCommand(t.app, 'ghost', {}).catch((e: unknown) => e);
    expect(err).toMatchObject({ exitCode: ExitCode.notFound, message: '1 check failed: settings' });
  });
});
