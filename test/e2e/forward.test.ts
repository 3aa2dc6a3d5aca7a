// `rgsd forward` on the real local cluster (issue 11, item 2): a small HTTP server started in
// the pod is fetched on the host through the local URL rgsd prints; when the pod is replaced
// the forward finds the new pod and carries on at the same local port (":8765" lets kubectl
// pick it once); Ctrl-C stops it with exit 0 and leaves no port-forward behind; a sleeping
// project is refused with the way to wake it. (This file deploys its own project.)
import { randomBytes } from 'node:crypto';
import { createConnection } from 'node:net';
import type { ResultPromise } from 'execa';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { diagnoseFailure, kubectlOk, NAMESPACE, podExec, readyPod, waitFor } from './helpers/cluster.js';
import { ConfigDir, rgsd, rgsdOk, spawnRgsd } from './helpers/rgsd.js';
import { forceRemove, namesOf, Sequence } from './helpers/steps.js';

const PROJECT = 'fwd';
const PORT = 8765;
const n = namesOf(PROJECT);

/** Serves ~/srv on PORT from a tmux window of the pod (it lives as long as the pod). */
async function serve(token: string): Promise<void> {
  const pod = await readyPod(PROJECT);
  const res = await podExec(
    pod.metadata.name,
    `mkdir -p "$HOME/srv" && printf '%s' '${token}' > "$HOME/srv/index.html" && tmux new-window -d -n srv "python3 -m http.server ${PORT} --bind 127.0.0.1 --directory $HOME/srv"`,
  );
  expect(res.exitCode, res.stderr).toBe(0);
}

const fetchText = async (url: string): Promise<string | null> => {
  try {
    const r = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    return r.ok ? await r.text() : null;
  } catch {
    return null;
  }
};

const portOpen = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const s = createConnection({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });

describe('rgsd forward (real cluster)', () => {
  const config = new ConfigDir();
  const seq = new Sequence();
  let fwd: ResultPromise | undefined;
  let output = '';
  let url = '';
  const token = `hello-${randomBytes(6).toString('hex')}`;

  beforeAll(async () => {
    config.writeSettings(PROJECT);
    config.writeSecrets(PROJECT, { GITHUB_TOKEN: `ghp_e2e${randomBytes(12).toString('hex')}` });
    await forceRemove(config, [PROJECT]);
  });
  afterAll(async () => {
    fwd?.kill('SIGKILL');
    await forceRemove(config, [PROJECT]);
    config.remove();
  });
  beforeEach((ctx) => seq.guard(ctx));
  afterEach((ctx) => diagnoseFailure(ctx));

  it('1. up, and a server in the pod', async () => {
    await rgsdOk(config, ['up', PROJECT]);
    await serve(token);
  });

  it('2. forward :8765 prints the local URL, and the server answers through it', async () => {
    fwd = spawnRgsd(config, ['forward', PROJECT, `:${PORT}`], { timeoutMs: 900_000 });
    fwd.all?.on('data', (c: Buffer) => {
      output += c.toString('utf8');
    });
    url = await waitFor('the local URL', async () => /^(http:\/\/localhost:\d+) -> fwd:8765$/m.exec(output)?.[1], 120_000, 500);
    expect(output).toMatch(/forwarding to pod fwd-rgsd-\S+; Ctrl-C stops/);
    // the server may need a moment to listen: "nothing listens" is said, then it answers
    expect(await waitFor('the server through the forward', async () => fetchText(url), 60_000, 1_000)).toBe(token);
  });

  it('3. the pod is replaced: the forward finds the new one and carries on at the same local port', async () => {
    const old = (await readyPod(PROJECT)).metadata.name;
    await kubectlOk(['-n', NAMESPACE, 'delete', 'pod', old, '--wait=false']);
    await waitFor('a new ready pod', async () => (await readyPod(PROJECT)).metadata.name !== old, 300_000, 2_000);
    await serve(`${token}-2`);
    await waitFor('the forward to come back', async () => /forwarding again \(pod fwd-rgsd-/.test(output), 300_000, 1_000);
    expect(output).toMatch(/the forward to .* ended \(.*\); again in \d+s/);
    expect(await waitFor('the new server through the same URL', async () => fetchText(url), 120_000, 1_000)).toBe(`${token}-2`);
  });

  it('4. Ctrl-C stops it with exit 0 and the local port closes', async () => {
    const port = Number(new URL(url).port);
    fwd?.kill('SIGINT');
    const res = await fwd;
    fwd = undefined;
    expect(res?.exitCode, output).toBe(0);
    expect(output).toContain('rgsd: stopped forwarding');
    await waitFor('the local port to close', async () => !(await portOpen(port)), 60_000, 500);
  });

  it('5. a sleeping project is refused with the way to wake it', async () => {
    await rgsdOk(config, ['sleep', PROJECT, '--yes', '--discard-work'], { timeoutMs: 300_000 });
    const res = await rgsd(config, ['forward', PROJECT, String(PORT)]);
    expect(res.exitCode, res.stderr).toBe(7);
    expect(res.stderr).toContain(`${PROJECT} is asleep`);
    expect(res.stderr).toContain(`hint: \`rgsd up ${PROJECT}\` wakes it`);
    expect((await kubectlOk(['-n', NAMESPACE, 'get', `deployment/${n.deployment}`, '-o', 'jsonpath={.spec.replicas}'])).trim()).toBe('0');
  });
});
