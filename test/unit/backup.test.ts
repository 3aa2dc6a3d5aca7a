// rgsd backup: the exact argv of its two execs (no terminal, no stdin), the pod's count and
// sha256 compared with the local file, a stream cut short or damaged detected with no file
// left, the archive read back into the manifest, and bad input refused before any call.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { streamCommand, stderrParser, type BackupEvent } from '../../src/cluster/backup.js';
import backupCommand, { backupWithProgress, parseKinds } from '../../src/commands/backup.js';
import { ExitCode, RefusedError, RgsdError, UsageError } from '../../src/core/errors.js';
import { projectNames } from '../../src/core/names.js';
import { readTarGz, TarFormatError, TarReader } from '../../src/core/tar.js';
import { planBackup, runBackup } from '../../src/ops/backup.js';
import { transferLine } from '../../src/ui/transfer.js';
import { K } from '../helpers/cluster-fixture.js';
import { FakeRunner, type FakeResponse } from '../helpers/fake-runner.js';
import { tempDir, testApp } from '../helpers/test-app.js';

const T = { context: 'ctx', namespace: 'rgsd' };
const NAMES = projectNames('demo');
const W = ['-c', 'workstation', '--pod-running-timeout=10s', '--', '/opt/rgsd/backup'];
const exec = (...command: string[]) => ['kubectl', ...K, 'exec', 'deployment/demo-rgsd', ...W, ...command];

/** A real .tar.gz of a small tree (GNU tar, long names, a symlink, an empty file). */
function archive(): { gz: Buffer; files: Record<string, string> } {
  const src = tempDir('rgsd-backup-src-');
  const long = `${'a'.repeat(70)}/${'b'.repeat(70)}/${'c'.repeat(40)}.txt`;
  const files: Record<string, string> = { 'workspace/notes.txt': 'notes\n', 'workspace/empty': '', [`workspace/${long}`]: 'long' };
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(join(src, p, '..'), { recursive: true });
    writeFileSync(join(src, p), text);
  }
  symlinkSync('notes.txt', join(src, 'workspace', 'link'));
  const gz = execFileSync('sh', ['-c', 'tar -C "$1" -cf - . | gzip -c', 'sh', src], { maxBuffer: 1 << 26 });
  return { gz, files };
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function podResult(id: string, gz: Buffer, over: Record<string, unknown> = {}): FakeResponse {
  const doc = {
    schemaVersion: 1,
    id,
    ok: true,
    bytes: gz.length,
    sha256: sha(gz),
    tarBytes: 20480,
    estimateBytes: 20480,
    tarExit: 0,
    changed: [],
    errors: [],
    sqlite: [],
    excluded: ['.rgsd/run', '.git-credentials'],
    included: [],
    finished: '2026-12-03T11:00:00.000Z',
    ...over,
  };
  return { stdout: `${JSON.stringify(doc)}\n` };
}

async function setup(stream: FakeResponse, result: (id: string) => FakeResponse, env: NodeJS.ProcessEnv = {}) {
  const runner = new FakeRunner();
  const t = await testApp({ runner, env });
  const dir = tempDir('rgsd-backup-out-');
  const plan = await planBackup('demo', {
    output: join(dir, 'b.tar.gz'),
    include: [],
    exclude: [],
    cwd: dir,
    now: new Date('2026-12-03T11:00:00Z'),
  });
  runner.on(exec('stream', '--id', plan.id), stream);
  // the second call waits in the pod once the stream has begun (its estimate line); a stream
  // that never said so is asked afterwards
  runner.on(exec('result', '--id', plan.id, '--wait'), result(plan.id));
  runner.on(exec('result', '--id', plan.id), result(plan.id));
  return { ...t, dir, plan };
}

