// Human text for the workstation's own report (cluster/podstate.ts): the window lines of
// `rgsd peek`, repository summaries, boot warnings. Shared by peek, status and up.
// Types only from the cluster layer: command files import this module statically.
import type { BootWarning, InPodStatus, PaneInfo, RepoInfo } from '../cluster/podstate.js';
import { formatAge, plural } from './format.js';

/** "waiting (permission)", "exited (code 1)", "working". */
export function stateText(p: Pick<PaneInfo, 'state' | 'waitingFor' | 'exitCode'>): string {
  if (p.state === 'waiting' && p.waitingFor) return `waiting (${p.waitingFor})`;
  if (p.state === 'exited' && p.exitCode !== null) return `exited (code ${p.exitCode})`;
  if (p.state === 'missing') return 'missing (not installed)';
  return p.state;
}

/** Longest screen line peek prints in a table cell. */
export const LINE_WIDTH = 100;

export function clip(text: string, width = LINE_WIDTH): string {
  return text.length > width ? `${text.slice(0, width - 1)}…` : text;
}

/** One pane per window: the agent's pane, else the active one, else the first. */
export function windowPanes(panes: readonly PaneInfo[]): PaneInfo[] {
  const byWindow = new Map<string, PaneInfo[]>();
  for (const p of panes) {
    const key = `${p.session}:${p.window}`;
    byWindow.set(key, [...(byWindow.get(key) ?? []), p]);
  }
  return [...byWindow.values()]
    .map((ps) => ps.find((p) => p.agent) ?? ps.find((p) => p.active) ?? (ps[0] as PaneInfo))
    .sort((a, b) => a.session.localeCompare(b.session) || a.window - b.window);
}

/** "main:0 claude" */
export function windowLabel(p: PaneInfo): string {
  return `${p.session}:${p.window}${p.windowName ? ` ${p.windowName}` : ''}`;
}

/** The cells of a window row: window, agent, state, since, last line. */
export function windowCells(p: PaneInfo): string[] {
  const last = p.lines.at(-1) ?? '';
  return [windowLabel(p), p.agent ?? '-', stateText(p), p.since === null ? '-' : formatAge(p.since), clip(last)];
}

/** "feat/x → origin/feat/x, 2 ahead" / "detached at 1a2b3c4" */
export function branchText(r: RepoInfo): string {
  const at = r.branch ?? (r.head ? `detached at ${r.head}` : 'no commits yet');
  if (!r.upstream) return r.branch ? `${at} (no upstream)` : at;
  const sync = [r.ahead ? `${r.ahead} ahead` : '', r.behind ? `${r.behind} behind` : ''].filter(Boolean).join(', ');
  return `${at} → ${r.upstream}${sync ? `, ${sync}` : ''}`;
}

/** "3 modified, 1 untracked, 1 stash" or "clean". */
export function changesText(r: RepoInfo): string {
  const parts = [
    r.conflicts ? `${r.conflicts} conflicted` : '',
    r.staged ? `${r.staged} staged` : '',
    r.modified ? `${r.modified} modified` : '',
    r.untracked ? `${r.untracked} untracked` : '',
    r.stashes ? plural(r.stashes, 'stash', 'stashes') : '',
  ].filter(Boolean);
  return parts.length ? parts.join(', ') : 'clean';
}

export function repoCells(r: RepoInfo): string[] {
  return [`${r.path}${r.worktree ? ' (worktree)' : ''}`, branchText(r), changesText(r)];
}

export function warningText(w: BootWarning): string {
  return `${w.message || w.code}`;
}

/** "2.1 GiB of 20 GiB used (11%)" */
export function homeText(h: NonNullable<InPodStatus['home']>): string {
  const pct = h.sizeBytes > 0 ? Math.round((h.usedBytes / h.sizeBytes) * 100) : 0;
  return `${bytes(h.usedBytes)} of ${bytes(h.sizeBytes)} used (${pct}%), ${bytes(h.availableBytes)} free`;
}

export function bytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}
