// Seeing the agent without attaching, on the real local cluster, with the fake agent of the
// e2e image as `claude` (test/fixtures/fake-agent: a full-screen program that calls the
// managed hooks the image installs): `peek` shows it waiting, then working, then waiting
// again; `watch` sees the change and prints the desktop-notification escapes (through a real
// pseudo-terminal); `transcript` holds what was typed and answered; the pod's notifier posts
// to a webhook on the host (allowed by networkPolicy.extraEgress under kube-router's
// enforcement); the work guard stops `down`, `restart` and `nuke` while the agent works and
// the repository holds unpushed work, changing nothing; `nuke --discard-work` then goes.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { diagnoseFailure, podExec, readyPod, waitFor } from './helpers/cluster.js';
import { ConfigDir, RGSD_BIN, rgsd, rgsdEnv, rgsdOk } from './helpers/rgsd.js';
import { forceRemove, HOME, Sequence } from './helpers/steps.js';

const PROJECT = 'agents';
/** The host as the pods see it: the bridge's address (scripts/local-cluster). */
const HOST = '10.244.0.1';
/** A turn of the fake agent lasts this long: time for the CLI to see it working. */
const TURN_SECONDS = 25;

interface Pane {
  id: string;
  window: number;
  agent: string | null;
  state: string;
  waitingFor: string | null;
  source: string;
  lines: string[];
}
interface PeekDoc {
  projects: { project: string; state: string; status: { panes: Pane[]; repos: { path: string; modified: number }[] } | null }[];
}

async function agentPane(config: ConfigDir): Promise<Pane | undefined> {
  const res = await rgsd(config, ['peek', PROJECT, '--json', '--lines', '5']);
  if (res.exitCode !== 0) return undefined;
  const doc = JSON.parse(res.stdout) as PeekDoc;
  return doc.projects[0]?.status?.panes.find((p) => p.agent === 'claude');
}

async function untilAgent(config: ConfigDir, what: string, ok: (p: Pane) => boolean, timeoutMs = 120_000): Promise<Pane> {
  let last: Pane | undefined;
  await waitFor(
    `the agent to be ${what}`,
    async () => {
      last = await agentPane(config);
      return last !== undefined && ok(last);
    },
    timeoutMs,
    1000,
  );
  return last as Pane;
}

