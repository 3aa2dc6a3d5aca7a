// Shared bits of the chart suite: the ci/ values matrix and typed accessors.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { CHART_DIR, type K8sObject } from '../helpers/helm.js';

export const CI_DIR = join(CHART_DIR, 'ci');
/** Every chart-testing example values file, by file name. */
export const CI_VALUES = readdirSync(CI_DIR)
  .filter((f) => f.endsWith('-values.yaml'))
  .sort();
export const ciFile = (name: string): string => join(CI_DIR, name);
/** The values a ci/ file sets (parsed). */
export const ciValues = (name: string): Obj => parse(readFileSync(ciFile(name), 'utf8')) as Obj;

/**
 * Environment variable names that secret scanners and policy engines take for a secret
 * (kube-linter env-var-secret, kubescape's sensitiveKeyNames, the usual OPA lists).
 */
export const SECRET_LOOKING_NAME = /SECRET|TOKEN|PASSWORD|PASSWD|PWD|KEY|CRED|AUTH|BEARER|JWT|ACCESS|TKN|PASS/i;

// biome-ignore lint/suspicious/noExplicitAny: rendered manifests are walked freely in assertions.
export type Obj = Record<string, any>;

export function ofKind(docs: readonly K8sObject[], kind: string): K8sObject[] {
  return docs.filter((d) => d.kind === kind);
}

export function one(docs: readonly K8sObject[], kind: string): Obj {
  const found = ofKind(docs, kind);
  if (found.length !== 1) throw new Error(`expected exactly one ${kind}, got ${found.length}`);
  return found[0] as Obj;
}

export function podSpec(docs: readonly K8sObject[]): Obj {
  return one(docs, 'Deployment').spec.template.spec as Obj;
}

export function container(docs: readonly K8sObject[], name: string): Obj {
  const spec = podSpec(docs);
  const all = [...(spec.initContainers ?? []), ...(spec.containers ?? [])] as Obj[];
  const found = all.find((c) => c.name === name);
  if (!found) throw new Error(`no container ${name}`);
  return found;
}

export function envOf(c: Obj): Record<string, string> {
  return Object.fromEntries((c.env as Obj[]).filter((e) => 'value' in e).map((e) => [e.name, e.value]));
}

export function checksum(docs: readonly K8sObject[]): string {
  return one(docs, 'Deployment').spec.template.metadata.annotations['checksum/secrets'] as string;
}
