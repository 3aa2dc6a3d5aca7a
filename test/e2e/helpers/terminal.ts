// A real pseudo-terminal for `rgsd connect`: the CLI runs in a pane of a private tmux server
// (own socket in a temporary directory via -S, never the user's), keys are typed with
// send-keys, the screen is read with capture-pane; a wrapping shell prints the CLI's exit
// status on the screen.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { waitFor } from './cluster.js';
import { rgsdEnv, RGSD_BIN, type ConfigDir, type HelmBinary } from './rgsd.js';

export class Terminal {
  /** The server's socket lives in a directory of its own, removed by close(). */
  private readonly socketDir = mkdtempSync(join(tmpdir(), 'rgsd-e2e-tmux-'));
  private readonly target = 'outer:0.0';

  private async tmux(...args: string[]): Promise<string> {
    const res = await execa('tmux', ['-S', join(this.socketDir, 'sock'), ...args], { reject: false, stdin: 'ignore' });
    if (res.exitCode !== 0) throw new Error(`tmux ${args.join(' ')} exited ${res.exitCode}: ${String(res.stderr).trim()}`);
    return String(res.stdout);
  }

  /** Starts `rgsd <args>` in a 160x45 terminal. A shell is the pane's process: it waits for
   * the CLI and prints its exit status (tmux itself does not always reap the CLI promptly). */
  async start(config: ConfigDir, args: string[], helm: HelmBinary = 'helm'): Promise<void> {
    const env = { ...rgsdEnv(config, helm), PATH: process.env.PATH ?? '', TERM: 'xterm-256color', HOME: process.env.HOME ?? '/root' };
    const envArgs = Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
    // -f /dev/null: none of the user's tmux configuration.
    await this.tmux(
      '-f',
      '/dev/null',
      'new-session',
      '-d',
      '-x',
      '160',
      '-y',
      '45',
      '-s',
      'outer',
      ...envArgs,
      'sh',
      '-c',
      '"$@"; echo "[rgsd exited with status $?]"; exec sleep 3600',
      'sh',
      process.execPath,
      RGSD_BIN,
      ...args,
    );
  }

  async screen(): Promise<string> {
    return this.tmux('capture-pane', '-p', '-t', this.target);
  }

  /**
   * Everything the terminal shows or has shown: the screen a full-screen program (tmux attach)
   * saved when it took over, the scrollback, and the visible screen. A line printed just before
   * `kubectl exec -it … tmux attach` is gone from the visible screen a moment later.
   */
  async transcript(): Promise<string> {
    const [saved, shown] = await Promise.all([
      this.tmux('capture-pane', '-p', '-a', '-q', '-t', this.target),
      this.tmux('capture-pane', '-p', '-S', '-', '-t', this.target),
    ]);
    return `${saved}\n${shown}`;
  }

  /** Waits until the text is in the transcript (see transcript()); returns the transcript. */
  async waitForText(text: string | RegExp, timeoutMs = 60_000): Promise<string> {
    return waitFor(
      `"${String(text)}" on the terminal`,
      async () => {
        const s = await this.transcript();
        return (typeof text === 'string' ? s.includes(text) : text.test(s)) ? s : null;
      },
      timeoutMs,
      300,
    ).catch(async (err: Error) => {
      throw new Error(`${err.message}\n--- screen ---\n${await this.screen().catch(() => '(gone)')}`);
    });
  }

  /** Types keys into the terminal (tmux key names: Enter, Down, C-b, …); the keys reach the
   * program in the pane, not this tmux server. */
  async keys(...keys: string[]): Promise<void> {
    await this.tmux('send-keys', '-t', this.target, ...keys);
  }

  /** Literal text, then Enter. */
  async type(line: string): Promise<void> {
    await this.tmux('send-keys', '-t', this.target, '-l', line);
    await this.keys('Enter');
  }

  /** Waits until the CLI exits; returns its exit status (128+N for signal N). */
  async exitStatus(timeoutMs = 30_000): Promise<number> {
    const screen = await this.waitForText(/\[rgsd exited with status \d+\]/, timeoutMs);
    return Number(/\[rgsd exited with status (\d+)\]/.exec(screen)?.[1]);
  }

  async close(): Promise<void> {
    await execa('tmux', ['-S', join(this.socketDir, 'sock'), 'kill-server'], { reject: false, stdin: 'ignore' });
    rmSync(this.socketDir, { recursive: true, force: true });
  }
}
