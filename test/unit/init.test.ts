import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { App } from '../../src/core/app.js';
import { loadProject } from '../../src/core/config.js';
import { ConfigError, ExitCode, UsageError } from '../../src/core/errors.js';
import { parseSecretsEnv, readSecretsFile } from '../../src/core/secrets.js';
import { AGENTS, DEFAULT_STORAGE_SIZE } from '../../src/core/vocab.js';
import { FALLBACK_SECRETS, INIT_DEFAULTS, planInit, writeInit, type InitOptions } from '../../src/ops/init.js';
import { askInit, validateNamespaceAnswer, validateRepoAnswer, validateSizeAnswer } from '../../src/ui/prompts.js';
import { argv } from '../helpers/cluster-fixture.js';
import { FakeRunner } from '../helpers/fake-runner.js';
import { FakePrompter, kubeconfigFile, REPO_ROOT, tempDir, testApp } from '../helpers/test-app.js';

const mode = (f: string) => statSync(f).mode & 0o777;

/** The command as main.ts runs it. */
async function runInit(app: App, project: string, opts: InitOptions = {}): Promise<void> {
  const cmd = (await import('../../src/commands/init.js')).default;
  await cmd.run(app, { project }, opts);
}

const settingsOf = (configDir: string, project = 'demo') => parse(readFileSync(join(configDir, 'projects', `${project}.yaml`), 'utf8'));

