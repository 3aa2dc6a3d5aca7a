// rgsd backup on the real local cluster: the archive holds the pod's home file by file (a
// sha256 over the file list and every file's content, computed in the pod and over the
// archive extracted by the system tar), the secret-backed files are left out, and a stream
// cut short (RGSD_TEST_BACKUP_TRUNCATE) is detected and leaves no file behind. Then restore:
// refused into a home with work in it, `nuke --backup` writes a last backup, a new `up` and
// `restore` give a home identical file by file (modes too) with the secret-backed files
// rewritten by init-home, no helper pod left; a damaged archive is refused before any change.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { diagnoseFailure, getObject, kubectlOk, listObjects, NAMESPACE, podExec, readyPod, REPO_ROOT, waitFor } from './helpers/cluster.js';
import { ConfigDir, RGSD_BIN, rgsd, rgsdEnv, rgsdOk } from './helpers/rgsd.js';
import { forceRemove, HOME, Sequence } from './helpers/steps.js';

const PROJECT = 'backup';
// made up at each run (a token-shaped literal is never committed)
const TOKEN = `ghp_e2e${randomBytes(12).toString('hex')}`;

/** `<kind> <sha256 or link target> <path>` for every regular file and symlink under `.`, sorted,
 * leaving out the given paths (relative, no `./`); then the sha256 of that list. */
function digestScript(excluded: readonly string[]): string {
  const prune = excluded.map((p) => `-path './${p.replaceAll("'", '')}'`).join(' -o ');
  return [
    'set -e',
    `find . ${prune ? `\\( ${prune} \\) -prune -o` : ''} \\( -type f -o -type l \\) -print | LC_ALL=C sort | while IFS= read -r f; do`,
    '  if [ -L "$f" ]; then printf "L %s %s\\n" "$(readlink "$f")" "$f"; else printf "F %s %s\\n" "$(sha256sum <"$f" | cut -c1-64)" "$f"; fi',
    'done > /tmp/rgsd-digest.list',
    'wc -l < /tmp/rgsd-digest.list',
    'sha256sum < /tmp/rgsd-digest.list | cut -c1-64',
  ].join('\n');
}

interface Manifest {
  sha256: string;
  bytes: number;
  files: number;
  excluded: string[];
  compressor?: string;
  entries: { path: string; type: string; sha256?: string }[];
}

