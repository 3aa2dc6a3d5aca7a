// rgsd entry point. Help and --version are answered from the command specs without loading
// commander (fast paths), and so is `rgsd connect <project>` (cli/fast.ts); otherwise the commander program is built from the same specs, the
// command's handler runs, and one handler (ui/report.ts) maps typed errors to exit codes and
// prints `rgsd: <message>` + `hint: <hint>` on stderr. Ctrl-C says what the command had done
// and what to run next (core/app.ts Progress) and exits 130.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { commandNameOf, FAST_COMMANDS, fastParse } from './cli/fast.js';
import { helpRequest, helpWidth, renderCommandHelp, renderTopHelp } from './cli/help.js';
import { commandFor, loadCommand, loadCommands } from './commands/index.js';
import { ExitCode } from './core/errors.js';
import type { Progress } from './core/app.js';
import { packageRoot, version } from './core/version.js';
import { reportError, reportInterrupt } from './ui/report.js';

/** A closed stdout (`rgsd status | head -1`) ends the run quietly. */
function quietOnClosedStdout(): void {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? ExitCode.ok);
    throw err;
  });
}

/** package.json's `engines.node` (a `>=X.Y[.Z]` range), or the floor rgsd was written for. */
function nodeRequirement(): { range: string; min: number[] } {
  const fallback = { range: '>=22.12', min: [22, 12, 0] };
  try {
    const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { engines?: { node?: string } };
    const range = pkg.engines?.node?.trim() ?? '';
    const m = /^>=\s*v?(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(range);
    return m ? { range, min: [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)] } : fallback;
  } catch {
    return fallback;
  }
}

/** Is `version` ("22.11.0") at least `min` ([22, 12, 0])? */
function atLeast(version: string, min: readonly number[]): boolean {
  const have = version
    .replace(/^v/, '')
    .split('.')
    .map((n) => Number.parseInt(n, 10) || 0);
  for (let i = 0; i < min.length; i++) {
    const a = have[i] ?? 0;
    const b = min[i] ?? 0;
    if (a !== b) return a > b;
  }
  return true;
}

export async function main(argv: string[]): Promise<number> {
  const node = nodeRequirement();
  if (!atLeast(process.versions.node, node.min)) {
    process.stderr.write(
      `rgsd: Node ${process.versions.node} is too old (rgsd needs Node ${node.range}, from package.json "engines")\nhint: install Node ${node.min.slice(0, 2).join('.')} or newer (an LTS release) and make sure \`node\` on PATH is that one\n`,
    );
    return ExitCode.missingTool;
  }
  quietOnClosedStdout();
  const args = argv.slice(2);
  const width = helpWidth(process.stdout);
  const request = args.length === 0 ? ({ kind: 'top' } as const) : helpRequest(args, (w) => commandFor(w) !== undefined);
  if (request?.kind === 'top') {
    const specs = (await loadCommands()).map((c) => c.spec);
    process.stdout.write(renderTopHelp(specs, width));
    return ExitCode.ok;
  }
  const helpFor = request?.kind === 'command' ? commandFor(request.name) : undefined;
  if (helpFor) {
    process.stdout.write(renderCommandHelp((await loadCommand(helpFor)).spec, width));
    return ExitCode.ok;
  }
  if (request?.kind === 'version') {
    process.stdout.write(`${version()}\n`);
    return ExitCode.ok;
  }

  const verbose = args.includes('-v') || args.includes('--verbose');
  // what the command has done so far: set once core/app.js is loaded
  let progress: Progress | undefined;
  const summary = () => progress?.summary() ?? { message: 'interrupted', hint: undefined };
  const onSigint = (): void => {
    process.stderr.write('\n');
    process.exit(reportInterrupt(summary(), (s) => void process.stderr.write(s)));
  };
  process.on('SIGINT', onSigint);
  try {
    // `rgsd connect <project>`: read from its spec, without commander and the other commands
    const word = commandNameOf(args);
    const name = word === undefined ? undefined : commandFor(word);
    if (name !== undefined && FAST_COMMANDS.has(name)) {
      const [command, { createApp, Progress }] = await Promise.all([loadCommand(name), import('./core/app.js')]);
      const parsed = fastParse(args, command.spec);
      if (parsed) {
        const record = new Progress();
        progress = record;
        await command.run(await createApp(parsed.globals, { progress: record }), parsed.args, parsed.own);
        return ExitCode.ok;
      }
    }
    const [commander, commands, { createApp, Progress }, { buildProgram }] = await Promise.all([
      import('commander'),
      loadCommands(),
      import('./core/app.js'),
      import('./cli/program.js'),
    ]);
    const record = new Progress();
    progress = record;
    const program = buildProgram(commander, commands, { version, createApp: (globals) => createApp(globals, { progress: record }) });
    await program.parseAsync(argv);
    return ExitCode.ok;
  } catch (err) {
    return reportError(err, verbose, undefined, summary);
  } finally {
    process.off('SIGINT', onSigint);
  }
}

process.exitCode = await main(process.argv);
