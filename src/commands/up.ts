// `rgsd up [project]` — install or upgrade, wait for tmux, print how to connect.
import { DISCARD_WORK_OPTION } from '../cli/guard.js';
import { JSON_OPTION, defineCommand, dryRunOption, projectArg, timeoutOption, type Args } from '../cli/spec.js';
import type { ProjectNames } from '../core/names.js';
import type { App } from '../core/app.js';
import { CONTAINER, DEFAULT_TIMEOUT, goDuration } from '../core/vocab.js';
import type { PodCheck, PodCheckName } from '../cluster/podchecks.js';
import type { UpDryRun, UpEvent, UpNote, UpPlan, UpResult } from '../ops/up.js';
import type { Spinner } from '../ui/output.js';
import { plural } from '../ui/format.js';
import { warningText } from '../ui/podstate.js';

export interface UpFlags {
  chart?: string | undefined;
  timeout?: string | undefined;
  discardWork?: boolean | undefined;
  reapply?: boolean | undefined;
}

export default defineCommand<UpFlags>(
  {
    name: 'up',
    aliases: ['install', 'upgrade'],
    summary: 'install or upgrade the workstation and wait until its tmux session is ready',
    description:
      'Checks everything before it changes anything: the settings, a secrets file readable only by you, Helm (3.7+ or 4), ' +
      'the values against the chart (`helm template`), the cluster (the namespace, a release of the same name elsewhere) ' +
      'and every command line of the run (no secret value on any). ' +
      'A change that restarts the pod ends its tmux session: up says why and asks first (without a terminal it needs --yes; ' +
      'a working agent or a running task, seen by the work guard, needs --discard-work). ' +
      'Secret values travel only in the Secret, on stdin: never in an argv or in the chart values. ' +
      'Interrupted, it says what was done; re-running it recovers. ' +
      'When the release already holds these values and the chart renders the same objects, helm does not run (no new ' +
      'revision) and a ready pod is not waited for: the Secret is re-applied, a sleeping workstation woken, and the pod ' +
      'asked for its sessions as always; --reapply runs `helm upgrade` anyway (it puts back objects edited by hand). ' +
      'After the rollout it checks in the pod what applies: a configured models.json is valid JSON there, and with rbac.mode ' +
      "other than none the pod's kubectl reaches the API server (warnings, never a failure). " +
      '--json prints the result as one JSON document on stdout (progress stays on stderr).',
    args: [projectArg()],
    options: [
      { flags: '--chart <path>', description: 'chart directory or reference (default: the bundled chart/rgsd)', complete: 'file' },
      timeoutOption('the pod', DEFAULT_TIMEOUT),
      DISCARD_WORK_OPTION,
      { flags: '--reapply', description: 'run helm upgrade even when the release is current (same values, same rendered objects)' },
      JSON_OPTION,
      dryRunOption('print the manifests that would be applied (secret values masked); change nothing'),
    ],
    examples: ['rgsd up myproj', 'rgsd up myproj --yes --timeout 10m', 'rgsd up myproj --dry-run > manifests.yaml'],
  },
  (app, args, opts) => runUp(app, args, opts),
);

async function runUp(app: App, { project }: Args, opts: UpFlags): Promise<void> {
  const { openTarget, parseTimeout, resolveChart, resolveProject } = await import('../cli/open.js');
  // a bad --timeout is a usage error before anything is read or run
  const timeoutMs = parseTimeout(opts.timeout ?? DEFAULT_TIMEOUT);
  const ops = await import('../ops/up.js');
  const dryRun = app.globals.dryRun;

  const found = await resolveProject(app, project, { command: 'up', requireSettings: true });
  const checks = await ops.checkLocal(app, found);
  for (const w of checks.secretWarnings) app.out.warn(`${w.message} (hint: ${w.hint})`);
  const local = { ...checks, chart: resolveChart(app, found.cfg, opts.chart) };
  // a dry run never touches the cluster: a missing or mismatching context is only a warning.
  // `helm version` (started by the checks) runs meanwhile; its refusal comes first
  const [helm, opened] = await Promise.allSettled([local.helm, openTarget(app, found, { tolerate: dryRun })]);
  if (helm.status === 'rejected') throw helm.reason;
  if (opened.status === 'rejected') throw opened.reason;
  const { target } = opened.value;

  if (dryRun) {
    await renderDryRun(app, await ops.dryRunUp(app, local, target));
    return;
  }

  const plan = await ops.planUp(app, local, target, { timeoutMs, reapply: Boolean(opts.reapply) });
  for (const note of plan.notes) renderNote(app, note);
  await confirmRestart(app, plan, local.names, Boolean(opts.discardWork));
  const events = eventRenderer(app);
  let result: UpResult;
  try {
    result = await ops.applyUp(app, local, plan, { onEvent: events.render });
  } finally {
    events.close();
  }
  if (app.globals.json) {
    app.out.json(upDocument(result));
    return;
  }
  renderConnect(app, result);
}

