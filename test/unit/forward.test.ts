// rgsd forward: the port words, the pod it forwards to (and the refusals before any forward),
// the exact kubectl port-forward argv, and the reconnect loop (pod found again, the free local
// port kept, the pause growing and reset) with an injected sleep: no timers.
import { describe, expect, it } from 'vitest';
import forwardCommand from '../../src/commands/forward.js';
import { ExitCode, InterruptedError, NotFoundError, RefusedError, type RgsdError, UsageError } from '../../src/core/errors.js';
import { projectNames } from '../../src/core/names.js';
import { type ForwardEvent, connectionError, isPortWord, parsePorts, portForwardArgs, runForward } from '../../src/ops/forward.js';
import { K } from '../helpers/cluster-fixture.js';
import { FakeRunner, type FakeResponse } from '../helpers/fake-runner.js';
import { testApp } from '../helpers/test-app.js';

const T = { context: 'ctx', namespace: 'rgsd' };
const NAMES = projectNames('demo');
const GET_PODS = ['kubectl', ...K, 'get', 'pods', '-l', 'rgsd.dev/project=demo', '-o', 'json'];
const SLEEP_STATE = ['kubectl', ...K, 'get', 'deployment/demo-rgsd', 'configmap/demo-rgsd-idle', '--ignore-not-found', '-o', 'json'];
const pf = (pod: string, ...rest: string[]) => ['kubectl', ...K, 'port-forward', `pod/${pod}`, ...rest];
const gone = (pod: string) => ['kubectl', ...K, 'wait', '--for=delete', `pod/${pod}`, '--timeout=8760h'];
/** The deletion watch of each pod, which runs until the forward ends. */
const watching = (r: FakeRunner, ...podNames: string[]): FakeRunner => {
  for (const p of podNames) r.on(gone(p), { hang: true });
  return r;
};

function pod(name: string, o: { phase?: string; deleting?: boolean; created?: string } = {}) {
  const phase = o.phase ?? 'Running';
  return {
    kind: 'Pod',
    metadata: {
      name,
      labels: { 'rgsd.dev/project': 'demo' },
      creationTimestamp: o.created ?? '2026-12-04T10:00:00Z',
      ...(o.deleting ? { deletionTimestamp: '2026-12-04T11:59:00Z' } : {}),
    },
    spec: { nodeName: 'node-1' },
    status: {
      phase,
      conditions: [{ type: 'Ready', status: phase === 'Running' ? 'True' : 'False' }],
      containerStatuses: [
        {
          name: 'workstation',
          ready: phase === 'Running',
          restartCount: 0,
          state: phase === 'Running' ? { running: {} } : { waiting: { reason: 'ContainerCreating' } },
        },
      ],
    },
  };
}
const pods = (...items: unknown[]): FakeResponse => ({ stdout: JSON.stringify({ items }) });
const deployment = (replicas: number, since?: string): FakeResponse => ({
  stdout: JSON.stringify({
    items: [
      {
        kind: 'Deployment',
        metadata: { name: 'demo-rgsd', annotations: since ? { 'rgsd.dev/asleep-since': since } : {} },
        spec: { replicas },
      },
    ],
  }),
});
const REFUSED =
  'E1204 06:40:00.1 1 portforward.go:424] "Unhandled Error" err="an error occurred forwarding 8080 -> 3000: connect: connection refused"\n';
const forwarding = (local: number, remote: number) =>
  `Forwarding from 127.0.0.1:${local} -> ${remote}\nForwarding from [::1]:${local} -> ${remote}\n`;

/** A loop that stops after `n` sleeps; records the pauses. */
function sleeps(n: number) {
  const waited: number[] = [];
  return {
    waited,
    sleep: async (ms: number) => {
      waited.push(ms);
      return waited.length < n;
    },
  };
}

