import { describe, expect, it } from 'vitest';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  checkConfigDir,
  checkWritableDir,
  fsProblem,
  listProjects,
  loadProject,
  resolveConfigDir,
  resolveProjectName,
  validateSettings,
} from '../../src/core/config.js';
import { ConfigError, NotFoundError, UsageError } from '../../src/core/errors.js';
import { AGENTS, RBAC_MODES, repoUrlProblem } from '../../src/core/vocab.js';
import { writeProject } from '../helpers/project-fixture.js';
import { tempDir } from '../helpers/test-app.js';

describe('config dir lookup', () => {
  it('--config-dir > $RGSD_CONFIG_DIR > $XDG_CONFIG_HOME/rgsd > ~/.config/rgsd', () => {
    const env = { RGSD_CONFIG_DIR: '/e', XDG_CONFIG_HOME: '/x' };
    expect(resolveConfigDir({ configDirFlag: '/f', env, home: '/h' })).toBe('/f');
    expect(resolveConfigDir({ env, home: '/h' })).toBe('/e');
    expect(resolveConfigDir({ env: { XDG_CONFIG_HOME: '/x' }, home: '/h' })).toBe('/x/rgsd');
    expect(resolveConfigDir({ env: {}, home: '/h' })).toBe('/h/.config/rgsd');
  });
  it('a relative XDG_CONFIG_HOME is ignored (XDG spec); an empty home gives a relative dir that checkConfigDir refuses', async () => {
    expect(resolveConfigDir({ env: { XDG_CONFIG_HOME: 'rel' }, home: '/h' })).toBe('/h/.config/rgsd');
    const dir = resolveConfigDir({ env: {}, home: '' });
    expect(dir).toBe('.config/rgsd');
    const err = await checkConfigDir(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toBe(
      'no config directory: HOME is empty or not an absolute path, and no --config-dir or RGSD_CONFIG_DIR is given',
    );
    expect((err as ConfigError).hint).toBe(
      'pass --config-dir <dir> (or set RGSD_CONFIG_DIR), or set HOME; rgsd never keeps its files in the current directory',
    );
  });
});

describe('config directory problems (ConfigError, exit 3, the path and a hint)', () => {
  it.each(['/proc/rgsd', '/proc', '/sys/fs/rgsd', '/dev/shm/rgsd'])('%s (a virtual file system) is refused', async (dir) => {
    const err = await checkConfigDir(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toMatch(new RegExp(`^config directory ${dir} is on /(proc|sys|dev), a virtual file system$`));
    expect((err as ConfigError).hint).toBe('pass --config-dir <a directory on disk>, e.g. ~/.config/rgsd');
  });
  it('a symlink into /proc is refused too; an ordinary directory (existing or not) is fine', async () => {
    const base = tempDir();
    symlinkSync('/proc/self', join(base, 'link'));
    await expect(checkConfigDir(join(base, 'link', 'rgsd'))).rejects.toThrow(/is on \/proc, a virtual file system/);
    await expect(checkConfigDir(join(base, 'not', 'yet', 'there'))).resolves.toBeUndefined();
    await expect(checkConfigDir(base)).resolves.toBeUndefined();
  });
  it('every command that reads the config directory checks it first (listProjects, resolveProjectName, loadProject)', async () => {
    await expect(listProjects('/proc/rgsd')).rejects.toThrow(/virtual file system/);
    await expect(resolveProjectName('.config/rgsd', undefined)).rejects.toThrow(/no config directory: HOME is empty/);
    await expect(loadProject('.config/rgsd', 'p')).rejects.toThrow(/no config directory: HOME is empty/);
  });
  it('a settings path that is a directory: "is a directory", not EISDIR', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'projects', 'p.yaml'), { recursive: true });
    const err = await loadProject(dir, 'p').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toBe(`${join(dir, 'projects', 'p.yaml')} is a directory, not a file`);
    expect((err as ConfigError).hint).toContain('remove or rename that directory');
  });
  it('projects/ that is not a directory is an error, not "none configured"', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'projects'), 'oops');
    const err = await resolveProjectName(dir, undefined, 'up').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toBe(`cannot list ${join(dir, 'projects')}: a part of that path is a file, not a directory`);
    await expect(checkWritableDir(join(dir, 'projects', 'x'))).rejects.toThrow(/cannot write .*projects\/x: a part of that path is a file/);
  });
  it.each([
    ['EACCES', 'read', /^cannot read \/c\/x: permission denied$/, /make it readable by you \(ls -ld \/c\/x\), or pass --config-dir/],
    ['EPERM', 'write', /^cannot write \/c\/x: permission denied$/, /make it writable by you/],
    ['EACCES', 'list', /^cannot list \/c\/x: permission denied$/, /readable/],
    ['EISDIR', 'read', /^\/c\/x is a directory, not a file$/, /remove or rename/],
    ['ENOTDIR', 'write', /a part of that path is a file/, /check the config directory/],
    ['EROFS', 'write', /read-only file system/, /--config-dir/],
    ['ENOSPC', 'write', /no space left/, /free some space/],
    ['ELOOP', 'read', /too many symbolic links/, /symbolic links/],
    ['EIO', 'read', /^cannot read \/c\/x: EIO$/, /check that path/],
  ] as const)('fsProblem %s (%s) → a ConfigError with a hint', (code, doing, message, hint) => {
    const e = fsProblem(Object.assign(new Error(`${code}: raw`), { code }), '/c/x', doing);
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.exitCode).toBe(3);
    expect(e.message).toMatch(message);
    expect(e.hint).toMatch(hint);
  });
});

