// The fast path of a hot command (`rgsd connect <project>`: the user waits for the terminal):
// its argv read from the specs without loading commander and every other command. It reads
// only what it is sure commander reads the same way — the global options, the command's own
// options and its arguments, in any order — and returns undefined for anything else (`--`,
// `-abc`, a repeated or unknown option, a value outside its choices, a missing argument, one
// too many): then commander parses, with its own errors. test/unit/fast.test.ts compares the
// two on the same argv.
import type { GlobalOptions } from '../core/app.js';
import { GLOBAL_OPTIONS, type Args, type CommandSpec, type OptionSpec } from './spec.js';

/** The commands main.ts runs through this parser. */
export const FAST_COMMANDS: ReadonlySet<string> = new Set(['connect']);

export interface FastParse {
  args: Args;
  /** the command's own options, as commander's `opts()` gives them (without json/dryRun) */
  own: Record<string, unknown>;
  globals: GlobalOptions;
}

interface Flag {
  long: string;
  short: string | undefined;
  /** commander's attribute name: --config-dir → configDir, --no-color → color */
  key: string;
  takesValue: boolean;
  negated: boolean;
  spec: OptionSpec;
}

const camel = (s: string): string => s.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

function flagOf(spec: OptionSpec): Flag | undefined {
  const m = /^(?:(-[a-zA-Z]), )?(--[a-z][a-z-]*)(?: <[^>]+>)?$/.exec(spec.flags);
  if (!m?.[2]) return undefined;
  const long = m[2];
  const negated = long.startsWith('--no-');
  return {
    long,
    short: m[1],
    key: camel(negated ? long.slice(5) : long.slice(2)),
    takesValue: spec.flags.includes('<'),
    negated,
    spec,
  };
}

function flagsOf(specs: readonly OptionSpec[]): Flag[] | undefined {
  const flags = specs.map(flagOf);
  return flags.every((f) => f !== undefined) ? (flags as Flag[]) : undefined;
}

/** The first word that is not an option or a global option's value: the command's name. */
export function commandNameOf(argv: readonly string[]): string | undefined {
  const globals = flagsOf(GLOBAL_OPTIONS) ?? [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (!a.startsWith('-')) return a;
    const g = globals.find((f) => f.long === a || f.short === a);
    if (g?.takesValue) i++;
  }
  return undefined;
}

/** `argv` (without node and the script) for `spec`, or undefined: commander decides. */
export function fastParse(argv: readonly string[], spec: CommandSpec): FastParse | undefined {
  const globalFlags = flagsOf(GLOBAL_OPTIONS);
  const ownFlags = flagsOf(spec.options);
  if (!globalFlags || !ownFlags || spec.args.some((a) => a.variadic)) return undefined;
  const all = [...globalFlags, ...ownFlags];
  const values = new Map<Flag, string | boolean>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (!a.startsWith('-') || a === '-') {
      positional.push(a);
      continue;
    }
    const eq = a.startsWith('--') ? a.indexOf('=') : -1;
    const word = eq > 0 ? a.slice(0, eq) : a;
    const flag = all.find((f) => f.long === word || f.short === word);
    if (!flag || values.has(flag) || (eq > 0 && !flag.takesValue)) return undefined;
    if (!flag.takesValue) {
      values.set(flag, !flag.negated);
      continue;
    }
    const value = eq > 0 ? a.slice(eq + 1) : argv[++i];
    if (value === undefined || (eq < 0 && value.startsWith('-'))) return undefined;
    if (flag.spec.choices && !flag.spec.choices.includes(value)) return undefined;
    values.set(flag, value);
  }
  if (positional[0] !== spec.name && !spec.aliases?.includes(positional[0] ?? '')) return undefined;
  const words = positional.slice(1);
  if (words.length > spec.args.length) return undefined;
  const args: Args = {};
  for (const [i, a] of spec.args.entries()) {
    const w = words[i];
    if (w === undefined && a.required) return undefined;
    if (w !== undefined && a.choices && !a.choices.includes(w)) return undefined;
    args[a.name] = w;
  }
  const get = (flags: Flag[], key: string) => {
    const f = flags.find((x) => x.key === key);
    return f === undefined ? undefined : values.get(f);
  };
  const own: Record<string, unknown> = {};
  for (const f of ownFlags) {
    const v = values.get(f) ?? f.spec.default ?? (f.negated ? true : undefined);
    if (v !== undefined) own[f.key] = v;
  }
  const json = Boolean(own.json);
  const dryRun = Boolean(own.dryRun);
  delete own.json;
  delete own.dryRun;
  return {
    args,
    own,
    globals: {
      namespace: get(globalFlags, 'namespace') as string | undefined,
      context: get(globalFlags, 'context') as string | undefined,
      configDir: get(globalFlags, 'configDir') as string | undefined,
      yes: Boolean(get(globalFlags, 'yes')),
      verbose: Boolean(get(globalFlags, 'verbose')),
      color: get(globalFlags, 'color') !== false,
      json,
      dryRun,
    },
  };
}
