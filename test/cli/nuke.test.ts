// `rgsd nuke` as the BUILT CLI with PATH shims for helm/kubectl that record every call:
// without a TTY and without --confirm it exits 7 and no destructive call happens.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { kubeconfigFile, REPO_ROOT, tempDir } from '../helpers/test-app.js';
import { writeProject } from '../helpers/project-fixture.js';
import { makeShim, type Shim } from '../helpers/tool-shim.js';

const BIN = resolve(REPO_ROOT, 'bin', 'rgsd');
beforeAll(() => {
  if (!existsSync(resolve(REPO_ROOT, 'dist', 'main.js'))) throw new Error('dist/main.js missing: run `npm run build`');
});

const NS = JSON.stringify({ metadata: { name: 'rgsd', labels: { 'app.kubernetes.io/managed-by': 'rgsd' } } });
const RELEASES = JSON.stringify([
  {
    name: 'demo',
    namespace: 'rgsd',
    revision: '3',
    updated: '2026-11-22T10:00:00Z',
    status: 'pending-upgrade',
    chart: 'rgsd-0.1.0',
    app_version: '0.1.0',
  },
]);
const OBJECTS = JSON.stringify({
  items: [
    { kind: 'Deployment', metadata: { name: 'demo-rgsd', labels: { 'rgsd.dev/project': 'demo' } } },
    {
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'demo-rgsd-home', labels: { 'rgsd.dev/project': 'demo' } },
      spec: { volumeName: 'pv-1' },
      status: { capacity: { storage: '50Gi' } },
    },
  ],
});

function clusterShim(): Shim {
  return makeShim({
    kubectl: [
      { match: '^config current-context$', stdout: 'ctx\n' },
      { match: '^--context ctx get namespace rgsd -o json$', stdout: NS },
      { match: '^--context ctx -n rgsd get all,pvc,', stdout: OBJECTS },
      { match: '^--context ctx -n rgsd get secret -o name$', stdout: 'secret/demo-rgsd-secrets\nsecret/sh.helm.release.v1.demo.v3\n' },
      { match: '^--context ctx -n rgsd delete ', stdout: 'deleted\n' },
      { match: '^--context ctx delete namespace rgsd ', stdout: 'namespace "rgsd" deleted\n' },
    ],
    helm: [
      { match: '^--kube-context ctx -n rgsd list ', stdout: RELEASES },
      { match: '^--kube-context ctx -n rgsd uninstall demo ', stdout: 'release "demo" uninstalled\n' },
    ],
  });
}

function rgsd(args: string[], shim: Shim, configDir: string) {
  return execa(process.execPath, [BIN, ...args], {
    reject: false,
    input: '', // stdin is a pipe, not a TTY
    env: { PATH: `${shim.bin}:${process.env.PATH ?? ''}`, HOME: configDir, RGSD_CONFIG_DIR: configDir, KUBECONFIG: kubeconfigFile('ctx') },
    extendEnv: false,
    timeout: 30_000,
  });
}

const destructive = (calls: string[]) => calls.filter((c) => / (delete|uninstall|rollback|upgrade|apply|create) /.test(` ${c} `));

