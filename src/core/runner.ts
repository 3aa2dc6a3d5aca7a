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
      const stdinNote = runOpts.stdin === undefined ? '' : ` < stdin (${Buffer.byteLength(runOpts.stdin)} bytes)`;
      if (opts.dryRun && runOpts.mutates) {
        opts.log(`[dry-run] would run: ${formatCommand(argv)}${stdinNote}`);
        return { stdout: '', stderr: '', exitCode: 0 };
      }
      if (opts.verbose) opts.log(`$ ${formatCommand(argv)}${stdinNote}`);
      return inner.run(cmd, args, runOpts);
    },
  };
}

/** The real runner (execa). Loaded lazily so `rgsd --help` does not pay for execa; a call
 * with the terminal passed through (`interactive`: the attach, streamed logs) does not load it
 * at all (`node:child_process`, about 50 ms less before `rgsd connect` reaches kubectl). */
export class ExecaRunner implements Runner {
  async run(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
    if (opts.interactive && opts.stdin === undefined) return runInherited(cmd, args, opts);
    const { execa } = await import('execa');
    const result = await execa(cmd, [...args], {
      reject: false,
      extendEnv: true,
      ...(opts.env ? { env: opts.env } : {}),
      ...(opts.timeoutMs ? { timeout: opts.timeoutMs } : {}),
      ...(opts.interactive
        ? { stdio: 'inherit' as const }
        : opts.stdin !== undefined
          ? { input: opts.stdin }
          : { stdin: 'ignore' as const }),
      stripFinalNewline: false,
    });
    const argv = [cmd, ...args];
    const errCode = (result as { code?: string }).code;
    if (errCode === 'ENOENT' || (result.failed && /ENOENT/.test(String(result.message)) && result.exitCode === undefined)) {
      throw new MissingToolError(`${cmd} not found`, { hint: toolHint(cmd) });
    }
    if (result.timedOut) {
      throw new TimeoutError(`${cmd} timed out after ${Math.round((opts.timeoutMs ?? 0) / 1000)}s`, {
        hint: 'raise --timeout, or check the cluster with `rgsd status`',
      });
    }
    if (result.signal === 'SIGINT' || (result.isTerminated && result.signal === 'SIGTERM' && result.isCanceled)) {
      throw new InterruptedError();
    }
    const out: RunResult = {
      stdout: typeof result.stdout === 'string' ? result.stdout : '',
      stderr: typeof result.stderr === 'string' ? result.stderr : '',
      exitCode: result.exitCode ?? 1,
    };
    if (out.exitCode !== 0 && !opts.allowFailure) {
      throw new CommandError(argv, out.exitCode, out.stderr, out.stdout);
    }
    return out;
  }
}

/** A child with stdin, stdout and stderr inherited (the terminal): its exit code, with the same
 * errors as the execa path (missing tool, timeout, interrupted, CommandError without allowFailure). */
async function runInherited(cmd: string, args: readonly string[], opts: RunOptions): Promise<RunResult> {
  const { spawn } = await import('node:child_process');
  const argv = [cmd, ...args];
  const { code, signal, error, timedOut } = await new Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    error?: NodeJS.ErrnoException;
    timedOut: boolean;
  }>((resolve) => {
    const child = spawn(cmd, [...args], { stdio: 'inherit', ...(opts.env ? { env: { ...process.env, ...opts.env } } : {}) });
    let timedOut = false;
    const timer = opts.timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          child.kill('SIGTERM');
        }, opts.timeoutMs)
      : undefined;
    child.once('error', (e: NodeJS.ErrnoException) => {
      if (timer) clearTimeout(timer);
      resolve({ code: null, signal: null, error: e, timedOut });
    });
    child.once('exit', (c, sig) => {
      if (timer) clearTimeout(timer);
      resolve({ code: c, signal: sig, timedOut });
    });
  });
  if (error?.code === 'ENOENT') throw new MissingToolError(`${cmd} not found`, { hint: toolHint(cmd) });
  if (error) throw new CommandError(argv, 1, error.message, '');
  if (timedOut) {
    throw new TimeoutError(`${cmd} timed out after ${Math.round((opts.timeoutMs ?? 0) / 1000)}s`, {
      hint: 'raise --timeout, or check the cluster with `rgsd status`',
    });
  }
  if (signal === 'SIGINT') throw new InterruptedError();
  const out: RunResult = { stdout: '', stderr: '', exitCode: code ?? 1 };
  if (out.exitCode !== 0 && !opts.allowFailure) throw new CommandError(argv, out.exitCode, '', '');
  return out;
}

function toolHint(cmd: string): string {
  if (/helm/.test(cmd)) return 'install Helm 3 or 4 (https://helm.sh/docs/intro/install/) or point RGSD_HELM at it';
  if (/kubectl/.test(cmd)) return 'install kubectl (https://kubernetes.io/docs/tasks/tools/) or point RGSD_KUBECTL at it';
  return `install ${cmd} and make sure it is on PATH`;
}
