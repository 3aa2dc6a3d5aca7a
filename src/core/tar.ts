// A reader of gzip-compressed tar archives, for `rgsd backup`'s test of its own archive and
// its manifest: every header's checksum, GNU long names (L/K) and pax headers (x/g), every
// entry's data read to the end (sha256 of each regular file), the end-of-archive blocks, and
// gzip's own CRC and length checks (node:zlib). No dependency.
import { createHash, type Hash } from 'node:crypto';

export interface TarEntry {
  /** as stored, without a leading `./` (the archive root itself is `.`) */
  path: string;
  type: 'file' | 'dir' | 'symlink' | 'hardlink' | 'other';
  mode: number;
  size: number;
  /** sha256 of the content (regular files) */
  sha256?: string;
  /** symlink and hardlink targets */
  link?: string;
}

export class TarFormatError extends Error {}

const BLOCK = 512;

function field(h: Buffer, off: number, len: number): string {
  const s = h.subarray(off, off + len);
  const nul = s.indexOf(0);
  return (nul >= 0 ? s.subarray(0, nul) : s).toString('utf8');
}

function num(h: Buffer, off: number, len: number): number {
  const first = h[off] ?? 0;
  if (first & 0x80) {
    // GNU base-256
    let v = first & 0x7f;
    for (let i = 1; i < len; i++) v = v * 256 + (h[off + i] ?? 0);
    return v;
  }
  const s = field(h, off, len).trim();
  return s ? Number.parseInt(s, 8) : 0;
}

function checksumOk(h: Buffer): boolean {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : (h[i] ?? 0);
  return sum === num(h, 148, 8);
}

function paxRecords(data: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  while (i < data.length) {
    const sp = data.indexOf(0x20, i);
    if (sp < 0) break;
    const len = Number(data.subarray(i, sp).toString('ascii'));
    if (!Number.isInteger(len) || len <= 0) throw new TarFormatError('bad pax header');
    const rec = data.subarray(sp + 1, i + len - 1).toString('utf8');
    const eq = rec.indexOf('=');
    out[rec.slice(0, eq)] = rec.slice(eq + 1);
    i += len;
  }
  return out;
}

const clean = (p: string): string => p.replace(/^(\.\/)+/, '').replace(/\/+$/, '') || '.';

/** Push the decompressed tar bytes in; `end()` returns the entries (or throws TarFormatError). */
export class TarReader {
  readonly entries: TarEntry[] = [];
  #buf: Buffer = Buffer.alloc(0);
  /** bytes of the current entry's data (+ padding) still to come */
  #left = 0;
  #pad = 0;
  #meta: { kind: 'L' | 'K' | 'x' | 'g'; chunks: Buffer[] } | undefined;
  #hash: Hash | undefined;
  #current: TarEntry | undefined;
  #longName: string | undefined;
  #longLink: string | undefined;
  #pax: Record<string, string> = {};
  #ended = false;
  #zeros = 0;

