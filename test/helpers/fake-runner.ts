// A Runner for unit tests: answers only the exact argv it was told about and FAILS the test
// on any other call. Records every call (argv, stdin, options) for assertions.
import { CommandError } from '../../src/core/errors.js';
import type { RunOptions, RunResult, Runner } from '../../src/core/runner.js';

export interface FakeResponse {
  stdout?: string;
  stderr?: string;
  exitCode?: number;
  /** Binary stdout for a call that streams it (`stdoutTo`; `stdout` is used when this is absent). */
  stdoutBytes?: Buffer;
  /** Throw this instead of returning (e.g. MissingToolError for ENOENT). */
  throws?: Error;
  /** Answer only once the call's `signal` aborts (a call that runs until it is stopped); the
   * answer is then this response's exit code (default 143, SIGTERM's). */
  hang?: boolean;
}

export interface RecordedCall {
  argv: string[];
  stdin: string | undefined;
  opts: RunOptions;
  /** what a `stdinFrom` stream carried (read to its end before the response) */
  stdinBytes?: Buffer;
}

type Responder = FakeResponse | FakeResponse[] | ((call: RecordedCall) => FakeResponse);

export class FakeRunner implements Runner {
  readonly calls: RecordedCall[] = [];
  readonly #rules: { argv: string[]; respond: Responder; used: number }[] = [];

  /** Answer `argv` (binary included) with `response`; an array answers successive calls
   * (the last one repeats). */
  on(argv: string[], response: Responder = {}): this {
    this.#rules.push({ argv, respond: response, used: 0 });
    return this;
  }

  async run(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
    const argv = [cmd, ...args];
    const call: RecordedCall = { argv, stdin: opts.stdin, opts };
    this.calls.push(call);
    if (opts.stdinFrom) {
      const chunks: Buffer[] = [];
      for await (const c of opts.stdinFrom) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c));
      call.stdinBytes = Buffer.concat(chunks);
    }
    const rule = [...this.#rules].reverse().find((r) => r.argv.length === argv.length && r.argv.every((a, i) => a === argv[i]));
    if (!rule) {
      throw new Error(
        `FakeRunner: unexpected call: ${JSON.stringify(argv)}\nknown:\n${this.#rules.map((r) => `  ${JSON.stringify(r.argv)}`).join('\n')}`,
      );
    }
    let res: FakeResponse;
    if (typeof rule.respond === 'function') res = rule.respond(call);
    else if (Array.isArray(rule.respond)) res = rule.respond[Math.min(rule.used, rule.respond.length - 1)] ?? {};
    else res = rule.respond;
    rule.used++;
    if (res.hang) {
      const signal = opts.signal;
      if (!signal) throw new Error(`FakeRunner: ${JSON.stringify(argv)} hangs, but the call has no signal to stop it`);
      await new Promise<void>((resolve) =>
        signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true }),
      );
      return { stdout: '', stderr: '', exitCode: res.exitCode ?? 143 };
    }
    if (res.throws) throw res.throws;
    if (res.stderr) opts.onStderr?.(res.stderr);
    if (opts.stdoutTo) {
      // like ChildRunner: the stream gets every byte (with backpressure), the result no stdout
      const bytes = res.stdoutBytes ?? Buffer.from(res.stdout ?? '');
      const sink = opts.stdoutTo;
      await new Promise<void>((resolve) => (sink.write(bytes) ? resolve() : sink.once('drain', () => resolve())));
    }
    const out = { stdout: opts.stdoutTo ? '' : (res.stdout ?? ''), stderr: res.stderr ?? '', exitCode: res.exitCode ?? 0 };
    if (out.exitCode !== 0 && !opts.allowFailure) throw new CommandError(argv, out.exitCode, out.stderr, out.stdout);
    return out;
  }

  /** argv of every call, for exact-sequence assertions. */
  get argvs(): string[][] {
    return this.calls.map((c) => c.argv);
  }

  /** Calls whose argv starts with `prefix`. */
  find(...prefix: string[]): RecordedCall[] {
    return this.calls.filter((c) => prefix.every((p, i) => c.argv[i] === p));
  }
}