describe('rgsd init (command)', () => {
  it('interactive: asks through the prompter, writes both files (secrets 0600) and says what is next', async () => {
    const prompter = new FakePrompter(['git@github.com:o/r.git', 'dev', 'claude', false, 'team', '', '50Gi']);
    const t = await testApp({ prompter, interactive: true });
    await runInit(t.app, 'demo');
    expect(prompter.asked.map((a) => a.kind)).toEqual(['input', 'input', 'select', 'confirm', 'input', 'input', 'input']);
    expect(prompter.asked[2]?.choices).toEqual([...AGENTS]);
    expect(settingsOf(t.configDir)).toEqual({
      repo: 'git@github.com:o/r.git',
      branch: 'dev',
      agent: 'claude',
      autoStart: false,
      namespace: 'team',
      storage: { size: '50Gi' },
      rbac: { mode: 'none' },
      files: {},
    });
    const secretsFile = join(t.configDir, 'secrets', 'demo.env');
    expect(mode(secretsFile)).toBe(0o600);
    expect(mode(join(t.configDir, 'secrets'))).toBe(0o700);
    // the written settings load back without errors
    expect((await loadProject(t.configDir, 'demo')).settings.agent).toBe('claude');
    expect(t.stdout()).toBe('');
    expect(t.stderr()).toBe(
      [
        `✓ wrote ${join(t.configDir, 'projects', 'demo.yaml')}`,
        `✓ wrote ${secretsFile} (mode 0600)`,
        '',
        'next:',
        `  1. put your tokens in ${secretsFile}`,
        '  2. rgsd up demo',
        '  3. rgsd connect demo',
        '',
      ].join('\n'),
    );
  });

  it('flags answer their questions; only the rest is asked', async () => {
    const prompter = new FakePrompter([undefined, undefined, undefined]); // take the defaults
    const t = await testApp({ prompter, interactive: true, globals: { namespace: 'team' } });
    await runInit(t.app, 'demo', { repo: 'https://github.com/o/r.git', agent: 'codex', autoStart: true });
    expect(prompter.asked.map((a) => a.message)).toEqual([
      'Branch (empty: the remote default):',
      'Pin a kube context (empty: use the current one):',
      'Home volume size:',
    ]);
    expect(settingsOf(t.configDir)).toMatchObject({
      repo: 'https://github.com/o/r.git',
      agent: 'codex',
      namespace: 'team',
      storage: { size: '20Gi' },
    });
  });

  it('non-interactive with flags: no prompt at all; --pin-context pins the current context', async () => {
    const t = await testApp({ runner: new FakeRunner().on(argv.currentContext, { stdout: 'ctx' }) });
    const opts = { repo: '', storageSize: '10Gi', storageClass: 'fast', image: 'reg/ws:2', rbac: 'namespace', pinContext: true };
    await runInit(t.app, 'demo', opts);
    expect(settingsOf(t.configDir)).toEqual({
      agent: 'gsd',
      autoStart: true,
      namespace: 'rgsd',
      context: 'ctx',
      storage: { size: '10Gi', storageClass: 'fast' },
      image: { repository: 'reg/ws', tag: '2' },
      rbac: { mode: 'namespace' },
      files: {},
    });
  });

  it('--context pins that context without asking or reading kubeconfig', async () => {
    const t = await testApp({ globals: { context: 'prod', yes: true } });
    await runInit(t.app, 'demo');
    expect(settingsOf(t.configDir).context).toBe('prod');
    expect(t.runner.calls).toHaveLength(0);
  });

  it('--pin-context without any context is a config error (exit 3), nothing written', async () => {
    const t = await testApp({ globals: { yes: true }, env: { KUBECONFIG: kubeconfigFile(null) } });
    await expect(runInit(t.app, 'demo', { pinContext: true })).rejects.toMatchObject({ exitCode: ExitCode.config });
    expect(existsSync(join(t.configDir, 'projects', 'demo.yaml'))).toBe(false);
  });

  it('-n with a Kubernetes namespace is a usage error (exit 2) before anything is asked or written', async () => {
    const prompter = new FakePrompter([]);
    const t = await testApp({ prompter, interactive: true, globals: { namespace: 'kube-system' } });
    const err = await runInit(t.app, 'demo', { repo: '' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ exitCode: ExitCode.usage });
    expect((err as UsageError).message).toMatch(/kube-system/);
    expect(prompter.asked).toEqual([]);
    expect(existsSync(join(t.configDir, 'projects', 'demo.yaml'))).toBe(false);
  });

  it('the namespace question takes the -n rule: kube-* and invalid names are refused, default is fine', () => {
    expect(validateNamespaceAnswer('team-a')).toBe(true);
    expect(validateNamespaceAnswer('default')).toBe(true);
    expect(validateNamespaceAnswer('kube-system')).toMatch(/Kubernetes/);
    expect(validateNamespaceAnswer('Team_A')).not.toBe(true);
    expect(validateNamespaceAnswer('')).not.toBe(true);
  });

  it('without a TTY and without flags: usage error (exit 2), nothing written', async () => {
    const t = await testApp();
    const err = await runInit(t.app, 'demo').catch((e: unknown) => e);
    expect(err).toMatchObject({ exitCode: ExitCode.usage, message: 'rgsd init needs answers and stdin is not a terminal' });
    expect((err as UsageError).hint).toContain('rgsd init demo --repo https://github.com/org/repo.git');
    expect(existsSync(join(t.configDir, 'projects', 'demo.yaml'))).toBe(false);
  });

  it('--yes accepts the defaults (also on a terminal: nothing asked)', async () => {
    const t = await testApp({ interactive: true, globals: { yes: true } });
    await runInit(t.app, 'demo');
    expect(settingsOf(t.configDir)).toEqual({
      agent: 'gsd',
      autoStart: true,
      namespace: 'rgsd',
      storage: { size: '20Gi' },
      rbac: { mode: 'none' },
      files: {},
    });
  });

  it('never overwrites: an existing project is exit 3 and the file is untouched', async () => {
    const t = await testApp({ globals: { yes: true } });
    await runInit(t.app, 'demo');
    const file = join(t.configDir, 'projects', 'demo.yaml');
    writeFileSync(file, 'repo: mine\n');
    const err = await runInit(t.app, 'demo').catch((e: unknown) => e);
    expect(err).toMatchObject({ exitCode: ExitCode.config });
    expect((err as UsageError).hint).toContain('never overwrites');
    expect(readFileSync(file, 'utf8')).toBe('repo: mine\n');
  });

  it('keeps an existing secrets file and says so', async () => {
    const t = await testApp({ globals: { yes: true } });
    mkdirSync(join(t.configDir, 'secrets'), { recursive: true });
    const secretsFile = join(t.configDir, 'secrets', 'demo.env');
    writeFileSync(secretsFile, 'GITHUB_TOKEN=keep-me-please\n', { mode: 0o600 });
    await runInit(t.app, 'demo');
    expect(readFileSync(secretsFile, 'utf8')).toBe('GITHUB_TOKEN=keep-me-please\n');
    expect(t.stderr()).toContain(`kept the existing ${secretsFile}\n`);
    expect(t.stderr()).not.toContain(`wrote ${secretsFile}`);
  });

  it.each([
    [['Bad'], {}, ExitCode.config, /not a DNS-1123 label/],
    [['demo'], { storageSize: 'huge' }, ExitCode.usage, /^--storage-size "huge" is not a size/],
    [['demo'], { repo: 'github.com/o/r' }, ExitCode.usage, /^--repo "github.com\/o\/r" is not an https or ssh git URL/],
    [['demo'], { agent: 'vim' }, ExitCode.usage, /^--agent "vim" is not one of gsd, claude, codex, none$/],
    [['demo'], { rbac: 'root' }, ExitCode.usage, /^--rbac "root" is not one of none, namespace, cluster-admin$/],
  ])('bad input %j %j → exit %i, nothing written', async ([name], opts, code, re) => {
    const t = await testApp({ globals: { yes: true } });
    const err = await runInit(t.app, name as string, opts).catch((e: unknown) => e);
    expect(err).toMatchObject({ exitCode: code });
    expect((err as Error).message).toMatch(re);
    expect(existsSync(join(t.configDir, 'projects'))).toBe(false);
  });

  it('--repo with a token in it is refused (exit 2) without repeating the token; the hint says where it goes', async () => {
    const t = await testApp({ globals: { yes: true } });
    const err = await runInit(t.app, 'demo', { repo: 'https://x-access-token:ghp_TOKEN42@github.com/o/r.git' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).message).toBe(
      '--repo "https://***@github.com/o/r.git" has credentials in it (before the "@"): remove them and put the token in GITHUB_TOKEN in the secrets file',
    );
    expect((err as UsageError).hint).toContain('a token goes in GITHUB_TOKEN in the secrets file');
    expect(`${(err as Error).message}${(err as UsageError).hint}`).not.toContain('TOKEN42');
    expect(existsSync(join(t.configDir, 'projects'))).toBe(false);
    // the same rule for the question
    expect(validateRepoAnswer('https://ghp_TOKEN42@github.com/o/r.git')).toMatch(/has credentials in it/);
  });

  it('a bad flag is refused before any question is asked', async () => {
    const prompter = new FakePrompter([]);
    const t = await testApp({ prompter, interactive: true });
    await expect(runInit(t.app, 'demo', { storageSize: '20' })).rejects.toBeInstanceOf(UsageError);
    expect(prompter.asked).toEqual([]);
  });
});

