// /opt/rgsd/restore (docker/restore) against temp homes with the real tar, gzip, git and the
// real backup helper: what "empty" means (a home that init-home and a first boot left, clean
// clones), the refusal of a home with work in it, a backup restored into a fresh home identical
// file by file (modes and symlinks too) with the left-out paths kept from the current home, and
// a damaged or short stream that leaves the home untouched.
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bareRepo, REPO, Root, script } from './harness.js';

let roots: Root[] = [];
const newRoot = (): Root => {
  const r = new Root();
  roots.push(r);
  return r;
};
let root: Root;
beforeEach(() => {
  roots = [];
  root = newRoot();
});
afterEach(async () => {
  await Promise.all(roots.map((r) => r.cleanup()));
});

const runDir = (r: Root) => join(r.home, '.rgsd', 'run');

function helper(r: Root, name: string, args: string[], input?: Buffer) {
  const res = spawnSync(script(name), args, {
    env: r.env({ RGSD_RUN_DIR: runDir(r) }),
    timeout: 60_000,
    maxBuffer: 1 << 28,
    ...(input ? { input } : { stdio: ['ignore', 'pipe', 'pipe'] }),
  });
  // a refusal exits before it reads stdin: EPIPE on our side is that, not a failure
  if (res.error && (res.error as NodeJS.ErrnoException).code !== 'EPIPE') throw res.error;
  return { status: res.status ?? -1, stdout: res.stdout, stderr: res.stderr.toString('utf8') };
}

const inspect = (r: Root, keep: string[] = []) => {
  const res = helper(r, 'restore', ['inspect', ...keep.flatMap((k) => ['--keep', k])]);
  expect(res.status, res.stderr).toBe(0);
  return JSON.parse(res.stdout.toString('utf8')) as { empty: boolean; content: string[]; contentCount: number };
};

function put(r: Root, rel: string, text: string, mode?: number): void {
  const p = join(r.home, rel);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, text);
  if (mode !== undefined) chmodSync(p, mode);
}

function git(dir: string, ...args: string[]): string {
  const res = spawnSync('git', ['-C', dir, ...args], { encoding: 'utf8', env: root.env() });
  if (res.status !== 0) throw new Error(`git ${args.join(' ')}: ${res.stderr}`);
  return res.stdout;
}

/** Every path under the home (but `skip`) with its type, mode and content's (or link's) sha256. */
function digest(r: Root, skip: string[] = []): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      const rel = relative(r.home, path);
      if (skip.some((s) => rel === s || rel.startsWith(`${s}/`))) continue;
      const st = lstatSync(path);
      const mode = (st.mode & 0o7777).toString(8);
      if (st.isSymbolicLink()) out.push(`${rel} l ${readlinkSync(path)}`);
      else if (st.isDirectory()) {
        out.push(`${rel} d ${mode}`);
        walk(path);
      } else out.push(`${rel} f ${mode} ${createHash('sha256').update(readFileSync(path)).digest('hex')}`);
    }
  };
  walk(r.home);
  return out;
}

/** A backup of `r`'s home through docker/backup: the archive, its byte count and sha256, what it left out. */
function backupOf(r: Root, id = 'b1') {
  const s = helper(r, 'backup', ['stream', '--id', id]);
  expect(s.status, s.stderr).toBe(0);
  const res = helper(r, 'backup', ['result', '--id', id]);
  const result = JSON.parse(res.stdout.toString('utf8')) as { bytes: number; sha256: string; excluded: string[] };
  expect(result.bytes).toBe(s.stdout.length);
  return { archive: s.stdout as Buffer, ...result };
}

const applyArgs = (b: { bytes: number; sha256: string; excluded: string[] }, id = 'r1') => [
  'apply',
  '--id',
  id,
  '--bytes',
  String(b.bytes),
  '--sha256',
  b.sha256,
  ...b.excluded.flatMap((p) => ['--keep', p]),
];

