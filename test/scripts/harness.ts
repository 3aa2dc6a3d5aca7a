// Runs the image scripts (docker/*) outside a container: every path they touch points into a
// temporary root, and tmux uses a private TMUX_TMPDIR so no test touches anyone's server.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const REPO = resolve(import.meta.dirname, '..', '..');
export const DOCKER = join(REPO, 'docker');
export const script = (name: string): string => join(DOCKER, name);
/** zsh, the image user's login shell: tmux's default-shell in the sessions the tests start. */
export const ZSH = spawnSync('sh', ['-c', 'command -v zsh'], { encoding: 'utf8' }).stdout.trim() || '/bin/zsh';

export interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

export class Root {
  readonly dir = mkdtempSync(join(tmpdir(), 'rgsd-scripts-'));
  readonly home = join(this.dir, 'home');
  readonly skel = join(this.dir, 'skel');
  readonly secrets = join(this.dir, 'secrets');
  readonly bin = join(this.dir, 'bin');
  readonly tmuxDir = join(this.dir, 'tmux');
  private children: ChildProcess[] = [];

  constructor(readonly extraEnv: Record<string, string> = {}) {
    for (const d of [this.home, this.skel, this.secrets, this.bin, this.tmuxDir]) mkdirSync(d, { recursive: true });
  }

  get workspace(): string {
    return join(this.home, 'workspace');
  }

  env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PATH: `${this.bin}:${process.env.PATH ?? ''}`,
      HOME: this.home,
      SHELL: ZSH,
      TMUX_TMPDIR: this.tmuxDir,
      GIT_CONFIG_NOSYSTEM: '1',
      RGSD_HOME: this.home,
      RGSD_SKEL: this.skel,
      RGSD_INIT_SOURCE_DIR: this.secrets,
      RGSD_DOTFILES_DIR: join(DOCKER, 'dotfiles'),
      RGSD_AGENT: 'none',
      RGSD_SUPERVISE_INTERVAL: '0.3',
      ...this.extraEnv,
      ...extra,
    };
    // Inside a tmux session $TMUX would point tmux at the outer server.
    delete env.TMUX;
    delete env.TMUX_PANE;
    return env;
  }

  run(name: string, args: string[] = [], extra: Record<string, string> = {}): Run {
    const r = spawnSync(script(name), args, { env: this.env(extra), encoding: 'utf8', timeout: 30_000 });
    if (r.error) throw r.error;
    return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  }

  /** tmux against this root's private server. */
  tmux(...args: string[]): Run {
    const r = spawnSync('tmux', args, { env: this.env(), encoding: 'utf8', timeout: 10_000 });
    return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  }

  hasSession(name = 'main'): boolean {
    return this.tmux('has-session', '-t', `=${name}`).status === 0;
  }

  secret(key: string, value: string | null): void {
    const path = join(this.secrets, key);
    if (value === null) rmSync(path, { force: true });
    else writeFileSync(path, value);
  }

  /** An executable in this root's bin/ (first on PATH). */
  fakeBin(name: string, body: string): string {
    const path = join(this.bin, name);
    writeFileSync(path, `#!/usr/bin/env bash\n${body}\n`);
    chmodSync(path, 0o755);
    return path;
  }

  read(rel: string): string {
    return readFileSync(join(this.home, rel), 'utf8');
  }

  /**
   * Types `command` into a tmux pane until `done()` holds. Types only once the shell shows its
   * prompt; a starting shell may still flush typeahead (zle init), so the command is typed
   * again every second until it has run (make it idempotent).
   */
  async typeUntil(target: string, command: string, done: () => boolean, timeoutMs = 20_000): Promise<void> {
    await waitUntil(
      () => this.tmux('capture-pane', '-p', '-t', target).stdout.trim() !== '',
      15_000,
      () => `no prompt in ${target}`,
    );
    let typed = 0;
    await waitUntil(
      () => {
        if (done()) return true;
        if (typed++ % 10 === 0) this.tmux('send-keys', '-t', target, command, 'Enter');
        return false;
      },
      timeoutMs,
      () => `the shell in ${target} did not run: ${command}\n${this.tmux('capture-pane', '-p', '-t', target).stdout}`,
    );
  }

  start(extra: Record<string, string> = {}): Entrypoint {
    const child = spawn(script('entrypoint'), [], { env: this.env(extra), stdio: ['ignore', 'pipe', 'pipe'] });
    this.children.push(child);
    return new Entrypoint(child);
  }

  async cleanup(): Promise<void> {
    // Let running entrypoints shut down their tmux server themselves, then make sure.
    await Promise.all(
      this.children
        .filter((c) => c.exitCode === null && c.signalCode === null)
        .map(
          (c) =>
            new Promise<void>((res) => {
              // generous: a loaded machine may take a while to stop tmux and the helpers
              const timer = setTimeout(() => c.kill('SIGKILL'), 30_000);
              c.once('exit', () => {
                clearTimeout(timer);
                res();
              });
              c.kill('SIGTERM');
            }),
        ),
    );
    this.tmux('kill-server');
    // Shells of the killed server (and its pipe-pane recorders) may still be writing for a
    // moment: each try lists the tree again (rmSync's own retries only repeat the rmdir that
    // failed, with a growing pause), for at most about 30 s.
    for (let tries = 1; ; tries++) {
      try {
        rmSync(this.dir, { recursive: true, force: true });
        return;
      } catch (err) {
        if (tries >= 120) throw err;
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  }
}

export class Entrypoint {
  output = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(readonly child: ChildProcess) {
    child.stdout?.on('data', (d: Buffer) => (this.output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (this.output += d.toString()));
    this.exited = new Promise((res) => child.on('exit', (code, signal) => res({ code, signal })));
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  async waitFor(text: string | RegExp, timeoutMs = 90_000): Promise<void> {
    await waitUntil(
      () => (typeof text === 'string' ? this.output.includes(text) : text.test(this.output)),
      timeoutMs,
      () => `entrypoint output never matched ${String(text)}:\n${this.output}`,
    );
  }

  async stop(): Promise<number> {
    const t0 = Date.now();
    this.child.kill('SIGTERM');
    await this.exited;
    return Date.now() - t0;
  }
}

export async function waitUntil(check: () => boolean, timeoutMs: number, message: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(message());
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A bare repository with one commit (file README.md) and a second branch `dev` (file DEV.md). */
export function bareRepo(root: Root): string {
  const src = join(root.dir, 'src');
  const bare = join(root.dir, 'repo.git');
  const git = (...args: string[]): void => {
    const r = spawnSync('git', args, { cwd: src, env: { ...root.env(), HOME: root.dir }, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  };
  mkdirSync(src);
  git('init', '-q', '-b', 'main');
  writeFileSync(join(src, 'README.md'), 'hello\n');
  git('add', 'README.md');
  git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '-m', 'init');
  git('checkout', '-q', '-b', 'dev');
  writeFileSync(join(src, 'DEV.md'), 'dev\n');
  git('add', 'DEV.md');
  git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '-m', 'dev');
  git('checkout', '-q', 'main');
  git('clone', '-q', '--bare', src, bare);
  return bare;
}
