// `rgsd init <project>` — scaffold the settings and secrets files.
import type { App } from '../core/app.js';
import { init, type InitOptions } from '../ops/init.js';

export async function run(app: App, project: string | undefined, opts: InitOptions): Promise<void> {
  await init(app, project ?? '', opts);
}
