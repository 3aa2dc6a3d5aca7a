// `rgsd logs`: `kubectl logs deployment/<fullname> -c workstation|init-home`, streamed
// straight to the terminal (stdio inherited, so -f follows live and nothing is buffered).
import type { App } from '../core/app.js';
import { RgsdError, UsageError } from '../core/errors.js';
import { kubectlArgs, type Target } from '../core/kube.js';
import type { ProjectNames } from '../core/names.js';
import { openProject } from './project.js';

export interface LogsOptions {
  follow?: boolean;
  tail?: string;
  previous?: boolean;
  init?: boolean;
}

export function logsArgs(t: Target, names: ProjectNames, opts: LogsOptions): string[] {
  const args = ['logs', `deployment/${names.deployment}`, '-c', opts.init ? 'init-home' : names.container];
  if (opts.follow) args.push('-f');
  if (opts.tail !== undefined) args.push(`--tail=${parseTail(opts.tail)}`);
  if (opts.previous) args.push('--previous');
  return kubectlArgs(t, ...args);
}

function parseTail(text: string): number {
  if (!/^\d+$/.test(text.trim())) throw new UsageError(`--tail "${text}" is not a number of lines`, { hint: 'e.g. --tail 200' });
  return Number(text.trim());
}

export async function logs(app: App, projectArg: string | undefined, opts: LogsOptions): Promise<void> {
  if (opts.tail !== undefined) parseTail(opts.tail); // bad input fails before anything runs
  const { project, names, target } = await openProject(app, projectArg, { command: 'logs', requireSettings: false });
  const res = await app.runner.run(app.tools.kubectl, logsArgs(target, names, opts), { interactive: true, allowFailure: true });
  if (res.exitCode !== 0) {
    throw new RgsdError(`kubectl logs failed (exit ${res.exitCode}); its message is above`, {
      hint: `check \`rgsd status ${project}\`; not deployed yet? \`rgsd up ${project}\`${opts.previous ? '; --previous needs a container that restarted' : ''}`,
    });
  }
}
