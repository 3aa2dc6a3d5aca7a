// `rgsd reset-home` as the BUILT CLI, end to end against the REAL image script: a kubectl
// shim runs `kubectl exec … -- CMD` locally and emulates the pod restart by running
// docker/init-home on a temporary home. The sentinel goes, init-home re-seeds the missing
// skeleton files and writes the sentinel again, and a file the user changed is untouched.
import { IN_POD_STATUS_IDLE } from '../helpers/cluster-fixture.js';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { kubeconfigFile, REPO_ROOT, tempDir } from '../helpers/test-app.js';
import { makeShim } from '../helpers/tool-shim.js';

const BIN = resolve(REPO_ROOT, 'bin', 'rgsd');
beforeAll(() => {
  if (!existsSync(resolve(REPO_ROOT, 'dist', 'main.js'))) throw new Error('dist/main.js missing: run `npm run build`');
});

function workstation() {
  const root = tempDir('rgsd-reset-');
  const home = join(root, 'home');
  const skel = join(root, 'skel');
  const secrets = join(root, 'secrets');
  for (const d of [home, join(skel, '.config'), secrets]) mkdirSync(d, { recursive: true });
  writeFileSync(join(skel, '.zshrc'), 'skeleton zshrc\n');
  writeFileSync(join(skel, '.config', 'new-default'), 'from the image\n');
  writeFileSync(join(home, '.zshrc'), 'my own zshrc\n');
  writeFileSync(join(home, '.home-initialized'), 'seeded long ago\n');
  const shim = makeShim({
    kubectl: [
      { match: '^config current-context$', stdout: 'ctx\n' },
      // the work guard's look: nothing at risk
      {
        match: '^--context ctx -n rgsd exec deployment/demo-rgsd -c workstation --pod-running-timeout=10s -- /opt/rgsd/status ',
        stdout: IN_POD_STATUS_IDLE,
      },
      {
        match: '^--context ctx -n rgsd exec deployment/demo-rgsd -c workstation -- ',
        run: 'while [ "$1" != "--" ]; do shift; done; shift; exec "$@"',
      },
      { match: '^--context ctx -n rgsd rollout restart deployment/demo-rgsd$', run: `exec '${join(REPO_ROOT, 'docker', 'init-home')}'` },
      { match: '^--context ctx -n rgsd rollout status deployment/demo-rgsd ', stdout: 'deployment "demo-rgsd" successfully rolled out\n' },
    ],
  });
  const cfg = tempDir();
  const env = {
    PATH: `${shim.bin}:${process.env.PATH ?? ''}`,
    HOME: home,
    RGSD_CONFIG_DIR: cfg,
    KUBECONFIG: kubeconfigFile('ctx'),
    RGSD_HOME: home,
    RGSD_SKEL: skel,
    RGSD_INIT_SOURCE_DIR: secrets,
  };
  return {
    home,
    shim,
    run: (args: string[]) => execa(process.execPath, [BIN, ...args], { reject: false, input: '', env, extendEnv: false, timeout: 60_000 }),
  };
}

describe('rgsd reset-home (built, real init-home)', () => {
  it('without a terminal and without --yes: exit 7, the sentinel stays', async () => {
    const w = workstation();
    const r = await w.run(['reset-home', 'demo']);
    expect(r.exitCode).toBe(7);
    expect(readFileSync(join(w.home, '.home-initialized'), 'utf8')).toBe('seeded long ago\n');
    expect(w.shim.calls()).toEqual([]);
  });

  it('--yes: deletes the sentinel, restarts, init-home re-seeds missing files without clobbering', async () => {
    const w = workstation();
    const r = await w.run(['reset-home', 'demo', '--yes']);
    expect(r.stderr).not.toMatch(/^rgsd:/m);
    expect(r.exitCode).toBe(0);
    expect(readFileSync(join(w.home, '.config', 'new-default'), 'utf8')).toBe('from the image\n');
    expect(readFileSync(join(w.home, '.zshrc'), 'utf8')).toBe('my own zshrc\n');
    expect(readFileSync(join(w.home, '.home-initialized'), 'utf8')).toMatch(/^seeded \d{4}-\d\d-\d\dT/);
    expect(w.shim.calls().map((c) => c.split(' -- ')[0])).toEqual([
      'kubectl --context ctx -n rgsd exec deployment/demo-rgsd -c workstation --pod-running-timeout=10s',
      'kubectl --context ctx -n rgsd exec deployment/demo-rgsd -c workstation',
      'kubectl --context ctx -n rgsd rollout restart deployment/demo-rgsd',
      'kubectl --context ctx -n rgsd rollout status deployment/demo-rgsd --timeout=300s',
    ]);
  });
});
