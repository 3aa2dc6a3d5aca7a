// Config directory problems through the BUILT CLI: each is one `rgsd: …` line and a hint,
// exit 3, never an errno dump or "unexpected error". Permission cases need a user the
// directory refuses: as root (where permissions do not apply) the CLI runs as nobody.
import { chmodSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeProject } from '../helpers/project-fixture.js';
import { REPO_ROOT, tempDir } from '../helpers/test-app.js';

const BIN = resolve(REPO_ROOT, 'bin', 'rgsd');
beforeAll(() => {
  if (!existsSync(resolve(REPO_ROOT, 'dist', 'main.js'))) throw new Error('dist/main.js missing: run `npm run build`');
});

const ROOT = process.getuid?.() === 0;
const NOBODY = 65534;

function rgsd(args: string[], env: Record<string, string>, opts: { cwd?: string; asOther?: boolean } = {}) {
  return execa(process.execPath, [BIN, ...args], {
    reject: false,
    input: '',
    env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', ...env },
    extendEnv: false,
    timeout: 60_000,
    ...(opts.cwd ? { cwd: opts.cwd } : {}),
    ...(opts.asOther && ROOT ? { uid: NOBODY, gid: NOBODY } : {}),
  });
}

/** A config dir the CLI may enter, where `sub` ('.' itself, or projects/) is closed to it:
 * not writable ('.'), not readable (projects/). */
function lockedDir(sub: '.' | 'projects'): { cfg: string; unlock: () => void } {
  const cfg = tempDir();
  chmodSync(cfg, 0o755);
  const dir = sub === '.' ? cfg : join(cfg, sub);
  if (sub !== '.') mkdirSync(dir);
  // as root the CLI runs as nobody, for whom a root-owned 0755 directory is read-only and a 0700 one closed
  chmodSync(dir, ROOT ? (sub === '.' ? 0o755 : 0o700) : sub === '.' ? 0o555 : 0o000);
  return { cfg, unlock: () => chmodSync(dir, 0o755) };
}

/** One error line and one hint line on stderr. */
function expectOneLineError(stderr: string, message: string | RegExp, hint: string | RegExp): void {
  const lines = stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(2);
  if (typeof message === 'string') expect(lines[0]).toBe(`rgsd: ${message}`);
  else expect(lines[0]).toMatch(message);
  if (typeof hint === 'string') expect(lines[1]).toBe(`hint: ${hint}`);
  else expect(lines[1]).toMatch(hint);
}

describe('config directory problems (built CLI): exit 3, the path and a hint', () => {
  it('HOME empty: init refuses and writes nothing into the current directory', async () => {
    const cwd = tempDir();
    const r = await rgsd(['init', 'demo', '--yes'], { HOME: '' }, { cwd });
    expect(r.exitCode).toBe(3);
    expectOneLineError(
      r.stderr,
      'no config directory: HOME is empty or not an absolute path, and no --config-dir or RGSD_CONFIG_DIR is given',
      /^hint: pass --config-dir <dir>/,
    );
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('--config-dir under /proc is refused at once (it used to spin in mkdir -p)', async () => {
    const r = await rgsd(['init', 'demo', '--yes', '--config-dir', '/proc/rgsd-test'], { HOME: tempDir() });
    expect(r.exitCode).toBe(3);
    expectOneLineError(
      r.stderr,
      'config directory /proc/rgsd-test is on /proc, a virtual file system',
      /--config-dir <a directory on disk>/,
    );
  });

  it('projects/ unreadable: "cannot list", not "none configured"', async () => {
    const { cfg, unlock } = lockedDir('projects');
    try {
      const r = await rgsd(['up'], { HOME: cfg, RGSD_CONFIG_DIR: cfg }, { asOther: true });
      expect(r.exitCode).toBe(3);
      const dir = join(cfg, 'projects');
      expectOneLineError(
        r.stderr,
        `cannot list ${dir}: permission denied`,
        `make it readable by you (ls -ld ${dir}), or pass --config-dir <a directory of yours>`,
      );
    } finally {
      unlock();
    }
  });

  it('config directory not writable: init says so before asking anything', async () => {
    const { cfg, unlock } = lockedDir('.');
    try {
      const r = await rgsd(['init', 'demo', '--yes'], { HOME: cfg, RGSD_CONFIG_DIR: cfg }, { asOther: true });
      expect(r.exitCode).toBe(3);
      expectOneLineError(r.stderr, `cannot write ${cfg}: permission denied`, /^hint: make it writable by you/);
      expect(existsSync(join(cfg, 'projects'))).toBe(false);
    } finally {
      unlock();
    }
  });

  it('a settings path that is a directory: "is a directory", not EISDIR', async () => {
    const cfg = tempDir();
    const path = join(cfg, 'projects', 'demo.yaml');
    mkdirSync(path, { recursive: true });
    const r = await rgsd(['up', 'demo'], { HOME: cfg, RGSD_CONFIG_DIR: cfg });
    expect(r.exitCode).toBe(3);
    expectOneLineError(r.stderr, `${path} is a directory, not a file`, /^hint: remove or rename that directory/);
  });

  it('a secrets directory others can read: refused with chmod 700 before anything runs', async () => {
    const cfg = tempDir();
    writeProject(cfg, 'demo');
    chmodSync(join(cfg, 'secrets'), 0o755);
    const r = await rgsd(['up', 'demo'], { HOME: cfg, RGSD_CONFIG_DIR: cfg, KUBECONFIG: join(cfg, 'no-kubeconfig') });
    expect(r.exitCode).toBe(3);
    expectOneLineError(
      r.stderr,
      `the secrets directory ${join(cfg, 'secrets')} is accessible by group or others (mode 0755)`,
      `chmod 700 ${join(cfg, 'secrets')}`,
    );
  });
});
