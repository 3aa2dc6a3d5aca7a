// A reader of (gzip-compressed) tar archives, for `rgsd backup`'s test of its own archive and
// its manifest and for `rgsd pull`'s extraction: every header's checksum, GNU long names (L/K)
// and pax headers (x/g), every entry's data read to the end (sha256 of each regular file, and
// handed to a sink when one is given), the end-of-archive blocks, and gzip's own CRC and
// length checks (node:zlib). And a writer (`tarHeader`, `tarEnd`) for `rgsd push`: ustar
// headers, a pax header for a path, link or size that does not fit. No dependency.
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

/** Gets each entry as it is read (`rgsd pull`): `start` before its data, `data` with each piece
 * of a file's content, `end` once it is complete. */
export interface TarSink {
  start(entry: TarEntry, mtime: number): void;
  data(chunk: Buffer): void;
  end(entry: TarEntry): void;
}

/** Push the decompressed tar bytes in; `end()` returns the entries (or throws TarFormatError). */
export class TarReader {
  readonly #sink: TarSink | undefined;
  constructor(sink?: TarSink) {
    this.#sink = sink;
  }
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
        if (this.#meta) this.#meta.chunks.push(Buffer.from(piece));
        else if (this.#current) this.#sink?.data(piece);
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
    const mtime = this.#pax.mtime !== undefined ? Number(this.#pax.mtime) : num(h, 136, 12);
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
    this.#sink?.start(entry, mtime);
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
    this.#sink?.end(e);
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
  // big output chunks: a sixteenth of the callbacks (and TarReader pushes) of the 16 KiB
  // default (measured: reading a 74 MiB archive back took 0.6 s instead of 0.9 s)
  const gunzip = createGunzip({ chunkSize: 256 * 1024 });
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

// ---- writer (`rgsd push`) ---------------------------------------------------------------

export interface TarHeaderInput {
  /** relative, `/`-separated, no leading `./` */
  path: string;
  type: 'file' | 'dir' | 'symlink';
  mode: number;
  /** seconds since the epoch */
  mtime: number;
  /** files only */
  size?: number;
  /** symlinks only */
  link?: string;
}

function octal(buf: Buffer, off: number, len: number, value: number): void {
  buf.write(`${value.toString(8).padStart(len - 1, '0')}\0`, off, len, 'ascii');
}

function paxLine(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  // the length counts its own digits
  let len = Buffer.byteLength(body) + 1;
  while (Buffer.byteLength(`${len}${body}`) !== len) len = Buffer.byteLength(`${len}${body}`);
  return `${len}${body}`;
}

function rawHeader(name: string, flag: string, mode: number, size: number, mtime: number, link: string): Buffer {
  const h = Buffer.alloc(BLOCK);
  h.write(name, 0, 100, 'utf8');
  octal(h, 100, 8, mode & 0o7777);
  octal(h, 108, 8, 0);
  octal(h, 116, 8, 0);
  octal(h, 124, 12, size);
  octal(h, 136, 12, Math.max(0, Math.floor(mtime)));
  h.fill(0x20, 148, 156);
  h.write(flag, 156, 1, 'ascii');
  h.write(link, 157, 100, 'utf8');
  h.write('ustar\0', 257, 6, 'ascii');
  h.write('00', 263, 2, 'ascii');
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += h[i] ?? 0;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'ascii');
  return h;
}

const MAX_USTAR_SIZE = 0o77777777777;

/** The zeros after an entry's data up to the next block. */
export function tarPadding(size: number): Buffer {
  return Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK);
}

/** The header block(s) of one entry: a pax header first when the path or link is longer than
 * the ustar fields hold (or not printable ASCII), or the size is over 8 GiB. A file's data
 * follows, then `tarPadding(size)`. */
export function tarHeader(e: TarHeaderInput): Buffer {
  const name = e.type === 'dir' ? `${e.path.replace(/\/+$/, '')}/` : e.path;
  const link = e.link ?? '';
  const size = e.type === 'file' ? (e.size ?? 0) : 0;
  const fits = (s: string) => s.length < 100 && /^[\x20-\x7e]*$/.test(s);
  const records: string[] = [];
  if (!fits(name)) records.push(paxLine('path', name));
  if (!fits(link)) records.push(paxLine('linkpath', link));
  if (size > MAX_USTAR_SIZE) records.push(paxLine('size', String(size)));
  const flag = e.type === 'file' ? '0' : e.type === 'dir' ? '5' : '2';
  const main = rawHeader(
    fits(name) ? name : name.replace(/[^\x20-\x7e]/g, '_').slice(-99),
    flag,
    e.mode,
    size > MAX_USTAR_SIZE ? 0 : size,
    e.mtime,
    fits(link) ? link : '',
  );
  if (!records.length) return main;
  const data = Buffer.from(records.join(''), 'utf8');
  return Buffer.concat([rawHeader('PaxHeader', 'x', 0o644, data.length, e.mtime, ''), data, tarPadding(data.length), main]);
}

/** The end of an archive: two zero blocks. */
export function tarEnd(): Buffer {
  return Buffer.alloc(2 * BLOCK);
}
