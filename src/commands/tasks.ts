// `rgsd tasks [project] [list|show|logs|stop|wait] [id] [-f] [--tail N] [--json]`
import { JSON_OPTION, defineCommand, projectArg } from '../cli/spec.js';
import type { TaskRecord } from '../cluster/tasks.js';
import { UsageError } from '../core/errors.js';
import { TASK_ID_RE } from '../core/vocab.js';
import { formatAge, table } from '../ui/format.js';

interface TasksFlags {
  follow?: boolean;
  tail?: string;
  raw?: boolean;
}

export const ACTIONS = ['list', 'show', 'logs', 'stop', 'wait'] as const;
type Action = (typeof ACTIONS)[number];
const isAction = (w: string | undefined): w is Action => (ACTIONS as readonly string[]).includes(w ?? '');

/**
 * The positional words: `[project] [action] [id]`, where the project may be left out
 * (`rgsd tasks logs <id>`). The first word is the action when it is one of the action words
 * and what follows is a task id or nothing; a project named like an action is reached as
 * `rgsd tasks <project> list`.
 */
export function parseWords(words: (string | undefined)[]): { project: string | undefined; action: Action; id: string | undefined } {
  const w = words.filter((x): x is string => x !== undefined);
  let project: string | undefined;
  let action: string | undefined;
  let id: string | undefined;
  if (isAction(w[0]) && (w[1] === undefined || TASK_ID_RE.test(w[1])) && w.length <= 2) [action, id] = w;
  else [project, action, id] = w;
  action ??= 'list';
  if (!isAction(action)) {
    throw new UsageError(`"${action}" is not something rgsd tasks does`, {
      hint: `one of ${ACTIONS.join(', ')}, e.g. rgsd tasks ${project ?? 'myproj'} logs <id>`,
    });
  }
  if (action === 'list' && id !== undefined)
    throw new UsageError('rgsd tasks list takes no task id', { hint: `show one with \`rgsd tasks show ${id}\`` });
  if (action !== 'list') {
    if (id === undefined) throw new UsageError(`rgsd tasks ${action} needs a task id`, { hint: 'list them with `rgsd tasks`' });
    if (!TASK_ID_RE.test(id))
      throw new UsageError(`"${id}" is not a task id (e.g. t20261203-061500-ab12)`, { hint: 'list them with `rgsd tasks`' });
  }
  return { project, action: action as Action, id };
}

