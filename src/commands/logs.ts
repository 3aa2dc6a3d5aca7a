// `rgsd logs [project] [-f] [--tail N] [--previous] [--init]`
import type { App } from '../core/app.js';
import { logs, type LogsOptions } from '../ops/logs.js';

export async function run(app: App, project: string | undefined, opts: LogsOptions): Promise<void> {
  await logs(app, project, opts);
}
