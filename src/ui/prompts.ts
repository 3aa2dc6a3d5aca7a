// Every interactive prompt lives here. Commands receive a `Prompter` (tests inject a fake);
// without a TTY the prompter refuses, and the caller names the flag that answers instead.
import { RefusedError, UsageError } from '../core/errors.js';
import { AGENTS, namespaceProblem, repoUrlProblem, sizeProblem } from '../core/vocab.js';

export interface Choice<T> {
  name: string;
  value: T;
  description?: string;
}

export interface Prompter {
  /** False when stdin/stdout is not a TTY: every prompt then throws UsageError. */
  readonly interactive: boolean;
  input(message: string, opts?: { default?: string; validate?: (v: string) => true | string }): Promise<string>;
  confirm(message: string, opts?: { default?: boolean }): Promise<boolean>;
  select<T>(message: string, choices: Choice<T>[], opts?: { default?: T }): Promise<T>;
}

/** Prompter for a non-interactive run: any prompt is a usage error naming the flag. */
export class NoTtyPrompter implements Prompter {
  readonly interactive = false;
  async input(message: string): Promise<string> {
    throw noTty(message);
  }
  async confirm(message: string): Promise<boolean> {
    throw noTty(message);
  }
  async select<T>(message: string): Promise<T> {
    throw noTty(message);
  }
}

function noTty(message: string): UsageError {
  return new UsageError(`cannot ask "${message.replace(/[?:]\s*$/, '')}": stdin is not a terminal`, {
    hint: 'pass the answer as a flag (see --help), or --yes to accept defaults',
  });
}

/** Prompts draw on stderr: stdout stays data only (e.g. `rgsd status --json > f` never gets a prompt). */
const PROMPT_CONTEXT = { output: process.stderr };

/** The real prompter (@inquirer/prompts, loaded on first use). Ctrl-C raises ExitPromptError,
 * which main.ts maps to exit 130. */
export class InquirerPrompter implements Prompter {
  readonly interactive = true;
  async input(message: string, opts: { default?: string; validate?: (v: string) => true | string } = {}): Promise<string> {
    const { input } = await import('@inquirer/prompts');
    return input(
      { message, ...(opts.default !== undefined ? { default: opts.default } : {}), ...(opts.validate ? { validate: opts.validate } : {}) },
      PROMPT_CONTEXT,
    );
  }
  async confirm(message: string, opts: { default?: boolean } = {}): Promise<boolean> {
    const { confirm } = await import('@inquirer/prompts');
    return confirm({ message, default: opts.default ?? false }, PROMPT_CONTEXT);
  }
  async select<T>(message: string, choices: Choice<T>[], opts: { default?: T } = {}): Promise<T> {
    const { select } = await import('@inquirer/prompts');
    return select<T>(
      {
        message,
        choices: choices.map((c) => ({ name: c.name, value: c.value, ...(c.description ? { description: c.description } : {}) })),
        ...(opts.default !== undefined ? { default: opts.default } : {}),
      },
      PROMPT_CONTEXT,
    );
  }
}

export function createPrompter(isTTY: boolean): Prompter {
  return isTTY ? new InquirerPrompter() : new NoTtyPrompter();
}

// ---- flows used by commands ------------------------------------------------------------

/** Ask for confirmation; `yes` (from --yes) skips it; without a TTY and without --yes refuse. */
export async function confirmOrRefuse(
  p: Prompter,
  message: string,
  opts: { yes: boolean; refusal: string; hint: string; default?: boolean },
): Promise<void> {
  if (opts.yes) return;
  if (!p.interactive) throw new RefusedError(`${opts.refusal} (stdin is not a terminal, so it cannot be confirmed)`, { hint: opts.hint });
  if (!(await p.confirm(message, { default: opts.default ?? false }))) throw new RefusedError(opts.refusal, { hint: opts.hint });
}

/** Require typing `expected` exactly (nuke). */
export async function confirmTyped(p: Prompter, expected: string, message: string): Promise<boolean> {
  const answer = await p.input(message);
  return answer.trim() === expected;
}

/** Pick one of several items; one item is returned without asking. */
export async function pickOne<T>(p: Prompter, message: string, choices: Choice<T>[], noTtyHint: string): Promise<T> {
  if (choices.length === 1 && choices[0]) return choices[0].value;
  if (!p.interactive)
    throw new UsageError(`${message.replace(/[?:]\s*$/, '')}: ${choices.length} candidates and stdin is not a terminal`, {
      hint: noTtyHint,
    });
  return p.select(message, choices);
}

export interface InitAnswers {
  repo: string;
  branch: string;
  agent: string;
  autoStart: boolean;
  namespace: string;
  context: string;
  storageSize: string;
}

/** The repository question: empty (no repository) or a URL by the rule --repo uses. */
export function validateRepoAnswer(v: string): true | string {
  return v === '' ? true : (repoUrlProblem(v) ?? true);
}

/** The namespace question: the rule -n and the settings file use. */
export function validateNamespaceAnswer(v: string): true | string {
  return namespaceProblem(v) ?? true;
}

/** The volume-size question: the rule --storage-size and the settings file use. */
export function validateSizeAnswer(v: string): true | string {
  return sizeProblem(v) ?? true;
}

/** The `rgsd init` questions; `given` answers (from flags) are not asked again. */
export async function askInit(p: Prompter, given: Partial<InitAnswers>, defaults: InitAnswers): Promise<InitAnswers> {
  const ask = async (key: keyof InitAnswers, message: string, validate?: (v: string) => true | string): Promise<string> =>
    (given[key] as string | undefined) ?? p.input(message, { default: String(defaults[key]), ...(validate ? { validate } : {}) });
  const repo = await ask('repo', 'Git repository URL to clone (https or ssh; empty for none):', validateRepoAnswer);
  const branch = await ask('branch', 'Branch (empty: the remote default):');
  const agents = AGENTS.map((a) => ({ name: a, value: a as string }));
  const agent = given.agent ?? (await p.select('Coding agent:', agents, { default: defaults.agent }));
  const autoStart = given.autoStart ?? (await p.confirm('Start the agent automatically in tmux?', { default: defaults.autoStart }));
  const namespace = await ask('namespace', 'Kubernetes namespace:', validateNamespaceAnswer);
  const context = await ask('context', 'Pin a kube context (empty: use the current one):');
  const storageSize = await ask('storageSize', 'Home volume size:', validateSizeAnswer);
  return { repo, branch, agent, autoStart, namespace, context, storageSize };
}
