// What a command is: its spec (name, arguments, options, description, examples) and its
// handler, in one file under src/commands/. main.ts builds the parser, the help and the
// completion scripts from these specs. A spec is plain data: importing every command file
// must stay cheap (`rgsd --help` loads them all), so a command file imports its ops and
// anything heavy inside its handler.
import type { App } from '../core/app.js';

/** What a value completes to in the shell completion scripts. */
export type ValueKind = 'any' | 'project' | 'context' | 'dir' | 'file';

export interface OptionSpec {
  /** commander-style flags: "-f, --follow", "--tail <lines>", "--no-auto-start" */
  flags: string;
  description: string;
  choices?: readonly string[];
  default?: string;
  complete?: ValueKind;
  /** May be given more than once: the handler gets every value, in order, as a list. */
  repeatable?: boolean;
}

export interface ArgSpec {
  name: string;
  required: boolean;
  description: string;
  /** The last argument may take several words (`[project...]`); the handler gets them
   * joined by single spaces (for project names, which never hold one, `split(' ')`), and
   * each word as typed in its 4th parameter (for paths, which may hold spaces). */
  variadic?: boolean;
  choices?: readonly string[];
  complete?: ValueKind;
}

export interface CommandSpec {
  name: string;
  /** One line: the command list of `rgsd --help`. */
  summary: string;
  /** More lines for `rgsd <command> --help` (optional). */
  description?: string;
  args: readonly ArgSpec[];
  options: readonly OptionSpec[];
  /** Shown under "Examples:" (without the leading "$ "). */
  examples: readonly string[];
  /** Other names of the command (`attach` for connect); commands/index.ts COMMAND_ALIASES
   * lists the same ones for the paths that do not load the commands. */
  aliases?: readonly string[];
  /** The words after `--` (`rgsd exec p -- sh -c 'exit 7'`): given to the handler as a list,
   * exactly as typed (4th parameter); the usage line shows `-- <name...>`. */
  rest?: { name: string; description: string };
}

/** Positional arguments by name (undefined when an optional one is left out). */
export type Args = Record<string, string | undefined>;

export interface Command<O = Record<string, unknown>> {
  spec: CommandSpec;
  /** `opts` are the command's own options (the global ones are in `app.globals`); `rest` the
   * words after `--` of a spec with `rest` (empty otherwise). */
  run(app: App, args: Args, opts: O, rest?: readonly string[]): Promise<void>;
}

export function defineCommand<O = Record<string, unknown>>(spec: CommandSpec, run: Command<O>['run']): Command<O> {
  return { spec, run };
}

// ---- shared pieces --------------------------------------------------------------------

export const PROGRAM = 'rgsd';
export const PROGRAM_DESCRIPTION = 'A persistent coding-agent workstation per project on Kubernetes (agent in tmux, home on a PVC).';

/** Options every command accepts. */
export const GLOBAL_OPTIONS: readonly OptionSpec[] = [
  { flags: '-n, --namespace <ns>', description: 'Kubernetes namespace (default: $RGSD_NAMESPACE, settings, else "rgsd")' },
  {
    flags: '--context <name>',
    description: 'kube context to use (default: $RGSD_CONTEXT; overrides a pinned context)',
    complete: 'context',
  },
  {
    flags: '--config-dir <dir>',
    description: 'config directory (default: $RGSD_CONFIG_DIR, $XDG_CONFIG_HOME/rgsd, ~/.config/rgsd)',
    complete: 'dir',
  },
  { flags: '-y, --yes', description: 'answer yes to confirmations (not to nuke: use --confirm)' },
  { flags: '-v, --verbose', description: 'print every helm/kubectl command line on stderr' },
  { flags: '--no-color', description: 'no colours (also NO_COLOR=1, TERM=dumb)' },
];

/** The optional `[project]` argument most commands take. */
export function projectArg(description = 'project (default: the only configured one)'): ArgSpec {
  return { name: 'project', required: false, description, complete: 'project' };
}

export const JSON_OPTION: OptionSpec = { flags: '--json', description: 'print one JSON document' };

export function dryRunOption(description: string): OptionSpec {
  return { flags: '--dry-run', description };
}

export function timeoutOption(what: string, fallback: string): OptionSpec {
  return { flags: '--timeout <duration>', description: `how long to wait for ${what}, e.g. 90s, 5m (1s to 24h)`, default: fallback };
}

export interface ParsedFlags {
  short: string | undefined;
  long: string | undefined;
  /** "<lines>" or "[x]", undefined for a switch */
  value: string | undefined;
}

/** "-f, --follow" → { short: "-f", long: "--follow" }; "--tail <lines>" → value "<lines>". */
export function parseFlags(flags: string): ParsedFlags {
  const words = flags.split(/[ ,|]+/).filter(Boolean);
  return {
    short: words.find((w) => /^-[^-]$/.test(w)),
    long: words.find((w) => w.startsWith('--')),
    value: words.find((w) => /^[<[]/.test(w)),
  };
}

/** The usage line of a command: "up [options] [project]". */
export function usageOf(spec: CommandSpec): string {
  const args = spec.args.map((a) => argUsage(a));
  const rest = spec.rest ? ['--', `<${spec.rest.name}...>`] : [];
  return [spec.name, '[options]', ...args, ...rest].join(' ');
}

/** "<name>", "[name]", "[name...]" */
export function argUsage(a: ArgSpec): string {
  const name = `${a.name}${a.variadic ? '...' : ''}`;
  return a.required ? `<${name}>` : `[${name}]`;
}
