// Idle sleep's two in-pod halves: the heartbeat the monitor writes (docker/heartbeat.mjs, run
// by the real docker/monitor against a private tmux server; exec sessions and port-forwards
// against a fake /proc tree, which is the only place a PPID-0 process exists outside a
// container) and the idle-watcher (docker/idle-watcher) against a fake API server: it never
// sleeps a busy or unseen workstation, sleeps an idle one through the scale subresource with
// the token, records the time in the ConfigMap, retries a refused call and stops on SIGTERM.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
// @ts-expect-error: the in-image module is plain ESM without types
import { busyReasons, execSessions, forwardedPorts, listProcesses, runningTasks } from '../../docker/heartbeat.mjs';
import { Root, script, waitUntil } from './harness.js';

let root: Root;
let procTrees = 0;
const children: ChildProcess[] = [];
beforeEach(() => {
  root = new Root();
});
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await root.cleanup();
});

/** A fake /proc: uptime, processes (pid → ppid, start in seconds after boot, argv), tcp tables. */
function fakeProc(uptime: number, procs: Record<number, { ppid: number; start: number; argv: string[] }>, tcp = ''): string {
  const dir = join(root.dir, `proc${++procTrees}`);
  mkdirSync(join(dir, 'net'), { recursive: true });
  writeFileSync(join(dir, 'uptime'), `${uptime}.00 10.00\n`);
  for (const [pid, p] of Object.entries(procs)) {
    mkdirSync(join(dir, pid), { recursive: true });
    // fields 3..22 after "pid (comm)": state ppid pgrp session tty tpgid flags minflt cminflt
    // majflt cmajflt utime stime cutime cstime priority nice threads itrealvalue starttime
    const rest = ['S', p.ppid, 1, 1, 0, -1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 20, 0, 1, 0, p.start * 100, 0];
    writeFileSync(join(dir, pid, 'stat'), `${pid} (${p.argv[0] ?? 'kworker) x'}) ${rest.join(' ')}\n`);
    writeFileSync(join(dir, pid, 'cmdline'), p.argv.length ? `${p.argv.join('\0')}\0` : '');
  }
  const header = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';
  writeFileSync(join(dir, 'net', 'tcp'), header + tcp);
  writeFileSync(join(dir, 'net', 'tcp6'), header);
  return dir;
}

