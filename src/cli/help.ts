// Help text, rendered from the command specs without loading commander: `rgsd --help` and
// `rgsd <command> --help` start almost as fast as `node -e 0`. The commander program built
// in program.ts prints these same texts (its helpInformation is replaced by them).
import { GLOBAL_OPTIONS, PROGRAM, PROGRAM_DESCRIPTION, parseFlags, usageOf, type CommandSpec, type OptionSpec } from './spec.js';

type Row = readonly [string, string];

/** The top-level --version (program.ts registers it with commander; completion offers it). */
export const VERSION_OPTION: OptionSpec = { flags: '--version', description: 'print the rgsd version' };
/** commander's own help flag, on the program and on every command. */
export const HELP_OPTION: OptionSpec = { flags: '-h, --help', description: 'display help for command' };

function wrap(text: string, indent: number, width: number): string {
  const room = Math.max(20, width - indent);
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    for (const word of paragraph.split(' ')) {
      if (line && line.length + 1 + word.length > room) {
        lines.push(line);
        line = word;
      } else line = line ? `${line} ${word}` : word;
    }
    lines.push(line);
  }
  return lines.join(`\n${' '.repeat(indent)}`);
}

function optionRow(o: OptionSpec): Row {
  const extra = [o.choices ? `choices: ${o.choices.join(', ')}` : '', o.default !== undefined ? `default: ${o.default}` : ''].filter(
    Boolean,
  );
  return [o.flags, extra.length ? `${o.description} (${extra.join('; ')})` : o.description];
}

function section(title: string, rows: readonly Row[], pad: number, width: number): string[] {
  if (rows.length === 0) return [];
  return [title, ...rows.map(([term, desc]) => `  ${term.padEnd(pad)}${wrap(desc, pad + 2, width)}`), ''];
}

function padFor(...groups: (readonly Row[])[]): number {
  return Math.max(...groups.flat().map(([t]) => t.length)) + 2;
}

export function renderTopHelp(commands: readonly CommandSpec[], width = 80): string {
  const options: Row[] = [VERSION_OPTION, ...GLOBAL_OPTIONS, HELP_OPTION].map(optionRow);
  const list: Row[] = [...commands.map((c): Row => [usageOf(c), c.summary]), ['help [command]', 'display help for command']];
  const pad = padFor(options, list);
  return [
    `Usage: ${PROGRAM} [options] [command]`,
    '',
    wrap(PROGRAM_DESCRIPTION, 0, width),
    '',
    ...section('Options:', options, pad, width),
    ...section('Commands:', list, pad, width),
    ...aliasesSection(commands, width),
  ].join('\n');
}

/** "Aliases: install, upgrade = up; stop = down; …" under the command list. */
function aliasesSection(commands: readonly CommandSpec[], width: number): string[] {
  const parts = commands.filter((c) => c.aliases?.length).map((c) => `${c.aliases?.join(', ')} = ${c.name}`);
  return parts.length ? [wrap(`Aliases: ${parts.join('; ')}`, 0, width), ''] : [];
}

export function renderCommandHelp(spec: CommandSpec, width = 80): string {
  const args: Row[] = spec.args.map((a) => [a.name, a.choices ? `${a.description} (choices: ${a.choices.join(', ')})` : a.description]);
  if (spec.rest) args.push([spec.rest.name, spec.rest.description]);
  const options: Row[] = [...spec.options, HELP_OPTION].map(optionRow);
  const globals: Row[] = GLOBAL_OPTIONS.map(optionRow);
  const pad = padFor(args, options, globals);
  return [
    `Usage: ${PROGRAM} ${usageOf(spec)}`,
    ...(spec.aliases?.length ? [`Aliases: ${spec.aliases.join(', ')}`] : []),
    '',
    wrap(spec.description ? `${spec.summary}\n\n${spec.description}` : spec.summary, 0, width),
    '',
    ...section('Arguments:', args, pad, width),
    ...section('Options:', options, pad, width),
    ...section('Global options:', globals, pad, width),
    ...(spec.examples.length ? ['Examples:', ...spec.examples.map((e) => `  $ ${e}`), ''] : []),
  ].join('\n');
}

/** Terminal width for help: the TTY's columns, else 80. */
export function helpWidth(stream: { isTTY?: boolean; columns?: number }): number {
  return stream.isTTY && stream.columns ? stream.columns : 80;
}

const GLOBALS_WITH_VALUE = new Set(
  GLOBAL_OPTIONS.filter((o) => parseFlags(o.flags).value).flatMap((o) => {
    const f = parseFlags(o.flags);
    return [f.short, f.long].filter((x): x is string => Boolean(x));
  }),
);

export type HelpRequest = { kind: 'top' } | { kind: 'command'; name: string } | { kind: 'version' } | null;

/**
 * Is this command line only a request for help or the version? `rgsd --help`, `rgsd help`,
 * `rgsd help up`, `rgsd up --help`, `rgsd -n x up demo -h`. Anything else (or an unknown
 * command) is left to the parser.
 */
export function helpRequest(args: readonly string[], isCommand: (name: string) => boolean): HelpRequest {
  const words: string[] = [];
  let help = false;
  let version = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === '--') break;
    if (a === '-h' || a === '--help') help = true;
    else if (a === '--version' && words.length === 0) version = true;
    else if (GLOBALS_WITH_VALUE.has(a)) i++;
    else if (!a.startsWith('-')) words.push(a);
  }
  const [first, second] = words;
  if (first === 'help') {
    if (second === undefined) return { kind: 'top' };
    return isCommand(second) ? { kind: 'command', name: second } : null;
  }
  if (help) {
    if (first === undefined) return { kind: 'top' };
    return isCommand(first) ? { kind: 'command', name: first } : null;
  }
  if (version && first === undefined) return { kind: 'version' };
  return null;
}
