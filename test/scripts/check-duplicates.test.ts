// scripts/check-duplicates.mjs, the copy-paste detector `npm run lint` runs over src/.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REPO } from './harness.js';

const SCRIPT = join(REPO, 'scripts', 'check-duplicates.mjs');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rgsd-dups-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function check(files: Record<string, string>): { status: number; stdout: string; stderr: string } {
  for (const [f, body] of Object.entries(files)) {
    mkdirSync(join(dir, f, '..'), { recursive: true });
    writeFileSync(join(dir, f), body);
  }
  const r = spawnSync(process.execPath, [SCRIPT, dir, '6'], { encoding: 'utf8', cwd: dir });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const block = (name: string): string =>
  [
    `export function ${name}(xs: number[]): number {`,
    '  let total = 0;',
    '  for (const x of xs) {',
    '    if (x > 0) total += x;',
    '    else total -= x;',
    '  }',
    '  const doubled = total * 2;',
    '  return doubled;',
    '}',
    '',
  ].join('\n');

describe('scripts/check-duplicates.mjs', () => {
  it('passes a tree without repeated blocks', () => {
    const r = check({ 'a.ts': "import { x } from './x.js';\nexport const a = 1;\n", 'sub/b.ts': 'export const b = 2;\n' });
    expect(r.stdout).toMatch(/no repeated blocks of 6\+ lines/);
    expect(r.status).toBe(0);
  });

  it('fails on a block repeated in another file and names both places', () => {
    const r = check({ 'a.ts': block('sumA'), 'sub/b.ts': `// a comment\n\n${block('sumB')}` });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/duplicate block: .*a\.ts:2-8 ~ .*b\.ts:4-10/);
  });

  it('fails on a block repeated inside one file, once per run', () => {
    const r = check({ 'a.ts': `${block('one')}\n${block('two')}` });
    expect(r.status).toBe(1);
    expect(r.stderr.match(/duplicate block/g)).toHaveLength(1);
  });

  it('ignores comments, blank lines, imports and lone punctuation', () => {
    const noise = ["import { a } from './a.js';", '// same comment', '', '}', '});', ']'].join('\n');
    const r = check({ 'a.ts': `${noise}\n${noise}\n${noise}\nexport const a = 1;\n`, 'b.ts': `${noise}\nexport const b = 2;\n` });
    expect(r.status).toBe(0);
  });
});
