// The dependencies every command gets: runner, prompter, output, tools, options, clock.
// main.ts builds the real one; tests build one with a fake runner/prompter and buffers.
import { homedir } from 'node:os';
import { toolsFromEnv, type Tools } from '../cluster/gateway.js';
import { resolveConfigDir } from './config.js';
import { packageRoot } from './version.js';
import { ExecaRunner, SecretGuard, withSafety, type Runner } from './runner.js';
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
}

export interface AppDeps {
  runner?: Runner;
  prompter?: Prompter;
  stdout?: Stream;
  stderr?: Stream;
  env?: NodeJS.ProcessEnv;
  interactive?: boolean;
  now?: () => Date;
  packageRoot?: string;
  home?: string;
}

export async function createApp(globals: GlobalOptions, deps: AppDeps = {}): Promise<App> {
  const { createOutput } = await import('../ui/output.js');
  const { createPrompter } = await import('../ui/prompts.js');
  const env = deps.env ?? process.env;
  const stdout = deps.stdout ?? process.stdout;
  const stderr = deps.stderr ?? process.stderr;
  const interactive = deps.interactive ?? Boolean(process.stdin.isTTY && process.stdout.isTTY && process.stderr.isTTY);
  const out = createOutput({ stdout, stderr, env, noColor: !globals.color, verbose: globals.verbose });
  const guard = new SecretGuard();
  const runner = withSafety(deps.runner ?? new ExecaRunner(), {
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
    globals,
    configDir: resolveConfigDir({ configDirFlag: globals.configDir, env, home: deps.home ?? env.HOME ?? homedir() }),
    packageRoot: deps.packageRoot ?? packageRoot(),
    now: deps.now ?? (() => new Date()),
    interactive,
  };
}
