// `rgsd run [project] [task] [--agent A] [--worktree BRANCH] [--permissions P] [--max-turns N]
// [--max-budget USD] [--timeout D] [--name N] [--wait] [--json]`
import { JSON_OPTION, defineCommand, projectArg } from '../cli/spec.js';
import type { TaskRecord } from '../cluster/tasks.js';
import { UsageError } from '../core/errors.js';
import {
  DEFAULT_AGENT,
  DEFAULT_TASK_PRESET,
  DEFAULT_TASK_TIMEOUT,
  TASK_AGENTS,
  TASK_EXIT_CODES,
  TASK_PRESETS,
  TASK_PRESETS_OF,
  type TaskAgent,
  type TaskPreset,
} from '../core/vocab.js';
import { formatAge, plural } from '../ui/format.js';

interface RunFlags {
  agent?: string;
  worktree?: string;
  permissions?: string;
  maxTurns?: string;
  maxBudget?: string;
  timeout?: string;
  name?: string;
  wait?: boolean;
}

/** Where the task text comes from when it is not an argument (tests replace it). */
export const taskInput = {
  stream: (): NodeJS.ReadableStream & { isTTY?: boolean } => process.stdin,
};

/** The largest task text rgsd sends (a task file, not a repository). */
export const MAX_TASK_BYTES = 256 * 1024;

export default defineCommand<RunFlags>(
  {
    name: 'run',
    summary: 'run an agent task in a new tmux window (non-interactive, with a permission preset and limits)',
    description:
      'The task text is the quoted argument, or stdin when it is not a terminal; it reaches the pod on the stdin of one ' +
      '`kubectl exec`, never on a command line. The agent runs in its non-interactive mode in a window named after the task ' +
      '(with --worktree, in a git worktree of that branch), with the preset mapped to its own flags (shown), a turn limit, ' +
      'a spend limit where the agent has one, and a wall-clock limit. --wait blocks until the task ends and exits with its ' +
      'exit code (README "Exit codes"). A single argument is the project only when a project of that name is configured.',
    args: [projectArg(), { name: 'task', required: false, description: 'the task text, quoted (default: read from stdin)' }],
    options: [
      { flags: '--agent <agent>', description: "agent to run (default: the project's agent)", choices: TASK_AGENTS },
      { flags: '--worktree <branch>', description: 'run in a git worktree of this branch (created when new)' },
      {
        flags: '--permissions <preset>',
        description: `what the agent may do (default: settings taskPermissions, else ${DEFAULT_TASK_PRESET})`,
        choices: TASK_PRESETS,
      },
      { flags: '--max-turns <n>', description: 'turn limit (claude; default 50)' },
      { flags: '--max-budget <usd>', description: 'spend limit in USD (claude; default 5)' },
      {
        flags: '--timeout <duration>',
        description: 'wall-clock limit of the task, e.g. 30m, 2h (1m to 24h)',
        default: DEFAULT_TASK_TIMEOUT,
      },
      { flags: '--name <name>', description: 'a short name (default: the first words of the task)' },
      { flags: '--wait', description: 'follow the task until it ends and exit with its exit code' },
      JSON_OPTION,
    ],
    examples: [
      'rgsd run myproj "fix the failing unit tests" --agent claude',
      'rgsd run myproj --worktree fix-login --wait < task.md',
      'echo "review src/auth" | rgsd run myproj --permissions read-only --json',
    ],
  },
  async (app, args, opts) => {
    const { existsSync } = await import('node:fs');
    const { settingsPath } = await import('../core/config.js');
    // `rgsd run "fix it"`: one argument is the project only when it is a configured one
    let project = args.project;
    let text = args.task;
    if (text === undefined && project !== undefined && !existsSync(settingsPath(app.configDir, project))) {
      text = project;
      project = undefined;
    }
    const checked = checkFlags(opts);
    text ??= await readTask();
    checkText(text);
    const { resolveProject, openTarget } = await import('../cli/open.js');
    const local = await resolveProject(app, project, { command: 'run', requireSettings: false });
    const agent = (opts.agent ?? agentOf(local.cfg?.settings.agent)) as TaskAgent;
    const preset = (opts.permissions ?? local.cfg?.settings.taskPermissions ?? DEFAULT_TASK_PRESET) as TaskPreset;
    checkPreset(agent, preset, opts.permissions !== undefined);
    const { refuseSecretsInTask, runTask } = await import('../ops/run.js');
    await refuseSecretsInTask(app, local.cfg, text);
    const { names, target } = await openTarget(app, local);
    const json = app.globals.json;
    const { started, final } = await runTask(
      app,
      target,
      names,
      { ...checked, agent, preset, text },
      {
        wait: Boolean(opts.wait),
        follow: !json,
        onEvent: (e) => {
          if (e.kind === 'started' && !json) app.out.data(renderStarted(e.task, local.project, Boolean(opts.wait)));
        },
      },
    );
    if (json) app.out.json({ schemaVersion: 1, project: local.project, task: final ?? started });
    else if (final) app.out.data(renderFinal(final));
    if (final) {
      const { taskExitCode } = await import('../cluster/tasks.js');
      const code = taskExitCode(final);
      if (code !== 0) {
        const { ChildExitError } = await import('../core/errors.js');
        throw new ChildExitError(`task ${final.id}`, code);
      }
    }
  },
);