describe('rgsd init: config directory problems (exit 3, the path and a hint, before any question)', () => {
  it('HOME empty: refused with the --config-dir hint; nothing written into the current directory', async () => {
    const prompter = new FakePrompter([]);
    const t = await testApp({ prompter, interactive: true, globals: { configDir: undefined }, env: { HOME: '' } });
    expect(t.app.configDir).toBe(join('.config', 'rgsd'));
    const err = await runInit(t.app, 'demo').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toMatch(/^no config directory: HOME is empty/);
    expect((err as ConfigError).hint).toContain('pass --config-dir <dir>');
    expect(prompter.asked).toEqual([]);
    expect(existsSync(join(REPO_ROOT, '.config', 'rgsd'))).toBe(false);
    expect(existsSync(join(process.cwd(), '.config', 'rgsd'))).toBe(false);
  });

  it('--config-dir under /proc is refused at once (mkdir -p there never returns)', async () => {
    const t = await testApp({ globals: { yes: true, configDir: '/proc/rgsd-test' } });
    const err = await runInit(t.app, 'demo').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toBe('config directory /proc/rgsd-test is on /proc, a virtual file system');
  });

  it('a directory where the settings file or the secrets file belongs: "is a directory", nothing asked or written', async () => {
    for (const which of ['projects', 'secrets'] as const) {
      const prompter = new FakePrompter([]);
      const t = await testApp({ prompter, interactive: true });
      const path = join(t.configDir, which, `demo.${which === 'projects' ? 'yaml' : 'env'}`);
      mkdirSync(path, { recursive: true });
      const err = await runInit(t.app, 'demo').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).message).toBe(`${path} is a directory, not a file`);
      expect(prompter.asked).toEqual([]);
      expect(existsSync(join(t.configDir, 'projects', 'demo.yaml'))).toBe(which === 'projects');
    }
  });

  it('a config directory that is a file: a ConfigError naming it, not ENOTDIR', async () => {
    const file = join(tempDir(), 'cfg');
    writeFileSync(file, '');
    const t = await testApp({ globals: { yes: true, configDir: file } });
    const err = await runInit(t.app, 'demo').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toMatch(/^cannot (read|write) .*cfg\/projects.*: a part of that path is a file, not a directory$/);
  });

  it('the file init writes parses strictly: no values, no warnings (shipped template and built-in one)', async () => {
    const t = await testApp({ globals: { yes: true } });
    await runInit(t.app, 'demo');
    expect(await readSecretsFile(join(t.configDir, 'secrets', 'demo.env'))).toEqual({ values: {}, warnings: [] });
    expect(parseSecretsEnv(FALLBACK_SECRETS, 'fallback')).toEqual({ values: {}, warnings: [] });
  });
});

