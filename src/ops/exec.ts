// `rgsd exec` and `rgsd shell`: ONE call,
//   kubectl exec [-i|-it] deployment/<fullname> -c workstation --pod-running-timeout=10s -- <command…>
// with the terminal passed straight through (stdin, stdout and stderr inherited, so the output
// is byte-exact), marked as a change (an exec can change anything: --dry-run prints it and runs
// nothing). kubectl exits with the remote command's status, and with 1 for its own errors;
// only after a 1 does one pod list tell the two apart (no pod, not running, crashing: a typed
// error with a hint; otherwise the 1 was the command's and passes on).
import { kubectl, type Target } from '../cluster/gateway.js';
import { taskExecArgs } from '../cluster/tasks.js';
import { isRunning } from '../cluster/workload.js';
import type { App } from '../core/app.js';
import { ChildExitError, ClusterUnreachableError, NotFoundError, RefusedError, RgsdError, isInterrupt } from '../core/errors.js';
import type { ProjectNames } from '../core/names.js';
import { connectPods, crashError, crashOf, notRunningError } from './connect.js';
import { refuseIfAsleep } from './sleep.js';

export interface ExecRequest {
  /** the argv to run in the pod, as given (no shell unless it is one) */
  command: readonly string[];
  /** pass this process's stdin (`kubectl exec -i`) */
  stdin: boolean;
  /** allocate a terminal (`-it`: kubectl allocates one only with stdin) */
  tty: boolean;
  /** run the command in this directory (kubectl exec cannot: through `sh`, argv kept an array) */
  workdir?: string | undefined;
}

/** `cd` to $1, then exec the rest: the directory and the command stay separate words. */
export const WORKDIR_SCRIPT = 'cd -- "$1" || exit 1; shift; exec "$@"';

/** A login shell in the workspace ($RGSD_WORKSPACE, else the home), with $1 as TERM when given
 * (kubectl exec does not pass it); the shell the image's attach opens ($RGSD_LOGIN_SHELL, zsh, bash). */
export const SHELL_SCRIPT =
  'w=${RGSD_WORKSPACE:-$HOME}; [ -d "$w" ] || w=$HOME; cd -- "$w" || exit 1; ' +
  '[ -z "$1" ] || export TERM="$1"; ' +
  's=${RGSD_LOGIN_SHELL:-$(command -v zsh || command -v bash || echo sh)}; exec "$s" -l';

/** The in-pod argv of a request (`sh -c WORKDIR_SCRIPT sh DIR cmd…` with --workdir). */
export function execCommand(req: ExecRequest): string[] {
  return req.workdir === undefined ? [...req.command] : ['sh', '-c', WORKDIR_SCRIPT, 'sh', req.workdir, ...req.command];
}

/** kubectl's arguments for a request. */
export function execArgsOf(names: ProjectNames, req: ExecRequest): string[] {
  return taskExecArgs(names, execCommand(req), req.stdin, req.tty);
}

/** `rgsd shell`'s request: the login shell with a terminal. */
export function shellRequest(term: string | undefined): ExecRequest {
  return { command: ['sh', '-c', SHELL_SCRIPT, 'sh', term ?? ''], stdin: true, tty: true };
}

/** The one call, with the terminal passed through; resolves with kubectl's exit status. */
export async function runExec(app: App, target: Target, names: ProjectNames, req: ExecRequest): Promise<number> {
  return (await kubectl(app, target, execArgsOf(names, req), { interactive: true, allowFailure: true, mutates: true })).exitCode;
}

/** After kubectl exited 1 (its own errors, or the command's 1): one pod list. The error when
 * kubectl could not reach a running workstation (no pod, not running, going away, crashing,
 * the cluster unreachable); null when the pod runs: the 1 was the command's. */
export async function explainExit1(app: App, target: Target, project: string, names: ProjectNames): Promise<RgsdError | null> {
  let pods: Awaited<ReturnType<typeof connectPods>>;
  try {
    pods = await connectPods(app, target, names.selector);
  } catch (err) {
    if (err instanceof ClusterUnreachableError) return err;
    if (err instanceof RgsdError && !isInterrupt(err)) return null;
    throw err;
  }
  const [best] = pods;
  if (!best) {
    // asleep (0 replicas): say so and how to wake it, rather than "no pod"
    const asleep = await refuseIfAsleep(app, target, names, 'nothing runs to exec into').then(
      () => null,
      (err: unknown) => (err instanceof RefusedError ? err : null),
    );
    if (asleep) return asleep;
    return new NotFoundError(
      `${project} has no workstation pod in namespace ${target.namespace} (context ${target.context}): not deployed, or not started yet`,
      { hint: `\`rgsd status ${project}\` shows it; \`rgsd up ${project}\` starts it` },
    );
  }
  if (best.terminating) {
    return new RgsdError(`the pod ${best.name} of ${project} is going away (deleted or replaced)`, {
      hint: `try again once its replacement runs; \`rgsd status ${project}\` shows its pods`,
    });
  }
  if (!isRunning(best)) return notRunningError(project, best);
  const w = crashOf(best);
  return w ? crashError(project, best, w) : null;
}

/** kubectl's status becomes rgsd's: 0 returns; 1 is explained when kubectl did not reach a
 * running workstation (explainExit1); any other status, and a 1 the pod ran, passes on
 * silently (the command already spoke on stderr). */
export async function passExit(app: App, target: Target, project: string, names: ProjectNames, status: number): Promise<void> {
  if (status === 0) return;
  if (status === 1) {
    const why = await explainExit1(app, target, project, names);
    if (why) throw why;
  }
  throw new ChildExitError('kubectl exec', status);
}
