// Agent tasks in the workstation: every call is one `kubectl exec deployment/<fullname> -c
// workstation -- /opt/rgsd/task …` (docker/task). The task text travels on kubectl's STDIN
// (`exec -i`), never on a command line. The program's own failures (`task: error: …` and
// `hint: …` on stderr, exit 2/6/7) become typed errors here; kubectl's go through classify.
import { CommandError, NotFoundError, RefusedError, RgsdError, UsageError } from '../core/errors.js';
import type { ProjectNames } from '../core/names.js';
import { CONTAINER, IN_POD, TASK_EXIT_CODES, type TaskState } from '../core/vocab.js';
import { classify } from './classify.js';
import { kubectl, kubectlArgv, type Gateway, type Target } from './gateway.js';
import { notDeployed } from './workload.js';

/** A task record (`~/.rgsd/tasks/<id>.json` in the pod; ARCHITECTURE.md "Tasks"). */
export interface TaskRecord {
  schemaVersion: number;
  id: string;
  name: string;
  title: string;
  agent: string;
  preset: string;
  /** The agent's command line (the task itself is on its stdin). */
  command: string[];
  /** What the preset means for this agent (shown by `rgsd run`). */
  notes: string[];
  window: { session: string; name: string; index: number | null; id: string | null } | null;
  pane: string | null;
  worktree: { branch: string; path: string; created: boolean } | null;
  cwd: string;
  started: string;
  finished: string | null;
  exitCode: number | null;
  signal: string | null;
  state: TaskState;
  refusals: { tool: string; detail: string | null }[];
  result: { subtype: string | null; isError: boolean; turns: number | null; costUsd: number | null } | null;
  reason: string | null;
  limits: { maxTurns: number | null; maxBudgetUsd: number | null; timeoutSeconds: number };
  log: string;
  taskFile: string;
  runnerPid: number | null;
  agentPid: number | null;
}

export interface StartTaskOptions {
  agent: string;
  preset: string;
  worktree?: string | undefined;
  maxTurns?: number | undefined;
  maxBudgetUsd?: number | undefined;
  timeoutSeconds: number;
  name?: string | undefined;
}

const FINAL: readonly TaskState[] = ['succeeded', 'failed', 'refused', 'timed-out', 'stopped', 'lost'];
export const isFinal = (s: TaskState): boolean => FINAL.includes(s);

/** The exit code of a finished task (`rgsd run --wait`). */
export function taskExitCode(r: Pick<TaskRecord, 'state' | 'exitCode'>): number {
  if (r.state === 'failed') return r.exitCode !== null && r.exitCode > 0 && r.exitCode < 256 ? r.exitCode : 1;
  return (TASK_EXIT_CODES as Record<string, number>)[r.state] ?? 1;
}

/** `task start` arguments (the task text is not among them). */
export function startArgs(o: StartTaskOptions): string[] {
  const args = [IN_POD.task, 'start', '--agent', o.agent, '--preset', o.preset, '--timeout', `${o.timeoutSeconds}s`];
  if (o.worktree !== undefined) args.push('--worktree', o.worktree);
  if (o.maxTurns !== undefined) args.push('--max-turns', String(o.maxTurns));
  if (o.maxBudgetUsd !== undefined) args.push('--max-budget', String(o.maxBudgetUsd));
  if (o.name !== undefined) args.push('--name', o.name);
  args.push('--json');
  return args;
}

/** How long kubectl waits for a running pod behind deployment/<fullname> (it waits a minute by default). */
export const TASK_POD_WAIT = '10s';

/** `kubectl exec [-i|-it] deployment/<fullname> -c workstation --pod-running-timeout=10s -- <command…>`
 * arguments (`tty`: a terminal, which kubectl allocates only with stdin: it implies `stdin`). */
export function taskExecArgs(names: ProjectNames, command: readonly string[], stdin = false, tty = false): string[] {
  return [
    'exec',
    ...(tty ? ['-it'] : stdin ? ['-i'] : []),
    `deployment/${names.deployment}`,
    '-c',
    CONTAINER.workstation,
    `--pod-running-timeout=${TASK_POD_WAIT}`,
    '--',
    ...command,
  ];
}

/** The typed error for a failed `task` call. */
function taskError(
  gw: Gateway,
  t: Target,
  names: ProjectNames,
  args: string[],
  res: { exitCode: number; stdout: string; stderr: string },
): unknown {
  const said = /^task: error: (.*)$/m.exec(res.stderr);
  if (!said) {
    const argv = [gw.tools.kubectl, ...kubectlArgv(t, args)];
    return notDeployed(classify(new CommandError(argv, res.exitCode, res.stderr, res.stdout), t), names, t);
  }
  const message = said[1] ?? 'the task program failed';
  const hint = /^hint: (.*)$/m.exec(res.stderr)?.[1];
  if (res.exitCode === 2) return new UsageError(message, { hint });
  if (res.exitCode === 6)
    return new NotFoundError(message, { hint: hint ?? `list the tasks with \`rgsd tasks ${names.release}\``, resource: 'task' });
  if (res.exitCode === 7) return new RefusedError(message, { hint });
  return new RgsdError(message, { hint: hint ?? `see \`rgsd logs ${names.release}\`` });
}

