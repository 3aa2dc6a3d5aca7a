// THE subprocess runner. Every helm/kubectl call goes through a `Runner`, injected into
// commands (tests inject test/helpers/fake-runner.ts). Arguments are always an argv array
// (no shell). `withSafety` wraps any runner with the defence-in-depth secret guard,
// `--verbose` echo and `--dry-run` skipping of mutating calls.
import { CommandError, MissingToolError, RgsdError, TimeoutError, InterruptedError } from './errors.js';

export interface RunOptions {
  /** Written to the child's stdin (manifests, values). Never echoed. */
  stdin?: string;
  /** Kill the child after this many milliseconds (TimeoutError). */
  timeoutMs?: number;
  /** Pass the terminal straight through (stdio inherit); stdout/stderr are then empty. */
  interactive?: boolean;
  /** Extra environment for the child (added to the parent's). */
  env?: Record<string, string>;
  /** Resolve with the result instead of throwing CommandError on a non-zero exit. */
  allowFailure?: boolean;
  /** The call changes the cluster: skipped (and echoed) under --dry-run. */
  mutates?: boolean;
  /** stdin is the Secret manifest: the one input allowed to carry secret values (the
   * SecretGuard checks every other call's stdin too). */
  secretStdin?: boolean;
  /** Stream the child's stdout into this (binary, with backpressure; not collected: the
   * result's stdout is then empty). The stream is not ended: the caller ends it. */
  stdoutTo?: NodeJS.WritableStream;
  /** Called with each piece of the child's stderr as it arrives (it is collected too). */
  onStderr?: (text: string) => void;
  /** Stream this into the child's stdin (binary, with backpressure; ended when it ends):
   * an archive for `kubectl exec -i`. The SecretGuard cannot read a stream: it carries the
   * user's files only, never a value of ours. Not with `stdin`. */
  stdinFrom?: NodeJS.ReadableStream;
  /** End the child (SIGTERM) when this aborts; the call then resolves or throws as for any
   * exit (use `allowFailure`). For calls that run until told otherwise (forward's waits). */
  signal?: AbortSignal;
}

export interface RunResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface Runner {
  run(cmd: string, args: readonly string[], opts?: RunOptions): Promise<RunResult>;
}

/** Quote an argv for display (verbose echo, hints). Never used to execute anything. */
export function formatCommand(argv: readonly string[]): string {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", `'\\''`)}'`)).join(' ');
}

/** Remembers secret values (each with a label: the name of its key, never the value); refuses
 * a call whose argv, or whose stdin, contains one. Values shorter than MIN_LENGTH are ignored
 * (too likely to collide with ordinary words like "true"). Only the Secret manifest may carry
 * them on stdin: that call says so with `secretStdin`. Commands check their whole plan with
 * `find` first (src/ops/up.ts), so a refusal here means rgsd itself went wrong. */
