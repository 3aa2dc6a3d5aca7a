// rgsd watch: events from the difference of two polls, notifications, --until, and a loop
// that survives polls that fail (backoff, "answering again") — with a fake clock and sleep.
import { describe, expect, it } from 'vitest';
import { parseInPodStatus, type InPodStatus } from '../../src/cluster/podstate.js';
import { eventLine, notification, parseInterval } from '../../src/commands/watch.js';
import { UsageError } from '../../src/core/errors.js';
import type { PeekDocument } from '../../src/ops/peek.js';
import { MAX_BACKOFF_MS, diff, notifies, reached, snapshot, watchLoop, type WatchEvent } from '../../src/ops/watch.js';
import { IN_POD_STATUS_V2 } from '../helpers/cluster-fixture.js';

type Pane = Omit<(typeof IN_POD_STATUS_V2.panes)[number], 'exitCode' | 'waitingFor'> & {
  exitCode: number | null;
  waitingFor: string | null;
};
const AGENT = IN_POD_STATUS_V2.panes[0] as Pane;
const SHELL = IN_POD_STATUS_V2.panes[1] as Pane;

function status(panes: Pane[], o: { tasks?: unknown[]; created?: string } = {}): InPodStatus {
  return parseInPodStatus(
    JSON.stringify({
      ...IN_POD_STATUS_V2,
      panes,
      tasks: o.tasks ?? [],
      sessions: [{ ...IN_POD_STATUS_V2.sessions[0], created: o.created ?? '2026-11-22T10:00:05Z' }],
    }),
  );
}
function doc(...projects: PeekDocument['projects']): PeekDocument {
  return { schemaVersion: 1, context: 'ctx', namespace: 'rgsd', projects };
}
const ok = (s: InPodStatus, project = 'demo') => ({ project, pod: null, state: 'ok' as const, error: null, status: s });
const agent = (state: string, extra: Partial<Pane> = {}): Pane => ({ ...AGENT, state, waitingFor: null, ...extra }) as Pane;
const T = '2026-11-22T12:00:00.000Z';

describe('diff and notifies', () => {
  it('the first poll reports every state and notifies nothing', () => {
    const events = diff(undefined, snapshot(doc(ok(status([agent('working'), SHELL])))), T);
    expect(events.map((e) => e.kind)).toEqual(['project', 'state', 'state']);
    expect(events.filter((e) => notifies(e))).toEqual([]);
  });

  it('working → waiting (permission) is one event that notifies; an unchanged pane is none', () => {
    const a = snapshot(doc(ok(status([agent('working'), SHELL]))));
    const b = snapshot(doc(ok(status([agent('waiting', { waitingFor: 'permission' }), SHELL]))));
    const events = diff(a, b, T);
    expect(events).toEqual([
      expect.objectContaining({ kind: 'state', pane: '%1', from: 'working', to: 'waiting (permission)', agent: 'claude' }),
    ]);
    expect(notifies(events[0] as WatchEvent)).toBe(true);
    expect(diff(b, b, T)).toEqual([]);
  });

  it('waiting → working does not notify; working → exited does, with the exit code', () => {
    const waiting = snapshot(doc(ok(status([agent('waiting', { waitingFor: 'input' })]))));
    const working = snapshot(doc(ok(status([agent('working')]))));
    const exited = snapshot(doc(ok(status([agent('exited', { exitCode: 3 })]))));
    expect(diff(waiting, working, T).map(notifies)).toEqual([false]);
    const [end] = diff(working, exited, T);
    expect(end).toMatchObject({ to: 'exited', exitCode: 3 });
    expect(notifies(end as WatchEvent)).toBe(true);
  });

  it('a task that ends notifies; a recreated session is a restart; a closed agent pane says so', () => {
    const task = (state: string, exitCode: number | null = null) => ({ id: 't1', name: 'fix login', agent: 'claude', state, exitCode });
    const a = snapshot(doc(ok(status([agent('working'), SHELL], { tasks: [task('running')] }))));
    const b = snapshot(doc(ok(status([SHELL], { tasks: [task('succeeded', 0)] }))));
    const events = diff(a, b, T);
    expect(events).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'task', task: 't1', from: 'running', to: 'succeeded', exitCode: 0 }),
        expect.objectContaining({ kind: 'pane-closed', pane: '%1', agent: 'claude' }),
      ]),
    );
    expect(events.every((e) => notifies(e))).toBe(true);
    const restarted = snapshot(doc(ok(status([SHELL], { created: '2026-11-22T11:59:00Z', tasks: [task('succeeded', 0)] }))));
    const r = diff(b, restarted, T);
    expect(r).toEqual([expect.objectContaining({ kind: 'restart', session: 'main' })]);
  });

  it('--until idle: reached when no agent works and no task runs; --until done needs a task that ended', () => {
    expect(reached('idle', snapshot(doc(ok(status([agent('working')])))), false)).toBe(false);
    expect(reached('idle', snapshot(doc(ok(status([agent('waiting'), SHELL])))), false)).toBe(true);
    const running = { id: 't1', name: null, agent: 'claude', state: 'running', exitCode: null };
    expect(reached('idle', snapshot(doc(ok(status([SHELL], { tasks: [running] })))), true)).toBe(false);
    expect(reached('done', snapshot(doc(ok(status([SHELL])))), false)).toBe(false);
    expect(reached('done', snapshot(doc(ok(status([SHELL], { tasks: [{ ...running, state: 'failed', exitCode: 1 }] })))), true)).toBe(true);
  });
});

