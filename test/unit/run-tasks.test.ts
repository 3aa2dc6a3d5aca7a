// rgsd run and rgsd tasks: exact argv of every call (the task on stdin of one exec, never on
// a command line), the --json documents, exit codes, the pod's own errors as typed errors,
// and bad input that changes nothing.
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import type { TaskRecord } from '../../src/cluster/tasks.js';
import runCommand, { parseTaskTimeout, renderFinal, renderStarted, taskInput } from '../../src/commands/run.js';
import tasksCommand, { parseWords, renderTasks } from '../../src/commands/tasks.js';
import { ChildExitError, ExitCode, NotFoundError, RefusedError, UsageError } from '../../src/core/errors.js';
import { K } from '../helpers/cluster-fixture.js';
import { FakeRunner } from '../helpers/fake-runner.js';
import { expectGolden } from '../helpers/golden.js';
import { SECRET_KEY, writeProject } from '../helpers/project-fixture.js';
import { testApp, type TestApp } from '../helpers/test-app.js';

const ID = 't20261203-061500-ab12';
const W = ['-c', 'workstation', '--pod-running-timeout=10s', '--', '/opt/rgsd/task'];
const exec = (...command: string[]) => ['kubectl', ...K, 'exec', 'deployment/demo-rgsd', ...W, ...command];
const execIn = (...command: string[]) => ['kubectl', ...K, 'exec', '-i', 'deployment/demo-rgsd', ...W, ...command];
const START = (...flags: string[]) => execIn('start', '--agent', 'claude', '--preset', 'edit', '--timeout', '7200s', ...flags, '--json');

function record(over: Partial<TaskRecord> = {}): TaskRecord {
  return {
    schemaVersion: 1,
    id: ID,
    name: 'fix-the-login-test',
    title: 'Fix the login test',
    agent: 'claude',
    preset: 'edit',
    command: [
      'claude',
      '-p',
      '--output-format',
      'stream-json',
      '--verbose',
      '--max-turns',
      '50',
      '--max-budget-usd',
      '5',
      '--permission-mode',
      'acceptEdits',
      '--permission-prompts',
      'none',
    ],
    notes: ['tools that need an approval are refused (recorded as refusals), never left waiting'],
    window: { session: 'main', name: 't:fix-the-login-test', index: 2, id: '@4' },
    pane: '%7',
    worktree: null,
    cwd: '/home/gsd/workspace',
    started: '2026-12-03T06:15:00Z',
    finished: null,
    exitCode: null,
    signal: null,
    state: 'running',
    refusals: [],
    result: null,
    reason: null,
    limits: { maxTurns: 50, maxBudgetUsd: 5, timeoutSeconds: 7200 },
    log: `/home/gsd/.rgsd/tasks/${ID}.log`,
    taskFile: `/home/gsd/.rgsd/tasks/${ID}.task`,
    runnerPid: 120,
    agentPid: 121,
    ...over,
  };
}
const REFUSED = record({
  state: 'refused',
  exitCode: 0,
  finished: '2026-12-03T06:17:30Z',
  refusals: [{ tool: 'Bash', detail: 'npm test' }],
});
const line = (r: TaskRecord) => ({ stdout: `${JSON.stringify(r)}\n` });

const stdinIsTTY = taskInput.stream;
afterEach(() => {
  taskInput.stream = stdinIsTTY;
});
function stdin(text: string | null): void {
  taskInput.stream = () => (text === null ? Object.assign(Readable.from([]), { isTTY: true }) : Readable.from([Buffer.from(text)]));
}

async function app(o: { runner?: FakeRunner; json?: boolean; settings?: string; env?: string } = {}): Promise<TestApp> {
  const t = await testApp({
    runner: o.runner ?? new FakeRunner(),
    globals: { json: Boolean(o.json) },
    now: new Date('2026-12-03T06:20:00Z'),
  });
  writeProject(t.configDir, 'demo', {
    settings: o.settings ?? 'repo: https://github.com/org/repo.git\nagent: claude\n',
    ...(o.env !== undefined ? { env: o.env } : {}),
  });
  return t;
}
const runner = () => new FakeRunner();