export class SecretGuard {
  static readonly MIN_LENGTH = 6;
  readonly #values = new Map<string, string>();
  register(values: Iterable<string>, label = 'a secret'): void {
    for (const v of values) {
      if (v.length >= SecretGuard.MIN_LENGTH && !this.#values.has(v)) this.#values.set(v, label);
    }
  }
  /** The label of a registered secret that `text` contains, or undefined. */
  find(text: string): string | undefined {
    for (const [secret, label] of this.#values) if (text.includes(secret)) return label;
    return undefined;
  }
  /** Throws if an argument, or `stdin` when given, contains a registered secret value. */
  check(argv: readonly string[], stdin?: string): void {
    const what = argv[0] ?? 'a command';
    for (const arg of argv) {
      const label = this.find(arg);
      if (label !== undefined) {
        throw new RgsdError(`refusing to run ${what}: the value of ${label} would appear on its command line`, {
          hint: 'this is a bug in rgsd; please report it (the command was not run)',
        });
      }
    }
    const inStdin = stdin === undefined ? undefined : this.find(stdin);
    if (inStdin !== undefined) {
      throw new RgsdError(`refusing to run ${what}: the value of ${inStdin} would be in its input (only the Secret may carry it)`, {
        hint: 'this is a bug in rgsd; please report it (the command was not run)',
      });
    }
  }
}

export interface SafetyOptions {
  guard: SecretGuard;
  verbose: boolean;
  dryRun: boolean;
  /** Where verbose / dry-run lines go (stderr). */
  log: (line: string) => void;
}

/** Wraps a runner: secret guard on every argv and stdin (but the Secret's), verbose echo,
 * dry-run skip of mutating calls. */
export function withSafety(inner: Runner, opts: SafetyOptions): Runner {
  return {
    async run(cmd, args, runOpts = {}) {
      const argv = [cmd, ...args];
      opts.guard.check(argv, runOpts.secretStdin ? undefined : runOpts.stdin);
      const stdinNote =
        runOpts.stdin !== undefined ? ` < stdin (${Buffer.byteLength(runOpts.stdin)} bytes)` : runOpts.stdinFrom ? ' < stream' : '';
      if (opts.dryRun && runOpts.mutates) {
        opts.log(`[dry-run] would run: ${formatCommand(argv)}${stdinNote}`);
        return { stdout: '', stderr: '', exitCode: 0 };
      }
      if (opts.verbose) opts.log(`$ ${formatCommand(argv)}${stdinNote}`);
      return inner.run(cmd, args, runOpts);
    },
  };
}

// Children still running when rgsd exits (Ctrl-C ends rgsd with process.exit; a signal sent
// to rgsd alone does not reach them) are ended with it: no port-forward or stream outlives us.
const live = new Set<import('node:child_process').ChildProcess>();
function killOnExit(child: import('node:child_process').ChildProcess): void {
  if (live.size === 0) process.once('exit', endLive);
  live.add(child);
  child.once('close', () => {
    live.delete(child);
    if (live.size === 0) process.off('exit', endLive);
  });
}
function endLive(): void {
  for (const c of live) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
}

/** The real runner: `node:child_process` (loaded on the first call, so `rgsd --help` never
 * pays for it; execa took about 50 ms to load, more than the rest of a `peek`). The terminal is
 * passed straight through for `interactive` calls (the attach, streamed logs); otherwise stdin
 * is the given input or nothing, and stdout/stderr are collected as text. */
export class ChildRunner implements Runner {
  async run(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
    const { spawn } = await import('node:child_process');
    const argv = [cmd, ...args];
    const captured = !opts.interactive;
    const input = opts.stdin;
    const { code, signal, error, timedOut, stdout, stderr } = await new Promise<{
      code: number | null;
      signal: NodeJS.Signals | null;
      error?: NodeJS.ErrnoException;
      timedOut: boolean;
      stdout: string;
      stderr: string;
    }>((resolve) => {
      const from = opts.stdinFrom;
      const stdin = input !== undefined || from ? 'pipe' : opts.interactive ? 'inherit' : 'ignore';
      const child = spawn(cmd, [...args], {
        stdio: [stdin, captured ? 'pipe' : 'inherit', captured ? 'pipe' : 'inherit'],
        ...(opts.env ? { env: { ...process.env, ...opts.env } } : {}),
      });
      killOnExit(child);
      const abort = (): void => void child.kill('SIGTERM');
      if (opts.signal?.aborted) abort();
      else opts.signal?.addEventListener('abort', abort, { once: true });
      child.once('close', () => opts.signal?.removeEventListener('abort', abort));
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      if (opts.stdoutTo && child.stdout) child.stdout.pipe(opts.stdoutTo, { end: false });
      else child.stdout?.on('data', (d: Buffer) => out.push(d));
      const onStderr = opts.onStderr;
      child.stderr?.on('data', (d: Buffer) => {
        err.push(d);
        onStderr?.(d.toString('utf8'));
      });
      let timedOut = false;
      const timer = opts.timeoutMs
        ? setTimeout(() => {
            timedOut = true;
            child.kill('SIGTERM');
          }, opts.timeoutMs)
        : undefined;
      const text = (chunks: Buffer[]) => Buffer.concat(chunks).toString('utf8');
      child.once('error', (e: NodeJS.ErrnoException) => {
        if (timer) clearTimeout(timer);
        resolve({ code: null, signal: null, error: e, timedOut, stdout: text(out), stderr: text(err) });
      });
      // 'close': the exit and every byte of its output (stdout and stderr ended)
      child.once('close', (c, sig) => {
        if (timer) clearTimeout(timer);
        // a child that ended before reading all of it: the rest is not read
        if (from && child.stdin) from.unpipe(child.stdin);
        resolve({ code: c, signal: sig, timedOut, stdout: text(out), stderr: text(err) });
      });
      if (input !== undefined && child.stdin) {
        // a child that exits without reading all of it is not an error of ours
        child.stdin.on('error', () => undefined);
        child.stdin.end(input);
      } else if (from && child.stdin) {
        child.stdin.on('error', () => undefined);
        from.pipe(child.stdin);
      }
    });
    if (error?.code === 'ENOENT') throw new MissingToolError(`${cmd} not found`, { hint: await toolHint(cmd) });
    if (error) throw new CommandError(argv, 1, error.message, '');
    if (timedOut) {
      throw new TimeoutError(`${cmd} timed out after ${Math.round((opts.timeoutMs ?? 0) / 1000)}s`, {
        hint: 'raise --timeout, or check the cluster with `rgsd status`',
      });
    }
    if (signal === 'SIGINT') throw new InterruptedError();
    const result: RunResult = { stdout, stderr, exitCode: code ?? 1 };
    if (result.exitCode !== 0 && !opts.allowFailure) throw new CommandError(argv, result.exitCode, stderr, stdout);
    return result;
  }
}

/** How to get the missing tool; in a checkout where `npm run setup` unpacked the pinned helm
 * and kubectl into `.tools/bin`, how to use those. `root` is the package's root. */
export async function toolHint(cmd: string, root?: string): Promise<string> {
  const tool = /helm/.test(cmd) ? 'helm' : /kubectl/.test(cmd) ? 'kubectl' : null;
  if (!tool) return `install ${cmd} and make sure it is on PATH`;
  const base =
    tool === 'helm'
      ? 'install Helm 3 or 4 (https://helm.sh/docs/intro/install/) or point RGSD_HELM at it'
      : 'install kubectl (https://kubernetes.io/docs/tasks/tools/) or point RGSD_KUBECTL at it';
  const { existsSync } = await import('node:fs');
  const { join } = await import('node:path');
  const dir = join(root ?? (await import('./version.js')).packageRoot(), '.tools', 'bin');
  if (!existsSync(join(dir, tool))) return base;
  return `${base}; this checkout has one (from \`npm run setup\`): export PATH="${dir}:$PATH"`;
}
