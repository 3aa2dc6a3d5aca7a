// rgsd restore: the archive checked against its manifest before any call; the exact sequence
// (read the Deployment, scale 0, wait, helper pod built from the Deployment, the home checked in
// it, the archive streamed byte-exact into `restore apply`, helper deleted, scale 1, rollout);
// the workstation brought back after every failure; a home that is not empty refused before
// anything stops; an image without the helper named.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { helperPodManifest, workstationSpec } from '../../src/cluster/restore.js';
import restoreCommand from '../../src/commands/restore.js';
import { NotFoundError, RefusedError, RgsdError, UsageError } from '../../src/core/errors.js';
import { projectNames } from '../../src/core/names.js';
import { planRestore, runRestore, type RestoreEvent } from '../../src/ops/restore.js';
import { argv, GUARD_STATUS, IN_POD_STATUS_IDLE, K } from '../helpers/cluster-fixture.js';
import { FakeRunner, type FakeResponse } from '../helpers/fake-runner.js';
import { FakePrompter, tempDir, testApp } from '../helpers/test-app.js';

const T = { context: 'ctx', namespace: 'rgsd' };
const NAMES = projectNames('demo');
const NOW = new Date('2026-12-03T12:00:00Z');
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** A real .tar.gz and the manifest rgsd backup would write beside it. */
function backupFiles(over: Record<string, unknown> = {}) {
  const dir = tempDir('rgsd-restore-');
  const src = join(dir, 'src');
  mkdirSync(join(src, 'workspace'), { recursive: true });
  writeFileSync(join(src, 'workspace', 'a.txt'), 'a\n');
  const gz = execFileSync('sh', ['-c', 'tar -C "$1" -cf - . | gzip -c', 'sh', src]);
  const archive = join(dir, 'demo.tar.gz');
  writeFileSync(archive, gz);
  const manifest = {
    schemaVersion: 1,
    project: 'demo',
    created: '2026-12-03T11:00:00.000Z',
    archive: 'demo.tar.gz',
    bytes: gz.length,
    sha256: sha(gz),
    files: 1,
    excluded: ['.rgsd/run', '.cache', '.git-credentials'],
    entries: [],
    ...over,
  };
  writeFileSync(`${archive}.manifest.json`, JSON.stringify(manifest));
  return { dir, archive, gz, manifest };
}

const DEPLOYMENT = {
  kind: 'Deployment',
  metadata: { name: 'demo-rgsd' },
  spec: {
    replicas: 1,
    template: {
      spec: {
        securityContext: { runAsUser: 1000, runAsNonRoot: true, fsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } },
        nodeSelector: { disk: 'ssd' },
        containers: [
          {
            name: 'workstation',
            image: 'rgsd/workstation:0.1.0',
            imagePullPolicy: 'IfNotPresent',
            securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
            env: [
              { name: 'RGSD_HOME', value: '/home/gsd' },
              { name: 'RGSD_PROJECT', value: 'demo' },
              { name: 'SOMETHING_SECRET', valueFrom: { secretKeyRef: { name: 'demo-rgsd-secrets', key: 'X' } } },
            ],
          },
        ],
        volumes: [
          { name: 'home', persistentVolumeClaim: { claimName: 'demo-rgsd-home' } },
          { name: 'secrets', secret: { secretName: 'demo-rgsd-secrets' } },
        ],
      },
    },
  },
};

/** the backup's `excluded`: kept from the current home, so not counted as content */
const KEEP = ['--keep', '.rgsd/run', '--keep', '.cache', '--keep', '.git-credentials'];

const A = {
  getDeployment: ['kubectl', ...K, 'get', 'deployment/demo-rgsd', '-o', 'json'],
  scale: (n: number) => ['kubectl', ...K, 'scale', 'deployment/demo-rgsd', `--replicas=${n}`],
  waitGone: ['kubectl', ...K, 'wait', '--for=delete', 'pod', '-l', 'rgsd.dev/project=demo', '--timeout=300s'],
  deleteHelpers: [
    'kubectl',
    ...K,
    'delete',
    'pod',
    '-l',
    'rgsd.dev/restore-of=demo',
    '--ignore-not-found',
    '--grace-period=1',
    '--wait=true',
    '--timeout=120s',
  ],
  create: ['kubectl', ...K, 'create', '-f', '-'],
  waitReady: ['kubectl', ...K, 'wait', '--for=condition=Ready', 'pod/demo-rgsd-restore', '--timeout=300s'],
  inspectHelper: ['kubectl', ...K, 'exec', 'demo-rgsd-restore', '-c', 'restore', '--', '/opt/rgsd/restore', 'inspect', ...KEEP],
  inspectRunning: [
    'kubectl',
    ...K,
    'exec',
    'deployment/demo-rgsd',
    '-c',
    'workstation',
    '--pod-running-timeout=10s',
    '--',
    '/opt/rgsd/restore',
    'inspect',
    ...KEEP,
  ],
  apply: (id: string, m: { bytes: number; sha256: string }, ...more: string[]) => [
    'kubectl',
    ...K,
    'exec',
    '-i',
    'demo-rgsd-restore',
    '-c',
    'restore',
    '--',
    '/opt/rgsd/restore',
    'apply',
    '--id',
    id,
    '--bytes',
    String(m.bytes),
    '--sha256',
    m.sha256,
    '--keep',
    '.rgsd/run',
    '--keep',
    '.cache',
    '--keep',
    '.git-credentials',
    ...more,
  ],
};

