// The attach: `rgsd connect`'s one cluster call,
//   kubectl exec -it deployment/<fullname> -c workstation --pod-running-timeout=5s -- /opt/rgsd/attach …
// The in-pod script (docker/attach) picks the session (named, configured, the only one, tmux's
// chooser, or a login shell when none runs), starts `--new` sessions in the workspace, and
// refuses a pod that is shutting down. It exits with codes of its own (ATTACH_EXIT), which
// kubectl passes on; kubectl's own errors are exit 1.
import { CONTAINER, IN_POD } from '../core/vocab.js';
import { kubectl, type Gateway, type Target } from './gateway.js';

/** docker/attach's own exit codes (kubectl uses 1 for its errors). */
export const ATTACH_EXIT = {
  /** an unknown option or a bad value: the image's attach and this CLI disagree */
  usage: 80,
  /** the session given with --session does not run (attach listed the running ones) */
  noSession: 81,
  /** the pod is shutting down ($RGSD_RUN_DIR/terminating): try again */
  terminating: 82,
  /** tmux does not answer in the pod */
  tmux: 83,
  /** the container could not run /opt/rgsd/attach (an image older than the script) */
  cannotRun: 126,
  notFound: 127,
} as const;

/** How long kubectl waits for a pod of the Deployment when none exists (its default: 60s). */
export const ATTACH_POD_WAIT = '5s';

export interface AttachRequest {
  /** a session by name (it must run) */
  session?: string | undefined;
  /** new-or-existing session, started in the workspace */
  newSession?: string | undefined;
  /** tmux control mode (-CC) */
  iterm?: boolean | undefined;
  /** the local terminal type (kubectl exec does not pass TERM) */
  term?: string | undefined;
  /** the local window size, for a pty that starts at 0x0 */
  size?: { columns: number; rows: number } | undefined;
}

/** The in-pod command: `/opt/rgsd/attach [--session S | --new N] [--iterm] [--term T] [--size CxR]`. */
export function attachCommand(how: AttachRequest): string[] {
  const args: string[] = [IN_POD.attach];
  if (how.newSession) args.push('--new', how.newSession);
  else if (how.session) args.push('--session', how.session);
  if (how.iterm) args.push('--iterm');
  if (how.term) args.push('--term', how.term);
  if (how.size && how.size.columns > 0 && how.size.rows > 0) args.push('--size', `${how.size.columns}x${how.size.rows}`);
  return args;
}

/** `exec -it <deployment/x or pod> -c workstation [--pod-running-timeout] -- /opt/rgsd/attach …`. */
export function attachArgs(podOrRef: string, how: AttachRequest): string[] {
  const wait = podOrRef.includes('/') ? [`--pod-running-timeout=${ATTACH_POD_WAIT}`] : [];
  return ['exec', '-it', podOrRef, '-c', CONTAINER.workstation, ...wait, '--', ...attachCommand(how)];
}

/** The attach with the terminal passed straight through; resolves with kubectl's exit status. */
export async function runAttach(gw: Gateway, t: Target, podOrRef: string, how: AttachRequest): Promise<number> {
  return (await kubectl(gw, t, attachArgs(podOrRef, how), { interactive: true, allowFailure: true })).exitCode;
}
