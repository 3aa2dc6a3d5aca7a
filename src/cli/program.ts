// The commander program, built from the command specs: parsing only. Help comes from
// help.ts (same text on every path); errors go to the one handler in ui/report.ts.
import type { Command as Commander } from 'commander';
import type { App, GlobalOptions } from '../core/app.js';
import { HELP_OPTION, VERSION_OPTION, renderCommandHelp, renderTopHelp, helpWidth } from './help.js';
import { UsageError } from '../core/errors.js';
import {
  GLOBAL_OPTIONS,
  PROGRAM,
  PROGRAM_DESCRIPTION,
  argUsage,
  parseFlags,
  usageOf,
  type Args,
  type Command,
  type CommandSpec,
  type OptionSpec,
} from './spec.js';

type CommanderModule = typeof import('commander');

/** The per-command options that are really run modes, read once into `app.globals`. */
const MODE_KEYS = ['json', 'dryRun'] as const;

function addOption(commander: CommanderModule, cmd: Commander, o: OptionSpec): void {
  const opt = new commander.Option(o.flags, o.description);
  if (o.choices) opt.choices(o.choices);
  if (o.default !== undefined) opt.default(o.default);
  if (o.repeatable) opt.argParser((value: string, previous: string[] | undefined) => [...(previous ?? []), value]);
  cmd.addOption(opt);
}

/** The words after the first `--` of a command line that is not an option's value. */
export function wordsAfterDash(argv: readonly string[], options: readonly OptionSpec[]): string[] {
  const takesValue = new Set(
    options.flatMap((o) => {
      const f = parseFlags(o.flags);
      return f.value ? [f.short, f.long].filter((x): x is string => Boolean(x)) : [];
    }),
  );
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--') return argv.slice(i + 1);
    if (takesValue.has(a)) i++;
  }
  return [];
}

/** The operands commander gave a command with `rest` (its arguments, then `[rest...]`), split
 * at the `--` of the command line: the arguments before it, the command after it. Commander
 * drops the `--` itself, so `raw` (the whole command line) says how many words followed it. */
export function splitRest(spec: CommandSpec, params: readonly unknown[], raw: readonly string[]): { args: Args; rest: string[] } {
  const operands = params
    .slice(0, spec.args.length + 1)
    .flatMap((v) => (v === undefined ? [] : Array.isArray(v) ? (v as string[]) : [v as string]));
  const after = Math.min(wordsAfterDash(raw, [...GLOBAL_OPTIONS, ...spec.options]).length, operands.length);
  const before = operands.slice(0, operands.length - after);
  if (before.length > spec.args.length) {
    throw new UsageError(`unexpected argument "${before[spec.args.length]}": the command goes after --`, {
      hint: `${PROGRAM} ${usageOf(spec)}`,
    });
  }
  const args: Args = {};
  spec.args.forEach((a, i) => {
    args[a.name] = before[i];
  });
  return { args, rest: operands.slice(operands.length - after) };
}

export interface ProgramDeps {
  version: () => string;
  /** Builds the App for a run (main.ts: the real one; tests: a fake). */
  createApp: (globals: GlobalOptions) => Promise<App>;
}

export function buildProgram(commander: CommanderModule, commands: readonly Command[], deps: ProgramDeps): Commander {
  const width = helpWidth(process.stdout);
  const specs = commands.map((c) => c.spec);
  const program = new commander.Command(PROGRAM).description(PROGRAM_DESCRIPTION);
  program.version(deps.version(), VERSION_OPTION.flags, VERSION_OPTION.description);
  // set before the commands are added: they inherit it (the help text shows the same row)
  program.helpOption(HELP_OPTION.flags, HELP_OPTION.description);
  for (const o of GLOBAL_OPTIONS) addOption(commander, program, o);
  program.helpInformation = () => renderTopHelp(specs, width);
  program
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({ outputError: () => undefined });

  for (const command of commands) {
    const { spec } = command;
    const cmd = program.command(spec.name).description(spec.summary);
    if (spec.aliases?.length) cmd.aliases([...spec.aliases]);
    for (const a of spec.args) {
      const arg = new commander.Argument(argUsage(a), a.description);
      if (a.choices) arg.choices(a.choices);
      cmd.addArgument(arg);
    }
    if (spec.rest) cmd.addArgument(new commander.Argument(`[${spec.rest.name}...]`, spec.rest.description));
    for (const o of spec.options) addOption(commander, cmd, o);
    cmd.helpInformation = () => renderCommandHelp(spec, width);
    cmd.action(async (...params: unknown[]) => {
      const self = params[params.length - 1] as Commander;
      let args: Args = {};
      let rest: string[] = [];
      if (spec.rest) {
        // commander keeps the whole command line on the program (untyped)
        ({ args, rest } = splitRest(spec, params, (program as unknown as { rawArgs?: string[] }).rawArgs ?? []));
      } else {
        spec.args.forEach((a, i) => {
          const value = params[i] as string | string[] | undefined;
          args[a.name] = Array.isArray(value) ? value.join(' ') || undefined : value;
          // the words of a variadic argument, each as typed (paths may hold spaces)
          if (Array.isArray(value)) rest = value;
        });
      }
      const all = self.optsWithGlobals<Record<string, unknown>>();
      const own: Record<string, unknown> = { ...self.opts() };
      for (const k of MODE_KEYS) delete own[k];
      const app = await deps.createApp({
        namespace: all.namespace as string | undefined,
        context: all.context as string | undefined,
        configDir: all.configDir as string | undefined,
        yes: Boolean(all.yes),
        verbose: Boolean(all.verbose),
        color: all.color !== false,
        json: Boolean(all.json),
        dryRun: Boolean(all.dryRun),
      });
      await command.run(app, args, own, rest);
    });
  }
  return program;
}
