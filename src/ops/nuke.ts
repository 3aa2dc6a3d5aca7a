// `rgsd nuke`: destroy a project for good — Helm release (in any state, pending included),
// home PVC, Secret, and the namespace when rgsd created it and nothing else lives in it.
// Lists exactly that first, then requires the project name typed (or --confirm <project>).
// Every piece is independently optional, so a re-run after a partial nuke finishes the job.
import type { App } from '../core/app.js';
import { CommandError, RefusedError, RgsdError, TimeoutError } from '../core/errors.js';
import { listReleases, uninstallArgs, type HelmRelease } from '../core/helm.js';
import { classifyClusterError, getNamespace, kubectl, type NamespaceState, type Target } from '../core/kube.js';
import type { ProjectNames } from '../core/names.js';
import { confirmTyped } from '../ui/prompts.js';
import { openProject } from './project.js';

export interface NukeOptions {
  confirm?: string;
  dryRun?: boolean;
}

/** Namespaced kinds whose presence keeps the namespace alive (Secrets are listed by name). */
export const OTHER_KINDS = 'all,pvc,configmap,serviceaccount,role,rolebinding,ingress,networkpolicy,resourcequota,limitrange,poddisruptionbudget';

export interface NukePlan {
  project: string;
  target: Target;
  release: HelmRelease | null;
  pvc: { name: string; size: string | null; volume: string | null; terminating: boolean } | null;
  secret: string | null;
  namespace: { name: string; remove: boolean; why: string } | null;
}

interface Obj {
  kind?: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string>; deletionTimestamp?: string; ownerReferences?: unknown[] };
  spec?: { volumeName?: string; resources?: { requests?: { storage?: string } } };
  status?: { capacity?: { storage?: string } };
}

/** Objects Kubernetes puts in every namespace. */
function isBuiltin(kind: string | undefined, name: string): boolean {
  return (kind === 'ConfigMap' && name === 'kube-root-ca.crt') || (kind === 'ServiceAccount' && name === 'default');
}

function belongsTo(o: Obj, project: string): boolean {
  return o.metadata.labels?.['rgsd.dev/project'] === project || o.metadata.annotations?.['meta.helm.sh/release-name'] === project;
}

/** Secrets of the project: its own and Helm's release records (sh.helm.release.v1.<p>.vN). */
function isProjectSecret(name: string, project: string, names: ProjectNames): boolean {
  return name === names.secret || name.startsWith(`sh.helm.release.v1.${project}.v`) || /^default-token-/.test(name);
}

