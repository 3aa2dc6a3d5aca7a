// `rgsd watch`: polls what peek reads (one exec per project per interval, concurrently),
// turns the difference between two polls into events — a window's state changed, a task
// ended, a tmux session was recreated (the pod restarted), a project stopped answering or
// came back — and hands them to the command, which prints and notifies. Pure diffing plus a
// loop whose clock and sleep are injected, so tests need no timers.
import type { InPodStatus, PaneInfo } from '../cluster/podstate.js';
import type { PeekDocument, PeekProject } from './peek.js';
import { taskActive } from '../core/vocab.js';

export const UNTIL = ['idle', 'done'] as const;
export type Until = (typeof UNTIL)[number];

/** A pane's state as watch compares it. */
interface PaneState {
  project: string;
  pane: string;
  window: string;
  agent: string | null;
  state: string;
  waitingFor: string | null;
  exitCode: number | null;
  line: string;
}

export type WatchEvent =
  | {
      kind: 'state';
      time: string;
      project: string;
      pane: string;
      window: string;
      agent: string | null;
      from: string | null;
      to: string;
      waitingFor: string | null;
      exitCode: number | null;
      line: string;
    }
  | { kind: 'pane-closed'; time: string; project: string; pane: string; window: string; agent: string | null; from: string }
  | {
      kind: 'task';
      time: string;
      project: string;
      task: string;
      name: string | null;
      from: string | null;
      to: string;
      exitCode: number | null;
    }
  | { kind: 'restart'; time: string; project: string; session: string }
  | { kind: 'project'; time: string; project: string; from: string | null; to: string; detail: string | null }
  | { kind: 'unreachable'; time: string; project: string | null; error: string; retryInSeconds: number }
  | { kind: 'reconnected'; time: string; project: string | null };

/** Everything one poll told, keyed for comparison. */
export interface Snapshot {
  projects: Map<string, { state: string; detail: string | null }>;
  panes: Map<string, PaneState>;
  tasks: Map<string, { project: string; id: string; name: string | null; state: string; exitCode: number | null }>;
  /** `project/session` → its creation time */
  sessions: Map<string, string | null>;
}

function paneWord(p: PaneInfo): string {
  if (p.state === 'waiting' && p.waitingFor) return `waiting (${p.waitingFor})`;
  return p.state;
}

export function snapshot(doc: PeekDocument): Snapshot {
  const snap: Snapshot = { projects: new Map(), panes: new Map(), tasks: new Map(), sessions: new Map() };
  for (const p of doc.projects) {
    snap.projects.set(p.project, { state: p.state === 'ok' ? 'running' : p.state, detail: p.error });
    if (!p.status) continue;
    addStatus(snap, p.project, p.status);
  }
  return snap;
}

function addStatus(snap: Snapshot, project: string, s: InPodStatus): void {
  for (const pane of s.panes) {
    snap.panes.set(`${project}/${pane.id}`, {
      project,
      pane: pane.id,
      window: `${pane.session}:${pane.window}${pane.windowName ? ` ${pane.windowName}` : ''}`,
      agent: pane.agent,
      state: paneWord(pane),
      waitingFor: pane.waitingFor,
      exitCode: pane.exitCode,
      line: pane.lines.at(-1) ?? '',
    });
  }
  for (const t of s.tasks) snap.tasks.set(`${project}/${t.id}`, { project, id: t.id, name: t.name, state: t.state, exitCode: t.exitCode });
  for (const se of s.sessions) snap.sessions.set(`${project}/${se.name}`, se.created);
}

/** The events between two polls (`prev` undefined: the first poll, every state is new). */
export function diff(prev: Snapshot | undefined, next: Snapshot, time: string): WatchEvent[] {
  const events: WatchEvent[] = [];
  for (const [project, p] of next.projects) {
    const before = prev?.projects.get(project);
    if (!before || before.state !== p.state)
      events.push({ kind: 'project', time, project, from: before?.state ?? null, to: p.state, detail: p.detail });
  }
  const restarted = new Set<string>();
  for (const [key, created] of next.sessions) {
    if (!prev?.sessions.has(key)) continue;
    const was = prev.sessions.get(key);
    if (was && created && was !== created) {
      const [project = '', session = ''] = key.split('/');
      restarted.add(project);
      events.push({ kind: 'restart', time, project, session });
    }
  }
  for (const [key, pane] of next.panes) {
    const before = prev?.panes.get(key);
    if (before && before.state === pane.state && before.exitCode === pane.exitCode) continue;
    events.push({
      kind: 'state',
      time,
      project: pane.project,
      pane: pane.pane,
      window: pane.window,
      agent: pane.agent,
      from: before?.state ?? null,
      to: pane.state,
      waitingFor: pane.waitingFor,
      exitCode: pane.exitCode,
      line: pane.line,
    });
  }
  for (const [key, pane] of prev?.panes ?? []) {
    // a pane of a project that answered but no longer has it (a project that did not answer says so itself)
    if (next.panes.has(key) || next.projects.get(pane.project)?.state !== 'running' || restarted.has(pane.project)) continue;
    if (pane.agent)
      events.push({
        kind: 'pane-closed',
        time,
        project: pane.project,
        pane: pane.pane,
        window: pane.window,
        agent: pane.agent,
        from: pane.state,
      });
  }
  for (const [key, t] of next.tasks) {
    const before = prev?.tasks.get(key);
    if (before?.state === t.state) continue;
    events.push({
      kind: 'task',
      time,
      project: t.project,
      task: t.id,
      name: t.name,
      from: before?.state ?? null,
      to: t.state,
      exitCode: t.exitCode,
    });
  }
  return events;
}

