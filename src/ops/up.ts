// `rgsd up`: check, render, then change — in three steps the command runs with a confirmation
// in between:
//   checkLocal — secret data (private file; every value registered with the SecretGuard), no
//                secret in the chart values, helm version, values: no cluster (the command
//                resolves the project and the chart with cli/open.ts around it);
//   planUp     — no secret in any input of a command line; then, concurrently, the reads
//                (namespace, the release here and in every namespace, the API server's
//                addresses when the pod may use the API) and `helm template` of the final
//                values (the chart's values.schema.json, every error with its path); the
//                recovery of an interrupted run, the current values and why the update would
//                restart the pod; last, every command line apply will run and the values on
//                its stdin, checked against the SecretGuard. Nothing changes before apply;
//   applyUp    — namespace, recovery, Secret (stdin), helm upgrade --install (values on stdin),
//                rollout wait, tmux session check, the in-pod checks (models.json, the pod's
//                kubectl: one exec, only when they apply); progress as typed events and in app.progress
//                (what Ctrl-C reports).
// `dryRunUp` renders what applyUp would apply (helm template, local) without the cluster.
import { apiServerEndpoints, type ApiServerEndpoints } from '../cluster/apiserver.js';
import { commandHint, helmArgv, kubectlArgv, type Target } from '../cluster/gateway.js';
import { createNamespace, namespaceManifest } from '../cluster/namespace.js';
import {
  chartLabel,
  detectHelm,
  getReleaseRecord,
  listReleasesAllNamespaces,
  planRecovery,
  runRecovery,
  sameManifest,
  template,
  upgradeArgs,
  upgradeInstall,
  type HelmInfo,
  type HelmRelease,
  type RecoveryPlan,
  type ReleaseStatus,
} from '../cluster/release.js';
import {
  applySecret,
  buildSecretManifest,
  maskSecretManifest,
  SECRET_APPLY,
  secretIsCurrent,
  type SecretManifest,
} from '../cluster/secret.js';
import { podCheckArgs, runPodChecks, type PodCheck, type PodCheckName } from '../cluster/podchecks.js';
import { inPodStatusArgs, queryInPodStatus, type BootWarning, type InPodStatus } from '../cluster/podstate.js';
import { getProjectState, rolloutStatusArgs, scaleDeployment, waitRollout, type K8sObject } from '../cluster/workload.js';
import type { App } from '../core/app.js';
import type { ProjectConfig } from '../core/config.js';
import { CommandError, ConfigError, ForbiddenError, NotFoundError, RgsdError } from '../core/errors.js';
import type { ProjectNames } from '../core/names.js';
import type { SecretGuard } from '../core/runner.js';
import { collectSecrets, secretChecksum, secretValues, type SecretData, type SecretsWarning } from '../core/secrets.js';
import { DEFAULT_SESSION, DEFAULT_TIMEOUT, durationMs } from '../core/vocab.js';
import { isDeepStrictEqual } from 'node:util';
import { buildValues, deepMerge, restartReasons, type Values } from './values.js';

/** The project as cli/open.ts resolveProject finds it (with `requireSettings: true`). */
export interface UpProject {
  project: string;
  cfg: ProjectConfig | undefined;
  names: ProjectNames;
}

/** What the local checks establish. */
export interface UpChecks {
  project: string;
  cfg: ProjectConfig;
  names: ProjectNames;
  /** The Secret's data (registered with the SecretGuard; never printed). */
  secretData: SecretData;
  /** What the secrets file parsed but looks wrong (a key one typo from a known one, …). */
  secretWarnings: SecretsWarning[];
  checksum: string;
  /** `helm version`, still running while the plan reads the cluster (a refusal — no helm,
   * Helm 2, 3.6 — is the plan's first error). */
  helm: Promise<HelmInfo>;
  /** The values from the settings (planUp may add the API server's addresses). */
  values: Values;
  /** `values` as YAML, the stdin of helm (no secrets: the Secret's name and checksum only). */
  valuesYaml: string;
  /** The tmux session the pod runs (settings.tmuxSession or the default). */
  session: string;
}

/** Everything `up` knows before it looks at the kube context: the checks and the chart
 * (the command resolves it with cli/open.ts resolveChart after the checks). */
export interface UpLocal extends UpChecks {
  chart: string;
}

/** The local checks after the settings, in the order a user fixes things: secrets file, the
 * values (no secret in them), helm. Nothing here talks to the cluster. */
