// `rgsd doctor`: the preflight alone, every check reported with its result. Read-only.
// Checks: helm (present, major 3|4), kubectl (present), context (current / pinned match),
// cluster (reachable, server version), namespace (exists), settings (valid), secrets
// (present, mode 0600 in a 0700 directory, strictly parsed, files private and in place; each
// warning of the file is a warn check), repo (the credential its URL needs is set); with a
// project whose workstation runs, one exec of `/opt/rgsd/task check`: agent (the configured
// agent is installed) and codex-sandbox (Codex's sandbox runs commands in the pod). Returns the
// document and the failed checks; the command renders them and exits with the first failure's code.
import { kubectl, type Target } from '../cluster/gateway.js';
import { checkAgents, type AgentCheck } from '../cluster/tasks.js';
import { createdByRgsd, getNamespace } from '../cluster/namespace.js';
import { detectHelm } from '../cluster/release.js';
import { currentContext, namespaceOf, pinnedContextError, type TargetInput } from '../cluster/target.js';
import type { App } from '../core/app.js';
import { listProjects, loadProject, resolveProjectName, type ProjectConfig } from '../core/config.js';
import {
  ClusterUnreachableError,
  CommandError,
  ExitCode,
  ForbiddenError,
  NotFoundError,
  RgsdError,
  firstLine,
  type ExitCodeValue,
} from '../core/errors.js';
import { collectSecrets, repoCredentialKey, repoCredentialsWarning, type SecretsWarning } from '../core/secrets.js';
import { projectNames } from '../core/names.js';
import { DEFAULT_AGENT, LABEL } from '../core/vocab.js';
import { plural } from '../ui/format.js';

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';
export type CheckName =
  | 'helm'
  | 'kubectl'
  | 'context'
  | 'cluster'
  | 'namespace'
  | 'settings'
  | 'secrets'
  | 'repo'
  | 'agent'
  | 'codex-sandbox';

export interface Check {
  name: CheckName;
  status: CheckStatus;
  detail: string;
  hint: string | null;
  /** settings/secrets checks name their project */
  project?: string;
  /** exit code this failure maps to (not in --json) */
  exitCode?: ExitCodeValue;
}

/** `rgsd doctor --json` document (schemaVersion 1). */
export interface DoctorDocument {
  schemaVersion: 1;
  ok: boolean;
  context: string | null;
  namespace: string;
  projects: string[];
  checks: Omit<Check, 'exitCode'>[];
}

export interface DoctorResult {
  doc: DoctorDocument;
  /** the failed checks, in order, with their exit codes */
  failed: Check[];
}

/** Progress the command renders: the target is known, cluster checks follow. */
export type DoctorEvent = { kind: 'target'; target: Target };

/** The server check's own limit: an unreachable API server fails in 10 s, not kubectl's default. */
export const CLUSTER_CHECK_ARGS = ['version', '-o', 'json', '--request-timeout=10s'];

function parseJson<T>(text: string): T | undefined {
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}

function ok(name: CheckName, detail: string, project?: string): Check {
  return { name, status: 'ok', detail, hint: null, ...(project ? { project } : {}) };
}

function skip(name: CheckName, detail: string, project?: string): Check {
  return { name, status: 'skip', detail, hint: null, ...(project ? { project } : {}) };
}

function fromError(name: CheckName, err: unknown, project?: string): Check {
  const e = err instanceof RgsdError ? err : null;
  return {
    name,
    status: 'fail',
    detail: (err as Error).message.split('\n')[0] ?? String(err),
    hint: e?.hint ?? null,
    ...(project ? { project } : {}),
    exitCode: e?.exitCode ?? ExitCode.failure,
  };
}

async function checkKubectl(app: App): Promise<Check> {
  try {
    const res = await kubectl(app, null, ['version', '--client', '-o', 'json']);
    const v = parseJson<{ clientVersion?: { gitVersion?: string } }>(res.stdout)?.clientVersion?.gitVersion ?? '(version unknown)';
    return ok('kubectl', `${app.tools.kubectl} ${v} (client)`);
  } catch (err) {
    return fromError('kubectl', err);
  }
}

async function checkHelm(app: App): Promise<Check> {
  try {
    const h = await detectHelm(app);
    return ok('helm', `${app.tools.helm} ${h.version} (Helm ${h.major})`);
  } catch (err) {
    return fromError('helm', err);
  }
}