  push(chunk: Buffer): void {
    this.#buf = this.#buf.length ? Buffer.concat([this.#buf, chunk]) : chunk;
    for (;;) {
      if (this.#left > 0) {
        const take = Math.min(this.#left, this.#buf.length);
        if (take === 0) return;
        const piece = this.#buf.subarray(0, take);
        this.#hash?.update(piece);
        this.#meta?.chunks.push(Buffer.from(piece));
        this.#left -= take;
        this.#buf = this.#buf.subarray(take);
        if (this.#left > 0) return;
        this.#finishData();
      }
      if (this.#pad > 0) {
        const take = Math.min(this.#pad, this.#buf.length);
        this.#pad -= take;
        this.#buf = this.#buf.subarray(take);
        if (this.#pad > 0) return;
      }
      if (this.#buf.length < BLOCK) return;
      const h = this.#buf.subarray(0, BLOCK);
      this.#buf = this.#buf.subarray(BLOCK);
      if (h.every((b) => b === 0)) {
        // the end is two zero blocks in a row (what follows is padding)
        this.#zeros++;
        if (this.#zeros >= 2) this.#ended = true;
        continue;
      }
      if (this.#ended || this.#zeros) throw new TarFormatError('data after the end of the archive');
      this.#header(h);
    }
  }

  #header(h: Buffer): void {
    if (!checksumOk(h)) throw new TarFormatError(`bad header checksum after ${this.entries.length} entries`);
    const size = num(h, 124, 12);
    const flag = String.fromCharCode(h[156] ?? 0);
    this.#left = size;
    this.#pad = (BLOCK - (size % BLOCK)) % BLOCK;
    if (flag === 'L' || flag === 'K' || flag === 'x' || flag === 'g') {
      this.#meta = { kind: flag, chunks: [] };
      if (size === 0) this.#finishData();
      return;
    }
    const magic = field(h, 257, 6);
    const prefix = magic === 'ustar' ? field(h, 345, 155) : '';
    const rawName = this.#pax.path ?? this.#longName ?? (prefix ? `${prefix}/${field(h, 0, 100)}` : field(h, 0, 100));
    const link = this.#pax.linkpath ?? this.#longLink ?? field(h, 157, 100);
    const realSize = this.#pax.size !== undefined ? Number(this.#pax.size) : size;
    this.#longName = undefined;
    this.#longLink = undefined;
    this.#pax = {};
    const type: TarEntry['type'] =
      flag === '0' || flag === '\0' || flag === '7'
        ? 'file'
        : flag === '5'
          ? 'dir'
          : flag === '2'
            ? 'symlink'
            : flag === '1'
              ? 'hardlink'
              : 'other';
    const entry: TarEntry = { path: clean(rawName), type, mode: num(h, 100, 8) & 0o7777, size: type === 'file' ? realSize : 0 };
    if (type === 'symlink' || type === 'hardlink') entry.link = link;
    this.#left = realSize;
    this.#pad = (BLOCK - (realSize % BLOCK)) % BLOCK;
    this.#current = entry;
    this.#hash = type === 'file' ? createHash('sha256') : undefined;
    if (realSize === 0) this.#finishData();
  }

  #finishData(): void {
    if (this.#meta) {
      const data = Buffer.concat(this.#meta.chunks);
      const kind = this.#meta.kind;
      this.#meta = undefined;
      if (kind === 'L') this.#longName = field(data, 0, data.length);
      else if (kind === 'K') this.#longLink = field(data, 0, data.length);
      else if (kind === 'x') this.#pax = paxRecords(data);
      return;
    }
    const e = this.#current;
    if (!e) return;
    if (this.#hash) e.sha256 = this.#hash.digest('hex');
    this.#hash = undefined;
    this.#current = undefined;
    this.entries.push(e);
  }

  end(): TarEntry[] {
    if (this.#left > 0 || this.#current || this.#meta) throw new TarFormatError('the archive ends inside an entry');
    if (!this.#ended) throw new TarFormatError('the archive has no end-of-archive blocks (cut short?)');
    return this.entries;
  }
}

/** A checker to pipe .tar.gz bytes into (`input`, with backpressure): `entries` resolves with
 * the entries once the input ended, or rejects (TarFormatError / zlib's error; the rest of the
 * input is then drained, so that a pipe into it never stalls). */
export async function tarGzChecker(): Promise<{ input: NodeJS.WritableStream; entries: Promise<TarEntry[]> }> {
  const { createGunzip } = await import('node:zlib');
  const reader = new TarReader();
  const gunzip = createGunzip();
  let failed: unknown;
  const entries = new Promise<TarEntry[]>((resolve, reject) => {
    const fail = (err: unknown): void => {
      if (failed !== undefined) return;
      failed = err;
      reject(err);
      gunzip.removeAllListeners('data');
      gunzip.resume();
    };
    gunzip.once('error', fail);
    gunzip.on('data', (d: Buffer) => {
      try {
        reader.push(d);
      } catch (err) {
        fail(err);
      }
    });
    gunzip.once('end', () => {
      if (failed !== undefined) return;
      try {
        resolve(reader.end());
      } catch (err) {
        fail(err);
      }
    });
  });
  entries.catch(() => undefined);
  return { input: gunzip, entries };
}

/** Reads and checks a .tar.gz file: its entries, or TarFormatError / zlib's error. */
export async function readTarGz(path: string): Promise<TarEntry[]> {
  const { createReadStream } = await import('node:fs');
  const check = await tarGzChecker();
  const src = createReadStream(path);
  const read = new Promise<void>((_, reject) => src.once('error', reject));
  src.pipe(check.input);
  return Promise.race([check.entries, read as Promise<never>]);
}
