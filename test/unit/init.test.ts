import { readFileSync, statSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { init, FALLBACK_SECRETS } from '../../src/ops/init.js';
import { loadProject } from '../../src/core/config.js';
import { ExitCode } from '../../src/core/errors.js';
import { FakeRunner } from '../helpers/fake-runner.js';
import { FakePrompter, REPO_ROOT, tempDir, testApp } from '../helpers/test-app.js';
import { argv } from '../helpers/cluster-fixture.js';

const mode = (f: string) => statSync(f).mode & 0o777;

describe('rgsd init', () => {
  it('interactive: asks through the prompter and writes both files (secrets 0600)', async () => {
    const prompter = new FakePrompter(['git@github.com:o/r.git', 'dev', 'claude', false, 'team', '', '50Gi']);
    const t = await testApp({ prompter, interactive: true });
    const res = await init(t.app, 'demo', {});
    expect(prompter.asked.map((a) => a.kind)).toEqual(['input', 'input', 'select', 'confirm', 'input', 'input', 'input']);
    expect(prompter.asked[2]?.choices).toEqual(['gsd', 'claude', 'codex', 'none']);
    const settings = parse(readFileSync(res.settingsFile, 'utf8'));
    expect(settings).toEqual({ repo: 'git@github.com:o/r.git', branch: 'dev', agent: 'claude', autoStart: false, namespace: 'team', storage: { size: '50Gi' }, rbac: { mode: 'none' }, files: {} });
    expect(mode(res.secretsFile)).toBe(0o600);
    expect(mode(join(t.configDir, 'secrets'))).toBe(0o700);
    // the written settings load back without errors
    expect((await loadProject(t.configDir, 'demo')).settings.agent).toBe('claude');
    expect(t.stderr()).toContain('rgsd up demo');
  });

  it('flags answer their questions; only the rest is asked', async () => {
    const prompter = new FakePrompter([undefined, undefined, undefined]); // take the defaults
    const t = await testApp({ prompter, interactive: true, globals: { namespace: 'team' } });
    const res = await init(t.app, 'demo', { repo: 'https://github.com/o/r.git', agent: 'codex', autoStart: true });
    expect(prompter.asked.map((a) => a.message)).toEqual([
      'Branch (empty: the remote default):',
      'Pin a kube context (empty: use the current one):',
      'Home volume size:',
    ]);
    expect(res.settings).toMatchObject({ repo: 'https://github.com/o/r.git', agent: 'codex', namespace: 'team', storage: { size: '20Gi' } });
  });

  it('non-interactive with flags: no prompt at all', async () => {
    const t = await testApp({ runner: new FakeRunner().on(argv.currentContext, { stdout: 'ctx' }) });
    const res = await init(t.app, 'demo', { repo: '', storageSize: '10Gi', storageClass: 'fast', image: 'reg/ws:2', rbac: 'namespace', pinContext: true });
    expect(res.settings).toEqual({
      agent: 'gsd', autoStart: true, namespace: 'rgsd', context: 'ctx', storage: { size: '10Gi', storageClass: 'fast' },
      image: { repository: 'reg/ws', tag: '2' }, rbac: { mode: 'namespace' }, files: {},
    });
  });

  it('--context pins that context without asking or reading kubeconfig', async () => {
    const t = await testApp({ globals: { context: 'prod', yes: true } });
    const res = await init(t.app, 'demo', {});
    expect(res.settings.context).toBe('prod');
    expect(t.runner.calls).toHaveLength(0);
  });

  it('without a TTY and without flags: usage error (exit 2), nothing written', async () => {
    const t = await testApp();
    const err = await init(t.app, 'demo', {}).catch((e: unknown) => e);
    expect(err).toMatchObject({ exitCode: ExitCode.usage });
    expect((err as Error).message).toBe('rgsd init needs answers and stdin is not a terminal');
    expect(existsSync(join(t.configDir, 'projects', 'demo.yaml'))).toBe(false);
  });

  it('--yes accepts the defaults', async () => {
    const t = await testApp({ globals: { yes: true } });
    const res = await init(t.app, 'demo', {});
    expect(res.settings).toMatchObject({ agent: 'gsd', autoStart: true, storage: { size: '20Gi' } });
  });

  it('never overwrites: an existing project is exit 3 and the file is untouched', async () => {
    const t = await testApp({ globals: { yes: true } });
    const res = await init(t.app, 'demo', {});
    writeFileSync(res.settingsFile, 'repo: mine\n');
    const err = await init(t.app, 'demo', {}).catch((e: unknown) => e);
    expect(err).toMatchObject({ exitCode: ExitCode.config });
    expect((err as { hint: string }).hint).toContain('never overwrites');
    expect(readFileSync(res.settingsFile, 'utf8')).toBe('repo: mine\n');
  });

  it('keeps an existing secrets file', async () => {
    const t = await testApp({ globals: { yes: true } });
    mkdirSync(join(t.configDir, 'secrets'), { recursive: true });
    writeFileSync(join(t.configDir, 'secrets', 'demo.env'), 'GITHUB_TOKEN=keep-me-please\n', { mode: 0o600 });
    const res = await init(t.app, 'demo', {});
    expect(res.secretsCreated).toBe(false);
    expect(readFileSync(res.secretsFile, 'utf8')).toBe('GITHUB_TOKEN=keep-me-please\n');
  });

  it('copies secrets.example/example.env, or the built-in template when absent', async () => {
    const t = await testApp({ globals: { yes: true } });
    const res = await init(t.app, 'demo', {});
    const example = join(REPO_ROOT, 'secrets.example', 'example.env');
    expect(readFileSync(res.secretsFile, 'utf8')).toBe(existsSync(example) ? readFileSync(example, 'utf8') : FALLBACK_SECRETS);
    const t2 = await testApp({ globals: { yes: true } });
    t2.app.packageRoot = tempDir();
    const res2 = await init(t2.app, 'demo', {});
    expect(readFileSync(res2.secretsFile, 'utf8')).toBe(FALLBACK_SECRETS);
  });

  it.each([
    [['Bad'], {}, ExitCode.config, /not a DNS-1123 label/],
    [['demo'], { storageSize: 'huge' }, ExitCode.usage, /--storage-size "huge" is not a size/],
    [['demo'], { repo: 'github.com/o/r' }, ExitCode.usage, /--repo "github.com\/o\/r" is not an https or ssh git URL/],
  ])('bad input %j %j → exit %i', async ([name], opts, code, re) => {
    const t = await testApp({ globals: { yes: true } });
    const err = await init(t.app, name as string, opts).catch((e: unknown) => e);
    expect(err).toMatchObject({ exitCode: code });
    expect((err as Error).message).toMatch(re);
  });
});