describe('rgsd backup (ops)', () => {
  it('streams, compares with the pod, reads the archive back and writes the manifest beside it', async () => {
    const { gz, files } = archive();
    const stderr =
      'rgsd-backup: estimate 20480\nrgsd-backup: progress 10240\nrgsd-backup: warning: ./workspace/x: file changed as we read it\n';
    const s = await setup({ stdoutBytes: gz, stderr }, (id) =>
      podResult(id, gz, { changed: ['./workspace/x: file changed as we read it'], compressor: 'pigz -p 2' }),
    );
    const events: string[] = [];
    const res = await runBackup(s.app, T, NAMES, 'demo', s.plan, (e) => events.push(e.kind));
    expect(s.runner.argvs).toEqual([exec('stream', '--id', s.plan.id), exec('result', '--id', s.plan.id, '--wait')]);
    // never a terminal, never stdin: the stream is kubectl's stdout alone
    for (const c of s.runner.calls) expect(c.argv.filter((a) => a === '-i' || a === '-t' || a === '-it')).toEqual([]);
    expect(s.runner.calls[0]?.stdin).toBeUndefined();
    expect(events).toEqual(expect.arrayContaining(['estimate', 'progress', 'warning', 'verifying']));
    expect(readFileSync(s.plan.out).equals(gz)).toBe(true);
    expect(statSync(s.plan.out).mode & 0o777).toBe(0o600);
    expect(readdirSync(s.dir).sort()).toEqual(['b.tar.gz', 'b.tar.gz.manifest.json']);
    expect(res).toMatchObject({ bytes: gz.length, sha256: sha(gz), files: 3, changed: ['./workspace/x: file changed as we read it'] });
    const manifest = JSON.parse(readFileSync(s.plan.manifest, 'utf8'));
    expect(manifest).toMatchObject({
      schemaVersion: 1,
      project: 'demo',
      archive: 'b.tar.gz',
      sha256: sha(gz),
      files: 3,
      compressor: 'pigz -p 2',
    });
    for (const [p, text] of Object.entries(files)) {
      expect(manifest.entries).toContainEqual(
        expect.objectContaining({ path: p, type: 'file', size: text.length, sha256: sha(Buffer.from(text)) }),
      );
    }
    expect(manifest.entries).toContainEqual(expect.objectContaining({ path: 'workspace/link', type: 'symlink', link: 'notes.txt' }));
  });

  it('a stream that lost its tail (kubectl exit 0) is detected and leaves no file', async () => {
    const { gz } = archive();
    const s = await setup({ stdoutBytes: gz }, (id) => podResult(id, gz), { RGSD_TEST_BACKUP_TRUNCATE: '50' });
    const err = await runBackup(s.app, T, NAMES, 'demo', s.plan, () => undefined).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RgsdError);
    expect((err as Error).message).toBe(`the archive arrived incomplete: 50 of the ${gz.length} bytes the pod sent`);
    expect(readdirSync(s.dir)).toEqual([]);
  });

  it('a damaged stream of the right length is detected by its sha256', async () => {
    const { gz } = archive();
    const bad = Buffer.from(gz);
    bad[bad.length - 20] = (bad[bad.length - 20] ?? 0) ^ 0xff;
    const s = await setup({ stdoutBytes: bad }, (id) => podResult(id, gz));
    const err = await runBackup(s.app, T, NAMES, 'demo', s.plan, () => undefined).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/sha256 differs/);
    expect(readdirSync(s.dir)).toEqual([]);
  });

  it('an archive the pod vouches for but that does not read back is refused', async () => {
    const gz = gzipSync(Buffer.alloc(700, 1));
    const s = await setup({ stdoutBytes: gz }, (id) => podResult(id, gz));
    const err = await runBackup(s.app, T, NAMES, 'demo', s.plan, () => undefined).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/^the archive does not read back: /);
    expect(readdirSync(s.dir)).toEqual([]);
  });

  it("the pod's failure is the error (its words), and nothing is kept", async () => {
    const { gz } = archive();
    const s = await setup(
      { exitCode: 1, stdoutBytes: gz.subarray(0, 30), stderr: 'rgsd-backup: error: tar: ./x: Cannot open: Permission denied\n' },
      (id) => podResult(id, gz),
    );
    const err = await runBackup(s.app, T, NAMES, 'demo', s.plan, () => undefined).catch((e: unknown) => e);
    expect((err as Error).message).toBe('the backup failed in the pod: tar: ./x: Cannot open: Permission denied');
    expect(s.runner.argvs).toHaveLength(1);
    expect(readdirSync(s.dir)).toEqual([]);
  });

  it('an older helper that does not know --wait is asked again once the stream is done', async () => {
    const { gz } = archive();
    const s = await setup({ stdoutBytes: gz, stderr: 'rgsd-backup: estimate 20480\n' }, (id) => podResult(id, gz));
    s.runner.on(exec('result', '--id', s.plan.id, '--wait'), { exitCode: 2, stderr: 'rgsd-backup: error: unknown option --wait\n' });
    const res = await runBackup(s.app, T, NAMES, 'demo', s.plan, () => undefined);
    expect(s.runner.argvs).toEqual([
      exec('stream', '--id', s.plan.id),
      exec('result', '--id', s.plan.id, '--wait'),
      exec('result', '--id', s.plan.id),
    ]);
    expect(res.sha256).toBe(sha(gz));
  });

  it('a stream that fails after it began stops the waiting second call; the stream says why', async () => {
    const { gz } = archive();
    const s = await setup(
      {
        exitCode: 1,
        stdoutBytes: gz.subarray(0, 30),
        stderr: 'rgsd-backup: estimate 20480\nrgsd-backup: error: tar: ./x: Cannot open: Permission denied\n',
      },
      (id) => podResult(id, gz),
    );
    s.runner.on(exec('result', '--id', s.plan.id, '--wait'), { hang: true });
    const err = await runBackup(s.app, T, NAMES, 'demo', s.plan, () => undefined).catch((e: unknown) => e);
    expect((err as Error).message).toBe('the backup failed in the pod: tar: ./x: Cannot open: Permission denied');
    const waiter = s.runner.find('kubectl').find((c) => c.argv.includes('--wait'));
    expect(waiter?.opts.signal?.aborted).toBe(true);
    expect(readdirSync(s.dir)).toEqual([]);
  });

  it('a pod that does not answer after the stream ended is an error after the timeout; nothing is kept', async () => {
    const { gz } = archive();
    const s = await setup({ stdoutBytes: gz, stderr: 'rgsd-backup: estimate 20480\n' }, (id) => podResult(id, gz));
    s.runner.on(exec('result', '--id', s.plan.id, '--wait'), { hang: true });
    const err = await runBackup(s.app, T, NAMES, 'demo', s.plan, () => undefined, { resultTimeoutMs: 20 }).catch((e: unknown) => e);
    expect((err as Error).message).toBe("the workstation did not answer with the backup's result within 0.02 s of the stream's end");
    expect(readdirSync(s.dir)).toEqual([]);
  });

  it('a missing deployment says the project is not deployed', async () => {
    const s = await setup({ exitCode: 1, stderr: 'Error from server (NotFound): deployments.apps "demo-rgsd" not found\n' }, (id) =>
      podResult(id, Buffer.alloc(0)),
    );
    const err = await runBackup(s.app, T, NAMES, 'demo', s.plan, () => undefined).catch((e: unknown) => e);
    expect((err as RgsdError).exitCode).toBe(ExitCode.notFound);
    expect((err as Error).message).toMatch(/demo is not deployed/);
  });

  it('a sleeping project (no pod to exec into) is refused with the way to wake it, no file left', async () => {
    const s = await setup({ exitCode: 1, stderr: 'error: timed out waiting for the condition\n' }, (id) => podResult(id, Buffer.alloc(0)));
    const state = { kind: 'Deployment', metadata: { name: 'demo-rgsd' }, spec: { replicas: 0 } };
    const cm = { kind: 'ConfigMap', metadata: { name: 'demo-rgsd-idle' }, data: { asleepSince: '2026-12-03T10:00:00Z' } };
    s.runner.on(['kubectl', ...K, 'get', 'deployment/demo-rgsd', 'configmap/demo-rgsd-idle', '--ignore-not-found', '-o', 'json'], {
      stdout: JSON.stringify({ items: [state, cm] }),
    });
    const err = await backupWithProgress(s.app, T, NAMES, 'demo', s.plan).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RefusedError);
    expect((err as Error).message).toBe(
      'demo is asleep (0 replicas since 2026-12-03T10:00:00Z): backup reads the home from the running workstation (the home is kept while it sleeps)',
    );
    expect((err as RgsdError).hint).toBe('`rgsd up demo` wakes it (or `rgsd connect demo`), then re-run');
    expect(readdirSync(s.dir)).toEqual([]);
  });

  it('--include and --exclude reach the pod as arguments', () => {
    expect(streamCommand({ id: 'b1', include: ['transcripts', 'caches'], exclude: ['workspace/*/node_modules'] })).toEqual([
      '/opt/rgsd/backup',
      'stream',
      '--id',
      'b1',
      '--include',
      'transcripts',
      '--include',
      'caches',
      '--exclude',
      'workspace/*/node_modules',
    ]);
  });

  it("the helper's stderr lines become events, whatever the chunks", () => {
    const got: BackupEvent[] = [];
    const feed = stderrParser((e) => got.push(e));
    for (const piece of ['rgsd-backup: esti', 'mate 100\nrgsd-backup: progress 5', '0\nkubectl noise\nrgsd-backup: warning: a b\n'])
      feed(piece);
    expect(got).toEqual([
      { kind: 'estimate', bytes: 100 },
      { kind: 'progress', bytes: 50 },
      { kind: 'warning', text: 'a b' },
    ]);
  });
});