describe('project resolution', () => {
  it('uses the only configured project, refuses ambiguity and emptiness', async () => {
    const dir = tempDir();
    await expect(resolveProjectName(dir, undefined, 'up')).rejects.toThrow(/none configured/);
    writeProject(dir, 'one');
    expect(await resolveProjectName(dir, undefined, 'up')).toBe('one');
    writeProject(dir, 'two');
    const err = await resolveProjectName(dir, undefined, 'up').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).message).toContain('one, two');
    expect((err as UsageError).hint).toBe('name one, e.g. `rgsd up one`');
    await expect(resolveProjectName(dir, 'Bad_Name')).rejects.toBeInstanceOf(ConfigError);
  });
  it('a project without settings is NotFound (exit 6) with the init hint', async () => {
    const err = await loadProject(tempDir(), 'ghost').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as NotFoundError).exitCode).toBe(6);
    expect((err as NotFoundError).hint).toContain('rgsd init ghost');
  });
  it('loads and validates a full settings file', async () => {
    const dir = tempDir();
    writeProject(dir, 'p', {
      settings: [
        'repo: git@github.com:o/r.git',
        'branch: dev',
        'agent: claude',
        'autoStart: false',
        'namespace: team',
        'context: prod',
        'tmuxSession: work',
        'image: {repository: r/ws, tag: 1.2}',
        'storage: {size: 50Gi, storageClass: fast, accessMode: ReadWriteOncePod}',
        'rbac: namespace',
        'extraEnv: {FOO: bar, N: 3}',
        'files: {models: models.json}',
        'git: {userName: A, userEmail: a@b.c}',
        'vscodeTunnel: {enabled: true}',
        'values: {nodeSelector: {disk: ssd}}',
      ].join('\n'),
    });
    const cfg = await loadProject(dir, 'p');
    expect(cfg.settingsFile).toBe(join(dir, 'projects', 'p.yaml'));
    expect(cfg.secretsFile).toBe(join(dir, 'secrets', 'p.env'));
    expect(cfg.settings).toEqual({
      repo: 'git@github.com:o/r.git',
      branch: 'dev',
      agent: 'claude',
      autoStart: false,
      namespace: 'team',
      context: 'prod',
      tmuxSession: 'work',
      image: { repository: 'r/ws', tag: '1.2' },
      storage: { size: '50Gi', storageClass: 'fast', accessMode: 'ReadWriteOncePod' },
      rbac: { mode: 'namespace' },
      extraEnv: { FOO: 'bar', N: '3' },
      files: { models: 'models.json' },
      git: { userName: 'A', userEmail: 'a@b.c' },
      vscodeTunnel: { enabled: true },
      values: { nodeSelector: { disk: 'ssd' } },
    });
  });
});

