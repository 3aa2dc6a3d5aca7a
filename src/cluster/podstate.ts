// The workstation's own report: `/opt/rgsd/status --json` run in the workstation container
// (ARCHITECTURE.md "Agent state"). One exec returns everything rgsd shows without attaching:
// tmux sessions and clients, each pane's program and agent state, the repositories, the
// home volume's use, the boot warnings. Schema 2; an image that prints schema 1 (sessions
// and tunnel only) is read too, the rest then empty.
import { CONTAINER, IN_POD } from '../core/vocab.js';
import { kubectl, type Gateway, type Target } from './gateway.js';

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

export const PANE_STATES = ['working', 'waiting', 'idle', 'exited', 'missing', 'unknown'] as const;
export type PaneState = (typeof PANE_STATES)[number];

export interface PaneInfo {
  /** tmux's pane id ("%3"): stable while the pane lives, unlike window indexes */
  id: string;
  session: string;
  window: number;
  windowName: string;
  pane: number;
  active: boolean;
  /** the foreground program ("claude", "zsh", "npm", …) */
  program: string;
  /** the agent that runs (or ran) in the pane */
  agent: string | null;
  state: PaneState;
  waitingFor: 'input' | 'permission' | null;
  exitCode: number | null;
  /** what decided the state: the agent's hooks, its notify program, the screen rule, the process */
  source: string;
  /** seconds since the last activity */
  since: number | null;
  lastActivity: string | null;
  lines: string[];
  task: string | null;
}

export interface RepoInfo {
  path: string;
  worktree: boolean;
  branch: string | null;
  head: string | null;
  upstream: string | null;
  ahead: number;
  behind: number;
  staged: number;
  modified: number;
  untracked: number;
  conflicts: number;
  stashes: number;
}

export interface BootWarning {
  code: string;
  message: string;
  time: string | null;
}

export interface HomeUsage {
  path: string;
  sizeBytes: number;
  usedBytes: number;
  availableBytes: number;
}

export interface ClientInfo {
  session: string;
  tty: string;
  since: string | null;
}

/** A task record as the pod lists it (the fields every view needs; the rest passes through). */
export interface TaskSummary {
  id: string;
  name: string | null;
  agent: string | null;
  state: string;
  window: string | null;
  started: string | null;
  finished: string | null;
  exitCode: number | null;
  [field: string]: unknown;
}

export interface InPodStatus {
  /** 1 for images that predate the agent state */
  schemaVersion: number;
  time: string | null;
  agent: { name: string; autoStart: boolean; installed: boolean } | null;
  sessions: SessionInfo[];
  clients: ClientInfo[];
  panes: PaneInfo[];
  tasks: TaskSummary[];
  repos: RepoInfo[];
  home: HomeUsage | null;
  warnings: BootWarning[];
  terminating: boolean;
  tunnel: TunnelInfo | null;
}

/** Lines of each pane the pod may return (its own bound). */
export const MAX_PANE_LINES = 200;

export function inPodStatusCommand(lines?: number, brief = false): string[] {
  return [IN_POD.status, '--json', ...(lines === undefined ? [] : ['--lines', String(lines)]), ...(brief ? ['--brief'] : [])];
}

/** How long `kubectl exec deployment/<x>` waits for a running pod before it fails (its own
 * default is a minute): a status query should say "not running" instead. */
export const STATUS_POD_WAIT = '10s';

/** `kubectl exec <pod or deployment/x> -c workstation [--pod-running-timeout] -- /opt/rgsd/status --json [--lines N]`. */
export function inPodStatusArgs(podOrRef: string, lines?: number, podWait = STATUS_POD_WAIT, brief = false): string[] {
  const wait = podOrRef.includes('/') ? [`--pod-running-timeout=${podWait}`] : [];
  return ['exec', podOrRef, '-c', CONTAINER.workstation, ...wait, '--', ...inPodStatusCommand(lines, brief)];
}

/** One exec of the in-pod status (a pod name, or `deployment/<fullname>`: kubectl picks its pod). */
export async function queryInPodStatus(
  gw: Gateway,
  t: Target,
  podOrRef: string,
  /** `brief`: only the sessions and the warnings (`status --json --brief`; an image older than
   * that flag refuses it, and the caller asks again without) */
  opts: { lines?: number; timeoutMs?: number; podWait?: string; brief?: boolean } = {},
): Promise<InPodStatus> {
  const res = await kubectl(gw, t, inPodStatusArgs(podOrRef, opts.lines, opts.podWait, opts.brief), {
    timeoutMs: opts.timeoutMs ?? 30_000,
  });
  return parseInPodStatus(res.stdout);
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const int = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? Math.trunc(v) : null);
const count = (v: unknown): number => Math.max(0, int(v) ?? 0);