const EMPTY = { stdout: `${JSON.stringify({ schemaVersion: 1, empty: true, contentCount: 0, content: [] })}\n` };
const NOT_EMPTY = {
  stdout: `${JSON.stringify({ schemaVersion: 1, empty: false, contentCount: 22, content: ['notes.txt', 'workspace/app/ (a git repository with local work)'] })}\n`,
};

function cluster(runner: FakeRunner, plan: { id: string }, m: { bytes: number; sha256: string }, applied: FakeResponse, inspect = EMPTY) {
  return runner
    .on(A.getDeployment, { stdout: JSON.stringify(DEPLOYMENT) })
    .on(A.scale(0))
    .on(A.scale(1))
    .on(A.waitGone)
    .on(A.deleteHelpers)
    .on(A.create)
    .on(A.waitReady)
    .on(A.inspectHelper, inspect)
    .on(A.apply(plan.id, m), applied)
    .on(argv.rollout);
}

const APPLIED = (m: { bytes: number; sha256: string }): FakeResponse => ({
  stdout: `${JSON.stringify({ schemaVersion: 1, id: 'x', ok: true, bytes: m.bytes, sha256: m.sha256, files: 40, kept: ['.rgsd/run'], replaced: 12 })}\n`,
});

describe('planRestore: the archive and its manifest, checked before anything else', () => {
  it('a matching pair: the paths the backup left out are kept', async () => {
    const b = backupFiles();
    const plan = await planRestore(b.archive, { cwd: '/', force: false, now: NOW });
    expect(plan).toMatchObject({ archive: b.archive, keep: ['.rgsd/run', '.cache', '.git-credentials'], force: false });
    expect(plan.id).toMatch(/^r20261203120000-[0-9a-f]{6}$/);
  });

  it('refuses a missing file, a missing or foreign manifest, a short or damaged archive', async () => {
    const b = backupFiles();
    await expect(planRestore(join(b.dir, 'nope.tar.gz'), { cwd: '/', force: false, now: NOW })).rejects.toBeInstanceOf(UsageError);
    const lonely = join(b.dir, 'lonely.tar.gz');
    writeFileSync(lonely, b.gz);
    const missing = await planRestore(lonely, { cwd: '/', force: false, now: NOW }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(UsageError);
    expect((missing as UsageError).message).toContain('no manifest beside the archive');
    writeFileSync(`${b.archive}.manifest.json`, JSON.stringify({ schemaVersion: 2 }));
    await expect(planRestore(b.archive, { cwd: '/', force: false, now: NOW })).rejects.toThrow(/not an rgsd backup manifest/);
    writeFileSync(`${b.archive}.manifest.json`, JSON.stringify(b.manifest));
    writeFileSync(b.archive, b.gz.subarray(0, b.gz.length - 1));
    await expect(planRestore(b.archive, { cwd: '/', force: false, now: NOW })).rejects.toThrow(/has \d+ bytes, its manifest says \d+/);
    const flipped = Buffer.from(b.gz);
    flipped[10] = (flipped[10] ?? 0) ^ 1;
    writeFileSync(b.archive, flipped);
    const damaged = await planRestore(b.archive, { cwd: '/', force: false, now: NOW }).catch((e: unknown) => e);
    expect(damaged).toBeInstanceOf(RgsdError);
    expect((damaged as RgsdError).message).toContain('is damaged: its sha256 differs');
  });
});

describe('the helper pod', () => {
  it("is the workstation's image and security contexts with the home, no token, no secret env, labels nothing selects", () => {
    const pod = helperPodManifest(workstationSpec(DEPLOYMENT, NAMES), NAMES, 4000) as {
      metadata: { name: string; labels: Record<string, string> };
      spec: Record<string, unknown> & { containers: Record<string, unknown>[]; volumes: unknown[] };
    };
    expect(pod.metadata.name).toBe('demo-rgsd-restore');
    expect(pod.metadata.labels).toEqual({
      'app.kubernetes.io/managed-by': 'rgsd',
      'app.kubernetes.io/component': 'restore',
      'rgsd.dev/restore-of': 'demo',
    });
    expect(pod.spec).toMatchObject({
      restartPolicy: 'Never',
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      activeDeadlineSeconds: 4000,
      securityContext: DEPLOYMENT.spec.template.spec.securityContext,
      nodeSelector: { disk: 'ssd' },
    });
    const c = pod.spec.containers[0];
    expect(c).toMatchObject({
      name: 'restore',
      image: 'rgsd/workstation:0.1.0',
      command: ['sleep', '4000'],
      securityContext: DEPLOYMENT.spec.template.spec.containers[0]?.securityContext,
      env: [
        { name: 'RGSD_HOME', value: '/home/gsd' },
        { name: 'RGSD_PROJECT', value: 'demo' },
      ],
      volumeMounts: [
        { name: 'home', mountPath: '/home/gsd' },
        { name: 'tmp', mountPath: '/tmp' },
      ],
    });
    expect(pod.spec.volumes).toEqual([
      { name: 'home', persistentVolumeClaim: { claimName: 'demo-rgsd-home' } },
      { name: 'tmp', emptyDir: { sizeLimit: '256Mi' } },
    ]);
    expect(JSON.stringify(pod)).not.toContain('secret');
  });
});

describe('runRestore (ops)', () => {
  const run = async (applied: (m: { bytes: number; sha256: string }) => FakeResponse, inspect = EMPTY, force = false) => {
    const b = backupFiles();
    const runner = new FakeRunner();
    const t = await testApp({ runner });
    const plan = await planRestore(b.archive, { cwd: '/', force, now: NOW });
    cluster(runner, plan, b.manifest, applied(b.manifest), inspect);
    if (force) runner.on(A.apply(plan.id, b.manifest, '--force'), applied(b.manifest));
    const events: RestoreEvent['kind'][] = [];
    const res = await runRestore(t.app, T, NAMES, plan, { timeoutMs: 300_000, retry: 'rgsd restore demo x' }, (e) =>
      events.push(e.kind),
    ).catch((e: unknown) => e);
    return { b, runner, plan, res, events };
  };

  it('stops, restores through the helper with the archive byte-exact on stdin, brings the workstation back', async () => {
    const { b, runner, plan, res, events } = await run(APPLIED);
    expect(runner.argvs).toEqual([
      A.getDeployment,
      A.scale(0),
      A.waitGone,
      A.deleteHelpers,
      A.create,
      A.waitReady,
      A.inspectHelper,
      A.apply(plan.id, b.manifest),
      A.deleteHelpers,
      A.scale(1),
      argv.rollout,
    ]);
    const apply = runner.calls[7];
    expect(apply?.stdinBytes?.equals(b.gz)).toBe(true);
    expect(apply?.opts.interactive).toBeFalsy();
    expect(JSON.parse(runner.calls[4]?.stdin ?? '{}').metadata.name).toBe('demo-rgsd-restore');
    expect(res).toMatchObject({ project: 'demo', backupOf: 'demo', files: 40, kept: ['.rgsd/run'], sha256: b.manifest.sha256 });
    expect(events).toEqual(['stopping', 'helper', 'sending', 'starting', 'ready']);
  });

  it("a failure in the pod: the helper is deleted and the workstation scaled back to 1; the error is the pod's", async () => {
    const { runner, res } = await run(() => ({
      exitCode: 1,
      stderr: 'rgsd-restore: error: the archive arrived incomplete: 10 of 20 bytes; the home was not changed\n',
    }));
    expect(res).toBeInstanceOf(RgsdError);
    expect((res as Error).message).toBe(
      'the restore failed in the pod: the archive arrived incomplete: 10 of 20 bytes; the home was not changed',
    );
    expect(runner.argvs.slice(-2)).toEqual([A.deleteHelpers, A.scale(1)]);
  });

  it('a home that is not empty when the helper looks: refused, nothing sent, the workstation back', async () => {
    const { runner, res } = await run(APPLIED, NOT_EMPTY);
    expect(res).toBeInstanceOf(RefusedError);
    expect((res as Error).message).toBe(
      'not restoring into demo: its home is not empty (notes.txt, workspace/app/ (a git repository with local work) and 20 more)',
    );
    expect((res as RefusedError).hint).toContain('--force');
    expect(runner.find('kubectl', ...K, 'exec', '-i')).toEqual([]);
    expect(runner.argvs.slice(-2)).toEqual([A.deleteHelpers, A.scale(1)]);
  });

  it('--force: no look in the helper, apply --force', async () => {
    const { b, runner, plan } = await run(APPLIED, NOT_EMPTY, true);
    expect(runner.argvs).not.toContainEqual(A.inspectHelper);
    expect(runner.argvs).toContainEqual(A.apply(plan.id, b.manifest, '--force'));
  });

  it('an image without /opt/rgsd/restore: the hint says `rgsd up` updates it', async () => {
    const { res } = await run(() => ({
      exitCode: 1,
      stderr:
        'error: Internal error occurred: error executing command in container: failed to exec in container: failed to start exec: OCI runtime exec failed: exec failed: unable to start container process: exec: "/opt/rgsd/restore": stat /opt/rgsd/restore: no such file or directory: unknown\n',
    }));
    expect((res as RgsdError).message).toBe('the image of demo has no /opt/rgsd/restore');
    expect((res as RgsdError).hint).toContain('`rgsd up demo` updates it');
  });

  it('not deployed: NotFoundError with the up hint, nothing scaled', async () => {
    const b = backupFiles();
    const runner = new FakeRunner().on(A.getDeployment, {
      exitCode: 1,
      stderr: 'Error from server (NotFound): deployments.apps "demo-rgsd" not found\n',
    });
    const t = await testApp({ runner });
    const plan = await planRestore(b.archive, { cwd: '/', force: false, now: NOW });
    const err = await runRestore(t.app, T, NAMES, plan, { timeoutMs: 300_000, retry: 'x' }, () => undefined).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as NotFoundError).hint).toBe('start it with `rgsd up demo`');
    expect(runner.argvs).toEqual([A.getDeployment]);
  });
});