describe('rgsd backup (command): bad input changes nothing and calls nothing', () => {
  it('an existing -o file is refused (exit 7), before any call', async () => {
    const t = await testApp();
    const dir = tempDir();
    const file = join(dir, 'x.tar.gz');
    writeFileSync(file, 'precious');
    const err = await backupCommand.run(t.app, { project: 'demo' }, { output: file }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RefusedError);
    expect((err as RgsdError).exitCode).toBe(7);
    expect(readFileSync(file, 'utf8')).toBe('precious');
    expect(t.runner.calls).toEqual([]);
  });

  it('an existing manifest is refused too', async () => {
    const t = await testApp();
    const dir = tempDir();
    writeFileSync(join(dir, 'x.tar.gz.manifest.json'), '{}');
    const err = await backupCommand.run(t.app, { project: 'demo' }, { output: join(dir, 'x.tar.gz') }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RefusedError);
    expect(t.runner.calls).toEqual([]);
  });

  it('a directory that does not exist, an unknown --include and an empty --exclude are usage errors', async () => {
    const t = await testApp();
    for (const opts of [{ output: join(tempDir(), 'nope', 'x.tar.gz') }, { include: ['transcripts', 'bogus'] }, { exclude: [''] }]) {
      const err = await backupCommand.run(t.app, { project: 'demo' }, opts).catch((e: unknown) => e);
      expect(err, JSON.stringify(opts)).toBeInstanceOf(UsageError);
    }
    expect(t.runner.calls).toEqual([]);
    expect(parseKinds(['transcripts,caches', 'caches'])).toEqual(['transcripts', 'caches']);
  });
});