async function checkProject(project: string, configDir: string): Promise<{ cfg: ProjectConfig | undefined; checks: Check[] }> {
  let cfg: ProjectConfig;
  try {
    cfg = await loadProject(configDir, project);
  } catch (err) {
    return { cfg: undefined, checks: [fromError('settings', err, project), skip('secrets', 'settings not valid', project)] };
  }
  const checks: Check[] = [ok('settings', `${cfg.settingsFile} is valid`, project)];
  const warn = (name: CheckName, w: SecretsWarning): Check => ({ name, status: 'warn', detail: w.message, hint: w.hint, project });
  try {
    const { data, warnings } = await collectSecrets(cfg);
    const n = Object.keys(data).length;
    const detail = `${cfg.secretsFile} (mode 0600, ${plural(n, 'key')} set)`;
    const hint = `fill in ${cfg.secretsFile} (see secrets.example/)`;
    checks.push(n ? ok('secrets', detail, project) : { name: 'secrets', status: 'warn', detail, hint, project });
    for (const w of warnings) checks.push(warn('secrets', w));
    if (cfg.settings.repo) {
      const missing = repoCredentialsWarning(cfg, data);
      const key = repoCredentialKey(cfg.settings.repo);
      checks.push(missing ? warn('repo', missing) : ok('repo', `${cfg.settings.repo} (${key} set)`, project));
    }
  } catch (err) {
    checks.push(fromError('secrets', err, project));
  }
  return { cfg, checks };
}

/** The context check: --context wins; a pinned context must be the current one (the rule of
 * cluster/target.ts); else the current context. `context` is null when none is usable. */
function checkContext(
  input: TargetInput,
  current: string | undefined,
  kubectlOk: boolean,
  fromEnv = false,
): { context: string | null; check: Check } {
  const pinned = input.pinnedContext;
  if (input.contextFlag) {
    const note = pinned && pinned !== input.contextFlag ? `; the project pins "${pinned}"` : '';
    const from = fromEnv ? 'RGSD_CONTEXT' : '--context';
    return { context: input.contextFlag, check: ok('context', `${input.contextFlag} (${from})${note}`) };
  }
  const mismatch = pinnedContextError(input, current);
  if (mismatch) return { context: null, check: fromError('context', mismatch) };
  if (pinned) return { context: pinned, check: ok('context', `${pinned} (current, pinned by ${input.project})`) };
  if (current) return { context: current, check: ok('context', `${current} (current)`) };
  if (!kubectlOk) return { context: null, check: skip('context', 'kubectl missing') };
  return {
    context: null,
    check: {
      name: 'context',
      status: 'fail',
      detail: 'no current kube context',
      hint: 'pass --context <name>, or `kubectl config use-context <name>`',
      exitCode: ExitCode.unreachable,
    },
  };
}

async function checkCluster(app: App, t: Target): Promise<Check> {
  try {
    const res = await kubectl(app, t, CLUSTER_CHECK_ARGS, { clusterScoped: true, timeoutMs: 30_000 });
    const server = parseJson<{ serverVersion?: { gitVersion?: string } }>(res.stdout)?.serverVersion?.gitVersion ?? '(version unknown)';
    return ok('cluster', `reachable, Kubernetes ${server}`);
  } catch (err) {
    const typed = err instanceof ClusterUnreachableError || err instanceof ForbiddenError;
    if (typed || !(err instanceof CommandError)) return fromError('cluster', err);
    // Any other failure of `kubectl version` still means no server version: the cluster is not usable.
    const said = firstLine(err.stderr) || `kubectl exit ${err.commandExitCode}`;
    return {
      name: 'cluster',
      status: 'fail',
      detail: `cannot reach the cluster (context ${t.context}): ${said}`,
      hint: 'check `kubectl cluster-info`, your VPN and credentials, or pick another context with --context',
      exitCode: ExitCode.unreachable,
    };
  }
}

