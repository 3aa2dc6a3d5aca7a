import { describe, expect, it } from 'vitest';
import { createOutput, useColor, useSpinner, type Stream } from '../../src/ui/output.js';
import { formatAge, plural, table } from '../../src/ui/format.js';
import { reportError } from '../../src/ui/report.js';
import {
  ClusterUnreachableError,
  CommandError,
  ConfigError,
  ExitCode,
  InterruptedError,
  RgsdError,
  TimeoutError,
  UsageError,
  NotFoundError,
  RefusedError,
  MissingToolError,
  ForbiddenError,
  AlreadyExistsError,
  ChildExitError,
} from '../../src/core/errors.js';
import { NoTtyPrompter, confirmOrRefuse, pickOne } from '../../src/ui/prompts.js';
import { FakePrompter } from '../helpers/test-app.js';

function capture(tty: boolean | { stdout: boolean; stderr: boolean }, env: NodeJS.ProcessEnv = {}, noColor = false) {
  const t = typeof tty === 'boolean' ? { stdout: tty, stderr: tty } : tty;
  let out = '';
  let err = '';
  const o = createOutput({
    stdout: { write: (s: string) => (out += s), isTTY: t.stdout },
    stderr: { write: (s: string) => (err += s), isTTY: t.stderr },
    env,
    noColor,
  });
  return { o, out: () => out, err: () => err };
}

