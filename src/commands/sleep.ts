// `rgsd sleep [project]` — scale the workstation to 0 by hand (what idle sleep does by itself).
import { DISCARD_WORK_OPTION } from '../cli/guard.js';
import { defineCommand, dryRunOption, projectArg, timeoutOption } from '../cli/spec.js';
import { DEFAULT_TIMEOUT, goDuration } from '../core/vocab.js';

export default defineCommand<{ timeout?: string; discardWork?: boolean }>(
  {
    name: 'sleep',
    summary: 'put the workstation to sleep: 0 replicas, the home volume and everything else kept',
    description:
      'Scales the Deployment to 0 (`kubectl scale --replicas=0`) and waits until its pod is gone; the pod stops, so its ' +
      'tmux session ends. `rgsd up` or `rgsd connect` wakes it; `rgsd status` says since when it sleeps. Asks first ' +
      '(without a terminal it needs --yes); the work guard looks first: a working agent or a running task needs a yes on a ' +
      'terminal, or --discard-work. With idle sleep on (chart value idle.sleepAfter) the workstation does this itself.',
    args: [projectArg()],
    options: [
      timeoutOption('the pod to stop', DEFAULT_TIMEOUT),
      DISCARD_WORK_OPTION,
      dryRunOption('say what would happen; change nothing'),
    ],
    examples: ['rgsd sleep myproj', 'rgsd sleep myproj --yes'],
  },
  async (app, { project }, opts) => {
    const { openProject, parseTimeout } = await import('../cli/open.js');
    const timeoutMs = parseTimeout(opts.timeout ?? DEFAULT_TIMEOUT);
    const { names, target } = await openProject(app, project, { command: 'sleep', requireSettings: false });
    const p = names.release;
    const { confirmOrRefuse } = await import('../ui/prompts.js');
    const confirm = () =>
      confirmOrRefuse(app.prompter, `Put ${p} to sleep now (its tmux session ends)?`, {
        yes: app.globals.yes,
        refusal: `not putting ${p} to sleep`,
        hint: `detach and save your work, then \`rgsd sleep ${p} --yes\``,
      });
    const discardWork = Boolean(opts.discardWork);
    if (!app.prompter.interactive && !discardWork && !app.globals.dryRun) await confirm();
    const ops = await import('../ops/sleep.js');
    const state = await ops.sleepState(app, target, names);
    if (state.replicas === 0) {
      app.out.info(
        `${p} is already asleep${state.since ? ` (since ${state.since})` : ''}; \`rgsd up ${p}\` or \`rgsd connect ${p}\` wakes it`,
      );
      return;
    }
    const { guardWork } = await import('../cli/guard.js');
    const guard = await guardWork(app, target, names, {
      action: 'stop',
      verb: 'sleep',
      discardWork,
      retry: `rgsd sleep ${p} --yes`,
      showOnly: app.globals.dryRun,
    });
    if (app.globals.dryRun) {
      app.out.success(`dry run: would scale deployment/${names.deployment} to 0 and wait for its pod to go; nothing was changed`);
      return;
    }
    if (app.prompter.interactive && !guard.confirmed) await confirm();
    const spin = app.out.spinner(`putting ${p} to sleep (waiting for its pod to stop, up to ${goDuration(timeoutMs)})`);
    try {
      await ops.putToSleep(app, target, names, timeoutMs);
    } catch (err) {
      spin.fail(`${p} did not go to sleep`);
      throw err;
    }
    spin.succeed(`${p} is asleep (0 replicas; the home volume is kept)`);
    app.out.info(`wake it: rgsd up ${p}  or  rgsd connect ${p}`);
  },
);