describe('one rule for the flag and the prompt (core/vocab.ts)', () => {
  async function flagAccepts(opts: InitOptions): Promise<boolean> {
    const t = await testApp({ globals: { yes: true } });
    try {
      await planInit(t.app, 'demo', opts);
      return true;
    } catch (err) {
      if (err instanceof UsageError) return false;
      throw err;
    }
  }

  it.each([
    ['20Gi', true],
    ['1Pi', true],
    ['1.5Ti', true],
    ['500M', true],
    ['20', false],
    ['20gb', false],
    ['big', false],
    ['', false],
  ])('storage size %j: accepted=%s by --storage-size and by the question', async (size, accepted) => {
    expect(await flagAccepts({ storageSize: size })).toBe(accepted);
    expect(validateSizeAnswer(size) === true).toBe(accepted);
  });

  it.each([
    ['https://github.com/o/r.git', true],
    ['ssh://git@host:22/o/r.git', true],
    ['git@github.com:o/r.git', true],
    ['deploy@git.example.com:team/r', true],
    ['github.com/o/r', false],
    ['http://github.com/o/r.git', false],
    ['file:///tmp/repo', false],
    ['https://user:token@github.com/o/r.git', false],
    ['https://token@github.com/o/r.git', false],
    ['ssh://git:password@host/o/r.git', false],
  ])('repo %j: accepted=%s by --repo and by the question', async (url, accepted) => {
    expect(await flagAccepts({ repo: url })).toBe(accepted);
    expect(validateRepoAnswer(url) === true).toBe(accepted);
  });

  it('an empty repository means none, for both', async () => {
    expect(await flagAccepts({ repo: '' })).toBe(true);
    expect(validateRepoAnswer('')).toBe(true);
  });

  it('the prompts use those validators: 1Pi accepted, 20 refused with the rule’s message', async () => {
    const given = { repo: '', branch: '', agent: 'gsd', autoStart: true, namespace: 'rgsd', context: '' };
    expect((await askInit(new FakePrompter(['1Pi']), given, INIT_DEFAULTS)).storageSize).toBe('1Pi');
    await expect(askInit(new FakePrompter(['20']), given, INIT_DEFAULTS)).rejects.toThrow(/"20" is not a size such as 20Gi/);
    const rest = { branch: '', agent: 'gsd', autoStart: true, namespace: 'rgsd', context: '', storageSize: '1Gi' };
    await expect(askInit(new FakePrompter(['github.com/o/r']), rest, INIT_DEFAULTS)).rejects.toThrow(/is not an https or ssh git URL/);
  });

  it('defaults come from the vocabulary', () => {
    expect(INIT_DEFAULTS).toMatchObject({ agent: 'gsd', namespace: 'rgsd', storageSize: DEFAULT_STORAGE_SIZE });
    expect(validateSizeAnswer(INIT_DEFAULTS.storageSize)).toBe(true);
  });
});

describe('planInit / writeInit (ops)', () => {
  it('plan: what the flags answered, nothing written, nothing printed', async () => {
    const t = await testApp({ globals: { namespace: 'team' } });
    const plan = await planInit(t.app, 'demo', { repo: '', agent: 'claude', rbac: 'cluster-admin', storageClass: 'fast' });
    expect(plan).toMatchObject({
      project: 'demo',
      settingsFile: join(t.configDir, 'projects', 'demo.yaml'),
      secretsFile: join(t.configDir, 'secrets', 'demo.env'),
      given: { repo: '', agent: 'claude', namespace: 'team' },
      rbac: 'cluster-admin',
      storageClass: 'fast',
    });
    expect(existsSync(join(t.configDir, 'projects'))).toBe(false);
    expect(t.stdout() + t.stderr()).toBe('');
  });

  it('write: returns what it wrote; refuses a settings file created after the plan', async () => {
    const t = await testApp();
    const plan = await planInit(t.app, 'demo', {});
    const res = await writeInit(t.app, plan, { ...INIT_DEFAULTS, repo: 'https://github.com/o/r.git' });
    expect(res).toMatchObject({ project: 'demo', secretsCreated: true, settings: { repo: 'https://github.com/o/r.git', agent: 'gsd' } });
    expect(t.stdout() + t.stderr()).toBe('');
    await expect(writeInit(t.app, plan, INIT_DEFAULTS)).rejects.toMatchObject({ exitCode: ExitCode.config });
  });

  it('copies secrets.example/example.env, or the built-in template when absent', async () => {
    const t = await testApp();
    const res = await writeInit(t.app, await planInit(t.app, 'demo', {}), INIT_DEFAULTS);
    const example = join(REPO_ROOT, 'secrets.example', 'example.env');
    expect(readFileSync(res.secretsFile, 'utf8')).toBe(existsSync(example) ? readFileSync(example, 'utf8') : FALLBACK_SECRETS);
    const t2 = await testApp();
    t2.app.packageRoot = tempDir();
    const res2 = await writeInit(t2.app, await planInit(t2.app, 'demo', {}), INIT_DEFAULTS);
    expect(readFileSync(res2.secretsFile, 'utf8')).toBe(FALLBACK_SECRETS);
  });
});
