// The project's Secret (ARCHITECTURE.md "Secret contract"): built from the local secret data,
// applied with server-side apply on stdin (no last-applied copy; keys removed from the file
// disappear), deleted, and found by name — never read back.
import { encodeData, type SecretData } from '../core/secrets.js';
import type { ProjectNames } from '../core/names.js';
import { CHART_NAME, LABEL, MANAGED_BY_RGSD } from '../core/vocab.js';
import { kubectl, type Gateway, type Target } from './gateway.js';

export interface SecretManifest {
  apiVersion: 'v1';
  kind: 'Secret';
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  type: 'Opaque';
  data: Record<string, string>;
}

export function buildSecretManifest(names: ProjectNames, namespace: string, data: SecretData): SecretManifest {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: names.secret,
      namespace,
      labels: {
        [LABEL.name]: CHART_NAME,
        [LABEL.instance]: names.release,
        [LABEL.managedBy]: MANAGED_BY_RGSD,
        [LABEL.project]: names.release,
      },
    },
    type: 'Opaque',
    data: encodeData(data),
  };
}

/** A copy safe to print: every value replaced by a length note. */
export function maskSecretManifest(m: SecretManifest): SecretManifest {
  const data: Record<string, string> = {};
  for (const [k, v] of Object.entries(m.data)) data[k] = `<masked: ${Buffer.from(v, 'base64').length} bytes>`;
  return { ...m, data };
}

/** Server-side apply: no last-applied annotation (it would copy the data); keys removed
 * from the file disappear from the Secret because rgsd owns the fields it applied. */
export const SECRET_APPLY = ['apply', '--server-side', '--field-manager=rgsd', '--force-conflicts', '-f', '-'];

export async function applySecret(gw: Gateway, t: Target, manifest: SecretManifest): Promise<void> {
  // the one call whose stdin may carry secret values (the SecretGuard checks every other stdin)
  await kubectl(gw, t, SECRET_APPLY, { stdin: JSON.stringify(manifest), mutates: true, secretStdin: true });
}

/** Delete the project's Secret; true when there was one. */
export async function deleteSecret(gw: Gateway, t: Target, names: ProjectNames, opts: { wait?: boolean } = {}): Promise<boolean> {
  const args = ['delete', 'secret', names.secret, '--ignore-not-found', ...(opts.wait ? ['--wait=true'] : []), '-o', 'name'];
  const { stdout } = await kubectl(gw, t, args, { mutates: true });
  return stdout.trim().length > 0;
}

/** Names of the Secrets in the namespace (optionally by label selector): `-o name`, never data. */
export async function secretNames(gw: Gateway, t: Target, selector?: string): Promise<string[]> {
  const { stdout } = await kubectl(gw, t, ['get', 'secret', ...(selector ? ['-l', selector] : []), '-o', 'name']);
  return parseNames(stdout);
}

/** `secret/a\nsecret/b` → ['a', 'b'] */
export function parseNames(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim().replace(/^[a-z.]+\//, ''))
    .filter(Boolean);
}

/** Is the Secret in the cluster already the one `up` would apply: the same type, the same
 * keys with the same values, rgsd's labels on it? Then applying it again changes nothing. */
export function secretIsCurrent(
  live: { type?: unknown; data?: unknown; metadata?: { labels?: Record<string, string> } },
  want: SecretManifest,
): boolean {
  const data = (live.data ?? {}) as Record<string, string>;
  const keys = Object.keys(want.data);
  if ((live.type ?? 'Opaque') !== want.type || Object.keys(data).length !== keys.length) return false;
  if (!keys.every((k) => data[k] === want.data[k])) return false;
  const labels = live.metadata?.labels ?? {};
  return Object.entries(want.metadata.labels).every(([k, v]) => labels[k] === v);
}
