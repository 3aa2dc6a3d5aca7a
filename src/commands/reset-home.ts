// `rgsd reset-home [project]` — delete the home's sentinel, then restart so init-home re-seeds.
import { DISCARD_WORK_OPTION } from '../cli/guard.js';
import { defineCommand, projectArg, timeoutOption } from '../cli/spec.js';
import { DEFAULT_TIMEOUT } from '../core/vocab.js';
import { SESSION_ENDS, withRolloutProgress } from './restart.js';

export default defineCommand<{ timeout?: string; discardWork?: boolean }>(
  {
    name: 'reset-home',
    summary: 're-seed the home from the image skeleton on next boot (delete the sentinel) and restart',
    description:
      'Files that exist are never overwritten: only missing skeleton files come back. ' +
      'Asks first (without a terminal it needs --yes), like restart; the work guard looks first, like restart.',
    args: [projectArg()],
    options: [timeoutOption('the pod', DEFAULT_TIMEOUT), DISCARD_WORK_OPTION],
    examples: ['rgsd reset-home myproj', 'rgsd reset-home myproj --yes'],
  },
  async (app, { project }, opts) => {
    const { openProject, parseTimeout } = await import('../cli/open.js');
    const timeoutMs = parseTimeout(opts.timeout ?? DEFAULT_TIMEOUT);
    const { names, target } = await openProject(app, project, { command: 'reset-home', requireSettings: false });
    const p = names.release;
    const seeding = 'files that exist are not overwritten, missing skeleton files come back';
    const { confirmOrRefuse } = await import('../ui/prompts.js');
    const confirm = () =>
      confirmOrRefuse(app.prompter, `Re-seed the home of ${p} and restart now?`, {
        yes: app.globals.yes,
        refusal: `not resetting the home of ${p}`,
        hint: `re-run with --yes: \`rgsd reset-home ${p} --yes\``,
      });
    // without a terminal, a missing --yes is refused before anything is asked of the cluster
    const discardWork = Boolean(opts.discardWork);
    app.out.warn(`reset-home re-seeds the home of ${p} from the image skeleton on the next boot: ${seeding}; ${SESSION_ENDS}`);
    if (!app.prompter.interactive && !discardWork) await confirm();
    const { guardWork } = await import('../cli/guard.js');
    const guard = await guardWork(app, target, names, { action: 'stop', verb: 'reset', discardWork, retry: `rgsd reset-home ${p} --yes` });
    if (!guard.report.looked && guard.report.deployed)
      await (await import('../ops/sleep.js')).refuseIfAsleep(app, target, names, 'nothing to reset');
    if (app.prompter.interactive && !guard.confirmed) await confirm();
    const { resetHome } = await import('../ops/restart.js');
    await withRolloutProgress(app.out, (onEvent) => resetHome(app, target, names, timeoutMs, onEvent));
    app.out.success(`init-home re-seeded the home of ${p}`);
    app.out.info(`reconnect: rgsd connect ${p}`);
  },
);
