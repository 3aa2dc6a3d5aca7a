// The BUILT CLI (bin/rgsd → dist/main.js) as a child process: argument parsing, exit codes,
// one-line errors with hints, non-TTY behaviour. `npm test` builds first (pretest).
import { existsSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { SECRET_TOKEN, writeProject } from '../helpers/project-fixture.js';
import { deadKubeconfig, REPO_ROOT, tempDir } from '../helpers/test-app.js';

const BIN = resolve(REPO_ROOT, 'bin', 'rgsd');

beforeAll(() => {
  if (!existsSync(resolve(REPO_ROOT, 'dist', 'main.js'))) throw new Error('dist/main.js missing: run `npm run build` (npm test does it in pretest)');
});

function rgsd(args: string[], o: { env?: Record<string, string>; configDir?: string; input?: string } = {}) {
  return execa(process.execPath, [BIN, ...args], {
    reject: false,
    input: o.input ?? '',
    env: {
      PATH: process.env.PATH ?? '',
      HOME: o.configDir ?? tempDir(),
      KUBECONFIG: join(tempDir(), 'no-kubeconfig'),
      ...(o.configDir ? { RGSD_CONFIG_DIR: o.configDir } : {}),
      ...o.env,
    },
    extendEnv: false,
    timeout: 30_000,
  });
}


function expectOneLineError(stderr: string, message: RegExp, hint: RegExp): void {
  const lines = stderr.trim().split('\n').filter((l) => l.startsWith('rgsd:') || l.startsWith('hint:'));
  expect(lines).toHaveLength(2);
  expect(lines[0]).toMatch(message);
  expect(lines[1]).toMatch(hint);
}

describe('rgsd (built) — parsing and help', () => {
  it('--help lists every command and exits 0', async () => {
    const r = await rgsd(['--help']);
    expect(r.exitCode).toBe(0);
    for (const c of ['init', 'up', 'down', 'status', 'nuke', 'connect', 'logs', 'restart', 'reset-home', 'doctor', 'completion']) {
      expect(r.stdout).toMatch(new RegExp(`^  ${c} `, 'm'));
    }
    expect(r.stderr).toBe('');
  });
  it('the fast top-level help equals the help commander prints, and matches every command', async () => {
    const fast = await rgsd(['--help']);
    const viaCommander = await rgsd(['-v', '--help']); // not the fast path
    expect(viaCommander.stdout).toBe(fast.stdout);
    const { COMMANDS } = await import('../../src/help.js');
    for (const [name, [usage, description]] of Object.entries(COMMANDS)) {
      const r = await rgsd([name, '--help']);
      expect(r.exitCode).toBe(0);
      const [first, second] = r.stdout.split('\n\n');
      expect(first).toBe(`Usage: rgsd ${usage}`);
      expect(second?.replace(/\s+/g, ' ')).toBe(description);
    }
  });
  it('up --help documents its flags', async () => {
    const r = await rgsd(['up', '--help']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('--dry-run');
    expect(r.stdout).toContain('--timeout <duration>');
  });
  it('--version prints the version', async () => {
    const r = await rgsd(['--version']);
    expect(r).toMatchObject({ exitCode: 0, stdout: '0.1.0' });
  });
  it('an unknown command is a usage error (exit 2), one line + hint', async () => {
    const r = await rgsd(['launch']);
    expect(r.exitCode).toBe(2);
    expectOneLineError(r.stderr, /^rgsd: unknown command 'launch'/, /^hint: see `rgsd --help`/);
  });
  it('an unknown option is exit 2', async () => {
    const r = await rgsd(['status', '--jsn']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("rgsd: unknown option '--jsn'");
  });
  it('a missing required argument is exit 2', async () => {
    expect((await rgsd(['init'])).exitCode).toBe(2);
  });
});

describe('rgsd init (built, stdin not a TTY)', () => {
  it('without flags fails clearly (exit 2) and writes nothing', async () => {
    const dir = tempDir();
    const r = await rgsd(['init', 'demo'], { configDir: dir });
    expect(r.exitCode).toBe(2);
    expectOneLineError(r.stderr, /^rgsd: rgsd init needs answers and stdin is not a terminal$/, /--repo/);
    expect(existsSync(join(dir, 'projects'))).toBe(false);
  });
  it('with flags writes the files (secrets 0600); a second init is exit 3', async () => {
    const dir = tempDir();
    const r = await rgsd(['init', 'demo', '--repo', 'https://github.com/o/r.git', '--agent', 'claude', '--no-auto-start'], { configDir: dir });
    expect(r.exitCode).toBe(0);
    expect(statSync(join(dir, 'secrets', 'demo.env')).mode & 0o777).toBe(0o600);
    expect(r.stdout).toBe('');
    const again = await rgsd(['init', 'demo', '--repo', ''], { configDir: dir });
    expect(again.exitCode).toBe(3);
    expectOneLineError(again.stderr, /^rgsd: project demo already exists/, /never overwrites/);
  });
  it('--agent outside the choices is exit 2', async () => {
    expect((await rgsd(['init', 'demo', '--agent', 'gpt'], { configDir: tempDir() })).exitCode).toBe(2);
  });
  it('an invalid project name is exit 3', async () => {
    const r = await rgsd(['init', 'My_Proj', '--repo', ''], { configDir: tempDir() });
    expect(r.exitCode).toBe(3);
    expectOneLineError(r.stderr, /^rgsd: project name "My_Proj" is not a DNS-1123 label$/, /lower-case/);
  });
});

describe('rgsd up/down/status (built) — errors and exit codes', () => {
  it('an unknown project is exit 6', async () => {
    const r = await rgsd(['up', 'ghost'], { configDir: tempDir() });
    expect(r.exitCode).toBe(6);
    expectOneLineError(r.stderr, /^rgsd: project "ghost" has no settings file/, /rgsd init ghost/);
  });
  it('a secrets file readable by others is exit 3 with the chmod hint; nothing printed on stdout', async () => {
    const dir = tempDir();
    const { secretsFile } = writeProject(dir, 'demo');
    chmodSync(secretsFile, 0o644);
    const r = await rgsd(['up', 'demo', '--context', 'x'], { configDir: dir });
    expect(r.exitCode).toBe(3);
    expectOneLineError(r.stderr, /is accessible by group or others \(mode 0644\)/, new RegExp(`^hint: chmod 600 ${secretsFile}$`));
    expect(r.stdout).toBe('');
    expect(r.stderr).not.toContain(SECRET_TOKEN);
  });
  it('a missing helm is exit 4', async () => {
    const dir = tempDir();
    writeProject(dir, 'demo');
    const r = await rgsd(['up', 'demo'], { configDir: dir, env: { RGSD_HELM: 'rgsd-test-no-helm' } });
    expect(r.exitCode).toBe(4);
    expectOneLineError(r.stderr, /^rgsd: rgsd-test-no-helm not found$/, /RGSD_HELM/);
  });
  it('an unreachable cluster is exit 5 (real helm + kubectl)', async () => {
    const dir = tempDir();
    writeProject(dir, 'demo');
    const r = await rgsd(['status', 'demo'], { configDir: dir, env: { KUBECONFIG: deadKubeconfig() } });
    expect(r.exitCode).toBe(5);
    expect(r.stderr).toContain('context: dead  namespace: rgsd');
    expectOneLineError(r.stderr, /^rgsd: cannot reach the cluster \(context dead\)/, /kubectl cluster-info/);
    const up = await rgsd(['up', 'demo'], { configDir: dir, env: { KUBECONFIG: deadKubeconfig() } });
    expect(up.exitCode).toBe(5);
    expect(up.stderr).not.toContain(SECRET_TOKEN);
  });
  it('a pinned context that is not current is refused (exit 3) unless --context is given', async () => {
    const dir = tempDir();
    writeProject(dir, 'demo', { settings: 'context: other\n' });
    const kc = deadKubeconfig();
    const r = await rgsd(['down', 'demo'], { configDir: dir, env: { KUBECONFIG: kc } });
    expect(r.exitCode).toBe(3);
    expectOneLineError(r.stderr, /pinned to context "other" but the current context is "dead"/, /--context other/);
    const forced = await rgsd(['down', 'demo', '--context', 'other'], { configDir: dir, env: { KUBECONFIG: kc } });
    expect(forced.exitCode).toBe(5); // got past the pin, then the (dead) cluster
    expect(forced.stderr).toContain('context: other  namespace: rgsd');
  });
  it('no kube context at all is exit 5 with a hint', async () => {
    const r = await rgsd(['status'], { configDir: tempDir() });
    expect(r.exitCode).toBe(5);
    expectOneLineError(r.stderr, /^rgsd: no current kube context$/, /--context/);
  });
  it('--dry-run renders the real chart without a cluster; secrets masked; no colour codes', async () => {
    const dir = tempDir();
    writeProject(dir, 'demo');
    const r = await rgsd(['up', 'demo', '--dry-run', '--context', 'kind-x', '-v'], { configDir: dir });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('kind: Deployment');
    expect(r.stdout).toContain('<masked: ');
    expect(r.stdout + r.stderr).not.toContain(SECRET_TOKEN);
    expect(r.stderr).toContain('$ helm template demo');
    expect(r.stderr).not.toMatch(/\x1b\[/);
  });
  it('Ctrl-C (SIGINT) exits 130 with one line, not a stack trace', async () => {
    const dir = tempDir();
    writeProject(dir, 'demo');
    const shim = join(tempDir(), 'slow-helm');
    writeFileSync(shim, '#!/bin/sh\nexec sleep 5\n', { mode: 0o755 });
    const child = rgsd(['up', 'demo', '--context', 'x'], { configDir: dir, env: { RGSD_HELM: shim } });
    await new Promise((r) => setTimeout(r, 1500));
    child.kill('SIGINT');
    const r = await child;
    expect(r.exitCode).toBe(130);
    expect(r.stderr.trim().split('\n').at(-1)).toBe('rgsd: interrupted');
  });
});
