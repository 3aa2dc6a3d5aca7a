// init-home in a temporary root: first-boot seeding, later boots that keep user edits,
// secret-backed files rewritten (0600 in 0700 dirs) and removed with their keys.
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Root } from './harness.js';

const mode = (path: string): number => statSync(path).mode & 0o777;

let root: Root;
beforeEach(() => {
  root = new Root();
  mkdirSync(join(root.skel, '.config', 'app'), { recursive: true });
  writeFileSync(join(root.skel, '.zshrc'), 'skel zshrc\n');
  writeFileSync(join(root.skel, '.config', 'app', 'settings'), 'skel settings\n');
  writeFileSync(join(root.skel, 'notes.txt'), 'skel notes\n');
});
afterEach(() => root.cleanup());

const SECRET_VALUES = ['ghp_secret_token_1', 'sk-ant-secret-2', 'sk-openai-secret-3', 'it\'s "quoted"\n$HOME `x`'] as const;

function writeAllSecrets(): void {
  root.secret('GITHUB_TOKEN', SECRET_VALUES[0]);
  root.secret('ANTHROPIC_API_KEY', SECRET_VALUES[1]);
  root.secret('OPENAI_API_KEY', SECRET_VALUES[2]);
  root.secret('WEIRD_VALUE', SECRET_VALUES[3]);
  root.secret('GIT_SSH_PRIVATE_KEY', '-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----\n');
  root.secret('models.json', '{"providers":{}}\n');
  root.secret('preferences.md', '# prefs\n');
  root.secret('project.env', 'DATABASE_URL=postgres://x\n');
}

describe('init-home first boot', () => {
  it('copies the skeleton, keeps files already in the home, writes the sentinel', () => {
    writeFileSync(join(root.home, 'notes.txt'), 'mine\n');
    const r = root.run('init-home');
    expect(r.status, r.stderr).toBe(0);
    expect(root.read('.zshrc')).toBe('skel zshrc\n');
    expect(root.read('.config/app/settings')).toBe('skel settings\n');
    expect(root.read('notes.txt')).toBe('mine\n');
    expect(root.read('.home-initialized')).toMatch(/^seeded \d{4}-/);
  });

  it('fails with one clear line when the home is missing', () => {
    rmSync(root.home, { recursive: true });
    const r = root.run('init-home');
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/error: home .* does not exist/);
    expect(r.stderr).toMatch(/hint:/);
  });
});

