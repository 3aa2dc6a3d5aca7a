// The single place that turns an error into stderr lines and an exit code.
import { ChildExitError, CommandError, ExitCode, RgsdError, isInterrupt } from '../core/errors.js';

/** How many lines of a tool's error output are shown without -v. */
export const MAX_DETAIL_LINES = 20;

/** What main.ts knows about an interrupted run (core/app.ts Progress.summary()). */
export interface InterruptSummary {
  message: string;
  hint: string | undefined;
  /** a command that ends on Ctrl-C by design (watch) exits 0 */
  exitCode?: number;
}

/** `rgsd: interrupted …` and the hint of what to run next. */
export function reportInterrupt(summary: InterruptSummary | undefined, write: (s: string) => void): number {
  write(`rgsd: ${summary?.message ?? 'interrupted'}\n`);
  if (summary?.hint) write(`hint: ${summary.hint}\n`);
  return summary?.exitCode ?? ExitCode.interrupted;
}

/** Print `rgsd: <message>`, the error's details (indented) and `hint: <hint>`; return the
 * exit code. Details of a failed helm/kubectl call are capped at MAX_DETAIL_LINES; with -v
 * the tool's whole output is shown instead. */
export function reportError(
  err: unknown,
  verbose: boolean,
  write: (s: string) => void = (s) => void process.stderr.write(s),
  interrupted?: () => InterruptSummary,
): number {
  if (isInterrupt(err)) return reportInterrupt(interrupted?.(), write);
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
    const tool = toolError(err);
    if (verbose && tool) {
      // everything the tool said, as it said it
      for (const line of `${tool.stderr}\n${tool.stdout}`.split('\n').filter((l) => l.trim())) write(`  ${line}\n`);
    } else {
      const shown = err.details.slice(0, MAX_DETAIL_LINES);
      for (const line of shown) write(`  ${line}\n`);
      const more = err.details.length - shown.length;
      if (more > 0) write(`  … ${more} more ${more === 1 ? 'line' : 'lines'} (re-run with -v to see everything)\n`);
    }
    if (err.hint) write(`hint: ${err.hint}\n`);
    if (verbose && !tool && err.cause instanceof Error && err.cause.stack) write(`${err.cause.stack}\n`);
    return err.exitCode;
  }
  const e = err instanceof Error ? err : new Error(String(err));
  write(`rgsd: unexpected error: ${e.message.split('\n')[0]}\n`);
  write(verbose && e.stack ? `${e.stack}\n` : 'hint: re-run with -v for details; please report this\n');
  return ExitCode.failure;
}

/** The failed helm/kubectl call behind an error: the error itself or its cause. */
function toolError(err: RgsdError): CommandError | undefined {
  if (err instanceof CommandError) return err;
  return err.cause instanceof CommandError ? err.cause : undefined;
}
