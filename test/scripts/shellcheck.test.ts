// Every shell script of the image and the build tooling passes shellcheck (following sources).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DOCKER, REPO } from './harness.js';

const SCRIPTS = [
  join(DOCKER, 'entrypoint'),
  join(DOCKER, 'init-home'),
  join(DOCKER, 'vscode-tunnel'),
  join(DOCKER, 'status'),
  join(DOCKER, 'lib.sh'),
  join(DOCKER, 'build', 'fetch'),
  join(REPO, 'scripts', 'build-base-image'),
  join(REPO, 'scripts', 'build-image'),
  join(REPO, 'scripts', 'bench-image'),
];

describe('shellcheck', () => {
  it.each(SCRIPTS.map((s) => [s.slice(REPO.length + 1), s]))('%s is clean', (_name, path) => {
    const r = spawnSync('shellcheck', ['-x', '--severity=style', path], { cwd: REPO, encoding: 'utf8' });
    expect(r.error).toBeUndefined();
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('would report a real problem (the check is live)', () => {
    const r = spawnSync('shellcheck', ['-s', 'bash', '-'], { input: 'x=$1\nrm $x\n', encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stdout).toContain('SC2086');
  });
});
