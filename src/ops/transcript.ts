// `rgsd transcript`: one `kubectl exec deployment/<fullname> … /opt/rgsd/transcript show …`
// whose output streams straight to the terminal (the pod renders the agent's own session log,
// or the pane's screen log); `-f` keeps it open until Ctrl-C.
import { kubectl, type Target } from '../cluster/gateway.js';
import { STATUS_POD_WAIT } from '../cluster/podstate.js';
import { notDeployed } from '../cluster/workload.js';
import type { App } from '../core/app.js';
import type { ProjectNames } from '../core/names.js';
import { CONTAINER, IN_POD } from '../core/vocab.js';

export interface TranscriptOptions {
  /** a pane id (%3), a window (main:0) or a task id; the pod picks the agent's pane without one */
  target?: string | undefined;
  sinceSeconds?: number | undefined;
  follow: boolean;
  raw: boolean;
}

export function transcriptArgs(names: ProjectNames, o: TranscriptOptions): string[] {
  const show = [
    IN_POD.transcript,
    'show',
    ...(o.target ? [o.target] : []),
    ...(o.sinceSeconds === undefined ? [] : ['--since', String(o.sinceSeconds)]),
    ...(o.follow ? ['--follow'] : []),
    ...(o.raw ? ['--raw'] : []),
  ];
  return ['exec', `deployment/${names.deployment}`, '-c', CONTAINER.workstation, `--pod-running-timeout=${STATUS_POD_WAIT}`, '--', ...show];
}

/** Streams the transcript to this process's stdout/stderr; resolves with the exit code. */
export async function streamTranscript(app: App, target: Target, names: ProjectNames, o: TranscriptOptions): Promise<number> {
  try {
    return (await kubectl(app, target, transcriptArgs(names, o), { interactive: true, allowFailure: true })).exitCode;
  } catch (err) {
    throw notDeployed(err, names, target);
  }
}
