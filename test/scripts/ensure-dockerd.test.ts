// scripts/ensure-dockerd with stand-ins for docker and dockerd (the image and e2e suites run it
// against the real engine): it starts the daemon once, retries once, reports the log tail
// when the daemon dies or hangs, and leaves no daemon of its own behind on failure.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REPO, Root } from './harness.js';

const SCRIPT = join(REPO, 'scripts', 'ensure-dockerd');

let root: Root;
let dir: string; // state the stand-ins share: `up` (engine answers), `starts` (daemon runs)
let daemon: string; // a unique name, so pgrep never sees another test's (or the real) daemon
let started: number[];

beforeEach(() => {
  root = new Root();
  dir = root.dir;
  daemon = `fakedk${Math.random().toString(36).slice(2, 8)}`;
  started = [];
  // `docker info` answers once the stand-in daemon has written $STATE/up.
  root.fakeBin('docker', `[ "$1" = info ] && [ -e "${dir}/up" ]`);
});

afterEach(async () => {
  for (const pid of [...started, ...pids()]) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await root.cleanup();
});

/**
 * The stand-in daemon: counts its starts, then runs `behaviour`. A direct `#!/bin/bash` (not
 * fakeBin's `env bash`) keeps the script's own name as the process name that pgrep matches.
 */
function fakeDaemon(behaviour: string): void {
  const path = join(root.bin, daemon);
  writeFileSync(path, `#!/bin/bash\necho start >>"${dir}/starts"\n${behaviour}\n`, { mode: 0o755 });
}

/** Keeps the stand-in running under its own name (pgrep finds it) until SIGTERM. */
const serve = 'trap \'kill $!; exit 0\' TERM; sleep 300 & wait';

function pids(): number[] {
  const r = spawnSync('pgrep', ['-x', daemon], { encoding: 'utf8' });
  return r.stdout.split('\n').filter(Boolean).map(Number);
}

const starts = (): number => (existsSync(join(dir, 'starts')) ? readFileSync(join(dir, 'starts'), 'utf8').split('\n').filter(Boolean).length : 0);

function run(env: Record<string, string> = {}): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(SCRIPT, [], {
    encoding: 'utf8',
    timeout: 60_000,
    env: root.env({
      RGSD_DOCKERD: join(root.bin, daemon),
      RGSD_DOCKERD_LOG: join(dir, 'dockerd.log'),
      RGSD_DOCKERD_PIDFILE: join(dir, 'docker.pid'),
      RGSD_DOCKERD_TIMEOUT: '5',
      ...env,
    }),
  });
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
    fakeDaemon(`sleep 0.5; : >"${dir}/up"; ${serve}`);
    const r = run();
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^started \d+\n$/);
    expect(starts()).toBe(1);
    // The printed pid is the daemon itself, still running after the script returned.
    expect(pids()).toEqual([started[0]]);
    expect(readFileSync(join(dir, 'dockerd.log'), 'utf8')).toContain('=== ensure-dockerd: attempt 1');
  });

  it('waits for a daemon that is already starting instead of starting a second one', () => {
    fakeDaemon(`sleep 1; : >"${dir}/up"; ${serve}`);
    const first = spawnSync('bash', ['-c', `setsid "${join(root.bin, daemon)}" </dev/null >/dev/null 2>&1 & echo $!`], { encoding: 'utf8' });
    started.push(Number(first.stdout.trim()));
    const r = run();
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('running\n');
    expect(r.stderr).toContain('is running; waiting');
    expect(starts()).toBe(1);
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
    fakeDaemon(serve);
    const r = run({ RGSD_DOCKERD_TIMEOUT: '1' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('the engine did not answer within 1s (attempt 2); stopping dockerd');
    expect(starts()).toBe(2);
    expect(pids()).toEqual([]);
  });

  it('removes a stale pid file whose process is not a dockerd', () => {
    fakeDaemon(`sleep 0.3; : >"${dir}/up"; ${serve}`);
    writeFileSync(join(dir, 'docker.pid'), String(process.pid));
    const r = run();
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain(`removing stale ${join(dir, 'docker.pid')} (pid ${process.pid} is not a dockerd)`);
    expect(existsSync(join(dir, 'docker.pid'))).toBe(false);
  });

  it('rejects a bad timeout before starting anything', () => {
    fakeDaemon('exit 0');
    const r = run({ RGSD_DOCKERD_TIMEOUT: '2m' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/error: RGSD_DOCKERD_TIMEOUT must be a whole number of seconds, got '2m'\n.*hint: /);
    expect(starts()).toBe(0);
  });
});
