// `npm run try` on the real local cluster, as a new user runs it: the first run brings a project
// up and prints how to connect, a second run is quick and leaves the pod alone, `--down` removes
// the project and its settings and leaves the cluster running (the e2e setup started it, not try).
// Its own project, namespace, config dir and log, so it meets no other test's objects.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  diagnoseFailure,
  getObject,
  kubeconfig,
  kubectl,
  LOCAL_CLUSTER,
  readyPod,
  REPO_ROOT,
  waitFor,
  type CommandResult,
  type PodObject,
} from './helpers/cluster.js';
import { ConfigDir, rgsd, rgsdOk } from './helpers/rgsd.js';
import { namesOf, Sequence } from './helpers/steps.js';

const PROJECT = 'try-e2e';
const NS = 'rgsd-try-e2e';

interface TryResult extends CommandResult {
  seconds: number;
}

describe('npm run try on the local cluster', () => {
  const config = new ConfigDir();
  const work = mkdtempSync(join(tmpdir(), 'rgsd-e2e-try-'));
  const seq = new Sequence();
  const n = namesOf(PROJECT);
  let first: PodObject;

  async function runTry(args: string[] = []): Promise<TryResult> {
    const started = Date.now();
    const res = await execa('npm', ['run', '--silent', 'try', ...(args.length ? ['--', ...args] : [])], {
      cwd: REPO_ROOT,
      env: {
        RGSD_CONFIG_DIR: config.dir,
        RGSD_TRY_PROJECT: PROJECT,
        RGSD_TRY_NAMESPACE: NS,
        RGSD_TRY_LOG: join(work, 'try.log'),
        NO_COLOR: '1',
      },
      stdin: 'ignore',
      reject: false,
      timeout: 900_000,
    });
    return { exitCode: res.exitCode ?? -1, stdout: String(res.stdout), stderr: String(res.stderr), seconds: (Date.now() - started) / 1000 };
  }
  const ok = (r: TryResult): void => {
    expect(r.exitCode, `npm run try exited ${r.exitCode}\n--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}`).toBe(0);
  };
  const clusterDir = (): string => dirname(kubeconfig());
  const clusterUp = async (): Promise<boolean> =>
    (await execa(LOCAL_CLUSTER, ['status'], { reject: false, stdin: 'ignore' })).exitCode === 0;
  const namespaceGone = (): Promise<boolean> =>
    waitFor(`namespace ${NS} to be deleted`, async () => (await getObject('namespace', NS, null)) === null, 180_000);

  /** Leftovers of an aborted run (or of this one, when a step failed). */
  async function cleanUp(): Promise<void> {
    if ((await getObject('namespace', NS, null)) === null) return;
    await rgsd(config, ['nuke', PROJECT, '--confirm', PROJECT, '--discard-work', '-n', NS]);
    await kubectl(['delete', 'namespace', NS, '--ignore-not-found', '--wait=false']);
    await namespaceGone();
  }

  beforeAll(cleanUp);
  afterAll(async () => {
    await cleanUp();
    config.remove();
    rmSync(work, { recursive: true, force: true });
  });
  beforeEach((ctx) => seq.guard(ctx));
  afterEach((ctx) => diagnoseFailure(ctx, NS));

  it('1. first run: the project comes up ready and it prints how to connect', async () => {
    expect(await clusterUp(), 'the e2e setup leaves the local cluster running').toBe(true);
    const r = await runTry();
    ok(r);
    expect(r.stderr).toContain('try: cluster: running');
    expect(r.stderr).toMatch(/^try: project try-e2e: settings written .*namespace rgsd-try-e2e, context pinned\)$/m);
    expect(r.stderr).toContain('try: project try-e2e: ready');
    expect(r.stdout).toContain(`export KUBECONFIG=${kubeconfig()} RGSD_CONFIG_DIR=${config.dir} PATH=${REPO_ROOT}/.tools/bin:$PATH`);
    expect(r.stdout).toContain(`alias rgsd='${REPO_ROOT}/node_modules/.bin/node ${REPO_ROOT}/bin/rgsd'`);
    expect(r.stdout).toMatch(/^ {2}rgsd connect try-e2e /m);
    expect(r.stdout).toContain(`API keys: put them in ${join(config.dir, 'secrets', `${PROJECT}.env`)}`);
    expect(r.stdout).toMatch(/npm run try -- --down$/m);
    // the cluster was up before: try does not claim it
    expect(existsSync(join(clusterDir(), '.rgsd-try-started'))).toBe(false);

    const doc = JSON.parse((await rgsdOk(config, ['status', PROJECT, '--json'])).stdout) as {
      context: string;
      namespace: string;
      projects: { project: string; release: { status: string } | null; pod: { name: string; ready: boolean; phase: string } | null }[];
    };
    expect(doc.context).toBe('rgsd-local');
    expect(doc.namespace).toBe(NS);
    expect(doc.projects).toHaveLength(1);
    expect(doc.projects[0]?.release?.status).toBe('deployed');
    expect(doc.projects[0]?.pod).toMatchObject({ ready: true, phase: 'Running' });
    first = await readyPod(PROJECT, NS);
    expect(doc.projects[0]?.pod?.name).toBe(first.metadata.name);
  });

  it('2. second run: quick, everything found in place, the pod not restarted', async () => {
    const r = await runTry();
    ok(r);
    for (const line of [
      'try: node_modules: present',
      'try: helm, kubectl: in .tools/bin',
      'try: CLI: built',
      'try: cluster: running',
      `try: project ${PROJECT}: settings from an earlier try`,
      `try: project ${PROJECT}: ready`,
    ]) {
      expect(r.stderr).toContain(line);
    }
    expect(r.stderr).toMatch(/^try: image rgsd\/workstation:\S+: in docker$/m);
    expect(r.stderr).toMatch(/^try: image rgsd\/workstation:\S+: in the cluster$/m);
    expect(r.stderr).not.toMatch(/building|installing|starting/);
    expect(r.seconds, 'a second run only looks (and rgsd up finds the pod unchanged)').toBeLessThan(180);
    const pod = await readyPod(PROJECT, NS);
    expect(pod.metadata.name).toBe(first.metadata.name);
    expect(pod.metadata.uid).toBe(first.metadata.uid);
    expect(pod.status.containerStatuses?.[0]?.restartCount).toBe(first.status.containerStatuses?.[0]?.restartCount);
  });

  it('3. --down: the release, the home volume and the settings are gone; the cluster is left running', async () => {
    const r = await runTry(['--down']);
    ok(r);
    expect(r.stderr).toMatch(/^try: project try-e2e: destroyed \(.*release.*\)$/m);
    expect(r.stderr).toContain(`try: settings: removed ${join(config.dir, 'projects', `${PROJECT}.yaml`)}`);
    expect(r.stderr).toContain('try: secrets: removed');
    expect(r.stderr).toContain('try: cluster: not started by try; left running');
    expect(r.stderr).toMatch(/^try: left: the image rgsd\/workstation:\S+ \(docker image rm rgsd\/workstation:\S+\)/m);

    const releases = await execa('helm', ['list', '-a', '-n', NS, '-q'], {
      env: { KUBECONFIG: kubeconfig() },
      stdin: 'ignore',
      reject: false,
    });
    expect(String(releases.stdout).trim()).toBe('');
    const pvc = await getObject('pvc', n.pvc, NS);
    expect(pvc === null || Boolean(pvc.metadata.deletionTimestamp), `pvc ${n.pvc} must be gone or going`).toBe(true);
    expect(existsSync(join(config.dir, 'projects', `${PROJECT}.yaml`))).toBe(false);
    expect(existsSync(join(config.dir, 'secrets', `${PROJECT}.env`))).toBe(false);
    expect(existsSync(join(config.dir, 'try'))).toBe(false);
    expect(await clusterUp(), 'the cluster try did not start stays up').toBe(true);
    await namespaceGone();
  });

  it('4. a second --down does nothing and says so', async () => {
    const r = await runTry(['--down']);
    ok(r);
    expect(r.stderr).toContain(`try: project ${PROJECT}: nothing to remove`);
    expect(r.stderr).toContain('try: cluster: not started by try; left running');
    expect(r.stderr).toMatch(/try: nothing to do\n?$/);
    expect(await clusterUp()).toBe(true);
  });
});
