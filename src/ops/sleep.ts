// `rgsd sleep`: the Deployment annotated with the time (`rgsd.dev/asleep-since`, which status
// shows), scaled to 0, and its pods waited out. Waking is `up` and `connect` (scale to 1).
import type { Target } from '../cluster/gateway.js';
import { ASLEEP_ANNOTATION, getSleepState, notDeployed, scaleDeployment, waitPodsGone } from '../cluster/workload.js';
import { kubectl } from '../cluster/gateway.js';
import type { App } from '../core/app.js';
import { NotFoundError, RefusedError, RgsdError, isInterrupt } from '../core/errors.js';
import type { ProjectNames } from '../core/names.js';

/** The replica count and since when it sleeps; NotFoundError (hint `rgsd up`) without a Deployment. */
export async function sleepState(app: App, t: Target, names: ProjectNames): Promise<{ replicas: number; since: string | null }> {
  const state = await getSleepState(app, t, names);
  if (state) return state;
  throw notDeployed(new NotFoundError('not deployed', { resource: 'deployments.apps' }), names, t);
}

export async function putToSleep(app: App, t: Target, names: ProjectNames, timeoutMs: number): Promise<void> {
  const p = names.release;
  const { progress } = app;
  progress.begin(`re-run \`rgsd sleep ${p}\`; \`rgsd up ${p}\` wakes it`);
  const since = app
    .now()
    .toISOString()
    .replace(/\.\d+Z$/, 'Z');
  progress.start('the annotation of the Deployment');
  try {
    await kubectl(app, t, ['annotate', `deployment/${names.deployment}`, `${ASLEEP_ANNOTATION}=${since}`, '--overwrite'], {
      mutates: true,
      timeoutMs: 60_000,
    });
  } catch (err) {
    throw notDeployed(err, names, t);
  }
  progress.done(`deployment/${names.deployment} was annotated ${ASLEEP_ANNOTATION}=${since}`);
  progress.start('the scale to 0', { risk: 'the workstation may be stopping' });
  await scaleDeployment(app, t, names, 0);
  progress.done('the workstation was scaled to 0');
  progress.start('the wait for its pod to stop', { risk: 'the pod may still be stopping' });
  await waitPodsGone(app, t, names.selector, timeoutMs);
  progress.done('its pod is gone');
}

/** restart and reset-home on a workstation the guard could not ask: asleep (0 replicas) is
 * refused with the way to wake it (a rollout restart would start nothing, and `rollout
 * status` would succeed at once). Nothing else is checked here. */
export async function refuseIfAsleep(app: App, t: Target, names: ProjectNames, why: string): Promise<void> {
  // a look that fails refuses nothing: the command goes on as before
  const state = await getSleepState(app, t, names).catch((err: unknown) => {
    if (err instanceof RgsdError && !isInterrupt(err)) return null;
    throw err;
  });
  if (state?.replicas !== 0) return;
  const p = names.release;
  throw new RefusedError(`${p} is asleep (0 replicas${state.since ? ` since ${state.since}` : ''}): ${why}`, {
    hint: `\`rgsd up ${p}\` wakes it (or \`rgsd connect ${p}\`), then re-run`,
  });
}
