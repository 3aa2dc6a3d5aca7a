// `rgsd reset-home [project]` — delete the home's sentinel, then restart so init-home re-seeds.
import type { App } from '../core/app.js';
import { resetHome, type RestartOptions } from '../ops/restart.js';

export async function run(app: App, project: string | undefined, opts: RestartOptions): Promise<void> {
  await resetHome(app, project, opts);
}
