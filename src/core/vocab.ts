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
  home: '/home/gsd',
  sentinel: '.home-initialized',
} as const;

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

/** undefined when `url` is a repository URL rgsd can clone, else why not. */
export function repoUrlProblem(url: string): string | undefined {
  return REPO_URL_RE.test(url)
    ? undefined
    : `"${url}" is not an https or ssh git URL (e.g. https://github.com/org/repo.git or git@github.com:org/repo.git)`;
}

// ---- tmux -----------------------------------------------------------------------------

/** tmux session names rgsd passes on: no ':' or '.' (tmux target syntax), no leading '-'. */
export const SESSION_NAME_RE = /^[A-Za-z0-9_][A-Za-z0-9_-]{0,63}$/;
