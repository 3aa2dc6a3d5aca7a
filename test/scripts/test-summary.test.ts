// scripts/test-summary.mjs on reports written by the real vitest JSON reporter: the closing
// line CI prints must count a suite that broke outside its tests (a failing beforeAll) as a
// failure, never as "0 failed".
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REPO } from './harness.js';

const VITEST = join(REPO, 'node_modules', '.bin', 'vitest');
const SUMMARY = join(REPO, 'scripts', 'test-summary.mjs');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rgsd-test-summary-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Runs real vitest on the given test files and returns the path of its JSON report. */
function report(name: string, files: Record<string, string>): string {
  const root = join(dir, name);
  mkdirSync(root, { recursive: true });
  for (const [f, body] of Object.entries(files)) writeFileSync(join(root, f), body);
  const out = join(dir, `${name}.json`);
  const r = spawnSync(VITEST, ['run', '--root', root, '--globals', '--reporter=json', `--outputFile=${out}`], {
    encoding: 'utf8',
    timeout: 60_000,
    cwd: root,
  });
  if (r.error) throw r.error;
  return out;
}

function summary(...reports: string[]): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [SUMMARY, ...reports], { encoding: 'utf8', cwd: dir });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe('scripts/test-summary.mjs', () => {
  it('prints passed and skipped counts and exits 0 when everything passed', () => {
    const r = summary(report('green', { 'a.test.js': "test('one', () => {});\ntest('two', () => {});\ntest.skip('later', () => {});\n" }));
    expect(r.stdout).toBe('2 passed, 0 failed, 1 skipped\n');
    expect(r.status).toBe(0);
  });

  it('counts a suite whose beforeAll failed as a failure and names it', () => {
    const broken = report('broken', {
      'image.test.js': "beforeAll(() => { throw new Error('dockerd did not come up'); });\ntest('a', () => {});\ntest('b', () => {});\n",
      'ok.test.js': "test('fine', () => {});\n",
    });
    const r = summary(broken);
    expect(r.stdout).toBe('1 passed, 1 failed, 2 skipped\n');
    expect(r.stderr).toContain('image.test.js failed outside its tests: dockerd did not come up');
    expect(r.status).toBe(1);
  });

  it('adds up several reports, failed tests included, and counts a missing report as a failure', () => {
    const a = report('a', { 'x.test.js': "test('ok', () => {});\ntest('bad', () => { expect(1).toBe(2); });\n" });
    const b = report('b', { 'y.test.js': "test('ok', () => {});\n" });
    const r = summary(a, b, join(dir, 'never-written.json'));
    expect(r.stdout).toBe('2 passed, 2 failed\n');
    expect(r.stderr).toContain('no report at');
    expect(r.status).toBe(1);
  });
});
