// All terminal output. stdout carries data only (tables, --json, manifests); everything
// else (progress, warnings, the context line) goes to stderr. Colours only when the stream
// is a TTY and neither NO_COLOR nor --no-color is set; the spinner only on a TTY stderr.
import { Chalk, type ChalkInstance } from 'chalk';

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
  readonly color: boolean;
  readonly jsonMode: boolean;
  readonly c: ChalkInstance;
  /** A line of data on stdout. */
  data(text: string): void;
  /** The one JSON document of a --json run, on stdout. */
  json(value: unknown): void;
  info(msg: string): void;
  success(msg: string): void;
  warn(msg: string): void;
  /** Only with --verbose. */
  debug(msg: string): void;
  spinner(text: string): Spinner;
}

export interface OutputOptions {
  stdout: Stream;
  stderr: Stream;
  env: NodeJS.ProcessEnv;
  noColor?: boolean;
  json?: boolean;
  verbose?: boolean;
}

export function useColor(stream: Stream, env: NodeJS.ProcessEnv, noColor?: boolean): boolean {
  if (noColor) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return Boolean(stream.isTTY);
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export function createOutput(o: OutputOptions): Output {
  const color = useColor(o.stderr, o.env, o.noColor);
  const c = new Chalk({ level: color ? 1 : 0 });
  const err = (line: string): void => {
    o.stderr.write(`${line}\n`);
  };
  let jsonWritten = false;
  return {
    color,
    jsonMode: Boolean(o.json),
    c,
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
    spinner: (text) => {
      if (!o.stderr.isTTY) {
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

/** Fixed-width table for human output (stdout). */
export function table(rows: string[][]): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ')).join('\n');
}

/** "3d4h", "12m", "40s" from seconds. */
export function formatAge(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '-';
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  if (d > 0) return h ? `${d}d${h}h` : `${d}d`;
  if (h > 0) return m ? `${h}h${m}m` : `${h}h`;
  if (m > 0) return `${m}m`;
  return `${Math.floor(seconds)}s`;
}
