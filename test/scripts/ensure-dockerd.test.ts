// scripts/ensure-dockerd with stand-ins for docker and dockerd (the image and e2e suites run it
// against the real engine): it starts the daemon once, retries once, reports the log tail
// when the daemon dies or hangs, and leaves no daemon of its own behind on failure.
//
// No result here depends on how fast the machine is: the stand-ins move on conditions, not on
// time. A daemon comes up only once the script has asked the engine (and heard no) since the
// daemon started, so the script is always caught waiting. The fake `docker info` never says no
// before the daemon of the script's latest attempt has recorded its start, so even a 1-s
// deadline cannot run out (and the script kill the daemon) before the stand-in ran, however
// long a loaded machine takes to start it. The other deadlines are generous bounds that only a
// broken script reaches.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REPO, Root, waitUntil } from './harness.js';

const SCRIPT = join(REPO, 'scripts', 'ensure-dockerd');

let root: Root;
let dir: string; // state the stand-ins share: `up` (engine answers), `starts` (daemon runs), `asked` (docker info calls)
let daemon: string; // a unique name, so pgrep never sees another test's (or the real) daemon
let started: number[]; // pids the script printed as `started <pid>`
let spawned: number[]; // every daemon pid the script or a test started (each leads its own process group)

/** `lines NAME`: how many lines the state file NAME has (0 when missing), for the stand-ins. */
const linesFn = (): string => `lines() { if [ -e "${dir}/$1" ]; then wc -l <"${dir}/$1"; else echo 0; fi; }`;

beforeEach(() => {
  root = new Root();
  dir = root.dir;
  daemon = `fakedk${Math.random().toString(36).slice(2, 8)}`;
  started = [];
  spawned = [];
  // `docker info` answers once the stand-in daemon has written $STATE/up. Before it says no it
  // waits (bounded) until the daemon of every attempt the script logged has recorded its start,
  // and it counts the call only after deciding, so a daemon that comes up "after the next ask"
  // cannot turn that very ask into a yes.
  root.fakeBin(
    'docker',
    [
      '[ "$1" = info ] || exit 2',
      linesFn(),
      `want=$(grep -c '^=== ensure-dockerd: attempt' "${dir}/dockerd.log" 2>/dev/null) || want=0`,
      'for _ in $(seq 600); do [ "$(lines starts)" -ge "$want" ] && break; sleep 0.05; done',
      `rc=1; [ -e "${dir}/up" ] && rc=0`,
      `echo >>"${dir}/asked"`,
      'exit "$rc"',
    ].join('\n'),
  );
});

