// /opt/rgsd/transcript with a private tmux server: every pane piped into a private screen log
// (0600 in a 0700 directory), rendered without escape codes, --raw, --since through the time
// index, rotation, an agent's own session log (Claude Code, Codex) rendered as text, a task's
// log, --follow picking up new output, and an unknown target.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Root, script, waitUntil } from './harness.js';

let root: Root;
beforeEach(() => {
  root = new Root();
});
afterEach(() => root.cleanup());

const logDir = () => join(root.home, '.rgsd', 'transcripts');
const show = (...args: string[]) => root.run('transcript', ['show', ...args]);

/** A session main (window 0) with screen logs on, and a command typed into window 0 that has run. */
async function sessionWith(command: string, marker: string): Promise<void> {
  expect(root.tmux('-f', '/dev/null', 'new-session', '-d', '-s', 'main', '-x', '150', '-y', '40').status).toBe(0);
  expect(root.run('transcript', ['enable']).status).toBe(0);
  await root.typeUntil('main:0', command, () => show('main:0').stdout.includes(marker));
}

function paneRecord(pane: string, rec: Record<string, unknown>): void {
  const dir = join(root.home, '.rgsd', 'run', 'panes');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${pane.slice(1)}.json`), JSON.stringify({ pane, ...rec }));
}

describe('screen logs', () => {
  it('enable pipes every pane (and new windows) into a private log; show strips escape codes, --raw keeps them', async () => {
    await sessionWith(`printf '\\033[31mred-%s\\033[0m\\n' marker1`, 'red-marker1');
    const r = show('main:0');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('red-marker1');
    expect(r.stdout).not.toContain('\x1b[31m');
    expect(r.stderr).toMatch(/screen log .*\/\.rgsd\/transcripts\/\d+\.log/);
    expect(show('main:0', '--raw').stdout).toContain('\x1b[31mred-marker1');
    expect(statSync(logDir()).mode & 0o777).toBe(0o700);
    const pane = root.tmux('display-message', '-p', '-t', 'main:0', '#{pane_id}').stdout.trim();
    expect(statSync(join(logDir(), `${pane.slice(1)}.log`)).mode & 0o777).toBe(0o600);

    // a window opened afterwards is piped by the global hook
    expect(root.tmux('new-window', '-d', '-t', 'main', '-n', 'later').status).toBe(0);
    await root.typeUntil('main:1', 'echo later-marker', () => show('main:1').stdout.includes('later-marker'));
    expect(root.tmux('list-panes', '-a', '-F', '#{pane_pipe}').stdout.trim().split('\n')).toEqual(['1', '1']);
    // a second enable changes nothing (no second pipe)
    expect(root.run('transcript', ['enable']).status).toBe(0);
  });

  it('--since starts at the first output newer than that (time index); older output is left out', async () => {
    await sessionWith('echo recent-marker', 'recent-marker');
    const pane = root.tmux('display-message', '-p', '-t', 'main:0', '#{pane_id}').stdout.trim();
    const n = pane.slice(1);
    // pretend everything so far happened two hours ago, then write something now
    const old = Math.floor(Date.now() / 1000) - 7200;
    writeFileSync(join(logDir(), `${n}.idx`), `0 ${old}\n`);
    // a fresh recorder (pipe off, then on again) indexes its next output with the time now
    expect(root.tmux('pipe-pane', '-t', 'main:0').status).toBe(0);
    expect(root.run('transcript', ['enable']).status).toBe(0);
    await root.typeUntil('main:0', 'echo newer-marker', () => show('main:0').stdout.includes('newer-marker'));
    const since = show('main:0', '--since', '600');
    expect(since.stdout).toContain('newer-marker');
    expect(since.stdout).not.toContain('recent-marker');
  });

  it('rotates at RGSD_TRANSCRIPT_MAX_BYTES, keeping one older file', async () => {
    const dir = join(root.dir, 'rot');
    const chunk = 'x'.repeat(600);
    const child = spawn(script('transcript'), ['record', '%7'], {
      env: root.env({ RGSD_TRANSCRIPT_DIR: dir, RGSD_TRANSCRIPT_MAX_BYTES: '1000' }),
      stdio: ['pipe', 'ignore', 'inherit'],
    });
    const exited = new Promise((res) => child.on('exit', res));
    const size = (f: string) => (existsSync(join(dir, f)) ? statSync(join(dir, f)).size : 0);
    child.stdin.write(chunk);
    await waitUntil(
      () => size('7.log') === 600,
      60_000,
      () => 'the first chunk was not recorded',
    );
    child.stdin.end(chunk);
    await exited;
    expect(size('7.log')).toBe(600);
    expect(size('7.log.1')).toBe(600);
  });
});

describe('agent session logs', () => {
  it("Claude Code's transcript (named by its hooks in the pane record) as text: prompt, answer, tool call, result", async () => {
    await sessionWith('echo claude-pane', 'claude-pane');
    const pane = root.tmux('display-message', '-p', '-t', 'main:0', '#{pane_id}').stdout.trim();
    const file = join(root.home, '.claude', 'projects', '-w', 's1.jsonl');
    mkdirSync(join(file, '..'), { recursive: true });
    const recs = [
      { type: 'user', timestamp: '2026-12-03T06:00:00Z', message: { role: 'user', content: 'fix the login bug' } },
      {
        type: 'assistant',
        timestamp: '2026-12-03T06:00:05Z',
        message: {
          role: 'assistant',
          content: [
            { type: 'text', text: 'Looking at the login code.' },
            { type: 'tool_use', name: 'Read', input: { file_path: 'src/login.ts' } },
          ],
        },
      },
      {
        type: 'user',
        timestamp: '2026-12-03T06:00:06Z',
        message: { role: 'user', content: [{ type: 'tool_result', content: 'export function login() {}' }] },
      },
      { type: 'summary', summary: 'not a message' },
    ];
    writeFileSync(file, `${recs.map((r) => JSON.stringify(r)).join('\n')}\n`);
    paneRecord(pane, { agent: 'claude', state: 'working', transcriptPath: file });
    const r = show();
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('Claude Code session log');
    expect(r.stdout).toBe(
      [
        '[06:00:00] > fix the login bug',
        '[06:00:05] ● Looking at the login code.',
        '[06:00:05] ⏺ Read({"file_path":"src/login.ts"})',
        '  ⎿ export function login() {}',
        '',
      ].join('\n'),
    );
    expect(show('--raw').stdout.trim().split('\n')).toHaveLength(4);
  });

  it('a Codex pane: the newest session log of its working directory under ~/.codex/sessions', async () => {
    await sessionWith('echo codex-pane', 'codex-pane');
    const pane = root.tmux('display-message', '-p', '-t', 'main:0', '#{pane_id}').stdout.trim();
    const dir = join(root.home, '.codex', 'sessions', '2026', '12', '03');
    mkdirSync(dir, { recursive: true });
    const recs = [
      { timestamp: '2026-12-03T06:10:00Z', type: 'session_meta', payload: { cwd: '/w' } },
      { timestamp: '2026-12-03T06:10:01Z', type: 'event_msg', payload: { type: 'user_message', message: 'add tests' } },
      {
        timestamp: '2026-12-03T06:10:02Z',
        type: 'response_item',
        payload: { type: 'function_call', name: 'shell', arguments: '{"command":["ls"]}' },
      },
      { timestamp: '2026-12-03T06:10:03Z', type: 'response_item', payload: { type: 'function_call_output', output: 'a.ts\nb.ts' } },
      { timestamp: '2026-12-03T06:10:04Z', type: 'event_msg', payload: { type: 'agent_message', message: 'Done.' } },
    ];
    writeFileSync(join(dir, 'rollout-1.jsonl'), `${recs.map((r) => JSON.stringify(r)).join('\n')}\n`);
    paneRecord(pane, { agent: 'codex', state: 'waiting', cwd: '/w' });
    const r = show('main:0');
    expect(r.stderr).toContain('Codex session log');
    expect(r.stdout).toBe(
      ['[06:10:01] > add tests', '[06:10:02] ⏺ shell({"command":["ls"]})', '  ⎿ a.ts', '    b.ts', '[06:10:04] ● Done.', ''].join('\n'),
    );
  });

  it('a task: its own log; an unknown target: exit 3 with a hint; --follow prints what comes later', async () => {
    const tasks = join(root.home, '.rgsd', 'tasks');
    mkdirSync(tasks, { recursive: true });
    writeFileSync(join(tasks, 't1.json'), JSON.stringify({ id: 't1', agent: 'claude', log: join(tasks, 't1.log') }));
    writeFileSync(join(tasks, 't1.log'), 'task output line\n');
    expect(show('t1').stdout).toBe('task output line\n');
    const missing = show('nosuch');
    expect(missing.status).toBe(3);
    expect(missing.stderr).toMatch(/no pane, window or task "nosuch"/);

    const follow = spawn(script('transcript'), ['show', 't1', '--follow'], { env: root.env(), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    follow.stdout.on('data', (d: Buffer) => (out += d.toString()));
    try {
      await waitUntil(
        () => out.includes('task output line'),
        60_000,
        () => `no first output: ${out}`,
      );
      writeFileSync(join(tasks, 't1.log'), 'task output line\nlater line\n');
      await waitUntil(
        () => out.includes('later line'),
        60_000,
        () => `--follow did not print the new line: ${out}`,
      );
    } finally {
      follow.kill('SIGTERM');
    }
  });
});
