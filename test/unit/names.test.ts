import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { fullname, projectNames, validateProjectName } from '../../src/core/names.js';

describe('project names', () => {
  it.each(['a', 'my-proj', 'p1', 'a'.repeat(53)])('accepts %s', (n) => expect(validateProjectName(n)).toBe(n));
  it.each(['', 'My', '-a', 'a-', 'a_b', 'a.b', 'a'.repeat(54)])('refuses %j with a ConfigError (exit 3)', (n) => {
    expect(() => validateProjectName(n)).toThrow(ConfigError);
    try {
      validateProjectName(n);
    } catch (e) {
      expect((e as ConfigError).exitCode).toBe(3);
      expect((e as ConfigError).hint).toBeTruthy();
    }
  });
  it('says how long a too-long name is', () => {
    expect(() => validateProjectName('a'.repeat(60))).toThrow(/60 characters; at most 53/);
  });
});

describe('fullname (helm create rule)', () => {
  it('appends -rgsd unless the release contains rgsd', () => {
    expect(fullname('myproj')).toBe('myproj-rgsd');
    expect(fullname('rgsd-demo')).toBe('rgsd-demo');
    expect(fullname('x', { fullnameOverride: 'custom-' })).toBe('custom');
    expect(fullname('x', { nameOverride: 'ws' })).toBe('x-ws');
  });
  it('truncates to 63 and trims one trailing dash', () => {
    expect(fullname(`${'a'.repeat(58)}-bc`)).toBe(`${'a'.repeat(58)}-bc-r`); // 66 → 63
    expect(fullname(`${'a'.repeat(58)}-bcd`)).toBe(`${'a'.repeat(58)}-bcd`); // 63rd char "-" trimmed
    expect(fullname(`${'a'.repeat(62)}-x`)).toBe('a'.repeat(62));
  });
  it('derives every object name', () => {
    expect(projectNames('demo')).toMatchObject({
      deployment: 'demo-rgsd',
      pvc: 'demo-rgsd-home',
      secret: 'demo-rgsd-secrets',
      selector: 'rgsd.dev/project=demo',
    });
  });
});
