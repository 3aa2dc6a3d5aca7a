// The help: rendered from the specs (fast path in main.ts) and printed by commander (the
// parser built in cli/program.ts) — the same text on both paths; every command documented.
import * as commander from 'commander';
import { describe, expect, it } from 'vitest';
import { HELP_OPTION, VERSION_OPTION, helpRequest, helpWidth, renderCommandHelp, renderTopHelp } from '../../src/cli/help.js';
import { buildProgram } from '../../src/cli/program.js';
import { GLOBAL_OPTIONS, parseFlags, usageOf, type CommandSpec } from '../../src/cli/spec.js';
import { COMMAND_ALIASES, COMMAND_NAMES, commandFor, isCommandName, loadCommands } from '../../src/commands/index.js';
import { ExitCode } from '../../src/core/errors.js';
import { reportError } from '../../src/ui/report.js';

const specs = async (): Promise<CommandSpec[]> => (await loadCommands()).map((c) => c.spec);

describe('helpRequest: which command lines the fast path answers', () => {
  it.each([
    [['--help'], { kind: 'top' }],
    [['-h'], { kind: 'top' }],
    [['help'], { kind: 'top' }],
    [['-v', '--help'], { kind: 'top' }],
    [['help', 'up'], { kind: 'command', name: 'up' }],
    [['up', '--help'], { kind: 'command', name: 'up' }],
    [['up', 'demo', '-h'], { kind: 'command', name: 'up' }],
    [['-n', 'x', 'up', '-h'], { kind: 'command', name: 'up' }],
    [['--context', 'status', 'logs', '--help'], { kind: 'command', name: 'logs' }], // "status" is the value of --context
    [['--config-dir', '/c', 'reset-home', '--help'], { kind: 'command', name: 'reset-home' }],
    [['--version'], { kind: 'version' }],
  ] as const)('%j → %j', (args, expected) => {
    expect(helpRequest(args, isCommandName)).toEqual(expected);
  });

  it.each([
    [['up']],
    [['up', '--version']], // commander says "unknown option"
    [['frobnicate', '--help']], // unknown command: the parser reports it
    [['help', 'frobnicate']],
    [['up', '--', '--help']], // after "--" it is an argument
    [[]],
  ])('%j → null (the parser decides)', (args) => {
    expect(helpRequest(args, isCommandName)).toBeNull();
  });
});

describe('every command is documented', () => {
  it('a one-line summary, examples that run the command, described arguments and options', async () => {
    const all = await specs();
    expect(all.map((s) => s.name)).toEqual([...COMMAND_NAMES]);
    for (const s of all) {
      expect(s.summary, s.name).toMatch(/^[a-z].*[^.\s]$/);
      expect(s.summary, s.name).not.toContain('\n');
      expect(s.examples.length, `${s.name} has no examples`).toBeGreaterThan(0);
      for (const e of s.examples) expect(e, s.name).toContain(`rgsd ${s.name}`);
      for (const a of s.args) expect(a.description, `${s.name} ${a.name}`).not.toBe('');
      for (const o of s.options) {
        expect(o.description, `${s.name} ${o.flags}`).not.toBe('');
        expect(parseFlags(o.flags).long, `${s.name} ${o.flags}`).toMatch(/^--[a-z]/);
      }
    }
  });

  it('no command option shadows a global one', async () => {
    const globals = new Set(GLOBAL_OPTIONS.flatMap((o) => Object.values(parseFlags(o.flags)).filter((f) => f?.startsWith('-'))));
    for (const s of await specs()) {
      for (const o of s.options) {
        const f = parseFlags(o.flags);
        expect(globals.has(f.long as string), `${s.name} ${o.flags}`).toBe(false);
        if (f.short) expect(globals.has(f.short), `${s.name} ${o.flags}`).toBe(false);
      }
    }
  });
});

describe('rendering', () => {
  it('the top help lists every command (usage and summary) and every global option', async () => {
    const all = await specs();
    const text = renderTopHelp(all, 200);
    for (const s of all) expect(text).toMatch(new RegExp(`^  ${escapeRe(usageOf(s))} +${escapeRe(s.summary)}$`, 'm'));
    for (const o of [VERSION_OPTION, ...GLOBAL_OPTIONS, HELP_OPTION]) expect(text).toMatch(new RegExp(`^  ${escapeRe(o.flags)} `, 'm'));
    expect(text).toMatch(/^ {2}help \[command\] +display help for command$/m);
  });

  it('a command help: usage, summary, arguments, options with choices and defaults, globals, examples', async () => {
    const up = (await specs()).find((s) => s.name === 'up') as CommandSpec;
    const text = renderCommandHelp(up, 200);
    expect(text.split('\n').slice(0, 4)).toEqual(['Usage: rgsd up [options] [project]', 'Aliases: install, upgrade', '', up.summary]);
    expect(text).toMatch(/^ {2}--timeout <duration> .*\(default: 5m\)$/m);
    expect(text).toMatch(/^Global options:$/m);
    expect(text).toMatch(/^ {2}-n, --namespace <ns> /m);
    expect(text).toContain(`Examples:\n${up.examples.map((e) => `  $ ${e}`).join('\n')}\n`);
    const init = (await specs()).find((s) => s.name === 'init') as CommandSpec;
    expect(renderCommandHelp(init, 200)).toMatch(/^ {2}--agent <agent> +coding agent \(choices: gsd, claude, codex, none\)$/m);
  });

  it.each([80, 100, 132, 200])('every line fits a terminal of %i columns', async (width) => {
    const all = await specs();
    const texts = [renderTopHelp(all, width), ...all.map((s) => renderCommandHelp(s, width))];
    for (const text of texts) for (const line of text.split('\n')) expect(line.length, line).toBeLessThanOrEqual(width);
  });

  it('width: TTY columns, else 80', () => {
    expect(helpWidth({ isTTY: true, columns: 132 })).toBe(132);
    expect(helpWidth({ isTTY: false, columns: 132 })).toBe(80);
    expect(helpWidth({})).toBe(80);
  });
});

