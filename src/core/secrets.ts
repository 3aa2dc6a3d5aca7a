// The project's secret data, read locally: secrets/<project>.env (mode 0600, in a 0700
// directory) plus the files the settings list, its checksum, and the values the SecretGuard
// must know. The Secret object built from it lives in src/cluster/secret.ts.
//
// The secrets file is parsed strictly (README "Settings and secrets"): every line that is not
// blank or a comment is KEY=VALUE; anything else is an error naming the file and the line,
// never the text of the line (it may be a value). Problems that do not stop a run (a key that
// looks like a misspelt known key, an inline comment after an unquoted value) come back as
// warnings, as data: the command prints them.
import { createHash } from 'node:crypto';
import { readFile, realpath, stat } from 'node:fs/promises';
import { dirname, isAbsolute, relative } from 'node:path';
import { ConfigError } from './errors.js';
import { FILE_KEYS, fsProblem, settingsRelative, userHome, type FileEntry, type ProjectConfig } from './config.js';

export const ENV_KEY_RE = /^[A-Z_][A-Z0-9_]*$/;

/** Keys the workstation understands (secrets.example/README.md) and the examples the docs name:
 * a key a small edit away from one of these is probably a typo (a warning, not an error). */
export const KNOWN_SECRET_KEYS = [
  'GITHUB_TOKEN',
  'GIT_SSH_PRIVATE_KEY',
  'ANTHROPIC_API_KEY',
  'CLAUDE_CODE_OAUTH_TOKEN',
  'OPENAI_API_KEY',
  'KIMCHI_API_KEY',
  'RGSD_WEBHOOK_URL',
  'RGSD_WEBHOOK_FORMAT',
  'BRAVE_API_KEY',
  'NPM_TOKEN',
] as const;

/** At most this many bytes per env value: the pod exports each key into the agent's
 * environment, where one variable cannot exceed 128 KiB (ARCHITECTURE.md "Secrets in the pod"). */
export const MAX_VALUE_BYTES = 64 * 1024;
/** At most this many bytes of secret data in all (env values and files): a Kubernetes Secret
 * holds at most 1 MiB, and base64 makes the data a third larger. */
export const MAX_TOTAL_BYTES = 512 * 1024;

/** Secret data: key → raw value (not yet base64). */
export type SecretData = Record<string, Buffer>;

/** Something worth saying that does not stop a run. Never contains a value. */
export interface SecretsWarning {
  kind: 'unknown-key' | 'inline-comment' | 'quoted-key-line' | 'repo-credentials';
  /** one line, names the file (and line) */
  message: string;
  hint: string;
}

/** The parsed secrets file: non-empty values by key, in file order, and the warnings. */
export interface ParsedSecrets {
  values: Record<string, string>;
  warnings: SecretsWarning[];
}

/** The Secret's data and the warnings of the secrets file. */
export interface CollectedSecrets {
  data: SecretData;
  warnings: SecretsWarning[];
}

const kib = (bytes: number): string => `${Math.ceil(bytes / 1024)} KiB`;
const octal = (mode: number): string => (mode & 0o777).toString(8).padStart(4, '0');

/** Refuse a secrets file readable (or writable) by group or others. */
export async function assertPrivate(file: string): Promise<void> {
  const st = await stat(file);
  if ((st.mode & 0o077) !== 0) {
    throw new ConfigError(`${file} is accessible by group or others (mode ${octal(st.mode)})`, { hint: `chmod 600 ${file}` });
  }
}

/** Refuse a secrets directory others can list or enter. */
export async function assertPrivateDir(dir: string): Promise<void> {
  let st: Awaited<ReturnType<typeof stat>>;
  try {
    st = await stat(dir);
  } catch (err) {
    throw fsProblem(err, dir, 'read');
  }
  if ((st.mode & 0o077) !== 0) {
    throw new ConfigError(`the secrets directory ${dir} is accessible by group or others (mode ${octal(st.mode)})`, {
      hint: `chmod 700 ${dir}`,
    });
  }
}

// ---- the parser --------------------------------------------------------------------------