export async function checkLocal(app: App, local: UpProject): Promise<UpChecks> {
  const { project, cfg, names } = local;
  // resolveProject with requireSettings: true always loads the settings
  if (!cfg) throw new Error(`bug: up needs the settings of ${project}`);
  const { data: secretData, warnings: secretWarnings } = await collectSecrets(cfg);
  // before any subprocess: the guard refuses an argv or a stdin that carries one of these
  for (const [key, value] of Object.entries(secretData)) app.guard.register(secretValues({ [key]: value }), `secret ${key}`);
  refuseSecretIn(app, cfg, [['the project name', project, 'another project name']]);
  const checksum = secretChecksum(secretData);
  const values = buildValues(project, cfg, names, checksum);
  refuseSecretInValues(app.guard, values, cfg);
  // `helm version` runs while the command reads the kubeconfig; the plan (or the dry run)
  // awaits it before its first cluster call
  const helm = detectHelm(app);
  helm.catch(() => undefined); // never an unhandled rejection when an earlier check throws
  const { stringify } = await import('yaml');
  return {
    project,
    cfg,
    names,
    helm,
    secretData,
    secretWarnings,
    checksum,
    values,
    valuesYaml: stringify(values),
    session: cfg.settings.tmuxSession ?? DEFAULT_SESSION,
  };
}

/** The path of the first value (or key) in `v` that contains a secret, and the secret's label. */
export function findSecretInValues(guard: SecretGuard, v: unknown, path = ''): { path: string; label: string } | undefined {
  if (typeof v === 'string') {
    const label = guard.find(v);
    return label === undefined ? undefined : { path: path || '(the values)', label };
  }
  if (Array.isArray(v)) {
    for (const [i, item] of v.entries()) {
      const hit = findSecretInValues(guard, item, `${path}[${i}]`);
      if (hit) return hit;
    }
    return undefined;
  }
  if (typeof v === 'object' && v !== null) {
    for (const [k, item] of Object.entries(v)) {
      const at = path ? `${path}.${k}` : k;
      const inKey = guard.find(k);
      if (inKey !== undefined) return { path: `${at} (the key)`, label: inKey };
      const hit = findSecretInValues(guard, item, at);
      if (hit) return hit;
    }
  }
  return undefined;
}

/** Helm keeps the values of every revision in the cluster: a secret must never be among them. */
function refuseSecretInValues(guard: SecretGuard, values: Values, cfg: ProjectConfig): void {
  const hit = findSecretInValues(guard, values);
  if (!hit) return;
  throw new ConfigError(`the chart value ${hit.path} contains the value of ${hit.label} (from ${cfg.settingsFile})`, {
    hint:
      `secrets reach the pod only through the Secret, never the release values (Helm keeps those in every revision): ` +
      `remove it from the settings and keep it in ${cfg.secretsFile}; nothing was changed`,
  });
}

/** Refuse a secret value in an input every command line carries, before the first call that
 * would carry it. */
function refuseSecretIn(app: App, cfg: ProjectConfig, inputs: [role: string, text: string, other: string][]): void {
  for (const [role, text, other] of inputs) {
    const label = app.guard.find(text);
    if (label === undefined) continue;
    throw new ConfigError(`the value of ${label} appears in ${role}, which is on the command line of every helm or kubectl call`, {
      hint:
        'command lines are visible to every user of this machine (ps): ' +
        `change the secret in ${cfg.secretsFile} or use ${other}; nothing was changed`,
    });
  }
}

/** The kube context, the namespace, the chart and the tools (the project is checked locally). */
export function refuseSecretInInputs(app: App, local: UpLocal, target: Target): void {
  refuseSecretIn(app, local.cfg, [
    ['the kube context name', target.context, 'another context name'],
    ['the namespace name', target.namespace, 'another namespace'],
    ['the project name', local.project, 'another project name'],
    ['the chart location', local.chart, 'another chart location'],
    ['the helm program (RGSD_HELM)', app.tools.helm, 'another path'],
    ['the kubectl program (RGSD_KUBECTL)', app.tools.kubectl, 'another path'],
  ]);
}

export function secretManifest(local: UpLocal, target: Target): SecretManifest {
  return buildSecretManifest(local.names, target.namespace, local.secretData);
}

/** `helm template` of the chart with `valuesYaml`: the chart's own schema (values.schema.json)
 * and templates judge the values. A refusal is a ConfigError listing every line helm gave
 * (each schema error with its path). Local: no cluster. */