/** `up --json`: what was done and what the in-pod checks found. */
export function upDocument(r: UpResult): Record<string, unknown> {
  return {
    schemaVersion: 1,
    project: r.project,
    context: r.target.context,
    namespace: r.target.namespace,
    action: r.action,
    restarted: r.restarted,
    deployment: r.deployment,
    session: r.session,
    sessionReady: r.status ? r.status.sessions.some((s) => s.name === r.session) : null,
    warnings: r.status?.warnings ?? [],
    checks: r.checks.map((c) => ({ check: c.check, ok: c.ok, message: checkText(c) })),
  };
}

const CHECK_LABEL: Record<PodCheckName, string> = { models: 'models.json', kubectl: "the pod's kubectl" };

/** One line per check: `models.json valid in the pod`, `models.json in the pod is not valid JSON: …`. */
export function checkText(c: PodCheck): string {
  if (c.check === 'models') {
    if (c.ok) return 'models.json valid in the pod';
    if (c.detail === 'not found') return 'models.json is configured but ~/.gsd/agent/models.json is not in the pod';
    return `models.json in the pod is not valid JSON: ${c.detail}`;
  }
  if (c.ok) return "the pod's kubectl reaches the API server (may get pods)";
  return `the pod's kubectl does not reach the API server: ${c.detail}`;
}

function renderNote(app: App, n: UpNote): void {
  const { out } = app;
  switch (n.kind) {
    case 'api-server':
      out.info(
        out.c.dim(`NetworkPolicy: the pod may reach the API server at ${n.addresses.join(', ')} (ports ${n.ports.join(', ') || 'as set'})`),
      );
      return;
    case 'api-server-unknown':
      out.warn(
        `could not read the API server's addresses (${n.reason}): the NetworkPolicy lets the pod reach it only if ` +
          'the settings give `values: {networkPolicy: {apiServerCIDRs: [...]}}` (`kubectl get endpoints kubernetes -n default` lists them)',
      );
      return;
    case 'other-namespaces-unknown':
      out.warn(`could not look for a release of the same name in other namespaces (${n.reason})`);
      return;
    case 'cluster-admin':
      out.warn(
        `rbac.mode is cluster-admin: ServiceAccount ${n.serviceAccount} is bound to the cluster-admin ClusterRole, so the ` +
          'coding agent can read every Secret and delete anything in the cluster; use it only on a disposable cluster ' +
          '(rbac.mode namespace limits it to its namespace)',
      );
      return;
    case 'also-elsewhere':
      out.warn(`release ${n.release} also exists in namespace ${n.namespaces.join(', ')}: upgrading the one in this namespace only`);
      return;
  }
}

async function confirmRestart(app: App, plan: UpPlan, names: ProjectNames, discardWork: boolean): Promise<void> {
  if (plan.restartReasons.length === 0) return;
  const why = plan.restartReasons.join(', ');
  app.out.warn(`this update restarts the pod, which ends its tmux session and whatever the agent is doing (${why})`);
  const { confirmOrRefuse } = await import('../ui/prompts.js');
  const confirm = () =>
    confirmOrRefuse(app.prompter, 'Restart the workstation now?', {
      yes: app.globals.yes,
      refusal: 'not updating: the pod would restart',
      hint: 'detach and save your work, then re-run with --yes',
      default: true,
    });
  // without a terminal, a missing --yes is refused before the work guard asks the pod
  if (!app.prompter.interactive && !discardWork) await confirm();
  const { guardWork } = await import('../cli/guard.js');
  const guard = await guardWork(app, plan.target, names, {
    action: 'stop',
    verb: 'restart',
    discardWork,
    retry: `rgsd up ${names.release} --yes`,
  });
  if (app.prompter.interactive && !guard.confirmed) await confirm();
}

