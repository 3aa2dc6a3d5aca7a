// `rgsd nuke`: destroy a project for good — Helm release (in any state, pending included),
// home PVC, Secret, and the namespace when rgsd created it and nothing else lives in it.
// Two steps with the confirmation in between (the command asks): `planNuke` only reads and
// says exactly what would go; `destroy` removes it, reporting each step as an event.
// Every piece is independently optional, so a re-run after a partial nuke finishes the job.
import { kubectl, type Target } from '../cluster/gateway.js';
import { createdByRgsd, deleteNamespace, getNamespace, type NamespaceState } from '../cluster/namespace.js';
import {
  findRelease,
  forceRemoveRelease,
  HELM_RELEASE_ANNOTATION,
  isReleaseRecord,
  uninstall,
  type HelmRelease,
} from '../cluster/release.js';
import { deleteSecret, secretNames } from '../cluster/secret.js';
import { deleteHomeVolume, getHomeVolume, summarizeVolume, type HomeVolume } from '../cluster/volume.js';
import { listItems, type K8sObject } from '../cluster/workload.js';
import type { App } from '../core/app.js';
import { CommandError, ForbiddenError, NotFoundError, firstLine } from '../core/errors.js';
import { projectNames, type ProjectNames } from '../core/names.js';
import { LABEL } from '../core/vocab.js';
import { deleteHelperPods, RESTORE_LABEL } from '../cluster/restore.js';

/** Namespaced kinds whose presence keeps the namespace alive (Secrets are listed by name). */
export const OTHER_KINDS =
  'all,pvc,configmap,serviceaccount,role,rolebinding,' + 'ingress,networkpolicy,resourcequota,limitrange,poddisruptionbudget';

export interface NamespaceDecision {
  name: string;
  remove: boolean;
  why: string;
}

export interface NukePlan {
  project: string;
  target: Target;
  release: HelmRelease | null;
  pvc: HomeVolume | null;
  /** the project's Secret, when it exists */
  secret: string | null;
  /** null when the namespace does not exist */
  namespace: NamespaceDecision | null;
  /** a restore helper pod is there (an interrupted `rgsd restore`): deleted before the volume */
  restoreHelpers?: boolean;
}

/** Objects Kubernetes puts in every namespace. */
function isBuiltin(kind: string | undefined, name: string): boolean {
  return (kind === 'ConfigMap' && name === 'kube-root-ca.crt') || (kind === 'ServiceAccount' && name === 'default');
}

function belongsTo(o: K8sObject, project: string): boolean {
  return (
    o.metadata.labels?.[LABEL.project] === project ||
    o.metadata.labels?.[RESTORE_LABEL] === project ||
    o.metadata.annotations?.[HELM_RELEASE_ANNOTATION] === project
  );
}

/** Secrets that go with the project: its own, Helm's release records, a legacy token. */
function isProjectSecret(name: string, names: ProjectNames): boolean {
  return name === names.secret || isReleaseRecord(name, names.release) || name.startsWith('default-token-');
}

/** Reads only: what a nuke of this project would destroy. */
export async function planNuke(app: App, target: Target, names: ProjectNames): Promise<NukePlan> {
  const project = names.release;
  app.progress.begin(`re-run \`rgsd nuke ${project}\``);
  const [ns, release, listing, secrets] = await Promise.all([
    getNamespace(app, target),
    findRelease(app, target, project),
    listNamespace(app, target, names),
    secretNames(app, target),
  ]);
  let namespace: NamespaceDecision | null;
  if (listing.items) {
    const others = [
      ...listing.items
        .filter((o) => !isBuiltin(o.kind, o.metadata.name) && !belongsTo(o, project))
        .map((o) => `${(o.kind ?? 'object').toLowerCase()}/${o.metadata.name}`),
      ...secrets.filter((s) => !isProjectSecret(s, names)).map((s) => `secret/${s}`),
    ];
    namespace = namespaceDecision(target.namespace, ns, others);
  } else {
    namespace = ns.exists ? { name: target.namespace, remove: false, why: 'kept: your credentials cannot list everything in it' } : null;
  }
  const restoreHelpers = (listing.items ?? []).some((o) => o.kind === 'Pod' && o.metadata.labels?.[RESTORE_LABEL] === project);
  return {
    project,
    target,
    release,
    pvc: listing.pvc,
    secret: secrets.includes(names.secret) ? names.secret : null,
    namespace,
    ...(restoreHelpers ? { restoreHelpers } : {}),
  };
}

interface Listing {
  /** every object of OTHER_KINDS, or null when they could not all be listed */
  items: K8sObject[] | null;
  pvc: HomeVolume | null;
}

/** Everything in the namespace that could keep it alive. Without permission to list some of
 * those kinds, only the project's PVC is looked up (and the namespace is kept). */
async function listNamespace(app: App, t: Target, names: ProjectNames): Promise<Listing> {
  try {
    const items = listItems((await kubectl(app, t, ['get', OTHER_KINDS, '-o', 'json'])).stdout);
    const pvc = items.find((o) => o.kind === 'PersistentVolumeClaim' && o.metadata.name === names.pvc);
    return { items, pvc: pvc ? summarizeVolume(pvc) : null };
  } catch (err) {
    if (!(err instanceof ForbiddenError)) throw err;
  }
  return { items: null, pvc: await getHomeVolume(app, t, names) };
}

