// `rgsd restore`: a backup (`rgsd backup`'s .tar.gz and its manifest) back into the project's
// home. The archive is checked against its manifest here first (byte count, sha256); then the
// workstation is scaled to 0, a helper pod mounts the home and `/opt/rgsd/restore apply`
// extracts the streamed archive into a staging directory, checks the count and sha256 of what
// arrived and swaps it in; the helper goes and the workstation comes back (init-home then
// rewrites the secret-backed files). The workstation comes back whatever happened after it was
// stopped. ARCHITECTURE.md "Restore".
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { Transform } from 'node:stream';
import type { Target } from '../cluster/gateway.js';
import {
  applyRestore,
  createHelperPod,
  deleteHelperPods,
  getWorkstationSpec,
  type HomeInspection,
  helperPodManifest,
  inspectHome,
  type PodRestoreResult,
  waitHelperReady,
} from '../cluster/restore.js';
import { scaleDeployment, waitPodsGone, waitRollout } from '../cluster/workload.js';
import type { App } from '../core/app.js';
import { RefusedError, RgsdError, UsageError } from '../core/errors.js';
import type { ProjectNames } from '../core/names.js';
import type { BackupManifest } from './backup.js';

export interface RestorePlan {
  id: string;
  archive: string;
  manifestPath: string;
  manifest: BackupManifest;
  /** paths the backup left out: kept from the current home */
  keep: string[];
  force: boolean;
}

export interface RestoreResult {
  archive: string;
  project: string;
  backupOf: string;
  created: string;
  bytes: number;
  sha256: string;
  files: number;
  kept: string[];
  seconds: number;
}

export type RestoreEvent =
  | { kind: 'stopping' }
  | { kind: 'helper' }
  | { kind: 'sending'; bytes: number; total: number }
  | { kind: 'starting'; timeoutMs: number }
  | { kind: 'ready' };

/** The archive's sha256 and size, streamed. */
async function fileDigest(path: string): Promise<{ sha256: string; bytes: number }> {
  const { createHash } = await import('node:crypto');
  const { createReadStream } = await import('node:fs');
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), bytes };
}

/** Local checks only: the file, its manifest, and that they agree. */
export async function planRestore(file: string, o: { cwd: string; force: boolean; now: Date }): Promise<RestorePlan> {
  const fs = await import('node:fs');
  const archive = resolve(o.cwd, file);
  const manifestPath = `${archive}.manifest.json`;
  let st: import('node:fs').Stats;
  try {
    st = fs.statSync(archive);
  } catch {
    throw new UsageError(`${archive} does not exist`, { hint: 'give the .tar.gz that `rgsd backup` wrote' });
  }
  if (!st.isFile()) throw new UsageError(`${archive} is not a file`, { hint: 'give the .tar.gz that `rgsd backup` wrote' });
  let manifest: BackupManifest;
  try {
    manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as BackupManifest;
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    throw new UsageError(`${missing ? 'no manifest beside the archive' : 'the manifest does not read'}: ${manifestPath}`, {
      hint: 'rgsd backup writes <file>.manifest.json beside the archive; restore needs both',
    });
  }
  if (manifest?.schemaVersion !== 1 || typeof manifest.sha256 !== 'string' || typeof manifest.bytes !== 'number') {
    throw new UsageError(`${manifestPath} is not an rgsd backup manifest (schemaVersion 1)`, {
      hint: 'is it from a newer rgsd? restore with that version',
    });
  }
  if (st.size !== manifest.bytes) {
    throw new RgsdError(`${archive} has ${st.size} bytes, its manifest says ${manifest.bytes}`, {
      hint: 'the archive is incomplete or not the one the manifest describes; nothing was changed',
    });
  }
  const d = await fileDigest(archive);
  if (d.sha256 !== manifest.sha256) {
    throw new RgsdError(`${archive} is damaged: its sha256 differs from the manifest's`, {
      hint: 'restore another backup; nothing was changed',
    });
  }
  const keep = (manifest.excluded ?? []).filter((p) => typeof p === 'string' && p && !p.startsWith('/') && !p.split('/').includes('..'));
  const stamp = o.now.toISOString().replace(/\..*$/, '').replace(/[-:T]/g, '').toLowerCase();
  return { id: `r${stamp}-${randomBytes(3).toString('hex')}`, archive, manifestPath, manifest, keep, force: o.force };
}

/** What is in the home now, asked of the running workstation (before anything is stopped). */
export async function inspectRunningHome(app: App, t: Target, names: ProjectNames, keep: readonly string[]): Promise<HomeInspection> {
  return inspectHome(app, t, names, keep);
}

