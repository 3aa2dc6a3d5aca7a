// The words rgsd, its chart and its image share, each defined once: choices (agents, RBAC
// modes, …), object and label names, defaults, and the rules for sizes, durations,
// repository URLs and tmux session names. Flags, prompts, settings validation and the
// completion script all take their choices and checks from here.
// Keep this module free of imports: every command spec imports it (help stays fast).

export const AGENTS = ['gsd', 'claude', 'codex', 'none'] as const;
export type Agent = (typeof AGENTS)[number];
export const RBAC_MODES = ['none', 'namespace', 'cluster-admin'] as const;
export type RbacMode = (typeof RBAC_MODES)[number];
export const ACCESS_MODES = ['ReadWriteOnce', 'ReadWriteOncePod', 'ReadWriteMany'] as const;
export const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'] as const;
export const SHELLS = ['bash', 'zsh'] as const;

/** Chart name (also the `app.kubernetes.io/name` label value and the fullname suffix). */
export const CHART_NAME = 'rgsd';
export const DEFAULT_NAMESPACE = 'rgsd';
export const DEFAULT_SESSION = 'main';
export const DEFAULT_AGENT: Agent = 'gsd';
export const DEFAULT_STORAGE_SIZE = '20Gi';
export const DEFAULT_TIMEOUT = '5m';

/** Container names in the workstation pod (chart/rgsd/templates/deployment.yaml). */
export const CONTAINER = { workstation: 'workstation', initHome: 'init-home' } as const;

/** Label keys (ARCHITECTURE.md "Names"). */
export const LABEL = {
  name: 'app.kubernetes.io/name',
  instance: 'app.kubernetes.io/instance',
  managedBy: 'app.kubernetes.io/managed-by',
  project: 'rgsd.dev/project',
  podSecurity: 'pod-security.kubernetes.io/enforce',
} as const;
/** `app.kubernetes.io/managed-by` value on what the CLI creates outside Helm. */
export const MANAGED_BY_RGSD = 'rgsd';

/** Label selector of every rgsd object in a namespace. */
export const ALL_PROJECTS_SELECTOR = `${LABEL.name}=${CHART_NAME}`;
/** Label selector of one project's objects. */
export function projectSelector(project: string): string {
  return `${LABEL.project}=${project}`;
}

/** Programs and files of the image contract (ARCHITECTURE.md "Image contract"). */
export const IN_POD = {
  status: '/opt/rgsd/status',
  transcript: '/opt/rgsd/transcript',
  attach: '/opt/rgsd/attach',
  task: '/opt/rgsd/task',
  backup: '/opt/rgsd/backup',
  restore: '/opt/rgsd/restore',
  home: '/home/gsd',
  sentinel: '.home-initialized',
} as const;

// ---- backup (`rgsd backup`; ARCHITECTURE.md "Backup") -----------------------------------

/** What `rgsd backup` leaves out unless asked for (`--include KIND`; docker/backup has the paths). */
export const BACKUP_KINDS = ['caches', 'secrets', 'logins', 'transcripts'] as const;
export type BackupKind = (typeof BACKUP_KINDS)[number];

// ---- tasks (`rgsd run`, `rgsd tasks`; ARCHITECTURE.md "Tasks") ---------------------------

/** The agents a task can run (each in its non-interactive mode). */
export const TASK_AGENTS = ['gsd', 'claude', 'codex'] as const;
export type TaskAgent = (typeof TASK_AGENTS)[number];
/** Permission presets, mapped in the pod (docker/task) to each agent's explicit flags. */
export const TASK_PRESETS = ['read-only', 'edit', 'full'] as const;
export type TaskPreset = (typeof TASK_PRESETS)[number];
export const DEFAULT_TASK_PRESET: TaskPreset = 'edit';
/** GSD v2 has no permission modes (its headless mode answers its own confirmations). */
export const TASK_PRESETS_OF: Record<TaskAgent, readonly TaskPreset[]> = { gsd: ['full'], claude: TASK_PRESETS, codex: TASK_PRESETS };
export const DEFAULT_TASK_TIMEOUT = '2h';
export const DEFAULT_TASK_MAX_TURNS = 50;
export const DEFAULT_TASK_MAX_BUDGET_USD = 5;
/** Task states; the final ones end `task wait`. */
export const TASK_STATES = ['starting', 'running', 'succeeded', 'failed', 'refused', 'timed-out', 'stopped', 'lost'] as const;
export type TaskState = (typeof TASK_STATES)[number];
/** `rgsd run --wait` / `task wait` exit codes per final state (failed: the agent's own code). */
/** A task that has not ended yet (what the work guard and watch count as running). */
export function taskActive(state: string): boolean {
  return state === 'starting' || state === 'running';
}

export const TASK_EXIT_CODES = { succeeded: 0, refused: 10, lost: 12, 'timed-out': 124, stopped: 143 } as const;
/** A task id: t<yyyymmdd>-<hhmmss>-<4 hex> (UTC, sortable). */
export const TASK_ID_RE = /^t\d{8}-\d{6}-[0-9a-f]{4}$/;

// ---- sizes ----------------------------------------------------------------------------

/** A Kubernetes quantity with a unit, as a volume size: 20Gi, 500Mi, 1.5Ti, 100G. */
export const SIZE_RE = /^\d+(\.\d+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)$/;

/** undefined when `text` is a usable volume size, else why not. */
export function sizeProblem(text: string): string | undefined {
  return SIZE_RE.test(text) ? undefined : `"${text}" is not a size such as 20Gi (a number with a unit: Mi, Gi, Ti, Pi, or M, G, T, P)`;
}