/** Progress lines on stderr; a spinner while the rollout runs (failed if apply throws). */
function eventRenderer(app: App): { render: (e: UpEvent) => void; close: () => void } {
  const { out } = app;
  let spinner: Spinner | undefined;
  const render = (e: UpEvent): void => {
    switch (e.kind) {
      case 'namespace-created':
        out.success(`created namespace ${e.namespace} (pod-security: restricted; not owned by any release)`);
        return;
      case 'recovering':
        if (e.command === null) out.warn(`release ${e.release} is failed (an interrupted or failed run); upgrading it`);
        else {
          const kept = e.reinstall ? ' (the home volume is kept)' : '';
          out.warn(`release ${e.release} was left ${e.status} by an interrupted run; recovering: ${e.command}${kept}`);
        }
        return;
      case 'secret-applied':
        out.success(`Secret ${e.name} applied (${e.keys} keys, checksum ${e.checksum.slice(0, 12)})`);
        return;
      case 'secret-current':
        out.success(`Secret ${e.name} is current (${e.keys} keys, checksum ${e.checksum.slice(0, 12)})`);
        return;
      case 'helm-done': {
        if (e.action === 'current') {
          out.success(
            `release ${e.release} is current (revision ${e.revision}: same values, same objects): no helm upgrade (--reapply runs one)`,
          );
          return;
        }
        const verb = e.action === 'installed' ? 'installed' : 'upgraded';
        const note = e.action === 'unchanged' ? '; pod template unchanged, no restart' : '';
        out.success(`helm ${verb} release ${e.release} (Helm ${e.helm.major})${note}`);
        return;
      }
      case 'woken':
        out.success(`it was asleep (0 replicas): woken (kubectl scale deployment/${e.deployment} --replicas=1)`);
        return;
      case 'rollout-waiting':
        spinner = out.spinner(`waiting for the pod (tmux ready) — up to ${goDuration(e.timeoutMs)}`);
        return;
      case 'rollout-ready':
        if (e.already) out.success('pod ready, rollout complete (nothing to wait for)');
        else spinner?.succeed('pod ready (its readiness probe is `tmux has-session`)');
        spinner = undefined;
        return;
      case 'session-ready':
        out.success(`tmux session "${e.session}" is ready (${plural(e.sessions.length, 'session')})`);
        return;
      case 'session-missing':
        out.warn(`the pod is ready but tmux session "${e.session}" is not listed (${e.sessions.join(', ') || 'none'})`);
        return;
      case 'session-unknown':
        out.warn(`the pod is ready but its session list could not be read: ${e.error}`);
        return;
      case 'boot-warnings':
        for (const w of e.warnings) out.warn(`the workstation reports: ${warningText(w)}`);
        return;
      case 'pod-checks':
        for (const c of e.checks) {
          if (c.ok) out.success(checkText(c));
          else out.warn(checkText(c));
        }
        return;
      case 'pod-checks-unknown':
        out.warn(`the in-pod checks (${e.checks.map((c) => CHECK_LABEL[c]).join(', ')}) could not run: ${e.error}`);
        return;
    }
  };
  const close = (): void => {
    spinner?.fail('the pod did not become ready');
    spinner = undefined;
  };
  return { render, close };
}

function renderConnect(app: App, r: UpResult): void {
  const { out } = app;
  const attach = `exec -it deployment/${r.deployment} -c ${CONTAINER.workstation} -- tmux attach -t ${r.session}`;
  out.info('');
  out.info(`connect:  rgsd connect ${r.project}`);
  out.info(`     or:  ${app.tools.kubectl} --context ${r.target.context} -n ${r.target.namespace} ${attach}`);
}

async function renderDryRun(app: App, d: UpDryRun): Promise<void> {
  const { stringify } = await import('yaml');
  const { out } = app;
  out.info('values passed to helm on stdin (no secrets):');
  out.info(d.valuesYaml.trimEnd().replace(/^/gm, '  '));
  out.data(`# Namespace: created by rgsd only if missing (never part of the release)\n${stringify(d.namespace)}`);
  out.data(`---\n# Secret: applied with kubectl apply --server-side -f - (values masked)\n${stringify(d.maskedSecret)}`);
  out.data(`---\n# helm upgrade --install ${d.release} ${d.chart}\n${d.rendered.replace(/^---\n/, '')}`);
  out.success('dry run: nothing was changed');
}
