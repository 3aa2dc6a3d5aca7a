// A Docker engine for the suites that need one (image, e2e), through scripts/ensure-dockerd:
// one way to start dockerd, with its log tail in the error when it cannot.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const SCRIPT = join(resolve(import.meta.dirname, '..', '..'), 'scripts', 'ensure-dockerd');

/**
 * Ensures an engine answers. Returns a stop function that stops dockerd again only when this
 * call started it, and waits until it has exited so the next suite never races its shutdown.
 */
export function ensureDockerd(): () => Promise<void> {
  const r = spawnSync(SCRIPT, [], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`scripts/ensure-dockerd failed (exit ${r.status}):\n${r.stderr}`);
  if (r.stderr) process.stderr.write(r.stderr);
  const started = /^started (\d+)$/m.exec(r.stdout);
  if (!started) return async () => {};
  const pid = Number(started[1]);
  return async () => {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      return; // already gone
    }
    const deadline = Date.now() + 30_000;
    while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
  };
}

/** True while the process runs (a zombie waiting for its reaper has exited). */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}
