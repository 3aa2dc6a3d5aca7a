// `rgsd up [project]` — install or upgrade, wait for tmux, print how to connect.
import type { App } from '../core/app.js';
import { up, type UpOptions } from '../ops/deploy.js';

export async function run(app: App, project: string | undefined, opts: UpOptions): Promise<void> {
  await up(app, project, opts);
}
