// Pod-level helpers shared by up/status/connect: summarise pods, query the in-pod status.
import type { App } from '../core/app.js';
import { kubectlArgs, type Target } from '../core/kube.js';

export interface SessionInfo {
  name: string;
  windows: number;
  attached: boolean;
  /** ISO-8601 UTC, or null when tmux did not say. */
  created: string | null;
}
export interface TunnelInfo {
  state: string;
  name: string | null;
  url: string | null;
}
export interface InPodStatus {
  sessions: SessionInfo[];
  tunnel: TunnelInfo | null;
}

/** One `kubectl exec <pod> -c workstation -- /opt/rgsd/status --json`. */
export function statusExecArgs(t: Target, podOrRef: string): string[] {
  return kubectlArgs(t, 'exec', podOrRef, '-c', 'workstation', '--', '/opt/rgsd/status', '--json');
}

export async function queryInPodStatus(app: App, t: Target, podOrRef: string): Promise<InPodStatus> {
  const res = await app.runner.run(app.tools.kubectl, statusExecArgs(t, podOrRef), { timeoutMs: 30_000 });
  return parseInPodStatus(res.stdout);
}

export function parseInPodStatus(text: string): InPodStatus {
  const raw = JSON.parse(text) as { sessions?: unknown[]; tunnel?: Record<string, unknown> | null };
  const sessions = (raw.sessions ?? []).map((s) => {
    const o = s as Record<string, unknown>;
    return {
      name: String(o.name ?? ''),
      windows: Number(o.windows ?? 0),
      attached: o.attached === true || Number(o.attached) > 0,
      created: isoTime(o.created),
    };
  });
  const t = raw.tunnel;
  const tunnel = t ? { state: String(t.state ?? 'unknown'), name: (t.name as string | null | undefined) ?? null, url: (t.url as string | null | undefined) ?? null } : null;
  return { sessions, tunnel };
}

/** The image prints ISO-8601; older images printed tmux's epoch seconds. */
function isoTime(value: unknown): string | null {
  if (value === undefined || value === null || value === '') return null;
  const ms = typeof value === 'number' ? value * 1000 : Date.parse(String(value));
  return Number.isFinite(ms) ? new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z') : null;
}

export interface K8sObject {
  kind?: string;
  metadata: { name: string; labels?: Record<string, string>; creationTimestamp?: string; deletionTimestamp?: string };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
}

export interface PodSummary {
  name: string;
  phase: string;
  ready: boolean;
  restarts: number;
  ageSeconds: number | null;
  node: string | null;
  /** Why it is not running/ready: a container waiting/terminated reason, or null. */
  reason: string | null;
  terminating: boolean;
}

interface ContainerStatus {
  name: string;
  ready?: boolean;
  restartCount?: number;
  state?: { waiting?: { reason?: string; message?: string }; terminated?: { reason?: string; exitCode?: number } };
}

export function summarizePod(pod: K8sObject, now: Date): PodSummary {
  const status = (pod.status ?? {}) as { phase?: string; startTime?: string; containerStatuses?: ContainerStatus[]; initContainerStatuses?: ContainerStatus[]; conditions?: { type: string; status: string }[]; reason?: string };
  const all = [...(status.initContainerStatuses ?? []), ...(status.containerStatuses ?? [])];
  const main = (status.containerStatuses ?? []).find((c) => c.name === 'workstation');
  const readyCond = status.conditions?.find((c) => c.type === 'Ready');
  const waiting = all.map((c) => c.state?.waiting?.reason ?? (c.state?.terminated && c.state.terminated.exitCode !== 0 ? c.state.terminated.reason : undefined)).find((r) => r);
  const started = status.startTime ?? pod.metadata.creationTimestamp;
  return {
    name: pod.metadata.name,
    phase: pod.metadata.deletionTimestamp ? 'Terminating' : (status.phase ?? 'Unknown'),
    ready: readyCond ? readyCond.status === 'True' : Boolean(main?.ready),
    restarts: all.reduce((n, c) => n + (c.restartCount ?? 0), 0),
    ageSeconds: started ? Math.max(0, Math.floor((now.getTime() - Date.parse(started)) / 1000)) : null,
    node: ((pod.spec ?? {}) as { nodeName?: string }).nodeName ?? null,
    reason: waiting ?? status.reason ?? null,
    terminating: Boolean(pod.metadata.deletionTimestamp),
  };
}

/** The pod to talk to: not terminating, Running+Ready first, then newest. */
export function pickPod(pods: K8sObject[], now: Date): PodSummary | null {
  const sums = pods.map((p) => summarizePod(p, now));
  const live = sums.filter((p) => !p.terminating);
  const pool = live.length ? live : sums;
  pool.sort((a, b) => Number(b.ready) - Number(a.ready) || Number(b.phase === 'Running') - Number(a.phase === 'Running') || (a.ageSeconds ?? 0) - (b.ageSeconds ?? 0));
  return pool[0] ?? null;
}