export async function renderChart(app: App, local: UpLocal, target: Target, valuesYaml: string): Promise<string> {
  try {
    return await template(app, target, local.names.release, local.chart, valuesYaml);
  } catch (err) {
    if (!(err instanceof CommandError)) throw err;
    throw new ConfigError(`cannot render the chart with the values of ${local.project}: ${err.summary}`, {
      details: err.details,
      hint:
        `fix the settings in ${local.cfg.settingsFile} (chart values come from its keys: repo → git.repo, ` +
        `tmuxSession → tmux.session, storage → persistence, values → as written) or the chart (${local.chart}); nothing was changed`,
      cause: err,
    });
  }
}

// ---- dry run ----------------------------------------------------------------------------

export interface UpDryRun {
  namespace: Record<string, unknown>;
  /** The Secret with every value replaced by its length. */
  maskedSecret: SecretManifest;
  valuesYaml: string;
  release: string;
  chart: string;
  /** `helm template` output (the chart rendered with the real values). */
  rendered: string;
}

/** What `up` would apply, without the cluster (`helm template` is local). */
export async function dryRunUp(app: App, local: UpLocal, target: Target): Promise<UpDryRun> {
  refuseSecretInInputs(app, local, target);
  await local.helm;
  const rendered = await renderChart(app, local, target, local.valuesYaml);
  return {
    namespace: namespaceManifest(target.namespace),
    maskedSecret: maskSecretManifest(secretManifest(local, target)),
    valuesYaml: local.valuesYaml,
    release: local.names.release,
    chart: local.chart,
    rendered,
  };
}

// ---- plan -------------------------------------------------------------------------------

/** installed / upgraded (the pod restarts) / unchanged (a new revision, the pod template as
 * it was) / current (the values and the rendered manifest are the release's own: no helm
 * upgrade at all, no new revision). */
export type UpAction = 'installed' | 'upgraded' | 'unchanged' | 'current';

/** What the plan found worth saying that does not stop it (the command prints warnings). */
export type UpNote =
  /** networkPolicy.apiServerCIDRs/Ports were filled from the API server's endpoints */
  | { kind: 'api-server'; addresses: string[]; ports: number[] }
  /** rbac.mode asks for API access but the API server's addresses could not be read */
  | { kind: 'api-server-unknown'; reason: string }
  /** `helm list -A` was not allowed (or failed): a copy in another namespace may exist */
  | { kind: 'other-namespaces-unknown'; reason: string }
  /** the release exists here and in other namespaces too (upgrading this one) */
  | { kind: 'also-elsewhere'; release: string; namespaces: string[] }
  /** rbac.mode cluster-admin: the agent gets the whole cluster (the chart's NOTES say it too,
   * but the CLI does not show helm's output) */
  | { kind: 'cluster-admin'; serviceAccount: string };

export interface UpPlan {
  target: Target;
  namespaceExists: boolean;
  /** The release as `helm list` shows it, or null when there is none. */
  release: HelmRelease | null;
  recovery: RecoveryPlan;
  /** The values of the current release (not read when it will be reinstalled). */
  previousValues: Values | null;
  /** Why the update restarts the pod; [] when it does not (or nothing runs yet). */
  restartReasons: string[];
  /** What helm will do to the release. */
  action: UpAction;
  /** The values helm gets: the local ones, plus the API server's addresses when found. */
  values: Values;
  /** `values` as YAML (checked by `helm template` and the SecretGuard). */
  valuesYaml: string;
  /** How long apply waits for the pod. */
  timeoutMs: number;
  /** The Deployment is scaled to 0 (idle sleep, `rgsd sleep`): apply wakes it. */
  asleep: boolean;
  /** The Deployment's rollout is complete and its pod ready: nothing to wait for. */
  ready: boolean;
  /** The release's revision now (null when there is none). */
  revision: number | null;
  helm: HelmInfo;
  /** The Secret in the cluster is the one apply would apply: it is not applied again. */
  secretCurrent: boolean;
  /** For a current release with a ready pod, its status and checks, read with the plan
   * (apply then only reports them); null otherwise. */
  inPod: InPodReport | null;
  notes: UpNote[];
}

export interface PlanOptions {
  /** How long apply will wait for the pod (default 5m). */
  timeoutMs?: number;
  /** Run `helm upgrade` even when the release already holds these values and this manifest
   * (it re-applies the release's objects, repairing hand edits). */
  reapply?: boolean;
}

