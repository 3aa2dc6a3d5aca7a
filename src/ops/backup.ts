// `rgsd backup`: the home streamed from the pod into a local .tar.gz, checked against the
// pod's own byte count and sha256 of the stream, then read through (gzip CRC, every tar
// header, every file's sha256) into the manifest beside it. The archive is written to
// `<out>.partial` (0600) and only linked to `<out>` once everything agreed, so an interrupted
// or failed backup leaves no file that looks complete. ARCHITECTURE.md "Backup".
import { randomBytes } from 'node:crypto';
import { basename, dirname, join, resolve } from 'node:path';
import { Transform } from 'node:stream';
import { awaitBackupResult, type BackupEvent, backupResult, type PodBackupResult, streamBackup } from '../cluster/backup.js';
import type { Target } from '../cluster/gateway.js';
import type { App } from '../core/app.js';
import { RefusedError, RgsdError, UsageError } from '../core/errors.js';
import type { ProjectNames } from '../core/names.js';
import type { TarEntry } from '../core/tar.js';
import type { BackupKind } from '../core/vocab.js';

export interface BackupPlan {
  id: string;
  /** the archive (absolute) */
  out: string;
  /** where it is written until it is verified */
  partial: string;
  manifest: string;
  include: BackupKind[];
  exclude: string[];
}

/** The manifest beside the archive (`<out>.manifest.json`). */
export interface BackupManifest {
  schemaVersion: 1;
  project: string;
  created: string;
  archive: string;
  bytes: number;
  sha256: string;
  tarBytes: number;
  /** what compressed it in the pod (`pigz -p N`, `gzip`); absent when an older image did not say */
  compressor?: string;
  files: number;
  fileBytes: number;
  included: string[];
  excluded: string[];
  userExcludes: string[];
  /** files that changed or vanished while tar read them (they may be inconsistent) */
  changed: string[];
  sqlite: PodBackupResult['sqlite'];
  entries: TarEntry[];
}

export interface BackupResult {
  archive: string;
  manifest: string;
  bytes: number;
  sha256: string;
  files: number;
  fileBytes: number;
  changed: string[];
  sqlite: PodBackupResult['sqlite'];
  seconds: number;
}

const stamp = (d: Date): string => d.toISOString().replace(/\..*$/, '').replace(/[-:]/g, '').replace('T', '-');

/** Checks the output paths (nothing is created here). */
export async function planBackup(
  project: string,
  o: { output?: string | undefined; include: BackupKind[]; exclude: string[]; cwd: string; now: Date },
): Promise<BackupPlan> {
  const { existsSync, statSync, accessSync, constants } = await import('node:fs');
  const out = resolve(o.cwd, o.output ?? `${project}-${stamp(o.now)}.tar.gz`);
  const manifest = `${out}.manifest.json`;
  for (const p of [out, manifest]) {
    if (existsSync(p))
      throw new RefusedError(`${p} already exists; rgsd backup never overwrites a file`, { hint: 'choose another name with -o' });
  }
  const dir = dirname(out);
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
    accessSync(dir, constants.W_OK);
  } catch {
    throw new UsageError(`cannot write into ${dir}`, { hint: 'give -o a file in a directory that exists and that you can write' });
  }
  if (!isDir) throw new UsageError(`${dir} is not a directory`, { hint: 'give -o a file in a directory that exists' });
  for (const p of o.exclude) {
    if (!p.trim() || p.includes('\n'))
      throw new UsageError('--exclude needs a pattern on one line', { hint: "e.g. --exclude 'workspace/*/node_modules'" });
  }
  const id = `b${stamp(o.now).toLowerCase()}-${randomBytes(3).toString('hex')}`;
  return { id, out, partial: `${out}.${id}.partial`, manifest, include: o.include, exclude: o.exclude };
}

