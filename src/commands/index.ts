// The table of commands: one file per command in this directory, listed here in the order
// `rgsd --help` shows them. Adding a command = one new file + one line here.
import type { Command } from '../cli/spec.js';

export const COMMAND_NAMES = [
  'init',
  'up',
  'down',
  'status',
  'peek',
  'run',
  'tasks',
  'watch',
  'transcript',
  'backup',
  'restore',
  'push',
  'pull',
  'nuke',
  'connect',
  'exec',
  'shell',
  'forward',
  'logs',
  'sleep',
  'restart',
  'reset-home',
  'doctor',
  'completion',
] as const;

export type CommandName = (typeof COMMAND_NAMES)[number];

/** The words of the tools users come from (helm install/upgrade, docker stop, tmux attach):
 * other names of a command, everywhere the command's own name works (help, completion, the
 * fast path). Each command's spec lists its own (`aliases`); a unit test keeps both equal. */
export const COMMAND_ALIASES: Readonly<Record<string, CommandName>> = {
  install: 'up',
  upgrade: 'up',
  stop: 'down',
  destroy: 'nuke',
  attach: 'connect',
};

export function isCommandName(name: string): name is CommandName {
  return (COMMAND_NAMES as readonly string[]).includes(name);
}

/** The command a word names (its own name or an alias), or undefined. */
export function commandFor(word: string): CommandName | undefined {
  if (isCommandName(word)) return word;
  return Object.hasOwn(COMMAND_ALIASES, word) ? COMMAND_ALIASES[word] : undefined;
}

/** One command module (its spec and handler). */
export async function loadCommand(name: CommandName): Promise<Command> {
  return ((await import(/* @vite-ignore */ `./${name}.js`)) as { default: Command }).default;
}

/** Every command, in help order. */
export function loadCommands(): Promise<Command[]> {
  return Promise.all(COMMAND_NAMES.map(loadCommand));
}