describe('rgsd forward: ports', () => {
  it('reads 8080, 8080:3000 and :3000 (a free local port)', () => {
    expect(parsePorts(['8080', '8081:3000', ':5173'], 'demo')).toEqual([
      { local: 8080, remote: 8080 },
      { local: 8081, remote: 3000 },
      { local: 0, remote: 5173 },
    ]);
    expect(portForwardArgs('p1', parsePorts(['8080', ':5173'], 'demo'), undefined)).toEqual([
      'port-forward',
      'pod/p1',
      '8080:8080',
      ':5173',
    ]);
    expect(portForwardArgs('p1', parsePorts(['8080'], 'demo'), '0.0.0.0')).toEqual([
      'port-forward',
      'pod/p1',
      '8080:8080',
      '--address',
      '0.0.0.0',
    ]);
  });

  it('tells a port word from a project name', () => {
    expect(['3000', '80:3000', ':3000'].map(isPortWord)).toEqual([true, true, true]);
    expect(['demo', 'web-2', ':', '', '3000:'].map(isPortWord)).toEqual([false, false, false, false, false]);
  });

  it('refuses no port, 0, 65536, a word and a local port given twice, with a hint', () => {
    const cases: [string[], RegExp][] = [
      [[], /^no port to forward$/],
      [['0'], /"0" is not a port to forward: the pod port must be 1-65535/],
      [['65536'], /"65536" is not a port to forward/],
      [['0:3000'], /the local port must be 1-65535/],
      [['80:x'], /expected <port> or <local>:<remote>/],
      [['8080:3000', '8080:4000'], /^local port 8080 is given twice$/],
    ];
    for (const [words, message] of cases) {
      let err: unknown;
      try {
        parsePorts(words, 'demo');
      } catch (e) {
        err = e;
      }
      expect(err, words.join(' ')).toBeInstanceOf(UsageError);
      expect((err as Error).message).toMatch(message);
      expect((err as UsageError).hint).toBeTruthy();
    }
  });

  it('shortens kubectl per-connection errors', () => {
    const line =
      'E1204 06:40:00.123456   1234 portforward.go:424] "Unhandled Error" err="an error occurred forwarding 8080 -> 3000: error forwarding port 3000 to pod abc, uid : failed to execute portforward in network namespace \\"/var/run/netns/cni-1\\": failed to connect to localhost:3000 inside namespace \\"abc\\", IPv4: dial tcp4 127.0.0.1:3000: connect: connection refused IPv6 dial tcp6 [::1]:3000: connect: connection refused "';
    expect(connectionError(line)).toBe('nothing listens on port 3000 in the pod (a connection to local port 8080 failed)');
  });
});

describe('rgsd forward: the command', () => {
  it('bad ports and --json are usage errors before any call', async () => {
    for (const words of ['demo', 'demo 99999', 'demo 80 80']) {
      const { app, runner } = await testApp();
      const err = await forwardCommand.run(app, { ports: words }, {}).catch((e: unknown) => e);
      expect(err, words).toBeInstanceOf(UsageError);
      expect(runner.calls).toEqual([]);
    }
    const { app, runner } = await testApp({ globals: { json: true } });
    const err = await forwardCommand.run(app, { ports: 'demo 3000' }, {}).catch((e: unknown) => e);
    expect((err as Error).message).toBe('forward prints lines, not one JSON document');
    expect(runner.calls).toEqual([]);
  });

  it('prints the local URLs on stdout; a refused connection once; a drop and the reconnect on stderr', async () => {
    const runner = watching(new FakeRunner(), 'demo-rgsd-a')
      .on(GET_PODS, pods(pod('demo-rgsd-a')))
      .on(pf('demo-rgsd-a', '8080:3000', ':5173'), {
        stdout: `${forwarding(8080, 3000)}${forwarding(40123, 5173)}Handling connection for 8080\n`,
        stderr: `${REFUSED.repeat(2)}error: lost connection to pod\n`,
        exitCode: 1,
      });
    const { app, stdout, stderr } = await testApp({ runner });
    // one reconnect, then the injected Ctrl-C: setTimeout is real here, so the loop is stopped
    // through the first drop's pause being the last one we allow (sleep resolves false)
    const ops = await import('../../src/ops/forward.js');
    const events: ForwardEvent[] = [];
    const s = sleeps(1);
    await ops.runForward(app, T, 'demo', NAMES, parsePorts(['8080:3000', ':5173'], 'demo'), {
      onEvent: (e) => events.push(e),
      sleep: s.sleep,
      now: () => 0,
    });
    expect(events.map((e) => e.kind)).toEqual(['connection-error', 'connection-error', 'forwarding', 'lost']);
    expect(events[2]).toEqual({
      kind: 'forwarding',
      pod: 'demo-rgsd-a',
      ports: [
        { address: '127.0.0.1', local: 8080, remote: 3000 },
        { address: '127.0.0.1', local: 40123, remote: 5173 },
      ],
      reconnect: false,
    });
    expect(events[3]).toEqual({ kind: 'lost', pod: 'demo-rgsd-a', reason: 'lost connection to pod', retryInMs: 1000 });
    expect(stdout() + stderr()).toBe(''); // the ops layer prints nothing
  });

  it('renders: URLs on stdout, the rest on stderr, each connection error once', async () => {
    const runner = watching(new FakeRunner(), 'demo-rgsd-a')
      .on(GET_PODS, pods(pod('demo-rgsd-a')))
      .on(pf('demo-rgsd-a', '8080:3000'), [
        {
          stdout: forwarding(8080, 3000),
          stderr:
            'E1 portforward.go:424] an error occurred forwarding 8080 -> 3000: connect: connection refused\n'.repeat(3) +
            'error: lost connection to pod\n',
          exitCode: 1,
        },
        { throws: new InterruptedError() },
      ]);
    const { app, stdout, stderr } = await testApp({ runner, now: new Date('2026-12-04T12:00:00Z') });
    const err = await forwardCommand.run(app, { ports: 'demo 8080:3000' }, {}).catch((e: unknown) => e);
    // the second forward is "interrupted" (what Ctrl-C does to the kubectl child)
    expect(err).toBeInstanceOf(InterruptedError);
    expect(stdout()).toBe('http://localhost:8080 -> demo:3000\n');
    const lines = stderr().split('\n');
    expect(lines.filter((l) => l.includes('nothing listens on port 3000 in the pod'))).toHaveLength(1);
    expect(stderr()).toContain('forwarding to pod demo-rgsd-a; Ctrl-C stops');
    expect(stderr()).toContain('12:00:00 the forward to demo-rgsd-a ended (lost connection to pod); again in 1s');
  }, 30_000);
});