/** Optimal string alignment distance (a swap of two neighbours is one edit). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number): number => d[i]?.[j] ?? Number.POSITIVE_INFINITY;
  for (let i = 1; i <= a.length; i++) {
    const row = d[i] as number[];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, at(i - 2, j - 2) + 1);
      row[j] = v;
    }
  }
  return at(a.length, b.length);
}

/** The known key `key` is probably a misspelling of, if any: at most two edits away (one for
 * a known key under ten characters). A deliberate variant (GITHUB_TOKEN_2, MY_GITHUB_TOKEN)
 * is not a misspelling. */
export function closestKnownKey(key: string): string | undefined {
  if ((KNOWN_SECRET_KEYS as readonly string[]).includes(key)) return undefined;
  if (KNOWN_SECRET_KEYS.some((k) => key.startsWith(`${k}_`) || key.endsWith(`_${k}`))) return undefined;
  let best: { k: string; d: number } | undefined;
  for (const k of KNOWN_SECRET_KEYS) {
    const dist = editDistance(key, k);
    if (dist <= (k.length < 10 ? 1 : 2) && (!best || dist < best.d)) best = { k, d: dist };
  }
  return best?.k;
}

/** The escapes of a double-quoted value; any other backslash is kept as it is. */
const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\' };

const NOT_KEY_VALUE_HINT = 'every line is KEY=value (or a # comment); a multi-line value such as a private key goes in double quotes';

/**
 * Parse the text of a secrets file (see README "Settings and secrets"):
 *  - blank lines and lines starting with `#` are skipped; `export KEY=value` is accepted;
 *  - KEY matches ^[A-Z_][A-Z0-9_]*$ (spaces around `=` are allowed);
 *  - a value is unquoted (trimmed; a `#` preceded by a space or tab starts a comment, any
 *    other `#` is part of the value), 'single-quoted' (literal) or "double-quoted" (escapes
 *    \n \r \t \" \\; any other backslash is kept); quoted values may span lines;
 *  - after a closing quote only a comment may follow;
 *  - a key may appear once; empty values are skipped; a value is at most MAX_VALUE_BYTES.
 * Errors name the file and the line, never the line's text.
 */
