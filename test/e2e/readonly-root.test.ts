// The chart's optional read-only root filesystem on the real local cluster (issue 8, item 11):
// the settings pass `values: {securityContext: {readOnlyRootFilesystem: true}}` (merged into
// the chart values), `rgsd up` brings the pod to Ready with its tmux session, the image cannot
// be written while /tmp (a size-limited emptyDir) and the home can, tmux's socket lives under
// /tmp (TMUX_TMPDIR), the in-pod status query and `rgsd connect` work; then nuke.
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { diagnoseFailure, podExec, readyPod, waitFor } from './helpers/cluster.js';
import { ConfigDir, rgsdOk } from './helpers/rgsd.js';
import { forceRemove, HOME, nukeEverything, Sequence, upFromNothing } from './helpers/steps.js';
import { Terminal } from './helpers/terminal.js';

const PROJECT = 'rofs';
const TMP_SIZE = '256Mi';

/** The parts of the pod spec this file looks at. */
interface ReadOnlyPodSpec {
  containers: ContainerSpec[];
  initContainers?: ContainerSpec[];
  volumes?: { name: string; emptyDir?: { sizeLimit?: string } }[];
}
interface ContainerSpec {
  name: string;
  env?: { name: string; value?: string }[];
  securityContext?: { readOnlyRootFilesystem?: boolean };
  volumeMounts?: { name: string; mountPath: string }[];
}

describe('read-only root filesystem on a real cluster', () => {
  const config = new ConfigDir();
  const seq = new Sequence();
  const token = `ghp_e2e${randomBytes(12).toString('hex')}`;
  let podName = '';

  beforeAll(async () => {
    config.writeSettings(PROJECT, { values: { securityContext: { readOnlyRootFilesystem: true }, tmpSizeLimit: TMP_SIZE } });
    config.writeSecrets(PROJECT, { GITHUB_TOKEN: token });
    await forceRemove(config, [PROJECT]); // leftovers of an aborted earlier run
  });
  afterAll(async () => {
    await forceRemove(config, [PROJECT]);
    config.remove();
  });
  beforeEach((ctx) => seq.guard(ctx));
  afterEach((ctx) => diagnoseFailure(ctx));

  it('1. up: the pod becomes Ready (home seeded, tmux main) with a read-only root and a /tmp emptyDir', async () => {
    const { pod } = await upFromNothing(config, PROJECT, token, 'helm');
    podName = pod.metadata.name;
    const spec = pod.spec as unknown as ReadOnlyPodSpec;
    const all = [...(spec.initContainers ?? []), ...spec.containers];
    expect(all.map((c) => c.name).sort()).toEqual(['init-home', 'workstation']);
    for (const c of all) {
      expect(c.securityContext?.readOnlyRootFilesystem, c.name).toBe(true);
      const tmpMount = c.volumeMounts?.find((m) => m.mountPath === '/tmp');
      expect(tmpMount, `${c.name} mounts /tmp`).toBeDefined();
      expect(spec.volumes?.find((v) => v.name === tmpMount?.name)?.emptyDir).toEqual({ sizeLimit: TMP_SIZE });
    }
    const workstation = spec.containers.find((c) => c.name === 'workstation');
    expect(workstation?.env?.find((e) => e.name === 'TMUX_TMPDIR')?.value).toBe('/tmp');
  });

  it('2. the image cannot be written; /tmp (its own mount) and the home can', async () => {
    const root = await podExec(podName, 'awk \'$5 == "/" { print $6 }\' /proc/self/mountinfo');
    expect(root.stdout.trim().split(',')).toContain('ro');

    const etc = await podExec(podName, 'touch /etc/x');
    expect(etc.exitCode).not.toBe(0);
    expect(etc.stderr).toMatch(/Read-only file system/); // not merely "Permission denied" for uid 1000
    const usr = await podExec(podName, 'mkdir /usr/local/x');
    expect(usr.exitCode).not.toBe(0);
    expect(usr.stderr).toMatch(/Read-only file system/);

    const tmpMount = await podExec(podName, 'awk \'$5 == "/tmp" { print $6 }\' /proc/self/mountinfo');
    expect(tmpMount.stdout.trim().split(',')).toContain('rw');
    const writable = await podExec(
      podName,
      `touch /tmp/x && test -f /tmp/x && rm /tmp/x && touch ${HOME}/e2e-rofs && rm ${HOME}/e2e-rofs && echo writable`,
    );
    expect(writable.stderr).toBe('');
    expect(writable.stdout.trim()).toBe('writable');
  });

  it("3. tmux's socket is under /tmp (TMUX_TMPDIR) and holds the session main", async () => {
    const res = await podExec(
      podName,
      'echo "$TMUX_TMPDIR"; s=$(tmux display-message -p -t main "#{socket_path}") && echo "$s" && stat -c %F "$s"',
    );
    expect(res.stderr).toBe('');
    const [tmpdir, socket, kind] = res.stdout.trim().split('\n');
    expect(tmpdir).toBe('/tmp');
    expect(socket).toMatch(/^\/tmp\/tmux-1000\/[^/]+$/);
    expect(kind).toBe('socket');
  });

  it('4. /opt/rgsd/status --json works in the pod, and `rgsd connect --list --json` lists main', async () => {
    const res = await podExec(podName, '/opt/rgsd/status --json');
    expect(res.exitCode, res.stderr).toBe(0);
    const doc = JSON.parse(res.stdout) as { sessions: { name: string }[] };
    expect(doc.sessions.map((s) => s.name)).toContain('main');

    const listed = JSON.parse((await rgsdOk(config, ['connect', PROJECT, '--list', '--json'])).stdout) as {
      pod: string;
      sessions: { name: string }[];
    };
    expect(listed.pod).toBe(podName);
    expect(listed.sessions.map((s) => s.name)).toContain('main');
  });

  it('5. connect through a terminal: a typed command writes into /tmp, then detach', async () => {
    const marker = `rofs-${randomBytes(4).toString('hex')}`;
    const term = new Terminal();
    try {
      await term.start(config, ['connect', PROJECT]);
      await term.waitForText(/\[main\]/); // the status line of the session inside the pod
      await term.type(`echo ${marker} > /tmp/e2e-connect.txt`);
      await waitFor(
        'the typed command to write its file',
        async () => (await podExec(podName, 'cat /tmp/e2e-connect.txt')).stdout.trim() === marker,
        20_000,
        500,
      );
      await term.keys('C-b', 'd');
      expect(await term.exitStatus()).toBe(0);
    } finally {
      await term.close();
    }
    expect((await readyPod(PROJECT)).metadata.name).toBe(podName); // nothing restarted it
  });

  it('6. nuke: everything goes', async () => {
    await nukeEverything(config, PROJECT, 'helm');
  });
});