describe('rgsd forward: the pod', () => {
  it('a sleeping project is refused (exit 7) with the way to wake it; no Deployment is not deployed', async () => {
    const runner = new FakeRunner().on(GET_PODS, pods()).on(SLEEP_STATE, deployment(0, '2026-12-04T09:00:00Z'));
    const { app } = await testApp({ runner });
    const err = await runForward(app, T, 'demo', NAMES, [{ local: 3000, remote: 3000 }], {
      onEvent: () => {},
      sleep: async () => false,
      now: () => 0,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RefusedError);
    expect((err as RgsdError).exitCode).toBe(ExitCode.refused);
    expect((err as Error).message).toBe('demo is asleep (0 replicas since 2026-12-04T09:00:00Z): nothing runs to forward to');
    expect((err as RgsdError).hint).toBe('`rgsd up demo` wakes it (or `rgsd connect demo`), then re-run');
    expect(runner.argvs).toEqual([GET_PODS, SLEEP_STATE]);

    const r2 = new FakeRunner().on(GET_PODS, pods()).on(SLEEP_STATE, { stdout: '' });
    const t2 = await testApp({ runner: r2 });
    const err2 = await runForward(t2.app, T, 'demo', NAMES, [{ local: 3000, remote: 3000 }], {
      onEvent: () => {},
      sleep: async () => false,
      now: () => 0,
    }).catch((e: unknown) => e);
    expect(err2).toBeInstanceOf(NotFoundError);
    expect((err2 as Error).message).toBe('demo is not deployed in namespace rgsd (context ctx)');
  });

  it('a pod that is not running yet is an error on the first try; kubectl failing to bind says so', async () => {
    const r1 = new FakeRunner().on(GET_PODS, pods(pod('demo-rgsd-a', { phase: 'Pending' })));
    const t1 = await testApp({ runner: r1 });
    const e1 = await runForward(t1.app, T, 'demo', NAMES, [{ local: 3000, remote: 3000 }], {
      onEvent: () => {},
      sleep: async () => false,
      now: () => 0,
    }).catch((e: unknown) => e);
    expect((e1 as Error).message).toMatch(/^the workstation pod of demo is Pending/);

    const r2 = watching(new FakeRunner(), 'demo-rgsd-a')
      .on(GET_PODS, pods(pod('demo-rgsd-a')))
      .on(pf('demo-rgsd-a', '3000:3000'), {
        exitCode: 1,
        stderr:
          'Unable to listen on port 3000: Listeners failed to create with the following errors: [unable to create listener: Error listen tcp4 127.0.0.1:3000: bind: address already in use]\nerror: unable to listen on any of the requested ports: [{3000 3000}]\n',
      });
    const t2 = await testApp({ runner: r2 });
    const e2 = await runForward(t2.app, T, 'demo', NAMES, [{ local: 3000, remote: 3000 }], {
      onEvent: () => {},
      sleep: async () => false,
      now: () => 0,
    }).catch((e: unknown) => e);
    expect((e2 as Error).message).toBe(
      'kubectl port-forward to demo-rgsd-a failed: unable to listen on any of the requested ports: [{3000 3000}]',
    );
    expect((e2 as RgsdError).hint).toMatch(/another program uses that local port/);
  });

  it('reconnects: finds the new pod, keeps the free local port kubectl chose, waits for a pod that starts; the pause grows and resets after a healthy run', async () => {
    let clock = 0;
    const runner = watching(new FakeRunner(), 'demo-rgsd-a', 'demo-rgsd-b')
      .on(GET_PODS, [
        pods(pod('demo-rgsd-a')),
        pods(pod('demo-rgsd-a', { deleting: true }), pod('demo-rgsd-b', { phase: 'Pending', created: '2026-12-04T11:00:00Z' })),
        pods(pod('demo-rgsd-b', { created: '2026-12-04T11:00:00Z' })),
        pods(pod('demo-rgsd-b', { created: '2026-12-04T11:00:00Z' })),
      ])
      .on(pf('demo-rgsd-a', ':3000'), { stdout: forwarding(40500, 3000), stderr: 'error: lost connection to pod\n', exitCode: 1 })
      .on(pf('demo-rgsd-b', '40500:3000'), (call) => {
        // the second forward to b lasts long: the pause after it starts from 1s again
        clock += runner.find('kubectl', ...K, 'port-forward', 'pod/demo-rgsd-b').length === 2 ? 60_000 : 0;
        return { stdout: forwarding(40500, 3000), exitCode: 0, stderr: call.argv.length ? '' : '' };
      });
    const { app } = await testApp({ runner });
    const events: ForwardEvent[] = [];
    const s = sleeps(4);
    await runForward(app, T, 'demo', NAMES, [{ local: 0, remote: 3000 }], {
      onEvent: (e) => events.push(e),
      sleep: s.sleep,
      now: () => clock,
    });
    expect(runner.argvs).toEqual([
      GET_PODS,
      gone('demo-rgsd-a'),
      pf('demo-rgsd-a', ':3000'),
      GET_PODS,
      GET_PODS,
      gone('demo-rgsd-b'),
      pf('demo-rgsd-b', '40500:3000'),
      GET_PODS,
      gone('demo-rgsd-b'),
      pf('demo-rgsd-b', '40500:3000'),
    ]);
    expect(events.map((e) => e.kind)).toEqual(['forwarding', 'lost', 'waiting', 'forwarding', 'lost', 'forwarding', 'lost']);
    expect(events[2]).toEqual({ kind: 'waiting', reason: 'its pod demo-rgsd-b is Pending', retryInMs: 2000 });
    expect(events[3]).toMatchObject({ kind: 'forwarding', pod: 'demo-rgsd-b', reconnect: true });
    expect(events[4]).toEqual({ kind: 'lost', pod: 'demo-rgsd-b', reason: 'kubectl port-forward exited 0', retryInMs: 4000 });
    expect(events[6]).toMatchObject({ kind: 'lost', retryInMs: 1000 });
    expect(s.waited).toEqual([1000, 2000, 4000, 1000]);
  });

  it('a deleted pod ends the forward (kubectl would not notice until a connection failed) and the next pod is found', async () => {
    const runner = new FakeRunner()
      .on(GET_PODS, [pods(pod('demo-rgsd-a')), pods(pod('demo-rgsd-b'))])
      .on(gone('demo-rgsd-a'), { exitCode: 0 })
      .on(pf('demo-rgsd-a', '3000:3000'), { hang: true })
      .on(gone('demo-rgsd-b'), { hang: true })
      .on(pf('demo-rgsd-b', '3000:3000'), { stdout: forwarding(3000, 3000), exitCode: 1, stderr: 'error: lost connection to pod\n' });
    const { app } = await testApp({ runner });
    const events: ForwardEvent[] = [];
    const s = sleeps(2);
    await runForward(app, T, 'demo', NAMES, [{ local: 3000, remote: 3000 }], {
      onEvent: (e) => events.push(e),
      sleep: s.sleep,
      now: () => 0,
    });
    expect(events[0]).toEqual({ kind: 'lost', pod: 'demo-rgsd-a', reason: 'its pod demo-rgsd-a was deleted', retryInMs: 1000 });
    expect(events[1]).toMatchObject({ kind: 'forwarding', pod: 'demo-rgsd-b', reconnect: false });
    // the forward to a was stopped through its signal, the watch of b when its forward ended
    expect(runner.calls.find((c) => c.argv.join(' ') === pf('demo-rgsd-a', '3000:3000').join(' '))?.opts.signal?.aborted).toBe(true);
    expect(runner.calls.find((c) => c.argv.join(' ') === gone('demo-rgsd-b').join(' '))?.opts.signal?.aborted).toBe(true);
  });
});