describe('rgsd backup on a real cluster', () => {
  const config = new ConfigDir();
  const seq = new Sequence();
  const out = mkdtempSync(join(tmpdir(), 'rgsd-e2e-backup-'));
  let manifest: Manifest;

  beforeAll(async () => {
    config.writeSettings(PROJECT);
    config.writeSecrets(PROJECT, { GITHUB_TOKEN: TOKEN });
    await forceRemove(config, [PROJECT]);
  });
  afterAll(async () => {
    await forceRemove(config, [PROJECT]);
    config.remove();
    rmSync(out, { recursive: true, force: true });
  });
  beforeEach((ctx) => seq.guard(ctx));
  afterEach((ctx) => diagnoseFailure(ctx));

  it('1. up, and some files in the home', async () => {
    await rgsdOk(config, ['up', PROJECT]);
    const pod = await readyPod(PROJECT);
    const long = `${'d'.repeat(60)}/${'e'.repeat(60)}/${'f'.repeat(80)}.txt`;
    const res = await podExec(
      pod.metadata.name,
      [
        'set -e',
        `cd ${HOME}`,
        'mkdir -p "workspace/with space" workspace/deep .cache/tool .rgsd/transcripts',
        'printf "hello\\n" > "workspace/with space/a file.txt"',
        ': > workspace/empty',
        'head -c 3000000 /dev/urandom > workspace/deep/random.bin',
        `mkdir -p "workspace/$(dirname ${long})" && printf long > "workspace/${long}"`,
        'ln -sf "with space/a file.txt" workspace/link',
        'printf cache > .cache/tool/blob',
        'printf screen > .rgsd/transcripts/0.log',
        'test -s .git-credentials',
      ].join('\n'),
    );
    expect(res.exitCode, res.stderr).toBe(0);
  });

  it('2. backup --json: the archive equals the home file by file, without secrets, caches or transcripts', async () => {
    const file = join(out, 'home.tar.gz');
    const res = await rgsdOk(config, ['backup', PROJECT, '-o', file, '--json'], { timeoutMs: 600_000 });
    const doc = JSON.parse(res.stdout) as { archive: string; manifest: string; sha256: string; files: number };
    expect(doc.archive).toBe(file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(out).sort()).toEqual(['home.tar.gz', 'home.tar.gz.manifest.json']);
    manifest = JSON.parse(readFileSync(doc.manifest, 'utf8')) as Manifest;
    expect(manifest.sha256).toBe(doc.sha256);
    expect(execFileSync('sha256sum', [file], { encoding: 'utf8' }).slice(0, 64)).toBe(doc.sha256);
    expect(manifest.excluded).toEqual(expect.arrayContaining(['.git-credentials', '.cache', '.rgsd/transcripts', '.rgsd/run']));
    // the image's pigz compressed it (gzip's format: the tar below reads it)
    expect(manifest.compressor).toMatch(/^pigz -p [1-4]$/);

    const pod = await readyPod(PROJECT);
    const inPod = await podExec(pod.metadata.name, `cd ${HOME} && ${digestScript(manifest.excluded)}`);
    expect(inPod.exitCode, inPod.stderr).toBe(0);
    const tree = join(out, 'extracted');
    mkdirSync(tree);
    execFileSync('tar', ['-xzf', file, '-C', tree]);
    const local = execFileSync('sh', ['-c', digestScript([])], { cwd: tree, encoding: 'utf8' });
    const [count, digest] = inPod.stdout.trim().split('\n');
    expect(Number(count)).toBeGreaterThan(5);
    expect(local.trim()).toBe(`${count}\n${digest}`);

    expect(existsSync(join(tree, 'workspace', 'deep', 'random.bin'))).toBe(true);
    expect(existsSync(join(tree, '.git-credentials'))).toBe(false);
    expect(existsSync(join(tree, '.cache', 'tool', 'blob'))).toBe(false);
    expect(existsSync(join(tree, '.rgsd', 'transcripts', '0.log'))).toBe(false);
    const grep = await execa('grep', ['-r', '-l', TOKEN, tree], { reject: false });
    expect(grep.stdout).toBe('');
    // the manifest's own file list and sums agree with the archive
    const random = manifest.entries.find((e) => e.path === 'workspace/deep/random.bin');
    expect(random?.sha256).toBe(
      execFileSync('sha256sum', [join(tree, 'workspace', 'deep', 'random.bin')], { encoding: 'utf8' }).slice(0, 64),
    );
    rmSync(tree, { recursive: true, force: true });
  });

  it('3. an existing file is never overwritten', async () => {
    const file = join(out, 'home.tar.gz');
    const before = readFileSync(file);
    const res = await rgsd(config, ['backup', PROJECT, '-o', file]);
    expect(res.exitCode, res.stderr).toBe(7);
    expect(res.stderr).toMatch(/already exists/);
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it('4. a stream that loses its tail is detected, and leaves no file', async () => {
    const file = join(out, 'cut.tar.gz');
    const res = await execa(process.execPath, [RGSD_BIN, 'backup', PROJECT, '-o', file], {
      cwd: REPO_ROOT,
      env: { ...rgsdEnv(config), RGSD_TEST_BACKUP_TRUNCATE: '100000' },
      stdin: 'ignore',
      reject: false,
      timeout: 600_000,
    });
    expect(res.exitCode, String(res.stderr)).toBe(1);
    expect(String(res.stderr)).toMatch(/arrived incomplete: 100000 of the \d+ bytes/);
    expect(readdirSync(out).sort()).toEqual(['home.tar.gz', 'home.tar.gz.manifest.json']);
  });

  const modes = `cd ${HOME} && stat -c '%a %U %n' workspace/deep workspace/run.sh`;
  let before: { digest: string; modes: string };

  it('5. restore into a home with work in it is refused (exit 7) and changes nothing', async () => {
    const pod = await readyPod(PROJECT);
    const res = await podExec(
      pod.metadata.name,
      `cd ${HOME} && printf '#!/bin/sh\n' > workspace/run.sh && chmod 750 workspace/run.sh && chmod 700 workspace/deep`,
    );
    expect(res.exitCode, res.stderr).toBe(0);
    const r = await rgsd(config, ['restore', PROJECT, join(out, 'home.tar.gz'), '--yes']);
    expect(r.exitCode, r.stderr).toBe(7);
    // the workspace is a repository (init-home runs git init in an empty one) with untracked files
    expect(r.stderr).toMatch(/not restoring into backup: its home is not empty \(.*workspace\/ \(a git repository with local work\).*\)/);
    expect(r.stderr).toContain('--force');
    expect((await readyPod(PROJECT)).metadata.name).toBe(pod.metadata.name);
  });

  it('6. nuke --backup writes a last backup, then destroys', async () => {
    const pod = await readyPod(PROJECT);
    const inPod = await podExec(pod.metadata.name, `cd ${HOME} && ${digestScript(manifest.excluded)}`);
    const m = await podExec(pod.metadata.name, modes);
    before = { digest: inPod.stdout.trim(), modes: m.stdout.trim() };
    // (2700 with the fsGroup's setgid bit, which chmod 700 keeps on a directory)
    expect(before.modes).toMatch(/^2?700 gsd workspace\/deep\n750 gsd workspace\/run\.sh$/);
    const file = join(out, 'final.tar.gz');
    const res = await rgsdOk(config, ['nuke', PROJECT, '--confirm', PROJECT, '--backup', file, '--discard-work'], { timeoutMs: 600_000 });
    expect(res.stderr).toContain(`rgsd restore ${PROJECT} ${file}`);
    expect(existsSync(file) && existsSync(`${file}.manifest.json`)).toBe(true);
    expect(await listObjects('pvc', `rgsd.dev/project=${PROJECT}`)).toEqual([]);
    // nuke removes the namespace when nothing else is in it: the next up needs it gone
    await waitFor(
      'namespace rgsd to be gone or kept',
      async () => !(await getObject('namespace', NAMESPACE, null))?.metadata.deletionTimestamp,
      180_000,
    );
  });

  it('7. up again, restore: the home is the backup file by file, the secrets rewritten, no helper left', async () => {
    await rgsdOk(config, ['up', PROJECT], { timeoutMs: 600_000 });
    const file = join(out, 'final.tar.gz');
    const res = await rgsdOk(config, ['restore', PROJECT, file, '--yes', '--json'], { timeoutMs: 600_000 });
    const doc = JSON.parse(res.stdout) as { project: string; files: number; sha256: string; kept: string[] };
    expect(doc.project).toBe(PROJECT);
    const m = JSON.parse(readFileSync(`${file}.manifest.json`, 'utf8')) as Manifest;
    expect(doc.sha256).toBe(m.sha256);
    const pod = await readyPod(PROJECT);
    const inPod = await podExec(pod.metadata.name, `cd ${HOME} && ${digestScript(m.excluded)}`);
    expect(inPod.stdout.trim()).toBe(before.digest);
    expect((await podExec(pod.metadata.name, modes)).stdout.trim()).toBe(before.modes);
    // init-home ran on the restored home: the secret-backed file is back, from the Secret
    expect((await podExec(pod.metadata.name, `test -s ${HOME}/.git-credentials && echo ok`)).stdout.trim()).toBe('ok');
    expect(await listObjects('pod', `rgsd.dev/restore-of=${PROJECT}`)).toEqual([]);
    expect(await kubectlOk(['-n', NAMESPACE, 'get', 'deployment/backup-rgsd', '-o', 'jsonpath={.spec.replicas}'])).toBe('1');
  });

  it('8. a damaged archive is refused before anything in the cluster changes', async () => {
    const pod = await readyPod(PROJECT);
    const bad = join(out, 'bad.tar.gz');
    const good = readFileSync(join(out, 'final.tar.gz'));
    const at = Math.floor(good.length / 2);
    good[at] = (good[at] ?? 0) ^ 1;
    writeFileSync(bad, good);
    copyFileSync(join(out, 'final.tar.gz.manifest.json'), `${bad}.manifest.json`);
    const res = await rgsd(config, ['restore', PROJECT, bad, '--yes', '--force']);
    expect(res.exitCode, res.stderr).toBe(1);
    expect(res.stderr).toContain('is damaged: its sha256 differs');
    expect((await readyPod(PROJECT)).metadata.name).toBe(pod.metadata.name);
  });
});
