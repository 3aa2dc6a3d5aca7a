// /opt/rgsd/task against a private tmux server, real git and the fake agent's headless mode
// (test/fixtures/fake-agent/headless.mjs): start → window, record, log, final state; refusals;
// the time limit; stop; worktrees; recover; a closed task window. Also the real agents'
// --help (when installed on this machine) for every flag the presets rely on.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REPO, Root, script, waitUntil } from './harness.js';

// the fake agent dispatches -p (claude), exec (codex) and headless (gsd) to headless.mjs
const FAKE_AGENT = join(REPO, 'test', 'fixtures', 'fake-agent', 'fake-agent.mjs');
const FINAL = ['succeeded', 'failed', 'refused', 'timed-out', 'stopped', 'lost'];

interface TaskRecord {
  id: string;
  name: string;
  agent: string;
  preset: string;
  command: string[];
  notes: string[];
  window: { session: string; name: string; index: number | null; id: string | null };
  pane: string | null;
  worktree: { branch: string; path: string; created: boolean } | null;
  cwd: string;
  started: string;
  finished: string | null;
  exitCode: number | null;
  state: string;
  refusals: { tool: string; detail: string | null }[];
  limits: { maxTurns: number | null; maxBudgetUsd: number | null; timeoutSeconds: number };
  log: string;
  runnerPid: number | null;
  agentPid: number | null;
}

let root: Root;
let argvLog: string;

beforeEach(() => {
  // the tmux server's environment is what a task window gets (as in the pod)
  root = new Root({ RGSD_TASK_KILL_GRACE: '2' });
  argvLog = join(root.dir, 'argv.jsonl');
  mkdirSync(root.workspace, { recursive: true });
  for (const flavor of ['claude', 'codex', 'gsd']) {
    root.fakeBin(flavor, `export FAKE_AGENT_ARGV_LOG=${argvLog} FAKE_AGENT_FLAVOR=${flavor}\nexec node ${FAKE_AGENT} "$@"`);
  }
  expect(root.tmux('new-session', '-d', '-s', 'main', '-c', root.home).status).toBe(0);
});
afterEach(() => root.cleanup());

