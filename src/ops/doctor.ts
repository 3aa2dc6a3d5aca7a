// `rgsd doctor`: the preflight alone, every check reported with its result. Read-only.
// Checks: helm (present, major 3|4), kubectl (present), context (current / pinned match),
// cluster (reachable, server version), namespace (exists), settings (valid), secrets
// (present, mode 0600, keys valid, files readable). Exit non-zero if any check fails.
import type { App } from '../core/app.js';
import { listProjects, loadProject, resolveProjectName, type ProjectConfig } from '../core/config.js';
import { ClusterUnreachableError, CommandError, ExitCode, RgsdError, firstLine, type ExitCodeValue } from '../core/errors.js';
import { detectHelm } from '../core/helm.js';
import { classifyClusterError, currentContext, getNamespace, type Target } from '../core/kube.js';
import { DEFAULT_NAMESPACE } from '../core/names.js';
import { collectSecretData } from '../core/secrets.js';
import type { RunResult } from '../core/runner.js';
import { announce } from './project.js';

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

export interface Check {
  name: 'helm' | 'kubectl' | 'context' | 'cluster' | 'namespace' | 'settings' | 'secrets';
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

const REQUEST_TIMEOUT = '--request-timeout=10s';

function parseJson<T>(text: string): T | undefined {
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}

function fromError(name: Check['name'], err: unknown, project?: string): Check {
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
    const res = await app.runner.run(app.tools.kubectl, ['version', '--client', '-o', 'json']);
    const v = parseJson<{ clientVersion?: { gitVersion?: string } }>(res.stdout)?.clientVersion?.gitVersion ?? '(version unknown)';
    return { name: 'kubectl', status: 'ok', detail: `${app.tools.kubectl} ${v} (client)`, hint: null };
  } catch (err) {
    return fromError('kubectl', err);
  }
}

async function checkHelm(app: App): Promise<Check> {
  try {
    const h = await detectHelm(app.runner, app.tools);
    return { name: 'helm', status: 'ok', detail: `${app.tools.helm} ${h.version} (Helm ${h.major})`, hint: null };
  } catch (err) {
    return fromError('helm', err);
  }
}

async function checkProject(project: string, configDir: string): Promise<{ cfg: ProjectConfig | undefined; checks: Check[] }> {
  let cfg: ProjectConfig;
  try {
    cfg = await loadProject(configDir, project);
  } catch (err) {
    return {
      cfg: undefined,
      checks: [fromError('settings', err, project), { name: 'secrets', status: 'skip', detail: 'settings not valid', hint: null, project }],
    };
  }
  const checks: Check[] = [{ name: 'settings', status: 'ok', detail: `${cfg.settingsFile} is valid`, hint: null, project }];
  try {
    const data = await collectSecretData(cfg);
    const n = Object.keys(data).length;
    checks.push({ name: 'secrets', status: n ? 'ok' : 'warn', detail: `${cfg.secretsFile} (mode 0600, ${n} key${n === 1 ? '' : 's'} set)`, hint: n ? null : `fill in ${cfg.secretsFile} (see secrets.example/)`, project });
  } catch (err) {
    checks.push(fromError('secrets', err, project));
  }
  return { cfg, checks };
}

