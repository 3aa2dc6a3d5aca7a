// The Helm release: version detection (3 or 4), state (helm list), values, install/upgrade,
// uninstall, rollback, template, and how `rgsd up` recovers a release an interrupted run left
// pending (pending-install → uninstall + install; pending-upgrade/-rollback → rollback +
// upgrade; failed → a plain upgrade works). Values always travel on stdin (`-f -`).
import { MissingToolError, NotFoundError, RgsdError } from '../core/errors.js';
import { projectSelector } from '../core/vocab.js';
import { commandHint, helm, kubectl, type Gateway, type Target } from './gateway.js';

export interface HelmInfo {
  major: 3 | 4;
  version: string;
}

const HELM_HINT = 'install Helm 3 (3.7 or newer) or 4, or point RGSD_HELM at it';

/** The oldest Helm 3 with every flag rgsd passes: `helm uninstall --wait` came in 3.7.0 (the
 * others — `list --time-format`, `list -A`, `version --template`, `-f -` — are older). */
export const MIN_HELM3 = { minor: 7, version: '3.7.0' } as const;

/** `helm version` → major 3 (3.7 or newer) or 4; anything else is refused (exit 4). With
 * `env`, a native helm binary's version is remembered (core/toolcache.ts). */
export async function detectHelm(gw: Gateway & { env?: NodeJS.ProcessEnv }): Promise<HelmInfo> {
  const ask = async (): Promise<string> => {
    const res = await helm(gw, null, ['version', '--template', '{{.Version}}'], { allowFailure: true });
    const out = res.stdout.trim();
    if (res.exitCode !== 0 || !/^v?\d+\.\d+/.test(out)) {
      const said = (res.stderr || res.stdout).trim().split('\n')[0] ?? '';
      throw new MissingToolError(`cannot tell the Helm version from \`${gw.tools.helm} version\`: ${said}`, { hint: HELM_HINT });
    }
    return out;
  };
  const { cachedVersion } = await import('../core/toolcache.js');
  const version = gw.env ? await cachedVersion(gw.tools.helm, gw.env, ask) : await ask();
  const m = /^v?(\d+)\.(\d+)/.exec(version);
  if (!m) throw new MissingToolError(`cannot tell the Helm version from \`${gw.tools.helm} version\`: ${version}`, { hint: HELM_HINT });
  const major = Number(m[1]);
  if (major !== 3 && major !== 4) throw new MissingToolError(`Helm ${version} is not supported (need Helm 3 or 4)`, { hint: HELM_HINT });
  if (major === 3 && Number(m[2]) < MIN_HELM3.minor) {
    throw new MissingToolError(
      `Helm ${version} is too old: rgsd needs Helm ${MIN_HELM3.version} or newer (for \`helm uninstall --wait\`)`,
      {
        hint: `upgrade Helm (https://helm.sh/docs/intro/install/), or point RGSD_HELM at Helm ${MIN_HELM3.version}+ or Helm 4`,
      },
    );
  }
  return { major, version };
}

export type ReleaseStatus =
  | 'deployed'
  | 'failed'
  | 'pending-install'
  | 'pending-upgrade'
  | 'pending-rollback'
  | 'uninstalling'
  | 'superseded'
  | 'uninstalled'
  | 'unknown';

export interface HelmRelease {
  name: string;
  namespace: string;
  revision: number;
  updated: string;
  status: ReleaseStatus;
  chart: string;
  appVersion: string;
}

/** RFC 3339 timestamps from helm list (Go layout). */
export const HELM_TIME_FORMAT = '2006-01-02T15:04:05Z07:00';

/** Arguments of the one `helm list` call (every state; one release when `project` is given). */
export function listArgs(project?: string): string[] {
  return [
    'list',
    '-o',
    'json',
    '--deployed',
    '--failed',
    '--pending',
    '--uninstalling',
    '--time-format',
    HELM_TIME_FORMAT,
    ...(project ? ['--filter', `^${project}$`] : []),
  ];
}

export async function listReleases(gw: Gateway, t: Target, project?: string): Promise<HelmRelease[]> {
  const { stdout } = await helm(gw, t, listArgs(project));
  return parseReleases(stdout, t);
}

/** Releases named `release` in every namespace the credentials can read (`helm list -A`):
 * needs cluster-wide list rights on Secrets (Helm's storage), else a ForbiddenError. */