describe('heartbeat detection', () => {
  it('counts kubectl exec sessions (PPID 0, older than the minimum), not PID 1, kernel threads, probes or children', () => {
    const proc = fakeProc(1000, {
      1: { ppid: 0, start: 1, argv: ['tini', '--', '/opt/rgsd/entrypoint'] },
      2: { ppid: 0, start: 1, argv: [] },
      40: { ppid: 0, start: 900, argv: ['sleep', '600'] },
      41: { ppid: 0, start: 998, argv: ['tmux', 'has-session', '-t', '=main'] },
      50: { ppid: 1, start: 10, argv: ['tmux', 'new-session'] },
      51: { ppid: 40, start: 901, argv: ['cat'] },
    });
    const procs = listProcesses(proc);
    expect(procs).toHaveLength(6);
    expect(procs.find((p: { pid: number }) => p.pid === 40)).toMatchObject({ ppid: 0, age: 100, argv: ['sleep', '600'] });
    expect(execSessions(procs, 5).map((p: { pid: number }) => p.pid)).toEqual([40]);
    expect(
      execSessions(procs, 1)
        .map((p: { pid: number }) => p.pid)
        .sort(),
    ).toEqual([40, 41]);
  });

  it('counts a port-forward: an established loopback connection on a listening port, not outbound ones', () => {
    const tcp = [
      '   0: 00000000:0BB8 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 1',
      '   1: 0100007F:0BB8 0100007F:A1B2 01 00000000:00000000 00:00000000 00000000  1000        0 2',
      '   2: 0A000005:C350 8EFA4A2E:01BB 01 00000000:00000000 00:00000000 00000000  1000        0 3',
      '   3: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 4',
      '',
    ].join('\n');
    const proc = fakeProc(10, {}, tcp);
    expect(forwardedPorts(proc)).toEqual([3000]);
    expect(forwardedPorts(fakeProc(10, {}, tcp.split('\n').slice(0, 1).join('\n')))).toEqual([]);
  });

  it('counts a task whose runner lives, or that has just started; not a finished one or one whose runner is gone', () => {
    const proc = fakeProc(100, { 70: { ppid: 1, start: 50, argv: ['node', '/opt/rgsd/task', '_run', 't-live'] } });
    const now = Date.now() / 1000;
    const started = new Date().toISOString();
    const old = new Date(Date.now() - 3_600_000).toISOString();
    const tasks = [
      { id: 't-live', state: 'running', runnerPid: 70, started: old },
      { id: 't-gone', state: 'running', runnerPid: 71, started: old },
      { id: 't-new', state: 'starting', runnerPid: null, started },
      { id: 't-done', state: 'succeeded', runnerPid: 70, started: old },
    ];
    expect(runningTasks(tasks, proc, now).map((t: { id: string }) => t.id)).toEqual(['t-live', 't-new']);
  });

  it('names every kind of use; none is idle', () => {
    const proc = fakeProc(1000, {
      40: { ppid: 0, start: 900, argv: ['bash', '-l'] },
      60: { ppid: 1, start: 10, argv: ['/home/gsd/.vscode/cli/servers/Stable-abc/server/node', 'server-main.js'] },
    });
    const reasons = busyReasons({
      clients: [{ session: 'main' }],
      panes: [
        { session: 'main', window: 0, agent: 'claude', state: 'working' },
        { session: 'main', window: 1, agent: 'claude', state: 'waiting' },
        { session: 'main', window: 2, agent: null, state: 'working' },
      ],
      tasks: [],
      procs: listProcesses(proc),
      ports: [3000],
      execMinAge: 5,
      now: Date.now() / 1000,
      procDir: proc,
    });
    expect(reasons).toEqual([
      'tmux client attached (1)',
      'agent claude working in main:0',
      'exec session: bash -l (pid 40)',
      'port-forward connection to port 3000',
      'VS Code client connected (tunnel server running)',
    ]);
    const none = fakeProc(1000, { 1: { ppid: 0, start: 1, argv: ['tini'] } });
    expect(
      busyReasons({ clients: [], panes: [], tasks: [], procs: listProcesses(none), ports: [], execMinAge: 5, now: 0, procDir: none }),
    ).toEqual([]);
  });
});

