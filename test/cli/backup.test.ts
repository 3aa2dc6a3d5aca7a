// rgsd backup through the BUILT CLI: bad input exits with one line and a hint before any
// cluster call (the kubeconfig points nowhere), and Ctrl-C during the stream (SIGINT to the
// process group, as a terminal sends it) leaves no file behind.
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeProject } from '../helpers/project-fixture.js';
import { REPO_ROOT, tempDir } from '../helpers/test-app.js';
import { makeShim } from '../helpers/tool-shim.js';

const BIN = resolve(REPO_ROOT, 'bin', 'rgsd');

beforeAll(() => {
  if (!existsSync(resolve(REPO_ROOT, 'dist', 'main.js'))) throw new Error('dist/main.js missing: run `npm run build`');
});

function env(configDir: string, extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH ?? '', HOME: configDir, RGSD_CONFIG_DIR: configDir, KUBECONFIG: join(tempDir(), 'none'), ...extra };
}

describe('rgsd backup: bad input', () => {
  // -o paths are relative to the working directory, a fresh one per test
  it.each([
    [['backup', 'demo', '-o', 'taken.tar.gz'], 7, /already exists; rgsd backup never overwrites a file/],
    [['backup', 'demo', '-o', join('no', 'such', 'dir.tar.gz')], 2, /cannot write into/],
    [['backup', 'demo', '--include', 'everything'], 2, /--include "everything" is not one of caches, secrets, logins, transcripts/],
    [['backup', 'demo', '--exclude', ''], 2, /--exclude needs a pattern/],
    [['backup', 'Not_A_Project'], 3, /Not_A_Project/],
  ])('rgsd %j', async (args, code, message) => {
    const configDir = tempDir();
    writeProject(configDir, 'demo');
    const out = tempDir('rgsd-backup-cli-');
    writeFileSync(join(out, 'taken.tar.gz'), 'x');
    const r = await execa(process.execPath, [BIN, ...args], {
      cwd: out,
      reject: false,
      env: env(configDir),
      extendEnv: false,
      timeout: 30_000,
    });
    expect(r.exitCode, r.stderr).toBe(code);
    const lines = r.stderr.trim().split('\n');
    expect(lines.filter((l) => l.startsWith('rgsd:'))).toHaveLength(1);
    expect(lines.find((l) => l.startsWith('rgsd:'))).toMatch(message);
    expect(lines.some((l) => l.startsWith('hint:'))).toBe(true);
    expect(r.stdout).toBe('');
    expect(readdirSync(out)).toEqual(['taken.tar.gz']);
  });
});

describe('rgsd backup: interrupted', () => {
  it('Ctrl-C during the stream exits 130 and leaves no archive, manifest or partial file', async () => {
    const configDir = tempDir();
    writeProject(configDir, 'demo');
    const kubeconfig = join(tempDir(), 'config');
    writeFileSync(kubeconfig, 'apiVersion: v1\nkind: Config\ncurrent-context: ctx\n');
    // the stream: some bytes, then it hangs (until the terminal's SIGINT reaches it too)
    const shim = makeShim({
      kubectl: [
        { match: '/opt/rgsd/backup stream', run: 'head -c 300000 /dev/zero; echo "rgsd-backup: estimate 999999999" >&2; exec sleep 600' },
      ],
    });
    const out = tempDir('rgsd-backup-int-');
    const child = execa(process.execPath, [BIN, 'backup', 'demo', '-o', join(out, 'b.tar.gz')], {
      reject: false,
      env: { ...env(configDir, { KUBECONFIG: kubeconfig }), PATH: `${shim.bin}:${process.env.PATH ?? ''}` },
      extendEnv: false,
      detached: true,
      timeout: 120_000,
    });
    const deadline = Date.now() + 60_000;
    const partial = (): string | undefined => readdirSync(out).find((f) => f.endsWith('.partial'));
    for (;;) {
      const p = partial();
      if (p && statSync(join(out, p)).size >= 300000) break;
      if (Date.now() > deadline) throw new Error(`no partial file of 300000 bytes in ${out}: ${readdirSync(out).join(', ')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(statSync(join(out, partial() as string)).mode & 0o777).toBe(0o600);
    process.kill(-(child.pid as number), 'SIGINT');
    const r = await child;
    expect(r.exitCode, r.stderr).toBe(130);
    expect(r.stderr).toMatch(/^rgsd: interrupted/m);
    expect(readdirSync(out)).toEqual([]);
  });
});
