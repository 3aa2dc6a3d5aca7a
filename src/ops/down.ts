// `rgsd down`: uninstall the release, delete the Secret, then look at the home PVC (kept by
// the chart's keep policy) so the command can say it survived. Under --dry-run the runner
// skips (and prints) the two mutating calls; the reads still run. The project and its target
// are checked by the command (cli/open.ts) before the first call.
import type { Target } from '../cluster/gateway.js';
import { findRelease, uninstall, type HelmRelease } from '../cluster/release.js';
import { deleteSecret } from '../cluster/secret.js';
import { getHomeVolume, type HomeVolume } from '../cluster/volume.js';
import type { App } from '../core/app.js';
import type { ProjectNames } from '../core/names.js';

export interface DownResult {
  project: string;
  names: ProjectNames;
  target: Target;
  /** The release that was found (and uninstalled, unless this was a dry run), or null. */
  release: HelmRelease | null;
  /** The project's Secret was deleted (false when there was none, and under --dry-run). */
  secretRemoved: boolean;
  /** The home volume after the uninstall, or null when there is none. */
  pvc: HomeVolume | null;
  dryRun: boolean;
}

/** Reads first, then the two changes (each recorded in app.progress for Ctrl-C). */
export async function down(app: App, target: Target, names: ProjectNames): Promise<DownResult> {
  const p = names.release;
  const { progress } = app;
  if (!app.globals.dryRun) progress.begin(`re-run \`rgsd down ${p}\`: it finishes the job`);
  const release = await findRelease(app, target, p);
  if (release) {
    progress.start('helm uninstall', { risk: `release ${p} may be left uninstalling` });
    await uninstall(app, target, p);
    progress.done(`release ${p} was uninstalled`);
  }
  progress.start(`the deletion of Secret ${names.secret}`);
  const secretRemoved = await deleteSecret(app, target, names);
  progress.done(secretRemoved ? `Secret ${names.secret} was deleted` : `Secret ${names.secret} was gone already`);
  const pvc = await getHomeVolume(app, target, names);
  return { project: names.release, names, target, release, secretRemoved, pvc, dryRun: app.globals.dryRun };
}
