// Docker helpers for the image suite: the real build script, and containers/volumes that
// are always cleaned up. The engine itself comes from test/helpers/dockerd.ts.
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';

export const REPO = resolve(import.meta.dirname, '..', '..');

export interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

export function docker(args: string[], opts: { timeout?: number; input?: string } = {}): Run {
  const r = spawnSync('docker', args, { encoding: 'utf8', timeout: opts.timeout ?? 120_000, input: opts.input });
  if (r.error) throw r.error;
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export function dockerOk(args: string[], opts: { timeout?: number } = {}): string {
  const r = docker(args, opts);
  if (r.status !== 0) throw new Error(`docker ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout.trim();
}

/** scripts/build-image, the same entry point the cluster helper uses. */
export function buildImage(args: string[]): Run {
  const r = spawnSync(join(REPO, 'scripts', 'build-image'), args, { encoding: 'utf8', timeout: 1_700_000, maxBuffer: 256 * 1024 * 1024 });
  if (r.error) throw r.error;
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Names of everything a test creates, removed by cleanup(). */
export class Resources {
  readonly prefix = `rgsd-test-${process.pid}-${Date.now().toString(36)}`;
  private containers: string[] = [];
  private volumes: string[] = [];

  container(suffix: string): string {
    const name = `${this.prefix}-${suffix}`;
    this.containers.push(name);
    return name;
  }

  volume(suffix: string): string {
    const name = `${this.prefix}-${suffix}`;
    this.volumes.push(name);
    return name;
  }

  cleanup(): void {
    for (const c of this.containers) docker(['rm', '-f', c]);
    for (const v of this.volumes) docker(['volume', 'rm', '-f', v]);
  }
}

export async function waitUntil(check: () => boolean, timeoutMs: number, message: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(message());
    await new Promise((r) => setTimeout(r, 250));
  }
}
