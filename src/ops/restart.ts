// `rgsd restart` and `rgsd reset-home`: restart the workstation pod (ending its tmux
// session; the home volume is kept) with `kubectl rollout restart`, then wait for the
// rollout. reset-home first deletes the home's sentinel so init-home re-seeds the skeleton
// on the next boot (it never overwrites files that exist). The command confirms first and
// renders the events (a spinner for the wait).
import type { Target } from '../cluster/gateway.js';
import { removeSentinel, rolloutRestart, waitRollout } from '../cluster/workload.js';
import type { App } from '../core/app.js';
import { CommandError, RgsdError, firstLine } from '../core/errors.js';
import type { ProjectNames } from '../core/names.js';

export type RestartEvent =
  /** reset-home: `$RGSD_HOME/.home-initialized` is gone */
  | { kind: 'sentinel-removed' }
  /** the rollout restarted; waiting up to `timeoutMs` for the new pod */
  | { kind: 'waiting'; timeoutMs: number }
  | { kind: 'ready' };

type OnEvent = (e: RestartEvent) => void;
const quiet: OnEvent = () => undefined;

/** `kubectl rollout restart` + `kubectl rollout status --timeout`. */
export async function restartWorkstation(app: App, t: Target, names: ProjectNames, timeoutMs: number, onEvent = quiet): Promise<void> {
  const p = names.release;
  const { progress } = app;
  progress.begin(`re-run \`rgsd restart ${p}\``);
  progress.start('kubectl rollout restart', { risk: 'the pod may be restarting' });
  await rolloutRestart(app, t, names);
  progress.done('the restart was requested', { next: `\`rgsd status ${p}\` shows the new pod; \`rgsd connect ${p}\` once it is ready` });
  onEvent({ kind: 'waiting', timeoutMs });
  progress.start('the wait for the new pod', { risk: 'the pod is still restarting' });
  await waitRollout(app, t, names, timeoutMs);
  progress.done('the new pod is ready');
  onEvent({ kind: 'ready' });
}

/** Delete the sentinel in the running container, then restart and wait. */
export async function resetHome(app: App, t: Target, names: ProjectNames, timeoutMs: number, onEvent = quiet): Promise<void> {
  const p = names.release;
  const { progress } = app;
  progress.begin(`re-run \`rgsd reset-home ${p}\``);
  progress.start("the removal of the home's sentinel");
  try {
    await removeSentinel(app, t, names);
  } catch (err) {
    // Not a missing deployment (that is a NotFoundError already): the exec itself failed,
    // typically because the container is not running.
    if (!(err instanceof CommandError)) throw err;
    const detail = firstLine(err.stderr) || firstLine(err.stdout) || `exit code ${err.commandExitCode}`;
    throw new RgsdError(`could not remove the home's sentinel in ${names.release}: ${detail}`, {
      hint: `the pod must be running: check \`rgsd status ${names.release}\` (or \`rgsd up ${names.release}\`), then re-run`,
      cause: err,
    });
  }
  progress.done("the home's sentinel was removed", {
    next: `\`rgsd restart ${p}\` re-seeds the home (or re-run \`rgsd reset-home ${p}\`)`,
  });
  onEvent({ kind: 'sentinel-removed' });
  await restartWorkstation(app, t, names, timeoutMs, onEvent);
}