const TTY: Stream = { write: () => 0, isTTY: true };
const PIPE: Stream = { write: () => 0, isTTY: false };
const ESC = /\x1b\[/;

describe('colour', () => {
  it('only on a TTY, never with NO_COLOR or --no-color', () => {
    expect(useColor(TTY, {})).toBe(true);
    expect(useColor(PIPE, {})).toBe(false);
    expect(useColor(TTY, { NO_COLOR: '1' })).toBe(false);
    expect(useColor(TTY, { NO_COLOR: '' })).toBe(true); // NO_COLOR counts only when non-empty
    expect(useColor(TTY, {}, true)).toBe(false);
  });
  it('FORCE_COLOR=1 colours a pipe; FORCE_COLOR=0 (or false) turns a TTY off; NO_COLOR and --no-color still win', () => {
    expect(useColor(PIPE, { FORCE_COLOR: '1' })).toBe(true);
    expect(useColor(TTY, { FORCE_COLOR: '0' })).toBe(false);
    expect(useColor(TTY, { FORCE_COLOR: 'false' })).toBe(false);
    expect(useColor(PIPE, { FORCE_COLOR: '1', NO_COLOR: '1' })).toBe(false);
    expect(useColor(PIPE, { FORCE_COLOR: '1' }, true)).toBe(false);
  });
  it('TERM=dumb: no colour (unless forced) and no spinner', () => {
    expect(useColor(TTY, { TERM: 'dumb' })).toBe(false);
    expect(useColor(TTY, { TERM: 'dumb', FORCE_COLOR: '1' })).toBe(true);
    expect(useSpinner(TTY, { TERM: 'dumb' })).toBe(false);
    expect(useSpinner(TTY, { TERM: 'xterm-256color' })).toBe(true);
    expect(useSpinner(PIPE, {})).toBe(false);
    const c = capture(true, { TERM: 'dumb' });
    const s = c.o.spinner('waiting');
    s.succeed('ready');
    expect(c.err()).toBe('… waiting\n✓ ready\n');
  });
  it('a TTY gets ANSI codes, a pipe none', () => {
    const tty = capture(true);
    tty.o.success('done');
    expect(tty.err()).toMatch(ESC);
    const pipe = capture(false);
    pipe.o.success('done');
    expect(pipe.err()).toBe('✓ done\n');
  });
});

describe('colour is decided per stream', () => {
  it('stdout a TTY, stderr a pipe (`rgsd status 2>log`): data styled, messages plain', () => {
    const c = capture({ stdout: true, stderr: false });
    expect(c.o.color).toBe(false);
    c.o.data(c.o.cData.green('ok'));
    c.o.success('done');
    c.o.warn('careful');
    expect(c.out()).toMatch(ESC);
    expect(c.err()).toBe('✓ done\nwarning: careful\n');
  });
  it('stdout a pipe, stderr a TTY (`rgsd doctor > f`): data plain, messages coloured', () => {
    const c = capture({ stdout: false, stderr: true });
    expect(c.o.color).toBe(true);
    c.o.data(c.o.cData.green('ok'));
    c.o.success('done');
    expect(c.out()).toBe('ok\n');
    expect(c.err()).toMatch(ESC);
  });
  it('--no-color and NO_COLOR turn both off, FORCE_COLOR=1 turns both on', () => {
    for (const c of [capture(true, {}, true), capture(true, { NO_COLOR: '1' })]) {
      c.o.data(c.o.cData.green('ok'));
      c.o.warn('careful');
      expect(c.out() + c.err()).not.toMatch(ESC);
    }
    const forced = capture(false, { FORCE_COLOR: '1' });
    forced.o.data(forced.o.cData.green('ok'));
    forced.o.warn('careful');
    expect(forced.out()).toMatch(ESC);
    expect(forced.err()).toMatch(ESC);
  });
  it('the spinner follows stderr only: it draws when stderr is a terminal even if stdout is not', () => {
    const c = capture({ stdout: false, stderr: true });
    c.o.spinner('waiting').stop();
    expect(c.err()).toContain('\r\x1b[2K');
    const p = capture({ stdout: true, stderr: false });
    p.o.spinner('waiting').succeed();
    expect(p.err()).toBe('… waiting\n✓ waiting\n');
    expect(p.out()).toBe('');
  });
});

describe('streams', () => {
  it('data and json go to stdout; logs to stderr; json only once', () => {
    const c = capture(false);
    c.o.info('hello');
    c.o.warn('careful');
    c.o.json({ a: 1 });
    expect(c.out()).toBe('{\n  "a": 1\n}\n');
    expect(c.err()).toBe('hello\nwarning: careful\n');
    expect(() => c.o.json({})).toThrow(/twice/);
  });
  it('spinner: no animation off a TTY, just a start and an end line on stderr', () => {
    const c = capture(false);
    const s = c.o.spinner('waiting');
    s.succeed('ready');
    expect(c.err()).toBe('… waiting\n✓ ready\n');
    expect(c.out()).toBe('');
  });
  it('spinner on a TTY redraws on stderr and clears its line', () => {
    const c = capture(true);
    const s = c.o.spinner('waiting');
    s.fail('nope');
    expect(c.err()).toContain('\r\x1b[2K');
    expect(c.err()).toContain('nope');
    expect(c.out()).toBe('');
  });
});

describe('report: one line + hint, exit codes', () => {
  const cases: [unknown, number][] = [
    [new UsageError('u', { hint: 'h' }), 2],
    [new ConfigError('c'), 3],
    [new MissingToolError('m'), 4],
    [new ClusterUnreachableError('x'), 5],
    [new NotFoundError('n'), 6],
    [new RefusedError('r'), 7],
    [new TimeoutError('t'), 8],
    [new ForbiddenError('f', { verb: 'get', resource: 'pods', hint: 'ask' }), 9],
    [new AlreadyExistsError('a'), 1],
    [new CommandError(['helm', 'x'], 3, 'Error: boom\n'), 1],
    [new InterruptedError(), 130],
    [Object.assign(new Error('User force closed the prompt'), { name: 'ExitPromptError' }), 130],
    [Object.assign(new Error("error: unknown option '--x'"), { code: 'commander.unknownOption' }), 2],
    [Object.assign(new Error('(outputHelp)'), { code: 'commander.helpDisplayed' }), 0],
    [new Error('surprise\nstack'), 1],
  ];
  it.each(cases)('%s → exit %i', (err, code) => {
    let text = '';
    expect(reportError(err, false, (s) => (text += s))).toBe(code);
    if (code !== 0) {
      const lines = text.trimEnd().split('\n');
      expect(lines[0]).toMatch(/^rgsd: /);
      expect(lines.length).toBeLessThanOrEqual(2);
      if (lines[1]) expect(lines[1]).toMatch(/^hint: /);
    }
  });
  it('CommandError keeps the first stderr line only', () => {
    let text = '';
    reportError(new CommandError(['helm', 'upgrade'], 1, 'Error: UPGRADE FAILED: x\nsecond'), false, (s) => (text += s));
    expect(text.split('\n')[0]).toBe('rgsd: helm failed: UPGRADE FAILED: x');
  });
  it('a child that already spoke on the terminal: its status, nothing printed', () => {
    let text = '';
    expect(reportError(new ChildExitError('kubectl exec', 3), false, (s) => (text += s))).toBe(3);
    expect(text).toBe('');
  });
  it('with -v the cause of a typed error is shown; an unexpected error shows its stack', () => {
    let text = '';
    reportError(new TimeoutError('t', { cause: new Error('inner') }), true, (s) => (text += s));
    expect(text).toMatch(/^rgsd: t\nError: inner\n {4}at /);
    let plain = '';
    reportError(new Error('surprise'), false, (s) => (plain += s));
    expect(plain).toBe('rgsd: unexpected error: surprise\nhint: re-run with -v for details; please report this\n');
  });
  it('exit code table is distinct', () => {
    const codes = Object.values(ExitCode);
    expect(new Set(codes).size).toBe(codes.length);
    expect(new RgsdError('x').exitCode).toBe(1);
  });
});

describe('prompt flows', () => {
  it('no TTY: prompts are usage errors; confirmations refuse (exit 7) unless --yes', async () => {
    const p = new NoTtyPrompter();
    await expect(p.input('Name?')).rejects.toMatchObject({ exitCode: 2 });
    await expect(confirmOrRefuse(p, 'Go?', { yes: false, refusal: 'not going', hint: 'pass --yes' })).rejects.toMatchObject({
      exitCode: 7,
    });
    await expect(confirmOrRefuse(p, 'Go?', { yes: true, refusal: 'x', hint: 'y' })).resolves.toBeUndefined();
    await expect(
      pickOne(
        p,
        'Pick a pod:',
        [
          { name: 'a', value: 1 },
          { name: 'b', value: 2 },
        ],
        'name one',
      ),
    ).rejects.toMatchObject({ exitCode: 2 });
    expect(await pickOne(p, 'Pick a pod:', [{ name: 'a', value: 1 }], 'x')).toBe(1);
  });
  it('pickers go through the injected prompter', async () => {
    const p = new FakePrompter([2]);
    expect(
      await pickOne(
        p,
        'Pick:',
        [
          { name: 'a', value: 1 },
          { name: 'b', value: 2 },
        ],
        'x',
      ),
    ).toBe(2);
    expect(p.asked[0]).toEqual({ kind: 'select', message: 'Pick:', choices: [1, 2] });
  });
});

it('table, formatAge and plural', () => {
  expect(
    table([
      ['A', 'BB'],
      ['ccc', 'd'],
    ]),
  ).toBe('A    BB\nccc  d');
  // escape codes do not count towards the width
  expect(
    table([
      ['\x1b[32mok\x1b[39m', 'x'],
      ['abcd', 'y'],
    ]),
  ).toBe('\x1b[32mok\x1b[39m    x\nabcd  y');
  expect([plural(1, 'window'), plural(2, 'window')]).toEqual(['1 window', '2 windows']);
  expect([formatAge(5), formatAge(125), formatAge(3 * 3600 + 60), formatAge(90000)]).toEqual(['5s', '2m', '3h1m', '1d1h']);
});
