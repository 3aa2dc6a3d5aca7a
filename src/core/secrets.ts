// The project's secret data, read locally: secrets/<project>.env (dotenv, mode 0600) plus
// the files the settings list, its checksum, and the values the SecretGuard must know.
// The Secret object built from it lives in src/cluster/secret.ts.
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { ConfigError } from './errors.js';
import { FILE_KEYS, settingsRelative, type FileEntry, type ProjectConfig } from './config.js';

export const ENV_KEY_RE = /^[A-Z_][A-Z0-9_]*$/;

/** Secret data: key → raw value (not yet base64). */
export type SecretData = Record<string, Buffer>;

/** Refuse a secrets file readable (or writable) by group or others. */
export async function assertPrivate(file: string): Promise<void> {
  const st = await stat(file);
  if ((st.mode & 0o077) !== 0) {
    throw new ConfigError(`${file} is accessible by group or others (mode ${(st.mode & 0o777).toString(8).padStart(4, '0')})`, {
      hint: `chmod 600 ${file}`,
    });
  }
}

/** Parse a dotenv secrets file: keys must be env names; empty values are skipped. */
export async function readSecretsEnv(file: string): Promise<Record<string, string>> {
  try {
    await assertPrivate(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new ConfigError(`secrets file ${file} does not exist`, {
        hint: 'create it (rgsd init writes one from secrets.example/) with mode 0600',
      });
    }
    throw err;
  }
  const { parse } = await import('dotenv');
  const parsed = parse(await readFile(file, 'utf8'));
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(parsed)) {
    if (!ENV_KEY_RE.test(k)) {
      throw new ConfigError(`${file}: key "${k}" is not an upper-case environment name (^[A-Z_][A-Z0-9_]*$)`, {
        hint: 'rename it, e.g. MY_TOKEN=…',
      });
    }
    if (v !== '') out[k] = v;
  }
  return out;
}

/** Every key of the project's Secret: env keys from the secrets file, file keys from settings.files. */
export async function collectSecretData(cfg: ProjectConfig): Promise<SecretData> {
  const data: SecretData = {};
  for (const [k, v] of Object.entries(await readSecretsEnv(cfg.secretsFile))) data[k] = Buffer.from(v, 'utf8');
  for (const [entry, rel] of Object.entries(cfg.settings.files ?? {}) as [FileEntry, string][]) {
    const path = settingsRelative(cfg.settingsFile, rel);
    try {
      data[FILE_KEYS[entry]] = await readFile(path);
    } catch (err) {
      throw new ConfigError(
        `files.${entry} in ${cfg.settingsFile}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
        {
          hint: 'fix the path (relative paths are relative to the settings file) or remove the entry',
        },
      );
    }
  }
  return data;
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
