// `rgsd backup [project] [-o file] [--exclude PATTERN]… [--include KIND]… [--json]`
import { JSON_OPTION, defineCommand, projectArg } from '../cli/spec.js';
import type { Target } from '../cluster/gateway.js';
import type { App } from '../core/app.js';
import { isInterrupt, RgsdError, UsageError } from '../core/errors.js';
import type { ProjectNames } from '../core/names.js';
import type { BackupPlan, BackupResult } from '../ops/backup.js';
import { BACKUP_KINDS, type BackupKind } from '../core/vocab.js';

interface BackupFlags {
  output?: string;
  exclude?: string[];
  include?: string[];
}

/** --include values: kinds, each once, comma lists allowed. */
export function parseKinds(values: readonly string[]): BackupKind[] {
  const kinds = new Set<BackupKind>();
  for (const k of values.flatMap((v) => v.split(',')).map((v) => v.trim())) {
    if (!(BACKUP_KINDS as readonly string[]).includes(k)) {
      throw new UsageError(`--include "${k}" is not one of ${BACKUP_KINDS.join(', ')}`, { hint: 'e.g. --include transcripts' });
    }
    kinds.add(k as BackupKind);
  }
  return [...kinds];
}

export default defineCommand<BackupFlags>(
  {
    name: 'backup',
    summary: "stream the project's home into a local .tar.gz, with a manifest, verified end to end",
    description:
      'One `kubectl exec` streams the home (tar, gzip) into <file>.partial with a progress bar; a second fetches the byte ' +
      'count and sha256 the pod computed of that stream, and the local file must match both. The archive is then read ' +
      'back (gzip CRC, every header, every file) into <file>.manifest.json, and only then named <file>. Never overwrites. ' +
      `Left out unless asked for with --include: ${BACKUP_KINDS.join(', ')} (the secret-backed files and agents' login ` +
      "files come back from the Secret and a login). SQLite databases in WAL mode are copied through SQLite's backup " +
      'interface; a file that changes while it is read is reported, not fatal.',
    args: [projectArg()],
    options: [
      { flags: '-o, --output <file>', description: 'the archive (default: <project>-<yyyymmdd-hhmmss>.tar.gz here)', complete: 'file' },
      {
        flags: '--exclude <pattern>',
        description: 'leave out what matches (tar pattern, relative to the home; repeatable)',
        repeatable: true,
      },
      {
        flags: '--include <kind>',
        description: `also back up: ${BACKUP_KINDS.join(', ')} (repeatable, or a comma list)`,
        repeatable: true,
      },
      JSON_OPTION,
    ],
    examples: [
      'rgsd backup myproj',
      'rgsd backup myproj -o ~/myproj.tar.gz --exclude "workspace/*/node_modules"',
      'rgsd backup myproj --include transcripts,caches --json',
    ],
  },
  async (app, args, opts) => {
    const include = parseKinds(opts.include ?? []);
    const exclude = opts.exclude ?? [];
    const { openTarget, resolveProject } = await import('../cli/open.js');
    const ops = await import('../ops/backup.js');
    // the local checks (project, output file) before the target is resolved and announced
    const local = await resolveProject(app, args.project, { command: 'backup', requireSettings: false });
    const plan = await ops.planBackup(local.project, { output: opts.output, include, exclude, cwd: process.cwd(), now: app.now() });
    const opened = await openTarget(app, local);
    const result = await backupWithProgress(app, opened.target, opened.names, opened.project, plan);
    if (app.globals.json) {
      app.out.json({ schemaVersion: 1, project: opened.project, ...result });
      return;
    }
    const { bytes } = await import('../ui/podstate.js');
    const rate = result.seconds > 0 ? `, ${bytes(result.bytes / result.seconds)}/s` : '';
    app.out.data(`archive:  ${result.archive} (${bytes(result.bytes)}, sha256 ${result.sha256})`);
    app.out.data(`manifest: ${result.manifest}`);
    app.out.data(`files:    ${result.files} (${bytes(result.fileBytes)}) in ${Math.round(result.seconds)}s${rate}`);
    if (result.changed.length) app.out.data(`changed while read: ${result.changed.length} (listed in the manifest)`);
    for (const s of result.sqlite)
      app.out.data(`sqlite:   ${s.path} (${s.method === 'sqlite-backup' ? 'SQLite backup' : 'copied as files'})`);
  },
);

/** Runs a planned backup with its progress line (nuke --backup uses it too); warnings are shown
 * once it finished. */
export async function backupWithProgress(
  app: App,
  target: Target,
  names: ProjectNames,
  project: string,
  plan: BackupPlan,
): Promise<BackupResult> {
  const ops = await import('../ops/backup.js');
  const { transferLine } = await import('../ui/transfer.js');
  const state = { read: 0, estimate: 0, received: 0, elapsedSeconds: 0 };
  const started = Date.now();
  const spin = app.out.spinner(`backing up ${project} to ${plan.out}`);
  const warnings: string[] = [];
  const redraw = (): void => {
    state.elapsedSeconds = (Date.now() - started) / 1000;
    spin.update(transferLine(state));
  };
  let result: BackupResult;
  try {
    result = await ops.runBackup(app, target, names, project, plan, (e) => {
      if (e.kind === 'estimate') state.estimate = e.bytes;
      else if (e.kind === 'progress') state.read = e.bytes;
      else if (e.kind === 'received') state.received = e.bytes;
      else if (e.kind === 'verifying') {
        spin.update(`checking ${plan.out}`);
        return;
      } else if (e.kind === 'warning') warnings.push(e.text);
      redraw();
    });
  } catch (err) {
    spin.fail(`backup of ${project} failed`);
    // kubectl found no pod to exec into: a sleeping project says so, with the way to wake it
    if (err instanceof RgsdError && !isInterrupt(err) && !/^the (backup failed|archive arrived)/.test(err.message)) {
      const { refuseIfAsleep } = await import('../ops/sleep.js');
      await refuseIfAsleep(app, target, names, 'backup reads the home from the running workstation (the home is kept while it sleeps)');
    }
    throw err;
  }
  spin.succeed(`backed up ${project}`);
  for (const w of warnings) app.out.warn(w);
  return result;
}
