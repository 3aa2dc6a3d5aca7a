// `rgsd forward`: kubectl port-forward to the workstation pod, again and again. kubectl's
// port-forward ends on the first broken stream (the pod restarted or was replaced, the
// connection to the API server dropped): each time it ends, rgsd finds the pod again (one pod
// list) and runs it again, with a growing pause, until Ctrl-C. The loop's sleep is injected so
// that tests need no timers. ARCHITECTURE.md "Forward".
import type { Target } from '../cluster/gateway.js';
import { kubectl } from '../cluster/gateway.js';
import { getSleepState } from '../cluster/workload.js';
import type { App } from '../core/app.js';
import { NotFoundError, RefusedError, RgsdError, UsageError, isInterrupt } from '../core/errors.js';
import type { ProjectNames } from '../core/names.js';
import { connectPods, notRunningError } from './connect.js';

export interface PortSpec {
  /** 0: a free local port, chosen by kubectl on the first connection and kept after it */
  local: number;
  remote: number;
}

const PORT = /^(\d{1,5})?(?::(\d{1,5}))?$/;

/** Is this word a port spec (8080, 8080:3000, :3000)? The first word that is not is the project. */
export const isPortWord = (w: string): boolean => PORT.test(w) && w !== '' && w !== ':';

/** "8080" → 8080:8080, "8080:3000", ":3000" (a free local port) → 0:3000. */
export function parsePorts(words: readonly string[], project: string): PortSpec[] {
  if (words.length === 0) {
    throw new UsageError('no port to forward', { hint: `rgsd forward ${project} 3000 (or 8080:3000: local 8080 to the pod's 3000)` });
  }
  const out: PortSpec[] = [];
  for (const w of words) {
    const m = PORT.exec(w);
    const bad = (why: string) =>
      new UsageError(`"${w}" is not a port to forward: ${why}`, {
        hint: 'give <port> or <local>:<remote>, each 1-65535 (":3000" picks a free local port)',
      });
    if (!m || !isPortWord(w)) throw bad('expected <port> or <local>:<remote>');
    const [local, remote] = m[2] === undefined ? [m[1], m[1]] : [m[1] ?? '0', m[2]];
    const l = Number(local);
    const r = Number(remote);
    if (!(r >= 1 && r <= 65535)) throw bad('the pod port must be 1-65535');
    if (!(l >= 0 && l <= 65535) || (m[1] !== undefined && l === 0)) throw bad('the local port must be 1-65535');
    if (l !== 0 && out.some((p) => p.local === l)) {
      throw new UsageError(`local port ${l} is given twice`, { hint: 'each local port can forward to one pod port' });
    }
    out.push({ local: l, remote: r });
  }
  return out;
}

export type ForwardEvent =
  | { kind: 'forwarding'; pod: string; ports: { local: number; remote: number; address: string }[]; reconnect: boolean }
  | { kind: 'connection-error'; text: string }
  | { kind: 'lost'; pod: string; reason: string; retryInMs: number }
  | { kind: 'waiting'; reason: string; retryInMs: number };

/** The pod to forward to: the best pod of the project when it runs. A sleeping project is
 * refused with the way to wake it; no Deployment is "not deployed". `transient` (on a
 * reconnect): a pod that is starting, going away or missing while the Deployment wants one is
 * worth waiting for (returns null). */
