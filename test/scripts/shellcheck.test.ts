// Every shell script of the image and the build tooling passes shellcheck (following sources).
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from './harness.js';

/** Every `.sh` file and every file with a bash shebang in these folders, so a new script
 * cannot skip the check. */
function shellScripts(dirs: string[]): string[] {
  return dirs.flatMap((d) =>
    readdirSync(join(REPO, d))
      .map((f) => join(REPO, d, f))
      .filter(
        (p) => statSync(p).isFile() && (p.endsWith('.sh') || /^#!.*\b(bash|sh)\b/.test(readFileSync(p, 'utf8').split('\n', 1)[0] ?? '')),
      ),
  );
}

const SCRIPTS = shellScripts(['docker', 'docker/build', 'scripts', 'scripts/cluster', 'scripts/cluster/lib', '.ci']);

describe('shellcheck', () => {
  it.each(SCRIPTS.map((s) => [s.slice(REPO.length + 1), s]))('%s is clean', (_name, path) => {
    const r = spawnSync('shellcheck', ['-x', '--severity=style', path], { cwd: REPO, encoding: 'utf8' });
    expect(r.error).toBeUndefined();
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('covers the scripts CI and the image depend on', () => {
    const names = SCRIPTS.map((s) => s.slice(REPO.length + 1));
    for (const n of [
      '.ci/run',
      'docker/entrypoint',
      'docker/init-home',
      'docker/lib.sh',
      'scripts/ensure-dockerd',
      'scripts/build-image',
      'scripts/local-cluster',
      'scripts/try',
      'scripts/cluster/lib/common.sh',
    ]) {
      expect(names).toContain(n);
    }
  });

  it('would report a real problem (the check is live)', () => {
    const r = spawnSync('shellcheck', ['-s', 'bash', '-'], { input: 'x=$1\nrm $x\n', encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stdout).toContain('SC2086');
  });
});
