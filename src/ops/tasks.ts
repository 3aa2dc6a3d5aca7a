// `rgsd tasks`: the workstation's agent tasks — list, show, logs, stop, wait — one `kubectl
// exec deployment/<fullname> -c workstation -- /opt/rgsd/task …` each.
import type { Target } from '../cluster/gateway.js';
import { listTasks, showTask, stopTask, streamTaskLogs, waitTask, type TaskLogsOptions, type TaskRecord } from '../cluster/tasks.js';
import type { App } from '../core/app.js';
import { ChildExitError } from '../core/errors.js';
import type { ProjectNames } from '../core/names.js';

export type { TaskRecord };

export const TASK_ACTIONS = ['list', 'show', 'logs', 'stop', 'wait'] as const;
export type TaskAction = (typeof TASK_ACTIONS)[number];

/** `rgsd tasks --json` document. */
export interface TasksDocument {
  schemaVersion: 1;
  project: string;
  tasks: TaskRecord[];
}

export async function tasksDocument(app: App, t: Target, names: ProjectNames, project: string): Promise<TasksDocument> {
  return { schemaVersion: 1, project, tasks: await listTasks(app, t, names) };
}

export function getTask(app: App, t: Target, names: ProjectNames, id: string): Promise<TaskRecord> {
  return showTask(app, t, names, id);
}

export function stop(app: App, t: Target, names: ProjectNames, id: string): Promise<TaskRecord> {
  return stopTask(app, t, names, id);
}

/** Blocks until the task ends (at most `timeoutMs`). */
export function wait(app: App, t: Target, names: ProjectNames, id: string, timeoutMs: number): Promise<TaskRecord> {
  return waitTask(app, t, names, id, timeoutMs);
}

/** The task's log streamed to the terminal; kubectl's non-zero exit becomes rgsd's. */
export async function logs(app: App, t: Target, names: ProjectNames, id: string, o: TaskLogsOptions): Promise<void> {
  const code = await streamTaskLogs(app, t, names, id, o);
  if (code !== 0) throw new ChildExitError('kubectl exec', code);
}
