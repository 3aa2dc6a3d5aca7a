import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadProject, type ProjectConfig } from '../../src/core/config.js';
import { ConfigError } from '../../src/core/errors.js';
import { projectNames } from '../../src/core/names.js';
import { buildSecretManifest, maskSecretManifest } from '../../src/cluster/secret.js';
import {
  closestKnownKey,
  collectSecretData,
  collectSecrets,
  editDistance,
  MAX_TOTAL_BYTES,
  MAX_VALUE_BYTES,
  parseSecretsEnv,
  readSecretsEnv,
  readSecretsFile,
  repoCredentialsWarning,
  secretChecksum,
  secretValues,
} from '../../src/core/secrets.js';
import { SECRET_KEY, SECRET_TOKEN, writeProject } from '../helpers/project-fixture.js';
import { REPO_ROOT, tempDir } from '../helpers/test-app.js';

const F = '/c/secrets/p.env';

/** The ConfigError parseSecretsEnv throws for `text` (fails the test when it does not throw). */
function parseError(text: string): ConfigError {
  try {
    parseSecretsEnv(text, F);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error(`no error for ${JSON.stringify(text)}`);
}

/** A file the settings list, written private (0600) unless told otherwise. */
function writeListed(dir: string, name: string, content: string | Buffer, mode = 0o600): string {
  const f = join(dir, name);
  writeFileSync(f, content, { mode });
  chmodSync(f, mode);
  return f;
}

describe('secrets file: access', () => {
  it.each([0o644, 0o640, 0o604, 0o660])('refuses mode %o with the chmod 600 hint', async (mode) => {
    const dir = tempDir();
    const { secretsFile } = writeProject(dir, 'p', { envMode: mode });
    const err = await readSecretsEnv(secretsFile).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).hint).toBe(`chmod 600 ${secretsFile}`);
    expect((err as ConfigError).message).not.toContain(SECRET_TOKEN);
  });
  it.each([0o755, 0o750, 0o711, 0o701])('refuses a secrets directory of mode %o with the chmod 700 hint', async (mode) => {
    const dir = tempDir();
    const { secretsFile } = writeProject(dir, 'p');
    chmodSync(join(dir, 'secrets'), mode);
    const err = await readSecretsEnv(secretsFile).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toBe(
      `the secrets directory ${join(dir, 'secrets')} is accessible by group or others (mode 0${mode.toString(8)})`,
    );
    expect((err as ConfigError).hint).toBe(`chmod 700 ${join(dir, 'secrets')}`);
  });
  it('a missing secrets file is a ConfigError', async () => {
    await expect(readSecretsEnv(`${tempDir()}/nope.env`)).rejects.toThrow(/does not exist/);
  });
  it('a directory where the secrets file belongs is a ConfigError, not EISDIR', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'secrets', 'p.env'), { recursive: true, mode: 0o700 });
    chmodSync(join(dir, 'secrets'), 0o700);
    const err = await readSecretsEnv(join(dir, 'secrets', 'p.env')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toBe(`secrets file ${join(dir, 'secrets', 'p.env')} is not a regular file (it is a directory)`);
  });
  it('reads the fixture: quoted and unquoted values, empty values skipped', async () => {
    const { secretsFile } = writeProject(tempDir(), 'p');
    expect(await readSecretsEnv(secretsFile)).toEqual({ GITHUB_TOKEN: SECRET_TOKEN, ANTHROPIC_API_KEY: SECRET_KEY });
  });
});