export async function doctor(app: App, projectArg: string | undefined): Promise<{ doc: DoctorDocument; failed: Check[] }> {
  const configured = await listProjects(app.configDir);
  let projects: string[];
  const projectChecks: Check[] = [];
  try {
    projects = projectArg ? [await resolveProjectName(app.configDir, projectArg, 'doctor')] : configured;
  } catch (err) {
    projects = [];
    projectChecks.push(fromError('settings', err, projectArg));
  }
  const [helm, kubectlCheck, current, ...perProject] = await Promise.all([
    checkHelm(app),
    checkKubectl(app),
    currentContext(app.runner, app.tools).catch(() => undefined),
    ...projects.map((p) => checkProject(p, app.configDir)),
  ]);
  for (const r of perProject) projectChecks.push(...r.checks);
  if (projects.length === 0 && projectChecks.length === 0) {
    projectChecks.push({ name: 'settings', status: 'skip', detail: `no project configured in ${app.configDir}`, hint: 'create one with `rgsd init <project>`' });
  }
  // Context and namespace come from the one project checked (pinned context, settings namespace).
  const single = perProject.length === 1 ? perProject[0]?.cfg : undefined;
  const pinned = single?.settings.context;
  const namespace = app.globals.namespace || single?.settings.namespace || DEFAULT_NAMESPACE;
  let context: string | null = null;
  let ctxCheck: Check;
  if (app.globals.context) {
    context = app.globals.context;
    ctxCheck = { name: 'context', status: 'ok', detail: `${context} (--context)${pinned && pinned !== context ? `; the project pins "${pinned}"` : ''}`, hint: null };
  } else if (pinned) {
    if (current === pinned) {
      context = pinned;
      ctxCheck = { name: 'context', status: 'ok', detail: `${pinned} (current, pinned by ${single?.project})`, hint: null };
    } else {
      ctxCheck = {
        name: 'context',
        status: 'fail',
        detail: `${single?.project} is pinned to "${pinned}" but the current context is ${current ? `"${current}"` : 'not set'}`,
        hint: `pass --context ${pinned} (or \`kubectl config use-context ${pinned}\`)`,
        exitCode: ExitCode.config,
      };
    }
  } else if (current) {
    context = current;
    ctxCheck = { name: 'context', status: 'ok', detail: `${current} (current)`, hint: null };
  } else {
    ctxCheck = {
      name: 'context',
      status: kubectlCheck.status === 'ok' ? 'fail' : 'skip',
      detail: kubectlCheck.status === 'ok' ? 'no current kube context' : 'kubectl missing',
      hint: kubectlCheck.status === 'ok' ? 'pass --context <name>, or `kubectl config use-context <name>`' : null,
      exitCode: ExitCode.unreachable,
    };
  }

  let cluster: Check;
  let ns: Check;
  if (!context || kubectlCheck.status !== 'ok') {
    cluster = { name: 'cluster', status: 'skip', detail: 'no usable context', hint: null };
    ns = { name: 'namespace', status: 'skip', detail: 'no usable context', hint: null };
  } else {
    const target: Target = { context, namespace };
    announce(app, target);
    cluster = await checkCluster(app, target);
    ns = cluster.status === 'ok' ? await checkNamespace(app, target) : { name: 'namespace', status: 'skip', detail: 'cluster not reachable', hint: null };
  }
  const checks = [helm, kubectlCheck, ctxCheck, cluster, ns, ...projectChecks];
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

async function checkCluster(app: App, t: Target): Promise<Check> {
  let res: RunResult;
  try {
    res = await app.runner.run(app.tools.kubectl, ['--context', t.context, 'version', '-o', 'json', REQUEST_TIMEOUT], { allowFailure: true, timeoutMs: 30_000 });
  } catch (err) {
    return fromError('cluster', err);
  }
  if (res.exitCode === 0) {
    const server = parseJson<{ serverVersion?: { gitVersion?: string } }>(res.stdout)?.serverVersion?.gitVersion ?? '(version unknown)';
    return { name: 'cluster', status: 'ok', detail: `reachable, Kubernetes ${server}`, hint: null };
  }
  const err = classifyClusterError(new CommandError([app.tools.kubectl, 'version'], res.exitCode, res.stderr), t);
  if (err instanceof ClusterUnreachableError || (err instanceof RgsdError && /^permission denied/.test(err.message))) return fromError('cluster', err);
  // `kubectl version` failing to get the server version means the cluster is not usable
  return {
    name: 'cluster',
    status: 'fail',
    detail: `cannot reach the cluster (context ${t.context}): ${firstLine(res.stderr) || `kubectl exit ${res.exitCode}`}`,
    hint: 'check `kubectl cluster-info`, your VPN and credentials, or pick another context with --context',
    exitCode: ExitCode.unreachable,
  };
}

async function checkNamespace(app: App, t: Target): Promise<Check> {
  try {
    const ns = await getNamespace(app.runner, app.tools, t);
    if (!ns.exists) return { name: 'namespace', status: 'warn', detail: `${t.namespace} does not exist yet`, hint: '`rgsd up` creates it (pod-security: restricted)' };
    const by = ns.labels['app.kubernetes.io/managed-by'] === 'rgsd' ? 'created by rgsd' : 'not created by rgsd';
    const pss = ns.labels['pod-security.kubernetes.io/enforce'];
    return { name: 'namespace', status: 'ok', detail: `${t.namespace} exists (${by}${pss ? `, pod-security: ${pss}` : ''})`, hint: null };
  } catch (err) {
    return fromError('namespace', err);
  }
}
