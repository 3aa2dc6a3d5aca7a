// rgsd entry point: the commander program. Command modules are imported inside each
// action, and commander itself only after the top-level help fast path, so `rgsd --help`
// (rendered from src/help.ts) starts almost as fast as `node -e 0`. One handler maps typed
// errors to exit codes and prints `rgsd: <message>` + `hint: <hint>` on stderr.
import type { Command } from 'commander';
import type { App, GlobalOptions } from './core/app.js';
import { ExitCode } from './core/errors.js';
import { GLOBAL_OPTIONS, PROGRAM_DESCRIPTION, describeCommand, helpWidth, isTopLevelHelp, renderTopHelp } from './help.js';
import { reportError } from './ui/report.js';

/** commander, loaded by main() (or by tests) before buildProgram() runs. */
let commander: typeof import('commander') | undefined;
export async function loadCommander(): Promise<void> {
  commander ??= await import('commander');
}

const VERSION = '0.1.0';

type Loader<M> = () => Promise<M>;

/** Build the App from the parsed options, load the command module, run it. */
async function dispatch<M>(cmd: Command, load: Loader<M>, run: (m: M, app: App) => Promise<void>): Promise<void> {
  const o = cmd.optsWithGlobals<Record<string, unknown>>();
  const globals: GlobalOptions = {
    namespace: o.namespace as string | undefined,
    context: o.context as string | undefined,
    configDir: o.configDir as string | undefined,
    yes: Boolean(o.yes),
    verbose: Boolean(o.verbose),
    color: o.color !== false,
    json: Boolean(o.json),
    dryRun: Boolean(o.dryRun),
  };
  const [{ createApp }, mod] = await Promise.all([import('./core/app.js'), load()]);
  const app = await createApp(globals);
  await run(mod, app);
}