describe('rgsd run', () => {
  it('sends the quoted task on the stdin of one exec and shows the preset mapping (golden)', async () => {
    const t = await app({ runner: runner().on(START(), line(record())) });
    stdin(null);
    await runCommand.run(t.app, { project: 'demo', task: 'Fix the login test' }, {});
    expect(t.runner.argvs).toEqual([START()]);
    // Ctrl-C from now on leaves the task running: the summary says how to follow it
    expect(t.app.progress.summary()).toEqual({
      message: `interrupted after task ${ID} was started`,
      hint: `it goes on in the workstation: \`rgsd tasks demo logs ${ID} -f\``,
    });
    const call = t.runner.calls[0];
    expect(call?.stdin).toBe('Fix the login test');
    expect(call?.argv.join(' ')).not.toContain('login test');
    expectGolden('run-started', t.stdout());
  });

  it('-v shows the exec line and the size of its stdin, never the task', async () => {
    const t = await testApp({ runner: new FakeRunner().on(START(), line(record())), globals: { verbose: true } });
    writeProject(t.configDir, 'demo', { settings: 'agent: claude\n' });
    await runCommand.run(t.app, { project: 'demo', task: 'Fix the login test' }, {});
    expect(t.stderr()).toContain('exec -i deployment/demo-rgsd -c workstation --pod-running-timeout=10s -- /opt/rgsd/task start');
    expect(t.stderr()).toContain('< stdin (18 bytes)');
    expect(t.stderr()).not.toContain('login test');
  });

  it('reads the task from stdin when it is not a terminal; one positional that is no project is the task', async () => {
    const t = await app({ runner: runner().on(START(), line(record())) });
    stdin('from stdin\nWRITE a b\n');
    await runCommand.run(t.app, { project: 'demo' }, {});
    expect(t.runner.calls[0]?.stdin).toBe('from stdin\nWRITE a b\n');
    const u = await app({ runner: runner().on(START(), line(record())) });
    await runCommand.run(u.app, { project: 'fix the login test' }, {});
    expect(u.runner.calls[0]?.stdin).toBe('fix the login test');
  });

  it('passes the flags through; settings taskPermissions is the default preset', async () => {
    const args = execIn(
      'start',
      '--agent',
      'codex',
      '--preset',
      'read-only',
      '--timeout',
      '1800s',
      '--worktree',
      'fix-login',
      '--max-turns',
      '9',
      '--max-budget',
      '1.5',
      '--name',
      'login',
      '--json',
    );
    const t = await app({
      runner: runner().on(args, line(record({ agent: 'codex', preset: 'read-only' }))),
      json: true,
      settings: 'agent: claude\ntaskPermissions: read-only\n',
    });
    await runCommand.run(
      t.app,
      { project: 'demo', task: 'x' },
      { agent: 'codex', worktree: 'fix-login', maxTurns: '9', maxBudget: '1.5', timeout: '30m', name: 'login' },
    );
    expect(t.runner.argvs.at(-1)).toEqual(args);
    const doc = JSON.parse(t.stdout());
    expect(doc).toMatchObject({ schemaVersion: 1, project: 'demo', task: { id: ID, agent: 'codex', preset: 'read-only' } });
  });

  it('--wait --json: start, then `task wait`; a refused task exits 10 with the final record as the one document', async () => {
    const t = await app({
      runner: runner()
        .on(START(), line(record()))
        .on(exec('wait', ID, '--json'), { ...line(REFUSED), exitCode: 10 }),
      json: true,
    });
    const err = await runCommand.run(t.app, { project: 'demo', task: 'x' }, { wait: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChildExitError);
    expect((err as ChildExitError).exitCode).toBe(10);
    expect(t.runner.argvs).toEqual([START(), exec('wait', ID, '--json')]);
    expect(t.runner.calls[1]?.opts.timeoutMs).toBe((7200 + 120) * 1000);
    expect(JSON.parse(t.stdout())).toMatchObject({ task: { state: 'refused', refusals: [{ tool: 'Bash' }] } });
  });

  it('--wait: follows the log on the terminal, then prints how it ended (golden); succeeded exits 0', async () => {
    const done = record({ state: 'succeeded', exitCode: 0, finished: '2026-12-03T06:16:00Z' });
    const t = await app({
      runner: runner()
        .on(START(), line(record()))
        .on(exec('logs', ID, '-f'), {})
        .on(exec('show', ID, '--json'), line(done)),
    });
    await runCommand.run(t.app, { project: 'demo', task: 'x' }, { wait: true });
    expect(t.runner.argvs).toEqual([START(), exec('logs', ID, '-f'), exec('show', ID, '--json')]);
    expect(t.runner.calls[1]?.opts.interactive).toBe(true);
    expectGolden('run-wait', t.stdout());
  });

  it('final lines per state and their exit codes', () => {
    expect(renderFinal(REFUSED)).toBe(`task ${ID} finished with 1 refusal: Bash (npm test) — exit 10`);
    expect(renderFinal(record({ state: 'failed', exitCode: 3 }))).toBe(`task ${ID} failed (the agent exited 3) — exit 3`);
    expect(renderFinal(record({ state: 'timed-out' }))).toBe(`task ${ID} timed out after 2h — exit 124`);
    expect(renderStarted(record({ worktree: { branch: 'b', path: '/w/b', created: true } }), 'demo', true)).toContain(
      'worktree:    b (/w/b, new)',
    );
  });

  it.each([
    ['an empty task', { task: '  \n' }, {}, /the task is empty/],
    ['a bad --timeout', { task: 'x' }, { timeout: '10s' }, /--timeout "10s" must be a duration from 1m to 24h/],
    ['--max-turns 0', { task: 'x' }, { maxTurns: '0' }, /--max-turns/],
    ['a bad --max-budget', { task: 'x' }, { maxBudget: '-1' }, /--max-budget/],
    ['a worktree that looks like an option', { task: 'x' }, { worktree: '-f' }, /--worktree/],
    ['gsd with a restricting preset', { task: 'x' }, { agent: 'gsd', permissions: 'edit' }, /cannot be kept by gsd/],
  ])('%s: a usage error before any call', async (_what, a, opts, message) => {
    const t = await app();
    const err = await runCommand.run(t.app, { project: 'demo', ...a }, opts).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).message).toMatch(message);
    expect((err as UsageError).hint).toBeTruthy();
    expect(t.runner.calls).toEqual([]);
  });

  it('no task and a terminal on stdin: a usage error naming both ways', async () => {
    const t = await app();
    stdin(null);
    await expect(runCommand.run(t.app, { project: 'demo' }, {})).rejects.toMatchObject({
      exitCode: ExitCode.usage,
      message: 'no task given',
    });
    expect(t.runner.calls).toEqual([]);
  });

  it('a task with a value of the secrets file is refused (exit 7), nothing sent', async () => {
    const t = await app();
    const err = await runCommand.run(t.app, { project: 'demo', task: `use the key ${SECRET_KEY} to deploy` }, {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RefusedError);
    expect((err as RefusedError).message).toContain('secret ANTHROPIC_API_KEY');
    expect((err as RefusedError).hint).toContain('$ANTHROPIC_API_KEY');
    expect((err as RefusedError).message).not.toContain(SECRET_KEY);
    expect(t.runner.calls).toEqual([]);
  });

  it("the pod's refusals and usage errors arrive typed, with the pod's hint", async () => {
    const refused = {
      exitCode: 7,
      stderr:
        'task: error: GSD already runs in /home/gsd/workspace (an interactive session)\nhint: give the task its own worktree: --worktree <branch>\n',
    };
    const gsdStart = execIn('start', '--agent', 'gsd', '--preset', 'full', '--timeout', '7200s', '--json');
    const t = await app({ runner: runner().on(gsdStart, refused), settings: 'agent: gsd\ntaskPermissions: full\n' });
    const err = await runCommand.run(t.app, { project: 'demo', task: 'x' }, {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RefusedError);
    expect(err).toMatchObject({
      message: 'GSD already runs in /home/gsd/workspace (an interactive session)',
      hint: 'give the task its own worktree: --worktree <branch>',
    });
    const notDeployed = { exitCode: 1, stderr: 'Error from server (NotFound): deployments.apps "demo-rgsd" not found\n' };
    const u = await app({ runner: runner().on(START(), notDeployed) });
    await expect(runCommand.run(u.app, { project: 'demo', task: 'x' }, {})).rejects.toMatchObject({
      exitCode: ExitCode.notFound,
      hint: 'start it with `rgsd up demo`',
    });
  });

  it('--timeout accepts 1m to 24h', () => {
    expect(parseTaskTimeout('1m')).toBe(60_000);
    expect(parseTaskTimeout('1h30m')).toBe(5_400_000);
    expect(parseTaskTimeout('24h')).toBe(86_400_000);
    expect(() => parseTaskTimeout('25h')).toThrow(UsageError);
  });
});

describe('rgsd tasks', () => {
  it('parses [project] [action] [id]', () => {
    expect(parseWords([undefined, undefined, undefined])).toEqual({ project: undefined, action: 'list', id: undefined });
    expect(parseWords(['demo', undefined, undefined])).toEqual({ project: 'demo', action: 'list', id: undefined });
    expect(parseWords(['logs', ID, undefined])).toEqual({ project: undefined, action: 'logs', id: ID });
    expect(parseWords(['demo', 'stop', ID])).toEqual({ project: 'demo', action: 'stop', id: ID });
    // a project named like an action
    expect(parseWords(['logs', 'list', undefined])).toEqual({ project: 'logs', action: 'list', id: undefined });
    expect(() => parseWords(['demo', 'kill', ID])).toThrow(UsageError);
    expect(() => parseWords(['stop', undefined, undefined])).toThrow(/needs a task id/);
    expect(() => parseWords(['demo', 'show', '../x'])).toThrow(/is not a task id/);
  });

  it('lists the tasks (table, and one --json document)', async () => {
    const tasks = [REFUSED, record({ id: 't20261203-061900-cd34', name: 'other', worktree: { branch: 'fix', path: '/w', created: true } })];
    const t = await app({ runner: runner().on(exec('list', '--json'), { stdout: `${JSON.stringify({ tasks })}\n` }) });
    await tasksCommand.run(t.app, { project: 'demo' }, {});
    expect(t.runner.argvs).toEqual([exec('list', '--json')]);
    expect(t.stdout()).toBe(`${renderTasks(tasks, new Date('2026-12-03T06:20:00Z'))}\n`);
    expect(t.stdout()).toContain('refused');
    const j = await app({ runner: runner().on(exec('list', '--json'), { stdout: `${JSON.stringify({ tasks })}\n` }), json: true });
    await tasksCommand.run(j.app, { project: 'demo' }, {});
    expect(JSON.parse(j.stdout())).toEqual({ schemaVersion: 1, project: 'demo', tasks });
  });

  it('logs -f streams through one interactive exec; --tail passes on', async () => {
    const t = await app({ runner: runner().on(exec('logs', ID, '-f', '--tail', '20'), {}) });
    await tasksCommand.run(t.app, { project: 'logs', action: ID }, { follow: true, tail: '20' });
    expect(t.runner.argvs).toEqual([exec('logs', ID, '-f', '--tail', '20')]);
    expect(t.runner.calls[0]?.opts.interactive).toBe(true);
  });

  it('stop and wait; wait exits with the task exit code; an unknown id is not found (exit 6)', async () => {
    const stopped = record({ state: 'stopped', exitCode: 143 });
    const t = await app({
      runner: runner()
        .on(exec('stop', ID, '--json'), line(stopped))
        .on(exec('wait', ID, '--json'), { ...line(stopped), exitCode: 143 }),
    });
    await tasksCommand.run(t.app, { project: 'demo', action: 'stop', id: ID }, {});
    expect(t.stdout()).toContain('stopped');
    await expect(tasksCommand.run(t.app, { project: 'demo', action: 'wait', id: ID }, {})).rejects.toMatchObject({ exitCode: 143 });
    const missing = { exitCode: 6, stderr: `task: error: no task ${ID}\nhint: list them with \`task list\`\n` };
    const u = await app({ runner: runner().on(exec('show', ID, '--json'), missing) });
    const err = await tasksCommand.run(u.app, { project: 'demo', action: 'show', id: ID }, {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
  });

  it('-f without logs, and logs with --json, are usage errors before any call', async () => {
    const t = await app();
    await expect(tasksCommand.run(t.app, { project: 'demo', action: 'stop', id: ID }, { follow: true })).rejects.toBeInstanceOf(UsageError);
    const j = await app({ json: true });
    await expect(tasksCommand.run(j.app, { project: 'demo', action: 'logs', id: ID }, {})).rejects.toBeInstanceOf(UsageError);
    expect([...t.runner.calls, ...j.runner.calls]).toEqual([]);
  });
});