describe('rgsd restore (command)', () => {
  it('no file: a usage error before any call', async () => {
    const t = await testApp();
    await expect(restoreCommand.run(t.app, { project: 'demo' }, {})).rejects.toBeInstanceOf(UsageError);
    expect(t.runner.calls).toEqual([]);
  });

  it('without a terminal and without --yes: refused before any call', async () => {
    const b = backupFiles();
    const t = await testApp();
    const err = await restoreCommand.run(t.app, { project: 'demo', file: b.archive }, {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RefusedError);
    expect((err as RefusedError).hint).toContain('--yes');
    expect(t.runner.calls).toEqual([]);
  });

  it('a running workstation whose home is not empty: refused after looking, nothing stopped', async () => {
    const b = backupFiles();
    const runner = new FakeRunner().on(GUARD_STATUS, { stdout: IN_POD_STATUS_IDLE }).on(A.inspectRunning, NOT_EMPTY);
    const t = await testApp({ runner, globals: { yes: true } });
    const err = await restoreCommand.run(t.app, { project: 'demo', file: b.archive }, {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RefusedError);
    expect(runner.argvs).toEqual([GUARD_STATUS, A.inspectRunning]);
  });

  it('on a terminal: asks, then restores and says what it did', async () => {
    const b = backupFiles();
    const runner = new FakeRunner().on(GUARD_STATUS, { stdout: IN_POD_STATUS_IDLE }).on(A.inspectRunning, EMPTY);
    const prompter = new FakePrompter([true], true);
    const t = await testApp({ runner, prompter, interactive: true });
    // the id is random: answer every apply of this archive
    runner.on(A.getDeployment, { stdout: JSON.stringify(DEPLOYMENT) });
    const fake = runner as unknown as { run: FakeRunner['run'] };
    const inner = fake.run.bind(runner);
    fake.run = async (cmd, args, opts) => {
      const a = [cmd, ...args];
      if (a.includes('apply') && a.includes('-i')) runner.on(a, APPLIED(b.manifest));
      return inner(cmd, args, opts);
    };
    for (const a of [A.scale(0), A.scale(1), A.waitGone, A.deleteHelpers, A.create, A.waitReady, A.inspectHelper, argv.rollout])
      runner.on(a, a === A.inspectHelper ? EMPTY : {});
    await restoreCommand.run(t.app, { project: 'demo', file: b.archive }, {});
    expect(prompter.asked.map((q) => q.message)).toEqual([`Restore ${b.archive} into demo? Its workstation stops meanwhile.`]);
    expect(t.stdout()).toContain(`restored: ${b.archive} → demo (40 files`);
  });
});