describe('the monitor writes the heartbeat (real tmux)', () => {
  const heartbeat = (dir: string) => {
    try {
      return JSON.parse(readFileSync(join(dir, 'heartbeat.json'), 'utf8')) as {
        schemaVersion: number;
        epoch: number;
        busy: boolean;
        reasons: string[];
      };
    } catch {
      return null;
    }
  };

  it('idle with nothing attached; busy while a tmux client is attached and while a task runs', async () => {
    const idleDir = join(root.dir, 'idle');
    const tasksDir = join(root.home, '.rgsd', 'tasks');
    mkdirSync(tasksDir, { recursive: true });
    expect(root.tmux('new-session', '-d', '-s', 'main', '-x', '80', '-y', '20').status).toBe(0);
    // a /proc of this test's own: the machine's processes and loopback connections (a local
    // cluster, say) are not this test's to judge; the task runner is linked in below
    const proc = fakeProc(0, {});
    rmSync(join(proc, 'uptime'));
    symlinkSync('/proc/uptime', join(proc, 'uptime'));
    const monitor = spawn(script('monitor'), [], {
      env: root.env({
        RGSD_IDLE_DIR: idleDir,
        RGSD_MONITOR_INTERVAL: '0.3',
        RGSD_RUN_DIR: join(root.home, '.rgsd', 'run'),
        RGSD_PROC_DIR: proc,
      }),
      stdio: 'ignore',
    });
    children.push(monitor);
    await waitUntil(
      () => heartbeat(idleDir)?.busy === false,
      60_000,
      () => `no idle heartbeat: ${JSON.stringify(heartbeat(idleDir))}`,
    );
    expect(heartbeat(idleDir)).toMatchObject({ schemaVersion: 1, busy: false, reasons: [] });

    // a control-mode client is a real tmux client and needs no terminal
    const client = spawn('tmux', ['-C', 'attach', '-t', 'main'], { env: root.env(), stdio: ['pipe', 'ignore', 'ignore'] });
    children.push(client);
    await waitUntil(
      () => heartbeat(idleDir)?.reasons.includes('tmux client attached (1)') === true,
      60_000,
      () => `the client was not seen: ${JSON.stringify(heartbeat(idleDir))}`,
    );
    client.kill('SIGKILL');
    root.tmux('detach-client', '-a');
    await waitUntil(
      () => heartbeat(idleDir)?.busy === false,
      60_000,
      () => `still busy: ${JSON.stringify(heartbeat(idleDir))}`,
    );

    // a task record whose runner (a process with the id in its argv) is alive
    const runner = spawn('sh', ['-c', 'sleep 600; true', 't-idle1'], { stdio: 'ignore' });
    children.push(runner);
    symlinkSync(`/proc/${runner.pid}`, join(proc, String(runner.pid)));
    writeFileSync(
      join(tasksDir, 't-idle1.json'),
      JSON.stringify({ id: 't-idle1', state: 'running', runnerPid: runner.pid, started: new Date(Date.now() - 600_000).toISOString() }),
    );
    await waitUntil(
      () => heartbeat(idleDir)?.reasons.includes('task t-idle1 running') === true,
      60_000,
      () => `the task was not seen: ${JSON.stringify(heartbeat(idleDir))}`,
    );
    runner.kill('SIGKILL');
    await waitUntil(
      () => heartbeat(idleDir)?.busy === false,
      60_000,
      () => `still busy: ${JSON.stringify(heartbeat(idleDir))}`,
    );
  });
});

interface Call {
  method: string;
  url: string;
  auth: string;
  type: string;
  body: unknown;
}