export default defineCommand<TasksFlags>(
  {
    name: 'tasks',
    summary: 'list the agent tasks of a project, or show, follow, stop or wait for one',
    description:
      "Actions: list (default), show <id>, logs <id> [-f] [--tail N], stop <id>, wait <id> (exits with the task's exit code). " +
      'One `kubectl exec` each. Task records live on the home volume: they survive `rgsd restart`.',
    args: [
      projectArg(),
      { name: 'action', required: false, description: `${ACTIONS.join(', ')} (default: list)` },
      { name: 'id', required: false, description: 'task id (show, logs, stop, wait)' },
    ],
    options: [
      { flags: '-f, --follow', description: 'logs: follow until the task ends' },
      { flags: '--tail <lines>', description: 'logs: only the last N lines' },
      { flags: '--raw', description: "logs: the output as recorded (Claude's stream-json events), not as text" },
      JSON_OPTION,
    ],
    examples: [
      'rgsd tasks',
      'rgsd tasks myproj --json',
      'rgsd tasks logs t20261203-061500-ab12 -f',
      'rgsd tasks myproj stop t20261203-061500-ab12',
    ],
  },
  async (app, args, opts) => {
    const { project, action, id } = parseWords([args.project, args.action, args.id]);
    let tail: number | undefined;
    if (opts.tail !== undefined) {
      if (!/^\d+$/.test(opts.tail.trim()))
        throw new UsageError(`--tail "${opts.tail}" is not a whole number of lines`, { hint: 'e.g. --tail 200' });
      tail = Number(opts.tail.trim());
    }
    if (action !== 'logs' && (opts.follow || opts.raw || tail !== undefined)) {
      throw new UsageError(`-f, --tail and --raw go with rgsd tasks logs, not ${action}`, { hint: `rgsd tasks logs ${id ?? '<id>'} -f` });
    }
    if (action === 'logs' && app.globals.json)
      throw new UsageError('rgsd tasks logs prints the log, not JSON', { hint: 'leave --json out' });
    const { openProject } = await import('../cli/open.js');
    const ops = await import('../ops/tasks.js');
    const opened = await openProject(app, project, { command: 'tasks', requireSettings: false });
    const { names, target } = opened;
    const json = app.globals.json;
    const taskId = id as string;
    if (action === 'list') {
      const doc = await ops.tasksDocument(app, target, names, opened.project);
      if (json) app.out.json(doc);
      else if (doc.tasks.length) app.out.data(renderTasks(doc.tasks, app.now()));
      else app.out.info(`no tasks in ${opened.project}; start one with \`rgsd run ${opened.project} "…"\``);
      return;
    }
    if (action === 'logs') {
      await ops.logs(app, target, names, taskId, { follow: Boolean(opts.follow), tail, raw: Boolean(opts.raw) });
      return;
    }
    const rec =
      action === 'show'
        ? await ops.getTask(app, target, names, taskId)
        : action === 'stop'
          ? await ops.stop(app, target, names, taskId)
          : await ops.wait(app, target, names, taskId, 25 * 3_600_000);
    if (json) app.out.json({ schemaVersion: 1, project: opened.project, task: rec });
    else app.out.data(renderTask(rec));
    if (action === 'wait') {
      const { taskExitCode } = await import('../cluster/tasks.js');
      const code = taskExitCode(rec);
      if (code !== 0) {
        const { ChildExitError } = await import('../core/errors.js');
        throw new ChildExitError(`task ${rec.id}`, code);
      }
    }
  },
);

function since(iso: string | null, now: Date): string {
  if (!iso) return '-';
  return `${formatAge((now.getTime() - Date.parse(iso)) / 1000)} ago`;
}

function took(r: TaskRecord, now: Date): string {
  const end = r.finished ? Date.parse(r.finished) : now.getTime();
  return formatAge((end - Date.parse(r.started)) / 1000);
}

export function renderTasks(tasks: readonly TaskRecord[], now: Date): string {
  const rows = [['ID', 'STATE', 'AGENT', 'PERMISSIONS', 'EXIT', 'STARTED', 'TOOK', 'WHERE', 'NAME']];
  for (const r of tasks) {
    rows.push([
      r.id,
      r.refusals.length && r.state !== 'refused' ? `${r.state}*` : r.state,
      r.agent,
      r.preset,
      r.exitCode === null ? '-' : String(r.exitCode),
      since(r.started, now),
      took(r, now),
      r.worktree ? `worktree ${r.worktree.branch}` : 'workspace',
      r.name,
    ]);
  }
  return table(rows);
}

export function renderTask(r: TaskRecord): string {
  const rows: [string, string][] = [
    ['task', `${r.id} (${r.name})`],
    ['state', `${r.state}${r.reason ? ` (${r.reason})` : ''}${r.exitCode === null ? '' : `, exit ${r.exitCode}`}`],
    ['agent', `${r.agent}, permissions ${r.preset}: ${r.command.join(' ')}`],
    ['window', r.window ? `${r.window.session}:${r.window.index ?? '?'} ${r.window.name}${r.pane ? ` (pane ${r.pane})` : ''}` : '-'],
    ['where', r.worktree ? `worktree ${r.worktree.branch} (${r.worktree.path})` : r.cwd],
    ['started', r.started],
    ['finished', r.finished ?? '-'],
    ['refusals', r.refusals.length ? r.refusals.map((x) => (x.detail ? `${x.tool} (${x.detail})` : x.tool)).join(', ') : 'none'],
    ['log', r.log],
  ];
  return table(rows.map(([k, v]) => [`${k}:`, v]));
}
