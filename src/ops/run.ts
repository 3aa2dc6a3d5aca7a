// `rgsd run`: one agent task in the workstation. The task text goes to STDIN of one `kubectl
// exec -i deployment/<fullname> -c workstation -- /opt/rgsd/task start …` (never onto a command
// line); the SecretGuard checks that stdin like every other, and a task that holds a value of
// the secrets file is refused before anything runs. With --wait: `task logs -f` streamed to the
// terminal (or, for --json, `task wait --json`), then the final record.
import { isFinal, showTask, startTask, streamTaskLogs, waitTask, type StartTaskOptions, type TaskRecord } from '../cluster/tasks.js';
import type { Target } from '../cluster/gateway.js';
import type { App } from '../core/app.js';
import type { ProjectConfig } from '../core/config.js';
import { RefusedError } from '../core/errors.js';
import type { ProjectNames } from '../core/names.js';

export type { TaskRecord };

export interface RunRequest extends StartTaskOptions {
  text: string;
}

export type RunEvent = { kind: 'started'; task: TaskRecord } | { kind: 'following'; id: string };

/** Refuses a task that holds a value of the project's secrets file (before any call). */
export async function refuseSecretsInTask(app: App, cfg: ProjectConfig | undefined, text: string): Promise<void> {
  if (cfg) {
    const { existsSync } = await import('node:fs');
    if (existsSync(cfg.secretsFile)) {
      const { readSecretsEnv } = await import('../core/secrets.js');
      for (const [key, value] of Object.entries(await readSecretsEnv(cfg.secretsFile))) app.guard.register([value], `secret ${key}`);
    }
  }
  const label = app.guard.find(text);
  if (label !== undefined) {
    throw new RefusedError(`the task contains the value of ${label}: it would be stored in the pod's task file and given to the agent`, {
      hint: `refer to it by name instead (it is in the agent's environment as $${label.replace(/^secret /, '')}); nothing was sent`,
    });
  }
}

/** Starts the task; with `wait`, blocks until it ends and returns the final record too. */
export async function runTask(
  app: App,
  t: Target,
  names: ProjectNames,
  req: RunRequest,
  o: { wait: boolean; follow: boolean; onEvent?: (e: RunEvent) => void } = { wait: false, follow: false },
): Promise<{ started: TaskRecord; final: TaskRecord | null }> {
  const { text, ...opts } = req;
  const p = names.release;
  app.progress.begin(`see whether it started with \`rgsd tasks ${p}\``);
  app.progress.start('the start of the task', { risk: 'it may have started' });
  const started = await startTask(app, t, names, opts, text);
  // from here on, Ctrl-C leaves the task running in the pod: say how to find it
  app.progress.done(`task ${started.id} was started`, { next: `it goes on in the workstation: \`rgsd tasks ${p} logs ${started.id} -f\`` });
  o.onEvent?.({ kind: 'started', task: started });
  if (!o.wait || isFinal(started.state)) return { started, final: isFinal(started.state) ? started : null };
  // the wait may take as long as the task's own limit, plus its stop grace and the call
  const limitMs = (started.limits.timeoutSeconds + 120) * 1000;
  if (!o.follow) return { started, final: await waitTask(app, t, names, started.id, limitMs) };
  o.onEvent?.({ kind: 'following', id: started.id });
  await streamTaskLogs(app, t, names, started.id, { follow: true });
  let final = await showTask(app, t, names, started.id);
  // the log stream ended early (a dropped connection): wait for the end
  if (!isFinal(final.state)) final = await waitTask(app, t, names, started.id, limitMs);
  return { started, final };
}
