// Typed errors with distinct exit codes. The top-level handler in main.ts prints
// `rgsd: <message>`, the error's `details` (indented lines: what a failed helm/kubectl call
// said beyond its first line, e.g. every schema error with its path) and `hint: <hint>`, and
// exits with `exitCode`. Ordinary errors are one line and a hint.
// The table is documented in README.md ("Exit codes"); keep both in sync. Failed helm and
// kubectl calls become these types in one place only: src/cluster/classify.ts.

export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  config: 3,
  missingTool: 4,
  unreachable: 5,
  notFound: 6,
  refused: 7,
  timeout: 8,
  forbidden: 9,
  interrupted: 130,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export class RgsdError extends Error {
  readonly exitCode: ExitCodeValue;
  readonly hint: string | undefined;
  /** Lines shown under the message (indented), e.g. the rest of a tool's error output. */
  readonly details: readonly string[];
  constructor(
    message: string,
    opts: { exitCode?: ExitCodeValue; hint?: string | undefined; cause?: unknown; details?: readonly string[] } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.exitCode = opts.exitCode ?? ExitCode.failure;
    this.hint = opts.hint;
    this.details = opts.details ?? [];
  }
}

type Opts = { hint?: string | undefined; cause?: unknown; details?: readonly string[] };

/** Bad command line: unknown flag, missing argument, a prompt needed without a TTY. */
export class UsageError extends RgsdError {
  constructor(message: string, opts: Opts = {}) {
    super(message, { ...opts, exitCode: ExitCode.usage });
  }
}
/** Bad or missing settings / secrets file, invalid project name, wrong context. */
export class ConfigError extends RgsdError {
  constructor(message: string, opts: Opts = {}) {
    super(message, { ...opts, exitCode: ExitCode.config });
  }
}
/** helm or kubectl not installed / unsupported version. */
export class MissingToolError extends RgsdError {
  constructor(message: string, opts: Opts = {}) {
    super(message, { ...opts, exitCode: ExitCode.missingTool });
  }
}
/** The cluster cannot be reached (network, auth, no kubeconfig). */
export class ClusterUnreachableError extends RgsdError {
  constructor(message: string, opts: Opts = {}) {
    super(message, { ...opts, exitCode: ExitCode.unreachable });
  }
}
/** A project, release, pod or session does not exist. `resource` names the kind of a
 * cluster object (as the API server spells it: "deployments.apps", "release", …). */
export class NotFoundError extends RgsdError {
  readonly resource: string | undefined;
  constructor(message: string, opts: Opts & { resource?: string | undefined } = {}) {
    super(message, { ...opts, exitCode: ExitCode.notFound });
    this.resource = opts.resource;
  }
}
/** The cluster refused the call: the credentials lack a permission (RBAC). */
export class ForbiddenError extends RgsdError {
  readonly verb: string | undefined;
  readonly resource: string | undefined;
  constructor(message: string, opts: Opts & { verb?: string | undefined; resource?: string | undefined } = {}) {
    super(message, { ...opts, exitCode: ExitCode.forbidden });
    this.verb = opts.verb;
    this.resource = opts.resource;
  }
}
/** The object to create exists already (kubectl create). */
export class AlreadyExistsError extends RgsdError {
  readonly resource: string | undefined;
  constructor(message: string, opts: Opts & { resource?: string | undefined } = {}) {
    super(message, opts);
    this.resource = opts.resource;
  }
}
/** Helm refused: another install/upgrade/rollback of the release is in progress. */
export class ReleaseBusyError extends RgsdError {}

/** A confirmation was refused, or could not be asked (no TTY and no --yes/--confirm). */
export class RefusedError extends RgsdError {
  constructor(message: string, opts: Opts = {}) {
    super(message, { ...opts, exitCode: ExitCode.refused });
  }
}
/** A wait (rollout, readiness, subprocess timeout) ran out of time. */
export class TimeoutError extends RgsdError {
  constructor(message: string, opts: Opts = {}) {
    super(message, { ...opts, exitCode: ExitCode.timeout });
  }
}
/** Ctrl-C (SIGINT) or a prompt closed by the user. */
export class InterruptedError extends RgsdError {
  constructor(message = 'interrupted', opts: Opts = {}) {
    super(message, { ...opts, exitCode: ExitCode.interrupted });
  }
}

/** An interactive child (kubectl exec -it, kubectl logs) exited non-zero: rgsd exits with
 * the same status and prints nothing (the child already spoke on the inherited terminal). */
export class ChildExitError extends RgsdError {
  readonly status: number;
  constructor(command: string, status: number) {
    super(`${command} exited with status ${status}`, { exitCode: (status > 0 && status < 256 ? status : 1) as ExitCodeValue });
    this.status = status;
  }
}

/** A subprocess exited non-zero. Carries the command (argv, never stdin) and its output: the
 * message is the first line that says something, `details` the other lines that do (helm's
 * schema errors, one per line with its path); `-v` shows all of `stderr`. */
export class CommandError extends RgsdError {
  readonly command: readonly string[];
  readonly commandExitCode: number;
  readonly stderr: string;
  readonly stdout: string;
  /** The tool's first line that says something, without its "Error: " (or the exit code). */
  readonly summary: string;
  constructor(command: readonly string[], commandExitCode: number, stderr: string, stdout = '', opts: Opts = {}) {
    const said = toolLines(stderr).length > 0 ? toolLines(stderr) : toolLines(stdout);
    const first = said[0]?.trim().replace(/^Error:\s*/i, '') || `exit code ${commandExitCode}`;
    super(`${command[0] ?? 'command'} failed: ${first}`, {
      ...opts,
      exitCode: ExitCode.failure,
      hint: opts.hint ?? `re-run with -v to see the command line (${command.slice(0, 3).join(' ')} …)`,
      details: opts.details ?? said.slice(1),
    });
    this.command = command;
    this.commandExitCode = commandExitCode;
    this.stderr = stderr;
    this.stdout = stdout;
    this.summary = first;
  }
}

export function firstLine(text: string): string {
  return (toolLines(text)[0] ?? '').trim().replace(/^Error:\s*/i, '');
}

/** klog lines (`E1123 10:00:00.000000 123 memcache.go:265] …`, time and pid optional) and helm's advice to use --debug. */
const NOISE_RE = /^[IWEF]\d{4} (?:\d\d:\d\d:\d\d\.\d+ +\d+ )?[\w./-]+:\d+\] |^Use --debug flag to render out invalid YAML$/;

/** The lines of a tool's output that say something: not blank, not klog chatter, not helm's
 * "Use --debug flag"; trailing blanks dropped, the indentation of nested lines kept. */
export function toolLines(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l.trim().length > 0 && !NOISE_RE.test(l.trim()));
}

/** True for Ctrl-C in an @inquirer prompt (ExitPromptError) or an AbortError. */
export function isInterrupt(err: unknown): boolean {
  if (err instanceof InterruptedError) return true;
  const name = (err as { name?: unknown } | null)?.name;
  return name === 'ExitPromptError' || name === 'AbortPromptError';
}
