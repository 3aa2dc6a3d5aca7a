// `rgsd nuke [project]` — destroy a project (release, home volume, Secret, its namespace if
// rgsd created it and nothing else is there) after the project name is typed or --confirm'ed.
import type { App } from '../core/app.js';
import { nuke, type NukeOptions } from '../ops/nuke.js';

export async function run(app: App, project: string | undefined, opts: NukeOptions): Promise<void> {
  await nuke(app, project, opts);
}
