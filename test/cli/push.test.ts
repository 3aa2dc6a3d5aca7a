// `rgsd push` and `rgsd pull` as the BUILT CLI with a PATH shim for kubectl whose exec runs
// the words after `--` here with HOME pointed at a temp "pod home": the real remote scripts
// and the real GNU tar, so the whole roundtrip is tested (a fake ~/.claude pushed and found
// there, modes kept, logins left out; a file pulled back byte-identical). Bad input and a
// missing confirmation are refused before any call; --dry-run calls nothing.
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { kubeconfigFile, REPO_ROOT, tempDir } from '../helpers/test-app.js';
import { makeShim, type Shim } from '../helpers/tool-shim.js';

const BIN = resolve(REPO_ROOT, 'bin', 'rgsd');
beforeAll(() => {
  if (!existsSync(resolve(REPO_ROOT, 'dist', 'main.js'))) throw new Error('dist/main.js missing: run `npm run build`');
});

/** kubectl whose exec runs the command after `--` with HOME = `podHome` (stdin and stdout passed). */
function podShim(podHome: string): Shim {
  return makeShim({
    kubectl: [
      { match: '^--context ctx -n rgsd exec ', run: `while [ "$1" != -- ]; do shift; done; shift; export HOME='${podHome}'; exec "$@"` },
    ],
  });
}

function rgsd(args: string[], shim: Shim, home: string, o: { cwd?: string } = {}) {
  const cfg = tempDir('rgsd-cfg-');
  return execa(process.execPath, [BIN, ...args], {
    reject: false,
    input: '',
    cwd: o.cwd ?? home,
    env: { PATH: `${shim.bin}:${process.env.PATH ?? ''}`, HOME: home, RGSD_CONFIG_DIR: cfg, KUBECONFIG: kubeconfigFile('ctx') },
    extendEnv: false,
    timeout: 60_000,
  });
}

function put(root: string, rel: string, content: string | Buffer, mode = 0o644): void {
  mkdirSync(join(root, rel, '..'), { recursive: true });
  writeFileSync(join(root, rel), content);
  chmodSync(join(root, rel), mode);
}

function laptop(): string {
  const home = tempDir('rgsd-laptop-');
  put(home, '.claude/skills/review/SKILL.md', '# review\n');
  put(home, '.claude/hooks/on-stop.sh', '#!/bin/sh\necho stop\n', 0o755);
  put(home, '.claude/CLAUDE.md', 'be brief\n');
  put(home, '.claude/settings.json', '{"model":"opus"}\n', 0o600);
  put(home, `.claude/agents/${'long-name-'.repeat(12)}.md`, 'a long path\n');
  symlinkSync('CLAUDE.md', join(home, '.claude', 'AGENTS.md'));
  put(home, '.claude/.credentials.json', '{"claudeAiOauth":{"accessToken":"not-a-real-token"}}', 0o600);
  put(home, '.claude/projects/-home-me-x/session.jsonl', '{}\n');
  const dotfiles = join(tempDir('rgsd-dotfiles-'), 'gsd');
  put(dotfiles, 'agent/settings.json', '{}\n');
  put(dotfiles, 'agent/auth.json', '{}\n', 0o600);
  symlinkSync(dotfiles, join(home, '.gsd'));
  return home;
}

