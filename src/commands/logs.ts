// `rgsd logs [project] [-f] [--tail N] [--previous] [--init]`
import { defineCommand, projectArg } from '../cli/spec.js';
import { UsageError } from '../core/errors.js';

interface LogsFlags {
  follow?: boolean;
  tail?: string;
  previous?: boolean;
  init?: boolean;
}

export default defineCommand<LogsFlags>(
  {
    name: 'logs',
    summary: 'logs of the workstation container (or the init-home container)',
    args: [projectArg()],
    options: [
      { flags: '-f, --follow', description: 'stream new lines' },
      { flags: '--tail <lines>', description: 'only the last N lines' },
      { flags: '--previous', description: 'logs of the previous (crashed) container' },
      { flags: '--init', description: 'logs of the init-home container' },
    ],
    examples: ['rgsd logs myproj -f', 'rgsd logs myproj --init', 'rgsd logs myproj --previous --tail 100'],
  },
  async (app, { project }, opts) => {
    // bad input fails before anything runs
    const tail = opts.tail === undefined ? undefined : parseTail(opts.tail);
    const { openProject } = await import('../cli/open.js');
    const { logs } = await import('../ops/logs.js');
    const { names, target } = await openProject(app, project, { command: 'logs', requireSettings: false });
    await logs(app, target, names, {
      follow: Boolean(opts.follow),
      previous: Boolean(opts.previous),
      init: Boolean(opts.init),
      ...(tail === undefined ? {} : { tail }),
    });
  },
);

/** --tail: a whole number of lines (kubectl's -1 "all" is what leaving it out means). */
export function parseTail(text: string): number {
  const t = text.trim();
  if (!/^\d+$/.test(t)) throw new UsageError(`--tail "${text}" is not a whole number of lines`, { hint: 'e.g. --tail 200' });
  return Number(t);
}