/** Parses the document; unknown or missing fields get safe defaults (a newer or older image). */
export function parseInPodStatus(text: string): InPodStatus {
  const raw = obj(JSON.parse(text));
  const sessions = arr(raw.sessions).map((s) => {
    const o = obj(s);
    return {
      name: String(o.name ?? ''),
      windows: Number(o.windows ?? 0),
      attached: o.attached === true || Number(o.attached) > 0,
      created: isoTime(o.created),
    };
  });
  const t = raw.tunnel;
  const tunnel =
    t && typeof t === 'object' ? { state: String(obj(t).state ?? 'unknown'), name: str(obj(t).name), url: str(obj(t).url) } : null;
  const agent = raw.agent && typeof raw.agent === 'object' ? obj(raw.agent) : null;
  const home = raw.home && typeof raw.home === 'object' ? obj(raw.home) : null;
  return {
    schemaVersion: int(raw.schemaVersion) ?? 1,
    time: str(raw.time),
    agent: agent ? { name: String(agent.name ?? 'none'), autoStart: agent.autoStart === true, installed: agent.installed !== false } : null,
    sessions,
    clients: arr(raw.clients).map((c) => {
      const o = obj(c);
      return { session: String(o.session ?? ''), tty: String(o.tty ?? ''), since: isoTime(o.since) };
    }),
    panes: arr(raw.panes).map(parsePane),
    tasks: arr(raw.tasks).map((x) => {
      const o = obj(x);
      return {
        ...o,
        id: String(o.id ?? ''),
        name: str(o.name),
        agent: str(o.agent),
        state: String(o.state ?? 'unknown'),
        window: str(o.window),
        started: str(o.started),
        finished: str(o.finished),
        exitCode: int(o.exitCode),
      };
    }),
    repos: arr(raw.repos).map((r) => {
      const o = obj(r);
      return {
        path: String(o.path ?? ''),
        worktree: o.worktree === true,
        branch: str(o.branch),
        head: str(o.head),
        upstream: str(o.upstream),
        ahead: count(o.ahead),
        behind: count(o.behind),
        staged: count(o.staged),
        modified: count(o.modified),
        untracked: count(o.untracked),
        conflicts: count(o.conflicts),
        stashes: count(o.stashes),
      };
    }),
    home: home
      ? {
          path: String(home.path ?? ''),
          sizeBytes: count(home.sizeBytes),
          usedBytes: count(home.usedBytes),
          availableBytes: count(home.availableBytes),
        }
      : null,
    warnings: arr(raw.warnings).map((w) => {
      const o = obj(w);
      return { code: String(o.code ?? 'warning'), message: String(o.message ?? ''), time: str(o.time) };
    }),
    terminating: raw.terminating === true,
    tunnel,
  };
}

function parsePane(p: unknown): PaneInfo {
  const o = obj(p);
  const state = String(o.state ?? 'unknown');
  const waitingFor = o.waitingFor === 'input' || o.waitingFor === 'permission' ? o.waitingFor : null;
  return {
    id: String(o.id ?? ''),
    session: String(o.session ?? ''),
    window: int(o.window) ?? 0,
    windowName: String(o.windowName ?? ''),
    pane: int(o.pane) ?? 0,
    active: o.active !== false,
    program: String(o.program ?? ''),
    agent: str(o.agent),
    state: (PANE_STATES as readonly string[]).includes(state) ? (state as PaneState) : 'unknown',
    waitingFor,
    exitCode: int(o.exitCode),
    source: String(o.source ?? 'unknown'),
    since: int(o.since),
    lastActivity: str(o.lastActivity),
    lines: arr(o.lines).map((l) => String(l)),
    task: str(o.task),
  };
}

/** The image prints ISO-8601; older images printed tmux's epoch seconds. */
function isoTime(value: unknown): string | null {
  if (value === undefined || value === null || value === '') return null;
  const ms = typeof value === 'number' ? value * 1000 : Date.parse(String(value));
  return Number.isFinite(ms) ? new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z') : null;
}
