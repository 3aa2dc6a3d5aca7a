// The home volume: the PersistentVolumeClaim `<fullname>-home` (kept by Helm's keep policy;
// only nuke deletes it).
import { NotFoundError, RgsdError, TimeoutError } from '../core/errors.js';
import type { ProjectNames } from '../core/names.js';
import { kubectl, type Gateway, type Target } from './gateway.js';
import type { K8sObject } from './workload.js';

export interface HomeVolume {
  name: string;
  phase: string | null;
  capacity: string | null;
  /** requested size (capacity once bound) */
  size: string | null;
  storageClass: string | null;
  volume: string | null;
  terminating: boolean;
}

interface PvcFields {
  spec?: { volumeName?: string; storageClassName?: string; resources?: { requests?: { storage?: string } } };
  status?: { phase?: string; capacity?: { storage?: string } };
}

export function summarizeVolume(pvc: K8sObject): HomeVolume {
  const o = pvc as K8sObject & PvcFields;
  const capacity = o.status?.capacity?.storage ?? null;
  return {
    name: pvc.metadata.name,
    phase: o.status?.phase ?? null,
    capacity,
    size: capacity ?? o.spec?.resources?.requests?.storage ?? null,
    storageClass: o.spec?.storageClassName ?? null,
    volume: o.spec?.volumeName ?? null,
    terminating: Boolean(pvc.metadata.deletionTimestamp),
  };
}

/** The home volume of a project, or null. */
export async function getHomeVolume(gw: Gateway, t: Target, names: ProjectNames): Promise<HomeVolume | null> {
  try {
    const { stdout } = await kubectl(gw, t, ['get', 'pvc', names.pvc, '-o', 'json']);
    return summarizeVolume(JSON.parse(stdout) as K8sObject);
  } catch (err) {
    if (err instanceof NotFoundError) return null;
    throw err;
  }
}

/** The chart's keep policy only stops Helm; a kubectl delete removes the claim. Waits for
 * the pvc-protection finalizer (released once no pod mounts it). */
export async function deleteHomeVolume(gw: Gateway, t: Target, names: ProjectNames): Promise<void> {
  try {
    await kubectl(gw, t, ['delete', 'pvc', names.pvc, '--ignore-not-found', '--wait=true', '--timeout=180s'], {
      mutates: true,
      timeoutMs: 200_000,
    });
  } catch (err) {
    if (!(err instanceof TimeoutError)) throw err;
    throw new RgsdError(`home volume ${names.pvc} is marked for deletion but still in use (a pod mounts it)`, {
      hint: `find the pod with \`kubectl -n ${t.namespace} get pods\`, delete it, then re-run \`rgsd nuke ${names.release}\``,
      cause: err,
    });
  }
}
