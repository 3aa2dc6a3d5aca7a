// rgsd entry point. Help and --version are answered from the command specs without loading
// commander (fast paths); otherwise the commander program is built from the same specs, the
// command's handler runs, and one handler (ui/report.ts) maps typed errors to exit codes and
// prints `rgsd: <message>` + `hint: <hint>` on stderr.
import { helpRequest, helpWidth, renderCommandHelp, renderTopHelp } from './cli/help.js';
import { isCommandName, loadCommand, loadCommands } from './commands/index.js';
import { ExitCode } from './core/errors.js';
import { version } from './core/version.js';
import { reportError } from './ui/report.js';

/** A closed stdout (`rgsd status | head -1`) ends the run quietly. */
function quietOnClosedStdout(): void {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? ExitCode.ok);
    throw err;
  });
}

export async function main(argv: string[]): Promise<number> {
  const nodeMajor = Number(process.versions.node.split('.')[0]);
  if (nodeMajor < 22) {
    process.stderr.write(
      `rgsd: Node ${process.versions.node} is too old (rgsd needs Node 22 or newer)\nhint: install Node 22 or 24 LTS and make sure \`node\` on PATH is that one\n`,
    );
    return ExitCode.missingTool;
  }
  quietOnClosedStdout();
  const args = argv.slice(2);
  const width = helpWidth(process.stdout);
  const request = args.length === 0 ? ({ kind: 'top' } as const) : helpRequest(args, isCommandName);
  if (request?.kind === 'top') {
    const specs = (await loadCommands()).map((c) => c.spec);
    process.stdout.write(renderTopHelp(specs, width));
    return ExitCode.ok;
  }
  if (request?.kind === 'command' && isCommandName(request.name)) {
    process.stdout.write(renderCommandHelp((await loadCommand(request.name)).spec, width));
    return ExitCode.ok;
  }
  if (request?.kind === 'version') {
    process.stdout.write(`${version()}\n`);
    return ExitCode.ok;
  }

  const verbose = args.includes('-v') || args.includes('--verbose');
  const onSigint = (): void => {
    process.stderr.write('\nrgsd: interrupted\n');
    process.exit(ExitCode.interrupted);
  };
  process.on('SIGINT', onSigint);
  try {
    const [commander, commands, { createApp }, { buildProgram }] = await Promise.all([
      import('commander'),
      loadCommands(),
      import('./core/app.js'),
      import('./cli/program.js'),
    ]);
    const program = buildProgram(commander, commands, { version, createApp: (globals) => createApp(globals) });
    await program.parseAsync(argv);
    return ExitCode.ok;
  } catch (err) {
    return reportError(err, verbose);
  } finally {
    process.off('SIGINT', onSigint);
  }
}

process.exitCode = await main(process.argv);