function task(args: string[], input = '', env: Record<string, string> = {}) {
  const r = spawnSync(script('task'), args, { env: root.env(env), input, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function start(text: string, flags: string[] = []): TaskRecord {
  const r = task(['start', '--agent', 'claude', '--preset', 'edit', ...flags, '--json'], text);
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as TaskRecord;
}

function show(id: string): TaskRecord {
  const r = task(['show', id, '--json']);
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as TaskRecord;
}

async function finished(id: string, timeoutMs = 30_000): Promise<TaskRecord> {
  let rec = show(id);
  await waitUntil(
    () => {
      rec = show(id);
      return FINAL.includes(rec.state);
    },
    timeoutMs,
    () => `task ${id} did not end: ${JSON.stringify(rec)}`,
  );
  return rec;
}

function windows(): string[] {
  return root.tmux('list-windows', '-t', '=main', '-F', '#{window_name}').stdout.trim().split('\n');
}

function workspaceRepo(): void {
  const git = (...args: string[]) => {
    const r = spawnSync('git', args, { cwd: root.workspace, env: root.env(), encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
  };
  git('init', '-q', '-b', 'main');
  writeFileSync(join(root.workspace, 'README.md'), 'hello\n');
  git('add', 'README.md');
  git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '-m', 'init');
}

describe('task start', () => {
  it('opens a window named after the task, writes the record and the log, and records the exit code', async () => {
    const rec = start('Fix the flaky login test\nWRITE notes.txt fixed\nall done', ['--max-turns', '7']);
    expect(rec).toMatchObject({ agent: 'claude', preset: 'edit', window: { session: 'main', name: 't:fix-the-flaky-login-test' } });
    // start returns once the runner has taken over (this short task may already be done)
    expect(['running', 'succeeded']).toContain(rec.state);
    expect(rec.id).toMatch(/^t\d{8}-\d{6}-[0-9a-f]{4}$/);
    expect(rec.pane).toMatch(/^%\d+$/);
    expect(rec.command).toEqual([
      'claude',
      '-p',
      '--output-format',
      'stream-json',
      '--verbose',
      '--max-turns',
      '7',
      '--max-budget-usd',
      '5',
      '--permission-mode',
      'acceptEdits',
      '--permission-prompts',
      'none',
    ]);
    const done = await finished(rec.id);
    expect(done).toMatchObject({ state: 'succeeded', exitCode: 0, refusals: [] });
    expect(readFileSync(join(root.workspace, 'notes.txt'), 'utf8')).toBe('fixed\n');
    expect(readFileSync(done.log, 'utf8')).toContain('"text":"all done"');
    const dir = join(root.home, '.rgsd', 'tasks');
    for (const ext of ['task', 'json', 'log']) expect(statSync(join(dir, `${rec.id}.${ext}`)).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, `${rec.id}.task`), 'utf8')).toContain('Fix the flaky login test');
    // the task went to the agent's stdin, never its argv
    const call = JSON.parse(readFileSync(argvLog, 'utf8').trim().split('\n')[0] ?? '{}') as { argv: string[]; stdin: string };
    expect(call.argv).toEqual(rec.command.slice(1));
    expect(call.stdin).toContain('Fix the flaky login test');
    expect(call.argv.join(' ')).not.toContain('flaky');
  });

  it('shows the window while it runs and writes a pane record with the task id', async () => {
    const rec = start('SLEEP 30');
    expect(windows()).toContain('t:sleep-30');
    const pane = JSON.parse(readFileSync(join(root.home, '.rgsd', 'run', 'panes', `${rec.pane?.slice(1)}.json`), 'utf8'));
    expect(pane).toMatchObject({ pane: rec.pane, agent: 'claude', state: 'working', source: 'process', task: rec.id });
    expect(task(['stop', rec.id]).status).toBe(0);
  });

  it('a non-zero exit is failed with the agent code; `wait` exits with it', async () => {
    const rec = start('EXIT 3');
    const w = task(['wait', rec.id, '--json']);
    expect(w.status).toBe(3);
    expect(JSON.parse(w.stdout)).toMatchObject({ state: 'failed', exitCode: 3 });
  });

  it('refusals reported by the agent make it "refused" (exit 10) even though the agent exited 0', async () => {
    const rec = start('REFUSE Bash npm test\nok');
    const w = task(['wait', rec.id]);
    expect(w.status).toBe(10);
    expect(show(rec.id)).toMatchObject({ state: 'refused', exitCode: 0, refusals: [{ tool: 'Bash', detail: 'npm test' }] });
  });

  it('read-only: writes are refused; full: nothing is', async () => {
    const ro = start('WRITE ro.txt x', ['--preset', 'read-only']);
    expect(ro.command).toContain('dontAsk');
    expect((await finished(ro.id)).refusals.map((r) => r.tool)).toEqual(['Write']);
    expect(existsSync(join(root.workspace, 'ro.txt'))).toBe(false);
    const full = start('WRITE full.txt x\nREFUSE Bash', ['--preset', 'full']);
    expect(full.command).toContain('bypassPermissions');
    expect(await finished(full.id)).toMatchObject({ state: 'succeeded', refusals: [] });
  });

  it('the wall-clock limit ends it: timed-out (exit 124)', async () => {
    const rec = start('SLEEP 60', ['--timeout', '2s']);
    expect(rec.limits.timeoutSeconds).toBe(2);
    const w = task(['wait', rec.id]);
    expect(w.status).toBe(124);
    expect(show(rec.id).state).toBe('timed-out');
  });

  it('codex and gsd get their own non-interactive flags, the task on stdin', async () => {
    workspaceRepo();
    const c = task(['start', '--agent', 'codex', '--preset', 'edit', '--json'], 'hello codex');
    expect(c.status, c.stderr).toBe(0);
    const codex = JSON.parse(c.stdout) as TaskRecord;
    expect(codex.command).toEqual([
      'codex',
      'exec',
      '-c',
      'approval_policy="never"',
      '--sandbox',
      'workspace-write',
      '--skip-git-repo-check',
      '-',
    ]);
    expect(codex.limits).toEqual({ maxTurns: null, maxBudgetUsd: null, timeoutSeconds: 7200 });
    expect(await finished(codex.id)).toMatchObject({ state: 'succeeded' });
    const g = task(['start', '--agent', 'gsd', '--preset', 'full', '--timeout', '10m', '--json'], 'EXIT 2');
    expect(g.status, g.stderr).toBe(0);
    const gsd = JSON.parse(g.stdout) as TaskRecord;
    expect(gsd.command).toEqual([
      'gsd',
      'headless',
      '--timeout',
      '600000',
      '--max-restarts',
      '0',
      'new-milestone',
      '--context',
      '-',
      '--auto',
    ]);
    // gsd headless exit 2 = blocked: it needs a decision
    expect(await finished(gsd.id)).toMatchObject({ state: 'refused', exitCode: 2 });
  });
});

describe('task start refuses bad input and changes nothing', () => {
  it.each([
    [['--agent', 'vim', '--preset', 'edit'], 'hi', /--agent must be one of/],
    [['--agent', 'claude', '--preset', 'root'], 'hi', /--preset must be one of/],
    [['--agent', 'claude', '--preset', 'edit'], '  \n', /the task is empty/],
    [['--agent', 'claude', '--preset', 'edit', 'do it'], 'hi', /on stdin, not on the command line/],
    [['--agent', 'claude', '--preset', 'edit', '--timeout', '2d'], 'hi', /--timeout/],
    [['--agent', 'claude', '--preset', 'edit', '--max-turns', '0'], 'hi', /--max-turns/],
    [['--agent', 'gsd', '--preset', 'edit'], 'hi', /GSD has no permission modes/],
    [['--agent', 'claude', '--preset', 'edit', '--worktree', 'x'], 'hi', /not a git repository/],
  ])('%j', (args, input, message) => {
    const r = task(['start', ...args], input);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toMatch(/^task: error: /);
    expect(existsSync(join(root.home, '.rgsd', 'tasks'))).toBe(false);
    expect(windows()).toHaveLength(1);
  });

  it('an agent that is not installed: exit 1 naming it', () => {
    rmSync(join(root.bin, 'codex'));
    const r = task(['start', '--agent', 'codex', '--preset', 'full'], 'hi');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/codex is not installed in this workstation/);
    expect(r.stderr).toMatch(/hint: run the task with another agent \(--agent claude\|gsd\)/);
  });

  it('codex with a sandboxed preset where its sandbox cannot run commands: refused (exit 7) before anything is written', () => {
    const r = task(['start', '--agent', 'codex', '--preset', 'edit'], 'hi', { FAKE_CODEX_SANDBOX: 'fail' });
    expect(r.status).toBe(7);
    expect(r.stderr).toMatch(
      /codex's workspace-write sandbox cannot run commands in this pod \(bwrap: No permissions to create a new namespace/,
    );
    expect(r.stderr).toMatch(/hint: run it with --permissions full \(the pod is the sandbox\)/);
    expect(existsSync(join(root.home, '.rgsd', 'tasks'))).toBe(false);
    expect(windows()).toHaveLength(1);
    // full does not use the sandbox: it starts
    const full = task(['start', '--agent', 'codex', '--preset', 'full', '--json'], 'hi', { FAKE_CODEX_SANDBOX: 'fail' });
    expect(full.status, full.stderr).toBe(0);
  });

  it('check reports the agents and both codex sandboxes', () => {
    const ok = JSON.parse(task(['check', '--json']).stdout);
    expect(ok).toEqual({
      agents: { claude: true, codex: true, gsd: true },
      codexSandbox: [
        { mode: 'read-only', ok: true, detail: 'runs commands' },
        { mode: 'workspace-write', ok: true, detail: 'runs commands' },
      ],
    });
    const bad = task(['check'], '', { FAKE_CODEX_SANDBOX: 'fail' });
    expect(bad.status).toBe(0);
    expect(bad.stdout).toMatch(/^codex sandbox read-only: fails \(bwrap: No permissions to create a new namespace/m);
    rmSync(join(root.bin, 'codex'));
    expect(JSON.parse(task(['check', '--json']).stdout)).toEqual({ agents: { claude: true, codex: false, gsd: true }, codexSandbox: null });
  });

  it('an unknown id: exit 6', () => {
    expect(task(['show', 't20260101-000000-abcd']).status).toBe(6);
    expect(task(['show', '../etc/passwd']).status).toBe(2);
  });

  it('GSD beside an interactive GSD session in the same directory: refused without a worktree (exit 7)', async () => {
    workspaceRepo();
    // an "interactive gsd": a program named gsd whose cwd is the workspace
    const interactive = root.fakeBin('gsd-ui', 'sleep 60');
    const gsdUi = join(root.bin, 'gsd');
    writeFileSync(gsdUi, readFileSync(interactive, 'utf8'));
    root.tmux('new-window', '-d', '-t', '=main:', '-c', root.workspace, 'bash', gsdUi);
    await waitUntil(
      () => spawnSync('pgrep', ['-f', gsdUi]).status === 0,
      60_000,
      () => 'the interactive gsd did not start',
    );
    const r = task(['start', '--agent', 'gsd', '--preset', 'full'], 'hi');
    expect(r.status).toBe(7);
    expect(r.stderr).toMatch(/GSD already runs in .*interactive session/);
    expect(r.stderr).toMatch(/hint: give the task its own worktree/);
  });
});

describe('task stop, logs, list, worktrees, recover', () => {
  it('stop ends the agent process group: stopped (wait exits 143)', async () => {
    const rec = start('SLEEP 60');
    const s = task(['stop', rec.id]);
    expect(s.status, s.stderr).toBe(0);
    expect(show(rec.id).state).toBe('stopped');
    expect(task(['wait', rec.id]).status).toBe(143);
    expect(spawnSync('kill', ['-0', String(rec.agentPid)]).status).not.toBe(0);
  });

  it('logs -f follows until the task ends, as text; list shows every task', async () => {
    const rec = start('first line\nSLEEP 2\nlast line');
    const f = task(['logs', rec.id, '-f']);
    expect(f.status).toBe(0);
    // Claude's stream-json is shown as text; --raw gives the events as recorded
    expect(f.stdout).toMatch(/^first line$/m);
    expect(f.stdout).toMatch(/^last line$/m);
    expect(f.stdout).toMatch(/^\[result\] success, 1 turn\(s\), \$0\.01$/m);
    expect(f.stdout).not.toContain('"type"');
    expect(task(['logs', rec.id, '--raw']).stdout).toContain('"text":"last line"');
    expect(f.stdout).toMatch(/\] succeeded \(exit 0\)/);
    expect(task(['logs', rec.id, '--tail', '1']).stdout).toMatch(/^\[rgsd task .*succeeded/);
    const l = JSON.parse(task(['list', '--json']).stdout) as { tasks: TaskRecord[] };
    expect(l.tasks.map((t) => t.id)).toEqual([rec.id]);
  });

  it('list is oldest first by creation time, not by id (ids of one second differ only in a random part)', async () => {
    // two real tasks, then two records of one second whose random parts are in the opposite order
    const a = start('first');
    await finished(a.id);
    const b = start('second');
    await finished(b.id);
    const dir = join(root.home, '.rgsd', 'tasks');
    const base = JSON.parse(readFileSync(join(dir, `${b.id}.json`), 'utf8')) as TaskRecord & { createdMs: number };
    expect(base.createdMs).toBeGreaterThanOrEqual(Date.parse(base.started));
    const later = ['t20991231-235959-ffff', 't20991231-235959-0000'];
    later.forEach((id, i) => {
      writeFileSync(join(dir, `${id}.json`), JSON.stringify({ ...base, id, createdMs: 4_102_444_799_000 + i }));
    });
    const l = JSON.parse(task(['list', '--json']).stdout) as { tasks: TaskRecord[] };
    expect(l.tasks.map((t) => t.id)).toEqual([a.id, b.id, ...later]);
  });

  it('--worktree: a new branch in its own worktree, isolated from the workspace', async () => {
    workspaceRepo();
    const setupLog = join(root.dir, 'setup.log');
    const setup = root.fakeBin('agent-setup', `echo "$@" >>${setupLog}`);
    const rec = start('WRITE wt.txt only here', ['--worktree', 'fix-login']);
    const path = join(root.home, '.rgsd', 'worktrees', 'workspace-fix-login');
    expect(rec.worktree).toEqual({ branch: 'fix-login', path, created: true });
    expect(rec.cwd).toBe(path);
    await finished(rec.id);
    expect(readFileSync(join(path, 'wt.txt'), 'utf8')).toBe('only here\n');
    expect(existsSync(join(root.workspace, 'wt.txt'))).toBe(false);
    const branch = spawnSync('git', ['-C', path, 'branch', '--show-current'], { encoding: 'utf8' }).stdout.trim();
    expect(branch).toBe('fix-login');
    expect(setup).toBeTruthy();
    // agent-setup is called only where it is installed (RGSD_AGENT_SETUP points at it)
    const second = task(['start', '--agent', 'claude', '--preset', 'edit', '--worktree', 'other', '--json'], 'hi', {
      RGSD_AGENT_SETUP: setup,
    });
    expect(second.status, second.stderr).toBe(0);
    expect(readFileSync(setupLog, 'utf8').trim()).toBe(`trust ${join(root.home, '.rgsd', 'worktrees', 'workspace-other')}`);
  });

  it('recover marks a task whose runner is gone as lost (exit 12); a finished one stays', async () => {
    const done = start('ok');
    await finished(done.id);
    const rec = start('SLEEP 60');
    // a reboot: the tmux server and every process are gone
    root.tmux('kill-server');
    process.kill(rec.runnerPid ?? 0, 'SIGKILL');
    process.kill(-(rec.agentPid ?? 0), 'SIGKILL');
    const r = task(['recover']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('1 task(s) marked lost');
    expect(show(rec.id).state).toBe('lost');
    expect(show(done.id).state).toBe('succeeded');
    expect(task(['wait', rec.id]).status).toBe(12);
  });

  it('survives its window being killed: the task goes on and ends normally', async () => {
    const rec = start('SLEEP 3\nstill here');
    root.tmux('kill-window', '-t', rec.window.id ?? '');
    expect(windows()).not.toContain(rec.window.name);
    const done = await finished(rec.id);
    expect(done.state).toBe('succeeded');
    expect(readFileSync(done.log, 'utf8')).toContain('"text":"still here"');
  });
});

// The flags the presets rely on, checked against the pinned agents where they are installed
// (the image test runs them there; on a developer machine they may be absent).
const which = (bin: string): string | undefined => {
  const r = spawnSync('sh', ['-c', `command -v ${bin}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
};
const realClaude = process.env.RGSD_REAL_CLAUDE ?? which('claude');
const realCodex = process.env.RGSD_REAL_CODEX ?? which('codex');

describe.skipIf(!realClaude)('the real claude accepts the print-mode flags', () => {
  it('--help lists them', () => {
    const help = spawnSync(realClaude ?? 'claude', ['--help'], { encoding: 'utf8', timeout: 60_000 }).stdout;
    for (const flag of [
      '--print',
      '--output-format',
      '--verbose',
      '--max-budget-usd',
      '--permission-mode',
      '--allowedTools',
      '--permission-prompts',
      'acceptEdits',
      'bypassPermissions',
      'dontAsk',
    ]) {
      expect(help, flag).toContain(flag);
    }
  });
  it('--max-turns is accepted (a hidden flag): an unknown flag fails before the login check, this one does not', () => {
    const bad = spawnSync(realClaude ?? 'claude', ['-p', '--no-such-flag'], { encoding: 'utf8', input: '', timeout: 60_000 });
    expect(bad.stderr).toContain("unknown option '--no-such-flag'");
    const ok = spawnSync(realClaude ?? 'claude', ['-p', '--max-turns', '1', '--output-format', 'json'], {
      encoding: 'utf8',
      input: 'hi',
      timeout: 60_000,
      env: { ...process.env, HOME: root.home, ANTHROPIC_API_KEY: '' },
    });
    expect(ok.stderr).not.toContain('unknown option');
  });
});

describe.skipIf(!realCodex)('the real codex accepts the exec flags', () => {
  it('exec --help and --help list them', () => {
    const exec = spawnSync(realCodex ?? 'codex', ['exec', '--help'], { encoding: 'utf8', timeout: 60_000 }).stdout;
    for (const flag of [
      '--sandbox',
      'read-only',
      'workspace-write',
      '--dangerously-bypass-approvals-and-sandbox',
      '--skip-git-repo-check',
      'read from stdin',
    ]) {
      expect(exec, flag).toContain(flag);
    }
    // -c approval_policy="never" is a known key and value: a wrong value fails at once, naming the values
    const bad = spawnSync(realCodex ?? 'codex', ['exec', '-c', 'approval_policy="bogus"', '--skip-git-repo-check', '-'], {
      encoding: 'utf8',
      input: 'hi',
      timeout: 60_000,
      env: { ...process.env, CODEX_HOME: root.home },
    });
    expect(bad.stdout + bad.stderr).toMatch(/unknown variant `bogus`, expected one of .*`never`/);
    expect(bad.stdout + bad.stderr).toContain('approval_policy');
  });
});
