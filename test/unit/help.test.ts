import { describe, expect, it } from 'vitest';
import { COMMANDS, describeCommand, helpWidth, isTopLevelHelp, renderTopHelp } from '../../src/help.js';

describe('top-level help (fast path)', () => {
  it('only for exactly --help / -h / help', () => {
    expect(isTopLevelHelp(['--help'])).toBe(true);
    expect(isTopLevelHelp(['-h'])).toBe(true);
    expect(isTopLevelHelp(['help'])).toBe(true);
    expect(isTopLevelHelp(['up', '--help'])).toBe(false);
    expect(isTopLevelHelp([])).toBe(false);
    expect(isTopLevelHelp(['--help', '-v'])).toBe(false);
  });
  it('lists every command and wraps to the width', () => {
    for (const width of [80, 120, 200]) {
      const text = renderTopHelp(width);
      for (const line of text.split('\n')) expect(line.length).toBeLessThanOrEqual(width);
      for (const [usage] of Object.values(COMMANDS)) expect(text).toContain(`  ${usage} `);
    }
    expect(renderTopHelp(200)).toContain('  init [options] <project>               create the settings file and the secrets file (0600) of a project; interactive unless flags answer\n');
  });
  it('width: TTY columns, else 80', () => {
    expect(helpWidth({ isTTY: true, columns: 132 })).toBe(132);
    expect(helpWidth({ isTTY: false, columns: 132 })).toBe(80);
  });
  it('an unknown command name is a bug', () => {
    expect(() => describeCommand('launch')).toThrow(/missing from src\/help.ts/);
  });
});