/** Does the pod need the API server's addresses (its NetworkPolicy rule; with idle sleep also
 * the idle-watcher's addresses to try after the Service's), with none given? */
export function wantsApiServer(values: Values): boolean {
  const rbac = (values.rbac ?? {}) as { mode?: unknown };
  const np = (values.networkPolicy ?? {}) as { enabled?: unknown; apiServerCIDRs?: unknown };
  const idle = Boolean(((values.idle ?? {}) as { sleepAfter?: unknown }).sleepAfter);
  if (!idle && ((rbac.mode ?? 'none') === 'none' || np.enabled === false)) return false;
  return !(Array.isArray(np.apiServerCIDRs) && np.apiServerCIDRs.length > 0);
}

/** The values with the API server's addresses (and its ports, unless the settings give them). */
export function withApiServer(values: Values, ep: ApiServerEndpoints): Values {
  const np = (values.networkPolicy ?? {}) as { apiServerPorts?: unknown };
  const userPorts = Array.isArray(np.apiServerPorts) && np.apiServerPorts.length > 0;
  return deepMerge(values, {
    networkPolicy: { apiServerCIDRs: ep.addresses, ...(ep.ports.length && !userPorts ? { apiServerPorts: ep.ports } : {}) },
  });
}

/** A read whose refusal is only a warning: ForbiddenError, or a call that failed otherwise. */
function tolerable(err: unknown): err is RgsdError {
  return err instanceof ForbiddenError || err instanceof NotFoundError || err instanceof CommandError;
}

function settled<T>(r: PromiseSettledResult<T>): T {
  if (r.status === 'rejected') throw r.reason;
  return r.value;
}

/** Reads only: nothing changes until `applyUp`. Throws when an input would put a secret on a
 * command line, the chart refuses the values, a release of the project lives in another
 * namespace, an interrupted release cannot be recovered safely (see planRecovery) or the
 * namespace is being deleted. */
