// /opt/rgsd/backup (docker/backup) against a temp home with the real tar, gzip and python3:
// the stream on stdout and the result the pod keeps (byte count and sha256 of exactly that
// stream), the default exclusions and --include, SQLite in WAL mode through the backup
// interface, a file that changed while tar read it (a warning), a tar failure (exit 1) and usage.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Root, script, waitUntil } from './harness.js';

let root: Root;
beforeEach(() => {
  root = new Root();
});
afterEach(async () => {
  await root.cleanup();
});

const RUN_DIR = () => join(root.home, '.rgsd', 'run');

function backup(args: string[], extra: Record<string, string> = {}) {
  const r = spawnSync(script('backup'), args, {
    env: root.env({ RGSD_RUN_DIR: RUN_DIR(), ...extra }),
    timeout: 60_000,
    maxBuffer: 1 << 28,
  });
  if (r.error) throw r.error;
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr.toString('utf8') };
}

function result(id: string) {
  const r = backup(['result', '--id', id]);
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout.toString('utf8')) as {
    ok: boolean;
    bytes: number;
    sha256: string;
    tarExit: number;
    changed: string[];
    errors: string[];
    sqlite: { path: string; method: string }[];
    excluded: string[];
    estimateBytes: number;
  };
}

/** The member names of a .tar.gz (without `./`). */
function members(gz: Buffer): string[] {
  const r = spawnSync('tar', ['-tzf', '-'], { input: gz, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map((m) => m.replace(/^\.\//, '').replace(/\/$/, ''));
}

function put(rel: string, text: string): void {
  const p = join(root.home, rel);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, text);
}

describe('docker/backup', () => {
  it('streams the home; the result is the count and sha256 of exactly that stream; defaults left out', () => {
    put('workspace/src/a.txt', 'a\n');
    put('.cache/pip/blob', 'cache');
    put('.git-credentials', 'https://x:secret@github.com\n');
    put('.config/rgsd/secrets.env', "export A='b'\n");
    put('.config/rgsd/managed-files', 'abc .codex/auth.json\n');
    put('.codex/auth.json', '{}');
    put('.claude/.credentials.json', '{}');
    put('.rgsd/transcripts/0.log', 'screen');
    put('.rgsd/run/panes/1.json', '{}');
    put('.rgsd/tasks/t1.json', '{}');
    const r = backup(['stream', '--id', 'b1']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^rgsd-backup: estimate \d+$/m);
    expect(r.stderr).toMatch(/^rgsd-backup: progress \d+$/m);
    const res = result('b1');
    expect(res).toMatchObject({ ok: true, bytes: r.stdout.length, tarExit: 0, changed: [], errors: [] });
    expect(res.sha256).toBe(createHash('sha256').update(r.stdout).digest('hex'));
    const names = members(r.stdout);
    expect(names).toEqual(expect.arrayContaining(['workspace/src/a.txt', '.rgsd/tasks/t1.json']));
    for (const gone of [
      '.cache',
      '.git-credentials',
      '.config/rgsd/secrets.env',
      '.codex/auth.json',
      '.claude/.credentials.json',
      '.rgsd/transcripts',
      '.rgsd/run',
    ]) {
      expect(
        names.some((n) => n === gone || n.startsWith(`${gone}/`)),
        gone,
      ).toBe(false);
    }
    // the result is handed out once, and nothing else is left in the run dir
    expect(backup(['result', '--id', 'b1']).status).toBe(6);
    expect(readdirSync(join(RUN_DIR(), 'backup'))).toEqual([]);
  });

  it('--include brings each kind back; --exclude leaves out what matches', () => {
    put('workspace/keep.txt', 'k');
    put('workspace/node_modules/x/index.js', 'x');
    put('.cache/pip/blob', 'cache');
    put('.rgsd/transcripts/0.log', 'screen');
    put('.git-credentials', 'x');
    const r = backup(['stream', '--id', 'b2', '--include', 'caches,transcripts', '--exclude', 'node_modules']);
    expect(r.status, r.stderr).toBe(0);
    const names = members(r.stdout);
    expect(names).toEqual(expect.arrayContaining(['workspace/keep.txt', '.cache/pip/blob', '.rgsd/transcripts/0.log']));
    expect(names).not.toContain('.git-credentials');
    expect(names.some((n) => n.includes('node_modules'))).toBe(false);
  });

  it('a SQLite database in WAL mode is copied through the backup interface, with what only its WAL holds', async () => {
    const db = join(root.home, 'workspace', 'state.db');
    mkdirSync(dirname(db), { recursive: true });
    // a writer that keeps its connection open with the rows only in the WAL
    const py = spawn(
      'python3',
      [
        '-c',
        [
          'import sqlite3, sys, time',
          'c = sqlite3.connect(sys.argv[1])',
          "c.execute('pragma journal_mode=wal')",
          "c.execute('pragma wal_autocheckpoint=0')",
          "c.execute('create table t(x)')",
          "c.executemany('insert into t values (?)', [(i,) for i in range(100)])",
          'c.commit()',
          "open(sys.argv[1] + '.ready', 'w').close()",
          'sys.stdin.read()',
        ].join('\n'),
        db,
      ],
      { stdio: ['pipe', 'ignore', 'inherit'] },
    );
    try {
      await waitUntil(
        () => existsSync(`${db}.ready`),
        60_000,
        () => 'the SQLite writer did not start',
      );
      expect(existsSync(`${db}-wal`)).toBe(true);
      const r = backup(['stream', '--id', 'b3']);
      expect(r.status, r.stderr).toBe(0);
      expect(result('b3').sqlite).toEqual([{ path: 'workspace/state.db', method: 'sqlite-backup' }]);
      const names = members(r.stdout);
      expect(names).toContain('workspace/state.db');
      expect(names.filter((n) => n === 'workspace/state.db')).toHaveLength(1);
      expect(names).not.toContain('workspace/state.db-wal');
      const out = mkdtempSync(join(tmpdir(), 'rgsd-backup-x-'));
      try {
        expect(spawnSync('tar', ['-xzf', '-', '-C', out], { input: r.stdout }).status).toBe(0);
        const q = spawnSync(
          'python3',
          [
            '-c',
            'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("select count(*) from t").fetchone()[0])',
            join(out, 'workspace', 'state.db'),
          ],
          {
            encoding: 'utf8',
          },
        );
        expect(q.stdout.trim(), q.stderr).toBe('100');
      } finally {
        rmSync(out, { recursive: true, force: true });
      }
    } finally {
      py.stdin?.end();
      py.kill();
    }
  });

  it("a file that changed while tar read it is a warning (tar's exit 1), not a failure", () => {
    put('workspace/a.txt', 'a');
    root.fakeBin(
      'tar',
      'case " $* " in *" --file=-"*) /bin/tar "$@"; echo "tar: ./workspace/a.txt: file changed as we read it" >&2; exit 1;; esac\nexec /bin/tar "$@"',
    );
    const r = backup(['stream', '--id', 'b4']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^rgsd-backup: warning: \.\/workspace\/a\.txt: file changed as we read it$/m);
    expect(result('b4')).toMatchObject({ ok: true, tarExit: 1, changed: ['./workspace/a.txt: file changed as we read it'] });
  });

  it('a tar failure fails the stream (exit 1) and says why', () => {
    put('workspace/a.txt', 'a');
    root.fakeBin(
      'tar',
      'case " $* " in *" --file=-"*) echo "tar: ./workspace: Cannot open: Permission denied" >&2; exit 2;; esac\nexec /bin/tar "$@"',
    );
    const r = backup(['stream', '--id', 'b5']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^rgsd-backup: error: tar: \.\/workspace: Cannot open: Permission denied$/m);
    expect(result('b5')).toMatchObject({ ok: false, tarExit: 2 });
  });

  it('usage: a bad id, an unknown kind, an unknown option (exit 2); an unknown result (exit 6)', () => {
    expect(backup(['stream', '--id', '../x']).status).toBe(2);
    expect(backup(['stream', '--id', 'b6', '--include', 'everything']).status).toBe(2);
    expect(backup(['stream', '--id', 'b6', '--frobnicate']).status).toBe(2);
    expect(backup(['nonsense']).status).toBe(2);
    expect(backup(['result', '--id', 'never']).status).toBe(6);
  });
});