class FakeApi {
  calls: Call[] = [];
  refuse = 0; // answer this many calls with 403 first
  private server: Server = createServer((req: IncomingMessage, res) => {
    let text = '';
    req.on('data', (c) => {
      text += c;
    });
    req.on('end', () => {
      this.calls.push({
        method: req.method ?? '',
        url: req.url ?? '',
        auth: String(req.headers.authorization ?? ''),
        type: String(req.headers['content-type'] ?? ''),
        body: JSON.parse(text || 'null'),
      });
      if (this.refuse > 0) {
        this.refuse--;
        res.writeHead(403, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ kind: 'Status', message: 'forbidden: no scale for you' }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  async start(): Promise<string> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  close(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }
}

describe('idle-watcher', () => {
  let api: FakeApi;
  let base: string;
  let idleDir: string;
  let saDir: string;
  beforeEach(async () => {
    api = new FakeApi();
    base = await api.start();
    idleDir = join(root.dir, 'idle');
    saDir = join(root.dir, 'sa');
    mkdirSync(idleDir, { recursive: true });
    mkdirSync(saDir, { recursive: true });
    writeFileSync(join(saDir, 'token'), 'tok-e2e-1\n');
  });
  afterEach(() => api.close());

  const beat = (busy: boolean, reasons: string[] = [], epoch = Date.now() / 1000) =>
    writeFileSync(join(idleDir, 'heartbeat.json'), JSON.stringify({ schemaVersion: 1, epoch: Math.floor(epoch), busy, reasons }));

  function watcher(extra: Record<string, string> = {}) {
    let out = '';
    const child = spawn(script('idle-watcher'), [], {
      env: {
        PATH: process.env.PATH,
        RGSD_IDLE_DIR: idleDir,
        RGSD_IDLE_SLEEP_AFTER: '1s',
        RGSD_IDLE_CHECK_EVERY: '1s',
        RGSD_DEPLOYMENT: 'demo-rgsd',
        RGSD_IDLE_CONFIGMAP: 'demo-rgsd-idle',
        RGSD_NAMESPACE: 'rgsd',
        RGSD_SA_DIR: saDir,
        RGSD_IDLE_API: base,
        RGSD_IDLE_INSECURE_TEST: '1',
        ...extra,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (c) => {
      out += c;
    });
    child.stderr?.on('data', (c) => {
      out += c;
    });
    children.push(child);
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    return { child, log: () => out, exited };
  }

  it('never sleeps a busy workstation or one without a heartbeat; sleeps an idle one through scale, then records the time', async () => {
    const w = watcher();
    await waitUntil(() => w.log().includes('busy: no heartbeat from the workstation yet'), 60_000, w.log);
    beat(true, ['task t-1 running']);
    await waitUntil(() => w.log().includes('busy: task t-1 running'), 60_000, w.log);
    // an old heartbeat is as good as none
    beat(false, [], Date.now() / 1000 - 3600);
    await waitUntil(() => /busy: the workstation's heartbeat is stale/.test(w.log()), 60_000, w.log);
    expect(api.calls).toEqual([]);

    beat(false);
    await waitUntil(() => api.calls.length >= 2 && w.log().includes('asleep: scaled deployment/demo-rgsd to 0'), 60_000, w.log);
    expect(w.log()).toMatch(/idle since \S+: sleeps at \S+ unless something uses it/);
    const [scale, record] = api.calls;
    expect(scale).toEqual({
      method: 'PATCH',
      url: '/apis/apps/v1/namespaces/rgsd/deployments/demo-rgsd/scale',
      auth: 'Bearer tok-e2e-1',
      type: 'application/merge-patch+json',
      body: { spec: { replicas: 0 } },
    });
    expect(record).toMatchObject({ method: 'PATCH', url: '/api/v1/namespaces/rgsd/configmaps/demo-rgsd-idle', auth: 'Bearer tok-e2e-1' });
    const data = ((record as Call).body as { data: { asleepSince: string; idleSince: string } }).data;
    expect(Date.parse(data.asleepSince) - Date.parse(data.idleSince)).toBeGreaterThanOrEqual(1000);
    expect(api.calls.length).toBe(2); // asleep: it does not scale again and again

    w.child.kill('SIGTERM');
    expect(await w.exited).toBe(0);
    expect(w.log()).toContain('idle-watcher: stopped');
    expect(w.log()).not.toContain('tok-e2e-1');
  });

  it('a refused call is logged once and tried again; the token is read anew for each call', async () => {
    api.refuse = 2;
    beat(false);
    const w = watcher();
    await waitUntil(() => w.log().includes('HTTP 403: forbidden: no scale for you'), 60_000, w.log);
    writeFileSync(join(saDir, 'token'), 'tok-e2e-2\n');
    await waitUntil(() => w.log().includes('asleep: scaled'), 60_000, w.log);
    expect(w.log().match(/warning: could not scale to 0/g)).toHaveLength(1);
    const scales = api.calls.filter((c) => c.url.endsWith('/scale'));
    expect(scales.length).toBe(3);
    expect(scales.at(-1)?.auth).toBe('Bearer tok-e2e-2');
  });

  it('refuses plain http without the test switch, and a bad duration before it starts', async () => {
    beat(false);
    const plain = watcher({ RGSD_IDLE_INSECURE_TEST: '' });
    await waitUntil(() => plain.log().includes('plain http is refused'), 60_000, plain.log);
    expect(api.calls).toEqual([]);
    const bad = watcher({ RGSD_IDLE_SLEEP_AFTER: 'soon' });
    expect(await bad.exited).toBe(2);
    expect(bad.log()).toContain("RGSD_IDLE_SLEEP_AFTER must be a duration such as 30m or 2h (got 'soon')");
  });
});
