// `rgsd doctor` as the BUILT CLI with the REAL helm and kubectl (test/setup/tools.ts puts
// them on PATH) and a kubeconfig whose cluster is a closed port.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { deadKubeconfig, REPO_ROOT, tempDir } from '../helpers/test-app.js';
import { writeProject } from '../helpers/project-fixture.js';

const BIN = resolve(REPO_ROOT, 'bin', 'rgsd');
beforeAll(() => {
  if (!existsSync(resolve(REPO_ROOT, 'dist', 'main.js'))) throw new Error('dist/main.js missing: run `npm run build`');
});

function rgsd(args: string[], cfg: string, extra: Record<string, string> = {}) {
  return execa(process.execPath, [BIN, ...args], {
    reject: false,
    input: '',
    env: { PATH: process.env.PATH ?? '', HOME: cfg, RGSD_CONFIG_DIR: cfg, KUBECONFIG: deadKubeconfig(), ...extra },
    extendEnv: false,
    timeout: 60_000,
  });
}

describe('rgsd doctor (built, real helm + kubectl)', () => {
  it('reports every check; an unreachable cluster fails with exit 5', async () => {
    const cfg = tempDir();
    writeProject(cfg, 'demo');
    const r = await rgsd(['doctor', 'demo'], cfg);
    expect(r.exitCode).toBe(5);
    expect(r.stdout).toMatch(/✓\s+helm\s+helm v4\.\d+\.\d+ \(Helm 4\)/);
    expect(r.stdout).toMatch(/✓\s+kubectl\s+kubectl v1\.\d+\.\d+ \(client\)/);
    expect(r.stdout).toMatch(/✓\s+context\s+dead \(current\)/);
    expect(r.stdout).toMatch(/✗\s+cluster\s+cannot reach the cluster \(context dead\)/);
    expect(r.stdout).toMatch(/-\s+namespace\s+skipped: cluster not reachable/);
    expect(r.stdout).toMatch(/✓\s+secrets \(demo\)\s+.*\(mode 0600, 2 keys set\)/);
    expect(r.stdout).toMatch(/✓\s+repo \(demo\)\s+https:\/\/github\.com\/org\/repo\.git \(GITHUB_TOKEN set\)/);
    expect(r.stderr).toMatch(/^rgsd: 1 check failed: cluster$/m);
    expect(r.stderr).not.toMatch(/\x1b\[/);
  });

  it('an https repository with an empty GITHUB_TOKEN and a misspelt key: warnings, not silence', async () => {
    const cfg = tempDir();
    writeProject(cfg, 'demo', { env: 'GITHUB_TOKEN=\nGITHUB_TOKNE=ghp_x\n' });
    const r = await rgsd(['doctor', 'demo'], cfg);
    expect(r.exitCode).toBe(5); // the dead cluster; the warnings do not fail
    expect(r.stdout).toMatch(/!\s+secrets \(demo\)\s+.*demo\.env:2: GITHUB_TOKNE is not a key rgsd knows; did you mean GITHUB_TOKEN\?/);
    expect(r.stdout).toMatch(
      /!\s+repo \(demo\)\s+https:\/\/github\.com\/org\/repo\.git is an https repository and .*demo\.env has no GITHUB_TOKEN: cloning a private repository will fail/,
    );
    expect(r.stdout).toMatch(/hint: put a token in GITHUB_TOKEN in .*demo\.env/);
    expect(r.stdout + r.stderr).not.toContain('ghp_x');
  });

  it('--json prints one parseable document even when checks fail; Helm 3 is detected too', async () => {
    const cfg = tempDir();
    const r = await rgsd(['doctor', '--json'], cfg, { RGSD_HELM: 'helm3' });
    expect(r.exitCode).toBe(5);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ schemaVersion: 1, ok: false, context: 'dead', namespace: 'rgsd', projects: [] });
    expect(doc.checks[0]).toMatchObject({ name: 'helm', status: 'ok' });
    expect(doc.checks[0].detail).toMatch(/\(Helm 3\)$/);
  });

  it('--context and -n are announced and used; no colour on a pipe', async () => {
    const cfg = tempDir();
    const r = await rgsd(['doctor', '--context', 'other', '-n', 'team'], cfg);
    expect(r.exitCode).toBe(5);
    expect(r.stderr).toMatch(/^context: other {2}namespace: team$/m);
    expect(r.stdout).toMatch(/✓\s+context\s+other \(--context\)/);
    expect(r.stdout).toMatch(/✗\s+cluster\s+cannot reach the cluster \(context other\)/);
    expect(r.stdout + r.stderr).not.toMatch(/\x1b\[/);
  });

  it('RGSD_NAMESPACE and RGSD_CONTEXT are the defaults of -n and --context; the flags win; empty is unset', async () => {
    const cfg = tempDir();
    const env = await rgsd(['doctor', '--json'], cfg, { RGSD_NAMESPACE: 'team', RGSD_CONTEXT: 'other' });
    const doc = JSON.parse(env.stdout);
    expect(doc).toMatchObject({ context: 'other', namespace: 'team' });
    expect(doc.checks.find((c: { name: string }) => c.name === 'context').detail).toBe('other (RGSD_CONTEXT)');
    const flags = JSON.parse(
      (await rgsd(['doctor', '--json', '-n', 'mine', '--context', 'dead'], cfg, { RGSD_NAMESPACE: 'team', RGSD_CONTEXT: 'other' })).stdout,
    );
    expect(flags).toMatchObject({ context: 'dead', namespace: 'mine' });
    const empty = JSON.parse((await rgsd(['doctor', '--json'], cfg, { RGSD_NAMESPACE: '', RGSD_CONTEXT: '' })).stdout);
    expect(empty).toMatchObject({ context: 'dead', namespace: 'rgsd' });
    const bad = await rgsd(['doctor'], cfg, { RGSD_NAMESPACE: 'Not_A_Namespace' });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/^rgsd: RGSD_NAMESPACE "Not_A_Namespace" is not a valid namespace name/m);
  });

  it('a pinned context that is not the current one fails (exit 3) without touching the cluster', async () => {
    const cfg = tempDir();
    writeProject(cfg, 'demo', { settings: 'context: prod\n' });
    const r = await rgsd(['doctor', 'demo'], cfg);
    expect(r.exitCode).toBe(3);
    expect(r.stdout).toMatch(/✗\s+context\s+project demo is pinned to context "prod" but the current context is "dead"/);
    expect(r.stdout).toMatch(/-\s+cluster\s+skipped: no usable context/);
    expect(r.stderr).not.toMatch(/^context: /m);
    expect(r.stderr).toMatch(/^hint: pass --context prod/m);
  });

  it('a missing kubectl is reported (exit 4)', async () => {
    const cfg = tempDir();
    const r = await rgsd(['doctor'], cfg, { RGSD_KUBECTL: 'rgsd-no-such-kubectl' });
    expect(r.exitCode).toBe(4);
    expect(r.stdout).toMatch(/✗\s+kubectl\s+rgsd-no-such-kubectl not found/);
    expect(r.stdout).toMatch(/-\s+cluster\s+skipped/);
  });
});