describe('tar reader', () => {
  it('reads what GNU tar writes (long names, symlinks, empty files) with each file sha256', async () => {
    const { gz, files } = archive();
    const f = join(tempDir(), 'a.tar.gz');
    writeFileSync(f, gz);
    const entries = await readTarGz(f);
    expect(
      entries
        .filter((e) => e.type === 'file')
        .map((e) => e.path)
        .sort(),
    ).toEqual(Object.keys(files).sort());
  });

  it('an archive cut at any block boundary is an error', () => {
    const tar = execFileSync('sh', ['-c', 'd=$(mktemp -d) && printf hi > "$d/f" && tar -C "$d" -cf - f && rm -rf "$d"']);
    for (const cut of [512, 1024, 1536]) {
      const r = new TarReader();
      r.push(tar.subarray(0, cut));
      expect(() => r.end()).toThrow(TarFormatError);
    }
    const whole = new TarReader();
    whole.push(tar);
    expect(whole.end().map((e) => e.path)).toEqual(['f']);
  });

  it('a corrupted header is an error', () => {
    const tar = Buffer.from(execFileSync('sh', ['-c', 'd=$(mktemp -d) && printf hi > "$d/f" && tar -C "$d" -cf - f && rm -rf "$d"']));
    tar[10] = 0x41;
    expect(() => new TarReader().push(tar)).toThrow(/checksum/);
  });
});

describe('progress line', () => {
  it('shows the bar, bytes, rate and time left against the estimate', () => {
    expect(transferLine({ read: 50 * 1024 * 1024, estimate: 100 * 1024 * 1024, received: 10 * 1024 * 1024, elapsedSeconds: 10 })).toBe(
      '[##########----------]  50%  50 MiB of ~100 MiB read, 10 MiB received, 5.0 MiB/s, 0:10 left',
    );
    expect(transferLine({ read: 0, estimate: 0, received: 0, elapsedSeconds: 0 })).toBe('0 B read, 0 B received');
  });
});
