// The namespace: read (also the reachability check of `up`), create (never owned by a Helm
// release, labelled restricted), delete.
import { AlreadyExistsError, ForbiddenError, NotFoundError } from '../core/errors.js';
import { LABEL, MANAGED_BY_RGSD } from '../core/vocab.js';
import { kubectl, type Gateway, type Target } from './gateway.js';

export interface NamespaceState {
  exists: boolean;
  labels: Record<string, string>;
  /** set (true) only while the namespace is being deleted */
  terminating?: boolean;
}

/** One call that both checks reachability and reads the namespace. */
export async function getNamespace(gw: Gateway, t: Target): Promise<NamespaceState> {
  try {
    const out = await kubectl(gw, t, ['get', 'namespace', t.namespace, '-o', 'json'], { clusterScoped: true });
    const obj = JSON.parse(out.stdout) as { metadata?: { labels?: Record<string, string> }; status?: { phase?: string } };
    return { exists: true, labels: obj.metadata?.labels ?? {}, ...(obj.status?.phase === 'Terminating' ? { terminating: true } : {}) };
  } catch (err) {
    if (err instanceof NotFoundError) return { exists: false, labels: {} };
    // Namespace-scoped users often may not read Namespace objects: the API server answered
    // (so it is reachable); assume the namespace exists and let the next call tell.
    if (err instanceof ForbiddenError) return { exists: true, labels: {} };
    throw err;
  }
}

export function namespaceManifest(name: string): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, labels: { [LABEL.managedBy]: MANAGED_BY_RGSD, [LABEL.podSecurity]: 'restricted' } },
  };
}

/** Create the namespace. AlreadyExists counts as success. */
export async function createNamespace(gw: Gateway, t: Target): Promise<void> {
  try {
    await kubectl(gw, t, ['create', '-f', '-'], {
      clusterScoped: true,
      stdin: JSON.stringify(namespaceManifest(t.namespace)),
      mutates: true,
    });
  } catch (err) {
    if (!(err instanceof AlreadyExistsError)) throw err;
  }
}

/** Delete the namespace without waiting (Kubernetes finishes in the background). */
export async function deleteNamespace(gw: Gateway, t: Target): Promise<void> {
  await kubectl(gw, t, ['delete', 'namespace', t.namespace, '--ignore-not-found', '--wait=false'], { clusterScoped: true, mutates: true });
}

/** Was the namespace created by rgsd (and so may rgsd delete it)? */
export function createdByRgsd(ns: NamespaceState): boolean {
  return ns.labels[LABEL.managedBy] === MANAGED_BY_RGSD;
}
