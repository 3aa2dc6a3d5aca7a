// `rgsd connect`: find the project's running pod (one `kubectl get pods`), list its tmux
// sessions (one in-pod `/opt/rgsd/status --json`), then `kubectl exec -it … tmux attach`
// with the terminal passed straight through. At most 2 cluster calls before the attach.
import type { App } from '../core/app.js';
import { listProjects, loadProject, type ProjectConfig } from '../core/config.js';
import { ChildExitError, ConfigError, NotFoundError, RgsdError, UsageError } from '../core/errors.js';
import { kubectl, kubectlArgs, type Target } from '../core/kube.js';
import { ALL_PROJECTS_SELECTOR } from '../core/names.js';
import { formatAge, table } from '../ui/output.js';
import { pickOne } from '../ui/prompts.js';
import { openNamespace, openProject } from './project.js';
import { queryInPodStatus, summarizePod, type K8sObject, type PodSummary, type SessionInfo } from './pod.js';

export interface ConnectOptions {
  new?: string;
  iterm?: boolean;
  list?: boolean;
  json?: boolean;
}

/** `rgsd connect --list --json` document. */
export interface SessionListDocument {
  schemaVersion: 1;
  project: string;
  context: string;
  namespace: string;
  pod: string;
  sessions: SessionInfo[];
}

/** tmux session names rgsd passes on: no ':' or '.' (tmux target syntax), no leading '-'. */
export const SESSION_NAME_RE = /^[A-Za-z0-9_][A-Za-z0-9_-]{0,63}$/;

export function podsArgs(selector: string): string[] {
  return ['get', 'pods', '-l', selector, '-o', 'json'];
}

/** The command run in the workstation container for each way of connecting. */
export function attachCommand(how: { session?: string; newSession?: string; iterm?: boolean }): string[] {
  const cc = how.iterm ? ['-CC'] : [];
  if (how.newSession) return ['tmux', ...cc, 'new-session', '-A', '-s', how.newSession];
  if (how.session) return ['tmux', ...cc, 'attach', '-t', how.session];
  return ['zsh', '-l'];
}

export function attachArgs(t: Target, pod: string, command: string[]): string[] {
  return kubectlArgs(t, 'exec', '-it', pod, '-c', 'workstation', '--', ...command);
}

interface PodState extends PodSummary {
  /** Scheduling problem (PodScheduled=False), e.g. "Unschedulable: 0/3 nodes are available…" */
  scheduling: string | null;
  project: string | null;
}

function podState(pod: K8sObject, now: Date): PodState {
  const sum = summarizePod(pod, now);
  const conds = ((pod.status ?? {}) as { conditions?: { type: string; status: string; reason?: string; message?: string }[] }).conditions ?? [];
  const sched = conds.find((c) => c.type === 'PodScheduled' && c.status === 'False');
  return {
    ...sum,
    scheduling: sched ? [sched.reason, sched.message].filter(Boolean).join(': ') || 'not scheduled' : null,
    project: pod.metadata.labels?.['rgsd.dev/project'] ?? null,
  };
}

/** Running, not terminating, newest first. */
function runningFirst(pods: PodState[]): PodState[] {
  return [...pods].sort(
    (a, b) =>
      Number(a.terminating) - Number(b.terminating) ||
      Number(b.phase === 'Running') - Number(a.phase === 'Running') ||
      Number(b.ready) - Number(a.ready) ||
      (a.ageSeconds ?? 0) - (b.ageSeconds ?? 0),
  );
}

function isRunning(p: PodState): boolean {
  return p.phase === 'Running' && !p.terminating;
}

/** A pod that cannot be attached to: its phase, the reason and the hint `rgsd up`. */
export function notRunningError(project: string, p: PodState): RgsdError {
  const why = [p.reason, p.scheduling && p.scheduling !== p.reason ? p.scheduling : null].filter(Boolean).join('; ');
  return new RgsdError(`the workstation pod of ${project} is ${p.phase}${why ? ` (${why})` : ''}: ${p.name}`, {
    hint: `run \`rgsd up ${project}\` to (re)deploy it; \`rgsd status ${project}\` and \`rgsd logs ${project} --init\` show more`,
  });
}

