import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/core/app.js';
import { ExitCode, MissingToolError } from '../../src/core/errors.js';
import { doctor, type DoctorEvent } from '../../src/ops/doctor.js';
import { reportError } from '../../src/ui/report.js';
import { argv, taskCheckDoc, UNREACHABLE } from '../helpers/cluster-fixture.js';
import { FakeRunner } from '../helpers/fake-runner.js';
import { expectGolden } from '../helpers/golden.js';
import { SECRET_KEY, SECRET_TOKEN, writeProject } from '../helpers/project-fixture.js';
import { kubeconfigFile, REPO_ROOT, tempDir, testApp, type TestApp } from '../helpers/test-app.js';

const d = {
  kubectlClient: ['kubectl', 'version', '--client', '-o', 'json'],
  server: (ctx = 'ctx') => ['kubectl', '--context', ctx, 'version', '-o', 'json', '--request-timeout=10s'],
  getNamespace: (ctx = 'ctx', ns = 'rgsd') => ['kubectl', '--context', ctx, 'get', 'namespace', ns, '-o', 'json'],
};
const NS_LABELS = { 'app.kubernetes.io/managed-by': 'rgsd', 'pod-security.kubernetes.io/enforce': 'restricted' };
const NS = { stdout: JSON.stringify({ metadata: { name: 'rgsd', labels: NS_LABELS } }) };
const FORBIDDEN = {
  exitCode: 1,
  stderr:
    'Error from server (Forbidden): namespaces "rgsd" is forbidden: ' +
    'User "dev" cannot get resource "namespaces" in API group "" at the cluster scope\n',
};

function healthy(): FakeRunner {
  return new FakeRunner()
    .on(argv.helmVersion, { stdout: 'v4.1.4' })
    .on(d.kubectlClient, { stdout: JSON.stringify({ clientVersion: { gitVersion: 'v1.35.2' } }) })
    .on(argv.currentContext, { stdout: 'ctx\n' })
    .on(d.server(), { stdout: JSON.stringify({ clientVersion: {}, serverVersion: { gitVersion: 'v1.35.4' } }) })
    .on(d.getNamespace(), NS)
    .on(argv.taskCheck, { stdout: taskCheckDoc() });
}

/** The command as main.ts runs it. */
async function runDoctor(app: App, project: string | undefined): Promise<void> {
  const cmd = (await import('../../src/commands/doctor.js')).default;
  await cmd.run(app, { project }, {});
}

/** What the user sees: stdout, then stderr including main.ts's error report; the temp config dir replaced. */
async function screen(t: TestApp, project: string | undefined): Promise<string> {
  let report = '';
  await runDoctor(t.app, project).catch((err: unknown) => reportError(err, false, (s) => (report += s)));
  return `--- stdout\n${t.stdout()}--- stderr\n${t.stderr()}${report}`.replaceAll(t.configDir, '<config>');
}

const statuses = (checks: { name: string; status: string }[]) => Object.fromEntries(checks.map((c) => [c.name, c.status]));