describe('settings validation (ConfigError, exit 3, names the file and key)', () => {
  it.each([
    [{ reop: 'x' }, /reop is not a known setting/],
    [{ agent: 'gpt' }, /agent must be one of gsd, claude, codex, none/],
    [{ autoStart: 'yes' }, /autoStart must be true or false/],
    [{ storage: { size: 'big' } }, /storage\.size "big" is not a size such as 20Gi/],
    [{ storage: { size: 20 } }, /storage\.size must be a string/],
    [{ storage: { size: '20' } }, /storage\.size "20" is not a size/],
    [{ rbac: { mode: 'root' } }, /rbac.mode must be one of/],
    [{ values: { secrets: { env: { A: 'b' } } } }, /values.secrets is not allowed/],
    [{ files: { ssh: 'x' } }, /files.ssh is not known/],
    [{ extraEnv: { 'BAD-NAME': 'x' } }, /not a valid environment variable name/],
    [{ repo: 'ftp://example.com/r.git' }, /repo "ftp:\/\/example.com\/r.git" is not an https or ssh git URL/],
    [
      { repo: 'https://x-access-token:ghp_SECRET1@github.com/o/r.git' },
      /repo "https:\/\/\*\*\*@github.com\/o\/r.git" has credentials in it/,
    ],
    [{ repo: 'https://ghp_SECRET1@github.com/o/r.git' }, /has credentials in it .*GITHUB_TOKEN in the secrets file/],
    [{ repo: 'ssh://git:pw_SECRET1@host/o/r.git' }, /"ssh:\/\/\*\*\*@host\/o\/r.git" has credentials .*GIT_SSH_PRIVATE_KEY/],
    [{ allowFilesOutside: 'yes' }, /allowFilesOutside must be true or false/],
    ['just a string', /must be a mapping/],
  ])('%j', (raw, re) => {
    expect(() => validateSettings(raw, '/c/projects/p.yaml')).toThrow(re);
    try {
      validateSettings(raw, '/c/projects/p.yaml');
    } catch (e) {
      expect((e as ConfigError).exitCode).toBe(3);
      expect((e as ConfigError).message).toContain('/c/projects/p.yaml');
      expect(`${(e as ConfigError).message} ${(e as ConfigError).hint}`).not.toContain('SECRET1');
    }
  });
  it('repository URLs: user names of ssh are fine, credentials never are', () => {
    for (const ok of ['https://github.com/o/r.git', 'ssh://git@host:22/o/r.git', 'git@github.com:o/r.git', 'https://host/o@x/r.git']) {
      expect(repoUrlProblem(ok)).toBeUndefined();
      expect(validateSettings({ repo: ok }, 'f').repo).toBe(ok);
    }
    for (const bad of [
      'https://user:pw9x@host/r.git',
      'https://tok9x@host/r.git',
      'HTTPS://u:p9x@host/r',
      'ssh://u:p9x@host/r',
      'ftp://u:p9x@host/r',
    ]) {
      expect(repoUrlProblem(bad)).toMatch(/has credentials in it/);
      expect(repoUrlProblem(bad)).not.toMatch(/9x/);
    }
    // scp-style with a password: not a URL rgsd takes, and the password is not repeated
    expect(repoUrlProblem('user:hunter2@host:o/r.git')).toBe(
      '"***@host:o/r.git" is not an https or ssh git URL (e.g. https://github.com/org/repo.git or git@github.com:org/repo.git)',
    );
    expect(validateSettings({ repo: '' }, 'f').repo).toBe('');
  });
  it('namespace: the -n rule (no kube-*, a DNS label); default is allowed', () => {
    expect(validateSettings({ namespace: 'team-a' }, 'f').namespace).toBe('team-a');
    expect(validateSettings({ namespace: 'default' }, 'f').namespace).toBe('default');
    expect(() => validateSettings({ namespace: 'kube-system' }, 'f')).toThrow(/f: namespace .*kube-system/);
    expect(() => validateSettings({ namespace: 'Team_A' }, 'f')).toThrow(/f: namespace/);
  });
  it('agentArgs is a list of words, never a string to split', () => {
    expect(validateSettings({ agentArgs: ['--model', 'opus', '$(x); y'] }, 'f').agentArgs).toEqual(['--model', 'opus', '$(x); y']);
    expect(() => validateSettings({ agentArgs: '--model opus' }, 'f')).toThrow(/agentArgs must be a list of words/);
    expect(() => validateSettings({ agentArgs: [{ a: 1 }] }, 'f')).toThrow(/agentArgs must be a list of strings/);
  });
  it('allowFilesOutside is a boolean setting', () => {
    expect(validateSettings({ allowFilesOutside: true }, 'f')).toEqual({ allowFilesOutside: true });
  });
  it('storage.size follows the one size rule of rgsd init (1Pi and 500M are sizes)', () => {
    for (const size of ['1Pi', '500M', '1.5Ti']) expect(validateSettings({ storage: { size } }, 'f').storage).toEqual({ size });
  });
  it('choices come from the vocabulary', () => {
    for (const agent of AGENTS) expect(validateSettings({ agent }, 'f').agent).toBe(agent);
    for (const mode of RBAC_MODES) expect(validateSettings({ rbac: mode }, 'f').rbac).toEqual({ mode });
  });
  it('reports invalid YAML with the file name', async () => {
    const dir = tempDir();
    writeProject(dir, 'p', { settings: 'repo: [unclosed' });
    await expect(loadProject(dir, 'p')).rejects.toThrow(/p.yaml is not valid YAML/);
  });
});
