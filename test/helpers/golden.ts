// Golden files for human output (test/golden/*.txt). A test renders the output and compares
// it with the file; after an intended change, regenerate and review the diff:
//   UPDATE_GOLDEN=1 npx vitest run --project unit --project cli    (then `git diff test/golden`)
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { expect } from 'vitest';
import { REPO_ROOT } from './test-app.js';

export const GOLDEN_DIR = join(REPO_ROOT, 'test', 'golden');

/** Compare `actual` with test/golden/<name>.txt (written when UPDATE_GOLDEN=1). */
export function expectGolden(name: string, actual: string): void {
  const file = join(GOLDEN_DIR, `${name}.txt`);
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  if (!existsSync(file)) throw new Error(`golden file ${file} is missing: run with UPDATE_GOLDEN=1 once and review it`);
  expect(actual, `output differs from ${file} (UPDATE_GOLDEN=1 regenerates it)`).toBe(readFileSync(file, 'utf8'));
}
