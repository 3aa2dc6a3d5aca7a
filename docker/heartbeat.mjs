// rgsd idle heartbeat (ARCHITECTURE.md "Idle sleep"): what uses the workstation right now,
// written by the monitor (docker/monitor.mjs) every interval to $RGSD_IDLE_DIR/heartbeat.json
// when idle sleep is on, and read by the idle-watcher sidecar (docker/idle-watcher), which
// holds the only API token and scales the Deployment to 0 after idle.sleepAfter of "not busy".
//
//   {"schemaVersion":1,"epoch":<seconds>,"busy":<bool>,"reasons":["task t-… running", …]}
//
// Busy is any of: a tmux client attached; a `kubectl exec` session (a process whose parent is
// outside the container's PID namespace, PPID 0, older than RGSD_IDLE_EXEC_MIN_AGE seconds so
// that probes and rgsd's own short status calls do not count); a port-forward connection (an
// established loopback connection on a listening port: kubelet dials the pod's localhost);
// a VS Code client (the server the tunnel starts for a connected editor); an agent pane that
// is working; a task that runs. Reasons are stable strings (no ages): the watcher logs a change.
// Dependency-free ESM, Node 20 and 22; /proc is RGSD_PROC_DIR (tests point it at a fake tree).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeAtomic } from './status.mjs';

const FINAL = new Set(['succeeded', 'failed', 'refused', 'timed-out', 'stopped', 'lost']);
const CLK_TCK = 100; // Linux's USER_HZ on every architecture the image is built for
const VSCODE_SERVER = /\/\.vscode(-server)?\/cli\/servers\/|\/\.vscode-server\/bin\//;

export function heartbeatConfig(env = process.env) {
  const minAge = Number(env.RGSD_IDLE_EXEC_MIN_AGE);
  return {
    idleDir: env.RGSD_IDLE_DIR || null,
    procDir: env.RGSD_PROC_DIR || '/proc',
    execMinAge: Number.isFinite(minAge) && env.RGSD_IDLE_EXEC_MIN_AGE !== '' ? minAge : 5,
  };
}

const read = (path) => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
};

/** /proc/<pid>/stat: ppid and start time (clock ticks after boot); the name may hold spaces. */
function parseStat(text) {
  const close = text.lastIndexOf(')');
  if (close < 0) return null;
  const f = text.slice(close + 2).split(' ');
  // f[0] is field 3 (state): ppid is field 4, starttime field 22
  return { ppid: Number(f[1]), start: Number(f[19]) };
}

/** The processes of this PID namespace: pid, ppid, age in seconds, argv. */
export function listProcesses(procDir) {
  const uptime = Number((read(join(procDir, 'uptime')) ?? '').split(' ')[0]);
  let names = [];
  try {
    names = readdirSync(procDir).filter((n) => /^\d+$/.test(n));
  } catch {
    return [];
  }
  const out = [];
  for (const n of names) {
    const stat = read(join(procDir, n, 'stat'));
    const st = stat ? parseStat(stat) : null;
    if (!st) continue;
    const argv = (read(join(procDir, n, 'cmdline')) ?? '').split('\0').filter(Boolean);
    out.push({ pid: Number(n), ppid: st.ppid, age: Number.isFinite(uptime) ? uptime - st.start / CLK_TCK : 0, argv });
  }
  return out;
}

/** `kubectl exec` sessions: PPID 0 (the runtime started them from outside), not PID 1, not a
 * kernel thread (no argv), at least minAge seconds old. */
export function execSessions(procs, minAge) {
  return procs.filter((p) => p.ppid === 0 && p.pid !== 1 && p.argv.length > 0 && p.age >= minAge);
}

const hexPort = (addr) => Number.parseInt(addr.split(':')[1] ?? '', 16);
const LOOPBACK = new Set(['0100007F', '00000000000000000000000001000000', '0000000000000000FFFF00000100007F']);

/** Ports with an established loopback connection to a listening socket (port-forwards). */
export function forwardedPorts(procDir) {
  const listen = new Set();
  const established = [];
  for (const file of ['tcp', 'tcp6']) {
    const text = read(join(procDir, 'net', file));
    if (!text) continue;
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 4) continue;
      const [local, remote, st] = [f[1], f[2], f[3]];
      if (st === '0A') listen.add(hexPort(local));
      else if (st === '01' && LOOPBACK.has(remote.split(':')[0] ?? '')) established.push(hexPort(local));
    }
  }
  return [...new Set(established.filter((p) => listen.has(p)))].sort((a, b) => a - b);
}

/** Tasks that run (or start): a record not final whose runner lives, or younger than a minute. */
export function runningTasks(tasks, procDir, now) {
  return tasks.filter((t) => {
    if (!t || FINAL.has(t.state)) return false;
    if (t.state === 'starting' && now - Date.parse(t.started) / 1000 < 60) return true;
    const argv = (read(join(procDir, String(t.runnerPid), 'cmdline')) ?? '').split('\0');
    return Number.isInteger(t.runnerPid) && argv.includes(t.id);
  });
}

/** The reasons the workstation is in use (empty: idle). `panes` carry their computed state. */
export function busyReasons({ clients, panes, tasks, procs, ports, execMinAge, now, procDir }) {
  const reasons = [];
  if (clients.length) reasons.push(`tmux client attached (${clients.length})`);
  for (const p of panes) {
    if (p.agent && p.state === 'working') reasons.push(`agent ${p.agent} working in ${p.session}:${p.window}`);
  }
  for (const t of runningTasks(tasks, procDir, now)) reasons.push(`task ${t.id} running`);
  for (const p of execSessions(procs, execMinAge)) reasons.push(`exec session: ${p.argv.join(' ').slice(0, 60)} (pid ${p.pid})`);
  for (const port of ports) reasons.push(`port-forward connection to port ${port}`);
  if (procs.some((p) => VSCODE_SERVER.test(p.argv.join(' ')))) reasons.push('VS Code client connected (tunnel server running)');
  return reasons;
}

/** Writes the heartbeat; returns the document. */
export function writeHeartbeat(idleDir, reasons, now) {
  const doc = { schemaVersion: 1, epoch: Math.floor(now), busy: reasons.length > 0, reasons };
  writeAtomic(join(idleDir, 'heartbeat.json'), `${JSON.stringify(doc)}\n`);
  return doc;
}
