// `rgsd status`: at most 3 cluster calls, run concurrently (helm list; kubectl get
// deploy,pod,pvc; kubectl get secret -o name — names only, never Secret data), then one
// in-pod `/opt/rgsd/status --json` per ready pod (concurrently).
import type { App } from '../core/app.js';
import { listReleases, type HelmRelease } from '../core/helm.js';
import { kubectl, type Target } from '../core/kube.js';
import { ALL_PROJECTS_SELECTOR, projectNames } from '../core/names.js';
import { formatAge } from '../ui/output.js';
import { openNamespace, openProject } from './project.js';
import { pickPod, queryInPodStatus, type K8sObject, type PodSummary, type SessionInfo, type TunnelInfo } from './pod.js';

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
  pod: (Omit<PodSummary, 'terminating'> & { age: string }) | null;
  pvc: { name: string; phase: string | null; capacity: string | null; storageClass: string | null } | null;
  secret: { name: string } | null;
  /** null when not queried (no ready pod) or the query failed (see sessionsError) */
  sessions: SessionInfo[] | null;
  tunnel: TunnelInfo | null;
  sessionsError: string | null;
}

/** kubectl arguments (after `--context C -n NS`) of the two object queries. */
export function statusQueries(selector: string): { objects: string[]; secrets: string[] } {
  return {
    objects: ['get', 'deployment,pod,pvc', '-l', selector, '-o', 'json'],
    secrets: ['get', 'secret', '-l', selector, '-o', 'name'],
  };
}

export async function collectStatus(app: App, projectArg: string | undefined): Promise<StatusDocument> {
  let target: Target;
  let project: string | undefined;
  let selector: string;
  if (projectArg) {
    const opened = await openProject(app, projectArg, { command: 'status', requireSettings: false });
    target = opened.target;
    project = opened.project;
    selector = opened.names.selector;
  } else {
    target = await openNamespace(app);
    selector = ALL_PROJECTS_SELECTOR;
  }
  const calls = statusQueries(selector);
  const [releases, objectsJson, secretNames] = await Promise.all([
    listReleases(app.runner, app.tools, target, project),
    kubectl(app.runner, app.tools, target, calls.objects),
    kubectl(app.runner, app.tools, target, calls.secrets),
  ]);
  const items = ((JSON.parse(objectsJson || '{}') as { items?: K8sObject[] }).items ?? []);
  const secrets = secretNames.split('\n').map((l) => l.trim().replace(/^secrets?\//, '')).filter(Boolean);
  const projects = groupProjects(releases, items, secrets, project);
  const now = app.now();
  const statuses = await Promise.all(
    [...projects.entries()].sort(([a], [b]) => a.localeCompare(b)).map(async ([name, g]) => {
      const st = buildProjectStatus(name, g, now);
      if (st.pod && st.pod.ready && st.pod.phase === 'Running') {
        try {
          const s = await queryInPodStatus(app, target, st.pod.name);
          st.sessions = s.sessions;
          st.tunnel = s.tunnel;
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
    let g = groups.get(p);
    if (!g) groups.set(p, (g = { objects: [], secrets: [] }));
    return g;
  };
  if (only) get(only);
  for (const r of releases) if (!only || r.name === only) if (only || /^rgsd-/.test(r.chart)) get(r.name).release = r;
  for (const o of items) {
    const p = o.metadata.labels?.['rgsd.dev/project'];
    if (p && (!only || p === only)) get(p).objects.push(o);
  }
  for (const s of secrets) {
    // names only; the project is derived from the <fullname>-secrets convention
    for (const [p, g] of groups) if (s === projectNames(p).secret) g.secrets.push(s);
  }
  return groups;
}

function buildProjectStatus(project: string, g: Group, now: Date): ProjectStatus {
  const kind = (k: string): K8sObject[] => g.objects.filter((o) => o.kind === k);
  const deploy = kind('Deployment')[0];
  const pvcObj = kind('PersistentVolumeClaim')[0];
  const pod = pickPod(kind('Pod'), now);
  return {
    project,
    release: g.release
      ? { name: g.release.name, status: g.release.status, revision: g.release.revision, chart: g.release.chart, appVersion: g.release.appVersion, updated: g.release.updated }
      : null,
    deployment: deploy
      ? {
          name: deploy.metadata.name,
          replicas: Number((deploy.spec as { replicas?: number } | undefined)?.replicas ?? 0),
          readyReplicas: Number((deploy.status as { readyReplicas?: number } | undefined)?.readyReplicas ?? 0),
        }
      : null,
    pod: pod
      ? { name: pod.name, phase: pod.phase, ready: pod.ready, restarts: pod.restarts, ageSeconds: pod.ageSeconds, age: pod.ageSeconds === null ? '-' : formatAge(pod.ageSeconds), node: pod.node, reason: pod.reason }
      : null,
    pvc: pvcObj
      ? {
          name: pvcObj.metadata.name,
          phase: (pvcObj.status as { phase?: string } | undefined)?.phase ?? null,
          capacity: (pvcObj.status as { capacity?: { storage?: string } } | undefined)?.capacity?.storage ?? null,
          storageClass: (pvcObj.spec as { storageClassName?: string } | undefined)?.storageClassName ?? null,
        }
      : null,
    secret: g.secrets[0] ? { name: g.secrets[0] } : null,
    sessions: null,
    tunnel: null,
    sessionsError: null,
  };
}