export function buildProgram(): Command {
  if (!commander) throw new Error('bug: call loadCommander() before buildProgram()');
  const { Argument, Command: CommandClass, Option } = commander;
  const program = new CommandClass('rgsd').description(PROGRAM_DESCRIPTION).version(VERSION, '--version', 'print the rgsd version');
  for (const [flags, description] of GLOBAL_OPTIONS) program.option(flags, description);
  // the top-level help is src/help.ts's (same text as the fast path in main())
  program.helpInformation = () => renderTopHelp(helpWidth(process.stdout));
  program
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({ outputError: () => undefined });

  program
    .command('init')
    .description(describeCommand('init'))
    .argument('<project>', 'project name (DNS-1123 label, at most 53 characters)')
    .option('--repo <url>', 'git repository to clone (https or ssh)')
    .option('--branch <name>', 'branch to check out (default: the remote default)')
    .addOption(new Option('--agent <agent>', 'coding agent').choices(['gsd', 'claude', 'codex', 'none']))
    .option('--auto-start', 'start the agent in tmux on boot (default)')
    .option('--no-auto-start', 'do not start the agent automatically')
    .option('--storage-size <size>', 'home volume size (default 20Gi)')
    .option('--storage-class <name>', 'StorageClass of the home volume (default: the cluster default)')
    .option('--image <ref>', 'workstation image, repository[:tag]')
    .addOption(new Option('--rbac <mode>', 'Kubernetes API access from the pod').choices(['none', 'namespace', 'cluster-admin']))
    .option('--pin-context', 'pin the --context (or the current context) in the settings')
    .action((project: string, _o, cmd: Command) =>
      dispatch(cmd, () => import('./commands/init.js'), (m, app) => m.run(app, project, cmd.opts())),
    );

  program
    .command('up')
    .description(describeCommand('up'))
    .argument('[project]', 'project (default: the only configured one)')
    .option('--chart <path>', 'chart directory or reference (default: the bundled chart/rgsd)')
    .option('--timeout <duration>', 'how long to wait for the pod, e.g. 90s, 5m', '5m')
    .option('--dry-run', 'print the manifests that would be applied (secret values masked); change nothing')
    .action((project: string | undefined, _o, cmd: Command) =>
      dispatch(cmd, () => import('./commands/up.js'), (m, app) => m.run(app, project, cmd.opts())),
    );

  program
    .command('down')
    .description(describeCommand('down'))
    .argument('[project]', 'project (default: the only configured one)')
    .option('--dry-run', 'say what would be removed; change nothing')
    .action((project: string | undefined, _o, cmd: Command) =>
      dispatch(cmd, () => import('./commands/down.js'), (m, app) => m.run(app, project, cmd.opts())),
    );

  program
    .command('status')
    .description(describeCommand('status'))
    .argument('[project]', 'project (default: every rgsd project in the namespace)')
    .option('--json', 'print one JSON document (schema in README)')
    .action((project: string | undefined, _o, cmd: Command) =>
      dispatch(cmd, () => import('./commands/status.js'), (m, app) => m.run(app, project, cmd.opts())),
    );

  program
    .command('nuke')
    .description(describeCommand('nuke'))
    .argument('[project]', 'project (default: the only configured one)')
    .option('--confirm <project>', 'confirm without a prompt (for scripts): the project name')
    .option('--dry-run', 'list what would be destroyed; change nothing')
    .action((project: string | undefined, _o, cmd: Command) =>
      dispatch(cmd, () => import('./commands/nuke.js'), (m, app) => m.run(app, project, cmd.opts())),
    );

  program
    .command('connect')
    .description(describeCommand('connect'))
    .argument('[project]', 'project (picker when several are running)')
    .argument('[session]', 'tmux session (picker when several)')
    .option('--new <name>', 'create a new tmux session with this name and attach')
    .option('--iterm', 'use tmux control mode (-CC) for iTerm2')
    .option('--list', 'list the sessions instead of attaching')
    .option('--json', 'with --list: print JSON')
    .action((project: string | undefined, session: string | undefined, _o, cmd: Command) =>
      dispatch(cmd, () => import('./commands/connect.js'), (m, app) => m.run(app, project, session, cmd.opts())),
    );

  program
    .command('logs')
    .description(describeCommand('logs'))
    .argument('[project]', 'project (default: the only configured one)')
    .option('-f, --follow', 'stream new lines')
    .option('--tail <lines>', 'only the last N lines')
    .option('--previous', 'logs of the previous (crashed) container')
    .option('--init', 'logs of the init-home container')
    .action((project: string | undefined, _o, cmd: Command) =>
      dispatch(cmd, () => import('./commands/logs.js'), (m, app) => m.run(app, project, cmd.opts())),
    );

  program
    .command('restart')
    .description(describeCommand('restart'))
    .argument('[project]', 'project (default: the only configured one)')
    .option('--timeout <duration>', 'how long to wait for the pod', '5m')
    .action((project: string | undefined, _o, cmd: Command) =>
      dispatch(cmd, () => import('./commands/restart.js'), (m, app) => m.run(app, project, cmd.opts())),
    );

  program
    .command('reset-home')
    .description(describeCommand('reset-home'))
    .argument('[project]', 'project (default: the only configured one)')
    .option('--timeout <duration>', 'how long to wait for the pod', '5m')
    .action((project: string | undefined, _o, cmd: Command) =>
      dispatch(cmd, () => import('./commands/reset-home.js'), (m, app) => m.run(app, project, cmd.opts())),
    );

  program
    .command('doctor')
    .description(describeCommand('doctor'))
    .argument('[project]', 'also check this project’s settings and secrets')
    .option('--json', 'print one JSON document')
    .action((project: string | undefined, _o, cmd: Command) =>
      dispatch(cmd, () => import('./commands/doctor.js'), (m, app) => m.run(app, project, cmd.opts())),
    );

  program
    .command('completion')
    .description(describeCommand('completion'))
    .addArgument(new Argument('<shell>', 'bash or zsh').choices(['bash', 'zsh']))
    .action((shell: string, _o, cmd: Command) =>
      dispatch(cmd, () => import('./commands/completion.js'), (m, app) => m.run(app, shell, cmd.opts(), cmd.parent ?? undefined)),
    );

  return program;
}

export async function main(argv: string[]): Promise<number> {
  const nodeMajor = Number(process.versions.node.split('.')[0]);
  if (nodeMajor < 22) {
    process.stderr.write(`rgsd: Node ${process.versions.node} is too old (rgsd needs Node 22 or newer)\nhint: install Node 22 or 24 LTS and make sure \`node\` on PATH is that one\n`);
    return ExitCode.missingTool;
  }
  if (isTopLevelHelp(argv.slice(2))) {
    process.stdout.write(renderTopHelp(helpWidth(process.stdout)));
    return ExitCode.ok;
  }
  await loadCommander();
  const program = buildProgram();
  const verbose = argv.includes('-v') || argv.includes('--verbose');
  const onSigint = (): void => {
    process.stderr.write('\nrgsd: interrupted\n');
    process.exit(ExitCode.interrupted);
  };
  process.on('SIGINT', onSigint);
  try {
    await program.parseAsync(argv);
    return ExitCode.ok;
  } catch (err) {
    return reportError(err, verbose);
  } finally {
    process.off('SIGINT', onSigint);
  }
}

process.exitCode = await main(process.argv);