describe('secrets file: the strict parser', () => {
  it('the shipped secrets.example/example.env parses: no values, no warnings', () => {
    const text = readFileSync(join(REPO_ROOT, 'secrets.example', 'example.env'), 'utf8');
    expect(parseSecretsEnv(text, F)).toEqual({ values: {}, warnings: [] });
  });

  it('the multi-line GIT_SSH_PRIVATE_KEY example, uncommented, is one value with its newlines', () => {
    const text = readFileSync(join(REPO_ROOT, 'secrets.example', 'example.env'), 'utf8')
      .replace(/^GIT_SSH_PRIVATE_KEY=\n/m, '')
      .replace(/^#(GIT_SSH_PRIVATE_KEY="-----BEGIN[\s\S]*?-----END OPENSSH PRIVATE KEY-----")$/m, (m) =>
        m
          .split('\n')
          .map((l) => l.replace(/^#/, ''))
          .join('\n'),
      );
    expect(parseSecretsEnv(text, F).values).toEqual({
      GIT_SSH_PRIVATE_KEY: '-----BEGIN OPENSSH PRIVATE KEY-----\n...\n-----END OPENSSH PRIVATE KEY-----',
    });
  });

  it.each([
    ['A=plain', 'plain'],
    ['A = spaced  ', 'spaced'],
    ['export A=exported', 'exported'],
    ['  A=indented', 'indented'],
    ["A='single $HOME \\n #kept'", 'single $HOME \\n #kept'],
    ['A="double \\"q\\" \\\\ \\n\\t end"', 'double "q" \\ \n\t end'],
    ['A="unknown \\x escape"', 'unknown \\x escape'],
    ['A="  inner spaces  "', '  inner spaces  '],
    ['A=pass#word', 'pass#word'],
    ['A=#starts-with-hash', '#starts-with-hash'],
    ['A="quoted # not a comment" # a comment', 'quoted # not a comment'],
    ["A='q'#c", 'q'],
    ['A=with=equals==', 'with=equals=='],
    ['A=two words', 'two words'],
    ['A="line1\nline2\n"', 'line1\nline2\n'],
    ["A='multi\n  line  '", 'multi\n  line  '],
    ['A=crlf\r', 'crlf'],
    ['\uFEFFA=bom', 'bom'],
  ])('%j → %j', (text, value) => {
    expect(parseSecretsEnv(text, F)).toEqual({ values: { A: value }, warnings: [] });
  });

  it('CRLF files: line endings are not part of any value, also inside quotes', () => {
    expect(parseSecretsEnv('A=1\r\nB="x\r\ny"\r\n', F).values).toEqual({ A: '1', B: 'x\ny' });
  });

  it('empty values are skipped (KEY=, KEY="", KEY= # note)', () => {
    expect(parseSecretsEnv('A=\nB=""\nC=\'\'\nD=   # note\nE=x\n', F)).toEqual({ values: { E: 'x' }, warnings: [] });
  });

  it.each([
    ['=value-without-key', 1, /^\/c\/secrets\/p\.env:1: this line has no key before "="$/],
    ['# c\n\nGITHUB_TOKEN value-without-equals', 3, /^\/c\/secrets\/p\.env:3: this line is not KEY=value \(no "="\)$/],
    ['A=1\nGITHUB_TOKEN="unterminated', 2, /:2: the double quote of GITHUB_TOKEN is never closed$/],
    ["A='unterminated\nB=2\n", 1, /:1: the single quote of A is never closed$/],
    ['A=1\nB=2\nA=3', 3, /:3: A is set twice \(lines 1 and 3\)$/],
    ['A=\nA=filled', 2, /:2: A is set twice \(lines 1 and 2\)$/],
    ['lower_key=1', 1, /:1: the key is not an upper-case environment name/],
    ['MY-KEY=1', 1, /:1: the key is not an upper-case environment name/],
    ['A="quoted" trailing', 1, /:1: text after the closing quote of A$/],
    ['A="spans\nlines" trailing', 2, /:2: text after the closing quote of A \(the quote opened on line 1 closes here/],
  ])('%j → an error on line %i', (text, line, re) => {
    const err = parseError(text);
    expect(err.message).toMatch(re);
    expect(err.message).toContain(`${F}:${line}:`);
    expect(err.exitCode).toBe(3);
    expect(err.hint).toBeTruthy();
  });

  it('a NUL character in a value is an error', () => {
    expect(parseError('A="a\0b"').message).toBe(`${F}:1: the value of A contains a NUL character`);
  });

  it('errors never repeat the text of the line (it may be a secret)', () => {
    for (const text of [
      `=${SECRET_TOKEN}`,
      `GITHUB_TOKEN ${SECRET_TOKEN}`,
      `GITHUB_TOKEN="${SECRET_TOKEN}`,
      `${SECRET_TOKEN}=x`,
      `GITHUB_TOKEN="${SECRET_TOKEN}" ${SECRET_TOKEN}`,
      `GITHUB_TOKEN=${SECRET_TOKEN}\nGITHUB_TOKEN=${SECRET_TOKEN}`,
      `GITHUB_TOKEN=${'x'.repeat(MAX_VALUE_BYTES)}${SECRET_TOKEN}`,
    ]) {
      const err = parseError(text);
      expect(`${err.message} ${err.hint}`).not.toContain(SECRET_TOKEN);
      expect(`${err.message} ${err.hint}`).not.toContain(SECRET_TOKEN.slice(0, 8));
    }
  });

  it('a lower-case known key: the hint names it', () => {
    expect(parseError('github_token=x').hint).toBe('did you mean GITHUB_TOKEN?');
    expect(parseError('openai-api-key=x').hint).toBe('did you mean OPENAI_API_KEY?');
    expect(parseError('my_key=x').hint).toBe('rename it, e.g. MY_TOKEN=…');
  });

  it('an unquoted multi-line key: the error is on its second line and says to quote it; no key material echoed', () => {
    const pem =
      'GIT_SSH_PRIVATE_KEY=-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU\n-----END OPENSSH PRIVATE KEY-----\n';
    const err = parseError(pem);
    expect(err.message).toBe(`${F}:2: this line is not KEY=value (no "=")`);
    expect(err.hint).toBe(
      'GIT_SSH_PRIVATE_KEY on line 1 looks like the first line of a multi-line value: put the whole value in double quotes',
    );
    const padded = parseError('GIT_SSH_PRIVATE_KEY=-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjE==\n');
    expect(padded.message).toBe(`${F}:2: the key is not an upper-case environment name (^[A-Z_][A-Z0-9_]*$)`);
    expect(`${padded.message}${padded.hint}`).not.toContain('b3Blbn');
  });

  it(`a value over ${MAX_VALUE_BYTES / 1024} KiB is an error naming the key and the limit`, () => {
    expect(parseSecretsEnv(`A=${'x'.repeat(MAX_VALUE_BYTES)}`, F).values.A).toHaveLength(MAX_VALUE_BYTES);
    const err = parseError(`A=1\nBIG="${'x'.repeat(MAX_VALUE_BYTES + 1)}"`);
    expect(err.message).toBe(`${F}:2: the value of BIG is 65 KiB; a value may have at most 64 KiB`);
    // multi-byte characters count as bytes
    expect(parseError(`A=${'é'.repeat(MAX_VALUE_BYTES / 2 + 1)}`).message).toMatch(/value of A is 65 KiB/);
  });

  it('warnings come back as data: a misspelt known key, an inline comment, a key line inside quotes', () => {
    const { values, warnings } = parseSecretsEnv(
      ['GITHUB_TOKNE=t', 'ANTROPIC_API_KEY=k', 'MY_OWN_TOKEN=m', 'PW=abc #def', 'Q="open', 'NEXT_KEY=x"'].join('\n'),
      F,
    );
    expect(values).toEqual({ GITHUB_TOKNE: 't', ANTROPIC_API_KEY: 'k', MY_OWN_TOKEN: 'm', PW: 'abc', Q: 'open\nNEXT_KEY=x' });
    expect(warnings).toEqual([
      {
        kind: 'unknown-key',
        message: `${F}:1: GITHUB_TOKNE is not a key rgsd knows; did you mean GITHUB_TOKEN?`,
        hint: "rename it to GITHUB_TOKEN if it is a typo (other keys are only exported to the agent's environment)",
      },
      {
        kind: 'unknown-key',
        message: `${F}:2: ANTROPIC_API_KEY is not a key rgsd knows; did you mean ANTHROPIC_API_KEY?`,
        hint: expect.stringContaining('rename it to ANTHROPIC_API_KEY'),
      },
      {
        kind: 'inline-comment',
        message: `${F}:4: the text after " #" on the line of PW is a comment, not part of its value`,
        hint: 'if it belongs to the value, quote it: PW="…"',
      },
      {
        kind: 'quoted-key-line',
        message: `${F}:6: this line looks like KEY=value but is inside the quoted value of Q (opened on line 5)`,
        hint: 'close the quote of Q where its value ends',
      },
    ]);
    expect(JSON.stringify(warnings)).not.toMatch(/"(t|k|m|abc)"/);
  });

  it('closest known key: within two edits, never for a key far from every known one', () => {
    expect(editDistance('GITHUB_TOKNE', 'GITHUB_TOKEN')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(closestKnownKey('GITHUB_TOKEN')).toBeUndefined();
    expect(closestKnownKey('GITHUB_TOKENS')).toBe('GITHUB_TOKEN');
    expect(closestKnownKey('OPENAI_APIKEY')).toBe('OPENAI_API_KEY');
    expect(closestKnownKey('NPM_TOKNE')).toBe('NPM_TOKEN');
    expect(closestKnownKey('NPX_TOKNE')).toBeUndefined(); // two edits from a short key
    for (const k of [
      'GH_TOKEN',
      'MY_TOKEN',
      'DATABASE_URL',
      'GEMINI_API_KEY',
      'AWS_SECRET_ACCESS_KEY',
      'GITHUB_TOKEN_2',
      'WORK_GITHUB_TOKEN',
    ]) {
      expect(closestKnownKey(k)).toBeUndefined();
    }
  });

  it('readSecretsFile returns the warnings; readSecretsEnv only the values', async () => {
    const { secretsFile } = writeProject(tempDir(), 'p', { env: 'GITHUB_TOKNE=x\n' });
    expect((await readSecretsFile(secretsFile)).warnings).toHaveLength(1);
    expect(await readSecretsEnv(secretsFile)).toEqual({ GITHUB_TOKNE: 'x' });
  });
});

describe('files.* (settings): private, in place', () => {
  it('adds file keys from settings.files (relative to the settings file)', async () => {
    const dir = tempDir();
    writeProject(dir, 'p', { settings: 'files: {models: models.json, preferences: prefs.md, projectEnv: app.env}\n' });
    writeListed(join(dir, 'projects'), 'models.json', '{"m":1}');
    writeListed(join(dir, 'projects'), 'prefs.md', '# prefs');
    writeListed(join(dir, 'projects'), 'app.env', 'DB=x');
    const data = await collectSecretData(await loadProject(dir, 'p'));
    expect(Object.keys(data).sort()).toEqual(['ANTHROPIC_API_KEY', 'GITHUB_TOKEN', 'models.json', 'preferences.md', 'project.env']);
    expect(data['project.env']?.toString()).toBe('DB=x');
  });

  it('a listed file that is missing is a ConfigError naming the entry', async () => {
    const dir = tempDir();
    writeProject(dir, 'p', { settings: 'files: {models: gone.json}\n' });
    await expect(collectSecretData(await loadProject(dir, 'p'))).rejects.toThrow(
      /files.models .* cannot read .*gone.json \(it does not exist\)/,
    );
  });

  it.each([0o644, 0o640, 0o604])('a listed file of mode %o is refused with the chmod 600 hint', async (mode) => {
    const dir = tempDir();
    writeProject(dir, 'p', { settings: 'files: {models: m.json}\n' });
    const f = writeListed(join(dir, 'projects'), 'm.json', '{}', mode);
    const err = await collectSecrets(await loadProject(dir, 'p')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toBe(
      `files.models in ${join(dir, 'projects', 'p.yaml')}: ${f} is accessible by group or others (mode 0${mode.toString(8)})`,
    );
    expect((err as ConfigError).hint).toBe(`chmod 600 ${f}`);
  });

  it('/etc/shadow is refused: outside the home and the config directory, with the allowFilesOutside hint', async () => {
    const dir = tempDir();
    writeProject(dir, 'p', { settings: 'files: {models: /etc/shadow}\n' });
    const err = await collectSecrets(await loadProject(dir, 'p'), { home: tempDir() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toBe(
      `files.models in ${join(dir, 'projects', 'p.yaml')}: /etc/shadow is outside your home and the config directory`,
    );
    expect((err as ConfigError).hint).toContain(`set allowFilesOutside: true in ${join(dir, 'projects', 'p.yaml')}`);
  });

  it('a symlink in the config directory pointing outside is followed, and refused', async () => {
    const dir = tempDir();
    const elsewhere = writeListed(tempDir(), 'models.json', '{}');
    writeProject(dir, 'p', { settings: 'files: {models: link.json}\n' });
    symlinkSync(elsewhere, join(dir, 'projects', 'link.json'));
    const err = await collectSecrets(await loadProject(dir, 'p'), { home: tempDir() }).catch((e: unknown) => e);
    expect((err as ConfigError).message).toContain(`${join(dir, 'projects', 'link.json')} (→ ${elsewhere}) is outside your home`);
  });

  it('under the home is fine (~/ paths too); allowFilesOutside: true allows anywhere (still mode-checked)', async () => {
    const dir = tempDir();
    const home = tempDir();
    const inHome = writeListed(home, 'models.json', '{"h":1}');
    writeProject(dir, 'p', { settings: `files: {models: ${inHome}}\n` });
    expect((await collectSecretData(await loadProject(dir, 'p'), { home }))['models.json']?.toString()).toBe('{"h":1}');

    const outside = writeListed(tempDir(), 'prefs.md', 'x');
    writeProject(dir, 'q', { settings: `files: {preferences: ${outside}}\nallowFilesOutside: true\n` });
    expect((await collectSecretData(await loadProject(dir, 'q'), { home }))['preferences.md']?.toString()).toBe('x');
    chmodSync(outside, 0o644);
    await expect(collectSecretData(await loadProject(dir, 'q'), { home })).rejects.toThrow(/accessible by group or others/);
  });

  it('a directory or a device is not a regular file', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'projects', 'models.d'), { recursive: true });
    writeProject(dir, 'p', { settings: 'files: {models: models.d}\n' });
    await expect(collectSecrets(await loadProject(dir, 'p'))).rejects.toThrow(/models\.d is not a regular file/);
    writeProject(dir, 'q', { settings: 'files: {models: /dev/zero}\nallowFilesOutside: true\n' });
    await expect(collectSecrets(await loadProject(dir, 'q'))).rejects.toThrow(/\/dev\/zero is not a regular file/);
  });

  it(`all secrets together: at most ${MAX_TOTAL_BYTES / 1024} KiB, the error names the largest keys`, async () => {
    const dir = tempDir();
    writeProject(dir, 'p', { settings: 'files: {models: m.json, preferences: p.md}\n' });
    writeListed(join(dir, 'projects'), 'm.json', Buffer.alloc(300 * 1024, 'm'));
    writeListed(join(dir, 'projects'), 'p.md', Buffer.alloc(200 * 1024, 'p'));
    const cfg = await loadProject(dir, 'p');
    expect(Object.keys(await collectSecretData(cfg))).toHaveLength(4);
    writeListed(join(dir, 'projects'), 'p.md', Buffer.alloc(220 * 1024, 'p'));
    const err = await collectSecrets(cfg).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toBe(
      'the secrets of project p take 521 KiB; at most 512 KiB in all (largest: models.json 300 KiB, preferences.md 220 KiB, GITHUB_TOKEN 1 KiB)',
    );
    // one file alone over the limit is refused before it is read
    writeListed(join(dir, 'projects'), 'm.json', Buffer.alloc(MAX_TOTAL_BYTES + 1, 'm'));
    await expect(collectSecrets(cfg)).rejects.toThrow(/files\.models .*m\.json is 513 KiB; all secrets together may have at most 512 KiB/);
  });

  it('collectSecrets returns the warnings of the secrets file with the data', async () => {
    const dir = tempDir();
    writeProject(dir, 'p', { env: `GITHUB_TOKNE=${SECRET_TOKEN}\n` });
    const { data, warnings } = await collectSecrets(await loadProject(dir, 'p'));
    expect(Object.keys(data)).toEqual(['GITHUB_TOKNE']);
    expect(warnings.map((w) => w.kind)).toEqual(['unknown-key']);
    expect(JSON.stringify(warnings)).not.toContain(SECRET_TOKEN);
  });
});

describe('repository credentials', () => {
  const cfg = (repo: string | undefined): ProjectConfig => ({
    project: 'p',
    configDir: '/c',
    settingsFile: '/c/projects/p.yaml',
    secretsFile: '/c/secrets/p.env',
    settings: repo ? { repo } : {},
  });
  it('https needs GITHUB_TOKEN, ssh needs GIT_SSH_PRIVATE_KEY; no repository needs nothing', () => {
    const https = repoCredentialsWarning(cfg('https://github.com/o/r.git'), {});
    expect(https).toEqual({
      kind: 'repo-credentials',
      message:
        'https://github.com/o/r.git is an https repository and /c/secrets/p.env has no GITHUB_TOKEN: cloning a private repository will fail',
      hint: 'put a token in GITHUB_TOKEN in /c/secrets/p.env (a public repository clones without one)',
    });
    expect(repoCredentialsWarning(cfg('https://github.com/o/r.git'), { GITHUB_TOKEN: Buffer.from('') })).toEqual(https);
    expect(repoCredentialsWarning(cfg('https://github.com/o/r.git'), { GITHUB_TOKEN: Buffer.from('t') })).toBeUndefined();
    expect(repoCredentialsWarning(cfg('git@github.com:o/r.git'), { GITHUB_TOKEN: Buffer.from('t') })?.message).toContain(
      'is an ssh repository and /c/secrets/p.env has no GIT_SSH_PRIVATE_KEY',
    );
    expect(repoCredentialsWarning(cfg('ssh://git@host/o/r.git'), { GIT_SSH_PRIVATE_KEY: Buffer.from('k') })).toBeUndefined();
    expect(repoCredentialsWarning(cfg(undefined), {})).toBeUndefined();
  });
});

describe('Secret data, manifest and checksum', () => {
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