export function parseSecretsEnv(text: string, file: string): ParsedSecrets {
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  const values: Record<string, string> = {};
  const warnings: SecretsWarning[] = [];
  const seen = new Map<string, number>();
  const fail = (line: number, what: string, hint: string): never => {
    throw new ConfigError(`${file}:${line}: ${what}`, { hint });
  };
  /** A multi-line value written without quotes: the lines after it are not KEY=VALUE. */
  let unquotedBegin: { key: string; line: number } | undefined;
  let i = 0;
  while (i < lines.length) {
    const lineNo = i + 1;
    const line = (lines[i] as string).replace(/\r$/, '');
    i++;
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    // not trimmed at the end: trailing spaces inside an opening quote belong to the value
    const rest = line.replace(/^\s+/, '').replace(/^export[ \t]+(?=\S)/, '');
    const eq = rest.indexOf('=');
    if (eq < 0) {
      const hint = unquotedBegin
        ? `${unquotedBegin.key} on line ${unquotedBegin.line} looks like the first line of a multi-line value: put the whole value in double quotes`
        : NOT_KEY_VALUE_HINT;
      fail(lineNo, 'this line is not KEY=value (no "=")', hint);
    }
    const key = rest.slice(0, eq).trimEnd();
    if (key === '') fail(lineNo, 'this line has no key before "="', NOT_KEY_VALUE_HINT);
    if (!ENV_KEY_RE.test(key)) {
      // never echo it: a line of a pasted value can look like key=value (base64 padding)
      const upper = key.toUpperCase().replace(/[-.]/g, '_');
      const known = (KNOWN_SECRET_KEYS as readonly string[]).includes(upper) ? upper : closestKnownKey(upper);
      fail(
        lineNo,
        'the key is not an upper-case environment name (^[A-Z_][A-Z0-9_]*$)',
        known
          ? `did you mean ${known}?`
          : unquotedBegin
            ? `put the value of ${unquotedBegin.key} (line ${unquotedBegin.line}) in double quotes`
            : 'rename it, e.g. MY_TOKEN=…',
      );
    }
    const first = seen.get(key);
    if (first !== undefined) fail(lineNo, `${key} is set twice (lines ${first} and ${lineNo})`, `keep one of the two lines in ${file}`);
    seen.set(key, lineNo);
    unquotedBegin = undefined;

    let value: string;
    const after = rest.slice(eq + 1);
    const raw = after.replace(/^[ \t]+/, '');
    const quote = raw[0];
    if (quote === '"' || quote === "'") {
      // scan for the closing quote, across lines if need be
      let out = '';
      let cur = raw;
      let pos = 1;
      let curLine = lineNo;
      for (;;) {
        let closed = -1;
        for (let p = pos; p < cur.length; p++) {
          const ch = cur[p] as string;
          if (quote === '"' && ch === '\\' && p + 1 < cur.length) {
            const next = cur[p + 1] as string;
            out += ESCAPES[next] ?? `\\${next}`;
            p++;
            continue;
          }
          if (ch === quote) {
            closed = p;
            break;
          }
          out += ch;
        }
        if (closed >= 0) {
          const tail = cur.slice(closed + 1);
          if (!/^\s*(#.*)?$/.test(tail)) {
            const spans = curLine > lineNo ? ` (the quote opened on line ${lineNo} closes here: is it closed where you meant?)` : '';
            fail(
              curLine,
              `text after the closing quote of ${key}${spans}`,
              'only a # comment may follow a quoted value; quote the whole value',
            );
          }
          break;
        }
        if (i >= lines.length) {
          fail(
            lineNo,
            `the ${quote === '"' ? 'double' : 'single'} quote of ${key} is never closed`,
            `close it with ${quote} at the end of the value`,
          );
        }
        out += '\n';
        cur = (lines[i] as string).replace(/\r$/, '');
        i++;
        curLine++;
        pos = 0;
        // base64 and PEM lines have no "_": a NAME_…= line is more likely the next key
        if (/^\s*(export[ \t]+)?[A-Z][A-Z0-9]*_[A-Z0-9_]*[ \t]*=/.test(cur)) {
          warnings.push({
            kind: 'quoted-key-line',
            message: `${file}:${curLine}: this line looks like KEY=value but is inside the quoted value of ${key} (opened on line ${lineNo})`,
            hint: `close the quote of ${key} where its value ends`,
          });
        }
      }
      value = out;
    } else {
      // "#" starts a comment only after a space or tab (KEY=a#b keeps "a#b"; KEY= # note is empty)
      const comment = /[ \t]#/.exec(after);
      value = (comment ? after.slice(0, comment.index) : after).trim();
      if (comment && value !== '') {
        warnings.push({
          kind: 'inline-comment',
          message: `${file}:${lineNo}: the text after " #" on the line of ${key} is a comment, not part of its value`,
          hint: `if it belongs to the value, quote it: ${key}="…"`,
        });
      }
      if (/^-----BEGIN /.test(value)) unquotedBegin = { key, line: lineNo };
    }
    if (value.includes('\0'))
      fail(lineNo, `the value of ${key} contains a NUL character`, 'environment values cannot hold NUL; put binary data in a file');
    const bytes = Buffer.byteLength(value, 'utf8');
    if (bytes > MAX_VALUE_BYTES) {
      fail(
        lineNo,
        `the value of ${key} is ${kib(bytes)}; a value may have at most ${kib(MAX_VALUE_BYTES)}`,
        'the workstation exports every key into the agent’s environment, which cannot pass a variable over 128 KiB; shorten it',
      );
    }
    const near = closestKnownKey(key);
    if (near) {
      warnings.push({
        kind: 'unknown-key',
        message: `${file}:${lineNo}: ${key} is not a key rgsd knows; did you mean ${near}?`,
        hint: `rename it to ${near} if it is a typo (other keys are only exported to the agent's environment)`,
      });
    }
    if (value !== '') values[key] = value;
  }
  return { values, warnings };
}

/** Read and parse a secrets file: the file 0600, its directory 0700, the content strict. */
export async function readSecretsFile(file: string): Promise<ParsedSecrets> {
  let st: Awaited<ReturnType<typeof stat>>;
  try {
    st = await stat(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new ConfigError(`secrets file ${file} does not exist`, {
        hint: 'create it (rgsd init writes one from secrets.example/) with mode 0600',
      });
    }
    throw fsProblem(err, file, 'read');
  }
  if (!st.isFile()) {
    throw new ConfigError(`secrets file ${file} is not a regular file${st.isDirectory() ? ' (it is a directory)' : ''}`, {
      hint: `remove it; the secrets file is KEY=value lines, mode 0600 (see secrets.example/)`,
    });
  }
  await assertPrivateDir(dirname(file));
  await assertPrivate(file);
  if (st.size > MAX_TOTAL_BYTES * 2) {
    throw new ConfigError(`secrets file ${file} is ${kib(st.size)}; all secrets together may have at most ${kib(MAX_TOTAL_BYTES)}`, {
      hint: 'is it the right file?',
    });
  }
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw fsProblem(err, file, 'read');
  }
  return parseSecretsEnv(text, file);
}

