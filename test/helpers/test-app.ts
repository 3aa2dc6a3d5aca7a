// Build an App for unit tests: fake runner, scripted prompter, captured stdout/stderr.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach } from 'vitest';
import { createApp, type App, type GlobalOptions } from '../../src/core/app.js';
import type { Choice, Prompter } from '../../src/ui/prompts.js';
import { FakeRunner } from './fake-runner.js';
import type { Runner } from '../../src/core/runner.js';

export const REPO_ROOT = resolve(import.meta.dirname, '..', '..');

/** Answers prompts from a script, in order; fails on an unexpected prompt. */
export class FakePrompter implements Prompter {
  readonly asked: { kind: string; message: string; choices?: unknown[] }[] = [];
  constructor(
    private readonly answers: unknown[] = [],
    readonly interactive = true,
  ) {}
  #next(kind: string, message: string, choices?: unknown[]): unknown {
    this.asked.push({ kind, message, ...(choices ? { choices } : {}) });
    if (this.answers.length === 0) throw new Error(`FakePrompter: unexpected ${kind} prompt: ${message}`);
    return this.answers.shift();
  }
  async input(message: string, opts: { default?: string; validate?: (v: string) => true | string } = {}): Promise<string> {
    const a = this.#next('input', message);
    const v = a === undefined ? (opts.default ?? '') : String(a);
    const ok = opts.validate ? opts.validate(v) : true;
    if (ok !== true) throw new Error(`FakePrompter: answer "${v}" to "${message}" rejected: ${ok}`);
    return v;
  }
  async confirm(message: string, opts: { default?: boolean } = {}): Promise<boolean> {
    const a = this.#next('confirm', message);
    return a === undefined ? (opts.default ?? false) : Boolean(a);
  }
  async select<T>(message: string, choices: Choice<T>[], opts: { default?: T } = {}): Promise<T> {
    const a = this.#next(
      'select',
      message,
      choices.map((c) => c.value),
    );
    if (a === undefined) return opts.default ?? (choices[0] as Choice<T>).value;
    if (!choices.some((c) => c.value === a)) throw new Error(`FakePrompter: "${String(a)}" is not a choice of "${message}"`);
    return a as T;
  }
}

const tempDirs: string[] = [];
afterEach(() => {
  while (tempDirs.length) rmSync(tempDirs.pop() as string, { recursive: true, force: true });
});

/** A temp dir removed after the current test. */
export function tempDir(prefix = 'rgsd-test-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(d);
  return d;
}

export interface TestApp {
  app: App;
  runner: FakeRunner;
  prompter: Prompter;
  stdout: () => string;
  stderr: () => string;
  configDir: string;
}

export async function testApp(
  opts: {
    runner?: FakeRunner;
    /** A real runner (e.g. ChildRunner) instead of the fake one. */
    realRunner?: Runner;
    prompter?: Prompter;
    globals?: Partial<GlobalOptions>;
    env?: NodeJS.ProcessEnv;
    configDir?: string;
    interactive?: boolean;
    /** stdin and stdout on a terminal (what connect needs); defaults to `interactive` */
    attachable?: boolean;
    now?: Date;
  } = {},
): Promise<TestApp> {
  const runner = opts.runner ?? new FakeRunner();
  const configDir = opts.configDir ?? tempDir('rgsd-config-');
  const interactive = opts.interactive ?? false;
  const prompter = opts.prompter ?? new FakePrompter([], interactive);
  let out = '';
  let err = '';
  const globals: GlobalOptions = { yes: false, verbose: false, color: false, json: false, dryRun: false, configDir, ...opts.globals };
  const app = await createApp(globals, {
    runner: opts.realRunner ?? runner,
    prompter,
    stdout: { write: (s: string) => (out += s), isTTY: false },
    stderr: { write: (s: string) => (err += s), isTTY: false },
    // rgsd reads the current context from the kubeconfig itself: "ctx", like the fixtures
    env: { HOME: configDir, KUBECONFIG: kubeconfigFile('ctx'), ...opts.env },
    interactive,
    ...(opts.attachable !== undefined ? { attachable: opts.attachable } : {}),
    packageRoot: REPO_ROOT,
    ...(opts.now ? { now: () => opts.now as Date } : {}),
  });
  return { app, runner, prompter, stdout: () => out, stderr: () => err, configDir };
}

/** A kubeconfig file whose current-context is `ctx` (none when null), removed after the test. */
export function kubeconfigFile(ctx: string | null): string {
  const f = join(tempDir('rgsd-kube-'), 'config');
  writeFileSync(f, `apiVersion: v1\nkind: Config\n${ctx === null ? '' : `current-context: ${ctx}\n`}`);
  return f;
}

/** A kubeconfig whose contexts (`dead`, current, and `other`) point at a closed port. */
/** What main.ts's error handler prints for `err` after a run of `app` (the interrupt summary included). */
export async function reportText(app: Pick<App, 'progress'>, err: unknown): Promise<string> {
  const { reportError } = await import('../../src/ui/report.js');
  let text = '';
  reportError(
    err,
    false,
    (s) => {
      text += s;
    },
    () => app.progress.summary(),
  );
  return text;
}

export function deadKubeconfig(): string {
  const f = join(tempDir(), 'config');
  writeFileSync(
    f,
    `apiVersion: v1
kind: Config
clusters: [{name: dead, cluster: {server: "https://127.0.0.1:1"}}]
users: [{name: u, user: {token: not-a-real-token}}]
contexts: [{name: dead, context: {cluster: dead, user: u}}, {name: other, context: {cluster: dead, user: u}}]
current-context: dead
`,
  );
  return f;
}