export async function findPod(
  app: App,
  t: Target,
  project: string,
  names: ProjectNames,
  transient: boolean,
): Promise<{ pod: string } | { wait: string }> {
  const [best] = await connectPods(app, t, names.selector);
  if (best && !best.terminating && best.phase === 'Running') return { pod: best.name };
  if (!best) {
    const sleep = await getSleepState(app, t, names);
    if (!sleep) {
      throw new NotFoundError(`${project} is not deployed in namespace ${t.namespace} (context ${t.context})`, {
        hint: `start it with \`rgsd up ${project}\``,
      });
    }
    if (sleep.replicas === 0) {
      throw new RefusedError(`${project} is asleep (0 replicas${sleep.since ? ` since ${sleep.since}` : ''}): nothing runs to forward to`, {
        hint: `\`rgsd up ${project}\` wakes it (or \`rgsd connect ${project}\`), then re-run`,
      });
    }
    if (transient) return { wait: 'no pod yet' };
    throw new RgsdError(`${project} has no running pod yet`, { hint: `\`rgsd status ${project}\` shows it; try again once it runs` });
  }
  if (transient) return { wait: best.terminating ? `its pod ${best.name} is going away` : `its pod ${best.name} is ${best.phase}` };
  if (best.terminating) {
    throw new RgsdError(`the pod ${best.name} of ${project} is going away (deleted or replaced)`, {
      hint: `try again once its replacement runs; \`rgsd status ${project}\` shows its pods`,
    });
  }
  throw notRunningError(project, best);
}

/** The argv after `kubectl --context … -n …`. */
export function portForwardArgs(pod: string, ports: readonly PortSpec[], address: string | undefined): string[] {
  return [
    'port-forward',
    `pod/${pod}`,
    ...ports.map((p) => (p.local === 0 ? `:${p.remote}` : `${p.local}:${p.remote}`)),
    ...(address ? ['--address', address] : []),
  ];
}

/** `kubectl wait --for=delete pod/<pod>`: returns (0) once the pod is gone; stopped by rgsd
 * when the forward ends first (the timeout is only a bound: a year). */
export function podGoneArgs(pod: string): string[] {
  return ['wait', '--for=delete', `pod/${pod}`, '--timeout=8760h'];
}

const FORWARDING = /^Forwarding from (\S+):(\d+) -> (\d+)\s*$/;

/** One line-splitter per stream: complete lines go to `onLine`, whatever the chunks. */
function lines(onLine: (line: string) => void): { push(text: string): void } {
  let rest = '';
  return {
    push(text) {
      rest += text;
      for (let nl = rest.indexOf('\n'); nl >= 0; nl = rest.indexOf('\n')) {
        onLine(rest.slice(0, nl).replace(/\r$/, ''));
        rest = rest.slice(nl + 1);
      }
    },
  };
}

export interface ForwardOptions {
  address?: string;
  onEvent: (e: ForwardEvent) => void;
  /** Waits `ms`; resolves false when the forward is to stop. */
  sleep: (ms: number) => Promise<boolean>;
  /** Milliseconds since some origin (the tests' clock). */
  now: () => number;
}

const FIRST_RETRY_MS = 1_000;
const MAX_RETRY_MS = 10_000;
/** A forward that lasted this long was healthy: the next retry starts from the first pause. */
const HEALTHY_MS = 30_000;

/** Forwards until `sleep` says stop; throws when the project cannot be forwarded to at all
 * (not deployed, asleep; on the first try also: not running, a port kubectl cannot bind). */
