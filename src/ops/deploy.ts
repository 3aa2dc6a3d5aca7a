// `rgsd up`: preflight, namespace, Secret (stdin), helm upgrade --install (values on stdin),
// recovery of interrupted releases, rollout wait, tmux readiness, how to connect.
import type { App } from '../core/app.js';
import { CommandError, RgsdError, TimeoutError } from '../core/errors.js';
import { detectHelm, getReleaseValues, helmHint, listReleases, templateArgs, upgradeInstallArgs, type HelmInfo } from '../core/helm.js';
import { classifyClusterError, createNamespace, getNamespace, kubectl, kubectlArgs, namespaceManifest, type Target } from '../core/kube.js';
import { buildSecretManifest, collectSecretData, maskSecretManifest, secretChecksum, secretValues, type SecretData, type SecretManifest } from '../core/secrets.js';
import { confirmOrRefuse } from '../ui/prompts.js';
import { goDuration, openProject, parseDuration, resolveChart, type OpenedProject } from './project.js';
import { planRecovery } from './release.js';
import { queryInPodStatus, type InPodStatus } from './pod.js';
import { buildValues, restartReasons, type Values } from './values.js';

export interface UpOptions {
  chart?: string;
  timeout?: string;
  dryRun?: boolean;
  image?: string;
}

export interface UpResult {
  project: string;
  target: Target;
  helm: HelmInfo;
  action: 'installed' | 'upgraded' | 'unchanged' | 'dry-run';
  restarted: boolean;
  status: InPodStatus | null;
}

/** Server-side apply: no last-applied annotation (it would copy the data); keys removed
 * from the file disappear from the Secret because rgsd owns the fields it applied. */
export const SECRET_APPLY = ['apply', '--server-side', '--field-manager=rgsd', '--force-conflicts', '-f', '-'];

export function rolloutArgs(t: Target, deployment: string, timeoutMs: number): string[] {
  return kubectlArgs(t, 'rollout', 'status', `deployment/${deployment}`, `--timeout=${goDuration(timeoutMs)}`);
}

export async function up(app: App, projectArg: string | undefined, opts: UpOptions): Promise<UpResult> {
  const timeoutMs = parseDuration(opts.timeout ?? '5m');
  const dryRun = Boolean(opts.dryRun ?? app.globals.dryRun);
  const { out } = app;
  // Local work first, in the order a user fixes things: project name, settings, secrets
  // file, helm; only then the kube context and the cluster.
  let data: SecretData = {};
  let helm!: HelmInfo;
  const opened = await openProject(app, projectArg, {
    command: 'up',
    requireSettings: true,
    tolerateTarget: dryRun,
    beforeTarget: async (settings) => {
      data = await collectSecretData(settings!);
      helm = await detectHelm(app.runner, app.tools);
    },
  });
  const { project, cfg, names, target } = opened;
  app.guard.register(secretValues(data));
  const checksum = secretChecksum(data);
  const secret = buildSecretManifest(names, target.namespace, data);
  const values = buildValues(project, cfg, names, checksum, opts.image ? { image: opts.image } : {});
  const chart = resolveChart(app, cfg, opts.chart);
  const { stringify } = await import('yaml');
  const valuesYaml = stringify(values);

  if (dryRun) {
    await printDryRun(app, opened, chart, secret, valuesYaml);
    return { project, target, helm, action: 'dry-run', restarted: false, status: null };
  }

  // independent reads: run them together
  const [ns, releases] = await Promise.all([
    getNamespace(app.runner, app.tools, target),
    listReleases(app.runner, app.tools, target, project),
  ]);
  const release = releases.find((r) => r.name === names.release);
  const plan = planRecovery(release, target, app.tools, app.now());

  let prev: Values | undefined;
  let reasons: string[] = [];
  if (release && plan.kind !== 'uninstall-then-install') {
    prev = await getReleaseValues(app.runner, app.tools, target, names.release);
    if (release.status === 'deployed') {
      reasons = restartReasons(prev, values);
      const localChart = await chartLabel(chart);
      if (localChart && release.chart && localChart !== release.chart) reasons.push(`the chart changes from ${release.chart} to ${localChart}`);
    }
    if (reasons.length) {
      out.warn(`this update restarts the pod, which ends its tmux session and whatever the agent is doing (${reasons.join(', ')})`);
      await confirmOrRefuse(app.prompter, 'Restart the workstation now?', {
        yes: app.globals.yes,
        refusal: 'not updating: the pod would restart',
        hint: 'detach and save your work, then re-run with --yes',
        default: true,
      });
    }
  }

  if (!ns.exists) {
    await createNamespace(app.runner, app.tools, target);
    out.success(`created namespace ${target.namespace} (pod-security: restricted; not owned by any release)`);
  }
  if (plan.kind === 'uninstall-then-install') {
    out.warn(`release ${project} was left pending-install by an interrupted run; recovering: ${helmHint(app.tools, plan.command)} (the home volume is kept)`);
    await helmRun(app, target, plan.command);
  } else if (plan.kind === 'rollback-then-upgrade') {
    out.warn(`release ${project} was left ${release?.status} by an interrupted run; recovering: ${helmHint(app.tools, plan.command)}`);
    await helmRun(app, target, plan.command);
  } else if (release?.status === 'failed') {
    out.warn(`release ${project} is failed (an interrupted or failed run); upgrading it`);
  }

  await kubectl(app.runner, app.tools, target, SECRET_APPLY, { stdin: JSON.stringify(secret), mutates: true });
  out.success(`Secret ${names.secret} applied (${Object.keys(secret.data).length} keys, checksum ${checksum.slice(0, 12)})`);

  await helmRun(app, target, upgradeInstallArgs(target, names.release, chart), valuesYaml);
  const installed = !release || plan.kind === 'uninstall-then-install';
  const unchanged = Boolean(prev && release?.status === 'deployed' && reasons.length === 0);
  out.success(`helm ${installed ? 'installed' : 'upgraded'} release ${project} (Helm ${helm.major})${unchanged ? '; pod template unchanged, no restart' : ''}`);

  await waitRollout(app, target, names.deployment, timeoutMs, project);
  let status: InPodStatus | null = null;
  const session = cfg?.settings.tmuxSession ?? 'main';
  try {
    status = await queryInPodStatus(app, target, `deployment/${names.deployment}`);
  } catch (err) {
    out.warn(`the pod is ready but its session list could not be read: ${(err as Error).message}`);
  }
  if (status) {
    const names_ = status.sessions.map((s) => s.name);
    if (names_.includes(session)) out.success(`tmux session "${session}" is ready (${names_.length} session${names_.length === 1 ? '' : 's'})`);
    else out.warn(`the pod is ready but tmux session "${session}" is not listed (${names_.join(', ') || 'none'})`);
  }
  out.info('');
  out.info(`connect:  rgsd connect ${project}`);
  out.info(`     or:  ${app.tools.kubectl} --context ${target.context} -n ${target.namespace} exec -it deployment/${names.deployment} -c workstation -- tmux attach -t ${session}`);
  return { project, target, helm, action: installed ? 'installed' : unchanged ? 'unchanged' : 'upgraded', restarted: !installed && !unchanged, status };
}

