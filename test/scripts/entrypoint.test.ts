// The entrypoint with real git and tmux against a local bare repository, in a temporary
// root with a private tmux server.
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bareRepo, Root, waitUntil } from './harness.js';

let root: Root;
let repo: string;
beforeEach(() => {
  root = new Root();
  repo = bareRepo(root);
});
afterEach(() => root.cleanup());

const git = (...args: string[]): string => {
  const r = spawnSync('git', args, { env: root.env(), encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.trim();
};

describe('entrypoint', () => {
  it('clones the repository once, starts the session in it, and never re-clones', async () => {
    const first = root.start({ RGSD_REPO_URL: repo });
    await first.waitFor('ready');
    expect(first.output).toContain(`cloning ${repo}`);
    expect(readFileSync(join(root.workspace, 'README.md'), 'utf8')).toBe('hello\n');
    expect(root.hasSession('main')).toBe(true);
    const cwd = root.tmux('display-message', '-p', '-t', '=main:0', '#{pane_current_path}').stdout.trim();
    expect(cwd).toBe(root.workspace);
    await first.stop();

    // Local work in the clone survives a restart: no re-clone.
    writeFileSync(join(root.workspace, 'WIP.md'), 'work in progress\n');
    const head = git('-C', root.workspace, 'rev-parse', 'HEAD');
    const second = root.start({ RGSD_REPO_URL: repo });
    await second.waitFor('ready');
    expect(second.output).toContain('already has a repository; not cloning');
    expect(second.output).not.toContain('cloning /');
    expect(readFileSync(join(root.workspace, 'WIP.md'), 'utf8')).toBe('work in progress\n');
    expect(git('-C', root.workspace, 'rev-parse', 'HEAD')).toBe(head);
  });

  it('clones the requested branch', async () => {
    const ep = root.start({ RGSD_REPO_URL: repo, RGSD_REPO_BRANCH: 'dev' });
    await ep.waitFor('ready');
    expect(git('-C', root.workspace, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe('dev');
    expect(existsSync(join(root.workspace, 'DEV.md'))).toBe(true);
  });

  it('treats a failed clone as a warning and still gives a usable session', async () => {
    const ep = root.start({ RGSD_REPO_URL: join(root.dir, 'does-not-exist.git') });
    await ep.waitFor('ready');
    expect(ep.output).toMatch(/warning: clone of .* failed/);
    expect(ep.running).toBe(true);
    expect(root.hasSession('main')).toBe(true);
    // The shell in the session works: run a command in it and see its effect.
    const marker = join(root.workspace, 'typed.txt');
    // Type only once the shell shows its prompt; a starting shell may still flush typeahead
    // (zle init), so type the command again until it has run (it appends: each run adds a line).
    await waitUntil(() => root.tmux('capture-pane', '-p', '-t', '=main:0').stdout.trim() !== '', 15_000, () => 'no prompt');
    let typed = 0;
    await waitUntil(
      () => {
        if (existsSync(marker)) return true;
        if (typed++ % 10 === 0) root.tmux('send-keys', '-t', '=main:0', `echo usable >> ${marker}`, 'Enter');
        return false;
      },
      20_000,
      () => 'the session shell did not run the command',
    );
    expect(readFileSync(marker, 'utf8')).toMatch(/^(usable\n)+$/);
  });

  it('recreates the session after tmux kill-session', async () => {
    const ep = root.start({ RGSD_TMUX_SESSION: 'work' });
    await ep.waitFor('ready');
    expect(root.hasSession('work')).toBe(true);
    const created = root.tmux('display-message', '-p', '-t', '=work', '#{session_created}').stdout.trim();
    expect(root.tmux('kill-session', '-t', '=work').status).toBe(0);
    await ep.waitFor("session 'work' is gone; recreating it");
    await waitUntil(() => root.hasSession('work'), 10_000, () => `session not recreated:\n${ep.output}`);
    expect(ep.running).toBe(true);
    // A new session, not the old one.
    const again = root.tmux('display-message', '-p', '-t', '=work', '#{session_created}').stdout.trim();
    expect(Number(again)).toBeGreaterThanOrEqual(Number(created));
  });

  it('exits promptly on SIGTERM and takes the tmux server with it', async () => {
    const ep = root.start({ RGSD_SUPERVISE_INTERVAL: '5' });
    await ep.waitFor('ready');
    const ms = await ep.stop();
    expect(ms).toBeLessThan(3000);
    expect((await ep.exited).code).toBe(0);
    expect(ep.output).toContain('received SIGTERM');
    expect(root.hasSession('main')).toBe(false);
  });

  it('sets git identity defaults without clobbering the user identity', async () => {
    const ep = root.start({ RGSD_GIT_USER_NAME: 'Ada', RGSD_GIT_USER_EMAIL: 'ada@example.com' });
    await ep.waitFor('ready');
    await ep.stop();
    expect(git('config', '--global', 'user.name')).toBe('Ada');
    expect(git('config', '--global', 'credential.helper')).toBe(`store --file=${root.home}/.git-credentials`);

    git('config', '--global', 'user.name', 'Mine');
    git('config', '--global', 'user.email', 'mine@example.com');
    const again = root.start({ RGSD_GIT_USER_NAME: 'Ada', RGSD_GIT_USER_EMAIL: 'ada@example.com' });
    await again.waitFor('ready');
    expect(git('config', '--global', 'user.name')).toBe('Mine');
    expect(git('config', '--global', 'user.email')).toBe('mine@example.com');
  });

  it('installs the staged project .env (0600, git-excluded) and gives the session the secrets env', async () => {
    root.secret('GITHUB_TOKEN', 'ghp_from_secret');
    root.secret('project.env', 'API_URL=http://x\n');
    root.fakeBin('gh', 'exit 0');
    expect(root.run('init-home').status).toBe(0);
    const ep = root.start({ RGSD_REPO_URL: repo });
    await ep.waitFor('ready');
    const dotenv = join(root.workspace, '.env');
    expect(readFileSync(dotenv, 'utf8')).toBe('API_URL=http://x\n');
    expect(statSync(dotenv).mode & 0o777).toBe(0o600);
    expect(git('-C', root.workspace, 'status', '--porcelain')).toBe('');
    expect(root.tmux('show-environment', '-g', 'GITHUB_TOKEN').stdout.trim()).toBe('GITHUB_TOKEN=ghp_from_secret');
    expect(ep.output).not.toContain('ghp_from_secret');
    expect(ep.output).toContain('gh: authenticated by GITHUB_TOKEN');
  });

  it('refreshes image-managed dotfiles unless the user copy starts with the keep marker', async () => {
    const dotfiles = join(root.dir, 'dotfiles');
    mkdirSync(join(dotfiles, '.config', 'x'), { recursive: true });
    writeFileSync(join(dotfiles, '.tmux.conf'), 'set -g history-limit 1234\n');
    writeFileSync(join(dotfiles, '.config', 'x', 'rc'), 'image rc v2\n');
    mkdirSync(join(root.home, '.config', 'x'), { recursive: true });
    writeFileSync(join(root.home, '.tmux.conf'), 'stale image copy\n');
    writeFileSync(join(root.home, '.config', 'x', 'rc'), '# rgsd: keep\nmy rc\n');
    const ep = root.start({ RGSD_DOTFILES_DIR: dotfiles });
    await ep.waitFor('ready');
    expect(root.read('.tmux.conf')).toBe('set -g history-limit 1234\n');
    expect(root.read('.config/x/rc')).toBe('# rgsd: keep\nmy rc\n');
    expect(ep.output).toContain('refreshed ~/.tmux.conf');
    // The session uses the refreshed tmux.conf.
    expect(root.tmux('show-options', '-gv', 'history-limit').stdout.trim()).toBe('1234');
  });

  it('starts the chosen agent in the first window (0, where attach lands) with its arguments', async () => {
    const calls = join(root.dir, 'agent-calls');
    root.fakeBin('claude', `printf '%s\\n' "$*" >> '${calls}'; exec sleep 600`);
    const ep = root.start({ RGSD_AGENT: 'claude', RGSD_AGENT_AUTOSTART: 'true', RGSD_AGENT_ARGS: '--model opus' });
    await ep.waitFor("agent 'claude' started in window 0");
    // index:name:active — the agent's window is the current one, so attach lands on it
    const windows = root.tmux('list-windows', '-t', '=main', '-F', '#{window_index}:#{window_name}:#{window_active}').stdout.trim().split('\n');
    expect(windows).toEqual(['0:claude:1', '1:shell:0']);
    await waitUntil(() => existsSync(calls), 15_000, () => 'the agent was not started');
    expect(readFileSync(calls, 'utf8')).toBe('--model opus\n');
  });

  it('warns instead of failing when the chosen agent is not installed', async () => {
    const ep = root.start({ RGSD_AGENT: 'codex', RGSD_AGENT_AUTOSTART: 'true', PATH: `${root.bin}:/usr/bin:/bin` });
    await ep.waitFor('ready');
    expect(ep.output).toContain("agent 'codex' is not installed");
    expect(root.hasSession('main')).toBe(true);
  });
});