function namespaceDecision(name: string, ns: NamespaceState, others: string[]): NamespaceDecision | null {
  if (!ns.exists) return null;
  if (ns.terminating) return { name, remove: false, why: 'already being deleted' };
  if (!createdByRgsd(ns)) return { name, remove: false, why: 'kept: rgsd did not create it' };
  if (others.length) {
    const shown = `${others.slice(0, 3).join(', ')}${others.length > 3 ? ', …' : ''}`;
    const live = others.length === 1 ? 'other object lives' : 'other objects live';
    return { name, remove: false, why: `kept: ${others.length} ${live} in it (${shown})` };
  }
  return { name, remove: true, why: 'created by rgsd and nothing else lives in it' };
}

/** Nothing of the project is left to destroy. */
export function nothingLeft(plan: NukePlan): boolean {
  return !plan.release && !plan.pvc && !plan.secret && !plan.namespace?.remove;
}

// ---- destroy ------------------------------------------------------------------------------

export type NukeStep = 'release' | 'secret' | 'volume' | 'namespace';

export type NukeEvent =
  | { kind: 'start'; step: NukeStep }
  | { kind: 'done'; step: NukeStep }
  /** Helm could not uninstall the release: its objects and records are deleted directly. */
  | { kind: 'uninstall-failed'; release: string; reason: string };

export interface NukeResult {
  plan: NukePlan;
  /** in the order they were destroyed */
  destroyed: NukeStep[];
}

/** Destroys what the plan lists, in this order: release (its pod lets go of the PVC),
 * Secret, PVC, namespace. Each step tolerates an object already gone. */
export async function destroy(app: App, plan: NukePlan, onEvent: (e: NukeEvent) => void = () => undefined): Promise<NukeResult> {
  const t = plan.target;
  const names = projectNames(plan.project);
  const destroyed: NukeStep[] = [];
  const { progress } = app;
  progress.begin(`re-run \`rgsd nuke ${plan.project}\`: it destroys what is left`);
  const step = async (s: NukeStep, work: () => Promise<unknown>): Promise<void> => {
    onEvent({ kind: 'start', step: s });
    progress.start(STEP_DOING[s](plan), STEP_RISK[s] ? { risk: STEP_RISK[s] } : {});
    await work();
    progress.done(STEP_DONE[s](plan));
    onEvent({ kind: 'done', step: s });
    destroyed.push(s);
  };
  if (plan.release) {
    const rel = plan.release;
    await step('release', () => uninstallRelease(app, t, rel, onEvent));
  }
  if (plan.secret) await step('secret', () => deleteSecret(app, t, names, { wait: true }));
  if (plan.pvc) {
    // a restore helper left behind (an interrupted `rgsd restore`) would hold the volume
    await step('volume', async () => {
      if (plan.restoreHelpers) await deleteHelperPods(app, t, names);
      await deleteHomeVolume(app, t, names);
    });
  }
  if (plan.namespace?.remove) await step('namespace', () => deleteNamespace(app, t));
  return { plan, destroyed };
}

const STEP_DOING: Record<NukeStep, (p: NukePlan) => string> = {
  release: (p) => `the uninstall of release ${p.release?.name ?? p.project}`,
  secret: (p) => `the deletion of Secret ${p.secret ?? ''}`,
  volume: (p) => `the deletion of home volume ${p.pvc?.name ?? ''}`,
  namespace: (p) => `the deletion of namespace ${p.namespace?.name ?? p.target.namespace}`,
};
const STEP_DONE: Record<NukeStep, (p: NukePlan) => string> = {
  release: (p) => `release ${p.release?.name ?? p.project} was uninstalled`,
  secret: (p) => `Secret ${p.secret ?? ''} was deleted`,
  volume: (p) => `home volume ${p.pvc?.name ?? ''} was deleted`,
  namespace: (p) => `namespace ${p.namespace?.name ?? p.target.namespace} was deleted`,
};
const STEP_RISK: Partial<Record<NukeStep, string>> = {
  release: 'the release may be left uninstalling',
  volume: 'the home volume may be marked for deletion already',
};

/** `helm uninstall --wait` works for deployed, failed and pending-* releases alike; if Helm
 * itself fails (e.g. a broken hook), the release's objects and Helm's records are deleted directly. */
async function uninstallRelease(app: App, t: Target, rel: HelmRelease, onEvent: (e: NukeEvent) => void): Promise<void> {
  try {
    await uninstall(app, t, rel.name, ['--timeout', '5m']);
    return;
  } catch (err) {
    if (err instanceof NotFoundError) return; // gone meanwhile
    // Typed failures (unreachable, forbidden, timeout) would hit the direct deletes too.
    if (!(err instanceof CommandError)) throw err;
    const reason = firstLine(err.stderr) || firstLine(err.stdout) || `exit code ${err.commandExitCode}`;
    onEvent({ kind: 'uninstall-failed', release: rel.name, reason });
  }
  await forceRemoveRelease(app, t, rel.name);
}
