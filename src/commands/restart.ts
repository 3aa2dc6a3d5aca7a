// `rgsd restart [project]` — rollout restart after confirmation (ends the tmux session).
import type { App } from '../core/app.js';
import { restart, type RestartOptions } from '../ops/restart.js';

export async function run(app: App, project: string | undefined, opts: RestartOptions): Promise<void> {
  await restart(app, project, opts);
}