describe('docker/restore inspect: what an empty home is', () => {
  it('a home that init-home seeded and a first boot used (a clean clone, the agent settings) is empty', async () => {
    put(root, '../skel/.zshrc', '# skel\n');
    put(root, '../skel/.ssh/config', 'Host *\n  ServerAliveInterval 60\n');
    put(root, '../skel/.claude/settings.json', '{}\n');
    root.secret('GITHUB_TOKEN', 'ghp_restoretest');
    expect(root.run('init-home').status).toBe(0);
    const ep = root.start({ RGSD_REPO_URL: bareRepo(root), RGSD_AGENT: 'none' });
    await ep.waitFor('ready');
    put(root, '.zsh_history', ': 1:0;ls\n');
    put(root, '.claude.json', '{"numStartups":1}\n');
    put(root, '.claude/settings.local.json', '{"theme":"dark"}\n');
    put(root, '.cache/x/blob', 'cache');
    expect(inspect(root)).toEqual({ schemaVersion: 1, empty: true, contentCount: 0, content: [] });
    // the running session's screen logs: content, unless the restore keeps them (a backup
    // leaves them out by default, so restore carries them over)
    put(root, '.rgsd/transcripts/main-0.log', 'screen');
    expect(inspect(root).content).toEqual(['.rgsd/transcripts/']);
    expect(inspect(root, ['.rgsd/transcripts']).empty).toBe(true);
  });

  it('a workspace the first boot made a new repository (no repository configured) is empty; a commit in it is content', async () => {
    root.secret('project.env', 'A=1\n');
    expect(root.run('init-home').status).toBe(0);
    const ep = root.start({ RGSD_AGENT: 'none', GIT_CONFIG_NOSYSTEM: '0', GIT_CONFIG_SYSTEM: join(REPO, 'docker', 'gitconfig') });
    await ep.waitFor('ready');
    expect(ep.output).toContain('git init in');
    expect(existsSync(join(root.workspace, '.git'))).toBe(true);
    expect(existsSync(join(root.workspace, '.env'))).toBe(true);
    expect(inspect(root)).toEqual({ schemaVersion: 1, empty: true, contentCount: 0, content: [] });
    git(root.workspace, '-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '--allow-empty', '-m', 'mine');
    expect(inspect(root).content).toEqual(['workspace/ (a git repository with local work)']);
  });

  it('work is content: a changed skeleton file, a new file, a dirty or unpushed or stashed clone, transcripts, task records', () => {
    const bare = bareRepo(root);
    put(root, '../skel/.zshrc', '# skel\n');
    expect(root.run('init-home').status).toBe(0);
    expect(inspect(root).empty).toBe(true);
    const clone = join(root.workspace, 'app');
    mkdirSync(root.workspace, { recursive: true });
    spawnSync('git', ['clone', '-q', bare, clone], { env: root.env() });
    git(clone, 'config', 'user.email', 't@example.com');
    git(clone, 'config', 'user.name', 't');
    expect(inspect(root).empty).toBe(true);
    put(root, 'workspace/app/README.md', 'changed\n');
    expect(inspect(root).content).toEqual(['workspace/app/ (a git repository with local work)']);
    git(clone, 'stash', '-q');
    expect(inspect(root).content).toEqual(['workspace/app/ (a git repository with local work)']);
    git(clone, 'stash', 'drop', '-q');
    expect(inspect(root).empty).toBe(true);
    git(clone, 'commit', '-q', '--allow-empty', '-m', 'local');
    expect(inspect(root).content).toEqual(['workspace/app/ (a git repository with local work)']);
    git(clone, 'reset', '-q', '--hard', 'origin/HEAD');
    expect(inspect(root).empty).toBe(true);
    put(root, '.zshrc', '# mine\n');
    put(root, 'notes.txt', 'n');
    put(root, 'workspace/loose.txt', 'l');
    put(root, '.rgsd/transcripts/main-0.log', 'screen');
    put(root, '.rgsd/tasks/t1.json', '{}');
    put(root, '.claude/projects/x/s.jsonl', '{}');
    expect(inspect(root)).toMatchObject({
      empty: false,
      contentCount: 6,
      content: ['.claude/projects/', '.rgsd/tasks/', '.rgsd/transcripts/', '.zshrc', 'notes.txt', 'workspace/loose.txt'],
    });
  });
});

/** `buf` with one bit of byte `at` flipped. */
function flipped(buf: Buffer, at: number): Buffer {
  const copy = Buffer.from(buf);
  copy[at] = (copy[at] ?? 0) ^ 1;
  return copy;
}

describe('docker/restore apply', () => {
  function richHome(r: Root) {
    put(r, 'workspace/src/a.txt', 'a\n');
    put(r, 'workspace/bin/run.sh', '#!/bin/sh\n', 0o755);
    put(r, '.ssh/id_mine', 'key', 0o600);
    put(r, 'notes/big.bin', randomBytes(300_000).toString('base64'));
    symlinkSync('src/a.txt', join(r.home, 'workspace', 'link'));
    mkdirSync(join(r.home, 'empty-dir'));
    put(r, '.home-initialized', 'seeded\n');
    put(r, '.cache/pip/blob', 'old cache');
    put(r, '.config/rgsd/secrets.env', "export A='old'\n");
  }

  it('a backup restored into a fresh home: identical file by file; left-out paths and the run dir kept from the new home', () => {
    richHome(root);
    const b = backupOf(root);
    const target = newRoot();
    expect(target.run('init-home').status).toBe(0);
    put(target, '.cache/keep/me', 'new cache');
    put(target, '.config/rgsd/secrets.env', "export A='new'\n", 0o600);
    put(target, '.rgsd/run/monitor.json', '{}');
    const res = helper(target, 'restore', applyArgs(b), b.archive);
    expect(res.status, res.stderr).toBe(0);
    const out = JSON.parse(res.stdout.toString('utf8')) as { ok: boolean; bytes: number; kept: string[] };
    expect(out).toMatchObject({ ok: true, bytes: b.bytes });
    expect(out.kept).toEqual(expect.arrayContaining(['.cache', '.config/rgsd/secrets.env', '.rgsd/run']));
    const kept = ['.cache', '.config/rgsd/secrets.env', '.rgsd/run', '.config/rgsd/managed-files'];
    expect(digest(target, kept)).toEqual(digest(root, kept));
    expect(target.read('.cache/keep/me')).toBe('new cache');
    expect(target.read('.config/rgsd/secrets.env')).toBe("export A='new'\n");
    expect(existsSync(join(target.home, '.rgsd/run/monitor.json'))).toBe(true);
    expect(readdirSync(target.home).filter((n) => n.startsWith('.rgsd-restore-'))).toEqual([]);
  });

  it('refuses a home with work in it (exit 3, unchanged); --force replaces it', () => {
    richHome(root);
    const b = backupOf(root);
    const target = newRoot();
    put(target, 'workspace/mine.txt', 'precious');
    const before = digest(target);
    const refused = helper(target, 'restore', applyArgs(b), b.archive);
    expect(refused.status).toBe(3);
    expect(refused.stderr).toContain('refused: the home is not empty (1: workspace/mine.txt)');
    expect(digest(target)).toEqual(before);
    const forced = helper(target, 'restore', [...applyArgs(b), '--force'], b.archive);
    expect(forced.status, forced.stderr).toBe(0);
    expect(existsSync(join(target.home, 'workspace/mine.txt'))).toBe(false);
    expect(target.read('workspace/src/a.txt')).toBe('a\n');
  });

  it('a short, a damaged or a longer stream is refused and the home is untouched, even with --force (no staging left)', () => {
    richHome(root);
    const b = backupOf(root);
    const target = newRoot();
    put(target, 'workspace/mine.txt', 'precious');
    const before = digest(target);
    const cases: [Buffer, RegExp][] = [
      [b.archive.subarray(0, b.archive.length - 100), /arrived incomplete: \d+ of \d+ bytes/],
      [flipped(b.archive, Math.floor(b.archive.length / 2)), /arrived damaged: its sha256 differs/],
      [Buffer.concat([b.archive, Buffer.from('tail')]), /more than the \d+ bytes/],
    ];
    for (const [input, message] of cases) {
      // --force: the stream itself is what is refused
      const res = helper(target, 'restore', [...applyArgs(b), '--force'], input);
      expect(res.status, res.stderr).toBe(1);
      expect(res.stderr).toMatch(message);
      expect(res.stderr).toContain('the home was not changed');
      expect(digest(target)).toEqual(before);
    }
  });

  it('usage: a missing --id, --bytes or --sha256, a --keep outside the home (exit 2)', () => {
    for (const args of [
      ['apply', '--bytes', '1', '--sha256', 'a'.repeat(64)],
      ['apply', '--id', 'r1', '--sha256', 'a'.repeat(64)],
      ['apply', '--id', 'r1', '--bytes', '1'],
      ['apply', '--id', 'r1', '--bytes', '1', '--sha256', 'a'.repeat(64), '--keep', '../etc'],
      ['nonsense'],
    ]) {
      expect(helper(root, 'restore', args).status, args.join(' ')).toBe(2);
    }
  });
});
