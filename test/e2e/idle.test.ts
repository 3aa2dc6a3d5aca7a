// Idle sleep on the real local cluster (issue 10, item 4): with a short idle.sleepAfter the
// idle-watcher sidecar keeps the workstation awake while a task runs and while a `kubectl exec`
// session is open (its log names why), then scales the Deployment to 0 once nothing uses it —
// the home volume stays, `status` says "asleep since", `peek` exits 0. A plain `helm upgrade`
// with Helm 3 and with Helm 4 neither fails nor wakes it (the chart has no `replicas`); `rgsd
// up` wakes it and says so; `rgsd sleep` puts it back to sleep and `rgsd connect` wakes it and
// attaches.
import { randomBytes } from 'node:crypto';
import { execa, type ResultPromise } from 'execa';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { diagnoseFailure, getObject, kubeconfig, kubectl, kubectlOk, livePods, NAMESPACE, readyPod, waitFor } from './helpers/cluster.js';
import { ConfigDir, rgsd, rgsdOk } from './helpers/rgsd.js';
import { forceRemove, namesOf, Sequence } from './helpers/steps.js';
import { Terminal } from './helpers/terminal.js';

const PROJECT = 'idle';
const SLEEP_AFTER_S = 20;
const n = namesOf(PROJECT);

const replicas = async (): Promise<string> =>
  (await kubectlOk(['-n', NAMESPACE, 'get', `deployment/${n.deployment}`, '-o', 'jsonpath={.spec.replicas}'])).trim();
const watcherLog = async (): Promise<string> =>
  (await kubectl(['-n', NAMESPACE, 'logs', `deployment/${n.deployment}`, '-c', 'idle-watcher'])).stdout;
/** Several times the threshold: long enough that a watcher that missed the use would have slept. */
const LONGER_THAN_SLEEP_AFTER_MS = SLEEP_AFTER_S * 3 * 1000;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function asleep(): Promise<void> {
  await waitFor('the watcher to scale the workstation to 0', async () => (await replicas()) === '0', 300_000, 2_000);
  await waitFor('its pod to go', async () => (await livePods(PROJECT)).length === 0, 180_000, 2_000);
}

