// Helm helpers: version detection (3 or 4), release listing/state, argv builders.
// Values always go on stdin (`-f -`); nothing secret is ever a value.
import { MissingToolError } from './errors.js';
import { classifyClusterError, type Target, type Tools } from './kube.js';
import type { Runner } from './runner.js';

export interface HelmInfo {
  major: 3 | 4;
  version: string;
}

/** `helm version` → major 3 or 4; anything else is refused. */
export async function detectHelm(runner: Runner, tools: Tools): Promise<HelmInfo> {
  const res = await runner.run(tools.helm, ['version', '--template', '{{.Version}}'], { allowFailure: true });
  const version = res.stdout.trim();
  const m = /^v?(\d+)\.(\d+)/.exec(version);
  if (res.exitCode !== 0 || !m) {
    throw new MissingToolError(`cannot tell the Helm version from \`${tools.helm} version\`: ${(res.stderr || res.stdout).trim().split('\n')[0] ?? ''}`, {
      hint: 'install Helm 3 or 4, or point RGSD_HELM at it',
    });
  }
  const major = Number(m[1]);
  if (major !== 3 && major !== 4) {
    throw new MissingToolError(`Helm ${version} is not supported (need Helm 3 or 4)`, { hint: 'install Helm 3 or 4, or point RGSD_HELM at it' });
  }
  return { major, version };
}

/** `helm --kube-context C -n NS` prefix. */
export function helmTargetArgs(t: Target): string[] {
  return ['--kube-context', t.context, '-n', t.namespace];
}

/** Release states in which Helm refuses a new operation or needs care. */
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

/** argv of the one `helm list` call (every state; one release when `project` is given). */
export function helmListArgs(t: Target, project?: string): string[] {
  return [
    'list', ...helmTargetArgs(t), '-o', 'json',
    '--deployed', '--failed', '--pending', '--uninstalling',
    '--time-format', HELM_TIME_FORMAT,
    ...(project ? ['--filter', `^${project}$`] : []),
  ];
}

export async function listReleases(runner: Runner, tools: Tools, t: Target, project?: string): Promise<HelmRelease[]> {
  let stdout: string;
  try {
    stdout = (await runner.run(tools.helm, helmListArgs(t, project))).stdout;
  } catch (err) {
    throw classifyClusterError(err, t);
  }
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

/** The user-supplied values of the current release (`helm get values -o json`), or {}. */
export async function getReleaseValues(runner: Runner, tools: Tools, t: Target, release: string): Promise<Record<string, unknown>> {
  try {
    const out = await runner.run(tools.helm, ['get', 'values', release, ...helmTargetArgs(t), '-o', 'json']);
    return (JSON.parse(out.stdout.trim() || '{}') ?? {}) as Record<string, unknown>;
  } catch (err) {
    throw classifyClusterError(err, t);
  }
}

export function upgradeInstallArgs(t: Target, release: string, chart: string): string[] {
  return ['upgrade', '--install', release, chart, ...helmTargetArgs(t), '-f', '-'];
}
export function uninstallArgs(t: Target, release: string): string[] {
  return ['uninstall', release, ...helmTargetArgs(t), '--wait'];
}
export function rollbackArgs(t: Target, release: string): string[] {
  return ['rollback', release, ...helmTargetArgs(t)];
}
export function templateArgs(t: Target, release: string, chart: string): string[] {
  return ['template', release, chart, '-n', t.namespace, '-f', '-'];
}

/** Shell-ready text of a helm command for hints (users run it themselves). */
export function helmHint(tools: Tools, args: string[]): string {
  return [tools.helm, ...args].join(' ');
}
