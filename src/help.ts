// The top-level help: one spec (program description, global options, command summaries)
// rendered without loading commander, so `rgsd --help` starts almost as fast as `node -e 0`.
// main.ts builds the commander program from the same spec (descriptions, global options)
// and makes commander print this same text; test/unit/help.test.ts checks that the spec
// and the program agree (every command, its usage and description).

export const PROGRAM_DESCRIPTION =
  'A persistent coding-agent workstation per project on Kubernetes (agent in tmux, home on a PVC).';

/** [flags, description] of the options every command accepts. */
export const GLOBAL_OPTIONS: readonly (readonly [string, string])[] = [
  ['-n, --namespace <ns>', 'Kubernetes namespace (default: settings, else "rgsd")'],
  ['--context <name>', 'kube context to use (overrides a pinned context)'],
  ['--config-dir <dir>', 'config directory (default: $RGSD_CONFIG_DIR, $XDG_CONFIG_HOME/rgsd, ~/.config/rgsd)'],
  ['-y, --yes', 'answer yes to confirmations (not to nuke: use --confirm)'],
  ['-v, --verbose', 'print every helm/kubectl command line on stderr'],
  ['--no-color', 'no colours (also NO_COLOR=1)'],
];

/** name → [usage as shown in the command list, description]. */
export const COMMANDS: Readonly<Record<string, readonly [string, string]>> = {
  init: ['init [options] <project>', 'create the settings file and the secrets file (0600) of a project; interactive unless flags answer'],
  up: ['up [options] [project]', 'install or upgrade the workstation and wait until its tmux session is ready'],
  down: ['down [options] [project]', 'remove the workstation and its Secret; the home volume (PVC) is kept'],
  status: ['status [options] [project]', 'release, pod, volume, tmux sessions and VS Code tunnel of one or every project'],
  nuke: ['nuke [options] [project]', 'destroy a project: release, home volume, Secret (and the namespace if nothing else is in it)'],
  connect: ['connect [options] [project] [session]', 'attach to the tmux session in the pod (kubectl exec -it … tmux attach)'],
  logs: ['logs [options] [project]', 'logs of the workstation container (or the init-home container)'],
  restart: ['restart [options] [project]', 'restart the pod (ends the tmux session; the home is kept)'],
  'reset-home': ['reset-home [options] [project]', 're-seed the home from the image skeleton on next boot (delete the sentinel) and restart'],
  doctor: ['doctor [options] [project]', 'run every preflight check (tools, Helm version, context, cluster, namespace, settings, secrets) and report each'],
  completion: ['completion [options] <shell>', 'print a shell completion script'],
};

export function describeCommand(name: string): string {
  const c = COMMANDS[name];
  if (!c) throw new Error(`bug: command ${name} is missing from src/help.ts`);
  return c[1];
}

/** `rgsd --help`, `rgsd -h`, `rgsd help` (nothing else on the line). */
export function isTopLevelHelp(args: readonly string[]): boolean {
  return args.length === 1 && (args[0] === '--help' || args[0] === '-h' || args[0] === 'help');
}

function wrap(text: string, indent: number, width: number): string {
  const room = Math.max(20, width - indent);
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > room) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.join(`\n${' '.repeat(indent)}`);
}

export function renderTopHelp(width = 80): string {
  const options: (readonly [string, string])[] = [['--version', 'print the rgsd version'], ...GLOBAL_OPTIONS, ['-h, --help', 'display help for command']];
  const commands: (readonly [string, string])[] = [...Object.values(COMMANDS), ['help [command]', 'display help for command']];
  const pad = Math.max(...[...options, ...commands].map(([t]) => t.length)) + 2;
  const item = ([term, desc]: readonly [string, string]): string => `  ${term.padEnd(pad)}${wrap(desc, pad + 2, width)}`;
  return [
    'Usage: rgsd [options] [command]',
    '',
    wrap(PROGRAM_DESCRIPTION, 0, width),
    '',
    'Options:',
    ...options.map(item),
    '',
    'Commands:',
    ...commands.map(item),
    '',
  ].join('\n');
}

/** Terminal width for help: the TTY's columns, else 80. */
export function helpWidth(stream: { isTTY?: boolean; columns?: number }): number {
  return stream.isTTY && stream.columns ? stream.columns : 80;
}