export async function planUp(app: App, local: UpLocal, target: Target, opts: PlanOptions = {}): Promise<UpPlan> {
  const { names } = local;
  const timeoutMs = opts.timeoutMs ?? (durationMs(DEFAULT_TIMEOUT) as number);
  app.progress.begin(`re-run \`rgsd up ${local.project}\``);
  refuseSecretInInputs(app, local, target);
  const { parse, stringify } = await import('yaml');
  const notes: UpNote[] = [];
  if (((local.values.rbac ?? {}) as { mode?: unknown }).mode === 'cluster-admin')
    notes.push({
      kind: 'cluster-admin',
      serviceAccount: `${target.namespace}/${((local.values.serviceAccount ?? {}) as { name?: string }).name || names.fullname}`,
    });

  // a missing or unsupported helm is refused before the first cluster call
  const helmInfo = await local.helm;
  // every read at once; the rendering waits only for the API server's addresses (its values).
  // The release's record, the Deployment with the Secret, and the pod's own report are read
  // before it is known that they exist: an up that changes nothing is then this one round
  // (no release: helm status says not found; no pod: the exec gives up after a second).
  const endpoints: Promise<ApiServerEndpoints | null> = wantsApiServer(local.values)
    ? apiServerEndpoints(app, target)
    : Promise.resolve(null);
  const final = endpoints.then(
    (ep) => (ep?.addresses.length ? withApiServer(local.values, ep) : local.values),
    () => local.values,
  );
  const rendered = final.then((values) => renderChart(app, local, target, stringify(values)));
  const speculative = final.then((values) => inPod(app, local, target, values, SPECULATIVE_POD_WAIT));
  const [render, projectState, record, api, values] = await Promise.allSettled([
    rendered,
    getProjectState(app, target, names),
    getReleaseRecord(app, target, names.release),
    endpoints,
    final,
  ]);
  // in the order a user fixes things: the values (local), then the cluster
  settled(render);
  const { namespace, deployment: state, secret: liveSecret } = settled(projectState);
  const found = settled(record);
  if (api.status === 'rejected' && !tolerable(api.reason)) throw api.reason;

  if (namespace.terminating) {
    throw new RgsdError(`namespace ${target.namespace} is being deleted`, {
      hint:
        `wait until \`kubectl --context ${target.context} get namespace ${target.namespace}\` finds nothing, ` +
        `then re-run \`rgsd up ${local.project}\``,
    });
  }
  const release = found?.release ?? null;
  if (api.status === 'rejected') notes.push({ kind: 'api-server-unknown', reason: (api.reason as RgsdError).message });
  else if (api.value && api.value.addresses.length === 0)
    notes.push({ kind: 'api-server-unknown', reason: 'its EndpointSlices list no address' });
  else if (api.value) notes.push({ kind: 'api-server', addresses: api.value.addresses, ports: api.value.ports });

  const recovery = planRecovery(release, app, target, app.now());
  const finalValues = settled(values);
  const valuesYaml = stringify(finalValues);
  let previousValues: Values | null = null;
  let current = false;
  const reasons: string[] = [];
  if (found && release && recovery.kind !== 'uninstall-then-install') {
    const deployed = release.status === 'deployed';
    const localChart = deployed ? await chartLabel(local.chart) : undefined;
    previousValues = found.values;
    // a failed or pending release has no pod template worth protecting
    if (deployed) {
      reasons.push(...restartReasons(found.values, finalValues));
      if (localChart && release.chart && localChart !== release.chart) {
        reasons.push(`the chart changes from ${release.chart} to ${localChart}`);
      }
      // the same values and the same rendered objects: an upgrade would only add a revision
      // (a missing Deployment is something an upgrade repairs)
      current =
        !opts.reapply &&
        reasons.length === 0 &&
        state !== null &&
        isDeepStrictEqual(found.values, parse(valuesYaml)) &&
        sameManifest(found.manifest, settled(render));
    }
  }
  // a copy in another namespace: refused before an install (a second workstation of the
  // project), beside a release that changes a note; not looked for when nothing changes
  if (!current) {
    const elsewhere = await otherNamespaces(app, target, names.release);
    if (elsewhere.others.length && !release) throw elsewhereError(local, target, elsewhere.others);
    if (elsewhere.others.length) notes.push({ kind: 'also-elsewhere', release: names.release, namespaces: elsewhere.others });
    if (elsewhere.note) notes.push(elsewhere.note);
  }
  const installs = !release || recovery.kind === 'uninstall-then-install';
  const unchanged = !installs && previousValues !== null && release?.status === 'deployed' && reasons.length === 0;
  const ready = current && state?.rolledOut === true;
  const plan: UpPlan = {
    target,
    namespaceExists: namespace.exists,
    release,
    recovery,
    previousValues,
    restartReasons: reasons,
    action: installs ? 'installed' : current ? 'current' : unchanged ? 'unchanged' : 'upgraded',
    values: finalValues,
    valuesYaml,
    timeoutMs,
    asleep: state?.replicas === 0,
    ready,
    secretCurrent: Boolean(liveSecret) && secretIsCurrent(liveSecret as K8sObject, secretManifest(local, target)),
    revision: release?.revision ?? null,
    helm: helmInfo,
    // what the pod said while the plan was read: the answer itself when nothing will change
    inPod: ready ? await speculative : null,
    notes,
  };
  refuseSecretInCalls(app, local, plannedCalls(app, local, plan));
  return plan;
}

/** The namespaces other than this one with a release of that name (`helm list -A`); a
 * refused or failed lookup is a note. */
async function otherNamespaces(app: App, target: Target, release: string): Promise<{ others: string[]; note: UpNote | null }> {
  try {
    const all = await listReleasesAllNamespaces(app, target, release);
    const others = [...new Set(all.filter((r) => r.name === release && r.namespace !== target.namespace).map((r) => r.namespace))];
    return { others, note: null };
  } catch (err) {
    if (!tolerable(err)) throw err;
    return { others: [], note: { kind: 'other-namespaces-unknown', reason: err.message } };
  }
}

function elsewhereError(local: UpLocal, target: Target, namespaces: string[]): ConfigError {
  const [first] = namespaces;
  const where = namespaces.length === 1 ? `namespace ${first}` : `namespaces ${namespaces.join(', ')}`;
  const p = local.project;
  return new ConfigError(
    `release ${local.names.release} already exists in ${where} (context ${target.context}); ` +
      `installing it in ${target.namespace} too would make a second workstation of ${p}`,
    {
      hint:
        `work with that one: \`rgsd up ${p} -n ${first}\` (or \`namespace: ${first}\` in ${local.cfg.settingsFile}), ` +
        `or remove it first: \`rgsd down ${p} -n ${first}\``,
    },
  );
}

/** One command applyUp will run: its full argv (binary included) and stdin. */
export interface PlannedCall {
  /** what it is, for messages ("helm upgrade --install") */
  what: string;
  argv: string[];
  stdin?: string;
  /** the Secret manifest: the one stdin allowed to carry secret values */
  secretStdin?: boolean;
}