/** A loop driven by a list of poll results (an Error: that poll failed), with a fake clock. */
async function drive(results: (PeekDocument | Error)[], o: { until?: 'idle' | 'done'; intervalMs?: number } = {}) {
  let clock = Date.parse(T);
  const waits: number[] = [];
  const events: { e: WatchEvent; notify: boolean }[] = [];
  let i = 0;
  const finished = await watchLoop({
    intervalMs: o.intervalMs ?? 10_000,
    until: o.until,
    now: () => new Date(clock),
    poll: async () => {
      const r = results[i++];
      if (r instanceof Error) throw r;
      if (!r) throw new Error('poll after the end of the script');
      return r;
    },
    sleep: async (ms) => {
      waits.push(ms);
      clock += ms;
      return i < results.length;
    },
    onEvent: (e, notify) => {
      events.push({ e, notify });
    },
  });
  return { finished, waits, events };
}

describe('watchLoop', () => {
  it('stops when --until is reached, without waiting again', async () => {
    const r = await drive([doc(ok(status([agent('working')]))), doc(ok(status([agent('waiting', { waitingFor: 'input' })])))], {
      until: 'idle',
    });
    expect(r.finished).toBe(true);
    expect(r.waits).toEqual([10_000]);
    expect(r.events.filter((x) => x.notify).map((x) => x.e)).toEqual([expect.objectContaining({ from: 'working', to: 'waiting (input)' })]);
  });

  it('each failing poll is said with its retry pause, which grows (capped); "answering again" after', async () => {
    const fail = new Error('Unable to connect to the server: dial tcp: i/o timeout\nmore');
    const working = doc(ok(status([agent('working')])));
    const r = await drive([working, fail, fail, fail, doc(ok(status([agent('waiting', { waitingFor: 'input' })])))]);
    expect(r.waits).toEqual([10_000, 20_000, 40_000, 80_000, 10_000]);
    const kinds = r.events.map((x) => x.e.kind);
    expect(kinds.filter((k) => k === 'unreachable')).toHaveLength(3);
    expect(kinds.filter((k) => k === 'reconnected')).toHaveLength(1);
    const unreachable = r.events.find((x) => x.e.kind === 'unreachable')?.e;
    expect(unreachable).toMatchObject({ error: 'Unable to connect to the server: dial tcp: i/o timeout', retryInSeconds: 20 });
    // the change during the outage is still seen, once
    expect(r.events.filter((x) => x.notify)).toHaveLength(1);
    const long = await drive(Array.from({ length: 14 }, () => fail));
    expect(Math.max(...long.waits)).toBe(MAX_BACKOFF_MS);
  });

  it('one project that stops answering keeps its last state (no false change) and says so', async () => {
    const silent = { project: 'demo', pod: null, state: 'error' as const, error: 'error: unable to upgrade connection', status: null };
    const r = await drive([doc(ok(status([agent('working')]))), doc(silent), doc(ok(status([agent('working')])))]);
    const kinds = r.events.map((x) => x.e.kind);
    expect(kinds).toEqual(['project', 'state', 'unreachable', 'reconnected']);
  });
});

describe('rendering', () => {
  const at = new Date(2026, 10, 22, 12, 3, 4);
  it('one line per event with a local timestamp', () => {
    const [e] = diff(
      snapshot(doc(ok(status([agent('working')])))),
      snapshot(doc(ok(status([agent('waiting', { waitingFor: 'permission' })])))),
      T,
    );
    expect(eventLine(e as WatchEvent, at)).toBe('12:03:04  demo  main:0 claude [claude]: working → waiting (permission)  │ ❯ 1. Yes');
  });
  it('the notification: a bell, OSC 9 and OSC 777, without control characters from the text', () => {
    const e: WatchEvent = {
      kind: 'task',
      time: T,
      project: 'demo',
      task: 't1',
      name: 'fix\x1b]0;x\x07',
      from: 'running',
      to: 'failed',
      exitCode: 1,
    };
    expect(notification(e)).toBe('\x07\x1b]9;demo: task fix ]0 x  failed\x07\x1b]777;notify;rgsd;demo: task fix ]0 x  failed\x07');
  });
  it('--interval: 2s to 1h', () => {
    expect(parseInterval('10s')).toBe(10_000);
    expect(parseInterval('1m')).toBe(60_000);
    for (const bad of ['1s', '2h', 'x', '', '-5s']) expect(() => parseInterval(bad)).toThrow(UsageError);
  });
});
