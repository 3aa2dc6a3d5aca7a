// One project through its whole life on the real local cluster, with
// the built CLI as a child process (default Helm, i.e. Helm 4).
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { diagnoseFailure, getObject, livePods, podExec, readyPod, waitFor } from './helpers/cluster.js';
import { ConfigDir, rgsd, rgsdOk, spawnRgsd } from './helpers/rgsd.js';
import { downKeepsHome, forceRemove, HOME, namesOf, nukeEverything, secretValue, Sequence, upFromNothing } from './helpers/steps.js';
import { Terminal } from './helpers/terminal.js';

const PROJECT = 'demo';
const token = (): string => `ghp_e2e${randomBytes(12).toString('hex')}`;

describe('rgsd lifecycle on a real cluster (Helm 4)', () => {
  const config = new ConfigDir();
  const seq = new Sequence();
  let firstToken = token();
  const connectFile = { path: `${HOME}/e2e-connect.txt`, content: `typed-through-connect-${randomBytes(4).toString('hex')}` };

  beforeAll(async () => {
    config.writeSettings(PROJECT);
    config.writeSecrets(PROJECT, { GITHUB_TOKEN: firstToken });
    await forceRemove(config, [PROJECT]); // leftovers of an aborted earlier run
  });
  afterAll(async () => {
    await forceRemove(config, [PROJECT]);
    config.remove();
  });
  beforeEach((ctx) => seq.guard(ctx));
  afterEach((ctx) => diagnoseFailure(ctx));

  it('1. up from nothing: namespace, Secret, pod Running with the real image, home seeded, tmux main', async () => {
    await upFromNothing(config, PROJECT, firstToken, 'helm');
  });

  it('2. status --json agrees with kubectl', async () => {
    const res = await rgsdOk(config, ['status', PROJECT, '--json']);
    const doc = JSON.parse(res.stdout) as {
      context: string;
      namespace: string;
      projects: {
        project: string;
        release: { status: string; revision: number } | null;
        deployment: { name: string; replicas: number; readyReplicas: number } | null;
        pod: { name: string; phase: string; ready: boolean; restarts: number; node: string | null } | null;
        pvc: { name: string; phase: string | null; capacity: string | null; storageClass: string | null } | null;
        secret: { name: string } | null;
        sessions: { name: string }[] | null;
      }[];
    };
    const n = namesOf(PROJECT);
    const pod = await readyPod(PROJECT);
    const deploy = await getObject<{ metadata: { name: string; uid: string }; status: { readyReplicas?: number } }>(
      'deployment',
      n.deployment,
    );
    const pvc = await getObject<{
      metadata: { name: string; uid: string };
      spec: { storageClassName: string };
      status: { phase: string; capacity: { storage: string } };
    }>('pvc', n.pvc);
    expect(doc.context).toBe('rgsd-local');
    expect(doc.namespace).toBe('rgsd');
    expect(doc.projects).toHaveLength(1);
    const p = doc.projects[0];
    expect(p?.project).toBe(PROJECT);
    expect(p?.release?.status).toBe('deployed');
    expect(p?.deployment).toEqual({ name: n.deployment, replicas: 1, readyReplicas: deploy?.status.readyReplicas });
    expect(p?.pod).toMatchObject({
      name: pod.metadata.name,
      phase: pod.status.phase,
      ready: true,
      restarts: pod.status.containerStatuses?.[0]?.restartCount,
      node: (pod.spec as { nodeName?: string }).nodeName,
    });
    expect(p?.pvc).toEqual({
      name: n.pvc,
      phase: pvc?.status.phase,
      capacity: pvc?.status.capacity.storage,
      storageClass: pvc?.spec.storageClassName,
    });
    expect(p?.secret).toEqual({ name: n.secret });
    const tmuxSessions = (await podExec(pod.metadata.name, "tmux list-sessions -F '#{session_name}'")).stdout.trim().split('\n').sort();
    expect(p?.sessions?.map((s) => s.name).sort()).toEqual(tmuxSessions);
    expect(tmuxSessions).toContain('main');
  });

  it('3. connect through a terminal: a typed command writes a file in the home, then detach', async () => {
    const term = new Terminal();
    try {
      await term.start(config, ['connect', PROJECT]);
      await term.waitForText(/\[main\]/); // the status line of the session inside the pod
      // printed before the attach took over the screen (so only the saved screen still has it)
      expect(await term.transcript()).toContain(`attaching to ${PROJECT} (detach: Ctrl-b d)`);
      await term.type(`echo ${connectFile.content} > ${connectFile.path}`);
      const pod = await readyPod(PROJECT);
      await waitFor(
        'the typed command to write its file',
        async () => (await podExec(pod.metadata.name, `cat ${connectFile.path}`)).stdout.trim() === connectFile.content,
        20_000,
        500,
      );
      await term.keys('C-b', 'd'); // the inner tmux's prefix: detach
      expect(await term.exitStatus()).toBe(0);
      expect(await term.screen()).toContain('[detached');
      // detaching leaves the session running
      expect((await podExec(pod.metadata.name, 'tmux has-session -t main && echo up')).stdout.trim()).toBe('up');
    } finally {
      await term.close();
    }
  });

  it('4. up again with nothing changed: same pod, no restart, no new helm revision; --reapply makes one', async () => {
    const revision = async () =>
      (JSON.parse((await rgsdOk(config, ['status', PROJECT, '--json'])).stdout) as { projects: { release: { revision: number } }[] })
        .projects[0]?.release.revision;
    const before = await readyPod(PROJECT);
    const rev = await revision();
    const res = await rgsdOk(config, ['up', PROJECT]);
    expect(res.stderr).toContain(`release ${PROJECT} is current (revision ${rev}: same values, same objects): no helm upgrade`);
    expect(res.stderr).toContain('tmux session "main" is ready');
    expect(await revision()).toBe(rev);
    const after = await readyPod(PROJECT);
    expect(after.metadata.uid).toBe(before.metadata.uid);
    expect(after.status.containerStatuses?.[0]?.restartCount).toBe(before.status.containerStatuses?.[0]?.restartCount);
    expect(await livePods(PROJECT)).toHaveLength(1);

    const again = await rgsdOk(config, ['up', PROJECT, '--reapply']);
    expect(again.stderr).toContain('pod template unchanged, no restart');
    expect(await revision()).toBe((rev as number) + 1);
    expect((await readyPod(PROJECT)).metadata.uid).toBe(before.metadata.uid);
  });

  it('5. a changed token rolls the pod: new value in the credential file, old one gone', async () => {
    const before = await readyPod(PROJECT);
    const newToken = token();
    config.writeSecrets(PROJECT, { GITHUB_TOKEN: newToken });
    // Non-interactive: the restart needs --yes, and without it nothing changes.
    const refused = await rgsd(config, ['up', PROJECT]);
    expect(refused.exitCode).not.toBe(0);
    expect(refused.stderr).toMatch(/--yes/);
    expect((await readyPod(PROJECT)).metadata.uid).toBe(before.metadata.uid);
    expect(await secretValue(namesOf(PROJECT).secret, 'GITHUB_TOKEN')).toBe(firstToken);

    const res = await rgsdOk(config, ['up', PROJECT, '--yes']);
    expect(`${res.stdout}\n${res.stderr}`).not.toContain(newToken);
    const after = await readyPod(PROJECT);
    expect(after.metadata.uid).not.toBe(before.metadata.uid);
    expect(await secretValue(namesOf(PROJECT).secret, 'GITHUB_TOKEN')).toBe(newToken);
    const creds = await podExec(after.metadata.name, `stat -c %a ${HOME}/.git-credentials; cat ${HOME}/.git-credentials`);
    const [mode, ...lines] = creds.stdout.trim().split('\n');
    expect(mode).toBe('600');
    expect(lines.join('\n')).toContain(newToken);
    expect(lines.join('\n')).not.toContain(firstToken);
    firstToken = newToken;
  });

  it('6. down keeps the home volume; up reattaches the same PVC with the file, without re-seeding', async () => {
    await downKeepsHome(config, PROJECT, 'helm', connectFile);
  });

  it('7a. SIGINT while waiting for the rollout; the next up succeeds', async () => {
    await rgsdOk(config, ['down', PROJECT]);
    await waitFor('the pods to go', async () => (await livePods(PROJECT)).length === 0, 90_000);
    const child = spawnRgsd(config, ['up', PROJECT]);
    let output = '';
    child.all?.on('data', (d: Buffer) => (output += d.toString()));
    await waitFor('rgsd up to wait for the rollout', async () => /waiting for the pod/.test(output), 60_000, 100);
    child.kill('SIGINT');
    const res = await child;
    expect(res.exitCode, output).toBe(130);
    expect(output).toMatch(/interrupted/);
    await rgsdOk(config, ['up', PROJECT]);
    await readyPod(PROJECT);
  });

  it('7b. SIGINT while helm is upgrading; the next up recovers and succeeds', async () => {
    config.writeSecrets(PROJECT, { GITHUB_TOKEN: token() }); // forces an upgrade
    const child = spawnRgsd(config, ['up', PROJECT, '--yes']);
    let output = '';
    child.all?.on('data', (d: Buffer) => (output += d.toString()));
    await waitFor('rgsd up to apply the Secret (helm runs next)', async () => /Secret .* applied/.test(output), 60_000, 20);
    child.kill('SIGINT');
    const res = await child;
    expect(res.exitCode, output).toBe(130);
    const next = await rgsdOk(config, ['up', PROJECT, '--yes']);
    expect(next.stderr).toMatch(/ready/);
    await readyPod(PROJECT);
    const file = await podExec((await readyPod(PROJECT)).metadata.name, `cat ${connectFile.path}`);
    expect(file.stdout.trim()).toBe(connectFile.content);
  });

  it('8. nuke: refused without a terminal or --confirm; --confirm removes everything; again: nothing left', async () => {
    await nukeEverything(config, PROJECT, 'helm');
  });
});