function agentOf(setting: string | undefined): string {
  const a = setting ?? DEFAULT_AGENT;
  if (a === 'none') {
    throw new UsageError('the project has no agent (agent: none): a task needs one', { hint: `name it: --agent ${TASK_AGENTS.join('|')}` });
  }
  return a;
}

/** Every flag checked before anything is read or sent. */
export function checkFlags(opts: RunFlags): {
  worktree?: string;
  maxTurns?: number;
  maxBudgetUsd?: number;
  timeoutSeconds: number;
  name?: string;
} {
  const out: ReturnType<typeof checkFlags> = { timeoutSeconds: 0 };
  const ms = parseTaskTimeout(opts.timeout ?? DEFAULT_TASK_TIMEOUT);
  out.timeoutSeconds = Math.round(ms / 1000);
  if (opts.maxTurns !== undefined) {
    if (!/^\d+$/.test(opts.maxTurns) || Number(opts.maxTurns) < 1 || Number(opts.maxTurns) > 1000) {
      throw new UsageError(`--max-turns "${opts.maxTurns}" must be a whole number from 1 to 1000`, { hint: 'e.g. --max-turns 30' });
    }
    out.maxTurns = Number(opts.maxTurns);
  }
  if (opts.maxBudget !== undefined) {
    const usd = Number(opts.maxBudget);
    if (!/^\d+(\.\d+)?$/.test(opts.maxBudget) || !(usd > 0) || usd > 1000) {
      throw new UsageError(`--max-budget "${opts.maxBudget}" must be an amount in USD above 0 and at most 1000`, {
        hint: 'e.g. --max-budget 2.50',
      });
    }
    out.maxBudgetUsd = usd;
  }
  if (opts.worktree !== undefined) {
    // git's own rules are checked in the pod; these keep an option or a path out of the name
    if (!/^[A-Za-z0-9][A-Za-z0-9._/-]{0,99}$/.test(opts.worktree) || opts.worktree.includes('..') || opts.worktree.endsWith('.lock')) {
      throw new UsageError(`--worktree "${opts.worktree}" is not a branch name rgsd accepts`, {
        hint: 'letters, digits and . _ - /, e.g. --worktree fix-login',
      });
    }
    out.worktree = opts.worktree;
  }
  if (opts.name !== undefined) {
    if (!/^[\w .:-]{1,40}$/.test(opts.name.trim())) {
      throw new UsageError(`--name "${opts.name}" must be 1 to 40 letters, digits, spaces or . : _ -`, { hint: 'e.g. --name login-fix' });
    }
    out.name = opts.name.trim();
  }
  return out;
}

