// `rgsd up`, in three steps the command runs with a confirmation in between:
//   checkLocal — secret data (private file), helm version, values: no cluster (the command
//                resolves the project and the chart with cli/open.ts around it);
//   planUp     — reads only: namespace + release (concurrently), the recovery of an interrupted
//                run, the current values and chart, and why the update would restart the pod;
//   applyUp    — namespace, recovery, Secret (stdin), helm upgrade --install (values on stdin),
//                rollout wait, tmux session check; progress as typed events.
// `dryRunUp` renders what applyUp would apply (helm template, local) without the cluster.
import { commandHint, type Target } from '../cluster/gateway.js';
import { getNamespace, createNamespace, namespaceManifest } from '../cluster/namespace.js';
import {
  chartLabel,
  detectHelm,
  getReleaseValues,
  listReleases,
  planRecovery,
  runRecovery,
  template,
  upgradeInstall,
  type HelmInfo,
  type HelmRelease,
  type RecoveryPlan,
  type ReleaseStatus,
} from '../cluster/release.js';
import { applySecret, buildSecretManifest, maskSecretManifest, type SecretManifest } from '../cluster/secret.js';
import { queryInPodStatus, waitRollout, type InPodStatus } from '../cluster/workload.js';
import type { App } from '../core/app.js';
import type { ProjectConfig } from '../core/config.js';
import { RgsdError } from '../core/errors.js';
import type { ProjectNames } from '../core/names.js';
import { collectSecretData, secretChecksum, secretValues, type SecretData } from '../core/secrets.js';
import { DEFAULT_SESSION } from '../core/vocab.js';
import { buildValues, restartReasons, type Values } from './values.js';

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
  helm: HelmInfo;
  /** The Secret's data (registered with the SecretGuard; never printed). */
  secretData: SecretData;
  checksum: string;
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

/** The local checks after the settings, in the order a user fixes things: secrets file, helm,
 * values. Nothing here talks to the cluster. */
export async function checkLocal(app: App, local: UpProject): Promise<UpChecks> {
  const { project, cfg, names } = local;
  // resolveProject with requireSettings: true always loads the settings
  if (!cfg) throw new Error(`bug: up needs the settings of ${project}`);
  const secretData = await collectSecretData(cfg);
  // before any subprocess: the guard refuses an argv that carries one of these
  app.guard.register(secretValues(secretData));
  const helm = await detectHelm(app);
  const checksum = secretChecksum(secretData);
  const values = buildValues(project, cfg, names, checksum);
  const { stringify } = await import('yaml');
  return {
    project,
    cfg,
    names,
    helm,
    secretData,
    checksum,
    values,
    valuesYaml: stringify(values),
    session: cfg.settings.tmuxSession ?? DEFAULT_SESSION,
  };
}

export function secretManifest(local: UpLocal, target: Target): SecretManifest {
  return buildSecretManifest(local.names, target.namespace, local.secretData);
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
  const rendered = await template(app, target, local.names.release, local.chart, local.valuesYaml);
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

export type UpAction = 'installed' | 'upgraded' | 'unchanged';

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
}

/** Reads only: nothing changes until `applyUp`. Throws when an interrupted release cannot be
 * recovered safely (see planRecovery) or the namespace is being deleted. */
export async function planUp(app: App, local: UpLocal, target: Target): Promise<UpPlan> {
  const { names } = local;
  // the namespace read is also the reachability check; both reads are independent
  const [ns, releases] = await Promise.all([getNamespace(app, target), listReleases(app, target, local.project)]);
  if (ns.terminating) {
    throw new RgsdError(`namespace ${target.namespace} is being deleted`, {
      hint:
        `wait until \`kubectl --context ${target.context} get namespace ${target.namespace}\` finds nothing, ` +
        `then re-run \`rgsd up ${local.project}\``,
    });
  }
  const release = releases.find((r) => r.name === names.release) ?? null;
  const recovery = planRecovery(release, app, target, app.now());

  let previousValues: Values | null = null;
  const reasons: string[] = [];
  if (release && recovery.kind !== 'uninstall-then-install') {
    const deployed = release.status === 'deployed';
    const [prev, localChart] = await Promise.all([
      getReleaseValues(app, target, names.release),
      deployed ? chartLabel(local.chart) : Promise.resolve(undefined),
    ]);
    previousValues = prev;
    // a failed or pending release has no pod template worth protecting
    if (deployed) {
      reasons.push(...restartReasons(prev, local.values));
      if (localChart && release.chart && localChart !== release.chart) {
        reasons.push(`the chart changes from ${release.chart} to ${localChart}`);
      }
    }
  }
  const installs = !release || recovery.kind === 'uninstall-then-install';
  const unchanged = !installs && previousValues !== null && release?.status === 'deployed' && reasons.length === 0;
  return {
    target,
    namespaceExists: ns.exists,
    release,
    recovery,
    previousValues,
    restartReasons: reasons,
    action: installs ? 'installed' : unchanged ? 'unchanged' : 'upgraded',
  };
}

