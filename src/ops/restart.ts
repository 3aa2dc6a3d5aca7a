// `rgsd restart` and `rgsd reset-home`: restart the workstation pod (ending its tmux
// session; the home volume is kept) with `kubectl rollout restart`, then wait for the
// rollout. reset-home first deletes the home's sentinel so init-home re-seeds the skeleton
// on the next boot (it never overwrites files that exist).
import type { App } from '../core/app.js';
import { CommandError, NotFoundError, RgsdError } from '../core/errors.js';
import { classifyClusterError, kubectlArgs, type Target } from '../core/kube.js';
import type { ProjectNames } from '../core/names.js';
import { confirmOrRefuse } from '../ui/prompts.js';
import { waitRollout } from './deploy.js';
import { openProject, parseDuration } from './project.js';

export interface RestartOptions {
  timeout?: string;
}

export function rolloutRestartArgs(t: Target, deployment: string): string[] {
  return kubectlArgs(t, 'rollout', 'restart', `deployment/${deployment}`);
}

/** Deletes `$RGSD_HOME/.home-initialized` (ARCHITECTURE.md "Image contract") in the running container. */
export function removeSentinelArgs(t: Target, deployment: string): string[] {
  return kubectlArgs(t, 'exec', `deployment/${deployment}`, '-c', 'workstation', '--', 'sh', '-c', 'rm -f -- "${RGSD_HOME:-/home/gsd}/.home-initialized"');
}

function notDeployed(project: string, t: Target, cause: unknown): NotFoundError {
  return new NotFoundError(`${project} is not deployed in namespace ${t.namespace} (context ${t.context})`, {
    hint: `start it with \`rgsd up ${project}\``,
    cause,
  });
}

/** The deployment itself does not exist (not: a container/pod "not found" during exec). */
function deploymentMissing(err: unknown): boolean {
  return err instanceof CommandError && /\(NotFound\)|deployments?(\.apps)? "[^"]*" not found/.test(err.stderr);
}

/** Run a kubectl call against the project's deployment; NotFound becomes "not deployed". */
async function onDeployment(app: App, t: Target, project: string, args: string[]): Promise<void> {
  try {
    await app.runner.run(app.tools.kubectl, args, { mutates: true, timeoutMs: 60_000 });
  } catch (err) {
    if (deploymentMissing(err)) throw notDeployed(project, t, err);
    throw classifyClusterError(err, t);
  }
}

/** `kubectl rollout restart` + `kubectl rollout status --timeout`. */
export async function restartAndWait(app: App, t: Target, names: ProjectNames, timeoutMs: number): Promise<void> {
  await onDeployment(app, t, names.release, rolloutRestartArgs(t, names.deployment));
  await waitRollout(app, t, names.deployment, timeoutMs, names.release, {
    waiting: 'restarting: waiting for the new pod (tmux ready)',
    ready: 'pod ready again (its readiness probe is `tmux has-session`)',
    failed: 'the new pod did not become ready',
    notReady: 'the workstation was not ready again within',
  });
}

const SESSION_ENDS = 'restarting the pod ends its tmux session and whatever the agent is doing in it; the home volume is kept';

export async function restart(app: App, projectArg: string | undefined, opts: RestartOptions): Promise<void> {
  const timeoutMs = parseDuration(opts.timeout ?? '5m');
  const { project, names, target } = await openProject(app, projectArg, { command: 'restart', requireSettings: false });
  app.out.warn(SESSION_ENDS);
  await confirmOrRefuse(app.prompter, `Restart the workstation of ${project} now?`, {
    yes: app.globals.yes,
    refusal: `not restarting ${project}`,
    hint: `detach and save your work, then \`rgsd restart ${project} --yes\``,
  });
  await restartAndWait(app, target, names, timeoutMs);
  app.out.info(`reconnect: rgsd connect ${project}`);
}

export async function resetHome(app: App, projectArg: string | undefined, opts: RestartOptions): Promise<void> {
  const timeoutMs = parseDuration(opts.timeout ?? '5m');
  const { project, names, target } = await openProject(app, projectArg, { command: 'reset-home', requireSettings: false });
  app.out.warn(
    `reset-home re-seeds the home of ${project} from the image skeleton on the next boot: files that exist are not overwritten, missing skeleton files come back; ${SESSION_ENDS}`,
  );
  await confirmOrRefuse(app.prompter, `Re-seed the home of ${project} and restart now?`, {
    yes: app.globals.yes,
    refusal: `not resetting the home of ${project}`,
    hint: `re-run with --yes: \`rgsd reset-home ${project} --yes\``,
  });
  try {
    await onDeployment(app, target, project, removeSentinelArgs(target, names.deployment));
  } catch (err) {
    if (err instanceof CommandError) {
      throw new RgsdError(`could not remove the home's sentinel in ${project}: ${err.message.replace(/^\S+ failed: /, '')}`, {
        hint: `the pod must be running: check \`rgsd status ${project}\` (or \`rgsd up ${project}\`), then re-run`,
        cause: err,
      });
    }
    throw err;
  }
  app.out.success('sentinel ~/.home-initialized removed');
  await restartAndWait(app, target, names, timeoutMs);
  app.out.success(`init-home re-seeded the home of ${project}`);
  app.out.info(`reconnect: rgsd connect ${project}`);
}