/** --timeout of a task: 1m to 24h. */
export function parseTaskTimeout(text: string): number {
  const t = text.trim();
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(t);
  const ms = /^\d+$/.test(t)
    ? Number(t) * 1000
    : m && t
      ? (Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0)) * 1000
      : undefined;
  if (ms === undefined || ms < 60_000 || ms > 24 * 3_600_000) {
    throw new UsageError(`--timeout "${text}" must be a duration from 1m to 24h`, { hint: 'e.g. --timeout 30m or --timeout 2h' });
  }
  return ms;
}

export function checkPreset(agent: TaskAgent, preset: TaskPreset, fromFlag: boolean): void {
  if (TASK_PRESETS_OF[agent].includes(preset)) return;
  const where = fromFlag ? `--permissions ${preset}` : `the preset ${preset} (settings taskPermissions, or the default)`;
  throw new UsageError(
    `${where} cannot be kept by ${agent}: GSD has no permission modes (its headless mode answers its own confirmations)`,
    {
      hint: '--permissions full runs it with every right (the pod is the sandbox); for a restricted task use --agent claude or codex',
    },
  );
}

export function checkText(text: string): void {
  if (!text.trim()) throw new UsageError('the task is empty', { hint: 'give the task as a quoted argument or on stdin' });
  if (Buffer.byteLength(text) > MAX_TASK_BYTES) {
    throw new UsageError(`the task is ${Math.ceil(Buffer.byteLength(text) / 1024)} KiB; at most ${MAX_TASK_BYTES / 1024} KiB`, {
      hint: 'put long material in a file in the workspace and name it in the task',
    });
  }
}

async function readTask(): Promise<string> {
  const stream = taskInput.stream();
  if (stream.isTTY) {
    throw new UsageError('no task given', {
      hint: 'give it as a quoted argument (rgsd run myproj "fix the tests") or on stdin (rgsd run myproj < task.md)',
    });
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += b.length;
    if (size > MAX_TASK_BYTES + 1) break;
    chunks.push(b);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function limitsText(r: TaskRecord): string {
  const parts = [
    r.limits.maxTurns !== null ? plural(r.limits.maxTurns, 'turn') : 'no turn limit',
    r.limits.maxBudgetUsd !== null ? `$${r.limits.maxBudgetUsd}` : 'no spend limit',
    `${formatAge(r.limits.timeoutSeconds)} wall clock`,
  ];
  return parts.join(', ');
}

/** What `rgsd run` prints once the task runs. */
export function renderStarted(r: TaskRecord, project: string, waiting: boolean): string {
  const window = r.window ? `${r.window.session}:${r.window.index ?? '?'} "${r.window.name}"` : '-';
  const lines = [
    `task ${r.id} ${r.state}: ${r.agent} in window ${window}`,
    `  permissions: ${r.preset} → ${r.command.join(' ')}`,
    `  limits:      ${limitsText(r)}`,
    r.worktree ? `  worktree:    ${r.worktree.branch} (${r.worktree.path}${r.worktree.created ? ', new' : ''})` : `  directory:   ${r.cwd}`,
    ...r.notes.map((n) => `  note:        ${n}`),
  ];
  if (!waiting) lines.push(`follow it: rgsd tasks ${project} logs ${r.id} -f   stop it: rgsd tasks ${project} stop ${r.id}`);
  return lines.join('\n');
}

/** The last line of `rgsd run --wait`. */
export function renderFinal(r: TaskRecord): string {
  const what: Record<string, string> = {
    succeeded: 'succeeded',
    failed: `failed (the agent exited ${r.exitCode ?? '?'})`,
    refused: `finished with ${plural(r.refusals.length, 'refusal')}`,
    'timed-out': `timed out after ${formatAge(r.limits.timeoutSeconds)}`,
    stopped: 'was stopped',
    lost: 'was lost (the workstation restarted while it ran)',
  };
  const refusals = r.refusals.length ? `: ${r.refusals.map((x) => (x.detail ? `${x.tool} (${x.detail})` : x.tool)).join(', ')}` : '';
  const code = r.state === 'failed' ? (r.exitCode ?? 1) : ((TASK_EXIT_CODES as Record<string, number>)[r.state] ?? 1);
  return `task ${r.id} ${what[r.state] ?? r.state}${refusals} — exit ${code}`;
}
