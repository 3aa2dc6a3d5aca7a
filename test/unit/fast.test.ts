// cli/fast.ts reads `rgsd connect …` exactly as the commander program does, or leaves it to
// commander: every argv here is parsed both ways and the results compared.
import * as commander from 'commander';
import { describe, expect, it } from 'vitest';
import { commandNameOf, FAST_COMMANDS, fastParse, type FastParse } from '../../src/cli/fast.js';
import { buildProgram } from '../../src/cli/program.js';
import type { Command } from '../../src/cli/spec.js';
import { loadCommand, loadCommands } from '../../src/commands/index.js';
import type { GlobalOptions } from '../../src/core/app.js';

/** What the commander program hands the command: its globals, arguments and own options. */
async function viaCommander(args: string[]): Promise<FastParse | 'error'> {
  let seen: FastParse | undefined;
  let globals: GlobalOptions | undefined;
  const commands: Command[] = (await loadCommands()).map((c) => ({
    spec: c.spec,
    run: async (_app, a, own) => {
      seen = { args: a, own, globals: globals as GlobalOptions };
    },
  }));
  const program = buildProgram(commander, commands, {
    version: () => '9.9.9',
    createApp: async (g) => {
      globals = g;
      return {} as never;
    },
  });
  for (const c of [program, ...program.commands]) c.configureOutput({ writeOut: () => undefined, writeErr: () => undefined });
  try {
    await program.parseAsync(['node', 'rgsd', ...args]);
  } catch {
    return 'error';
  }
  return seen ?? 'error';
}

const connect = (await loadCommand('connect')).spec;

describe('the fast path of connect', () => {
  it('is what main.ts uses for connect only', () => {
    expect([...FAST_COMMANDS]).toEqual(['connect']);
  });

  it.each([
    [['connect']],
    [['connect', 'myproj']],
    [['connect', 'myproj', 'review']],
    [['connect', 'myproj', '-n', 'team']],
    [['-n', 'team', 'connect', 'myproj']],
    [['--namespace=team', '--context', 'prod', 'connect', 'myproj']],
    [['connect', '--context=prod', 'myproj', '--config-dir', '/tmp/c']],
    [['connect', 'myproj', '--new', 'review']],
    [['connect', 'myproj', '--new=review', '--iterm']],
    [['connect', 'myproj', '--list', '--json']],
    [['-v', 'connect', 'myproj', '--no-color', '-y']],
    [['--verbose', 'connect', '--yes', 'myproj']],
  ])('%j: the same as commander', async (args) => {
    const fast = fastParse(args, connect);
    expect(fast).toBeDefined();
    expect(fast).toEqual(await viaCommander(args));
    expect(commandNameOf(args)).toBe('connect');
  });

  it.each([
    [['connect', '--', 'myproj']],
    [['connect', 'myproj', 'a', 'b']],
    [['connect', '-vy', 'myproj']],
    [['connect', 'myproj', '--nope']],
    [['connect', 'myproj', '--new']],
    [['connect', 'myproj', '--new', '--iterm']],
    [['connect', 'myproj', '-n', 'a', '-n', 'b']],
    [['connect', 'myproj', '--iterm=yes']],
    [['status', 'myproj']],
  ])('%j: left to commander', (args) => {
    expect(fastParse(args, connect)).toBeUndefined();
  });

  it("`attach` (connect's alias) takes the fast path and parses as commander does", async () => {
    for (const args of [
      ['attach', 'myproj'],
      ['-n', 'team', 'attach', 'myproj', '--new', 'review'],
    ]) {
      expect(commandNameOf(args)).toBe('attach');
      const fast = fastParse(args, connect);
      expect(fast).toBeDefined();
      expect(fast).toEqual(await viaCommander(args));
    }
    expect(fastParse(['stop', 'myproj'], connect)).toBeUndefined();
  });

  it('finds the command name past the global options and their values', () => {
    expect(commandNameOf(['-n', 'connect', 'status'])).toBe('status');
    expect(commandNameOf(['--context', 'x', '-v', 'connect'])).toBe('connect');
    expect(commandNameOf(['-v'])).toBeUndefined();
  });
});