/** Every command line applyUp runs for `plan`, in order, built with the same argument
 * builders as the calls themselves (a unit test holds the two together). */
export function plannedCalls(app: App, local: UpLocal, plan: UpPlan): PlannedCall[] {
  const { target: t } = plan;
  const { names } = local;
  const k = (args: string[], clusterScoped = false) => [app.tools.kubectl, ...kubectlArgv(t, args, clusterScoped)];
  const h = (args: string[]) => [app.tools.helm, ...helmArgv(t, args)];
  const calls: PlannedCall[] = [];
  if (!plan.namespaceExists) {
    calls.push({
      what: 'kubectl create (the namespace)',
      argv: k(['create', '-f', '-'], true),
      stdin: JSON.stringify(namespaceManifest(t.namespace)),
    });
  }
  if (plan.recovery.kind === 'uninstall-then-install' || plan.recovery.kind === 'rollback-then-upgrade') {
    calls.push({ what: `helm ${plan.recovery.command[0]}`, argv: h(plan.recovery.command) });
  }
  const secret = JSON.stringify(secretManifest(local, t));
  if (!plan.secretCurrent) calls.push({ what: 'kubectl apply (the Secret)', argv: k(SECRET_APPLY), stdin: secret, secretStdin: true });
  if (plan.action !== 'current')
    calls.push({ what: 'helm upgrade --install', argv: h(upgradeArgs(names.release, local.chart)), stdin: plan.valuesYaml });
  if (plan.asleep) calls.push({ what: 'kubectl scale', argv: k(['scale', `deployment/${names.deployment}`, '--replicas=1']) });
  if (!plan.ready) calls.push({ what: 'kubectl rollout status', argv: k(rolloutStatusArgs(names.deployment, plan.timeoutMs)) });
  calls.push({ what: 'kubectl exec (the session list)', argv: k(inPodStatusArgs(`deployment/${names.deployment}`)) });
  const checks = podChecksFor(local, plan.values);
  if (checks.length)
    calls.push({ what: 'kubectl exec (the in-pod checks)', argv: k(podCheckArgs(`deployment/${names.deployment}`, checks)) });
  return calls;
}

/** The in-pod checks that apply after the rollout: models.json when the Secret carries one,
 * the pod's kubectl when rbac.mode gives it API access. None: no call at all. */
export function podChecksFor(local: Pick<UpLocal, 'secretData'>, values: Values): PodCheckName[] {
  const checks: PodCheckName[] = [];
  if (Object.hasOwn(local.secretData, 'models.json')) checks.push('models');
  if ((((values.rbac ?? {}) as { mode?: unknown }).mode ?? 'none') !== 'none') checks.push('kubectl');
  return checks;
}

/** The SecretGuard over the whole run before its first change: a secret value on a command
 * line, or on a stdin other than the Secret's, is refused now rather than halfway. */
function refuseSecretInCalls(app: App, local: UpLocal, calls: PlannedCall[]): void {
  for (const c of calls) {
    const inArgv = c.argv.map((a) => app.guard.find(a)).find((l) => l !== undefined);
    const inStdin = c.secretStdin || c.stdin === undefined ? undefined : app.guard.find(c.stdin);
    const label = inArgv ?? inStdin;
    if (label === undefined) continue;
    throw new ConfigError(`the value of ${label} would appear ${inArgv ? 'on the command line' : 'in the input'} of ${c.what}`, {
      hint: `secrets travel only in the Secret: change the secret in ${local.cfg.secretsFile} or the setting that repeats it; nothing was changed`,
    });
  }
}

// ---- apply ------------------------------------------------------------------------------