export async function listReleasesAllNamespaces(gw: Gateway, t: Target, release: string): Promise<HelmRelease[]> {
  const { stdout } = await helm(gw, t, ['list', '-A', ...listArgs(release).slice(1)], { clusterScoped: true });
  return parseReleases(stdout, t);
}

function parseReleases(stdout: string, t: Target): HelmRelease[] {
  const raw = JSON.parse(stdout.trim() || '[]') as Record<string, unknown>[];
  return raw.map((r) => ({
    name: String(r.name ?? ''),
    namespace: String(r.namespace ?? t.namespace),
    revision: Number(r.revision ?? 0),
    updated: String(r.updated ?? ''),
    status: String(r.status ?? 'unknown') as ReleaseStatus,
    chart: String(r.chart ?? ''),
    appVersion: String(r.app_version ?? ''),
  }));
}

/** The release of that name, or null. */
export async function findRelease(gw: Gateway, t: Target, release: string): Promise<HelmRelease | null> {
  return (await listReleases(gw, t, release)).find((r) => r.name === release) ?? null;
}

/** The latest revision of a release as Helm keeps it (`helm status -o json`): its values and
 * its rendered manifest, what `up` compares with the new ones to skip an upgrade that would
 * change nothing. */
export interface ReleaseRecord {
  /** As `helm list` would show it (the chart from the manifest's `helm.sh/chart` label). */
  release: HelmRelease;
  /** The user-supplied values (`config`), {} when none. */
  values: Record<string, unknown>;
  manifest: string;
}

export function statusArgs(release: string): string[] {
  return ['status', release, '-o', 'json'];
}

/** `helm status -o json` (Helm 3 and 4 alike carry `config` and `manifest`): one call for
 * what `helm list`, `helm get values` and `helm get manifest` give. Null when there is no
 * release of that name, or only an uninstalled one kept in the history (which `helm list`
 * does not show either, and `helm upgrade --install` installs over). */
export async function getReleaseRecord(gw: Gateway, t: Target, release: string): Promise<ReleaseRecord | null> {
  let stdout: string;
  try {
    stdout = (await helm(gw, t, statusArgs(release))).stdout;
  } catch (err) {
    if (err instanceof NotFoundError) return null;
    throw err;
  }
  const raw = JSON.parse(stdout) as {
    name?: unknown;
    namespace?: unknown;
    version?: unknown;
    info?: { status?: unknown; last_deployed?: unknown };
    config?: unknown;
    manifest?: unknown;
  };
  const status = String(raw.info?.status ?? 'unknown') as ReleaseStatus;
  if (status === 'uninstalled') return null;
  const manifest = typeof raw.manifest === 'string' ? raw.manifest : '';
  return {
    release: {
      name: String(raw.name ?? release),
      namespace: String(raw.namespace ?? t.namespace),
      revision: Number(raw.version ?? 0),
      updated: String(raw.info?.last_deployed ?? ''),
      status,
      chart: /^\s*helm\.sh\/chart:\s*"?([^"\s]+)"?\s*$/m.exec(manifest)?.[1] ?? '',
      appVersion: '',
    },
    values: (raw.config ?? {}) as Record<string, unknown>,
    manifest,
  };
}

/** The manifest `helm template` renders and the one Helm stored, compared without the
 * document separators and blank lines at either end (the only difference between the two
 * for a chart without hooks). */
export function sameManifest(stored: string, rendered: string): boolean {
  const norm = (s: string) => s.replace(/^(?:\s*---\s*\n)+/, '').trim();
  return norm(stored) === norm(rendered);
}

export function upgradeArgs(release: string, chart: string): string[] {
  return ['upgrade', '--install', release, chart, '-f', '-'];
}
export function uninstallArgs(release: string): string[] {
  return ['uninstall', release, '--wait'];
}
export function rollbackArgs(release: string): string[] {
  return ['rollback', release];
}

/** `helm upgrade --install` with the values (YAML) on stdin. */
export async function upgradeInstall(gw: Gateway, t: Target, release: string, chart: string, valuesYaml: string): Promise<void> {
  await helm(gw, t, upgradeArgs(release, chart), { stdin: valuesYaml, mutates: true });
}

/** `helm uninstall --wait` (deployed, failed and pending-* alike). */
export async function uninstall(gw: Gateway, t: Target, release: string, extra: string[] = []): Promise<void> {
  await helm(gw, t, [...uninstallArgs(release), ...extra], { mutates: true });
}