function refusal(p: string, found: HomeInspection, retry: string): RefusedError {
  const more = found.contentCount > found.content.length ? ` and ${found.contentCount - found.content.length} more` : '';
  return new RefusedError(`not restoring into ${p}: its home is not empty (${found.content.join(', ')}${more})`, {
    hint: `back it up first (\`rgsd backup ${p}\`), then \`${retry} --force\` replaces it`,
  });
}

export { refusal as notEmptyRefusal };

/** Stops the workstation, restores through the helper pod, brings the workstation back. */
export async function runRestore(
  app: App,
  t: Target,
  names: ProjectNames,
  plan: RestorePlan,
  o: { timeoutMs: number; retry: string },
  onEvent: (e: RestoreEvent) => void,
): Promise<RestoreResult> {
  const started = Date.now();
  const p = names.release;
  const { progress } = app;
  const spec = await getWorkstationSpec(app, t, names);
  const scaleBack = `\`kubectl -n ${t.namespace} scale deployment/${names.deployment} --replicas=1\` brings the workstation back`;
  progress.begin(`re-run \`${o.retry}\``);
  onEvent({ kind: 'stopping' });
  progress.start('the stop of the workstation', { risk: 'the workstation may be left stopped', next: scaleBack });
  await scaleDeployment(app, t, names, 0);
  let result: PodRestoreResult | undefined;
  let failure: unknown;
  try {
    await waitPodsGone(app, t, names.selector, o.timeoutMs);
    progress.done('the workstation was stopped (scaled to 0)', { next: `re-run \`${o.retry}\`, or ${scaleBack}` });
    onEvent({ kind: 'helper' });
    progress.start('the restore helper pod');
    await deleteHelperPods(app, t, names);
    // the helper ends itself after the whole wait plus an hour of transfer, whatever the CLI does
    await createHelperPod(app, t, helperPodManifest(spec, names, Math.ceil(o.timeoutMs / 1000) + 3600));
    await waitHelperReady(app, t, names, o.timeoutMs);
    if (!plan.force) {
      const found = await inspectHome(app, t, names, plan.keep, true);
      if (!found.empty) throw refusal(p, found, o.retry);
    }
    progress.done('the restore helper pod is ready');
    const { createReadStream } = await import('node:fs');
    let sent = 0;
    let shown = 0;
    const total = plan.manifest.bytes;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        sent += chunk.length;
        if (sent - shown >= 256 * 1024 || sent === total) {
          shown = sent;
          onEvent({ kind: 'sending', bytes: sent, total });
        }
        cb(null, chunk);
      },
    });
    const source = createReadStream(plan.archive);
    source.pipe(meter);
    progress.start('the transfer into the home', { risk: 'the home is unchanged unless the pod got to its swap' });
    try {
      result = await applyRestore(
        app,
        t,
        names,
        { id: plan.id, bytes: plan.manifest.bytes, sha256: plan.manifest.sha256, keep: plan.keep, force: plan.force },
        meter,
      );
    } finally {
      source.destroy();
    }
    progress.done(`the home was restored from ${plan.archive}`);
  } catch (err) {
    failure = err;
  }
  // whatever happened: no helper left, the workstation back
  const cleanup: unknown[] = [];
  await deleteHelperPods(app, t, names).catch((e: unknown) => cleanup.push(e));
  progress.start('the start of the workstation', { risk: 'the workstation may be left stopped', next: scaleBack });
  await scaleDeployment(app, t, names, 1).catch((e: unknown) => cleanup.push(e));
  if (failure) {
    if (cleanup.length) {
      throw new RgsdError(
        `${(failure as Error).message}; and the workstation could not be started again: ${(cleanup[0] as Error).message}`,
        {
          hint: scaleBack,
          cause: failure,
        },
      );
    }
    throw failure;
  }
  if (cleanup.length) throw cleanup[0];
  onEvent({ kind: 'starting', timeoutMs: o.timeoutMs });
  await waitRollout(app, t, names, o.timeoutMs);
  progress.done('the workstation is ready again');
  onEvent({ kind: 'ready' });
  const r = result as PodRestoreResult;
  return {
    archive: plan.archive,
    project: p,
    backupOf: plan.manifest.project,
    created: plan.manifest.created,
    bytes: r.bytes,
    sha256: r.sha256,
    files: r.files,
    kept: r.kept,
    seconds: (Date.now() - started) / 1000,
  };
}