/** The non-empty values of a secrets file (the warnings are dropped: see readSecretsFile). */
export async function readSecretsEnv(file: string): Promise<Record<string, string>> {
  return (await readSecretsFile(file)).values;
}

// ---- files.* -----------------------------------------------------------------------------

const inside = (path: string, root: string): boolean => {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
};

async function realOrUndefined(p: string | undefined): Promise<string | undefined> {
  if (!p || !isAbsolute(p)) return undefined;
  try {
    return await realpath(p);
  } catch {
    return p;
  }
}

export interface CollectOptions {
  /** The user's home (default: userHome()); files.* must live under it or the config directory. */
  home?: string;
}

/** One `files.<entry>`: resolved (symlinks followed), under the home or the config directory
 * (unless settings.allowFilesOutside), a regular file, mode 0600 (no group/other access). */
async function readListedFile(cfg: ProjectConfig, entry: FileEntry, rel: string, roots: string[]): Promise<Buffer> {
  const where = `files.${entry} in ${cfg.settingsFile}`;
  const path = settingsRelative(cfg.settingsFile, rel);
  let real: string;
  try {
    real = await realpath(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'it does not exist' : (code ?? (err as Error).message);
    throw new ConfigError(`${where}: cannot read ${path} (${why})`, {
      hint: 'fix the path (relative paths are relative to the settings file) or remove the entry',
    });
  }
  const shown = real === path ? real : `${path} (→ ${real})`;
  if (!cfg.settings.allowFilesOutside && !roots.some((r) => inside(real, r))) {
    throw new ConfigError(`${where}: ${shown} is outside your home and the config directory`, {
      hint: `copy the file under ${roots.join(' or ')} (mode 0600), or set allowFilesOutside: true in ${cfg.settingsFile} to upload it from where it is`,
    });
  }
  const st = await stat(real);
  if (!st.isFile()) {
    throw new ConfigError(`${where}: ${shown} is not a regular file`, { hint: 'name a file (its content is uploaded as a secret)' });
  }
  if ((st.mode & 0o077) !== 0) {
    throw new ConfigError(`${where}: ${shown} is accessible by group or others (mode ${octal(st.mode)})`, { hint: `chmod 600 ${real}` });
  }
  if (st.size > MAX_TOTAL_BYTES) {
    throw new ConfigError(`${where}: ${shown} is ${kib(st.size)}; all secrets together may have at most ${kib(MAX_TOTAL_BYTES)}`, {
      hint: 'a Kubernetes Secret holds at most 1 MiB; upload a smaller file',
    });
  }
  try {
    return await readFile(real);
  } catch (err) {
    throw fsProblem(err, real, 'read');
  }
}

/** Every key of the project's Secret (env keys from the secrets file, file keys from
 * settings.files) and the secrets file's warnings. Throws a ConfigError for anything unsafe
 * or malformed, before anything else happens. */
export async function collectSecrets(cfg: ProjectConfig, opts: CollectOptions = {}): Promise<CollectedSecrets> {
  const parsed = await readSecretsFile(cfg.secretsFile);
  const data: SecretData = {};
  for (const [k, v] of Object.entries(parsed.values)) data[k] = Buffer.from(v, 'utf8');
  const roots = [
    ...new Set([await realOrUndefined(opts.home ?? userHome()), await realOrUndefined(cfg.configDir)].filter((r): r is string => !!r)),
  ];
  for (const [entry, rel] of Object.entries(cfg.settings.files ?? {}) as [FileEntry, string][]) {
    data[FILE_KEYS[entry]] = await readListedFile(cfg, entry, rel, roots);
  }
  const sizes = Object.entries(data).map(([k, v]) => [k, v.length] as const);
  const total = sizes.reduce((n, [, s]) => n + s, 0);
  if (total > MAX_TOTAL_BYTES) {
    const largest = [...sizes].sort((a, b) => b[1] - a[1]).slice(0, 3);
    throw new ConfigError(
      `the secrets of project ${cfg.project} take ${kib(total)}; at most ${kib(MAX_TOTAL_BYTES)} in all (largest: ${largest.map(([k, s]) => `${k} ${kib(s)}`).join(', ')})`,
      { hint: 'a Kubernetes Secret holds at most 1 MiB and base64 adds a third: remove or shorten the largest keys' },
    );
  }
  return { data, warnings: parsed.warnings };
}

/** Every key of the project's Secret (the warnings dropped: use collectSecrets to show them). */
export async function collectSecretData(cfg: ProjectConfig, opts: CollectOptions = {}): Promise<SecretData> {
  return (await collectSecrets(cfg, opts)).data;
}

/** The secret a clone of `repo` uses: https → GITHUB_TOKEN, ssh (ssh://, user@host:path) → GIT_SSH_PRIVATE_KEY. */
export function repoCredentialKey(repo: string): 'GITHUB_TOKEN' | 'GIT_SSH_PRIVATE_KEY' {
  return repo.startsWith('https://') ? 'GITHUB_TOKEN' : 'GIT_SSH_PRIVATE_KEY';
}

/** A repository the pod clones with a credential the secrets lack (a public https repository
 * clones without one, so this is a warning). */
export function repoCredentialsWarning(cfg: ProjectConfig, data: SecretData): SecretsWarning | undefined {
  const repo = cfg.settings.repo;
  if (!repo) return undefined;
  const key = repoCredentialKey(repo);
  if (data[key]?.length) return undefined;
  const kind = key === 'GITHUB_TOKEN' ? 'https' : 'ssh';
  return {
    kind: 'repo-credentials',
    message: `${repo} is an ${kind} repository and ${cfg.secretsFile} has no ${key}: cloning a private repository will fail`,
    hint:
      key === 'GITHUB_TOKEN'
        ? `put a token in GITHUB_TOKEN in ${cfg.secretsFile} (a public repository clones without one)`
        : `put the deploy key in GIT_SSH_PRIVATE_KEY="…" in ${cfg.secretsFile} (in double quotes, newlines included)`,
  };
}

/** The Secret's `data` map (base64), keys sorted. */
export function encodeData(data: SecretData): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(data).sort()) out[k] = (data[k] as Buffer).toString('base64');
  return out;
}

/** sha256 (hex) over the canonical JSON of the Secret's base64 data, keys sorted. */
export function secretChecksum(data: SecretData): string {
  return createHash('sha256')
    .update(JSON.stringify(encodeData(data)))
    .digest('hex');
}

/** Every raw secret value (and its base64), for the runner's SecretGuard. */
export function secretValues(data: SecretData): string[] {
  const out: string[] = [];
  for (const v of Object.values(data)) {
    out.push(v.toString('utf8'), v.toString('base64'));
    // each non-trivial line of a multi-line value (keys, files) too
    for (const line of v.toString('utf8').split('\n')) if (line.trim().length >= 16) out.push(line.trim());
  }
  return out;
}