export async function planNuke(app: App, project: string, names: ProjectNames, target: Target): Promise<NukePlan> {
  const [ns, releases, listing, secretNames] = await Promise.all([
    getNamespace(app.runner, app.tools, target),
    listReleases(app.runner, app.tools, target, project),
    listNamespace(app, target, names),
    kubectl(app.runner, app.tools, target, ['get', 'secret', '-o', 'name']),
  ]);
  const { items, complete } = listing;
  const secrets = secretNames.split('\n').map((l) => l.trim().replace(/^secrets?\//, '')).filter(Boolean);
  const release = releases.find((r) => r.name === names.release) ?? null;
  const pvcObj = items.find((o) => o.kind === 'PersistentVolumeClaim' && o.metadata.name === names.pvc);
  const pvc = pvcObj
    ? {
        name: names.pvc,
        size: pvcObj.status?.capacity?.storage ?? pvcObj.spec?.resources?.requests?.storage ?? null,
        volume: pvcObj.spec?.volumeName ?? null,
        terminating: Boolean(pvcObj.metadata.deletionTimestamp),
      }
    : null;
  const secret = secrets.includes(names.secret) ? names.secret : null;
  const others = [
    ...items.filter((o) => !isBuiltin(o.kind, o.metadata.name) && !belongsTo(o, project)).map((o) => `${(o.kind ?? 'object').toLowerCase()}/${o.metadata.name}`),
    ...secrets.filter((s) => !isProjectSecret(s, project, names)).map((s) => `secret/${s}`),
  ];
  const namespace = complete ? namespaceDecision(target.namespace, ns, others) : ns.exists ? { name: target.namespace, remove: false, why: 'kept: your credentials cannot list everything in it' } : null;
  return { project, target, release, pvc, secret, namespace };
}

/** Everything in the namespace that could keep it alive. Without permission to list some of
 * those kinds, only the project's PVC is looked up and the namespace is kept. */
async function listNamespace(app: App, t: Target, names: ProjectNames): Promise<{ items: Obj[]; complete: boolean }> {
  const parse = (json: string): Obj[] => (JSON.parse(json.trim() || '{}') as { items?: Obj[] }).items ?? [];
  try {
    return { items: parse(await kubectl(app.runner, app.tools, t, ['get', OTHER_KINDS, '-o', 'json'])), complete: true };
  } catch (err) {
    if (!(err instanceof RgsdError && /^permission denied/.test(err.message))) throw err;
  }
  const pvc = await kubectl(app.runner, app.tools, t, ['get', 'pvc', names.pvc, '--ignore-not-found', '-o', 'json']);
  return { items: pvc.trim() ? [{ kind: 'PersistentVolumeClaim', ...(JSON.parse(pvc) as Omit<Obj, 'kind'>) }] : [], complete: false };
}

function namespaceDecision(name: string, ns: NamespaceState, others: string[]): NukePlan['namespace'] {
  if (!ns.exists) return null;
  if (ns.terminating) return { name, remove: false, why: 'already being deleted' };
  if (ns.labels['app.kubernetes.io/managed-by'] !== 'rgsd') return { name, remove: false, why: 'kept: rgsd did not create it' };
  if (others.length) {
    const shown = others.slice(0, 3).join(', ');
    return { name, remove: false, why: `kept: ${others.length} other object${others.length === 1 ? ' lives' : 's live'} in it (${shown}${others.length > 3 ? ', …' : ''})` };
  }
  return { name, remove: true, why: 'created by rgsd and nothing else lives in it' };
}

export function nothingLeft(plan: NukePlan): boolean {
  return !plan.release && !plan.pvc && !plan.secret && !plan.namespace?.remove;
}

export function describePlan(plan: NukePlan): string[] {
  const lines: string[] = [];
  if (plan.release) lines.push(`Helm release ${plan.release.name} (${plan.release.status}, revision ${plan.release.revision}): the workstation pod, its ServiceAccount and RBAC`);
  if (plan.pvc) {
    const extra = [plan.pvc.size ?? 'size unknown', plan.pvc.volume ? `volume ${plan.pvc.volume}` : null, plan.pvc.terminating ? 'already being deleted' : null].filter(Boolean).join(', ');
    lines.push(`PersistentVolumeClaim ${plan.pvc.name} (${extra}): the home directory — every file, clone and agent state in it`);
  }
  if (plan.secret) lines.push(`Secret ${plan.secret}: the credentials copied from the secrets file (the local file stays)`);
  if (plan.namespace?.remove) lines.push(`Namespace ${plan.namespace.name} (${plan.namespace.why})`);
  return lines;
}

/** Refuse unless the project name is confirmed: --confirm, or typed at a terminal. --yes is not enough. */
export async function requireConfirmation(app: App, project: string, confirmFlag: string | undefined): Promise<void> {
  if (confirmFlag !== undefined) {
    if (confirmFlag !== project) {
      throw new RefusedError(`--confirm "${confirmFlag}" does not match the project "${project}"; nothing was deleted`, { hint: `rgsd nuke ${project} --confirm ${project}` });
    }
    return;
  }
  if (!app.prompter.interactive) {
    throw new RefusedError(`refusing to nuke ${project}: stdin is not a terminal, so the project name cannot be typed; nothing was deleted`, {
      hint: `from a script: rgsd nuke ${project} --confirm ${project}${app.globals.yes ? ' (--yes is not enough for nuke)' : ''}`,
    });
  }
  if (app.globals.yes) app.out.warn('--yes does not apply to nuke: type the project name (or use --confirm)');
  if (!(await confirmTyped(app.prompter, project, `Type the project name (${project}) to destroy it:`))) {
    throw new RefusedError(`the name typed is not "${project}"; nothing was deleted`, { hint: `re-run \`rgsd nuke ${project}\` and type ${project} exactly` });
  }
}

export interface NukeResult {
  plan: NukePlan;
  destroyed: string[];
}

export async function nuke(app: App, projectArg: string | undefined, opts: NukeOptions): Promise<NukeResult> {
  const dryRun = Boolean(opts.dryRun ?? app.globals.dryRun);
  const { project, names, target } = await openProject(app, projectArg, { command: 'nuke', requireSettings: false });
  // A mismatching --confirm is refused before the cluster is touched.
  if (opts.confirm !== undefined && opts.confirm !== project) await requireConfirmation(app, project, opts.confirm);
  const { out } = app;
  const plan = await planNuke(app, project, names, target);
  if (nothingLeft(plan)) {
    out.info(`nothing left of ${project} in namespace ${target.namespace} (context ${target.context})${plan.namespace ? `; namespace ${target.namespace} ${plan.namespace.why}` : ''}`);
    return { plan, destroyed: [] };
  }
  out.info(out.c.bold(`This permanently destroys project ${project} (context ${target.context}, namespace ${target.namespace}):`));
  for (const line of describePlan(plan)) out.info(`  - ${line}`);
  if (plan.namespace && !plan.namespace.remove) out.info(`  Namespace ${plan.namespace.name} is ${plan.namespace.why}.`);
  if (dryRun) {
    out.success('dry run: nothing was destroyed');
    return { plan, destroyed: [] };
  }
  await requireConfirmation(app, project, opts.confirm);
  const destroyed = await destroy(app, plan, names);
  out.success(`${project} is gone (${destroyed.join(', ')}); the local settings and secrets files are kept`);
  return { plan, destroyed };
}

/** Each step tolerates an already-absent object. */
async function destroy(app: App, plan: NukePlan, names: ProjectNames): Promise<string[]> {
  const { out } = app;
  const t = plan.target;
  const done: string[] = [];
  if (plan.release) {
    await uninstall(app, t, plan.release);
    out.success(`release ${plan.release.name} uninstalled`);
    done.push('release');
  }
  if (plan.secret) {
    await kubectl(app.runner, app.tools, t, ['delete', 'secret', names.secret, '--ignore-not-found', '--wait=true'], { mutates: true });
    out.success(`Secret ${names.secret} deleted`);
    done.push('Secret');
  }
  if (plan.pvc) {
    await deletePvc(app, t, names);
    out.success(`home volume ${names.pvc} deleted${plan.pvc.size ? ` (${plan.pvc.size})` : ''}`);
    done.push('home volume');
  }
  if (plan.namespace?.remove) {
    await kubectl(app.runner, app.tools, t, ['delete', 'namespace', t.namespace, '--ignore-not-found', '--wait=false'], { mutates: true });
    out.success(`namespace ${t.namespace} deleted (Kubernetes finishes removing it in the background)`);
    done.push('namespace');
  }
  return done;
}

/** `helm uninstall --wait` works for deployed, failed and pending-* releases alike; if Helm
 * itself fails, the release's objects and Helm's release records are deleted directly. */
async function uninstall(app: App, t: Target, rel: HelmRelease): Promise<void> {
  try {
    await app.runner.run(app.tools.helm, [...uninstallArgs(t, rel.name), '--timeout', '5m'], { mutates: true });
    return;
  } catch (err) {
    const e = classifyClusterError(err, t);
    if (!(e instanceof CommandError)) throw e;
    if (/not found/i.test(e.stderr)) return; // gone meanwhile
    app.out.warn(`helm uninstall failed (${e.message.replace(/^\S+ failed: /, '')}); removing the release's objects directly`);
  }
  const sel = `rgsd.dev/project=${rel.name}`;
  await kubectl(app.runner, app.tools, t, ['delete', 'deployment,replicaset,pod,serviceaccount,role,rolebinding', '-l', sel, '--ignore-not-found', '--wait=true'], { mutates: true });
  await kubectl(app.runner, app.tools, t, ['delete', 'secret', '-l', `owner=helm,name=${rel.name}`, '--ignore-not-found'], { mutates: true });
}

/** The chart's keep policy only stops Helm; a kubectl delete removes the claim. Waits for
 * the pvc-protection finalizer (released once no pod mounts it). */
async function deletePvc(app: App, t: Target, names: ProjectNames): Promise<void> {
  try {
    await kubectl(app.runner, app.tools, t, ['delete', 'pvc', names.pvc, '--ignore-not-found', '--wait=true', '--timeout=180s'], { mutates: true, timeoutMs: 200_000 });
  } catch (err) {
    if (err instanceof TimeoutError || (err instanceof CommandError && /timed out/i.test(err.stderr))) {
      throw new RgsdError(`home volume ${names.pvc} is marked for deletion but still in use (a pod mounts it)`, {
        hint: `find the pod with \`kubectl -n ${t.namespace} get pods\`, delete it, then re-run \`rgsd nuke ${names.release}\``,
        cause: err,
      });
    }
    throw err;
  }
}
