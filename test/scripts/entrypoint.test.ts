// The entrypoint with real git and tmux against a local bare repository, in a temporary
// root with a private tmux server.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bareRepo, REPO, Root, waitUntil } from './harness.js';

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

  // git's system configuration of the image (docker/gitconfig: init.defaultBranch main).
  const imageGit = { GIT_CONFIG_NOSYSTEM: '0', GIT_CONFIG_SYSTEM: join(REPO, 'docker', 'gitconfig') };

  it('without a repository, makes an empty workspace a git repository on the image default branch, once', async () => {
    const first = root.start(imageGit);
    await first.waitFor('ready');
    expect(first.output).toMatch(/no repository configured and the workspace is empty: git init in .*workspace \(branch main\)/);
    expect(git('-C', root.workspace, 'symbolic-ref', 'HEAD')).toBe('refs/heads/main');
    expect(git('-C', root.workspace, 'rev-parse', '--show-toplevel')).toBe(root.workspace);
    await first.stop();

    // The user removed .git on purpose and keeps files: no second git init.
    rmSync(join(root.workspace, '.git'), { recursive: true });
    writeFileSync(join(root.workspace, 'notes.md'), 'mine\n');
    const second = root.start(imageGit);
    await second.waitFor('ready');
    expect(second.output).not.toContain('git init');
    expect(existsSync(join(root.workspace, '.git'))).toBe(false);
  });

  it('does not git init a workspace that has files, nor after a failed clone (the next boot clones)', async () => {
    mkdirSync(root.workspace, { recursive: true });
    writeFileSync(join(root.workspace, 'loose.txt'), 'x\n');
    const ep = root.start(imageGit);
    await ep.waitFor('ready');
    expect(ep.output).not.toContain('git init');
    expect(existsSync(join(root.workspace, '.git'))).toBe(false);
    await ep.stop();

    rmSync(join(root.workspace, 'loose.txt'));
    const failed = root.start({ ...imageGit, RGSD_REPO_URL: join(root.dir, 'does-not-exist.git') });
    await failed.waitFor('ready');
    expect(failed.output).toMatch(/warning: clone of .* failed/);
    expect(existsSync(join(root.workspace, '.git'))).toBe(false);
  });

  it('a repository configured later replaces the untouched empty repository of a boot without one, not a used one', async () => {
    root.secret('project.env', 'A=1\n');
    expect(root.run('init-home').status).toBe(0);
    const first = root.start(imageGit);
    await first.waitFor('ready');
    expect(existsSync(join(root.workspace, '.git'))).toBe(true);
    expect(readFileSync(join(root.workspace, '.env'), 'utf8')).toBe('A=1\n');
    await first.stop();

    const second = root.start({ ...imageGit, RGSD_REPO_URL: repo });
    await second.waitFor('ready');
    expect(second.output).toContain('replacing the empty repository of an earlier boot');
    expect(readFileSync(join(root.workspace, 'README.md'), 'utf8')).toBe('hello\n');
    expect(git('-C', root.workspace, 'remote', 'get-url', 'origin')).toBe(repo);
    expect(readFileSync(join(root.workspace, '.env'), 'utf8')).toBe('A=1\n');
  });

  it('keeps an init repository the user worked in when a repository is configured later', async () => {
    const first = root.start(imageGit);
    await first.waitFor('ready');
    await first.stop();
    writeFileSync(join(root.workspace, 'draft.md'), 'draft\n');
    const second = root.start({ ...imageGit, RGSD_REPO_URL: repo });
    await second.waitFor('ready');
    expect(second.output).toContain('already has a repository; not cloning');
    expect(readFileSync(join(root.workspace, 'draft.md'), 'utf8')).toBe('draft\n');
    expect(existsSync(join(root.workspace, 'README.md'))).toBe(false);
  });

  it('treats a failed clone as a warning and still gives a usable session', async () => {
    const ep = root.start({ RGSD_REPO_URL: join(root.dir, 'does-not-exist.git') });
    await ep.waitFor('ready');
    expect(ep.output).toMatch(/warning: clone of .* failed/);
    expect(ep.running).toBe(true);
    expect(root.hasSession('main')).toBe(true);
    // The shell in the session works: run a command in it and see its effect (it appends:
    // each run of a command typed again adds a line).
    const marker = join(root.workspace, 'typed.txt');
    await root.typeUntil('=main:0', `echo usable >> ${marker}`, () => existsSync(marker));
    expect(readFileSync(marker, 'utf8')).toMatch(/^(usable\n)+$/);
  });

  it('recreates the session after tmux kill-session', async () => {
    const ep = root.start({ RGSD_TMUX_SESSION: 'work' });
    await ep.waitFor('ready');
    expect(root.hasSession('work')).toBe(true);
    const created = root.tmux('display-message', '-p', '-t', '=work', '#{session_created}').stdout.trim();
    expect(root.tmux('kill-session', '-t', '=work').status).toBe(0);
    await ep.waitFor("session 'work' is gone; recreating it");
    await waitUntil(
      () => root.hasSession('work'),
      10_000,
      () => `session not recreated:\n${ep.output}`,
    );
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

  it('installs the staged project .env (0600, git-excluded); the shells of the session load the secrets, the tmux server does not hold them', async () => {
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
    expect(root.tmux('show-environment', '-g', 'GITHUB_TOKEN').stdout).not.toContain('ghp_from_secret');
    const seen = join(root.dir, 'token-seen');
    await root.typeUntil('=main:0', `printenv GITHUB_TOKEN > ${seen}.tmp; mv ${seen}.tmp ${seen}`, () => existsSync(seen));
    expect(readFileSync(seen, 'utf8')).toBe('ghp_from_secret\n');
    expect(ep.output).not.toContain('ghp_from_secret');
    expect(ep.output).toContain('gh: authenticated by GITHUB_TOKEN');
  });

  it('boots with a 200 KiB secret: it is skipped with a warning, the other secrets reach each shell and the agent, and no value is on a command line or in the tmux server', async () => {
    const tag = randomBytes(6).toString('hex');
    const token = `ghp_small_${tag}`;
    const other = `sk-other-${tag}`;
    const huge = `HUGE${tag}`.padEnd(200 * 1024, 'x');
    root.secret('GITHUB_TOKEN', token);
    root.secret('HUGE_VALUE', huge);
    root.secret('OTHER_KEY', other);
    expect(root.run('init-home').status).toBe(0);
    const agentSaw = join(root.dir, 'agent-saw');
    // bash via env: the agent could not even start with the huge value in its environment.
    root.fakeBin(
      'claude',
      `printf '%s\\n' "$GITHUB_TOKEN" "$OTHER_KEY" "\${HUGE_VALUE-unset}" > '${agentSaw}.tmp'; mv '${agentSaw}.tmp' '${agentSaw}'; exec sleep 600`,
    );
    const ep = root.start({ RGSD_AGENT: 'claude', RGSD_AGENT_AUTOSTART: 'true' });
    await ep.waitFor("agent 'claude' started in window 0");
    await ep.waitFor('ready');
    const secretsEnv = join(root.home, '.config/rgsd/secrets.env');
    // The log says it once, with the file that holds the value (and never the value).
    expect(ep.output).toContain(
      `warning: secret HUGE_VALUE is not exported: 204812 bytes is over the 131072 bytes one environment variable can hold. Its value is in ${secretsEnv}`,
    );
    for (const v of [token, other, `HUGE${tag}`]) expect(ep.output).not.toContain(v);

    await waitUntil(
      () => existsSync(agentSaw),
      15_000,
      () => `the agent did not start:\n${root.tmux('capture-pane', '-p', '-t', '=main:0').stdout}`,
    );
    expect(readFileSync(agentSaw, 'utf8')).toBe(`${token}\n${other}\nunset\n`);

    // The session's own shell (a login zsh tmux started without secrets) has them.
    const seen = join(root.dir, 'shell-saw');
    await root.typeUntil(
      '=main:1',
      `{ printenv GITHUB_TOKEN OTHER_KEY; printenv HUGE_VALUE; echo "exit $?"; } > ${seen}.tmp; mv ${seen}.tmp ${seen}`,
      () => existsSync(seen),
    );
    expect(readFileSync(seen, 'utf8')).toBe(`${token}\n${other}\nexit 1\n`);
    expect(root.tmux('capture-pane', '-p', '-J', '-S', '-50', '-t', '=main:1').stdout).toContain(
      'rgsd: warning: secret HUGE_VALUE is not exported',
    );

    // A new window: its shell loads them the same way (tmux's default command is a login zsh).
    root.tmux('new-window', '-d', '-t', '=main:5');
    const seen5 = join(root.dir, 'window5-saw');
    await root.typeUntil('=main:5', `printenv GITHUB_TOKEN OTHER_KEY > ${seen5}.tmp; mv ${seen5}.tmp ${seen5}`, () => existsSync(seen5));
    expect(readFileSync(seen5, 'utf8')).toBe(`${token}\n${other}\n`);

    // Nothing holds a value but the shells' own memory and the agent's environment: no command
    // line of any process, not the tmux server's environment (its own or its global one).
    const values = [token, other, `HUGE${tag}`];
    for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
      let cmdline = '';
      try {
        cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      } catch {
        continue; // gone
      }
      for (const v of values) expect(cmdline, `/proc/${pid}/cmdline`).not.toContain(v);
    }
    const server = root.tmux('display-message', '-p', '#{pid}').stdout.trim();
    expect(server).toMatch(/^\d+$/);
    const serverEnv = readFileSync(`/proc/${server}/environ`, 'utf8');
    const global = root.tmux('show-environment', '-g').stdout;
    const session = root.tmux('show-environment', '-t', '=main').stdout;
    for (const v of values) {
      expect(serverEnv).not.toContain(v);
      expect(global).not.toContain(v);
      expect(session).not.toContain(v);
    }
    expect(readFileSync(`/proc/${ep.child.pid}/environ`, 'utf8')).not.toContain(token);
  });

  it('logs that a broken secrets.env printed errors, never the error text (it may quote a value)', async () => {
    root.secret('GITHUB_TOKEN', 'ghp_tok');
    expect(root.run('init-home').status).toBe(0);
    writeFileSync(join(root.home, '.config/rgsd/secrets.env'), "export GITHUB_TOKEN='ghp_tok'\nexport BAD-NAME='leak_me'\n", {
      mode: 0o600,
    });
    const ep = root.start();
    await ep.waitFor('ready');
    expect(ep.output).toMatch(/warning: loading .*secrets\.env printed \d+ error line\(s\), not shown/);
    expect(ep.output).not.toContain('leak_me');
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
    const ep = root.start({ RGSD_AGENT: 'claude', RGSD_AGENT_AUTOSTART: 'true', RGSD_AGENT_ARGS: '["--model","opus"]' });
    await ep.waitFor("agent 'claude' started in window 0 with 2 argument(s)");
    // index:name:active — the agent's window is the current one, so attach lands on it
    const windows = root
      .tmux('list-windows', '-t', '=main', '-F', '#{window_index}:#{window_name}:#{window_active}')
      .stdout.trim()
      .split('\n');
    expect(windows).toEqual(['0:claude:1', '1:shell:0']);
    await waitUntil(
      () => existsSync(calls),
      15_000,
      () => 'the agent was not started',
    );
    expect(readFileSync(calls, 'utf8')).toBe('--model opus\n');
  });

  it('passes each agent argument as one word, never evaluated by a shell', async () => {
    const argv = join(root.dir, 'agent-argv');
    const pwned = join(root.dir, 'pwned');
    root.fakeBin('claude', `printf '%s\\0' "$@" > '${argv}.tmp'; mv '${argv}.tmp' '${argv}'; exec sleep 600`);
    const words = [
      '--model',
      'opus',
      `$(touch ${pwned}1)`,
      `; touch ${pwned}2`,
      `\`touch ${pwned}3\``,
      `| touch ${pwned}4`,
      `&& touch ${pwned}5`,
      `' ; touch ${pwned}6 ; '`,
      'two words',
      '"double"',
      '*',
      '~',
      '=ls',
      '$HOME',
      '${HOME}',
      '!!',
      '\\',
      '',
      'line\nbreak',
      '-l',
      '--',
      '#',
      'é ✓',
    ];
    const ep = root.start({ RGSD_AGENT: 'claude', RGSD_AGENT_AUTOSTART: 'true', RGSD_AGENT_ARGS: JSON.stringify(words) });
    await ep.waitFor(`agent 'claude' started in window 0 with ${words.length} argument(s)`);
    await waitUntil(
      () => existsSync(argv),
      15_000,
      () => `the agent was not started:\n${root.tmux('capture-pane', '-p', '-t', '=main:0').stdout}`,
    );
    expect(readFileSync(argv, 'utf8').split('\0').slice(0, -1)).toEqual(words);
    for (let i = 1; i <= 6; i++) expect(existsSync(`${pwned}${i}`), `${pwned}${i}`).toBe(false);
  });

  it('does not start the agent when RGSD_AGENT_ARGS is not a JSON array of strings', async () => {
    const calls = join(root.dir, 'agent-calls');
    root.fakeBin('claude', `printf '%s\\n' "$*" >> '${calls}'; exec sleep 600`);
    for (const args of ['--model opus', '["--model", 1]', '{"a":"b"}']) {
      const ep = root.start({ RGSD_AGENT: 'claude', RGSD_AGENT_AUTOSTART: 'true', RGSD_AGENT_ARGS: args });
      await ep.waitFor('ready');
      expect(ep.output).toContain("warning: RGSD_AGENT_ARGS is not a JSON array of strings (the chart's agent.args list");
      expect(ep.output).toContain("agent 'claude' not started");
      expect(root.tmux('list-windows', '-t', '=main', '-F', '#{window_name}').stdout.trim()).toBe('shell');
      await ep.stop();
    }
    expect(existsSync(calls)).toBe(false);
  });

  it('warns instead of failing when the chosen agent is not installed', async () => {
    const ep = root.start({ RGSD_AGENT: 'codex', RGSD_AGENT_AUTOSTART: 'true', PATH: `${root.bin}:/usr/bin:/bin` });
    await ep.waitFor('ready');
    expect(ep.output).toContain("agent 'codex' is not installed");
    expect(root.hasSession('main')).toBe(true);
  });
});
