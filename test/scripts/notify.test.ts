// /opt/rgsd/notify against a small HTTP server on 127.0.0.1: the webhook URL comes from
// secrets.env (never from the environment, never logged), an agent that stops working to
// wait is posted once (deduplicated), a task that ends and an agent that exits are posted,
// the hourly budget drops the rest, and the formats for Slack, Discord and ntfy.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Root, script, waitUntil } from './harness.js';

interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

let root: Root;
let server: Server;
let received: Received[];
let url: string;
let child: ChildProcess | undefined;

beforeEach(async () => {
  root = new Root();
  received = [];
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook/topic-x9`;
});
afterEach(async () => {
  child?.kill('SIGTERM');
  child = undefined;
  await new Promise((r) => server.close(r));
  await root.cleanup();
});

const pane = (state: string, waitingFor: string | null = null, extra: Record<string, unknown> = {}) => ({
  id: '%1',
  session: 'main',
  window: 0,
  agent: 'claude',
  state,
  waitingFor,
  exitCode: null,
  lines: ['Do you want to proceed?'],
  ...extra,
});
const statusFile = () => join(root.dir, 'status.json');
function setStatus(panes: unknown[], tasks: unknown[] = []): void {
  writeFileSync(statusFile(), JSON.stringify({ schemaVersion: 2, time: new Date().toISOString(), panes, tasks }));
}
function secrets(lines: Record<string, string>): void {
  const dir = join(root.home, '.config', 'rgsd');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'secrets.env'),
    Object.entries(lines)
      .map(([k, v]) => `export ${k}='${v}'\n`)
      .join(''),
    { mode: 0o600 },
  );
}

let output = '';
function start(extra: Record<string, string> = {}): void {
  output = '';
  child = spawn(script('notify'), [], {
    env: root.env({
      RGSD_PROJECT: 'demo',
      RGSD_NOTIFY_INTERVAL: '0.2',
      RGSD_NOTIFY_DEBUG: '1',
      RGSD_NOTIFY_STATUS_CMD: `cat '${statusFile()}'`,
      ...extra,
    }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
}
const bodies = () => received.map((r) => JSON.parse(r.body) as Record<string, unknown>);
const rounds = () => (output.match(/notify: round \d+/g) ?? []).length;
/** Until the loop has looked at the status at least twice more (so it saw the current one). */
async function twoRounds(): Promise<void> {
  const n = rounds();
  await waitUntil(
    () => rounds() >= n + 2,
    60_000,
    () => `the loop stopped looking: ${output}`,
  );
}

describe('notify', () => {
  it('posts started, then working → waiting once (deduplicated), a task end and an agent exit; the URL is never logged', async () => {
    secrets({ RGSD_WEBHOOK_URL: url });
    setStatus([pane('working')], [{ id: 't1', name: 'fix login', state: 'running', exitCode: null }]);
    start();
    await waitUntil(
      () => received.length >= 1,
      60_000,
      () => `no started event: ${output}`,
    );
    expect(bodies()[0]).toMatchObject({ source: 'rgsd', project: 'demo', event: 'started', text: 'demo: the workstation started' });
    expect(received[0]?.path).toBe('/hook/topic-x9');

    setStatus([pane('waiting', 'permission')], [{ id: 't1', name: 'fix login', state: 'running', exitCode: null }]);
    await waitUntil(
      () => received.length >= 2,
      60_000,
      () => `no waiting event: ${output}`,
    );
    expect(bodies()[1]).toMatchObject({
      event: 'waiting',
      pane: '%1',
      window: 'main:0',
      agent: 'claude',
      waitingFor: 'permission',
      text: 'demo: claude in main:0 is waiting for a permission',
      line: 'Do you want to proceed?',
    });
    // back to work and waiting again within the dedupe window: not posted twice
    setStatus([pane('working')], [{ id: 't1', name: 'fix login', state: 'running', exitCode: null }]);
    await twoRounds();
    setStatus([pane('waiting', 'permission')], [{ id: 't1', name: 'fix login', state: 'succeeded', exitCode: 0 }]);
    await waitUntil(
      () => received.length >= 3,
      60_000,
      () => `no task event: ${output}`,
    );
    expect(bodies()[2]).toMatchObject({ event: 'task-finished', task: 't1', state: 'succeeded', exitCode: 0 });
    setStatus([pane('exited', null, { exitCode: 2 })]);
    await waitUntil(
      () => received.length >= 4,
      60_000,
      () => `no exit event: ${output}`,
    );
    expect(bodies()[3]).toMatchObject({ event: 'exited', exitCode: 2, text: 'demo: claude in main:0 ended (exit code 2)' });
    expect(bodies().filter((b) => b.event === 'waiting')).toHaveLength(1);
    expect(output).toContain('sending events to the webhook in the secrets file (json format)');
    expect(output).not.toContain('topic-x9');
    expect(output).not.toContain('127.0.0.1');
  });

  it('the hourly budget drops what is over it and says so in the container log', async () => {
    secrets({ RGSD_WEBHOOK_URL: url });
    setStatus([pane('working')]);
    start({ RGSD_NOTIFY_MAX_PER_HOUR: '2', RGSD_NOTIFY_DEDUPE_SECONDS: '1' });
    await waitUntil(
      () => received.length >= 1,
      60_000,
      () => `no started event: ${output}`,
    );
    setStatus([pane('waiting', 'input')]);
    await waitUntil(
      () => received.length >= 2,
      60_000,
      () => `no waiting event: ${output}`,
    );
    setStatus([pane('exited', null, { exitCode: 0 })]);
    // the exit is over the budget: the log says so, and it never arrives
    await waitUntil(
      () => output.includes('exited event was not sent: at most 2 an hour'),
      60_000,
      () => output,
    );
    await twoRounds();
    expect(received).toHaveLength(2);
  });

  it('formats: Slack {text}, Discord {content}, ntfy plain text with a title; RGSD_WEBHOOK_FORMAT overrides the guess', async () => {
    for (const [format, check] of [
      ['slack', (r: Received) => expect(JSON.parse(r.body)).toEqual({ text: 'demo: the workstation started' })],
      ['discord', (r: Received) => expect(JSON.parse(r.body)).toEqual({ content: 'demo: the workstation started' })],
      [
        'ntfy',
        (r: Received) => {
          expect(r.body).toBe('demo: the workstation started');
          expect(r.headers.title).toBe('rgsd demo');
        },
      ],
    ] as const) {
      received = [];
      secrets({ RGSD_WEBHOOK_URL: url, RGSD_WEBHOOK_FORMAT: format });
      setStatus([]);
      const once = spawn(script('notify'), ['--once'], {
        env: root.env({ RGSD_PROJECT: 'demo', RGSD_NOTIFY_STATUS_CMD: `cat '${statusFile()}'` }),
        stdio: 'ignore',
      });
      await new Promise((r) => once.on('exit', r));
      expect(received, format).toHaveLength(1);
      check(received[0] as Received);
    }
  });

  it('without a webhook in the secrets file it posts nothing', async () => {
    setStatus([pane('working')]);
    const once = spawn(script('notify'), ['--once'], {
      env: root.env({ RGSD_NOTIFY_STATUS_CMD: `cat '${statusFile()}'`, RGSD_WEBHOOK_URL: url }),
      stdio: 'ignore',
    });
    const code = await new Promise((r) => once.on('exit', r));
    expect(code).toBe(0);
    expect(received).toHaveLength(0);
  });
});