describe('rgsd push (built, a shim pod home)', () => {
  it('pushes a fake ~/.claude and a symlinked ~/.gsd: found in the pod home with modes, symlinks and long names; logins stay', async () => {
    const home = laptop();
    const pod = tempDir('rgsd-podhome-');
    put(pod, '.claude/settings.json', '{"old":true}\n');
    put(pod, '.claude/keep.txt', 'kept\n');
    const shim = podShim(pod);
    const r = await rgsd(['push', 'demo', '--yes'], shim, home);
    expect(r.stderr).not.toMatch(/^rgsd:/m);
    expect(r.exitCode).toBe(0);
    expect(shim.calls()).toHaveLength(1);
    expect(shim.calls()[0]).toMatch(
      /^kubectl --context ctx -n rgsd exec -i deployment\/demo-rgsd -c workstation --pod-running-timeout=10s -- sh -c /,
    );
    expect(readFileSync(join(pod, '.claude/skills/review/SKILL.md'), 'utf8')).toBe('# review\n');
    expect(statSync(join(pod, '.claude/hooks/on-stop.sh')).mode & 0o777).toBe(0o755);
    expect(statSync(join(pod, '.claude/settings.json')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(pod, '.claude/settings.json'), 'utf8')).toBe('{"model":"opus"}\n');
    expect(readFileSync(join(pod, '.claude/keep.txt'), 'utf8')).toBe('kept\n');
    expect(readFileSync(join(pod, `.claude/agents/${'long-name-'.repeat(12)}.md`), 'utf8')).toBe('a long path\n');
    expect(readlinkSync(join(pod, '.claude/AGENTS.md'))).toBe('CLAUDE.md');
    // ~/.gsd was a symlink here: in the pod it is a real folder with the target's content
    expect(lstatSync(join(pod, '.gsd')).isDirectory()).toBe(true);
    expect(readFileSync(join(pod, '.gsd/agent/settings.json'), 'utf8')).toBe('{}\n');
    for (const gone of ['.claude/.credentials.json', '.claude/projects', '.gsd/agent/auth.json'])
      expect(existsSync(join(pod, gone)), gone).toBe(false);
    expect(readFileSync(join(pod, '.claude/CLAUDE.md'), 'utf8')).toBe('be brief\n');
    // the marker is gone again
    expect(readdirSync(pod).filter((n) => n.startsWith('.rgsd-push-'))).toEqual([]);
    expect(r.stdout).toContain(`~/.gsd (a symlink: ${realpathSync(join(home, '.gsd'))}): 1 file, `);
    expect(r.stdout).toContain('~/.claude/.credentials.json (a login): log in inside the pod instead: `claude setup-token`');
    expect(r.stdout).toMatch(/\npushed: 6 files \(/);
    // the login's content is in no output
    expect(`${r.stdout}${r.stderr}`).not.toContain('not-a-real-token');
  });

  it('paths with spaces land at the same place; a path outside the home, no confirmation: refused before any call', async () => {
    const home = laptop();
    put(home, 'notes/a b.txt', 'spaced\n');
    const pod = tempDir('rgsd-podhome-');
    const shim = podShim(pod);
    const ok = await rgsd(['push', 'demo', 'notes/a b.txt', '--yes', '--json'], shim, home);
    expect(ok.exitCode).toBe(0);
    const doc = JSON.parse(ok.stdout);
    expect(doc).toMatchObject({ schemaVersion: 1, project: 'demo', pushed: true, files: 1 });
    expect(readFileSync(join(pod, 'notes/a b.txt'), 'utf8')).toBe('spaced\n');
    const before = shim.calls().length;
    const outside = await rgsd(['push', 'demo', '/etc/hostname', '--yes'], shim, home);
    expect(outside.exitCode).toBe(2);
    expect(outside.stderr).toMatch(/^rgsd: \/etc\/hostname is outside your home/m);
    expect(outside.stderr).toMatch(/\nhint: /);
    const unconfirmed = await rgsd(['push', 'demo'], shim, home);
    expect(unconfirmed.exitCode).toBe(7);
    expect(unconfirmed.stderr).toMatch(/hint: re-run with --yes/);
    const dry = await rgsd(['push', 'demo', '--dry-run'], shim, home);
    expect(dry.exitCode).toBe(0);
    expect(dry.stdout).toMatch(/^would push into the home of demo:/);
    expect(shim.calls()).toHaveLength(before);
  });

  it('a pod whose tar gets a stream without its last entry: an error, not a success', async () => {
    const home = laptop();
    const pod = tempDir('rgsd-podhome-');
    // stands in for a stream that lost its end: the pod side reads only the first 1024 bytes
    const shim = makeShim({
      kubectl: [
        {
          match: '^--context ctx -n rgsd exec ',
          run: `while [ "$1" != -- ]; do shift; done; shift; export HOME='${pod}'; head -c 1024 | "$@"; exit $?`,
        },
        { match: '^--context ctx -n rgsd get ', stdout: '{"items":[]}' },
      ],
    });
    const r = await rgsd(['push', 'demo', '--claude', '--yes'], shim, home);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/^rgsd: the push failed in the pod: /m);
  });
});