describe('init-home later boots', () => {
  it('keeps user edits and deletions: the skeleton is not re-seeded', () => {
    expect(root.run('init-home').status).toBe(0);
    const sentinel = root.read('.home-initialized');
    writeFileSync(join(root.home, '.zshrc'), 'my zshrc\n');
    rmSync(join(root.home, 'notes.txt'));
    const r = root.run('init-home');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('skeleton not copied');
    expect(root.read('.zshrc')).toBe('my zshrc\n');
    expect(existsSync(join(root.home, 'notes.txt'))).toBe(false);
    expect(root.read('.home-initialized')).toBe(sentinel);
  });

  it('writes every secret-backed file 0600 in 0700 directories and never prints values', () => {
    writeAllSecrets();
    const r = root.run('init-home', [], { RGSD_REPO_URL: 'git@git.example.com:org/repo.git' });
    expect(r.status, r.stderr).toBe(0);
    for (const v of SECRET_VALUES) expect(r.stdout + r.stderr).not.toContain(v.trim());

    const files = [
      '.config/rgsd/secrets.env',
      '.git-credentials',
      '.ssh/rgsd_deploy_key',
      '.ssh/config.d/rgsd',
      '.codex/auth.json',
      '.gsd/agent/auth.json',
      '.gsd/agent/models.json',
      '.gsd/PREFERENCES.md',
      '.config/rgsd/project.env',
    ];
    for (const f of files) expect(mode(join(root.home, f)), f).toBe(0o600);
    for (const d of ['.config/rgsd', '.ssh', '.ssh/config.d', '.codex', '.gsd', '.gsd/agent']) {
      expect(mode(join(root.home, d)), d).toBe(0o700);
    }

    // secrets.env round-trips every value exactly through a shell.
    const sourced = spawnSync(
      'bash',
      ['-c', `. "$1"; printf '%s\\0' "$GITHUB_TOKEN" "$WEIRD_VALUE"`, '_', join(root.home, '.config/rgsd/secrets.env')],
      { encoding: 'utf8' },
    );
    expect(sourced.stdout.split('\0').slice(0, 2)).toEqual([SECRET_VALUES[0], SECRET_VALUES[3]]);

    expect(root.read('.git-credentials')).toBe(`https://x-access-token:${SECRET_VALUES[0]}@github.com\n`);
    expect(root.read('.ssh/config.d/rgsd')).toContain('Host git.example.com');
    expect(root.read('.ssh/config').split('\n')[0]).toBe('Include config.d/*');
    expect(JSON.parse(root.read('.codex/auth.json'))).toEqual({ OPENAI_API_KEY: SECRET_VALUES[2] });
    expect(JSON.parse(root.read('.gsd/agent/auth.json'))).toEqual({
      anthropic: { type: 'api_key', key: SECRET_VALUES[1] },
      openai: { type: 'api_key', key: SECRET_VALUES[2] },
    });
    expect(root.read('.gsd/agent/models.json')).toBe('{"providers":{}}\n');
    // GSD reads ~/.gsd/PREFERENCES.md first; rgsd writes no lower-case twin.
    expect(root.read('.gsd/PREFERENCES.md')).toBe('# prefs\n');
    expect(existsSync(join(root.home, '.gsd/preferences.md'))).toBe(false);
    expect(root.read('.config/rgsd/project.env')).toBe('DATABASE_URL=postgres://x\n');
  });

  it('takes the credential host from an https repo URL', () => {
    root.secret('GITHUB_TOKEN', 'tok');
    expect(root.run('init-home', [], { RGSD_REPO_URL: 'https://git.corp.example:8443/team/repo.git' }).status).toBe(0);
    expect(root.read('.git-credentials')).toBe('https://x-access-token:tok@git.corp.example\n');
  });

  it('rewrites changed secrets and removes the files of keys that left the Secret', () => {
    writeAllSecrets();
    expect(root.run('init-home').status).toBe(0);
    writeFileSync(join(root.home, '.zshrc'), 'user edit\n');

    root.secret('GITHUB_TOKEN', 'ghp_rotated');
    root.secret('OPENAI_API_KEY', null);
    root.secret('GIT_SSH_PRIVATE_KEY', null);
    root.secret('project.env', null);
    root.secret('WEIRD_VALUE', null);
    const r = root.run('init-home');
    expect(r.status, r.stderr).toBe(0);

    expect(root.read('.zshrc')).toBe('user edit\n');
    expect(root.read('.git-credentials')).toBe('https://x-access-token:ghp_rotated@github.com\n');
    expect(mode(join(root.home, '.git-credentials'))).toBe(0o600);
    const env = root.read('.config/rgsd/secrets.env');
    expect(env).toContain("export GITHUB_TOKEN='ghp_rotated'");
    expect(env).not.toContain('OPENAI_API_KEY');
    expect(env).not.toContain('WEIRD_VALUE');
    for (const gone of ['.codex/auth.json', '.ssh/rgsd_deploy_key', '.ssh/config.d/rgsd', '.config/rgsd/project.env']) {
      expect(existsSync(join(root.home, gone)), gone).toBe(false);
    }
    // The GSD auth file loses only the provider whose key is gone.
    expect(JSON.parse(root.read('.gsd/agent/auth.json'))).toEqual({ anthropic: { type: 'api_key', key: SECRET_VALUES[1] } });
    expect(r.stdout).toContain('removed ~/.codex/auth.json');
  });

  it('keeps OAuth logins in the GSD auth file and files the user changed since', () => {
    mkdirSync(join(root.home, '.gsd', 'agent'), { recursive: true });
    writeFileSync(join(root.home, '.gsd/agent/auth.json'), JSON.stringify({ github: { type: 'oauth', refresh: 'r' } }));
    root.secret('ANTHROPIC_API_KEY', 'k1');
    root.secret('OPENAI_API_KEY', 'k2');
    expect(root.run('init-home').status).toBe(0);
    expect(JSON.parse(root.read('.gsd/agent/auth.json'))).toEqual({
      github: { type: 'oauth', refresh: 'r' },
      anthropic: { type: 'api_key', key: 'k1' },
      openai: { type: 'api_key', key: 'k2' },
    });

    // The user logged in to Codex another way: the file is theirs now.
    writeFileSync(join(root.home, '.codex/auth.json'), '{"tokens":{}}\n');
    root.secret('OPENAI_API_KEY', null);
    root.secret('ANTHROPIC_API_KEY', null);
    const r = root.run('init-home');
    expect(r.status).toBe(0);
    expect(root.read('.codex/auth.json')).toBe('{"tokens":{}}\n');
    expect(r.stdout).toMatch(/codex\/auth.json changed since rgsd wrote it; keeping it/);
    expect(JSON.parse(root.read('.gsd/agent/auth.json'))).toEqual({ github: { type: 'oauth', refresh: 'r' } });
  });

  it('writes the Kimchi / AI Enabler token as the "aie" api_key entry, keeping OAuth logins, and removes it with the key', () => {
    const token = 'kimchi-secret-token-4';
    mkdirSync(join(root.home, '.gsd', 'agent'), { recursive: true });
    writeFileSync(join(root.home, '.gsd/agent/auth.json'), JSON.stringify({ github: { type: 'oauth', refresh: 'r' } }));
    root.secret('KIMCHI_API_KEY', `${token}\n`);
    root.secret('ANTHROPIC_API_KEY', 'k1');
    const r = root.run('init-home');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).not.toContain(token);
    expect(JSON.parse(root.read('.gsd/agent/auth.json'))).toEqual({
      github: { type: 'oauth', refresh: 'r' },
      anthropic: { type: 'api_key', key: 'k1' },
      aie: { type: 'api_key', key: token },
    });
    expect(mode(join(root.home, '.gsd/agent/auth.json'))).toBe(0o600);
    // Still in the agent's environment too, as every env key is.
    expect(root.read('.config/rgsd/secrets.env')).toContain(`export KIMCHI_API_KEY='${token}'\n`);

    // Rotated, then gone: only our entry goes, the login stays.
    root.secret('KIMCHI_API_KEY', 'kimchi-rotated');
    expect(root.run('init-home').status).toBe(0);
    expect(JSON.parse(root.read('.gsd/agent/auth.json')).aie).toEqual({ type: 'api_key', key: 'kimchi-rotated' });
    root.secret('KIMCHI_API_KEY', null);
    expect(root.run('init-home').status).toBe(0);
    expect(JSON.parse(root.read('.gsd/agent/auth.json'))).toEqual({
      github: { type: 'oauth', refresh: 'r' },
      anthropic: { type: 'api_key', key: 'k1' },
    });
  });

  it('moves preferences rgsd wrote to ~/.gsd/preferences.md to ~/.gsd/PREFERENCES.md; keeps a lower-case file of the user', () => {
    // What an earlier rgsd left: the lower-case file, with its checksum in the manifest.
    mkdirSync(join(root.home, '.gsd'), { recursive: true });
    mkdirSync(join(root.home, '.config', 'rgsd'), { recursive: true });
    writeFileSync(join(root.home, '.gsd/preferences.md'), '# old prefs\n');
    const sum = spawnSync('sha256sum', [join(root.home, '.gsd/preferences.md')], { encoding: 'utf8' }).stdout.split(' ')[0];
    writeFileSync(join(root.home, '.config/rgsd/managed-files'), `${sum} .gsd/preferences.md\n`);
    root.secret('preferences.md', '# new prefs\n');
    let r = root.run('init-home');
    expect(r.status, r.stderr).toBe(0);
    expect(root.read('.gsd/PREFERENCES.md')).toBe('# new prefs\n');
    expect(existsSync(join(root.home, '.gsd/preferences.md'))).toBe(false);
    expect(r.stdout).toContain('removed ~/.gsd/preferences.md, which rgsd wrote earlier');
    expect(root.read('.config/rgsd/managed-files')).toMatch(/ \.gsd\/PREFERENCES\.md\n/);
    expect(root.read('.config/rgsd/managed-files')).not.toContain('.gsd/preferences.md');

    // The user's own lower-case file (not rgsd's checksum) is kept, with a warning.
    writeFileSync(join(root.home, '.gsd/preferences.md'), '# mine\n');
    r = root.run('init-home');
    expect(r.status, r.stderr).toBe(0);
    expect(root.read('.gsd/preferences.md')).toBe('# mine\n');
    expect(r.stdout).toMatch(/warning: .*\/\.gsd\/preferences\.md is not the file rgsd wrote; keeping it/);

    // The key leaves the Secret: rgsd's PREFERENCES.md goes, the user's file stays.
    root.secret('preferences.md', null);
    r = root.run('init-home');
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(join(root.home, '.gsd/PREFERENCES.md'))).toBe(false);
    expect(root.read('.gsd/preferences.md')).toBe('# mine\n');
  });

  it('an earlier rgsd lower-case preferences file changed by the user is kept once, with one warning', () => {
    mkdirSync(join(root.home, '.gsd'), { recursive: true });
    mkdirSync(join(root.home, '.config', 'rgsd'), { recursive: true });
    writeFileSync(join(root.home, '.config/rgsd/managed-files'), `${'0'.repeat(64)} .gsd/preferences.md\n`);
    writeFileSync(join(root.home, '.gsd/preferences.md'), '# edited\n');
    root.secret('preferences.md', '# new\n');
    const r = root.run('init-home');
    expect(r.status, r.stderr).toBe(0);
    expect(root.read('.gsd/preferences.md')).toBe('# edited\n');
    expect(r.stdout).toMatch(/preferences\.md is not the file rgsd wrote; keeping it/);
    expect(r.stdout).not.toContain('changed since rgsd wrote it');
    expect(r.stdout.match(/warning:/g)).toHaveLength(1);
  });

  it('writes values of any size: none reaches a command line or an environment (a 200 KiB key)', () => {
    const huge = `sk-ant-${'k'.repeat(200 * 1024)}`;
    root.secret('ANTHROPIC_API_KEY', `${huge}\n\n`); // trailing newlines are dropped
    root.secret('OPENAI_API_KEY', 'sk-openai');
    const r = root.run('init-home');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).not.toContain('kkkk');
    expect(JSON.parse(root.read('.gsd/agent/auth.json'))).toEqual({
      anthropic: { type: 'api_key', key: huge },
      openai: { type: 'api_key', key: 'sk-openai' },
    });
    expect(root.read('.config/rgsd/secrets.env')).toContain(`export ANTHROPIC_API_KEY='${huge}'\n`);
    expect(mode(join(root.home, '.config/rgsd/secrets.env'))).toBe(0o600);
    expect(mode(join(root.home, '.config/rgsd'))).toBe(0o700);
  });

  it('ignores Kubernetes secret-volume internals and warns about unknown keys', () => {
    mkdirSync(join(root.secrets, '..2026_01_01'));
    writeFileSync(join(root.secrets, '..data'), 'x');
    root.secret('strange.key', 'x');
    root.secret('Mixed-Case', 'x');
    const r = root.run('init-home');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/secret file key 'strange.key' is not one rgsd knows/);
    expect(r.stdout).toMatch(/secret key 'Mixed-Case' is neither/);
    expect(existsSync(join(root.home, '.config/rgsd/secrets.env'))).toBe(false);
    expect(readFileSync(join(root.home, '.config/rgsd/managed-files'), 'utf8')).toBe('');
  });
});
