// The versions of tool binaries, remembered across runs: `helm version` costs a process
// (about 0.1 s) before every `up`, and a binary's version cannot change without the file
// changing. An entry is keyed by the binary's real path and holds its size, inode, mtime and
// ctime; any difference, or a file that is not a native executable (a wrapper script may run
// a different helm tomorrow), means asking the binary again. Best effort: a cache that
// cannot be read or written is simply not used.
// File: $XDG_CACHE_HOME/rgsd/tool-versions.json (else ~/.cache/rgsd/), 0600 in a 0700 dir.
import { constants } from 'node:fs';
import { access, mkdir, open, readFile, realpath, rename, stat, writeFile } from 'node:fs/promises';
import { delimiter, isAbsolute, join, resolve } from 'node:path';

interface Entry {
  key: string;
  version: string;
}

/** ELF, Mach-O (32/64 bit, both byte orders) and universal binaries. */
const NATIVE_MAGIC = ['7f454c46', 'feedface', 'feedfacf', 'cefaedfe', 'cffaedfe', 'cafebabe'];

export function cacheFile(env: NodeJS.ProcessEnv): string | undefined {
  if (env.XDG_CACHE_HOME && isAbsolute(env.XDG_CACHE_HOME)) return join(env.XDG_CACHE_HOME, 'rgsd', 'tool-versions.json');
  if (env.HOME && isAbsolute(env.HOME)) return join(env.HOME, '.cache', 'rgsd', 'tool-versions.json');
  return undefined;
}

/** The file `program` names: a path as given, else the first executable of that name on PATH. */
async function locate(program: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const candidates = program.includes('/')
    ? [resolve(program)]
    : (env.PATH ?? '')
        .split(delimiter)
        .filter(isAbsolute)
        .map((d) => join(d, program));
  for (const c of candidates) {
    try {
      await access(c, constants.X_OK);
      return c;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** The real path and the identity key of a native executable, or undefined. */
async function identify(program: string, env: NodeJS.ProcessEnv): Promise<{ path: string; key: string } | undefined> {
  const found = await locate(program, env);
  if (!found) return undefined;
  const path = await realpath(found);
  const st = await stat(path);
  if (!st.isFile()) return undefined;
  const fh = await open(path, 'r');
  try {
    const head = Buffer.alloc(4);
    await fh.read(head, 0, 4, 0);
    if (!NATIVE_MAGIC.includes(head.toString('hex'))) return undefined;
  } finally {
    await fh.close();
  }
  return { path, key: `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}` };
}

async function load(file: string): Promise<Record<string, Entry>> {
  try {
    const doc = JSON.parse(await readFile(file, 'utf8')) as unknown;
    return typeof doc === 'object' && doc !== null && !Array.isArray(doc) ? (doc as Record<string, Entry>) : {};
  } catch {
    return {};
  }
}

/** The version `ask` reports for `program`, from the cache when the binary is the one it saw. */
export async function cachedVersion(program: string, env: NodeJS.ProcessEnv, ask: () => Promise<string>): Promise<string> {
  const file = cacheFile(env);
  const id = file ? await identify(program, env).catch(() => undefined) : undefined;
  if (!file || !id) return ask();
  const entries = await load(file);
  const hit = entries[id.path];
  if (hit && hit.key === id.key && typeof hit.version === 'string') return hit.version;
  const version = await ask();
  try {
    const dir = join(file, '..');
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, `${JSON.stringify({ ...entries, [id.path]: { key: id.key, version } })}\n`, { mode: 0o600 });
    await rename(tmp, file);
  } catch {
    // a cache that cannot be written is not used
  }
  return version;
}
