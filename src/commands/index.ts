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
  'nuke',
  'connect',
  'logs',
  'restart',
  'reset-home',
  'doctor',
  'completion',
] as const;

export type CommandName = (typeof COMMAND_NAMES)[number];

export function isCommandName(name: string): name is CommandName {
  return (COMMAND_NAMES as readonly string[]).includes(name);
}

/** One command module (its spec and handler). */
export async function loadCommand(name: CommandName): Promise<Command> {
  return ((await import(/* @vite-ignore */ `./${name}.js`)) as { default: Command }).default;
}

/** Every command, in help order. */
export function loadCommands(): Promise<Command[]> {
  return Promise.all(COMMAND_NAMES.map(loadCommand));
}
