// The work guard: before a command ends the pod or deletes the home, one look at what is
// there — the same in-pod status that `peek` reads — says what would be lost: agent windows
// that are working or waiting, running tasks, attached clients, and per repository the
// modified and untracked files, commits not pushed and stashes. Commands show it and ask;
// without a terminal, work that would be lost needs --discard-work.
import type { Target } from '../cluster/gateway.js';
import { queryInPodStatus, type InPodStatus } from '../cluster/podstate.js';
import type { App } from '../core/app.js';
import { NotFoundError, RgsdError, isInterrupt } from '../core/errors.js';
import type { ProjectNames } from '../core/names.js';
import { taskActive } from '../core/vocab.js';

export type WorkItem =
  | { kind: 'agent'; window: string; agent: string; state: string; since: number | null }
  | { kind: 'task'; id: string; name: string | null; agent: string | null }
  | { kind: 'client'; session: string; tty: string }
  | {
      kind: 'repo';
      path: string;
      branch: string | null;
      modified: number;
      untracked: number;
      staged: number;
      /** commits not on the upstream; null: no upstream (every commit is local) */
      unpushed: number | null;
      stashes: number;
    };

export interface WorkReport {
  /** false: the pod could not be asked (why says why); nothing is known */
  looked: boolean;
  /** false: there is no workstation Deployment (nothing runs, nothing to look at) */
  deployed: boolean;
  why: string | null;
  items: WorkItem[];
}

/** What the status says would be lost. */
export function workAtRisk(s: InPodStatus): WorkItem[] {
  const items: WorkItem[] = [];
  for (const p of s.panes) {
    if (!p.agent || (p.state !== 'working' && p.state !== 'waiting')) continue;
    const state = p.state === 'waiting' && p.waitingFor ? `waiting (${p.waitingFor})` : p.state;
    items.push({ kind: 'agent', window: `${p.session}:${p.window}`, agent: p.agent, state, since: p.since });
  }
  for (const t of s.tasks) if (taskActive(t.state)) items.push({ kind: 'task', id: t.id, name: t.name, agent: t.agent });
  for (const c of s.clients) items.push({ kind: 'client', session: c.session, tty: c.tty });
  for (const r of s.repos) {
    const unpushed = r.upstream ? r.ahead : r.head && r.branch ? null : 0;
    if (r.modified + r.untracked + r.staged + r.stashes + r.conflicts === 0 && unpushed === 0) continue;
    items.push({
      kind: 'repo',
      path: r.path,
      branch: r.branch,
      modified: r.modified + r.conflicts,
      untracked: r.untracked,
      staged: r.staged,
      unpushed,
      stashes: r.stashes,
    });
  }
  return items;
}

/** Work that would be lost, which needs a yes (or --discard-work without a terminal): an
 * agent mid-turn and a running task whenever the pod ends; with the home destroyed (nuke) also
 * anything in a repository that is not on its remote. A waiting agent and an attached client
 * are shown, not blocking; repositories survive a stop (the home is kept). */
export function blocking(items: readonly WorkItem[], action: 'stop' | 'destroy'): WorkItem[] {
  return items.filter(
    (i) => (i.kind === 'agent' && i.state === 'working') || i.kind === 'task' || (action === 'destroy' && i.kind === 'repo'),
  );
}

/** One exec of the in-pod status; a pod that cannot be asked is a report that says why. */
export async function inspectWork(app: App, target: Target, names: ProjectNames): Promise<WorkReport> {
  try {
    const status = await queryInPodStatus(app, target, `deployment/${names.deployment}`, { lines: 0 });
    if (status.schemaVersion < 2) return { looked: false, deployed: true, why: 'its image is older than the work guard', items: [] };
    return { looked: true, deployed: true, why: null, items: workAtRisk(status) };
  } catch (err) {
    if (!(err instanceof RgsdError) || isInterrupt(err)) throw err;
    if (err instanceof NotFoundError && /^deployments?(\.apps)?$/.test(err.resource ?? '')) {
      return { looked: false, deployed: false, why: 'not deployed', items: [] };
    }
    return { looked: false, deployed: true, why: err.message.split('\n')[0] ?? 'the pod did not answer', items: [] };
  }
}