describe('peek, watch, transcript, the webhook and the work guard on a real cluster', () => {
  const config = new ConfigDir();
  const seq = new Sequence();
  const posted: Record<string, unknown>[] = [];
  let server: Server;
  let pod = '';
  let watch: ChildProcess | undefined;
  const watchDir = mkdtempSync(join(tmpdir(), 'rgsd-e2e-watch-'));
  const watchLog = join(watchDir, 'typescript');

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        try {
          posted.push(JSON.parse(body) as Record<string, unknown>);
        } catch {
          posted.push({ unparsed: body });
        }
        res.writeHead(204).end();
      });
    });
    // the pods reach the host on the bridge address; the policy admits only this port
    await new Promise<void>((r) => server.listen(0, '0.0.0.0', r));
    const port = (server.address() as AddressInfo).port;
    config.writeSettings(PROJECT, {
      agent: 'claude',
      autoStart: true,
      extraEnv: { FAKE_AGENT_TURN_SECONDS: String(TURN_SECONDS) },
      values: {
        networkPolicy: { extraEgress: [{ to: [{ ipBlock: { cidr: `${HOST}/32` } }], ports: [{ protocol: 'TCP', port }] }] },
      },
    });
    config.writeSecrets(PROJECT, { RGSD_WEBHOOK_URL: `http://${HOST}:${port}/rgsd-e2e` });
    await forceRemove(config, [PROJECT]);
  });
  afterAll(async () => {
    watch?.kill('SIGTERM');
    await forceRemove(config, [PROJECT]);
    config.remove();
    rmSync(watchDir, { recursive: true, force: true });
    await new Promise((r) => server.close(r));
  });
  beforeEach((ctx) => seq.guard(ctx));
  afterEach((ctx) => diagnoseFailure(ctx));

  it('1. up; peek: the agent waits for input in window 0, as its own hook said', async () => {
    await rgsdOk(config, ['up', PROJECT]);
    pod = (await readyPod(PROJECT)).metadata.name;
    const p = await untilAgent(config, 'waiting at its prompt', (x) => x.state === 'waiting');
    expect(p).toMatchObject({ window: 0, agent: 'claude', waitingFor: 'input', source: 'hook' });
    const human = await rgsdOk(config, ['peek', PROJECT]);
    expect(human.stdout).toMatch(/^agents\s+main:0 claude\s+claude\s+waiting \(input\)/m);
  });

  it('2. watch (in a real terminal) is running while a task is typed into the agent: peek shows it working', async () => {
    // `script` gives watch a pseudo-terminal, so it rings and notifies; the raw bytes land in watchLog
    const env = { ...process.env, ...rgsdEnv(config), TERM: 'xterm-256color' };
    const cmd = `'${process.execPath}' '${RGSD_BIN}' watch ${PROJECT} --interval 2s`;
    watch = spawn('script', ['-qfec', cmd, watchLog], { env, stdio: ['pipe', 'ignore', 'ignore'] });
    await waitFor('watch to print the first state', async () => /main:0 claude \[claude\]: waiting/.test(readLog(watchLog)), 60_000, 500);
    const typed = await podExec(pod, "tmux send-keys -t main:0 'write the e2e report' Enter");
    expect(typed.exitCode, typed.stderr).toBe(0);
    const p = await untilAgent(config, 'working', (x) => x.state === 'working', 60_000);
    expect(p.source).toBe('hook');
  });

  it('3. the turn ends: peek shows it waiting again; watch printed the change with the bell and OSC 9/777', async () => {
    await untilAgent(config, 'waiting again', (x) => x.state === 'waiting', (TURN_SECONDS + 90) * 1000);
    await waitFor('watch to see working → waiting', async () => /working → waiting \(input\)/.test(readLog(watchLog)), 60_000, 500).catch(
      (err: Error) => {
        throw new Error(`${err.message}\n--- what watch printed ---\n${JSON.stringify(readLog(watchLog))}`);
      },
    );
    const raw = readLog(watchLog);
    expect(raw).toContain('\x07\x1b]9;agents: claude is waiting (input)\x07');
    expect(raw).toContain('\x1b]777;notify;rgsd;agents: claude is waiting (input)\x07');
    watch?.kill('SIGINT');
  });

  it('4. transcript: what was typed and what the agent printed', async () => {
    const res = await rgsdOk(config, ['transcript', PROJECT]);
    expect(res.stdout).toContain('write the e2e report');
    expect(res.stderr).toMatch(/main:0 %\d+: (screen|Claude Code session) log/);
  });

  it('5. the pod posted started and waiting to the webhook (host server, extraEgress)', async () => {
    await waitFor('the webhook to get a waiting event', async () => posted.some((e) => e.event === 'waiting'), 60_000, 500);
    expect(posted.find((e) => e.event === 'started')).toMatchObject({ source: 'rgsd', project: PROJECT });
    expect(posted.find((e) => e.event === 'waiting')).toMatchObject({ project: PROJECT, agent: 'claude', window: 'main:0' });
  });

  it('6. work guard: a working agent and a dirty repository — down, restart and nuke without the flag change nothing', async () => {
    const repo = await podExec(
      pod,
      `cd ${HOME}/workspace && git init -q && echo one > a.txt && git add a.txt && git commit -qm init && echo two >> a.txt && echo new > b.txt`,
    );
    expect(repo.exitCode, repo.stderr).toBe(0);
    await podExec(pod, "tmux send-keys -t main:0 'another long turn' Enter");
    await untilAgent(config, 'working', (x) => x.state === 'working', 60_000);
    for (const argv of [
      ['down', PROJECT],
      ['restart', PROJECT, '--yes'],
      ['nuke', PROJECT, '--confirm', PROJECT],
    ]) {
      const res = await rgsd(config, argv);
      expect(res.exitCode, `${argv.join(' ')}\n${res.stderr}`).toBe(7);
      expect(res.stderr).toMatch(/claude in main:0 is working/);
      expect(res.stderr).toContain('--discard-work');
    }
    const nuke = await rgsd(config, ['nuke', PROJECT, '--confirm', PROJECT]);
    expect(nuke.stderr).toMatch(/workspace: 1 modified file, 1 untracked file, branch \S+ has no upstream/);
    expect((await readyPod(PROJECT)).metadata.name).toBe(pod); // nothing restarted or removed it
  });

  it('7. nuke --discard-work goes, saying what it discarded', async () => {
    const res = await rgsdOk(config, ['nuke', PROJECT, '--confirm', PROJECT, '--discard-work']);
    expect(res.stderr).toContain('--discard-work: going ahead');
    expect(res.stderr).toMatch(/agents is gone/);
  });
});

function readLog(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
