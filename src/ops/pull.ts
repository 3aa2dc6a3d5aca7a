// `rgsd pull`: one file or folder of the pod's home back here. ONE `kubectl exec` streams
// `tar -c` of it (cluster/push.ts) into a private temporary file; the archive is then read
// twice: first every header checked (its end-of-archive blocks: a stream cut short is an
// error; every path inside the one pulled, no absolute path, no `..`), then extracted by our
// own reader (core/tar.ts), which never writes through a symlink and keeps modes and times.
// An existing local file is never overwritten without --force. ARCHITECTURE.md "Push and pull".
import { dirname, isAbsolute, join, posix, resolve } from 'node:path';
import { streamPull } from '../cluster/push.js';
import type { Target } from '../cluster/gateway.js';
import type { App } from '../core/app.js';
import { RefusedError, RgsdError, UsageError } from '../core/errors.js';
import type { ProjectNames } from '../core/names.js';
import type { TarEntry, TarSink } from '../core/tar.js';
import { IN_POD } from '../core/vocab.js';

export interface PullPlan {
  /** relative to the pod's home */
  remote: string;
  /** its directory ('.' at the top) and name */
  dir: string;
  name: string;
  /** where it lands here (absolute) */
  dest: string;
  force: boolean;
}

export interface PullResult {
  remote: string;
  local: string;
  type: TarEntry['type'];
  files: number;
  dirs: number;
  symlinks: number;
  bytes: number;
  archiveBytes: number;
  seconds: number;
  skipped: string[];
}

/** The remote path relative to the pod's home (relative, `~/…`, or absolute inside it). */
export function podRelative(remote: string): string {
  if (remote.trim() === '' || remote.includes('\0') || remote.includes('\n'))
    throw new UsageError('an empty remote path', { hint: 'rgsd pull <project> workspace/notes.md' });
  let p = remote.startsWith('~/') ? remote.slice(2) : remote;
  if (isAbsolute(p)) {
    const n = posix.normalize(p);
    if (n !== IN_POD.home && !n.startsWith(`${IN_POD.home}/`)) {
      throw new UsageError(`${remote} is not in the pod's home (${IN_POD.home})`, {
        hint: 'give a path relative to the home, e.g. workspace/notes.md',
      });
    }
    p = n.slice(IN_POD.home.length + 1);
  }
  const rel = posix.normalize(p).replace(/\/+$/, '');
  if (rel === '' || rel === '.' || rel === '~') {
    throw new UsageError('rgsd pull copies a file or folder of the home, not all of it', {
      hint: 'rgsd backup copies the whole home',
    });
  }
  if (rel === '..' || rel.startsWith('../')) {
    throw new UsageError(`${remote} is outside the pod's home`, { hint: 'give a path relative to the home, e.g. workspace/notes.md' });
  }
  return rel;
}

/** Checks both ends, locally (nothing is created here). */
export async function planPull(o: { remote: string; local?: string | undefined; cwd: string; force: boolean }): Promise<PullPlan> {
  const fs = await import('node:fs');
  const remote = podRelative(o.remote);
  const name = posix.basename(remote);
  const dir = posix.dirname(remote);
  let dest: string;
  const isDir = (p: string): boolean => {
    try {
      return fs.statSync(p).isDirectory();
    } catch {
      return false;
    }
  };
  if (o.local === undefined || o.local === '') dest = join(o.cwd, name);
  else {
    const abs = resolve(o.cwd, o.local);
    if (isDir(abs)) dest = join(abs, name);
    else if (/\/$/.test(o.local)) throw new UsageError(`${o.local} is not a directory`, { hint: 'create it first, or leave out the /' });
    else dest = abs;
  }
  const parent = dirname(dest);
  if (!isDir(parent)) throw new UsageError(`${parent} is not a directory`, { hint: 'pull into a directory that exists' });
  try {
    fs.accessSync(parent, fs.constants.W_OK);
  } catch {
    throw new UsageError(`cannot write into ${parent}`, { hint: 'pull into a directory you can write' });
  }
  let existing: import('node:fs').Stats | undefined;
  try {
    existing = fs.lstatSync(dest);
  } catch {
    existing = undefined;
  }
  if (existing && !o.force) {
    throw new RefusedError(`${dest} already exists; rgsd pull does not overwrite it`, {
      hint: 'add --force to replace it (a folder is merged: what the pod has replaces files of the same name), or pull elsewhere',
    });
  }
  return { remote, dir, name, dest, force: o.force };
}

/** Reads a plain tar file through a TarReader (with a sink: extracting). */
async function readTarFile(file: string, sink?: TarSink): Promise<TarEntry[]> {
  const { createReadStream } = await import('node:fs');
  const { TarReader } = await import('../core/tar.js');
  const reader = new TarReader(sink);
  for await (const chunk of createReadStream(file)) reader.push(chunk as Buffer);
  return reader.end();
}

/** The path inside the pulled thing of an archive path, or undefined when it is not in it. */
function inside(entryPath: string, name: string): string | undefined {
  if (entryPath.startsWith('/') || entryPath.split('/').some((s) => s === '..')) return undefined;
  if (entryPath === name) return '';
  return entryPath.startsWith(`${name}/`) ? entryPath.slice(name.length) : undefined;
}