/** The workstation's own checks (one exec): the configured agent installed, Codex's sandbox. */
async function checkWorkstation(app: App, t: Target, cfg: ProjectConfig): Promise<Check[]> {
  const project = cfg.project;
  let res: AgentCheck;
  try {
    res = await checkAgents(app, t, projectNames(project));
  } catch (err) {
    if (err instanceof NotFoundError) return [skip('agent', `not deployed in ${t.namespace}`, project)];
    return [{ ...fromError('agent', err, project), status: 'warn', hint: `see \`rgsd status ${project}\`` }];
  }
  const agent = cfg.settings.agent ?? DEFAULT_AGENT;
  const checks: Check[] = [];
  const installed = Object.keys(res.agents).filter((a) => res.agents[a]);
  if (res.agents[agent]) checks.push(ok('agent', `${agent} is installed (${installed.join(', ')})`, project));
  else {
    checks.push({
      name: 'agent',
      status: 'warn',
      detail: `${agent}, the configured agent, is not installed in the workstation (installed: ${installed.join(', ') || 'none'})`,
      hint: 'pick an installed one with `agent:` in the settings, or an image that has it',
      project,
    });
  }
  if (!res.codexSandbox) checks.push(skip('codex-sandbox', 'codex is not installed', project));
  else {
    const broken = res.codexSandbox.filter((c) => !c.ok);
    const modes = res.codexSandbox.map((c) => c.mode).join(', ');
    if (broken.length === 0) checks.push(ok('codex-sandbox', `codex's sandbox runs commands in the pod (${modes})`, project));
    else {
      checks.push({
        name: 'codex-sandbox',
        status: 'warn',
        detail: `codex's sandbox cannot run commands in the pod (${broken.map((c) => c.mode).join(', ')}: ${broken[0]?.detail})`,
        hint: 'codex tasks need `rgsd run --permissions full` (the pod is the sandbox); read-only and edit are refused',
        project,
      });
    }
  }
  return checks;
}

async function checkNamespace(app: App, t: Target): Promise<Check> {
  try {
    const ns = await getNamespace(app, t);
    if (!ns.exists) {
      const hint = '`rgsd up` creates it (pod-security: restricted)';
      return { name: 'namespace', status: 'warn', detail: `${t.namespace} does not exist yet`, hint };
    }
    const by = createdByRgsd(ns) ? 'created by rgsd' : 'not created by rgsd';
    const pss = ns.labels[LABEL.podSecurity];
    return ok('namespace', `${t.namespace} exists (${by}${pss ? `, pod-security: ${pss}` : ''})`);
  } catch (err) {
    return fromError('namespace', err);
  }
}

/** Every check. `onEvent` hears of the target before the first cluster call. */
export async function doctor(
  app: App,
  projectArg: string | undefined,
  onEvent: (e: DoctorEvent) => void = () => undefined,
): Promise<DoctorResult> {
  let projects: string[];
  const projectChecks: Check[] = [];
  try {
    projects = projectArg ? [await resolveProjectName(app.configDir, projectArg, 'doctor')] : await listProjects(app.configDir);
  } catch (err) {
    projects = [];
    projectChecks.push(fromError('settings', err, projectArg));
  }
  const [helm, kubectlCheck, current, ...perProject] = await Promise.all([
    checkHelm(app),
    checkKubectl(app),
    currentContext(app).catch(() => undefined),
    ...projects.map((p) => checkProject(p, app.configDir)),
  ]);
  for (const r of perProject) projectChecks.push(...r.checks);
  if (projects.length === 0 && projectChecks.length === 0) {
    projectChecks.push({ ...skip('settings', `no project configured in ${app.configDir}`), hint: 'create one with `rgsd init <project>`' });
  }
  // Context and namespace come from the one project checked (pinned context, settings namespace).
  const single = perProject.length === 1 ? perProject[0]?.cfg : undefined;
  const input: TargetInput = {
    contextFlag: app.globals.context,
    namespaceFlag: app.globals.namespace,
    pinnedContext: single?.settings.context,
    settingsNamespace: single?.settings.namespace,
    project: single?.project,
  };
  const namespace = namespaceOf(input);
  const { context, check: ctxCheck } = checkContext(input, current, kubectlCheck.status === 'ok', app.globals.contextFromEnv);

  let cluster: Check;
  let ns: Check;
  let target: Target | undefined;
  if (!context || kubectlCheck.status !== 'ok') {
    cluster = skip('cluster', 'no usable context');
    ns = skip('namespace', 'no usable context');
  } else {
    target = { context, namespace };
    onEvent({ kind: 'target', target });
    cluster = await checkCluster(app, target);
    ns = cluster.status === 'ok' ? await checkNamespace(app, target) : skip('namespace', 'cluster not reachable');
  }
  const workstation = projectArg !== undefined && single && target && ns.status === 'ok' ? await checkWorkstation(app, target, single) : [];
  const checks = [helm, kubectlCheck, ctxCheck, cluster, ns, ...projectChecks, ...workstation];
  const failed = checks.filter((c) => c.status === 'fail');
  return {
    doc: {
      schemaVersion: 1,
      ok: failed.length === 0,
      context,
      namespace,
      projects,
      checks: checks.map(({ exitCode: _drop, ...c }) => c),
    },
    failed,
  };
}
