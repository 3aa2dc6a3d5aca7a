// The rgsd version: package.json's "version", the one source (the chart's version and
// appVersion and the image label agree with it; test/chart/version.test.ts checks).
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Root of the installed package: two levels above this file (dist/core or src/core). */
export function packageRoot(): string {
  return resolve(import.meta.dirname, '..', '..');
}

let cached: string | undefined;
export function version(root = packageRoot()): string {
  cached ??= (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
  return cached;
}
