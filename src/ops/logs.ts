// `rgsd logs`: `kubectl logs deployment/<fullname> -c workstation|init-home`, streamed
// straight to the terminal (stdio inherited, so -f follows live and nothing is buffered).
import type { Target } from '../cluster/gateway.js';
import { streamLogs, type LogsOptions } from '../cluster/workload.js';
import type { App } from '../core/app.js';
import { RgsdError } from '../core/errors.js';
import type { ProjectNames } from '../core/names.js';

export type { LogsOptions };

/** Streams the logs; kubectl already printed why it failed, so a failure adds only a hint. */
export async function logs(app: App, t: Target, names: ProjectNames, opts: LogsOptions): Promise<void> {
  const exitCode = await streamLogs(app, t, names, opts);
  if (exitCode !== 0) {
    const p = names.release;
    const previous = opts.previous ? '; --previous needs a container that restarted' : '';
    throw new RgsdError(`kubectl logs failed (exit ${exitCode}); its message is above`, {
      hint: `check \`rgsd status ${p}\`; not deployed yet? \`rgsd up ${p}\`${previous}`,
    });
  }
}
