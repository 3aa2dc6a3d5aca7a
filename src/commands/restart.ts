// `rgsd restart [project]` — rollout restart after confirmation (ends the tmux session).
import { DISCARD_WORK_OPTION } from '../cli/guard.js';
import { defineCommand, projectArg, timeoutOption } from '../cli/spec.js';
import { DEFAULT_TIMEOUT, goDuration } from '../core/vocab.js';
import type { RestartEvent } from '../ops/restart.js';
import type { Output, Spinner } from '../ui/output.js';

export default defineCommand<{ timeout?: string; discardWork?: boolean }>(
  {
    name: 'restart',
    summary: 'restart the pod (ends the tmux session; the home is kept)',
    description:
      'Asks first (without a terminal it needs --yes), then `kubectl rollout restart` and waits for the new pod to be ready. ' +
      'The work guard looks first: a working agent or a running task needs a yes on a terminal, or --discard-work.',
    args: [projectArg()],
    options: [timeoutOption('the pod', DEFAULT_TIMEOUT), DISCARD_WORK_OPTION],
    examples: ['rgsd restart myproj', 'rgsd restart myproj --yes'],
  },
  async (app, { project }, opts) => {
    const { openProject, parseTimeout } = await import('../cli/open.js');
    const timeoutMs = parseTimeout(opts.timeout ?? DEFAULT_TIMEOUT);
    const { names, target } = await openProject(app, project, { command: 'restart', requireSettings: false });
    const p = names.release;
    const { confirmOrRefuse } = await import('../ui/prompts.js');
    const confirm = () =>
      confirmOrRefuse(app.prompter, `Restart the workstation of ${p} now?`, {
        yes: app.globals.yes,
        refusal: `not restarting ${p}`,
        hint: `detach and save your work, then \`rgsd restart ${p} --yes\``,
      });
    // without a terminal, a missing --yes is refused before anything is asked of the cluster
    const discardWork = Boolean(opts.discardWork);
    app.out.warn(SESSION_ENDS);
    if (!app.prompter.interactive && !discardWork) await confirm();
    const { guardWork } = await import('../cli/guard.js');
    const guard = await guardWork(app, target, names, { action: 'stop', verb: 'restart', discardWork, retry: `rgsd restart ${p} --yes` });
    if (!guard.report.looked && guard.report.deployed)
      await (await import('../ops/sleep.js')).refuseIfAsleep(app, target, names, 'nothing to restart');
    if (app.prompter.interactive && !guard.confirmed) await confirm();
    const { restartWorkstation } = await import('../ops/restart.js');
    await withRolloutProgress(app.out, (onEvent) => restartWorkstation(app, target, names, timeoutMs, onEvent));
    app.out.info(`reconnect: rgsd connect ${p}`);
  },
);

export const SESSION_ENDS = 'restarting the pod ends its tmux session and whatever the agent is doing in it; the home volume is kept';

/** Runs a restart, rendering its events (restart and reset-home): a spinner while the new
 * pod comes up, failed if the restart fails. */
export async function withRolloutProgress(out: Output, run: (onEvent: (e: RestartEvent) => void) => Promise<void>): Promise<void> {
  let spin: Spinner | undefined;
  const onEvent = (e: RestartEvent): void => {
    if (e.kind === 'sentinel-removed') out.success('sentinel ~/.home-initialized removed');
    else if (e.kind === 'waiting') {
      spin = out.spinner(`restarting: waiting for the new pod (tmux ready) — up to ${goDuration(e.timeoutMs)}`);
    } else {
      spin?.succeed('pod ready again (its readiness probe is `tmux has-session`)');
      spin = undefined;
    }
  };
  try {
    await run(onEvent);
  } catch (err) {
    spin?.fail('the new pod did not become ready');
    throw err;
  }
}