describe('rgsd nuke (built, PATH shims)', () => {
  it('stdin not a TTY and no --confirm: exit 7, lists what it would destroy, no destructive call', async () => {
    const shim = clusterShim();
    const cfg = tempDir();
    writeProject(cfg, 'demo');
    const r = await rgsd(['nuke', 'demo'], shim, cfg);
    expect(r.exitCode).toBe(7);
    expect(r.stderr).toContain('context: ctx  namespace: rgsd');
    expect(r.stderr).toContain('PersistentVolumeClaim demo-rgsd-home (50Gi, volume pv-1)');
    expect(r.stderr).toContain('Helm release demo (pending-upgrade, revision 3)');
    expect(r.stderr).toMatch(/^rgsd: refusing to nuke demo: stdin is not a terminal/m);
    expect(r.stderr).toMatch(/^hint: from a script: rgsd nuke demo --confirm demo$/m);
    expect(shim.calls().length).toBeGreaterThan(0); // it did read the cluster…
    expect(destructive(shim.calls())).toEqual([]); // …and changed nothing
    expect(r.stdout).toBe('');
  });

  it('--yes is not enough: exit 7, no destructive call', async () => {
    const shim = clusterShim();
    const cfg = tempDir();
    const r = await rgsd(['nuke', 'demo', '--yes'], shim, cfg);
    expect(r.exitCode).toBe(7);
    expect(r.stderr).toContain('--yes is not enough for nuke');
    expect(destructive(shim.calls())).toEqual([]);
  });

  it('--confirm with another name: exit 7 before any helm/kubectl call', async () => {
    const shim = clusterShim();
    const r = await rgsd(['nuke', 'demo', '--confirm', 'prod'], shim, tempDir());
    expect(r.exitCode).toBe(7);
    expect(r.stderr).toMatch(/^rgsd: --confirm "prod" does not match the project "demo"; nothing was deleted$/m);
    expect(shim.calls()).toEqual([]);
  });

  it('--confirm <project>: uninstalls the (pending) release, deletes Secret, PVC and the rgsd namespace, exit 0', async () => {
    const shim = clusterShim();
    const r = await rgsd(['nuke', 'demo', '--confirm', 'demo'], shim, tempDir());
    expect(r.stderr).not.toMatch(/^rgsd:/m);
    expect(r.exitCode).toBe(0);
    expect(destructive(shim.calls())).toEqual([
      'helm --kube-context ctx -n rgsd uninstall demo --wait --timeout 5m',
      'kubectl --context ctx -n rgsd delete secret demo-rgsd-secrets --ignore-not-found --wait=true -o name',
      'kubectl --context ctx -n rgsd delete pvc demo-rgsd-home --ignore-not-found --wait=true --timeout=180s',
      'kubectl --context ctx delete namespace rgsd --ignore-not-found --wait=false',
    ]);
    expect(r.stderr).toContain('demo is gone');
  });

  it('--dry-run: lists, exit 0, nothing destroyed', async () => {
    const shim = clusterShim();
    const r = await rgsd(['nuke', 'demo', '--dry-run'], shim, tempDir());
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toContain('dry run: nothing was destroyed');
    expect(destructive(shim.calls())).toEqual([]);
  });

  it('an unknown flag or bad project name changes nothing (exit 2 / 3)', async () => {
    const shim = clusterShim();
    expect((await rgsd(['nuke', 'demo', '--force'], shim, tempDir())).exitCode).toBe(2);
    expect((await rgsd(['nuke', 'Bad_Name', '--confirm', 'Bad_Name'], shim, tempDir())).exitCode).toBe(3);
    expect(shim.calls()).toEqual([]);
  });
});

/** Run the built CLI under a real pseudo-terminal (util-linux `script`) and type `answer`
 * once the typed-name prompt appears. */
async function nukeAtTerminal(shim: Shim, answer: string): Promise<{ exitCode: number; screen: string }> {
  const cfg = tempDir();
  const child = execa('script', ['-qec', `'${process.execPath}' '${BIN}' nuke demo`, '/dev/null'], {
    reject: false,
    stdin: 'pipe',
    env: {
      PATH: `${shim.bin}:${process.env.PATH ?? ''}`,
      HOME: cfg,
      RGSD_CONFIG_DIR: cfg,
      KUBECONFIG: kubeconfigFile('ctx'),
      TERM: 'xterm',
      SHELL: '/bin/sh',
    },
    extendEnv: false,
    timeout: 30_000,
  });
  let seen = '';
  let typed = false;
  child.stdout?.on('data', (chunk: Buffer) => {
    seen += chunk.toString();
    if (!typed && seen.includes('Type the project name (demo) to destroy it')) {
      typed = true;
      child.stdin?.write(`${answer}\r`);
    }
    // stdin closes once rgsd has answered the typed name (exit 7 or the destroy lines)
    if (typed && /nothing was deleted|is gone|rgsd: /.test(seen.split('Type the project name')[1] ?? '')) {
      child.stdin?.end();
    }
  });
  const r = await child;
  return { exitCode: r.exitCode ?? -1, screen: String(r.stdout).replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '') };
}

describe('rgsd nuke (built) at a real terminal', () => {
  it('a wrongly typed name: exit 7, no destructive call', async () => {
    const shim = clusterShim();
    const r = await nukeAtTerminal(shim, 'prod');
    expect(r.screen).toContain('Type the project name (demo) to destroy it');
    expect(r.screen).toContain('rgsd: the name typed is not "demo"; nothing was deleted');
    expect(r.exitCode).toBe(7);
    expect(destructive(shim.calls())).toEqual([]);
  });

  it('the project name typed: everything listed is destroyed', async () => {
    const shim = clusterShim();
    const r = await nukeAtTerminal(shim, 'demo');
    expect(r.exitCode).toBe(0);
    expect(r.screen).toContain('demo is gone');
    expect(destructive(shim.calls())).toHaveLength(4);
  });
});