/** Run the commander program on `args` and capture what it prints. */
async function viaCommander(args: string[]): Promise<{ out: string; err: string; code: number; report: string }> {
  const program = buildProgram(commander, await loadCommands(), {
    version: () => '9.9.9',
    createApp: async () => {
      throw new Error('a help request must not run a command');
    },
  });
  let out = '';
  let err = '';
  // subcommands copy the output settings when they are created: configure each one
  for (const c of [program, ...program.commands]) c.configureOutput({ writeOut: (s) => (out += s), writeErr: (s) => (err += s) });
  let code: number = ExitCode.ok;
  let report = '';
  try {
    await program.parseAsync(['node', 'rgsd', ...args]);
  } catch (e) {
    code = reportError(e, false, (s) => (report += s));
  }
  return { out, err, code, report };
}

describe('commander prints the same help as the fast path', () => {
  const width = helpWidth(process.stdout);

  it.each([[['--help']], [['-h']], [['help']], [['-v', '--help']]])('rgsd %j', async (args) => {
    expect(helpRequest(args, isCommandName)).toEqual({ kind: 'top' });
    const r = await viaCommander(args);
    expect(r).toEqual({ out: renderTopHelp(await specs(), width), err: '', code: 0, report: '' });
  });

  it.each(COMMAND_NAMES.map((n) => [n]))('%s: `<cmd> --help`, `-n x <cmd> -h`, `help <cmd>`', async (name) => {
    const spec = (await specs()).find((s) => s.name === name) as CommandSpec;
    for (const args of [
      [name, '--help'],
      ['-n', 'x', name, '-h'],
      ['help', name],
    ]) {
      expect(helpRequest(args, isCommandName), args.join(' ')).toEqual({ kind: 'command', name });
      const r = await viaCommander(args);
      expect(r, args.join(' ')).toEqual({ out: renderCommandHelp(spec, width), err: '', code: 0, report: '' });
    }
  });

  it("an alias has its command's help, everywhere the name does; the top help lists the aliases", async () => {
    const all = await specs();
    for (const [alias, name] of Object.entries(COMMAND_ALIASES)) {
      const spec = all.find((s) => s.name === name) as CommandSpec;
      for (const args of [
        [alias, '--help'],
        ['help', alias],
      ]) {
        const req = helpRequest(args, (w) => commandFor(w) !== undefined);
        expect(req, args.join(' ')).toEqual({ kind: 'command', name: alias });
        expect(commandFor(alias)).toBe(name);
        const r = await viaCommander(args);
        expect(r, args.join(' ')).toEqual({ out: renderCommandHelp(spec, width), err: '', code: 0, report: '' });
      }
    }
    expect(renderTopHelp(all, 200)).toContain('Aliases: install, upgrade = up; stop = down; destroy = nuke; attach = connect');
  });

  it('COMMAND_ALIASES is what the specs say, and no alias is a command name', async () => {
    const fromSpecs: Record<string, string> = {};
    for (const s of await specs()) for (const a of s.aliases ?? []) fromSpecs[a] = s.name;
    expect(fromSpecs).toEqual(COMMAND_ALIASES);
    for (const a of Object.keys(COMMAND_ALIASES)) expect(isCommandName(a), a).toBe(false);
    expect(commandFor('frobnicate')).toBeUndefined();
    expect(commandFor('toString')).toBeUndefined();
  });

  it('--version prints the version', async () => {
    expect(await viaCommander(['--version'])).toEqual({ out: '9.9.9\n', err: '', code: 0, report: '' });
  });

  it('an unknown command is a usage error (exit 2) with a hint, no help dump', async () => {
    const r = await viaCommander(['frobnicate']);
    expect(r.code).toBe(ExitCode.usage);
    expect(r.out).toBe('');
    expect(r.report).toBe("rgsd: unknown command 'frobnicate'\nhint: see `rgsd --help` or `rgsd <command> --help`\n");
    const typo = await viaCommander(['statsu']);
    expect(typo.code).toBe(ExitCode.usage);
    expect(typo.report).toMatch(/^rgsd: unknown command 'statsu' \(Did you mean status\?\)\nhint: /);
  });

  it('an unknown option and a missing argument are usage errors too', async () => {
    expect((await viaCommander(['status', '--jsn'])).report).toMatch(/^rgsd: unknown option '--jsn'/);
    expect((await viaCommander(['init'])).code).toBe(ExitCode.usage);
    expect((await viaCommander(['completion', 'fish'])).report).toMatch(/^rgsd: command-argument value 'fish' is invalid/);
  });
});

function escapeRe(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
