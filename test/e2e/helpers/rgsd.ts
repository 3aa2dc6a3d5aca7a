// The built CLI (`node bin/rgsd`, after `npm run build`) as a child process, with a
// throw-away config directory (projects/<p>.yaml + secrets/<p>.env, 0600) and the local
// cluster's kubeconfig. `helm` picks the Helm binary through RGSD_HELM.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { stringify } from 'yaml';
import { E2E_IMAGE } from '../../helpers/version.js';
import { kubeconfig, REPO_ROOT, type CommandResult } from './cluster.js';

export const RGSD_BIN = join(REPO_ROOT, 'bin', 'rgsd');
export type HelmBinary = 'helm' | 'helm3' | 'helm4';

export class ConfigDir {
  readonly dir: string;
  constructor() {
    this.dir = mkdtempSync(join(tmpdir(), 'rgsd-e2e-config-'));
    mkdirSync(join(this.dir, 'projects'));
    mkdirSync(join(this.dir, 'secrets'), { mode: 0o700 });
  }

  /** Settings of a project (no secrets). agent "none": a plain shell in tmux, no API keys
   * needed; the e2e image, whose agents are the fake agent (test/fixtures/fake-agent). */
  writeSettings(project: string, settings: Record<string, unknown> = {}): void {
    const [repository, tag] = E2E_IMAGE.split(':');
    writeFileSync(join(this.dir, 'projects', `${project}.yaml`), stringify({ agent: 'none', image: { repository, tag }, ...settings }));
  }

  /** The secrets file, mode 0600 like `rgsd init` writes it. */
  writeSecrets(project: string, env: Record<string, string>): void {
    const file = join(this.dir, 'secrets', `${project}.env`);
    writeFileSync(
      file,
      Object.entries(env)
        .map(([k, v]) => `${k}=${v}\n`)
        .join(''),
      { mode: 0o600 },
    );
    chmodSync(file, 0o600);
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export interface RgsdOptions {
  helm?: HelmBinary;
  timeoutMs?: number;
}

export function rgsdEnv(config: ConfigDir, helm: HelmBinary = 'helm'): Record<string, string> {
  return { RGSD_CONFIG_DIR: config.dir, KUBECONFIG: kubeconfig(), RGSD_HELM: helm, NO_COLOR: '1' };
}

/** Runs `rgsd <args>` to completion with stdin not a terminal; never throws. */
export async function rgsd(config: ConfigDir, args: string[], opts: RgsdOptions = {}): Promise<CommandResult> {
  const res = await execa(process.execPath, [RGSD_BIN, ...args], {
    cwd: REPO_ROOT,
    env: rgsdEnv(config, opts.helm),
    stdin: 'ignore',
    reject: false,
    timeout: opts.timeoutMs ?? 420_000,
  });
  return { exitCode: res.exitCode ?? -1, stdout: String(res.stdout), stderr: String(res.stderr) };
}

/** Like rgsd() but fails with the CLI's own output when it exits non-zero. */
export async function rgsdOk(config: ConfigDir, args: string[], opts: RgsdOptions = {}): Promise<CommandResult> {
  const res = await rgsd(config, args, opts);
  if (res.exitCode !== 0) {
    throw new Error(`rgsd ${args.join(' ')} exited ${res.exitCode}\n--- stdout ---\n${res.stdout}\n--- stderr ---\n${res.stderr}`);
  }
  return res;
}

/** Starts `rgsd <args>` and returns the running child (for signals). */
export function spawnRgsd(config: ConfigDir, args: string[], opts: RgsdOptions = {}): ResultPromise {
  return execa(process.execPath, [RGSD_BIN, ...args], {
    cwd: REPO_ROOT,
    env: rgsdEnv(config, opts.helm),
    stdin: 'ignore',
    reject: false,
    timeout: opts.timeoutMs ?? 420_000,
    all: true,
  });
}
