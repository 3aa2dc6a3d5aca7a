// `rgsd down`: uninstall the release, delete the Secret, confirm the home PVC survived.
import type { App } from '../core/app.js';
import { listReleases, uninstallArgs } from '../core/helm.js';
import { classifyClusterError, isNotFound, kubectl, type Target } from '../core/kube.js';
import { openProject } from './project.js';

export interface DownResult {
  project: string;
  target: Target;
  releaseRemoved: boolean;
  secretRemoved: boolean;
  pvc: { name: string; capacity: string | null; phase: string | null } | null;
}

export async function down(app: App, projectArg: string | undefined, opts: { dryRun?: boolean } = {}): Promise<DownResult> {
  const { project, names, target } = await openProject(app, projectArg, { command: 'down', requireSettings: false });
  const dryRun = Boolean(opts.dryRun ?? app.globals.dryRun);
  const { out } = app;
  const [release] = await listReleases(app.runner, app.tools, target, project);
  let releaseRemoved = false;
  if (release) {
    try {
      await app.runner.run(app.tools.helm, uninstallArgs(target, names.release), { mutates: true });
    } catch (err) {
      throw classifyClusterError(err, target);
    }
    releaseRemoved = true;
    if (!dryRun) out.success(`release ${project} uninstalled (was ${release.status}, revision ${release.revision})`);
  }
  const deleted = await kubectl(app.runner, app.tools, target, ['delete', 'secret', names.secret, '--ignore-not-found', '-o', 'name'], { mutates: true });
  const secretRemoved = deleted.trim().length > 0;
  if (secretRemoved && !dryRun) out.success(`Secret ${names.secret} deleted`);

  let pvc: DownResult['pvc'] = null;
  try {
    const obj = JSON.parse(await kubectl(app.runner, app.tools, target, ['get', 'pvc', names.pvc, '-o', 'json'])) as {
      status?: { phase?: string; capacity?: { storage?: string } };
    };
    pvc = { name: names.pvc, capacity: obj.status?.capacity?.storage ?? null, phase: obj.status?.phase ?? null };
  } catch (err) {
    if (!isNotFound(err) && !isNotFound((err as { cause?: unknown }).cause)) throw err;
  }
  if (!release && !secretRemoved && !dryRun) out.info(`${project} is not installed in namespace ${target.namespace} (context ${target.context}); nothing to do`);
  if (pvc) {
    out.success(`home volume ${pvc.name} is kept (${pvc.capacity ?? 'size unknown'}, ${pvc.phase ?? 'unknown'}): \`rgsd up ${project}\` reattaches it, \`rgsd nuke ${project}\` deletes it`);
  } else if (release) {
    out.warn(`no home volume ${names.pvc} found in ${target.namespace} (it was never created, or was deleted)`);
  }
  return { project, target, releaseRemoved: releaseRemoved && !dryRun, secretRemoved: secretRemoved && !dryRun, pvc };
}
