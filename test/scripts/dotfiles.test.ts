// The image-managed shell dotfiles, sourced by a real zsh and bash: the prompt shows the
// project; interactive shells load the secrets.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DOCKER, Root, ZSH } from './harness.js';

const zshrc = resolve(import.meta.dirname, '..', '..', 'docker', 'dotfiles', '.zshrc');
let home: string;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'rgsd-zshrc-'));
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

function renderPrompt(env: Record<string, string>): string {
  const r = spawnSync('zsh', ['-f', '-c', `source ${JSON.stringify(zshrc)}; print -rP -- "$PROMPT"`], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, USER: 'gsd', TERM: 'dumb', ...env },
    encoding: 'utf8',
  });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.replace(/\x1b\[[0-9;]*m/g, '');
}

describe('docker/dotfiles/.zshrc', () => {
  it('expands the project name in the prompt (prompt_subst)', () => {
    const prompt = renderPrompt({ RGSD_PROJECT: 'demo' });
    expect(prompt).toContain('@demo');
    expect(prompt).not.toContain('${');
  });

  it('falls back to "rgsd" without a project', () => {
    expect(renderPrompt({})).toContain('@rgsd');
  });
});

// The secrets in the image's shells: init-home writes ~/.config/rgsd/secrets.env, and every
// interactive shell (the image-managed ~/.zshrc and ~/.bashrc, through load-secrets.sh) exports
// it, except what the environment cannot hold. The shells run outside the session here, with
// no secret in their environment, like a tmux window or `kubectl exec -it … zsh -l`.
describe('secrets in the shells (load-secrets.sh)', () => {
  let root: Root;
  beforeEach(() => {
    root = new Root();
    for (const f of ['.zshrc', '.bashrc']) copyFileSync(join(DOCKER, 'dotfiles', f), join(root.home, f));
    // bash login shells read ~/.profile; Debian's (the image's skeleton has it) sources ~/.bashrc.
    if (existsSync('/etc/skel/.profile')) copyFileSync('/etc/skel/.profile', join(root.home, '.profile'));
  });
  afterEach(() => root.cleanup());

  const WARN = 'rgsd: warning: secret';
  const shell = (argv: string[], script: string, extra: Record<string, string> = {}) => {
    const [cmd = 'false', ...args] = argv;
    const r = spawnSync(cmd, [...args, script], {
      env: { ...root.env({ RGSD_SCRIPTS_DIR: DOCKER, TERM: 'dumb', ...extra }) },
      cwd: root.home,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 30_000,
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const initHome = (secrets: Record<string, string>): void => {
    for (const [k, v] of Object.entries(secrets)) root.secret(k, v);
    const r = root.run('init-home');
    expect(r.status, r.stderr).toBe(0);
  };
  const secretsEnv = (): string => join(root.home, '.config/rgsd/secrets.env');

  // zsh -i: the agent window's shell; zsh -il: a tmux window, `kubectl exec -it … zsh -l` (rgsd
  // connect); bash -i and bash -il: bash started on its own.
  const SHELLS: [string, string[]][] = [
    ['zsh -i', [ZSH, '-i', '-c']],
    ['zsh -il', [ZSH, '-i', '-l', '-c']],
    ['bash -i', ['bash', '-i', '-c']],
    ...(existsSync('/etc/skel/.profile') ? [['bash -il', ['bash', '-i', '-l', '-c']] as [string, string[]]] : []),
  ];

  it.each(SHELLS)('%s exports the secrets but a 200 KiB one, which it names with the file that holds it', (_name, argv) => {
    const huge = 'h'.repeat(200 * 1024);
    initHome({ GITHUB_TOKEN: 'ghp_tok', HUGE_VALUE: huge, ZED_KEY: 'z' });
    // printenv is a program: it starts only if the environment is within the kernel's limits.
    const r = shell(argv, 'printenv GITHUB_TOKEN ZED_KEY; printenv HUGE_VALUE || echo "HUGE_VALUE not exported"');
    expect(r.stdout).toBe('ghp_tok\nz\nHUGE_VALUE not exported\n');
    const warnings = r.stderr.split('\n').filter((l) => l.startsWith(WARN));
    expect(warnings).toEqual([
      `rgsd: warning: secret HUGE_VALUE is not exported: 204812 bytes is over the 131072 bytes one environment variable can hold. Its value is in ${secretsEnv()}`,
    ]);
  });

  it.each([
    ['zsh -c', [ZSH, '-c']],
    ['bash -c', ['bash', '-c']],
  ])('%s (not interactive: scripts, tmux window commands) does not load them', (_name, argv) => {
    initHome({ GITHUB_TOKEN: 'ghp_tok' });
    expect(shell(argv, 'printenv GITHUB_TOKEN || echo none').stdout).toBe('none\n');
  });

  it.each([
    ['zsh', ZSH],
    ['bash', 'bash'],
  ])('%s: every value round-trips exactly, multi-line and quoted ones too', (_name, sh) => {
    const values: Record<string, string> = {
      QUOTES: `it's "quoted" \`x\` $HOME \\ $(touch pwned)`,
      MULTI: 'line1\nexport FAKE_KEY=1\n  line3',
      UTF8: 'é ✓ 日本',
      SPACES: '  lead and trail  ',
    };
    initHome(values);
    const r = shell(
      [sh, '-c'],
      `. "$RGSD_SCRIPTS_DIR/load-secrets.sh"; for k in QUOTES MULTI UTF8 SPACES; do printenv "$k"; printf '\\0'; done; printf '%s' "\${FAKE_KEY-unset}"`,
    );
    expect(r.stderr).toBe('');
    const out = r.stdout.split('\0');
    // printenv adds a newline; the secrets file drops trailing newlines, not leading spaces.
    expect(out.slice(0, 4)).toEqual(Object.values(values).map((v) => `${v}\n`));
    expect(out[4]).toBe('unset');
    expect(existsSync(join(root.home, 'pwned'))).toBe(false);
  });

  it.each([
    ['zsh', ZSH],
    ['bash', 'bash'],
  ])('%s: the limit is per variable, NUL included: 131072 bytes are exported, one more is not', (_name, sh) => {
    // NAME=value plus the NUL: 6 + 1 + len + 1.
    initHome({ AT_MAX: 'a'.repeat(131072 - 8), OVER_1: 'b'.repeat(131072 - 7) });
    const r = shell(
      [sh, '-c'],
      `. "$RGSD_SCRIPTS_DIR/load-secrets.sh"; printenv AT_MAX | wc -c; printenv OVER_1 || echo "OVER_1 not exported"`,
    );
    expect(r.stdout.split('\n').map((l) => l.trim())).toEqual([String(131072 - 8 + 1), 'OVER_1 not exported', '']);
    expect(r.stderr).toContain(`${WARN} OVER_1 is not exported: 131073 bytes is over the 131072 bytes`);
  });

  it.each([
    ['zsh', ZSH],
    ['bash', 'bash'],
  ])('%s: the secrets together stay within half of what execve takes (at most 1 MiB), in file order', (_name, sh) => {
    const secrets: Record<string, string> = {};
    for (let i = 0; i < 10; i++) secrets[`KEY_${i}`] = String(i).repeat(120_000);
    secrets.SMALL = 'small';
    initHome(secrets);
    const script = `. "$RGSD_SCRIPTS_DIR/load-secrets.sh"; for k in KEY_0 KEY_7 KEY_8 KEY_9 SMALL; do printenv "$k" >/dev/null && echo "$k" || echo "no $k"; done`;
    const r = shell([sh, '-c'], script);
    expect(r.stdout).toBe('KEY_0\nKEY_7\nno KEY_8\nno KEY_9\nSMALL\n');
    expect(r.stderr).toContain(
      `${WARN} KEY_8 is not exported: with it the exported secrets would pass 1048576 bytes, half of what a command can be given. Its value is in ${secretsEnv()}`,
    );
    // A smaller stack limit makes execve take less (a quarter of it): 1 MiB of stack, 128 KiB of secrets.
    const small = shell([sh, '-c'], `ulimit -s 1024; ${script}`);
    expect(small.stdout).toBe('KEY_0\nno KEY_7\nno KEY_8\nno KEY_9\nSMALL\n');
  });

  it.each([
    ['zsh', ZSH],
    ['bash', 'bash'],
  ])('%s: loads once per shell, quietly without a secrets file, and keeps set -eu scripts alive', (_name, sh) => {
    expect(shell([sh, '-c'], `set -eu; . "$RGSD_SCRIPTS_DIR/load-secrets.sh"; echo ok`)).toMatchObject({
      status: 0,
      stdout: 'ok\n',
      stderr: '',
    });
    initHome({ HUGE_VALUE: 'h'.repeat(140_000) });
    const r = shell([sh, '-c'], `set -eu; . "$RGSD_SCRIPTS_DIR/load-secrets.sh"; . "$RGSD_SCRIPTS_DIR/load-secrets.sh"; echo ok`);
    expect(r.stdout).toBe('ok\n');
    expect(r.stderr.split('\n').filter((l) => l.startsWith(WARN))).toHaveLength(1);
  });

  it('.bashrc is shellcheck clean', () => {
    const r = spawnSync('shellcheck', ['--severity=style', join(DOCKER, 'dotfiles', '.bashrc')], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