describe('doctor (ops)', () => {
  it('returns the document and no failure when everything is fine; prints nothing itself', async () => {
    const t = await testApp({ runner: healthy() });
    writeProject(t.configDir, 'demo');
    const events: DoctorEvent[] = [];
    const { doc, failed } = await doctor(t.app, 'demo', (e) => events.push(e));
    expect(failed).toEqual([]);
    expect(doc).toMatchObject({ schemaVersion: 1, ok: true, context: 'ctx', namespace: 'rgsd', projects: ['demo'] });
    expect(statuses(doc.checks)).toEqual({
      helm: 'ok',
      kubectl: 'ok',
      context: 'ok',
      cluster: 'ok',
      namespace: 'ok',
      settings: 'ok',
      secrets: 'ok',
      repo: 'ok',
      agent: 'ok',
      'codex-sandbox': 'ok',
    });
    expect(doc.checks.find((c) => c.name === 'repo')).toMatchObject({
      status: 'ok',
      detail: 'https://github.com/org/repo.git (GITHUB_TOKEN set)',
      project: 'demo',
    });
    expect(events).toEqual([{ kind: 'target', target: { context: 'ctx', namespace: 'rgsd' } }]);
    expect(t.stdout() + t.stderr()).toBe('');
    expect(t.runner.argvs).toEqual(
      expect.arrayContaining([argv.helmVersion, d.kubectlClient, d.server(), d.getNamespace(), argv.taskCheck]),
    );
    expect(t.runner.argvs).toHaveLength(5); // the context comes from the kubeconfig, no call
  });

  it("a project's workstation: Codex's sandbox that cannot run commands is a warning naming the way out; the configured agent missing too", async () => {
    const noGsd = JSON.parse(taskCheckDoc(false)) as { agents: Record<string, boolean> };
    noGsd.agents.gsd = false;
    const t = await testApp({ runner: healthy().on(argv.taskCheck, { stdout: JSON.stringify(noGsd) }) });
    writeProject(t.configDir, 'demo');
    const { doc, failed } = await doctor(t.app, 'demo');
    expect(failed).toEqual([]);
    expect(doc.checks.find((c) => c.name === 'codex-sandbox')).toEqual({
      name: 'codex-sandbox',
      status: 'warn',
      detail:
        "codex's sandbox cannot run commands in the pod (read-only, workspace-write: bwrap: No permissions to create a new namespace, likely because the kernel does not allow non-privileged user namespaces.)",
      hint: 'codex tasks need `rgsd run --permissions full` (the pod is the sandbox); read-only and edit are refused',
      project: 'demo',
    });
    expect(doc.checks.find((c) => c.name === 'agent')).toMatchObject({
      status: 'warn',
      detail: 'gsd, the configured agent, is not installed in the workstation (installed: claude, codex)',
    });
  });

  it('a project that is not deployed: the workstation checks are skipped; without a project they are not made', async () => {
    const notDeployed = { exitCode: 1, stderr: 'Error from server (NotFound): deployments.apps "demo-rgsd" not found\n' };
    const t = await testApp({ runner: healthy().on(argv.taskCheck, notDeployed) });
    writeProject(t.configDir, 'demo');
    const { doc } = await doctor(t.app, 'demo');
    expect(doc.checks.at(-1)).toEqual({ name: 'agent', status: 'skip', detail: 'not deployed in rgsd', hint: null, project: 'demo' });
    const all = await testApp({ runner: healthy() });
    writeProject(all.configDir, 'demo');
    await doctor(all.app, undefined);
    expect(all.runner.argvs).not.toContainEqual(argv.taskCheck);
  });

  it('invalid settings fail the settings check (and skip secrets)', async () => {
    const t = await testApp({ runner: healthy() });
    writeProject(t.configDir, 'demo', { settings: 'agent: vim\n' });
    const { doc, failed } = await doctor(t.app, 'demo');
    expect(failed.map((c) => c.name)).toEqual(['settings']);
    expect(statuses(doc.checks)).toMatchObject({ settings: 'fail', secrets: 'skip' });
    expect(doc.checks.find((c) => c.name === 'settings')?.detail).toContain('agent must be one of gsd, claude, codex, none (got "vim")');
  });

  it('an empty secrets file is a warning with a hint, not a failure', async () => {
    const t = await testApp({ runner: healthy() });
    const { secretsFile } = writeProject(t.configDir, 'demo', { env: 'GITHUB_TOKEN=\n' });
    const { doc, failed } = await doctor(t.app, 'demo');
    expect(failed).toEqual([]);
    expect(doc.checks.find((c) => c.name === 'secrets')).toMatchObject({
      status: 'warn',
      detail: `${secretsFile} (mode 0600, 0 keys set)`,
    });
  });

  it('an https repository with an empty GITHUB_TOKEN: a repo warning with a hint, not a failure', async () => {
    const t = await testApp({ runner: healthy() });
    const { secretsFile } = writeProject(t.configDir, 'demo', { env: 'GITHUB_TOKEN=\nOPENAI_API_KEY=sk-x\n' });
    const { doc, failed } = await doctor(t.app, 'demo');
    expect(failed).toEqual([]);
    expect(doc.ok).toBe(true);
    expect(doc.checks.find((c) => c.name === 'repo')).toEqual({
      name: 'repo',
      status: 'warn',
      detail: `https://github.com/org/repo.git is an https repository and ${secretsFile} has no GITHUB_TOKEN: cloning a private repository will fail`,
      hint: `put a token in GITHUB_TOKEN in ${secretsFile} (a public repository clones without one)`,
      project: 'demo',
    });
  });

  it('an ssh repository without GIT_SSH_PRIVATE_KEY: the same warning for the deploy key; with it: ok', async () => {
    const t = await testApp({ runner: healthy() });
    writeProject(t.configDir, 'demo', { settings: 'repo: git@github.com:o/r.git\n' });
    const warned = (await doctor(t.app, 'demo')).doc.checks.find((c) => c.name === 'repo');
    expect(warned).toMatchObject({ status: 'warn', detail: expect.stringContaining('is an ssh repository and') });
    expect(warned?.hint).toContain('GIT_SSH_PRIVATE_KEY="…"');
    writeProject(t.configDir, 'demo', { settings: 'repo: git@github.com:o/r.git\n', env: 'GIT_SSH_PRIVATE_KEY="k\ney"\n' });
    expect((await doctor(t.app, 'demo')).doc.checks.find((c) => c.name === 'repo')).toMatchObject({
      status: 'ok',
      detail: 'git@github.com:o/r.git (GIT_SSH_PRIVATE_KEY set)',
    });
  });

  it('no repository: no repo check', async () => {
    const t = await testApp({ runner: healthy() });
    writeProject(t.configDir, 'demo', { settings: 'agent: gsd\n' });
    expect((await doctor(t.app, 'demo')).doc.checks.map((c) => c.name)).not.toContain('repo');
  });

  it('a misspelt key: a secrets warning naming the closest known key (and the repo warns: no GITHUB_TOKEN)', async () => {
    const t = await testApp({ runner: healthy() });
    const { secretsFile } = writeProject(t.configDir, 'demo', { env: `GITHUB_TOKNE=${SECRET_TOKEN}\n` });
    const { doc, failed } = await doctor(t.app, 'demo');
    expect(failed).toEqual([]);
    expect(doc.checks.filter((c) => c.project === 'demo').map((c) => [c.name, c.status])).toEqual([
      ['settings', 'ok'],
      ['secrets', 'ok'],
      ['secrets', 'warn'],
      ['repo', 'warn'],
      ['agent', 'ok'],
      ['codex-sandbox', 'ok'],
    ]);
    expect(doc.checks.filter((c) => c.name === 'secrets')[1]).toMatchObject({
      detail: `${secretsFile}:1: GITHUB_TOKNE is not a key rgsd knows; did you mean GITHUB_TOKEN?`,
    });
    expect(JSON.stringify(doc)).not.toContain(SECRET_TOKEN);
  });

  it('a malformed secrets file fails the secrets check with the line number (exit 3), never the value', async () => {
    const t = await testApp({ runner: healthy() });
    const { secretsFile } = writeProject(t.configDir, 'demo', { env: `# ok\nGITHUB_TOKEN ${SECRET_TOKEN}\n` });
    const { doc, failed } = await doctor(t.app, 'demo');
    expect(failed).toEqual([
      expect.objectContaining({
        name: 'secrets',
        exitCode: ExitCode.config,
        detail: `${secretsFile}:2: this line is not KEY=value (no "=")`,
      }),
    ]);
    expect(JSON.stringify(doc)).not.toContain(SECRET_TOKEN);
  });

  it('a secrets directory others can read fails the secrets check with the chmod 700 hint', async () => {
    const t = await testApp({ runner: healthy() });
    writeProject(t.configDir, 'demo');
    chmodSync(join(t.configDir, 'secrets'), 0o755);
    const { failed } = await doctor(t.app, 'demo');
    expect(failed).toEqual([
      expect.objectContaining({ name: 'secrets', exitCode: ExitCode.config, hint: `chmod 700 ${join(t.configDir, 'secrets')}` }),
    ]);
  });

  it('HOME empty (no config directory): the settings check fails with the --config-dir hint, exit 3', async () => {
    const t = await testApp({ runner: healthy(), globals: { configDir: undefined }, env: { HOME: '' } });
    const { failed } = await doctor(t.app, undefined);
    expect(failed).toEqual([
      expect.objectContaining({
        name: 'settings',
        exitCode: ExitCode.config,
        detail: expect.stringMatching(/^no config directory: HOME is empty/),
        hint: expect.stringContaining('pass --config-dir <dir>'),
      }),
    ]);
  });

  it('Helm 2 is refused', async () => {
    const t = await testApp({ runner: healthy().on(argv.helmVersion, { stdout: 'v2.17.0' }) });
    const { doc } = await doctor(t.app, undefined);
    expect(doc.checks[0]).toMatchObject({ name: 'helm', status: 'fail', detail: 'Helm v2.17.0 is not supported (need Helm 3 or 4)' });
  });

  it('unreachable cluster (typed ClusterUnreachableError) → cluster fails with exit 5, namespace skipped', async () => {
    const t = await testApp({ runner: healthy().on(d.server(), UNREACHABLE) });
    const { doc, failed } = await doctor(t.app, undefined);
    expect(failed).toEqual([expect.objectContaining({ name: 'cluster', exitCode: ExitCode.unreachable })]);
    expect(failed[0]?.detail).toMatch(/^cannot reach the cluster \(context ctx\)/);
    expect(statuses(doc.checks)).toMatchObject({ cluster: 'fail', namespace: 'skip' });
    expect(t.runner.argvs).not.toContainEqual(d.getNamespace());
  });

  it('forbidden (typed ForbiddenError) → cluster fails with exit 9', async () => {
    const t = await testApp({ runner: healthy().on(d.server(), FORBIDDEN) });
    const { failed } = await doctor(t.app, undefined);
    expect(failed).toEqual([expect.objectContaining({ name: 'cluster', exitCode: ExitCode.forbidden })]);
    expect(failed[0]?.detail).toMatch(/^permission denied/);
  });

  it('any other failure of `kubectl version` is still "cannot reach the cluster" (exit 5)', async () => {
    const t = await testApp({ runner: healthy().on(d.server(), { exitCode: 1, stderr: 'error: something odd happened\n' }) });
    const { failed } = await doctor(t.app, undefined);
    expect(failed).toEqual([
      expect.objectContaining({
        name: 'cluster',
        exitCode: ExitCode.unreachable,
        detail: 'cannot reach the cluster (context ctx): something odd happened',
      }),
    ]);
  });

  it('a namespace that cannot be read (forbidden) is assumed to exist', async () => {
    const t = await testApp({ runner: healthy().on(d.getNamespace(), FORBIDDEN) });
    const { doc, failed } = await doctor(t.app, undefined);
    expect(failed).toEqual([]);
    expect(doc.checks.find((c) => c.name === 'namespace')).toMatchObject({ status: 'ok', detail: 'rgsd exists (not created by rgsd)' });
  });

  it('pinned context differs from the current one → context fails (exit 3) and the cluster is not touched', async () => {
    const t = await testApp({ runner: healthy() });
    writeProject(t.configDir, 'demo', { settings: 'context: prod\nnamespace: team\n' });
    const events: DoctorEvent[] = [];
    const { doc, failed } = await doctor(t.app, 'demo', (e) => events.push(e));
    expect(failed.map((c) => c.name)).toEqual(['context']);
    expect(failed[0]).toMatchObject({ exitCode: ExitCode.config, hint: 'pass --context prod (or `kubectl config use-context prod`)' });
    expect(doc.namespace).toBe('team');
    expect(doc.context).toBeNull();
    expect(statuses(doc.checks)).toMatchObject({ cluster: 'skip', namespace: 'skip' });
    expect(t.runner.argvs.some((a) => a.includes('--context'))).toBe(false);
    expect(events).toEqual([]);
  });

  it('a pinned context that is the current one is used', async () => {
    const t = await testApp({ runner: healthy() });
    writeProject(t.configDir, 'demo', { settings: 'context: ctx\n' });
    const { doc } = await doctor(t.app, 'demo');
    expect(doc.checks.find((c) => c.name === 'context')).toMatchObject({ status: 'ok', detail: 'ctx (current, pinned by demo)' });
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

  it('no current context: the context check fails (exit 5), the cluster is skipped', async () => {
    const t = await testApp({ runner: healthy(), env: { KUBECONFIG: kubeconfigFile(null) } });
    const { doc, failed } = await doctor(t.app, undefined);
    expect(failed).toEqual([
      expect.objectContaining({ name: 'context', detail: 'no current kube context', exitCode: ExitCode.unreachable }),
    ]);
    expect(statuses(doc.checks)).toMatchObject({ cluster: 'skip', namespace: 'skip' });
  });

  it('no project configured: the settings check says so (skip), the rest runs', async () => {
    const t = await testApp({ runner: healthy() });
    const { doc, failed } = await doctor(t.app, undefined);
    expect(failed).toEqual([]);
    expect(doc.checks.find((c) => c.name === 'settings')).toMatchObject({ status: 'skip', hint: 'create one with `rgsd init <project>`' });
  });
});

describe('rgsd doctor (command)', () => {
  it('all ok (golden): every check with its result, then "all checks passed"', async () => {
    const t = await testApp({ runner: healthy() });
    writeProject(t.configDir, 'demo');
    const text = await screen(t, 'demo');
    expectGolden('doctor-ok', text);
    // read-only: no secret anywhere
    const all = JSON.stringify(t.runner.calls) + text;
    expect(all).not.toContain(SECRET_TOKEN);
    expect(all).not.toContain(SECRET_KEY);
  });

  it('warnings (golden): a misspelt key and a repository without its credential, then "all checks passed"', async () => {
    const t = await testApp({ runner: healthy() });
    writeProject(t.configDir, 'demo', { env: `GITHUB_TOKNE=${SECRET_TOKEN}\nANTHROPIC_API_KEY=${SECRET_KEY}\n` });
    const text = await screen(t, 'demo');
    expectGolden('doctor-warnings', text);
    expect(text).not.toContain(SECRET_TOKEN);
  });

  it('a failing cluster check (golden): ✗ with its hint, the namespace skipped, exit 5', async () => {
    const t = await testApp({ runner: healthy().on(d.server(), UNREACHABLE) });
    writeProject(t.configDir, 'demo');
    expectGolden('doctor-cluster-fails', await screen(t, 'demo'));
    const err = await runDoctor(t.app, 'demo').catch((e: unknown) => e);
    expect(err).toMatchObject({ exitCode: ExitCode.unreachable, message: '1 check failed: cluster' });
  });

  it('marks follow stdout’s colour decision, not stderr’s', async () => {
    const configDir = tempDir();
    writeProject(configDir, 'demo');
    const run = async (tty: { stdout: boolean; stderr: boolean }) => {
      let out = '';
      let err = '';
      const globals = { yes: false, verbose: false, color: true, json: false, dryRun: false, configDir };
      const app = await createApp(globals, {
        runner: healthy(),
        stdout: { write: (s: string) => (out += s), isTTY: tty.stdout },
        stderr: { write: (s: string) => (err += s), isTTY: tty.stderr },
        env: { HOME: configDir, KUBECONFIG: kubeconfigFile('ctx') },
        interactive: false,
        packageRoot: REPO_ROOT,
      });
      await runDoctor(app, 'demo');
      return { out, err };
    };
    // `rgsd doctor > file` on a terminal: no escape codes in the file, colour on stderr
    const redirected = await run({ stdout: false, stderr: true });
    expect(redirected.out).not.toContain('\x1b[');
    expect(redirected.out).toMatch(/^✓ {2}helm/m);
    expect(redirected.err).toContain('\x1b[32m✓\x1b[39m all checks passed');
    // `rgsd doctor 2> file`: coloured marks on the terminal
    const terminal = await run({ stdout: true, stderr: false });
    expect(terminal.out).toMatch(/^\x1b\[32m✓\x1b\[39m {2}helm/m);
    expect(terminal.err).not.toContain('\x1b[');
  });

  it('--json: one document with every check, no exit codes in it', async () => {
    const t = await testApp({ runner: healthy(), globals: { json: true } });
    writeProject(t.configDir, 'demo');
    await runDoctor(t.app, 'demo');
    const doc = JSON.parse(t.stdout());
    expect(doc).toMatchObject({ schemaVersion: 1, ok: true, context: 'ctx', namespace: 'rgsd', projects: ['demo'] });
    expect(doc.checks.map((c: { name: string }) => c.name)).toEqual([
      'helm',
      'kubectl',
      'context',
      'cluster',
      'namespace',
      'settings',
      'secrets',
      'repo',
      'agent',
      'codex-sandbox',
    ]);
    for (const c of doc.checks) expect(Object.keys(c)).toEqual(expect.arrayContaining(['detail', 'hint', 'name', 'status']));
    expect(doc.checks.find((c: { name: string }) => c.name === 'secrets')).toMatchObject({ project: 'demo', status: 'ok' });
    expect(JSON.stringify(doc)).not.toContain('exitCode');
    expect(t.stderr()).toBe('context: ctx  namespace: rgsd\n');
  });

  it('--json with a failure: the document is printed, then the error', async () => {
    const t = await testApp({ runner: healthy().on(d.server(), UNREACHABLE), globals: { json: true } });
    const err = await runDoctor(t.app, undefined).catch((e: unknown) => e);
    expect(err).toMatchObject({ exitCode: ExitCode.unreachable });
    const doc = JSON.parse(t.stdout());
    expect(doc.ok).toBe(false);
    expect(statuses(doc.checks)).toMatchObject({ cluster: 'fail', namespace: 'skip' });
  });

  it('secrets file readable by others fails with the chmod hint; exit 3', async () => {
    const t = await testApp({ runner: healthy() });
    const { secretsFile } = writeProject(t.configDir, 'demo');
    chmodSync(secretsFile, 0o644);
    const err = await runDoctor(t.app, 'demo').catch((e: unknown) => e);
    expect(err).toMatchObject({ exitCode: ExitCode.config, message: '1 check failed: secrets', hint: `chmod 600 ${secretsFile}` });
    expect(t.stdout()).toMatch(/✗\s+secrets \(demo\)\s+.*mode 0644/);
    expect(t.stdout()).toContain(`hint: chmod 600 ${secretsFile}`);
    expect(t.stderr()).not.toContain('all checks passed');
  });

  it('helm missing → fail (exit 4), other checks still run', async () => {
    const t = await testApp({
      runner: healthy().on(argv.helmVersion, { throws: new MissingToolError('helm not found', { hint: 'install Helm 3 or 4' }) }),
    });
    writeProject(t.configDir, 'demo');
    const err = await runDoctor(t.app, 'demo').catch((e: unknown) => e);
    expect(err).toMatchObject({ exitCode: ExitCode.missingTool, message: '1 check failed: helm', hint: 'install Helm 3 or 4' });
    expect(t.stdout()).toMatch(/✓\s+cluster/);
  });

  it('two failures: the message names both, the exit code is the first one’s', async () => {
    const t = await testApp({ runner: healthy().on(argv.helmVersion, { stdout: 'v2.17.0' }).on(d.server(), UNREACHABLE) });
    const err = await runDoctor(t.app, undefined).catch((e: unknown) => e);
    expect(err).toMatchObject({ exitCode: ExitCode.missingTool, message: '2 checks failed: helm, cluster' });
  });

  it('an unknown project fails the settings check with exit 6', async () => {
    const t = await testApp({ runner: healthy() });
    const err = await runDoctor(t.app, 'ghost').catch((e: unknown) => e);
    expect(err).toMatchObject({ exitCode: ExitCode.notFound, message: '1 check failed: settings' });
  });
});