export type UpEvent =
  | { kind: 'namespace-created'; namespace: string }
  /** Emitted before the recovery of an interrupted release runs; `command` is null for a
   * failed release, which the upgrade itself repairs; `reinstall`: uninstalled and installed
   * again (the home volume survives: the chart keeps its PVC). */
  | { kind: 'recovering'; release: string; status: ReleaseStatus; command: string | null; reinstall: boolean }
  | { kind: 'secret-applied'; name: string; keys: number; checksum: string }
  /** the Secret in the cluster already holds this data: not applied again */
  | { kind: 'secret-current'; name: string; keys: number; checksum: string }
  /** `revision`: the release's revision before (for `current`, the one it stays at) */
  | { kind: 'helm-done'; action: UpAction; release: string; helm: HelmInfo; revision: number | null }
  /** it was asleep (0 replicas): scaled to 1 */
  | { kind: 'woken'; deployment: string }
  | { kind: 'rollout-waiting'; deployment: string; timeoutMs: number }
  /** `already`: it was rolled out and ready before (nothing was waited for) */
  | { kind: 'rollout-ready'; deployment: string; already: boolean }
  | { kind: 'session-ready'; session: string; sessions: string[] }
  | { kind: 'session-missing'; session: string; sessions: string[] }
  | { kind: 'session-unknown'; session: string; error: string }
  /** What the workstation itself reported going wrong at boot (clone failed, agent missing, …). */
  | { kind: 'boot-warnings'; warnings: BootWarning[] }
  /** The in-pod checks (models.json, the pod's kubectl), each passed or not. */
  | { kind: 'pod-checks'; checks: PodCheck[] }
  /** The in-pod checks could not run (the exec failed). */
  | { kind: 'pod-checks-unknown'; checks: PodCheckName[]; error: string };

export interface UpResult {
  project: string;
  target: Target;
  helm: HelmInfo;
  action: UpAction;
  /** The running pod was replaced (the update changed its template). */
  restarted: boolean;
  /** The deployment the workstation runs in (`kubectl exec deployment/<name>`). */
  deployment: string;
  session: string;
  /** In-pod status after the rollout; null when it could not be read. */
  status: InPodStatus | null;
  /** The in-pod checks that applied ([] when none did, or when they could not run). */
  checks: PodCheck[];
}

export interface ApplyOptions {
  onEvent?: (e: UpEvent) => void;
}

/** The mutations, in order: namespace, recovery, Secret, helm, then the waits. Each step is
 * recorded in app.progress, so an interruption says what was done and what to run next. */
export async function applyUp(app: App, local: UpLocal, plan: UpPlan, opts: ApplyOptions = {}): Promise<UpResult> {
  const emit = opts.onEvent ?? (() => undefined);
  const { names, project } = local;
  const { target, recovery, release } = plan;
  const progress = app.progress;
  const rerun = `re-run \`rgsd up ${project}\``;
  progress.begin(`${rerun}: it finishes the job`);

  if (!plan.namespaceExists) {
    progress.start(`the creation of namespace ${target.namespace}`);
    await createNamespace(app, target);
    progress.done(`namespace ${target.namespace} was created`);
    emit({ kind: 'namespace-created', namespace: target.namespace });
  }
  if (recovery.kind === 'uninstall-then-install' || recovery.kind === 'rollback-then-upgrade') {
    const command = commandHint(app, 'helm', target, recovery.command);
    emit({
      kind: 'recovering',
      release: names.release,
      status: release?.status ?? 'unknown',
      command,
      reinstall: recovery.kind === 'uninstall-then-install',
    });
    progress.start(`the recovery of release ${names.release} (${recovery.command.slice(0, 2).join(' ')})`, {
      risk: `the release may still be ${release?.status ?? 'pending'}`,
      next: `${rerun} in a minute: it recovers the release`,
    });
    await runRecovery(app, target, recovery.command);
    progress.done(`the interrupted release was recovered (${recovery.command[0]})`);
  } else if (release?.status === 'failed') {
    emit({ kind: 'recovering', release: names.release, status: 'failed', command: null, reinstall: false });
  }

  const secret = secretManifest(local, target);
  const secretEvent = { name: names.secret, keys: Object.keys(secret.data).length, checksum: local.checksum };
  if (plan.secretCurrent) {
    // the same data and labels: applying it again would change nothing
    emit({ kind: 'secret-current', ...secretEvent });
  } else {
    progress.start(`the apply of Secret ${names.secret}`);
    await applySecret(app, target, secret);
    progress.done('the Secret was applied');
    emit({ kind: 'secret-applied', ...secretEvent });
  }

  if (plan.action !== 'current') {
    const verb = plan.action === 'installed' ? 'install' : 'upgrade';
    progress.start(`helm ${verb === 'install' ? 'upgrade --install' : 'upgrade'}`, {
      risk: `the release may be left pending-${verb}`,
      next: `${rerun} in a minute: it recovers a pending release`,
    });
    await upgradeInstall(app, target, names.release, local.chart, plan.valuesYaml);
    progress.done(`helm ${verb === 'install' ? 'installed' : 'upgraded'} release ${names.release}`, {
      next: `\`rgsd status ${project}\` shows the pod; \`rgsd connect ${project}\` once it is ready`,
    });
  }
  emit({ kind: 'helm-done', action: plan.action, release: names.release, helm: plan.helm, revision: plan.revision });

  if (plan.asleep) {
    // `rollout status` succeeds at once on 0 replicas: wake it first
    progress.start('the wake-up (scale to 1)');
    await scaleDeployment(app, target, names, 1);
    progress.done('the workstation was woken (scaled to 1)');
    emit({ kind: 'woken', deployment: names.deployment });
  }
  if (plan.ready) {
    // a current release whose rollout was complete (and so not asleep): nothing to wait for
    emit({ kind: 'rollout-ready', deployment: names.deployment, already: true });
  } else {
    emit({ kind: 'rollout-waiting', deployment: names.deployment, timeoutMs: plan.timeoutMs });
    progress.start('the wait for the pod', { risk: 'the pod may still be starting' });
    await waitRollout(app, target, names, plan.timeoutMs);
    progress.done('the pod is ready');
    emit({ kind: 'rollout-ready', deployment: names.deployment, already: false });
  }
  // the plan's answer when it has one; asked again (with kubectl's usual wait for a running
  // pod) when it has none or either exec failed
  const early = plan.ready ? plan.inPod : null;
  const report =
    early && !(early.status instanceof Error) && !(early.checks instanceof Error) ? early : await inPod(app, local, target, plan.values);
  return result(local, plan, reportInPod(report, local, emit));
}