/** Extracts the checked archive `file` at `plan.dest`. */
async function extract(file: string, plan: PullPlan, counts: Omit<PullResult, 'remote' | 'local' | 'archiveBytes' | 'seconds'>) {
  const fs = await import('node:fs');
  const map = (p: string): string => plan.dest + (inside(p, plan.name) ?? '');
  const dirs: { path: string; mode: number; mtime: number }[] = [];
  let fd: number | undefined;
  let current: { path: string; mode: number; mtime: number } | undefined;
  // never through a symlink: every directory between the destination's parent and the entry
  const noLinkOnTheWay = (target: string) => {
    let p = dirname(target);
    while (p.length >= plan.dest.length) {
      if (fs.lstatSync(p).isSymbolicLink()) throw new RgsdError(`${p} is a symlink; rgsd pull does not write through one`);
      p = dirname(p);
    }
  };
  const clear = (target: string) => {
    let st: import('node:fs').Stats | undefined;
    try {
      st = fs.lstatSync(target);
    } catch {
      return;
    }
    if (st.isDirectory()) throw new RgsdError(`${target} is a directory here; the pod has a file there`, { hint: 'move it away first' });
    fs.unlinkSync(target);
  };
  const sink: TarSink = {
    start(e, mtime) {
      const target = map(e.path);
      noLinkOnTheWay(target);
      if (e.type === 'dir') {
        let st: import('node:fs').Stats | undefined;
        try {
          st = fs.lstatSync(target);
        } catch {
          st = undefined;
        }
        if (st && !st.isDirectory()) {
          throw new RgsdError(`${target} is a file here; the pod has a folder there`, { hint: 'move it away first' });
        }
        if (!st) fs.mkdirSync(target, { mode: 0o700 });
        dirs.push({ path: target, mode: e.mode, mtime });
        counts.dirs++;
      } else if (e.type === 'file') {
        clear(target);
        fd = fs.openSync(target, 'wx', 0o600);
        current = { path: target, mode: e.mode, mtime };
      } else if (e.type === 'symlink') {
        clear(target);
        fs.symlinkSync(e.link ?? '', target);
        counts.symlinks++;
      } else if (e.type === 'hardlink') {
        clear(target);
        fs.copyFileSync(map(e.link ?? ''), target);
        fs.chmodSync(target, e.mode);
        fs.utimesSync(target, mtime, mtime);
        counts.files++;
      }
    },
    data(chunk) {
      if (fd !== undefined) fs.writeSync(fd, chunk);
    },
    end(e) {
      if (e.type !== 'file' || fd === undefined || !current) return;
      fs.closeSync(fd);
      fd = undefined;
      fs.chmodSync(current.path, e.mode);
      fs.utimesSync(current.path, current.mtime, current.mtime);
      counts.files++;
      counts.bytes += e.size;
      current = undefined;
    },
  };
  try {
    await readTarFile(file, sink);
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
  // folders last (deepest first): their modes may forbid writing into them
  for (const d of dirs.reverse()) {
    fs.chmodSync(d.path, d.mode);
    fs.utimesSync(d.path, d.mtime, d.mtime);
  }
}

/** The one call, the checks, the extraction. */
export async function runPull(app: App, t: Target, names: ProjectNames, plan: PullPlan): Promise<PullResult> {
  const fs = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const started = Date.now();
  const tmp = fs.mkdtempSync(join(tmpdir(), 'rgsd-pull-'));
  const cleanup = (): void => fs.rmSync(tmp, { recursive: true, force: true });
  process.once('exit', cleanup);
  try {
    const file = join(tmp, 'archive.tar');
    const out = fs.createWriteStream(file, { flags: 'wx', mode: 0o600 });
    await new Promise<void>((res, rej) => {
      out.once('open', () => res());
      out.once('error', rej);
    });
    const written = new Promise<void>((res, rej) => {
      out.once('finish', res);
      out.once('error', rej);
    });
    written.catch(() => undefined);
    await streamPull(app, t, names, plan.dir, plan.name, out);
    out.end();
    await written;
    const archiveBytes = fs.statSync(file).size;
    const { TarFormatError } = await import('../core/tar.js');
    let entries: TarEntry[];
    try {
      entries = await readTarFile(file);
    } catch (err) {
      if (!(err instanceof TarFormatError)) throw err;
      throw new RgsdError(`the archive of ~/${plan.remote} arrived incomplete or damaged: ${err.message}`, {
        hint: 'nothing was written here; run rgsd pull again (a kubectl exec stream can lose its end without an error)',
      });
    }
    const bad = entries.find(
      (e) => inside(e.path, plan.name) === undefined || (e.type === 'hardlink' && inside(e.link ?? '', plan.name) === undefined),
    );
    if (bad) {
      throw new RgsdError(`the archive of ~/${plan.remote} holds ${bad.path}, outside what was asked for; nothing was written`, {
        hint: 'is the image older than this rgsd? `rgsd up` updates it',
      });
    }
    const top = entries.find((e) => e.path === plan.name);
    if (!top) throw new RgsdError(`the archive of ~/${plan.remote} is empty`, { hint: 'run rgsd pull again' });
    const skipped = entries.filter((e) => e.type === 'other').map((e) => e.path);
    const counts = { type: top.type, files: 0, dirs: 0, symlinks: 0, bytes: 0, skipped };
    await extract(file, plan, counts);
    return { remote: `~/${plan.remote}`, local: plan.dest, ...counts, archiveBytes, seconds: (Date.now() - started) / 1000 };
  } finally {
    cleanup();
    process.off('exit', cleanup);
  }
}
