import { describe, expect, it } from 'vitest';
import { createOutput, formatAge, table, useColor } from '../../src/ui/output.js';
import { reportError } from '../../src/ui/report.js';
import { ClusterUnreachableError, CommandError, ConfigError, ExitCode, InterruptedError, RgsdError, TimeoutError, UsageError, NotFoundError, RefusedError, MissingToolError } from '../../src/core/errors.js';
import { NoTtyPrompter, confirmOrRefuse, pickOne } from '../../src/ui/prompts.js';
import { FakePrompter } from '../helpers/test-app.js';

function capture(tty: boolean, env: NodeJS.ProcessEnv = {}, noColor = false) {
  let out = '';
  let err = '';
  const o = createOutput({ stdout: { write: (s: string) => (out += s), isTTY: tty }, stderr: { write: (s: string) => (err += s), isTTY: tty }, env, noColor });
  return { o, out: () => out, err: () => err };
}

describe('colour', () => {
  it('only on a TTY, never with NO_COLOR or --no-color', () => {
    expect(useColor({ write: () => 0, isTTY: true }, {})).toBe(true);
    expect(useColor({ write: () => 0, isTTY: false }, {})).toBe(false);
    expect(useColor({ write: () => 0, isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(useColor({ write: () => 0, isTTY: true }, {}, true)).toBe(false);
  });
  it('a TTY gets ANSI codes, a pipe none', () => {
    const tty = capture(true);
    tty.o.success('done');
    expect(tty.err()).toMatch(/\x1b\[/);
    const pipe = capture(false);
    pipe.o.success('done');
    expect(pipe.err()).toBe('✓ done\n');
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
    [new CommandError(['helm', 'x'], 3, 'Error: boom\nmore'), 1],
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
    await expect(confirmOrRefuse(p, 'Go?', { yes: false, refusal: 'not going', hint: 'pass --yes' })).rejects.toMatchObject({ exitCode: 7 });
    await expect(confirmOrRefuse(p, 'Go?', { yes: true, refusal: 'x', hint: 'y' })).resolves.toBeUndefined();
    await expect(pickOne(p, 'Pick a pod:', [{ name: 'a', value: 1 }, { name: 'b', value: 2 }], 'name one')).rejects.toMatchObject({ exitCode: 2 });
    expect(await pickOne(p, 'Pick a pod:', [{ name: 'a', value: 1 }], 'x')).toBe(1);
  });
  it('pickers go through the injected prompter', async () => {
    const p = new FakePrompter([2]);
    expect(await pickOne(p, 'Pick:', [{ name: 'a', value: 1 }, { name: 'b', value: 2 }], 'x')).toBe(2);
    expect(p.asked[0]).toEqual({ kind: 'select', message: 'Pick:', choices: [1, 2] });
  });
});

it('table and formatAge', () => {
  expect(table([['A', 'BB'], ['ccc', 'd']])).toBe('A    BB\nccc  d');
  expect([formatAge(5), formatAge(125), formatAge(3 * 3600 + 60), formatAge(90000)]).toEqual(['5s', '2m', '3h1m', '1d1h']);
});