/** What the pod says once it is ready: its status (sessions, boot warnings) and the in-pod
 * checks that apply, two execs at once; a failure of either is kept, not thrown (the pod is
 * ready: its probe is `tmux has-session`). */
export interface InPodReport {
  wanted: PodCheckName[];
  status: InPodStatus | Error;
  checks: PodCheck[] | Error | null;
}

/** How long the plan's exec waits for a running pod (kubectl's --pod-running-timeout): a
 * running pod answers at once; when none runs the answer is not needed, only a fast "no". */
const SPECULATIVE_POD_WAIT = '1s';

async function inPod(app: App, local: UpLocal, target: Target, values: Values, podWait?: string): Promise<InPodReport> {
  const ref = `deployment/${local.names.deployment}`;
  const wanted = podChecksFor(local, values);
  const [status, checks] = await Promise.allSettled([
    // the plan's early look asks only for what up reports (an older image: asked again in full)
    queryInPodStatus(app, target, ref, podWait ? { podWait, brief: true } : {}),
    wanted.length ? runPodChecks(app, target, ref, wanted, podWait) : Promise.resolve(null),
  ]);
  const err = (r: PromiseRejectedResult): Error => (r.reason instanceof Error ? r.reason : new Error(String(r.reason)));
  return {
    wanted,
    status: status.status === 'fulfilled' ? status.value : err(status),
    checks:
      checks.status === 'fulfilled'
        ? // a detail is one line of jq or kubectl; never let one that quotes a secret through
          (checks.value?.map((c) =>
            app.guard.find(c.detail) === undefined ? c : { ...c, detail: '(the message quoted a secret value; not shown)' },
          ) ?? null)
        : err(checks),
  };
}

/** The in-pod report as events, in a fixed order; the status and checks for the result. */
function reportInPod(r: InPodReport, local: UpLocal, emit: (e: UpEvent) => void): { status: InPodStatus | null; checks: PodCheck[] } {
  let status: InPodStatus | null = null;
  if (r.status instanceof Error) emit({ kind: 'session-unknown', session: local.session, error: r.status.message });
  else {
    status = r.status;
    const sessions = status.sessions.map((s) => s.name);
    emit({ kind: sessions.includes(local.session) ? 'session-ready' : 'session-missing', session: local.session, sessions });
    if (status.warnings.length > 0) emit({ kind: 'boot-warnings', warnings: status.warnings });
  }
  let checks: PodCheck[] = [];
  if (r.checks instanceof Error) emit({ kind: 'pod-checks-unknown', checks: r.wanted, error: r.checks.message });
  else if (r.checks) {
    checks = r.checks;
    emit({ kind: 'pod-checks', checks });
  }
  return { status, checks };
}

function result(local: UpLocal, plan: UpPlan, found: { status: InPodStatus | null; checks: PodCheck[] }): UpResult {
  return {
    project: local.project,
    target: plan.target,
    helm: plan.helm,
    action: plan.action,
    restarted: plan.action === 'upgraded',
    deployment: local.names.deployment,
    session: local.session,
    status: found.status,
    checks: found.checks,
  };
}