// ---- apply ------------------------------------------------------------------------------

export type UpEvent =
  | { kind: 'namespace-created'; namespace: string }
  /** Emitted before the recovery of an interrupted release runs; `command` is null for a
   * failed release, which the upgrade itself repairs; `reinstall`: uninstalled and installed
   * again (the home volume survives: the chart keeps its PVC). */
  | { kind: 'recovering'; release: string; status: ReleaseStatus; command: string | null; reinstall: boolean }
  | { kind: 'secret-applied'; name: string; keys: number; checksum: string }
  | { kind: 'helm-done'; action: UpAction; release: string; helm: HelmInfo }
  | { kind: 'rollout-waiting'; deployment: string; timeoutMs: number }
  | { kind: 'rollout-ready'; deployment: string }
  | { kind: 'session-ready'; session: string; sessions: string[] }
  | { kind: 'session-missing'; session: string; sessions: string[] }
  | { kind: 'session-unknown'; session: string; error: string };

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
}

export interface ApplyOptions {
  timeoutMs: number;
  onEvent?: (e: UpEvent) => void;
}

/** The mutations, in order: namespace, recovery, Secret, helm, then the waits. */
export async function applyUp(app: App, local: UpLocal, plan: UpPlan, opts: ApplyOptions): Promise<UpResult> {
  const emit = opts.onEvent ?? (() => undefined);
  const { names } = local;
  const { target, recovery, release } = plan;

  if (!plan.namespaceExists) {
    await createNamespace(app, target);
    emit({ kind: 'namespace-created', namespace: target.namespace });
  }
  if (recovery.kind === 'uninstall-then-install' || recovery.kind === 'rollback-then-upgrade') {
    emit({
      kind: 'recovering',
      release: names.release,
      status: release?.status ?? 'unknown',
      command: commandHint(app, 'helm', target, recovery.command),
      reinstall: recovery.kind === 'uninstall-then-install',
    });
    await runRecovery(app, target, recovery.command);
  } else if (release?.status === 'failed') {
    emit({ kind: 'recovering', release: names.release, status: 'failed', command: null, reinstall: false });
  }

  const secret = secretManifest(local, target);
  await applySecret(app, target, secret);
  emit({ kind: 'secret-applied', name: names.secret, keys: Object.keys(secret.data).length, checksum: local.checksum });

  await upgradeInstall(app, target, names.release, local.chart, local.valuesYaml);
  emit({ kind: 'helm-done', action: plan.action, release: names.release, helm: local.helm });

  emit({ kind: 'rollout-waiting', deployment: names.deployment, timeoutMs: opts.timeoutMs });
  await waitRollout(app, target, names, opts.timeoutMs);
  emit({ kind: 'rollout-ready', deployment: names.deployment });

  let status: InPodStatus | null = null;
  try {
    status = await queryInPodStatus(app, target, `deployment/${names.deployment}`);
  } catch (err) {
    // the pod is ready (its probe is `tmux has-session`): a failed listing is only a warning
    emit({ kind: 'session-unknown', session: local.session, error: (err as Error).message });
  }
  if (status) {
    const sessions = status.sessions.map((s) => s.name);
    emit({ kind: sessions.includes(local.session) ? 'session-ready' : 'session-missing', session: local.session, sessions });
  }
  return {
    project: local.project,
    target,
    helm: local.helm,
    action: plan.action,
    restarted: plan.action === 'upgraded',
    deployment: names.deployment,
    session: local.session,
    status,
  };
}
