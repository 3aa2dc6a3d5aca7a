// /opt/rgsd/attach against a private tmux server: it runs in a pane of a second, outer tmux
// server (its own socket), as `kubectl exec -it` would run it on a pseudo-terminal, and the
// tests look at the client it attached (session, terminal type, size) or at the shell it became.
import { mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Root, script, waitUntil } from './harness.js';

let root: Root;
let outerSock: string;
beforeEach(() => {
  root = new Root({ RGSD_TMUX_SESSION: 'main' });
  mkdirSync(root.workspace, { recursive: true });
  outerSock = join(root.dir, 'outer.sock');
});
afterEach(async () => {
  spawnSync('tmux', ['-S', outerSock, 'kill-server'], { stdio: 'ignore' });
  await root.cleanup();
});

function outer(...args: string[]): string {
  const r = spawnSync('tmux', ['-S', outerSock, ...args], { env: root.env(), encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`outer tmux ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** Runs attach in a 120x40 terminal (the outer pane); TMUX unset as in the pod. */
function attachInTerminal(args: string[], extra: Record<string, string> = {}): void {
  const env = Object.entries({ ...extra }).flatMap(([k, v]) => [`${k}=${v}`]);
  outer(
    '-f',
    '/dev/null',
    'new-session',
    '-d',
    '-x',
    '120',
    '-y',
    '40',
    '-s',
    'outer',
    'env',
    '-u',
    'TMUX',
    '-u',
    'TMUX_PANE',
    ...env,
    script('attach'),
    ...args,
    ';',
    'set',
    'remain-on-exit',
    'on',
  );
}

/** The one client of the inner server: session, terminal type, size. */
async function client(): Promise<{ session: string; term: string; size: string }> {
  let line = '';
  await waitUntil(
    () => {
      line = root.tmux('list-clients', '-F', '#{client_session} #{client_termname} #{client_width}x#{client_height}').stdout.trim();
      return line !== '';
    },
    60_000,
    () => `no client attached; the terminal shows:\n${outer('capture-pane', '-p', '-t', 'outer')}`,
  );
  const [session = '', term = '', size = ''] = line.split(' ');
  return { session, term, size };
}

function newSession(name: string): void {
  expect(root.tmux('new-session', '-d', '-s', name).status).toBe(0);
}

describe('attach picks the session inside the pod', () => {
  it('a named session, with the terminal type from --term and the terminal size', async () => {
    newSession('main');
    newSession('review');
    attachInTerminal(['--session', 'review', '--term', 'xterm-256color']);
    expect(await client()).toEqual({ session: 'review', term: 'xterm-256color', size: '120x40' });
  });

  it('none named: the configured session ($RGSD_TMUX_SESSION) among several', async () => {
    newSession('other');
    newSession('work');
    newSession('zzz');
    attachInTerminal(['--term', 'xterm'], { RGSD_TMUX_SESSION: 'work' });
    expect(await client()).toMatchObject({ session: 'work', term: 'xterm' });
  });

  it('none named, the configured one not running: the only session', async () => {
    newSession('solo');
    attachInTerminal(['--term', 'xterm-256color']);
    expect(await client()).toMatchObject({ session: 'solo' });
  });

  it("several, none configured: tmux's own chooser over them", async () => {
    newSession('a');
    newSession('b');
    attachInTerminal(['--term', 'xterm-256color']);
    await client();
    await waitUntil(
      () => root.tmux('display-message', '-p', '-c', clientTty(), '#{pane_mode}').stdout.trim() === 'tree-mode',
      60_000,
      () => `no chooser:\n${outer('capture-pane', '-p', '-t', 'outer')}`,
    );
  });

  it('a terminal type the pod has no terminfo for becomes xterm-256color (tmux would refuse it)', async () => {
    newSession('main');
    attachInTerminal(['--term', 'no-such-terminal-rgsd']);
    expect(await client()).toMatchObject({ session: 'main', term: 'xterm-256color' });
    expect(await outerScreenUntil(/no terminfo entry/)).toBe(true);
  });

  it('--new NAME creates the session in the workspace directory (and attaches to it)', async () => {
    newSession('main');
    attachInTerminal(['--new', 'scratch', '--term', 'xterm-256color']);
    expect(await client()).toMatchObject({ session: 'scratch' });
    const cwd = () => root.tmux('list-panes', '-t', '=scratch', '-F', '#{pane_current_path}').stdout.trim();
    await waitUntil(
      () => cwd() === realpathSync(root.workspace),
      60_000,
      () => `the new session is in "${cwd()}"`,
    );
  });

  it('--iterm: a control-mode client (tmux -CC) on the configured session', async () => {
    newSession('main');
    attachInTerminal(['--iterm', '--term', 'xterm-256color']);
    expect(await client()).toMatchObject({ session: 'main' });
    expect(root.tmux('list-clients', '-F', '#{client_control_mode}').stdout.trim()).toBe('1');
  });

  it('--size: a terminal that starts at 0x0 (as kubectl exec may hand it over) gets the client size', async () => {
    newSession('main');
    // util-linux `script` without a terminal of its own makes a 0x0 pseudo-terminal
    const child = spawn('script', ['-qfec', `${script('attach')} --session main --term xterm-256color --size 100x30`, '/dev/null'], {
      env: root.env(),
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    try {
      expect(await client()).toEqual({ session: 'main', term: 'xterm-256color', size: '100x30' });
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('--new NAME of a running session attaches to it', async () => {
    newSession('scratch');
    attachInTerminal(['--new', 'scratch', '--term', 'xterm-256color']);
    expect(await client()).toMatchObject({ session: 'scratch' });
    expect(root.tmux('list-sessions', '-F', '#{session_name}').stdout.trim()).toBe('scratch');
  });

  it('no session at all: a login shell in the workspace, saying how to start one', async () => {
    attachInTerminal(['--term', 'xterm-256color'], { RGSD_PROJECT: 'demo' });
    expect(await outerScreenUntil(/no tmux session is running; opening a login shell in/)).toBe(true);
    expect(await outerScreenUntil(/rgsd connect demo --new main/)).toBe(true);
    await waitUntil(
      () => outer('display-message', '-p', '-t', 'outer', '#{pane_current_path}').trim() === realpathSync(root.workspace),
      60_000,
      () => `the shell is not in the workspace: ${outer('display-message', '-p', '-t', 'outer', '#{pane_current_path}')}`,
    );
    expect(outer('display-message', '-p', '-t', 'outer', '#{pane_current_command}').trim()).toMatch(/zsh|bash/);
  });
});

describe('attach refuses with exit codes of its own', () => {
  it('81: the named session does not run, the running ones listed', () => {
    newSession('main');
    newSession('review');
    const r = root.run('attach', ['--session', 'nope']);
    expect(r.status).toBe(81);
    expect(r.stderr.trim()).toBe('rgsd attach: no tmux session "nope" (sessions: main, review)');
  });

  it('81 with no server at all: "sessions: none"', () => {
    const r = root.run('attach', ['--session', 'nope']);
    expect(r.status).toBe(81);
    expect(r.stderr).toContain('(sessions: none)');
  });

  it('82: the pod is shutting down ($RGSD_RUN_DIR/terminating), before anything attaches', () => {
    newSession('main');
    const run = join(root.dir, 'run');
    mkdirSync(run);
    writeFileSync(join(run, 'terminating'), '');
    const r = root.run('attach', ['--session', 'main'], { RGSD_RUN_DIR: run });
    expect(r.status).toBe(82);
    expect(r.stderr.trim()).toBe('rgsd attach: this pod is shutting down');
    // the default place: $RGSD_HOME/.rgsd/run
    mkdirSync(join(root.home, '.rgsd', 'run'), { recursive: true });
    writeFileSync(join(root.home, '.rgsd', 'run', 'terminating'), '');
    expect(root.run('attach', []).status).toBe(82);
  });

  it('80: usage errors (unknown option, missing value, both --session and --new, bad names)', () => {
    for (const args of [
      ['--bogus'],
      ['--session'],
      ['--session', 'a', '--new', 'b'],
      ['--new', 'a:b'],
      ['--session', 'x.y'],
      ['--size', 'big'],
    ]) {
      const r = root.run('attach', args);
      expect(r.status, args.join(' ')).toBe(80);
      expect(r.stderr, args.join(' ')).toMatch(/^rgsd attach: .+\nrgsd attach: usage: attach /);
    }
  });

  it("the login shell's status passes on, except one that would pass for attach's own codes (80-83, 126, 127 → 1)", () => {
    const sh = root.fakeBin('fakesh', 'test "$1" = -l || exit 99; pwd > "$FAKE_PWD"; exit "$FAKE_RC"');
    const pwdFile = join(root.dir, 'pwd');
    for (const [rc, want] of [
      [0, 0],
      [5, 5],
      [82, 1],
      [81, 1],
      [127, 1],
      [1, 1],
    ] as const) {
      const r = root.run('attach', [], { RGSD_LOGIN_SHELL: sh, FAKE_RC: String(rc), FAKE_PWD: pwdFile });
      expect(r.status, `shell exit ${rc}`).toBe(want);
    }
    expect(readFileSync(pwdFile, 'utf8').trim()).toBe(realpathSync(root.workspace));
  });

  it('83: tmux does not answer (an error other than "no server")', () => {
    root.fakeBin('tmux', 'echo "server exited unexpectedly" >&2; exit 1');
    const r = root.run('attach', []);
    expect(r.status).toBe(83);
    expect(r.stderr.trim()).toBe('rgsd attach: tmux does not answer: server exited unexpectedly');
  });
});

function clientTty(): string {
  return root.tmux('list-clients', '-F', '#{client_tty}').stdout.trim();
}

/** Everything the outer terminal shows or showed: the screen tmux saved when it took over
 * (alternate screen), the scrollback and the visible screen. */
function transcript(): string {
  const saved = spawnSync('tmux', ['-S', outerSock, 'capture-pane', '-p', '-J', '-a', '-q', '-t', 'outer'], { encoding: 'utf8' }).stdout;
  return `${saved}\n${outer('capture-pane', '-p', '-J', '-S', '-', '-t', 'outer')}`;
}

/** Waits until the outer terminal shows (or showed) text matching re. */
async function outerScreenUntil(re: RegExp): Promise<boolean> {
  await waitUntil(
    () => re.test(transcript()),
    60_000,
    () => `the terminal never showed ${String(re)}:\n${transcript()}`,
  );
  return true;
}