// Helm's own bookkeeping (Helm's names, not rgsd's): the annotation it puts on every object
// of a release, and its release records, Secrets `sh.helm.release.v1.<release>.v<N>`
// labelled owner=helm,name=<release>.
export const HELM_RELEASE_ANNOTATION = 'meta.helm.sh/release-name';

/** Is this Secret one of Helm's records of `release`? */
export function isReleaseRecord(secret: string, release: string): boolean {
  return secret.startsWith(`sh.helm.release.v1.${release}.v`);
}

/** What the chart creates besides the PVC and the Secret. */
export const RELEASE_KINDS = 'deployment,replicaset,pod,serviceaccount,role,rolebinding,networkpolicy';

/** When Helm itself cannot uninstall a stuck release (e.g. a broken hook): delete the
 * release's objects and Helm's records directly. The kept PVC is not among them. */
export async function forceRemoveRelease(gw: Gateway, t: Target, release: string): Promise<void> {
  await kubectl(gw, t, ['delete', RELEASE_KINDS, '-l', projectSelector(release), '--ignore-not-found', '--wait=true'], { mutates: true });
  await kubectl(gw, t, ['delete', 'secret', '-l', `owner=helm,name=${release}`, '--ignore-not-found'], { mutates: true });
}

/** Run a recovery command planned by `planRecovery`. */
export async function runRecovery(gw: Gateway, t: Target, args: string[]): Promise<void> {
  await helm(gw, t, args, { mutates: true });
}

/** `helm template` of the chart with the values on stdin (local: no cluster). */
export async function template(gw: Gateway, t: Target, release: string, chart: string, valuesYaml: string): Promise<string> {
  return (await helm(gw, null, ['template', release, chart, '-n', t.namespace, '-f', '-'], { stdin: valuesYaml })).stdout;
}

/** "rgsd-0.1.0" for a chart directory (as `helm list` shows it), or undefined. */
export async function chartLabel(chart: string): Promise<string | undefined> {
  try {
    const { readFile } = await import('node:fs/promises');
    const { parse } = await import('yaml');
    const meta = parse(await readFile(`${chart}/Chart.yaml`, 'utf8')) as { name?: string; version?: string };
    return meta.name && meta.version ? `${meta.name}-${meta.version}` : undefined;
  } catch {
    return undefined; // a chart reference (repo/name, oci://…) rather than a directory
  }
}

// ---- recovery of interrupted operations -------------------------------------------------

/** A pending release younger than this may belong to an `up` still running elsewhere. */
export const PENDING_GRACE_MS = 60_000;

export type RecoveryPlan =
  | { kind: 'install' }
  | { kind: 'upgrade' }
  | { kind: 'uninstall-then-install'; command: string[] }
  | { kind: 'rollback-then-upgrade'; command: string[] };

export function planRecovery(rel: HelmRelease | null | undefined, gw: Gateway, t: Target, now: Date): RecoveryPlan {
  if (!rel) return { kind: 'install' };
  const hint = (args: string[]): string => commandHint(gw, 'helm', t, args);
  switch (rel.status) {
    case 'deployed':
    case 'failed':
    case 'superseded':
      return { kind: 'upgrade' };
    case 'pending-install':
    case 'pending-upgrade':
    case 'pending-rollback': {
      const cmd = rel.status === 'pending-install' ? uninstallArgs(rel.name) : rollbackArgs(rel.name);
      const updated = Date.parse(rel.updated);
      if (Number.isFinite(updated) && now.getTime() - updated < PENDING_GRACE_MS) {
        throw new RgsdError(`release ${rel.name} is ${rel.status} since ${rel.updated}: another helm operation may still be running`, {
          hint: `wait a minute and re-run \`rgsd up\`; if nothing else is running, recover with \`${hint(cmd)}\` then \`rgsd up\``,
        });
      }
      return rel.status === 'pending-install'
        ? { kind: 'uninstall-then-install', command: cmd }
        : { kind: 'rollback-then-upgrade', command: cmd };
    }
    case 'uninstalling':
      throw new RgsdError(`release ${rel.name} is being uninstalled`, {
        hint: `wait for it, or finish it with \`${hint(uninstallArgs(rel.name))}\`, then \`rgsd up\``,
      });
    default:
      throw new RgsdError(`release ${rel.name} is in an unexpected state "${rel.status}"`, {
        hint: `inspect it with \`${hint(['history', rel.name])}\``,
      });
  }
}