/** A byte counter and sha256 in front of the file. `truncateAt` (a test hook, RGSD_TEST_BACKUP_TRUNCATE)
 * drops every byte after that many: a stream that lost its tail without an error. */
async function counter(truncateAt: number | undefined) {
  const { createHash } = await import('node:crypto');
  const hash = createHash('sha256');
  const state = { bytes: 0 };
  const t = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      let piece = chunk;
      if (truncateAt !== undefined) piece = chunk.subarray(0, Math.max(0, truncateAt - state.bytes));
      state.bytes += piece.length;
      hash.update(piece);
      cb(null, piece);
    },
  });
  return { stream: t, state, digest: () => hash.digest('hex') };
}

/** How long the pod may take to answer with the result once the stream has ended. */
const RESULT_TIMEOUT_MS = 60_000;

/** The waiting second call's answer, or an error when it has none `ms` after the stream ended. */
async function resultWithin(
  waiting: Promise<PodBackupResult | null>,
  asking: AbortController,
  ms: number,
): Promise<PodBackupResult | null> {
  let late = false;
  const timer = setTimeout(() => {
    late = true;
    asking.abort();
  }, ms);
  timer.unref();
  try {
    return await waiting;
  } catch (err) {
    if (late) {
      throw new RgsdError(`the workstation did not answer with the backup's result within ${ms / 1000} s of the stream's end`, {
        hint: 'nothing was kept; run rgsd backup again',
      });
    }
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

/** Runs the backup; `onEvent` gets the pod's estimate, progress and warnings. */
export async function runBackup(
  app: App,
  t: Target,
  names: ProjectNames,
  project: string,
  plan: BackupPlan,
  onEvent: (e: BackupEvent | { kind: 'received'; bytes: number } | { kind: 'verifying' }) => void,
  opts: { resultTimeoutMs?: number } = {},
): Promise<BackupResult> {
  const fs = await import('node:fs');
  const started = Date.now();
  const cleanup = (): void => {
    for (const p of [plan.partial, `${plan.manifest}.${plan.id}.partial`]) fs.rmSync(p, { force: true });
  };
  // process.exit on Ctrl-C (main.ts) runs no finally: the partial file goes on 'exit'
  process.once('exit', cleanup);
  let file: import('node:fs').WriteStream | undefined;
  // stops the waiting second call on any way out (a failed stream, a failed local write)
  const asking = new AbortController();
  try {
    const out = fs.createWriteStream(plan.partial, { flags: 'wx', mode: 0o600 });
    file = out;
    const opened = new Promise<void>((res, rej) => {
      out.once('open', () => res());
      out.once('error', rej);
    });
    await opened;
    const written = new Promise<void>((res, rej) => {
      out.once('finish', res);
      out.once('error', rej);
    });
    const hook = app.env.RGSD_TEST_BACKUP_TRUNCATE;
    const c = await counter(hook && /^\d+$/.test(hook) ? Number(hook) : undefined);
    c.stream.pipe(out);
    // the archive is read through as it arrives (gzip CRC, every tar header, each file's
    // sha256), concurrently with the write: no second pass over the file at the end
    const { tarGzChecker } = await import('../core/tar.js');
    const check = await tarGzChecker();
    c.stream.pipe(check.input);
    // a write error (a full disk): the rest of the stream is drained so that kubectl ends,
    // and the error is thrown once it has
    written.catch(() => undefined);
    out.once('error', () => {
      c.stream.unpipe(out);
      c.stream.resume();
    });
    let lastShown = 0;
    c.stream.on('data', () => {
      if (c.state.bytes - lastShown >= 256 * 1024) {
        lastShown = c.state.bytes;
        onEvent({ kind: 'received', bytes: c.state.bytes });
      }
    });
    // the second call (the pod's count and sha256) starts as soon as the stream has begun (its
    // estimate line) and waits in the pod for the stream's end: its own start overlaps the
    // stream instead of following it
    let waiting: Promise<PodBackupResult | null> | undefined;
    const onStreamEvent = (e: BackupEvent): void => {
      if (e.kind === 'estimate' && !waiting) {
        waiting = awaitBackupResult(app, t, names, plan.id, asking.signal);
        waiting.catch(() => undefined);
      }
      onEvent(e);
    };
    try {
      await streamBackup(app, t, names, { id: plan.id, include: plan.include, exclude: plan.exclude }, c.stream, onStreamEvent);
    } catch (err) {
      asking.abort();
      await waiting?.catch(() => undefined);
      throw err;
    }
    c.stream.end();
    await written;
    const localSha = c.digest();
    const pod =
      (waiting && (await resultWithin(waiting, asking, opts.resultTimeoutMs ?? RESULT_TIMEOUT_MS))) ??
      (await backupResult(app, t, names, plan.id));
    if (!pod.ok) {
      throw new RgsdError(`the backup failed in the pod: ${pod.errors[0] ?? `tar exit ${pod.tarExit}`}`, {
        hint: `nothing was kept; see \`rgsd logs ${project}\``,
        details: pod.errors.slice(1),
      });
    }
    if (pod.bytes !== c.state.bytes || pod.sha256 !== localSha) {
      throw new RgsdError(
        pod.bytes !== c.state.bytes
          ? `the archive arrived incomplete: ${c.state.bytes} of the ${pod.bytes} bytes the pod sent`
          : 'the archive arrived damaged: its sha256 differs from the one the pod computed',
        { hint: 'nothing was kept; run rgsd backup again (a kubectl exec stream can lose its end without an error)' },
      );
    }
    onEvent({ kind: 'verifying' });
    let entries: TarEntry[];
    try {
      entries = await check.entries;
    } catch (err) {
      throw new RgsdError(`the archive does not read back: ${(err as Error).message}`, {
        hint: 'nothing was kept; run rgsd backup again',
      });
    }
    const files = entries.filter((e) => e.type === 'file');
    const fileBytes = files.reduce((n, e) => n + e.size, 0);
    const manifest: BackupManifest = {
      schemaVersion: 1,
      project,
      created: new Date(pod.finished).toISOString(),
      archive: basename(plan.out),
      bytes: pod.bytes,
      sha256: pod.sha256,
      tarBytes: pod.tarBytes,
      ...(pod.compressor ? { compressor: pod.compressor } : {}),
      files: files.length,
      fileBytes,
      included: pod.included,
      excluded: pod.excluded,
      userExcludes: plan.exclude,
      changed: pod.changed,
      sqlite: pod.sqlite,
      entries,
    };
    const manifestPartial = `${plan.manifest}.${plan.id}.partial`;
    fs.writeFileSync(manifestPartial, `${JSON.stringify(manifest, null, 2)}\n`, { flag: 'wx', mode: 0o600 });
    // link, not rename: a file that appeared meanwhile is still never overwritten
    linkNew(fs, manifestPartial, plan.manifest);
    try {
      linkNew(fs, plan.partial, plan.out);
    } catch (err) {
      fs.rmSync(plan.manifest, { force: true });
      throw err;
    }
    return {
      archive: plan.out,
      manifest: plan.manifest,
      bytes: pod.bytes,
      sha256: pod.sha256,
      files: files.length,
      fileBytes,
      changed: pod.changed,
      sqlite: pod.sqlite,
      seconds: (Date.now() - started) / 1000,
    };
  } finally {
    asking.abort();
    if (file && !file.closed) file.destroy();
    cleanup();
    process.off('exit', cleanup);
  }
}

function linkNew(fs: typeof import('node:fs'), from: string, to: string): void {
  try {
    fs.linkSync(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new RefusedError(`${to} appeared while the backup ran; rgsd backup never overwrites a file`, {
        hint: `choose another name with -o (the finished archive was ${join(dirname(to), basename(from))}, now removed)`,
      });
    }
    throw err;
  }
}
