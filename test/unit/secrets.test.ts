import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadProject } from '../../src/core/config.js';
import { ConfigError } from '../../src/core/errors.js';
import { projectNames } from '../../src/core/names.js';
import { buildSecretManifest, maskSecretManifest } from '../../src/cluster/secret.js';
import { collectSecretData, readSecretsEnv, secretChecksum, secretValues } from '../../src/core/secrets.js';
import { SECRET_KEY, SECRET_TOKEN, writeProject } from '../helpers/project-fixture.js';
import { tempDir } from '../helpers/test-app.js';

describe('secrets file', () => {
  it.each([0o644, 0o640, 0o604, 0o660])('refuses mode %o with the chmod 600 hint', async (mode) => {
    const dir = tempDir();
    const { secretsFile } = writeProject(dir, 'p', { envMode: mode });
    const err = await readSecretsEnv(secretsFile).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).hint).toBe(`chmod 600 ${secretsFile}`);
    expect((err as ConfigError).message).not.toContain(SECRET_TOKEN);
  });
  it('parses dotenv, skips empty values, refuses non-env keys', async () => {
    const dir = tempDir();
    const { secretsFile } = writeProject(dir, 'p');
    expect(await readSecretsEnv(secretsFile)).toEqual({ GITHUB_TOKEN: SECRET_TOKEN, ANTHROPIC_API_KEY: SECRET_KEY });
    const bad = writeProject(dir, 'q', { env: 'lower_key=1\n' }).secretsFile;
    await expect(readSecretsEnv(bad)).rejects.toThrow(/key "lower_key" is not an upper-case/);
  });
  it('a missing secrets file is a ConfigError', async () => {
    await expect(readSecretsEnv(`${tempDir()}/nope.env`)).rejects.toThrow(/does not exist/);
  });
});

describe('Secret data, manifest and checksum', () => {
  it('adds file keys from settings.files (relative to the settings file)', async () => {
    const dir = tempDir();
    writeProject(dir, 'p', {
      settings: 'files: {models: models.json, preferences: prefs.md, projectEnv: app.env}\n',
      files: { 'models.json': '{"m":1}', 'prefs.md': '# prefs', 'app.env': 'DB=x' },
    });
    const data = await collectSecretData(await loadProject(dir, 'p'));
    expect(Object.keys(data).sort()).toEqual(['ANTHROPIC_API_KEY', 'GITHUB_TOKEN', 'models.json', 'preferences.md', 'project.env']);
    expect(data['project.env']?.toString()).toBe('DB=x');
  });
  it('a listed file that is missing is a ConfigError naming the entry', async () => {
    const dir = tempDir();
    writeProject(dir, 'p', { settings: 'files: {models: gone.json}\n' });
    await expect(collectSecretData(await loadProject(dir, 'p'))).rejects.toThrow(/files.models .* cannot read .*gone.json/);
  });
  it('checksum = sha256 of the canonical JSON of the base64 data, keys sorted', () => {
    const a = { B: Buffer.from('2'), A: Buffer.from('1') };
    const b = { A: Buffer.from('1'), B: Buffer.from('2') };
    const expected = createHash('sha256').update('{"A":"MQ==","B":"Mg=="}').digest('hex');
    expect(secretChecksum(a)).toBe(expected);
    expect(secretChecksum(b)).toBe(expected);
    expect(secretChecksum({ A: Buffer.from('1'), B: Buffer.from('3') })).not.toBe(expected);
  });
  it('builds the labelled Secret and masks it for printing', () => {
    const m = buildSecretManifest(projectNames('demo'), 'rgsd', { GITHUB_TOKEN: Buffer.from(SECRET_TOKEN) });
    expect(m.metadata).toEqual({
      name: 'demo-rgsd-secrets',
      namespace: 'rgsd',
      labels: {
        'app.kubernetes.io/name': 'rgsd',
        'app.kubernetes.io/instance': 'demo',
        'app.kubernetes.io/managed-by': 'rgsd',
        'rgsd.dev/project': 'demo',
      },
    });
    expect(m.data.GITHUB_TOKEN).toBe(Buffer.from(SECRET_TOKEN).toString('base64'));
    const masked = JSON.stringify(maskSecretManifest(m));
    expect(masked).not.toContain(SECRET_TOKEN);
    expect(masked).not.toContain(m.data.GITHUB_TOKEN);
    expect(masked).toContain(`<masked: ${SECRET_TOKEN.length} bytes>`);
  });
  it('secretValues lists raw and base64 forms for the guard', () => {
    const v = secretValues({ K: Buffer.from(SECRET_TOKEN) });
    expect(v).toContain(SECRET_TOKEN);
    expect(v).toContain(Buffer.from(SECRET_TOKEN).toString('base64'));
  });
});
