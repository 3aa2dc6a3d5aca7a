// The single place that turns an error into stderr lines and an exit code.
import { ChildExitError, ExitCode, RgsdError, isInterrupt } from '../core/errors.js';

/** Print `rgsd: <message>` and `hint: <hint>` for an error; return the exit code. */
export function reportError(err: unknown, verbose: boolean, write: (s: string) => void = (s) => void process.stderr.write(s)): number {
  if (isInterrupt(err)) {
    write('rgsd: interrupted\n');
    return ExitCode.interrupted;
  }
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code.startsWith('commander.')) {
    // CommanderError: --help / --version are successes; everything else is a usage error.
    if (code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help') return ExitCode.ok;
    write(
      `rgsd: ${String((err as Error).message)
        .replace(/^error:\s*/, '')
        .replace(/\s*\n\s*/g, ' ')}\n`,
    );
    write('hint: see `rgsd --help` or `rgsd <command> --help`\n');
    return ExitCode.usage;
  }
  if (err instanceof ChildExitError) return err.exitCode;
  if (err instanceof RgsdError) {
    write(`rgsd: ${err.message.split('\n')[0]}\n`);
    if (err.hint) write(`hint: ${err.hint}\n`);
    if (verbose && err.cause instanceof Error && err.cause.stack) write(`${err.cause.stack}\n`);
    return err.exitCode;
  }
  const e = err instanceof Error ? err : new Error(String(err));
  write(`rgsd: unexpected error: ${e.message.split('\n')[0]}\n`);
  write(verbose && e.stack ? `${e.stack}\n` : 'hint: re-run with -v for details; please report this\n');
  return ExitCode.failure;
}
