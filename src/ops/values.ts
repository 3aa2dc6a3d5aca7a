// Settings → chart values (ARCHITECTURE.md "Chart values"). The result is passed to helm
// as YAML on stdin. It never contains a secret: only the Secret's name and checksum.
import type { ProjectConfig } from '../core/config.js';
import type { ProjectNames } from '../core/names.js';

export type Values = Record<string, unknown>;

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Deep merge (objects merge, everything else replaces). */
export function deepMerge(a: Values, b: Values): Values {
  const out: Values = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = isObj(v) && isObj(out[k]) ? deepMerge(out[k] as Values, v) : v;
  return out;
}

/** Values for `helm upgrade --install`: settings mapped to chart values, then settings.values. */
export function buildValues(project: string, cfg: ProjectConfig | undefined, names: ProjectNames, checksum: string): Values {
  const s = cfg?.settings ?? {};
  const v: Values = { project };
  if (s.image && Object.keys(s.image).length) v.image = { ...s.image };
  const agent: Values = {};
  if (s.agent) agent.name = s.agent;
  if (s.autoStart !== undefined) agent.autoStart = s.autoStart;
  if (s.agentArgs?.length) agent.args = s.agentArgs;
  if (Object.keys(agent).length) v.agent = agent;
  if (s.tmuxSession) v.tmux = { session: s.tmuxSession };
  const git: Values = {};
  if (s.repo) git.repo = s.repo;
  if (s.branch) git.branch = s.branch;
  if (s.git?.userName) git.userName = s.git.userName;
  if (s.git?.userEmail) git.userEmail = s.git.userEmail;
  if (Object.keys(git).length) v.git = git;
  if (s.storage && Object.keys(s.storage).length) v.persistence = { ...s.storage };
  v.secrets = { existingSecret: names.secret, checksum };
  if (s.resources) v.resources = s.resources;
  if (s.extraEnv) v.extraEnv = Object.entries(s.extraEnv).map(([name, value]) => ({ name, value }));
  if (s.rbac && Object.keys(s.rbac).length) v.rbac = { ...s.rbac };
  if (s.vscodeTunnel && Object.keys(s.vscodeTunnel).length) v.vscodeTunnel = { ...s.vscodeTunnel };
  return s.values ? deepMerge(v, s.values) : v;
}

/** "repo/name:tag" / "repo@sha256:…" (the chart's image.digest) → image values (`rgsd init --image`). */
export function parseImageRef(ref: string): { repository: string; tag?: string; digest?: string } {
  const at = ref.indexOf('@');
  if (at > 0) return { repository: ref.slice(0, at), digest: ref.slice(at + 1) };
  const colon = ref.lastIndexOf(':');
  if (colon > ref.lastIndexOf('/')) return { repository: ref.slice(0, colon), tag: ref.slice(colon + 1) };
  return { repository: ref };
}

/** Canonical JSON (keys sorted at every level) for comparisons. */
export function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (isObj(v))
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`)
      .join(',')}}`;
  return JSON.stringify(v);
}

/**
 * Value paths the chart keeps out of the pod template: changing them updates the PVC, the
 * Role or the ServiceAccount but does not restart the pod. Everything else may restart it
 * (test/cli/restart-paths.test.ts checks this list against the real chart).
 */
export const NO_RESTART_PATHS: readonly (readonly [string, string])[] = [
  ['persistence', 'size'],
  ['persistence', 'storageClass'],
  ['persistence', 'accessMode'],
  ['persistence', 'annotations'],
  ['rbac', 'rules'],
  ['serviceAccount', 'annotations'],
  ['networkPolicy', 'enabled'],
  ['networkPolicy', 'allowPrivateRanges'],
  ['networkPolicy', 'dnsPeers'],
  ['networkPolicy', 'apiServerCIDRs'],
  ['networkPolicy', 'apiServerPorts'],
  ['networkPolicy', 'extraEgress'],
];

/** `v[key]` without the sub-keys that do not touch the pod template. */
function podRelevant(key: string, v: unknown): unknown {
  if (!isObj(v)) return v;
  const dropped = NO_RESTART_PATHS.filter(([k]) => k === key).map(([, sub]) => sub);
  if (dropped.length === 0) return v;
  const kept = Object.entries(v).filter(([sub]) => !dropped.includes(sub));
  // nothing left that reaches the pod: same as the key being absent
  return kept.length === 0 ? undefined : Object.fromEntries(kept);
}

/** Why applying `next` over `prev` restarts the pod ([] = it does not). */
export function restartReasons(prev: Values, next: Values): string[] {
  const reasons: string[] = [];
  const keys = new Set([...Object.keys(prev), ...Object.keys(next)]);
  for (const k of [...keys].sort()) {
    if (canonical(podRelevant(k, prev[k])) === canonical(podRelevant(k, next[k]))) continue;
    if (k === 'secrets') {
      const p = (prev.secrets ?? {}) as Values;
      const n = (next.secrets ?? {}) as Values;
      if (p.checksum !== n.checksum) reasons.push('the secrets changed');
      if (p.existingSecret !== n.existingSecret) reasons.push('the Secret name changed');
    } else {
      reasons.push(`${k} changed`);
    }
  }
  return reasons;
}