interface Located {
  project: string;
  cfg: ProjectConfig | undefined;
  target: Target;
  pod: PodState;
}

async function getPods(app: App, t: Target, selector: string): Promise<PodState[]> {
  const json = await kubectl(app.runner, app.tools, t, podsArgs(selector));
  const items = (JSON.parse(json || '{}') as { items?: K8sObject[] }).items ?? [];
  const now = app.now();
  return items.map((p) => podState(p, now));
}

/** Cluster call 1: the pods of one project, or of every project (picker) when none is named
 * and several are configured. */
export async function locatePod(app: App, projectArg: string | undefined): Promise<Located> {
  const configured = projectArg ? [] : await listProjects(app.configDir);
  if (projectArg || configured.length === 1) {
    const { project, cfg, names, target } = await openProject(app, projectArg, { command: 'connect', requireSettings: false });
    const pods = runningFirst(await getPods(app, target, names.selector));
    const pod = pods[0];
    if (!pod) {
      throw new NotFoundError(`${project} has no workstation pod in namespace ${target.namespace} (context ${target.context})`, {
        hint: `start it with \`rgsd up ${project}\``,
      });
    }
    if (!isRunning(pod)) throw notRunningError(project, pod);
    return { project, cfg, target, pod };
  }
  // Several (or no) configured projects and none named: look at what runs in the namespace.
  const target = await openNamespace(app);
  const pods = runningFirst(await getPods(app, target, ALL_PROJECTS_SELECTOR));
  const byProject = new Map<string, PodState>();
  for (const p of pods) if (p.project && !byProject.has(p.project)) byProject.set(p.project, p);
  const running = [...byProject.values()].filter(isRunning);
  if (running.length === 0) {
    const [only] = byProject.values();
    if (byProject.size === 1 && only?.project) throw notRunningError(only.project, only);
    throw new NotFoundError(
      byProject.size
        ? `no running workstation in namespace ${target.namespace} (${[...byProject.values()].map((p) => `${p.project}: ${p.phase}${p.reason ? `/${p.reason}` : ''}`).join(', ')})`
        : `no rgsd workstation in namespace ${target.namespace} (context ${target.context})`,
      { hint: configured.length ? `start one with \`rgsd up <project>\` (configured: ${configured.join(', ')})` : 'create one with `rgsd init <project>` and `rgsd up`' },
    );
  }
  running.sort((a, b) => (a.project ?? '').localeCompare(b.project ?? ''));
  const pod = await pickOne(
    app.prompter,
    'Connect to which project?',
    running.map((p) => ({ name: p.project as string, value: p, description: `${p.name}, ${p.ready ? 'ready' : 'not ready'}, age ${p.ageSeconds === null ? '-' : formatAge(p.ageSeconds)}` })),
    `name the project: rgsd connect <project> (running: ${running.map((p) => p.project).join(', ')})`,
  );
  const project = pod.project as string;
  let cfg: ProjectConfig | undefined;
  try {
    cfg = await loadProject(app.configDir, project);
  } catch (err) {
    if (!(err instanceof NotFoundError)) throw err;
  }
  const pinned = cfg?.settings.context;
  if (pinned && !app.globals.context && pinned !== target.context) {
    throw new ConfigError(`project ${project} is pinned to context "${pinned}" but the current context is "${target.context}"`, {
      hint: `pass --context ${pinned}`,
    });
  }
  return { project, cfg, target, pod };
}