async function call(
  gw: Gateway,
  t: Target,
  names: ProjectNames,
  command: string[],
  opts: { stdin?: string; timeoutMs?: number; mutates?: boolean; okCodes?: (code: number) => boolean } = {},
) {
  const args = taskExecArgs(names, command, opts.stdin !== undefined);
  const res = await kubectl(gw, t, args, {
    allowFailure: true,
    timeoutMs: opts.timeoutMs ?? 60_000,
    ...(opts.stdin !== undefined ? { stdin: opts.stdin } : {}),
    ...(opts.mutates ? { mutates: true } : {}),
  });
  if (res.exitCode !== 0 && !(opts.okCodes?.(res.exitCode) ?? false)) throw taskError(gw, t, names, args, res);
  return res;
}

function parseRecord(text: string): TaskRecord {
  const line = text.trim().split('\n').at(-1) ?? '';
  try {
    return JSON.parse(line) as TaskRecord;
  } catch {
    throw new RgsdError('the workstation answered with something that is not a task record', {
      hint: 'is the image older than this rgsd? `rgsd up` updates it',
    });
  }
}

/** Starts a task: the text on stdin of one exec. Returns its record. */
export async function startTask(gw: Gateway, t: Target, names: ProjectNames, o: StartTaskOptions, text: string): Promise<TaskRecord> {
  const res = await call(gw, t, names, startArgs(o), { stdin: text, timeoutMs: 120_000, mutates: true });
  return parseRecord(res.stdout);
}

/** Every task of the workstation, oldest first. */
export async function listTasks(gw: Gateway, t: Target, names: ProjectNames): Promise<TaskRecord[]> {
  const res = await call(gw, t, names, [IN_POD.task, 'list', '--json']);
  const raw = JSON.parse(res.stdout.trim() || '{}') as { tasks?: TaskRecord[] };
  return raw.tasks ?? [];
}

export async function showTask(gw: Gateway, t: Target, names: ProjectNames, id: string): Promise<TaskRecord> {
  return parseRecord((await call(gw, t, names, [IN_POD.task, 'show', id, '--json'])).stdout);
}

export async function stopTask(gw: Gateway, t: Target, names: ProjectNames, id: string): Promise<TaskRecord> {
  return parseRecord((await call(gw, t, names, [IN_POD.task, 'stop', id, '--json'], { timeoutMs: 60_000, mutates: true })).stdout);
}

/** Blocks until the task ends (`task wait` exits with the task's code; its record is on stdout). */
export async function waitTask(gw: Gateway, t: Target, names: ProjectNames, id: string, timeoutMs: number): Promise<TaskRecord> {
  const res = await call(gw, t, names, [IN_POD.task, 'wait', id, '--json'], { timeoutMs, okCodes: () => true });
  if (res.exitCode !== 0 && !/^\{/.test(res.stdout.trim())) throw taskError(gw, t, names, taskExecArgs(names, []), res);
  return parseRecord(res.stdout);
}

/** `task check --json`: the agents installed in the workstation; whether Codex's sandbox runs commands. */
export interface AgentCheck {
  agents: Record<string, boolean>;
  /** per sandbox mode (read-only, workspace-write); null when codex is not installed */
  codexSandbox: { mode: string; ok: boolean; detail: string }[] | null;
}

export async function checkAgents(gw: Gateway, t: Target, names: ProjectNames): Promise<AgentCheck> {
  const res = await call(gw, t, names, [IN_POD.task, 'check', '--json'], { timeoutMs: 150_000 });
  try {
    const doc = JSON.parse(res.stdout.trim()) as AgentCheck;
    if (typeof doc.agents === 'object' && doc.agents !== null) return doc;
  } catch {
    // below
  }
  throw new RgsdError('the workstation answered `task check` with something that is not its document', {
    hint: 'is the image older than this rgsd? `rgsd up` updates it',
  });
}

export interface TaskLogsOptions {
  follow?: boolean;
  tail?: number | undefined;
  /** the agent's output as recorded (Claude's stream-json events), not as text */
  raw?: boolean;
}

export function logsCommand(id: string, o: TaskLogsOptions): string[] {
  return [
    IN_POD.task,
    'logs',
    id,
    ...(o.follow ? ['-f'] : []),
    ...(o.tail !== undefined ? ['--tail', String(o.tail)] : []),
    ...(o.raw ? ['--raw'] : []),
  ];
}

/** `task logs` streamed to the terminal; resolves with kubectl's exit code. */
export async function streamTaskLogs(gw: Gateway, t: Target, names: ProjectNames, id: string, o: TaskLogsOptions): Promise<number> {
  return (await kubectl(gw, t, taskExecArgs(names, logsCommand(id, o)), { interactive: true, allowFailure: true })).exitCode;
}
