// Runs the real helm binaries (helm3 / helm4 from .tools/bin, put on PATH by
// test/setup/tools.ts) with array arguments and parses what they render.
// Values go to helm as a YAML document on stdin (`-f -`), like the CLI does.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { parseAllDocuments, stringify } from 'yaml';

export const REPO_ROOT = resolve(import.meta.dirname, '..', '..');
export const CHART_DIR = join(REPO_ROOT, 'chart', 'rgsd');
/** Both Helm majors the chart must work with. */
export const HELM_BINARIES = ['helm3', 'helm4'] as const;
export type HelmBinary = (typeof HELM_BINARIES)[number] | 'helm';

/** A parsed Kubernetes object as rendered by helm. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

export interface HelmResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export class HelmFailed extends Error {
  readonly args: readonly string[];
  readonly result: HelmResult;
  constructor(args: readonly string[], result: HelmResult) {
    super(`helm ${args.join(' ')} exited ${result.exitCode}: ${result.stderr.trim()}`);
    this.args = args;
    this.result = result;
  }
}

export interface HelmRunOptions {
  /** Written to helm's stdin. */
  input?: string;
  env?: Record<string, string>;
}

/** Runs one helm binary; never throws on a non-zero exit (see `exitCode`). */
export async function runHelm(bin: HelmBinary, args: readonly string[], opts: HelmRunOptions = {}): Promise<HelmResult> {
  const home = mkdtempSync(join(tmpdir(), 'rgsd-helm-'));
  try {
    const result = await execa(bin, args, {
      input: opts.input ?? '',
      reject: false,
      // A private helm home, so tests neither read nor write the developer's repos/cache.
      env: {
        HELM_CACHE_HOME: join(home, 'cache'),
        HELM_CONFIG_HOME: join(home, 'config'),
        HELM_DATA_HOME: join(home, 'data'),
        KUBECONFIG: join(home, 'no-kubeconfig'),
        ...opts.env,
      },
    });
    return { exitCode: result.exitCode ?? 1, stdout: String(result.stdout), stderr: String(result.stderr) };
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

export interface ChartOptions {
  release?: string;
  namespace?: string;
  chart?: string;
  /** Values files, in order (e.g. chart/rgsd/ci/*-values.yaml). */
  valuesFiles?: readonly string[];
  /** Values object, passed last as YAML on stdin. */
  values?: Record<string, unknown>;
  /** `--show-only` templates, e.g. `templates/deployment.yaml`. */
  showOnly?: readonly string[];
  /** More flags, e.g. `--skip-schema-validation` to reach the templates' own checks. */
  extraArgs?: readonly string[];
}

function chartArgs(opts: ChartOptions): { args: string[]; input: string } {
  const args: string[] = ['--namespace', opts.namespace ?? 'rgsd'];
  for (const file of opts.valuesFiles ?? []) args.push('--values', file);
  let input = '';
  if (opts.values) {
    args.push('--values', '-');
    input = stringify(opts.values);
  }
  for (const template of opts.showOnly ?? []) args.push('--show-only', template);
  args.push(...(opts.extraArgs ?? []));
  return { args, input };
}

/** `helm template`, raw result (use for rejection tests). */
export function helmTemplateRaw(bin: HelmBinary, opts: ChartOptions = {}): Promise<HelmResult> {
  const { args, input } = chartArgs(opts);
  return runHelm(bin, ['template', opts.release ?? 'demo', opts.chart ?? CHART_DIR, ...args], { input });
}

/** `helm template`, parsed into objects; throws HelmFailed on a non-zero exit. */
export async function helmTemplate(bin: HelmBinary, opts: ChartOptions = {}): Promise<K8sObject[]> {
  const result = await helmTemplateRaw(bin, opts);
  if (result.exitCode !== 0) throw new HelmFailed(['template'], result);
  return parseManifests(result.stdout);
}

/** `helm lint --strict` with the given values. */
export function helmLint(bin: HelmBinary, opts: ChartOptions = {}): Promise<HelmResult> {
  const { args, input } = chartArgs(opts);
  return runHelm(bin, ['lint', '--strict', opts.chart ?? CHART_DIR, ...args], { input });
}

/**
 * `helm install --dry-run=client`, which renders NOTES.txt too. Helm 3 still talks to an
 * API server on a client dry run, so pass `kubeconfig` (see fake-apiserver.ts) for it.
 */
export async function helmInstallDryRun(
  bin: HelmBinary,
  opts: ChartOptions & { kubeconfig?: string } = {},
): Promise<HelmResult & { notes: string }> {
  const { args, input } = chartArgs(opts);
  const env: Record<string, string> = opts.kubeconfig ? { KUBECONFIG: opts.kubeconfig } : {};
  const full = ['install', opts.release ?? 'demo', opts.chart ?? CHART_DIR, '--dry-run=client', '--disable-openapi-validation', ...args];
  const result = await runHelm(bin, full, { input, env });
  if (result.exitCode !== 0) throw new HelmFailed(full, result);
  const at = result.stdout.indexOf('\nNOTES:\n');
  return { ...result, notes: at < 0 ? '' : result.stdout.slice(at + '\nNOTES:\n'.length) };
}

/** Parses a multi-document manifest; empty documents are dropped, YAML errors throw. */
export function parseManifests(text: string): K8sObject[] {
  const objects: K8sObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new Error(`invalid YAML from helm: ${doc.errors[0]?.message}`);
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    objects.push(value as K8sObject);
  }
  return objects;
}

/** Writes values to a temporary file (for tools that need a path); returns path + cleanup. */
export function writeValuesFile(values: Record<string, unknown>): { path: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'rgsd-values-'));
  const path = join(dir, 'values.yaml');
  writeFileSync(path, stringify(values), { mode: 0o600 });
  return { path, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