export async function connect(app: App, projectArg: string | undefined, sessionArg: string | undefined, opts: ConnectOptions): Promise<void> {
  const list = Boolean(opts.list);
  if (opts.new !== undefined && !SESSION_NAME_RE.test(opts.new)) {
    throw new UsageError(`--new "${opts.new}" is not a usable tmux session name`, { hint: 'use letters, digits, "_" and "-" (at most 64), e.g. --new review' });
  }
  if (opts.new !== undefined && sessionArg) throw new UsageError('give either a session or --new <name>, not both', { hint: `rgsd connect ${projectArg ?? '<project>'} --new ${opts.new}` });
  if (list && (opts.new !== undefined || opts.iterm)) throw new UsageError('--list does not attach: drop --new/--iterm', { hint: 'rgsd connect --list' });
  if (!list && opts.json) throw new UsageError('--json goes with --list', { hint: `rgsd connect ${projectArg ?? '<project>'} --list --json` });
  if (!list && !app.interactive) {
    throw new UsageError('rgsd connect attaches your terminal, but stdin/stdout is not a terminal', {
      hint: 'run it from an interactive terminal (ssh -t for remote shells); `rgsd connect --list` works without one',
    });
  }

  const { project, cfg, target, pod } = await locatePod(app, projectArg);
  const { out } = app;
  if (!pod.ready) out.warn(`${pod.name} is running but not ready yet (its tmux session may still be starting)`);

  if (opts.new !== undefined) {
    out.info(`attaching to new-or-existing tmux session "${opts.new}" in ${pod.name} (detach: Ctrl-b d)`);
    return attach(app, target, pod.name, attachCommand({ newSession: opts.new, iterm: Boolean(opts.iterm) }));
  }

  // Cluster call 2: the session list from inside the pod.
  const { sessions } = await queryInPodStatus(app, target, pod.name);
  if (list) {
    if (opts.json ?? app.globals.json) {
      const doc: SessionListDocument = { schemaVersion: 1, project, context: target.context, namespace: target.namespace, pod: pod.name, sessions };
      out.json(doc);
    } else if (sessions.length === 0) {
      out.info(`no tmux session in ${pod.name}; \`rgsd connect ${project} --new main\` starts one`);
    } else {
      const rows = [['SESSION', 'WINDOWS', 'ATTACHED', 'CREATED']];
      for (const s of sessions) rows.push([s.name, String(s.windows), s.attached ? 'yes' : 'no', createdText(s.created)]);
      out.data(table(rows));
    }
    return;
  }

  let session: string | undefined;
  if (sessionArg) {
    if (!sessions.some((s) => s.name === sessionArg)) {
      throw new NotFoundError(`no tmux session "${sessionArg}" in ${project} (sessions: ${sessions.map((s) => s.name).join(', ') || 'none'})`, {
        hint: `create it with \`rgsd connect ${project} --new ${SESSION_NAME_RE.test(sessionArg) ? sessionArg : '<name>'}\``,
      });
    }
    session = sessionArg;
  } else if (sessions.length > 0) {
    const preferred = cfg?.settings.tmuxSession ?? 'main';
    const ordered = [...sessions].sort((a, b) => Number(b.name === preferred) - Number(a.name === preferred));
    session = await pickOne(
      app.prompter,
      'Attach to which tmux session?',
      ordered.map((s) => ({ name: s.name, value: s.name, description: `${s.windows} window${s.windows === 1 ? '' : 's'}${s.attached ? ', attached elsewhere' : ''}` })),
      `name the session: rgsd connect ${project} <session>`,
    );
  }
  if (session) {
    out.info(`attaching to tmux session "${session}" in ${pod.name} (detach: Ctrl-b d)`);
  } else {
    out.warn(`no tmux session is running in ${pod.name}; opening a login shell (start one with \`rgsd connect ${project} --new main\`)`);
  }
  return attach(app, target, pod.name, attachCommand({ ...(session ? { session } : {}), iterm: Boolean(opts.iterm) }));
}

function createdText(created: string | null): string {
  return created ?? '-';
}

/** The attach itself: stdio inherited; a non-zero exit becomes rgsd's exit status. */
async function attach(app: App, t: Target, pod: string, command: string[]): Promise<void> {
  const res = await app.runner.run(app.tools.kubectl, attachArgs(t, pod, command), { interactive: true, allowFailure: true });
  if (res.exitCode !== 0) throw new ChildExitError('kubectl exec', res.exitCode);
}