afterEach(async () => {
  // By process group: a stand-in killed with SIGKILL leaves its `sleep` behind otherwise.
  for (const pid of new Set([...spawned, ...started, ...pids()])) {
    for (const target of [-pid, pid]) {
      try {
        process.kill(target, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  await root.cleanup();
});

/**
 * The stand-in daemon: runs `prelude`, notes how often the engine had been asked, records its
 * start, then runs `behaviour`. A direct `#!/bin/bash` (not fakeBin's `env bash`) keeps the
 * script's own name as the process name that pgrep matches.
 */
function fakeDaemon(behaviour: string, prelude = ''): string {
  const path = join(root.bin, daemon);
  const text = ['#!/bin/bash', linesFn(), prelude, 'asked0=$(lines asked)', `echo start >>"${dir}/starts"`, behaviour, ''];
  writeFileSync(path, text.join('\n'), { mode: 0o755 });
  return path;
}

/** Keeps the stand-in running under its own name (pgrep finds it) until SIGTERM. */
const serve = "trap 'kill $!; exit 0' TERM; sleep 300 & wait";

/** Comes up once the engine has been asked (and said no) after this daemon started, then serves. */
const upAfterNextAsk = (): string => `until [ "$(lines asked)" -gt "$asked0" ]; do sleep 0.05; done; : >"${dir}/up"; ${serve}`;

function pids(): number[] {
  const r = spawnSync('pgrep', ['-x', daemon], { encoding: 'utf8' });
  return r.stdout.split('\n').filter(Boolean).map(Number);
}

const starts = (): number =>
  existsSync(join(dir, 'starts')) ? readFileSync(join(dir, 'starts'), 'utf8').split('\n').filter(Boolean).length : 0;

function run(env: Record<string, string> = {}): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(SCRIPT, [], {
    encoding: 'utf8',
    // Below the suite's 60-s test timeout; only a broken script gets near it.
    timeout: 55_000,
    env: root.env({
      RGSD_DOCKERD: join(root.bin, daemon),
      RGSD_DOCKERD_LOG: join(dir, 'dockerd.log'),
      RGSD_DOCKERD_PIDFILE: join(dir, 'docker.pid'),
      // Generous: the daemons that come up do so as soon as the script has asked once.
      RGSD_DOCKERD_TIMEOUT: '20',
      ...env,
    }),
  });
  for (const m of (r.stderr ?? '').matchAll(/started dockerd \(pid (\d+),/g)) spawned.push(Number(m[1]));
  if (r.error) throw r.error;
  const m = /^started (\d+)$/m.exec(r.stdout);
  if (m) started.push(Number(m[1]));
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe('scripts/ensure-dockerd', () => {
  it('does nothing when an engine already answers', () => {
    writeFileSync(join(dir, 'up'), '');
    fakeDaemon('exit 0');
    const r = run();
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('running\n');
    expect(starts()).toBe(0);
  });

  it('starts the daemon, waits for the engine and prints the pid it can be stopped by', () => {
    fakeDaemon(upAfterNextAsk());
    const r = run();
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^started \d+\n$/);
    expect(starts()).toBe(1);
    // The printed pid is the daemon itself, still running after the script returned.
    expect(pids()).toEqual([started[0]]);
    expect(readFileSync(join(dir, 'dockerd.log'), 'utf8')).toContain('=== ensure-dockerd: attempt 1');
  });

  it('waits for a daemon that is already starting instead of starting a second one', async () => {
    const path = fakeDaemon(upAfterNextAsk());
    const first = spawnSync('bash', ['-c', `setsid "${path}" </dev/null >/dev/null 2>&1 & echo $!`], { encoding: 'utf8' });
    const pid = Number(first.stdout.trim());
    spawned.push(pid);
    // Once it has recorded its start it runs under its own name, where pgrep finds it; it comes
    // up only after the script's first `docker info`, so the script finds it still starting.
    await waitUntil(
      () => starts() === 1,
      30_000,
      () => 'the stand-in daemon never started',
    );
    const r = run();
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('running\n');
    expect(r.stderr).toContain(`dockerd (pid ${pid}) is running; waiting`);
    expect(starts()).toBe(1);
    expect(pids()).toEqual([pid]);
  });

  it('retries a daemon that dies, then fails with its log tail and a hint', () => {
    fakeDaemon('echo "failed to start daemon: iptables is broken here" >&2; exit 1');
    const r = run();
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(starts()).toBe(2);
    expect(r.stderr).toContain('dockerd exited before the engine answered (attempt 2)');
    expect(r.stderr.match(/\| failed to start daemon: iptables is broken here/g)?.length).toBeGreaterThanOrEqual(1);
    expect(r.stderr).toMatch(/error: dockerd did not come up after 2 attempts\n.*hint: read .*dockerd\.log/);
  });

  it('stops a daemon that never answers and leaves none behind', () => {
    // Notes when SIGTERM came (its trap is set before it records its start, so it is in place
    // before the script can give up), then stops like dockerd.
    fakeDaemon('sleep 300 & wait', `trap 'echo "$EPOCHREALTIME" >>"${dir}/termed"; kill $!; exit 0' TERM`);
    const r = run({ RGSD_DOCKERD_TIMEOUT: '1' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('the engine did not answer within 1s (attempt 1); stopping dockerd');
    expect(r.stderr).toContain('the engine did not answer within 1s (attempt 2); stopping dockerd');
    expect(starts()).toBe(2);
    expect(pids()).toEqual([]);
    // Each attempt waited its whole second: SIGTERM came at least 1 s after the attempt's log
    // line (written before the wait began). A lower bound, so a loaded machine only adds to it.
    const attempts = [...readFileSync(join(dir, 'dockerd.log'), 'utf8').matchAll(/=== ensure-dockerd: attempt \d at (\S+) ===/g)].map((m) =>
      Date.parse(m[1] ?? ''),
    );
    const termed = readFileSync(join(dir, 'termed'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((t) => Number(t.replace(',', '.')) * 1000);
    expect(attempts).toHaveLength(2);
    const waited = termed.map((t, i) => t - (attempts[i] ?? Number.NaN));
    expect(waited).toHaveLength(2);
    for (const ms of waited) expect(ms).toBeGreaterThanOrEqual(1000);
  });

  it('kills a hung daemon that ignores SIGTERM and leaves none behind', () => {
    // Ignores SIGTERM from before it records its start, so the script cannot stop it any other way.
    fakeDaemon('sleep 300 & wait', "trap '' TERM");
    const r = run({ RGSD_DOCKERD_TIMEOUT: '1', RGSD_DOCKERD_STOP_TIMEOUT: '1' });
    expect(r.status).toBe(1);
    expect(r.stderr.match(/dockerd \(pid \d+\) is still running 1s after SIGTERM; killing it/g)).toHaveLength(2);
    expect(starts()).toBe(2);
    expect(pids()).toEqual([]);
  });

  it('removes a stale pid file whose process is not a dockerd', () => {
    fakeDaemon(upAfterNextAsk());
    writeFileSync(join(dir, 'docker.pid'), String(process.pid));
    const r = run();
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain(`removing stale ${join(dir, 'docker.pid')} (pid ${process.pid} is not a dockerd)`);
    expect(existsSync(join(dir, 'docker.pid'))).toBe(false);
  });

  it('rejects a bad timeout before starting anything', () => {
    fakeDaemon('exit 0');
    for (const [name, value] of [
      ['RGSD_DOCKERD_TIMEOUT', '2m'],
      ['RGSD_DOCKERD_STOP_TIMEOUT', '0'],
    ] as const) {
      const r = run({ [name]: value });
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`error: ${name} must be a whole number of seconds, got '${value}'\\n.*hint: `));
    }
    expect(starts()).toBe(0);
  });
});
