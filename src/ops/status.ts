// `rgsd status`: at most 3 cluster calls, run concurrently (helm list; kubectl get
// deploy,pod,pvc; Secret names — never Secret data), then one in-pod `/opt/rgsd/status
// --json` per ready pod (concurrently). Returns the `status --json` document.
import { kubectl, type Target } from '../cluster/gateway.js';
import { listReleases, type HelmRelease } from '../cluster/release.js';
import { secretNames } from '../cluster/secret.js';
import { summarizeVolume } from '../cluster/volume.js';
import { queryInPodStatus, type BootWarning, type HomeUsage, type SessionInfo, type TunnelInfo } from '../cluster/podstate.js';
import { asleepSince, choosePod, listItems, type K8sObject, type PodSummary } from '../cluster/workload.js';
import type { App } from '../core/app.js';
import { projectNames } from '../core/names.js';
import { ALL_PROJECTS_SELECTOR, CHART_NAME, LABEL, projectSelector } from '../core/vocab.js';
import { formatAge } from '../ui/format.js';

/** `rgsd status --json` document (schemaVersion 1; documented in README). */
export interface StatusDocument {
  schemaVersion: 1;
  context: string;
  namespace: string;
  projects: ProjectStatus[];
}

export interface ProjectStatus {
  project: string;
  release: { name: string; status: string; revision: number; chart: string; appVersion: string; updated: string } | null;
  deployment: { name: string; replicas: number; readyReplicas: number } | null;
  /** scaled to 0 (idle sleep, `rgsd sleep`): since when, if recorded (the idle-watcher's
   * ConfigMap `<fullname>-idle`, `rgsd sleep`'s annotation on the Deployment); null when awake */
  asleep: { since: string | null } | null;
  pod: (Omit<PodSummary, 'terminating' | 'scheduling' | 'project'> & { age: string }) | null;
  pvc: { name: string; phase: string | null; capacity: string | null; storageClass: string | null } | null;
  secret: { name: string } | null;
  /** null when not queried (no ready pod) or the query failed (see sessionsError) */
  sessions: SessionInfo[] | null;
  tunnel: TunnelInfo | null;
  sessionsError: string | null;
  /** What the workstation reported at boot (clone failed, agent missing, …); null when not queried */
  warnings: BootWarning[] | null;
  /** The home volume's use as the pod sees it; null when not queried or an older image */
  homeUsage: HomeUsage | null;
}

/** kubectl arguments of the object query. */
export function objectsArgs(selector: string): string[] {
  return ['get', 'deployment,pod,pvc,configmap', '-l', selector, '-o', 'json'];
}

/** Status of one project (`project` given) or of every rgsd project in the namespace. */
export async function collectStatus(app: App, target: Target, project?: string): Promise<StatusDocument> {
  const selector = project ? projectSelector(project) : ALL_PROJECTS_SELECTOR;
  const [releases, objects, secrets] = await Promise.all([
    listReleases(app, target, project),
    kubectl(app, target, objectsArgs(selector)),
    secretNames(app, target, selector),
  ]);
  const groups = groupProjects(releases, listItems(objects.stdout), secrets, project);
  const now = app.now();
  const statuses = await Promise.all(
    [...groups.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(async ([name, g]) => {
        const st = buildProjectStatus(name, g, now);
        if (st.pod?.ready && st.pod.phase === 'Running') {
          try {
            const s = await queryInPodStatus(app, target, st.pod.name);
            st.sessions = s.sessions;
            st.tunnel = s.tunnel;
            st.warnings = s.warnings;
            st.homeUsage = s.home;
          } catch (err) {
            st.sessionsError = (err as Error).message.split('\n')[0] ?? 'failed';
          }
        }
        return st;
      }),
  );
  return { schemaVersion: 1, context: target.context, namespace: target.namespace, projects: statuses };
}

interface Group {
  release?: HelmRelease;
  objects: K8sObject[];
  secrets: string[];
}

function groupProjects(releases: HelmRelease[], items: K8sObject[], secrets: string[], only?: string): Map<string, Group> {
  const groups = new Map<string, Group>();
  const get = (p: string): Group => {
    const g = groups.get(p) ?? { objects: [], secrets: [] };
    groups.set(p, g);
    return g;
  };
  if (only) get(only);
  // Without a project, only releases of the rgsd chart ("rgsd-0.1.0") count: other charts may share the namespace.
  for (const r of releases) if (only ? r.name === only : r.chart.startsWith(`${CHART_NAME}-`)) get(r.name).release = r;
  for (const o of items) {
    const p = o.metadata.labels?.[LABEL.project];
    if (p && (!only || p === only)) get(p).objects.push(o);
  }
  // names only; the project is derived from the <fullname>-secrets convention
  for (const s of secrets) for (const [p, g] of groups) if (s === projectNames(p).secret) g.secrets.push(s);
  return groups;
}

function buildProjectStatus(project: string, g: Group, now: Date): ProjectStatus {
  const kind = (k: string): K8sObject[] => g.objects.filter((o) => o.kind === k);
  const deploy = kind('Deployment')[0];
  const pvcObj = kind('PersistentVolumeClaim')[0];
  const pod = choosePod(kind('Pod'), now);
  const vol = pvcObj ? summarizeVolume(pvcObj) : null;
  const r = g.release;
  const replicas = deploy ? (deploy.spec as { replicas?: number } | undefined)?.replicas : undefined;
  const idleCm = kind('ConfigMap').find((c) => c.metadata.name === `${deploy?.metadata.name}-idle`);
  return {
    project,
    release: r
      ? { name: r.name, status: r.status, revision: r.revision, chart: r.chart, appVersion: r.appVersion, updated: r.updated }
      : null,
    deployment: deploy
      ? {
          name: deploy.metadata.name,
          replicas: Number(replicas ?? 0),
          readyReplicas: Number((deploy.status as { readyReplicas?: number } | undefined)?.readyReplicas ?? 0),
        }
      : null,
    asleep: deploy && replicas === 0 ? { since: asleepSince(deploy, idleCm) } : null,
    pod: pod
      ? {
          name: pod.name,
          phase: pod.phase,
          ready: pod.ready,
          restarts: pod.restarts,
          ageSeconds: pod.ageSeconds,
          age: pod.ageSeconds === null ? '-' : formatAge(pod.ageSeconds),
          node: pod.node,
          reason: pod.reason,
        }
      : null,
    pvc: vol ? { name: vol.name, phase: vol.phase, capacity: vol.capacity, storageClass: vol.storageClass } : null,
    secret: g.secrets[0] ? { name: g.secrets[0] } : null,
    sessions: null,
    tunnel: null,
    sessionsError: null,
    warnings: null,
    homeUsage: null,
  };
}