async function printDryRun(app: App, opened: OpenedProject, chart: string, secret: SecretManifest, valuesYaml: string): Promise<void> {
  const { stringify } = await import('yaml');
  const { out } = app;
  const rendered = await app.runner.run(app.tools.helm, templateArgs(opened.target, opened.names.release, chart), { stdin: valuesYaml });
  out.info('values passed to helm on stdin (no secrets):');
  out.info(valuesYaml.trimEnd().replace(/^/gm, '  '));
  out.data(`# Namespace: created by rgsd only if missing (never part of the release)\n${stringify(namespaceManifest(opened.target.namespace))}`);
  out.data(`---\n# Secret: applied with kubectl apply --server-side -f - (values masked)\n${stringify(maskSecretManifest(secret))}`);
  out.data(`---\n# helm upgrade --install ${opened.names.release} ${chart}\n${rendered.stdout.replace(/^---\n/, '')}`);
  out.success('dry run: nothing was changed');
}

/** "rgsd-0.1.0" for a chart directory (as `helm list` shows it), or undefined. */
export async function chartLabel(chart: string): Promise<string | undefined> {
  try {
    const { readFile } = await import('node:fs/promises');
    const { parse } = await import('yaml');
    const meta = parse(await readFile(`${chart}/Chart.yaml`, 'utf8')) as { name?: string; version?: string };
    return meta.name && meta.version ? `${meta.name}-${meta.version}` : undefined;
  } catch {
    return undefined; // a chart reference (repo/name, oci://…) rather than a directory
  }
}

async function helmRun(app: App, t: Target, args: string[], stdin?: string): Promise<void> {
  try {
    await app.runner.run(app.tools.helm, args, { mutates: true, ...(stdin !== undefined ? { stdin } : {}) });
  } catch (err) {
    const e = classifyClusterError(err, t);
    if (e instanceof CommandError && /another operation \(install\/upgrade\/rollback\) is in progress/.test(e.stderr)) {
      throw new RgsdError(`helm: another operation is in progress on release ${args[2] ?? ''}`, {
        hint: 'wait a minute and re-run `rgsd up` (it recovers a stale pending release itself)',
        cause: e,
      });
    }
    throw e;
  }
}

/** Wording of one rollout wait: `up` waits for "the pod", `restart` for "the new pod". */
export interface RolloutWording {
  waiting: string;
  ready: string;
  failed: string;
  notReady: string;
}

const UP_WORDING: RolloutWording = {
  waiting: 'waiting for the pod (tmux ready)',
  ready: 'pod ready (its readiness probe is `tmux has-session`)',
  failed: 'the pod did not become ready',
  notReady: 'the workstation was not ready within',
};

/** `kubectl rollout status --timeout` under a spinner; a timeout becomes a TimeoutError with a hint. */
export async function waitRollout(
  app: App,
  t: Target,
  deployment: string,
  timeoutMs: number,
  project: string,
  wording: RolloutWording = UP_WORDING,
): Promise<void> {
  const spin = app.out.spinner(`${wording.waiting} — up to ${goDuration(timeoutMs)}`);
  try {
    await app.runner.run(app.tools.kubectl, rolloutArgs(t, deployment, timeoutMs), { timeoutMs: timeoutMs + 30_000 });
    spin.succeed(wording.ready);
  } catch (err) {
    spin.fail(wording.failed);
    if (err instanceof TimeoutError || (err instanceof CommandError && /timed out|exceeded its progress deadline/i.test(err.stderr))) {
      throw new TimeoutError(`${wording.notReady} ${goDuration(timeoutMs)}`, {
        hint: `see why with \`rgsd status ${project}\` and \`rgsd logs ${project} --init\`; re-run with a longer --timeout`,
        cause: err,
      });
    }
    throw classifyClusterError(err, t);
  }
}
