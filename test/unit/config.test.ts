import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { loadProject, resolveConfigDir, resolveProjectName, validateSettings } from '../../src/core/config.js';
import { ConfigError, NotFoundError, UsageError } from '../../src/core/errors.js';
import { AGENTS, RBAC_MODES } from '../../src/core/vocab.js';
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
    ['just a string', /must be a mapping/],
  ])('%j', (raw, re) => {
    expect(() => validateSettings(raw, '/c/projects/p.yaml')).toThrow(re);
    try {
      validateSettings(raw, '/c/projects/p.yaml');
    } catch (e) {
      expect((e as ConfigError).exitCode).toBe(3);
      expect((e as ConfigError).message).toContain('/c/projects/p.yaml');
    }
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
