// /opt/rgsd/backup (docker/backup) against a temp home with the real tar, gzip and python3:
// the stream on stdout and the result the pod keeps (byte count and sha256 of exactly that
// stream), the default exclusions and --include, SQLite in WAL mode through the backup
// interface, a file that changed while tar read it (a warning), a tar failure (exit 1) and usage.
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
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
    tarBytes: number;
    compressor: string;
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

  it('progress comes from tar (checkpoints, then its totals); pigz compresses when the image has it', () => {
    put('workspace/big.bin', randomBytes(3 << 20).toString('base64'));
    const log = join(root.dir, 'pigz.args');
    // a pigz that says how it was called and compresses with gzip (which has no -p)
    root.fakeBin('pigz', `echo "$*" > ${JSON.stringify(log)}\nexec gzip -6 -n`);
    const r = backup(['stream', '--id', 'b7']);
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(log, 'utf8')).toMatch(/^-6 -n -p [1-4]$/m);
    const res = result('b7');
    expect(res).toMatchObject({ ok: true, compressor: expect.stringMatching(/^pigz -p [1-4]$/), errors: [], changed: [] });
    // what tar wrote, exactly: the archive's inflated length
    const raw = gunzipSync(r.stdout);
    expect(res.tarBytes).toBe(raw.length);
    expect(res.tarBytes % 10240).toBe(0);
    // the estimate (the same tar into /dev/null, first) counts the same bytes of a still home
    expect(res.estimateBytes).toBe(res.tarBytes);
    const progress = [...r.stderr.matchAll(/^rgsd-backup: progress (\d+)$/gm)].map((m) => Number(m[1]));
    expect(progress.at(-1)).toBe(res.tarBytes);
    // the first checkpoint (100 records) is shown at once; the stream has 4 MiB of tar
    expect(progress[0]).toBe(100 * 10240);
    expect([...progress].sort((a, b) => a - b)).toEqual(progress);
    // tar's own checkpoint and totals lines are not passed on as messages
    expect(r.stderr).not.toMatch(/checkpoint|Total bytes/);
    expect(members(r.stdout)).toContain('workspace/big.bin');
  });

  it('without pigz, gzip', () => {
    put('workspace/a.txt', 'a');
    const path = (process.env.PATH ?? '')
      .split(':')
      .filter((d) => d && !existsSync(join(d, 'pigz')))
      .join(':');
    const r = backup(['stream', '--id', 'b8'], { PATH: `${root.bin}:${path}` });
    expect(r.status, r.stderr).toBe(0);
    expect(result('b8')).toMatchObject({ ok: true, compressor: 'gzip' });
    expect(members(r.stdout)).toContain('workspace/a.txt');
  });

  it('a compressor failure fails the stream (exit 1) and says why', () => {
    put('workspace/a.txt', 'a');
    root.fakeBin('pigz', 'cat > /dev/null\necho "pigz: abort: write error on <stdout> (No space left on device)" >&2\nexit 1');
    const r = backup(['stream', '--id', 'b9']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^rgsd-backup: error: pigz: pigz: abort: write error on <stdout> \(No space left on device\)$/m);
    expect(result('b9')).toMatchObject({ ok: false, tarExit: 0 });
  });

  it('a stdout that closes early fails the stream (exit 1); the result says how much went out', async () => {
    put('workspace/big.bin', randomBytes(16 << 20).toString('base64'));
    const child = spawn(script('backup'), ['stream', '--id', 'b10'], {
      env: root.env({ RGSD_RUN_DIR: RUN_DIR() }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (d) => {
      stderr += d;
    });
    // the reader goes away after the first piece
    child.stdout?.once('data', () => child.stdout?.destroy());
    const code = await new Promise<number | null>((res) => child.once('close', (c) => res(c)));
    expect(code, stderr).toBe(1);
    expect(stderr).toMatch(/^rgsd-backup: error: stream: .*EPIPE/m);
    const res = result('b10');
    expect(res.ok).toBe(false);
    expect(res.bytes).toBeGreaterThan(0);
    expect(res.bytes).toBeLessThan(16 << 20);
  });

  it('result --wait, asked while the stream runs, answers when it ends; a stream gone without a result is exit 6', async () => {
    put('workspace/big.bin', randomBytes(4 << 20).toString('base64'));
    const env = root.env({ RGSD_RUN_DIR: RUN_DIR() });
    const streamer = spawn(script('backup'), ['stream', '--id', 'b11'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let stderr = '';
    // a slow reader keeps the stream running while the second call is asked
    streamer.stdout?.pause();
    streamer.stderr?.on('data', (d) => {
      stderr += d;
    });
    await waitUntil(
      () => /^rgsd-backup: estimate \d+$/m.test(stderr),
      30_000,
      () => `no estimate line: ${stderr}`,
    );
    const asker = spawn(script('backup'), ['result', '--id', 'b11', '--wait'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let answer = '';
    let askerDone = false;
    asker.stdout?.on('data', (d) => {
      answer += d;
    });
    const askerExit = new Promise<number | null>((res) =>
      asker.once('close', (c) => {
        askerDone = true;
        res(c);
      }),
    );
    // it waits (the stream cannot have ended: nobody reads it)
    await new Promise((r) => setTimeout(r, 300));
    expect(askerDone).toBe(false);
    streamer.stdout?.on('data', (d: Buffer) => out.push(d));
    streamer.stdout?.resume();
    const streamExit = await new Promise<number | null>((res) => streamer.once('close', (c) => res(c)));
    expect(streamExit, stderr).toBe(0);
    expect(await askerExit).toBe(0);
    const gz = Buffer.concat(out);
    expect(JSON.parse(answer)).toMatchObject({ ok: true, bytes: gz.length, sha256: createHash('sha256').update(gz).digest('hex') });
    expect(readdirSync(join(RUN_DIR(), 'backup'))).toEqual([]);

    // a stream that died before it wrote its result (its pid file names a process that is gone)
    const gone = spawnSync('true').pid;
    writeFileSync(join(RUN_DIR(), 'backup', 'b12.pid'), String(gone));
    const r = backup(['result', '--id', 'b12', '--wait']);
    expect(r.status).toBe(6);
    expect(readdirSync(join(RUN_DIR(), 'backup'))).toEqual([]);
    // and no stream at all
    expect(backup(['result', '--id', 'b13', '--wait']).status).toBe(6);
  });

  it('usage: a bad id, an unknown kind, an unknown option (exit 2); an unknown result (exit 6)', () => {
    expect(backup(['stream', '--id', '../x']).status).toBe(2);
    expect(backup(['stream', '--id', 'b6', '--include', 'everything']).status).toBe(2);
    expect(backup(['stream', '--id', 'b6', '--frobnicate']).status).toBe(2);
    expect(backup(['nonsense']).status).toBe(2);
    expect(backup(['result', '--id', 'never']).status).toBe(6);
  });
});
