// `rgsd down [project]` — remove the workload and its Secret, keep the home volume.
import type { App } from '../core/app.js';
import { down } from '../ops/down.js';

export async function run(app: App, project: string | undefined, opts: { dryRun?: boolean }): Promise<void> {
  await down(app, project, opts);
}
