// The dependencies every command gets: runner, prompter, output, tools, options, clock.
// main.ts builds the real one; tests build one with a fake runner/prompter and buffers.
import { toolsFromEnv, type Tools } from '../cluster/gateway.js';
import { resolveConfigDir } from './config.js';
import { packageRoot } from './version.js';
import { ChildRunner, SecretGuard, withSafety, type Runner } from './runner.js';
import type { Output, Stream } from '../ui/output.js';
import type { Prompter } from '../ui/prompts.js';

/** Options every command accepts (src/cli/spec.ts GLOBAL_OPTIONS), plus the run modes
 * --json and --dry-run of the commands that have them: read here, and only here. */
export interface GlobalOptions {
  namespace?: string | undefined;
  context?: string | undefined;
  configDir?: string | undefined;
  yes: boolean;
  verbose: boolean;
  /** false with --no-color */
  color: boolean;
  json: boolean;
  dryRun: boolean;
  /** set when `context` came from $RGSD_CONTEXT rather than --context */
  contextFromEnv?: boolean;
  /** set when `namespace` came from $RGSD_NAMESPACE rather than -n */
  namespaceFromEnv?: boolean;
}

/** $RGSD_NAMESPACE and $RGSD_CONTEXT are the defaults of -n and --context (a flag wins; empty is unset). */
export function withEnvDefaults(g: GlobalOptions, env: NodeJS.ProcessEnv): GlobalOptions {
  const out = { ...g };
  if (g.namespace === undefined && env.RGSD_NAMESPACE) Object.assign(out, { namespace: env.RGSD_NAMESPACE, namespaceFromEnv: true });
  if (g.context === undefined && env.RGSD_CONTEXT) Object.assign(out, { context: env.RGSD_CONTEXT, contextFromEnv: true });
  return out;
}

/** What a command that changes the cluster has done so far, and what it is doing now: the
 * ops record their steps here, and on Ctrl-C main.ts prints `summary()` (ui/report.ts):
 * `rgsd: interrupted after the Secret was applied, during helm upgrade: the release may be
 * left pending` + `hint: re-run \`rgsd up demo\` …`. */
export class Progress {
  #begun = false;
  #next: string | undefined;
  readonly #done: string[] = [];
  #current: { doing: string; risk: string | undefined; next: string | undefined } | undefined;

  /** The command is about to change things; `next` is what finishes or recovers its work. */
  begin(next: string): void {
    this.#begun = true;
    this.#next = next;
  }
  /** A step starts: `doing` names it ("helm upgrade"); `risk` is the state an interruption
   * now may leave ("the release may be left pending"); `next` replaces the command's own
   * advice while the step runs. */
  start(doing: string, o: { risk?: string; next?: string } = {}): void {
    this.#current = { doing, risk: o.risk, next: o.next };
  }
  /** The current step finished: `what` says so in the past tense ("the Secret was applied");
   * `next` replaces the advice from now on. */
  done(what: string, o: { next?: string } = {}): void {
    this.#done.push(what);
    this.#current = undefined;
    if (o.next !== undefined) this.#next = o.next;
  }
  /** Nothing changed yet (and nothing is changing). */
  get untouched(): boolean {
    return this.#done.length === 0 && this.#current === undefined;
  }
  #stop: string | undefined;
  /** Ctrl-C is how this command ends (watch, forward): it then says `message` and exits 0. */
  stopsOnInterrupt(message: string): void {
    this.#stop = message;
  }
  /** The message and hint for an interruption now (and its exit code, when it is not 130). */
  summary(): { message: string; hint: string | undefined; exitCode?: number } {
    if (this.#stop !== undefined) return { message: this.#stop, hint: undefined, exitCode: 0 };
    if (!this.#begun) return { message: 'interrupted', hint: undefined };
    if (this.untouched) return { message: 'interrupted before anything was changed', hint: undefined };
    const parts: string[] = [];
    if (this.#done.length) parts.push(`after ${listed(this.#done)}`);
    const cur = this.#current;
    if (cur) parts.push(`during ${cur.doing}${cur.risk ? `: ${cur.risk}` : ''}`);
    return { message: `interrupted ${parts.join(', ')}`, hint: cur?.next ?? this.#next };
  }
}

function listed(items: readonly string[]): string {
  return items.length < 2 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

export interface App {
  /** Wrapped with the SecretGuard, --verbose echo and --dry-run skipping. */
  runner: Runner;
  /** Register secret values here before any subprocess runs. */
  guard: SecretGuard;
  prompter: Prompter;
  out: Output;
  env: NodeJS.ProcessEnv;
  tools: Tools;
  globals: GlobalOptions;
  configDir: string;
  /** Package root (holds chart/rgsd and secrets.example/). */
  packageRoot: string;
  now: () => Date;
  /** True when stdin, stdout and stderr are terminals (prompts draw on stderr; connect attaches stdout). */
  interactive: boolean;
  /** True when stdin and stdout are terminals: what `connect` needs to attach (stderr may go to a file). */
  attachable: boolean;
  /** The steps done so far (for the message on Ctrl-C). */
  progress: Progress;
}

export interface AppDeps {
  runner?: Runner;
  prompter?: Prompter;
  stdout?: Stream;
  stderr?: Stream;
  env?: NodeJS.ProcessEnv;
  interactive?: boolean;
  /** defaults to `interactive` when that is given, else stdin and stdout being terminals */
  attachable?: boolean;
  now?: () => Date;
  packageRoot?: string;
  home?: string;
  /** main.ts keeps a reference for its SIGINT handler. */
  progress?: Progress;
}

export async function createApp(globals: GlobalOptions, deps: AppDeps = {}): Promise<App> {
  const { createOutput } = await import('../ui/output.js');
  const { createPrompter } = await import('../ui/prompts.js');
  const env = deps.env ?? process.env;
  const stdout = deps.stdout ?? process.stdout;
  const stderr = deps.stderr ?? process.stderr;
  const interactive = deps.interactive ?? Boolean(process.stdin.isTTY && process.stdout.isTTY && process.stderr.isTTY);
  const attachable = deps.attachable ?? deps.interactive ?? Boolean(process.stdin.isTTY && process.stdout.isTTY);
  const out = createOutput({ stdout, stderr, env, noColor: !globals.color, verbose: globals.verbose });
  const guard = new SecretGuard();
  const runner = withSafety(deps.runner ?? new ChildRunner(), {
    guard,
    verbose: globals.verbose,
    dryRun: globals.dryRun,
    log: (line) => out.info(out.c.dim(line)),
  });
  return {
    runner,
    guard,
    prompter: deps.prompter ?? createPrompter(interactive),
    out,
    env,
    tools: toolsFromEnv(env),
    globals: withEnvDefaults(globals, env),
    configDir: resolveConfigDir({ configDirFlag: globals.configDir, env, home: deps.home ?? env.HOME }),
    packageRoot: deps.packageRoot ?? packageRoot(),
    now: deps.now ?? (() => new Date()),
    interactive,
    attachable,
    progress: deps.progress ?? new Progress(),
  };
}