describe('idle sleep (real cluster)', () => {
  const config = new ConfigDir();
  const seq = new Sequence();
  let exec: ResultPromise | undefined;

  beforeAll(async () => {
    config.writeSettings(PROJECT, {
      agent: 'claude',
      autoStart: false,
      values: { idle: { sleepAfter: `${SLEEP_AFTER_S}s`, checkEvery: '2s' } },
    });
    config.writeSecrets(PROJECT, { GITHUB_TOKEN: `ghp_e2e${randomBytes(12).toString('hex')}` });
    await forceRemove(config, [PROJECT]);
  });
  afterAll(async () => {
    exec?.kill('SIGKILL');
    await forceRemove(config, [PROJECT]);
    config.remove();
  });
  beforeEach((ctx) => seq.guard(ctx));
  afterEach((ctx) => diagnoseFailure(ctx));

  it('1. up: the workstation and its idle-watcher, which alone holds a token', async () => {
    await rgsdOk(config, ['up', PROJECT], { timeoutMs: 600_000 });
    const pod = await readyPod(PROJECT);
    const names = (pod.spec as { containers: { name: string }[] }).containers.map((c) => c.name);
    expect(names).toEqual(['workstation', 'idle-watcher']);
    const token = await kubectl([
      '-n',
      NAMESPACE,
      'exec',
      pod.metadata.name,
      '-c',
      'workstation',
      '--',
      'ls',
      '/var/run/secrets/kubernetes.io/serviceaccount',
    ]);
    expect(token.exitCode).not.toBe(0);
  });

  it('2. a running task keeps it awake (the watcher says why)', async () => {
    const res = await rgsdOk(config, ['run', PROJECT, `SLEEP ${(LONGER_THAN_SLEEP_AFTER_MS / 1000) * 2}`, '--json'], {
      timeoutMs: 120_000,
    });
    const { task } = JSON.parse(res.stdout) as { task: { id: string } };
    await waitFor('the watcher to see the task', async () => /busy: .*task/.test(await watcherLog()), 120_000, 2_000);
    await pause(LONGER_THAN_SLEEP_AFTER_MS);
    expect(await replicas()).toBe('1');
    await rgsdOk(config, ['tasks', PROJECT, 'stop', task.id]);
  });

  it('3. an open `kubectl exec` session keeps it awake', async () => {
    // `cat` reads the session's stdin, so it ends when the session does (a remote command that
    // ignores its stdin, `sleep 600`, would outlive a killed kubectl and keep it awake: rightly)
    exec = execa('kubectl', ['-n', NAMESPACE, 'exec', '-i', `deployment/${n.deployment}`, '-c', 'workstation', '--', 'cat'], {
      env: { KUBECONFIG: kubeconfig() },
      reject: false,
    });
    await waitFor(
      'the watcher to see the exec session',
      async () => /busy: .*exec/.test((await watcherLog()).split('\n').slice(-20).join('\n')),
      120_000,
      2_000,
    );
    await pause(LONGER_THAN_SLEEP_AFTER_MS);
    expect(await replicas()).toBe('1');
    exec.kill('SIGKILL');
    await exec;
    exec = undefined;
  });

  it('4. nothing uses it: asleep, the home kept; status says since when, peek exits 0', async () => {
    await asleep();
    const pvc = await getObject('pvc', n.pvc);
    expect((pvc?.status as { phase?: string } | undefined)?.phase).toBe('Bound');
    type Status = { projects: { asleep: { since: string | null } | null; pod: unknown }[] };
    let st: Status = { projects: [] };
    // status shows a pod until it has ended, Terminating included: wait for that
    await waitFor(
      'status to show no pod',
      async () => {
        st = JSON.parse((await rgsdOk(config, ['status', PROJECT, '--json'])).stdout) as Status;
        return st.projects[0]?.pod === null;
      },
      180_000,
      2_000,
    );
    expect(st.projects[0]?.pod).toBeNull();
    expect(st.projects[0]?.asleep?.since).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/);
    const peek = await rgsd(config, ['peek', PROJECT]);
    expect(peek.exitCode, peek.stderr).toBe(0);
    expect(`${peek.stdout}${peek.stderr}`).toContain('asleep');
  });

  it('5. a plain helm upgrade with Helm 3 and with Helm 4 neither fails nor wakes it', async () => {
    for (const helm of ['helm3', 'helm4']) {
      const res = await execa(helm, ['upgrade', PROJECT, 'chart/rgsd', '-n', NAMESPACE, '--reuse-values', '--wait', '--timeout', '2m'], {
        env: { KUBECONFIG: kubeconfig() },
        reject: false,
        stdin: 'ignore',
      });
      expect(res.exitCode, `${helm}: ${String(res.stderr)}`).toBe(0);
      expect(await replicas(), helm).toBe('0');
    }
  });

  it('6. rgsd up wakes it and says so', async () => {
    const res = await rgsdOk(config, ['up', PROJECT, '--yes'], { timeoutMs: 600_000 });
    expect(res.stderr).toContain('it was asleep (0 replicas): woken');
    expect(await replicas()).toBe('1');
    await readyPod(PROJECT);
  });

  it('7. rgsd sleep puts it to sleep by hand; rgsd connect wakes it and attaches', async () => {
    await rgsdOk(config, ['sleep', PROJECT, '--yes'], { timeoutMs: 300_000 });
    expect(await replicas()).toBe('0');
    expect(await livePods(PROJECT)).toEqual([]);
    const term = new Terminal();
    try {
      await term.start(config, ['connect', PROJECT]);
      await term.waitForText(/\[main\]/, 300_000);
      expect(await term.transcript()).toMatch(/is asleep since .*: waking it/);
      await term.keys('C-b', 'd');
      expect(await term.exitStatus()).toBe(0);
    } finally {
      await term.close();
    }
    expect(await replicas()).toBe('1');
  });
});
