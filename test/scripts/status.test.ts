// status --json and vscode-tunnel against a private tmux server; the tunnel with and without
// a (fake) VS Code CLI.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Root, waitUntil } from './harness.js';

let root: Root;
// Leave the real `code` (if any) out of reach: only the root's bin/ and the system dirs.
const noCode = (r: Root): Record<string, string> => ({ PATH: `${r.bin}:/usr/local/bin:/usr/bin:/bin`, RGSD_CODE_BIN: join(r.bin, 'code') });
beforeEach(() => {
  root = new Root();
});
afterEach(() => root.cleanup());

function statusJson(extra: Record<string, string> = {}): { sessions: Record<string, unknown>[]; tunnel: Record<string, unknown> } {
  const r = root.run('status', ['--json'], { ...noCode(root), ...extra });
  expect(r.status, r.stderr).toBe(0);
  const lines = r.stdout.trim().split('\n');
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0] ?? '');
}

describe('status --json', () => {
  it('reports no sessions when no tmux server runs', () => {
    // sessions and tunnel as in schema 1 (older CLIs read them); the rest in agent-state.test.ts.
    expect(statusJson({ RGSD_VSCODE_TUNNEL_NAME: 'proj' })).toMatchObject({
      schemaVersion: 2,
      sessions: [],
      tunnel: { state: 'not-installed', name: 'proj', url: null },
    });
  });

  it('lists every session with windows, attached clients and an ISO creation time', () => {
    expect(root.tmux('new-session', '-d', '-s', 'main').status).toBe(0);
    expect(root.tmux('new-window', '-d', '-t', '=main').status).toBe(0);
    expect(root.tmux('new-session', '-d', '-s', 'other').status).toBe(0);
    const before = Date.now();
    const s = statusJson();
    const byName = Object.fromEntries(s.sessions.map((x) => [x.name, x]));
    expect(Object.keys(byName).sort()).toEqual(['main', 'other']);
    expect(byName.main).toMatchObject({ name: 'main', windows: 2, attached: 0 });
    expect(byName.other).toMatchObject({ name: 'other', windows: 1, attached: 0 });
    const created = Date.parse(String(byName.main?.created));
    expect(byName.main?.created).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(Math.abs(before - created)).toBeLessThan(60_000);
  });

  it('--brief: only the sessions and the warnings (what rgsd up reports); only with --json', () => {
    expect(root.tmux('new-session', '-d', '-s', 'main').status).toBe(0);
    const r = root.run('status', ['--json', '--brief'], noCode(root));
    expect(r.status, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(Object.keys(doc).sort()).toEqual(['brief', 'project', 'schemaVersion', 'sessions', 'time', 'warnings']);
    expect(doc).toMatchObject({ schemaVersion: 2, brief: true, sessions: [{ name: 'main', windows: 1 }], warnings: [] });
    const human = root.run('status', ['--brief'], noCode(root));
    expect(human.status).not.toBe(0);
    expect(human.stderr).toContain('--brief goes with --json');
  });

  it('rejects an unknown flag with a usage line', () => {
    const r = root.run('status', ['--yaml'], noCode(root));
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('usage: status [--json]');
  });
});

describe('vscode-tunnel', () => {
  it('reports not-installed without the code CLI, and start fails with a hint', () => {
    const st = root.run('vscode-tunnel', ['status', '--json'], { ...noCode(root), RGSD_VSCODE_TUNNEL_NAME: 'proj' });
    expect(st.status).toBe(0);
    expect(JSON.parse(st.stdout)).toEqual({ state: 'not-installed', name: 'proj', url: null });
    const human = root.run('vscode-tunnel', ['status'], noCode(root));
    expect(human.stdout).toContain('not-installed');
    expect(human.stdout).toContain('WITH_VSCODE_CLI');
    const start = root.run('vscode-tunnel', ['start'], noCode(root));
    expect(start.status).not.toBe(0);
    expect(start.stderr).toMatch(/VS Code CLI .* is not installed/);
  });

  it('starts the tunnel in a tmux window, reports login, URL and stop', async () => {
    const args = join(root.dir, 'code-args');
    // A stand-in for `code tunnel`: asks for a device login, then prints its URL.
    root.fakeBin(
      'code',
      `printf '%s\\n' "$*" > '${args}'
echo '[login] To grant access to the server, please log into https://github.com/login/device and use code ABCD-1234'
while [ ! -e '${root.dir}/logged-in' ]; do sleep 0.1; done
echo "Open this link in your browser https://vscode.dev/tunnel/$4/home/gsd"
exec sleep 600`,
    );
    const env = { ...noCode(root), RGSD_VSCODE_TUNNEL_NAME: 'my-tunnel' };
    expect(root.run('vscode-tunnel', ['status', '--json'], env).stdout).toContain('"state":"stopped"');
    const noSession = root.run('vscode-tunnel', ['start'], env);
    expect(noSession.status).not.toBe(0);
    expect(noSession.stderr).toContain("tmux session 'main' is not running");

    expect(root.tmux('new-session', '-d', '-s', 'main').status).toBe(0);
    expect(root.run('vscode-tunnel', ['start'], env).status).toBe(0);
    const state = (): Record<string, unknown> => JSON.parse(root.run('vscode-tunnel', ['status', '--json'], env).stdout);
    await waitUntil(
      () => state().state === 'needs-login',
      10_000,
      () => JSON.stringify(state()),
    );
    expect(state()).toEqual({ state: 'needs-login', name: 'my-tunnel', url: 'https://github.com/login/device' });
    expect(root.run('vscode-tunnel', ['status'], env).stdout).toContain('ABCD-1234');
    // status --json says so among its warnings (a state, not a boot warning: it goes away).
    expect((statusJson(env) as unknown as { warnings: { code: string }[] }).warnings.map((w) => w.code)).toEqual(['tunnel-needs-login']);

    writeFileSync(join(root.dir, 'logged-in'), '');
    await waitUntil(
      () => state().state === 'running',
      10_000,
      () => JSON.stringify(state()),
    );
    expect(state().url).toBe('https://vscode.dev/tunnel/my-tunnel/home/gsd');
    expect(existsSync(args)).toBe(true);
    expect(statusJson(env).tunnel).toEqual({ state: 'running', name: 'my-tunnel', url: 'https://vscode.dev/tunnel/my-tunnel/home/gsd' });

    // Starting twice does not open a second window.
    expect(root.run('vscode-tunnel', ['start'], env).stdout).toContain('already running');
    const windows = root.tmux('list-windows', '-t', '=main', '-F', '#{window_name}').stdout.trim().split('\n');
    expect(windows.filter((w) => w === 'vscode-tunnel')).toHaveLength(1);

    expect(root.run('vscode-tunnel', ['stop'], env).status).toBe(0);
    expect(state()).toEqual({ state: 'stopped', name: 'my-tunnel', url: null });
  });
});