/** Events worth a bell and a desktop notification: an agent that stopped working to wait,
 * an agent that ended, a task that ended, a restarted pod. The first poll notifies nothing. */
export function notifies(e: WatchEvent): boolean {
  switch (e.kind) {
    case 'state':
      return e.from !== null && e.from === 'working' && (e.to.startsWith('waiting') || e.to === 'exited');
    case 'task':
      return e.from !== null && taskActive(e.from) && !taskActive(e.to);
    case 'restart':
    case 'pane-closed':
      return true;
    default:
      return false;
  }
}

/** --until idle: no agent pane is working (every one waits, idles or ended) and no task runs;
 * --until done: no task runs (and there was one). */
export function reached(until: Until, snap: Snapshot, sawTask: boolean): boolean {
  const tasksRunning = [...snap.tasks.values()].some((t) => taskActive(t.state));
  if (until === 'done') return sawTask && !tasksRunning;
  const working = [...snap.panes.values()].some((p) => p.agent && p.state === 'working');
  return !working && !tasksRunning && [...snap.projects.values()].some((p) => p.state === 'running');
}

export interface WatchLoopOptions {
  intervalMs: number;
  until?: Until | undefined;
  /** One poll: the documents of every watched project. A throw means nothing answered. */
  poll: () => Promise<PeekDocument>;
  onEvent: (e: WatchEvent, notify: boolean) => void | Promise<void>;
  now: () => Date;
  /** Waits `ms` (the test's returns at once, advancing its clock); resolves false when stopped. */
  sleep: (ms: number) => Promise<boolean>;
}

/** The longest wait between two polls while nothing answers. */
export const MAX_BACKOFF_MS = 5 * 60_000;

/** Polls until `until` is reached (resolves true) or `sleep` says stop (false). */
export async function watchLoop(o: WatchLoopOptions): Promise<boolean> {
  let prev: Snapshot | undefined;
  let failures = 0;
  let sawTask = false;
  /** projects that did not answer last time (an error, not a pod state) */
  let silent = new Set<string>();
  for (;;) {
    let wait = o.intervalMs;
    const time = o.now().toISOString();
    try {
      const doc = await o.poll();
      if (failures > 0) await o.onEvent({ kind: 'reconnected', time, project: null }, false);
      failures = 0;
      const next = snapshot(doc);
      const nowSilent = new Set(doc.projects.filter((p) => p.state === 'error').map((p) => p.project));
      for (const p of doc.projects) await reportSilence(o, p, silent, nowSilent, time);
      // a project that errored keeps its previous panes: a dropped exec is no state change
      for (const project of nowSilent) carryOver(prev, next, project);
      silent = nowSilent;
      for (const e of diff(prev, next, time)) {
        if (e.kind === 'project' && (e.to === 'error' || (e.from === 'error' && e.to === 'running'))) continue;
        await o.onEvent(e, notifies(e));
      }
      sawTask ||= next.tasks.size > 0;
      prev = next;
      if (o.until && reached(o.until, next, sawTask)) return true;
    } catch (err) {
      failures++;
      wait = Math.min(o.intervalMs * 2 ** Math.min(failures, 10), MAX_BACKOFF_MS);
      await o.onEvent({ kind: 'unreachable', time, project: null, error: firstLine(err), retryInSeconds: Math.round(wait / 1000) }, false);
    }
    if (!(await o.sleep(wait))) return false;
  }
}

async function reportSilence(o: WatchLoopOptions, p: PeekProject, before: Set<string>, now: Set<string>, time: string): Promise<void> {
  if (now.has(p.project) && !before.has(p.project)) {
    await o.onEvent(
      { kind: 'unreachable', time, project: p.project, error: p.error ?? 'no answer', retryInSeconds: Math.round(o.intervalMs / 1000) },
      false,
    );
  } else if (!now.has(p.project) && before.has(p.project)) {
    await o.onEvent({ kind: 'reconnected', time, project: p.project }, false);
  }
}

function carryOver(prev: Snapshot | undefined, next: Snapshot, project: string): void {
  if (!prev) return;
  next.projects.set(project, prev.projects.get(project) ?? { state: 'error', detail: null });
  for (const [k, v] of prev.panes) if (v.project === project) next.panes.set(k, v);
  for (const [k, v] of prev.tasks) if (v.project === project) next.tasks.set(k, v);
  for (const [k, v] of prev.sessions) if (k.startsWith(`${project}/`)) next.sessions.set(k, v);
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? 'failed';
}