describe('rgsd pull (built, a shim pod home)', () => {
  it('a file back byte-identical with its mode; a folder; an existing file refused unless --force; a missing one exit 6', async () => {
    const pod = tempDir('rgsd-podhome-');
    const bytes = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 7919) % 256));
    put(pod, 'workspace/out/data.bin', bytes, 0o640);
    put(pod, 'workspace/out/sub/x.txt', 'x\n');
    const shim = podShim(pod);
    const here = tempDir('rgsd-here-');
    const r = await rgsd(['pull', 'demo', 'workspace/out/data.bin'], shim, tempDir('rgsd-laptop-'), { cwd: here });
    expect(r.stderr).not.toMatch(/^rgsd:/m);
    expect(r.exitCode).toBe(0);
    expect(shim.calls()).toEqual([
      expect.stringMatching(
        /^kubectl --context ctx -n rgsd exec deployment\/demo-rgsd -c workstation --pod-running-timeout=10s -- sh -c .* sh workspace\/out data\.bin$/s,
      ),
    ]);
    expect(readFileSync(join(here, 'data.bin')).equals(bytes)).toBe(true);
    expect(statSync(join(here, 'data.bin')).mode & 0o777).toBe(0o640);
    const again = await rgsd(['pull', 'demo', 'workspace/out/data.bin'], shim, tempDir('rgsd-laptop-'), { cwd: here });
    expect(again.exitCode).toBe(7);
    expect(shim.calls()).toHaveLength(1);
    const forced = await rgsd(['pull', 'demo', 'workspace/out/data.bin', '--force'], shim, tempDir('rgsd-laptop-'), { cwd: here });
    expect(forced.exitCode).toBe(0);
    const folder = await rgsd(['pull', 'demo', '/home/gsd/workspace/out', 'copy', '--json'], shim, tempDir('rgsd-laptop-'), { cwd: here });
    expect(folder.exitCode).toBe(0);
    expect(JSON.parse(folder.stdout)).toMatchObject({ schemaVersion: 1, remote: '~/workspace/out', type: 'dir', files: 2, dirs: 2 });
    expect(readFileSync(join(here, 'copy/sub/x.txt'), 'utf8')).toBe('x\n');
    expect(readFileSync(join(here, 'copy/data.bin')).equals(bytes)).toBe(true);
    const missing = await rgsd(['pull', 'demo', 'workspace/nope'], shim, tempDir('rgsd-laptop-'), { cwd: here });
    expect(missing.exitCode).toBe(6);
    expect(missing.stderr).toMatch(/^rgsd: ~\/workspace\/nope does not exist in the home of demo/m);
  });

  it('a stream cut short (the pod sends part of the tar): an error, nothing written', async () => {
    const pod = tempDir('rgsd-podhome-');
    put(pod, 'big.bin', Buffer.alloc(50_000, 1));
    const shim = makeShim({
      kubectl: [
        {
          match: '^--context ctx -n rgsd exec ',
          run: `while [ "$1" != -- ]; do shift; done; shift; export HOME='${pod}'; "$@" | head -c 20000 || true; exit 0`,
        },
      ],
    });
    const here = tempDir('rgsd-here-');
    const r = await rgsd(['pull', 'demo', 'big.bin'], shim, tempDir('rgsd-laptop-'), { cwd: here });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/^rgsd: the archive of ~\/big\.bin arrived incomplete or damaged/m);
    expect(existsSync(join(here, 'big.bin'))).toBe(false);
  });
});