export async function runForward(
  app: App,
  t: Target,
  project: string,
  names: ProjectNames,
  ports: PortSpec[],
  o: ForwardOptions,
): Promise<void> {
  let current = ports.map((p) => ({ ...p }));
  let retryMs = FIRST_RETRY_MS;
  let connectedOnce = false;
  let sawDeletion = false;
  for (;;) {
    const found = await findPod(app, t, project, names, connectedOnce || sawDeletion);
    if ('wait' in found) {
      o.onEvent({ kind: 'waiting', reason: found.wait, retryInMs: retryMs });
      if (!(await o.sleep(retryMs))) return;
      retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
      continue;
    }
    const pod = found.pod;
    const seen: { local: number; remote: number; address: string }[] = [];
    let announced = false;
    const out = lines((line) => {
      const m = FORWARDING.exec(line);
      if (!m) return;
      seen.push({ address: (m[1] ?? '').replace(/^\[|\]$/g, ''), local: Number(m[2]), remote: Number(m[3]) });
      // kubectl prints one line per address and port: announce once every port has one
      if (!announced && current.every((p) => seen.some((s) => s.remote === p.remote && (p.local === 0 || s.local === p.local)))) {
        announced = true;
        // a free local port chosen now is kept for the reconnects
        current = current.map((p) => (p.local === 0 ? { ...p, local: seen.find((s) => s.remote === p.remote)?.local ?? 0 } : p));
        o.onEvent({ kind: 'forwarding', pod, ports: firstPerPort(seen), reconnect: connectedOnce });
        connectedOnce = true;
      }
    });
    const err = lines((line) => {
      // per-connection errors (nothing listens on the pod port yet): kubectl goes on
      if (/an error occurred forwarding/i.test(line)) o.onEvent({ kind: 'connection-error', text: connectionError(line) });
    });
    const { Writable } = await import('node:stream');
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        out.push(chunk.toString('utf8'));
        cb();
      },
    });
    const started = o.now();
    // kubectl's forward does not notice a deleted pod until a connection fails: a watch of
    // the pod's deletion (kubectl wait, one process, no polling) ends the forward then
    const stopForward = new AbortController();
    const stopWait = new AbortController();
    const deleted = kubectl(app, t, podGoneArgs(pod), { allowFailure: true, signal: stopWait.signal }).then(
      (r) => {
        if (r.exitCode === 0 && !stopWait.signal.aborted) stopForward.abort();
        return r.exitCode === 0 && !stopWait.signal.aborted;
      },
      () => false,
    );
    let res: { exitCode: number; stderr: string };
    try {
      res = await kubectl(app, t, portForwardArgs(pod, current, o.address), {
        allowFailure: true,
        stdoutTo: sink,
        onStderr: (text) => err.push(text),
        signal: stopForward.signal,
      });
    } catch (e) {
      stopWait.abort();
      if (isInterrupt(e) || !(e instanceof RgsdError) || !connectedOnce) throw e;
      res = { exitCode: 1, stderr: e.message };
    }
    const podDeleted = stopForward.signal.aborted;
    sawDeletion ||= podDeleted;
    stopWait.abort();
    await deleted;
    const reason = podDeleted ? `its pod ${pod} was deleted` : (lastError(res.stderr) ?? `kubectl port-forward exited ${res.exitCode}`);
    if (!announced && !connectedOnce && !podDeleted) {
      // never forwarded: a port kubectl could not bind, a pod it could not reach
      throw new RgsdError(`kubectl port-forward to ${pod} failed: ${reason}`, {
        hint: /address already in use|unable to listen/i.test(res.stderr)
          ? 'another program uses that local port: pick another (8081:3000), or ":3000" for a free one'
          : `\`rgsd status ${project}\` shows the pod; -v shows the kubectl command`,
      });
    }
    if (o.now() - started >= HEALTHY_MS) retryMs = FIRST_RETRY_MS;
    o.onEvent({ kind: 'lost', pod, reason, retryInMs: retryMs });
    if (!(await o.sleep(retryMs))) return;
    retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
  }
}

function firstPerPort(seen: { local: number; remote: number; address: string }[]) {
  const byLocal = new Map<number, { local: number; remote: number; address: string }>();
  for (const s of seen) if (!byLocal.has(s.local)) byLocal.set(s.local, s);
  return [...byLocal.values()];
}

/** kubectl's per-connection error in a few words: "nothing listens on port 3000 in the pod". */
export function connectionError(line: string): string {
  const m = /forwarding (\d+) -> (\d+)/.exec(line);
  if (m && /connection refused/i.test(line))
    return `nothing listens on port ${m[2]} in the pod (a connection to local port ${m[1]} failed)`;
  const text = line.replace(/^E\d{4} [\d:.]+\s+\d+ \S+\] /, '').replace(/^"Unhandled Error" err=/, '');
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/** The last `error: …` line of kubectl's stderr (without the prefix), or its last line. */
function lastError(stderr: string): string | null {
  const all = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const errs = all.filter((l) => /^error:/i.test(l));
  const line = errs.at(-1) ?? all.at(-1);
  return line ? line.replace(/^error:\s*/i, '') : null;
}
