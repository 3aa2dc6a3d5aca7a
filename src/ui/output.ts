// All terminal output. stdout carries data only (tables, --json, manifests); everything
// else (progress, warnings, the context line) goes to stderr. Colour is decided for each
// stream on its own (useColor): `rgsd doctor > f` on a terminal keeps escape codes out of f
// while the warnings on stderr stay coloured. The spinner only draws on a terminal stderr.

/** The few styles rgsd uses, as basic ANSI codes (what a colour library's level 1 writes);
 * identity functions when colour is off. Kept here rather than a library: loading one cost
 * about 10 ms of every run. */
export interface Styles {
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
}

export function styles(on: boolean): Styles {
  const wrap =
    (open: number, close: number) =>
    (text: string): string =>
      on ? `\x1b[${open}m${text}\x1b[${close}m` : text;
  return { bold: wrap(1, 22), dim: wrap(2, 22), red: wrap(31, 39), green: wrap(32, 39), yellow: wrap(33, 39), cyan: wrap(36, 39) };
}

export interface Stream {
  write(chunk: string): unknown;
  isTTY?: boolean | undefined;
}

export interface Spinner {
  update(text: string): void;
  succeed(text?: string): void;
  fail(text?: string): void;
  /** Stop without a final line. */
  stop(): void;
}

export interface Output {
  /** colours on stderr (messages) */
  readonly color: boolean;
  /** styles for stderr: info/success/warn lines */
  readonly c: Styles;
  /** styles for stdout: data (tables, marks) */
  readonly cData: Styles;
  /** A line of data on stdout. */
  data(text: string): void;
  /** The one JSON document of a --json run, on stdout. */
  json(value: unknown): void;
  info(msg: string): void;
  success(msg: string): void;
  warn(msg: string): void;
  /** Only with --verbose. */
  debug(msg: string): void;
  /** Terminal control text (a bell, a desktop-notification escape) written as it is to
   * stderr, and only when stderr is a terminal (TERM=dumb excepted): a file gets none. */
  alert(sequence: string): void;
  spinner(text: string): Spinner;
}

export interface OutputOptions {
  stdout: Stream;
  stderr: Stream;
  env: NodeJS.ProcessEnv;
  noColor?: boolean;
  verbose?: boolean;
}

/** Colour on this stream? --no-color and NO_COLOR win, then FORCE_COLOR (0/false: off),
 * then TERM=dumb (off), else only on a terminal. */
export function useColor(stream: Stream, env: NodeJS.ProcessEnv, noColor?: boolean): boolean {
  if (noColor) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '') return force !== '0' && force !== 'false';
  if (env.TERM === 'dumb') return false;
  return Boolean(stream.isTTY);
}

/** Draw a spinner on this stream? Only on a terminal that can redraw a line. */
export function useSpinner(stream: Stream, env: NodeJS.ProcessEnv): boolean {
  return Boolean(stream.isTTY) && env.TERM !== 'dumb';
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export function createOutput(o: OutputOptions): Output {
  const color = useColor(o.stderr, o.env, o.noColor);
  const c = styles(color);
  const cData = styles(useColor(o.stdout, o.env, o.noColor));
  const err = (line: string): void => {
    o.stderr.write(`${line}\n`);
  };
  let jsonWritten = false;
  return {
    color,
    c,
    cData,
    data: (text) => {
      o.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
    },
    json: (value) => {
      if (jsonWritten) throw new Error('bug: --json output written twice');
      jsonWritten = true;
      o.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
    },
    info: (msg) => err(msg),
    success: (msg) => err(`${c.green('✓')} ${msg}`),
    warn: (msg) => err(`${c.yellow('warning:')} ${msg}`),
    debug: (msg) => {
      if (o.verbose) err(c.dim(msg));
    },
    alert: (sequence) => {
      if (useSpinner(o.stderr, o.env)) o.stderr.write(sequence);
    },
    spinner: (text) => {
      if (!useSpinner(o.stderr, o.env)) {
        err(`… ${text}`);
        return {
          update: () => undefined,
          succeed: (t) => err(`${c.green('✓')} ${t ?? text}`),
          fail: (t) => err(`${c.red('✗')} ${t ?? text}`),
          stop: () => undefined,
        };
      }
      let current = text;
      let i = 0;
      const draw = (): void => {
        o.stderr.write(`\r\x1b[2K${c.cyan(FRAMES[i++ % FRAMES.length] ?? '')} ${current}`);
      };
      draw();
      const timer = setInterval(draw, 100);
      timer.unref();
      const end = (line?: string): void => {
        clearInterval(timer);
        o.stderr.write('\r\x1b[2K');
        if (line) err(line);
      };
      return {
        update: (t) => {
          current = t;
        },
        succeed: (t) => end(`${c.green('✓')} ${t ?? current}`),
        fail: (t) => end(`${c.red('✗')} ${t ?? current}`),
        stop: () => end(),
      };
    },
  };
}