// ---- durations ------------------------------------------------------------------------

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

/** "90s", "5m", "1h30m", "300" (seconds) → milliseconds; undefined when not a duration. */
export function durationMs(text: string): number | undefined {
  const t = text.trim();
  if (/^\d+$/.test(t)) return Number(t) * 1000 || undefined;
  let total = 0;
  let consumed = '';
  for (const m of t.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) {
    total += Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
    consumed += m[0];
  }
  return consumed === t && total > 0 ? total : undefined;
}

/** Go/kubectl duration text for a millisecond count ("300s"). */
export function goDuration(ms: number): string {
  return `${Math.ceil(ms / 1000)}s`;
}

// ---- repository URLs ------------------------------------------------------------------

/** https://…, ssh://… or scp-style user@host:path (the chart's schema accepts the same). */
export const REPO_URL_RE = /^(https:\/\/\S+|ssh:\/\/\S+|[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:\S+)$/;

/** undefined when `url` is a repository URL rgsd can clone, else why not. Credentials in the
 * URL (`https://user:token@…`, `https://token@…`, `ssh://user:password@…`) are refused: the URL
 * goes into the settings, the chart values, the pod's environment and its log. The answer
 * never repeats them (`***@`). */
export function repoUrlProblem(url: string): string | undefined {
  const userinfo = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#\s]*)@/.exec(url);
  const scheme = userinfo?.[1]?.toLowerCase();
  // ssh://git@host/… names a user, which is fine; a password, or anything on https, is not
  if (userinfo && (scheme !== 'ssh' || userinfo[2]?.includes(':'))) {
    const masked = url.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/)[^/?#\s]*@/, '$1***@');
    const where = scheme === 'ssh' ? 'the deploy key in GIT_SSH_PRIVATE_KEY' : 'the token in GITHUB_TOKEN';
    return `"${masked}" has credentials in it (before the "@"): remove them and put ${where} in the secrets file`;
  }
  if (REPO_URL_RE.test(url)) return undefined;
  const shown = url.replace(/^[^\s/@]*:[^\s/@]*@/, '***@');
  return `"${shown}" is not an https or ssh git URL (e.g. https://github.com/org/repo.git or git@github.com:org/repo.git)`;
}

// ---- tmux -----------------------------------------------------------------------------

/** tmux session names rgsd passes on: no ':' or '.' (tmux target syntax), no leading '-'. */
export const SESSION_NAME_RE = /^[A-Za-z0-9_][A-Za-z0-9_-]{0,63}$/;

// ---- namespaces -----------------------------------------------------------------------

/** The namespaces Kubernetes keeps for itself. The whole `kube-` prefix is reserved
 * (Kubernetes' own advice), so rgsd refuses every `kube-*` namespace, not only these. */
export const SYSTEM_NAMESPACES = ['kube-system', 'kube-public', 'kube-node-lease'] as const;

/** A DNS-1123 label: what Kubernetes accepts as a namespace name. */
export const NAMESPACE_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const NAMESPACE_MAX = 63;

/** undefined when a workstation may live in namespace `ns`, else why not (`default` is fine:
 * small clusters often have nothing else). */
export function namespaceProblem(ns: string): string | undefined {
  if (ns === '') return 'is empty';
  const quoted = JSON.stringify(ns);
  if (ns.length > NAMESPACE_MAX) return `${quoted} is longer than ${NAMESPACE_MAX} characters`;
  if (!NAMESPACE_RE.test(ns)) {
    return `${quoted} is not a valid namespace name (lowercase letters, digits and "-", starting and ending with a letter or digit)`;
  }
  if (ns.startsWith('kube-')) {
    const which = (SYSTEM_NAMESPACES as readonly string[]).includes(ns)
      ? "is one of Kubernetes' own namespaces"
      : 'uses the prefix kube-, which Kubernetes reserves for itself';
    return `${quoted} ${which}: rgsd never puts a workstation (its API keys, and with rbac its Role) next to the cluster's system components`;
  }
  return undefined;
}

type NamespaceFault = 'empty' | 'reserved' | 'invalid';

function namespaceFault(ns: string): NamespaceFault {
  if (ns === '') return 'empty';
  return NAMESPACE_RE.test(ns) && ns.startsWith('kube-') ? 'reserved' : 'invalid';
}

const WHY = 'README "Namespaces" says why';
const NAMESPACE_HINTS: Record<'flag' | 'setting', Record<NamespaceFault, string>> = {
  flag: {
    empty: `name one (e.g. -n ${DEFAULT_NAMESPACE}), or leave -n out for the settings' namespace, else "${DEFAULT_NAMESPACE}"`,
    reserved: `use a namespace of your own, e.g. -n ${DEFAULT_NAMESPACE} (the default); ${WHY}`,
    invalid: 'a namespace is lowercase letters, digits and "-" (at most 63 characters), e.g. -n team-a',
  },
  setting: {
    empty: `set \`namespace:\` to a name, or remove the key for the default "${DEFAULT_NAMESPACE}"`,
    reserved: `set \`namespace:\` to a namespace of your own, or remove the key for the default "${DEFAULT_NAMESPACE}"; ${WHY}`,
    invalid: 'a namespace is lowercase letters, digits and "-" (at most 63 characters), e.g. `namespace: team-a`',
  },
};

/** What to do about a namespace that `namespaceProblem` refused, given where it came from. */
export function namespaceHint(ns: string, where: 'flag' | 'setting'): string {
  return NAMESPACE_HINTS[where][namespaceFault(ns)];
}
