// rgsd sleep: the exact calls (the sleep state, the work guard, annotate, scale 0, wait for
// the pod to go), already asleep is a success that says so, not deployed is exit 6 with
// `rgsd up`, without a terminal it needs --yes before any call, the guard refuses a working agent.
import { describe, expect, it } from 'vitest';
import restartCommand from '../../src/commands/restart.js';
import sleepCommand from '../../src/commands/sleep.js';
import { NotFoundError, RefusedError } from '../../src/core/errors.js';
import { GUARD_STATUS, IN_POD_STATUS_IDLE, IN_POD_STATUS_V2, K } from '../helpers/cluster-fixture.js';
import { FakeRunner } from '../helpers/fake-runner.js';
import { testApp } from '../helpers/test-app.js';

const NOW = new Date('2026-12-03T12:00:00.123Z');
const STATE = ['kubectl', ...K, 'get', 'deployment/demo-rgsd', 'configmap/demo-rgsd-idle', '--ignore-not-found', '-o', 'json'];
const ANNOTATE = ['kubectl', ...K, 'annotate', 'deployment/demo-rgsd', 'rgsd.dev/asleep-since=2026-12-03T12:00:00Z', '--overwrite'];
const SCALE0 = ['kubectl', ...K, 'scale', 'deployment/demo-rgsd', '--replicas=0'];
const GONE = ['kubectl', ...K, 'wait', '--for=delete', 'pod', '-l', 'rgsd.dev/project=demo', '--timeout=300s'];
const list = (replicas: number | null, since?: string) =>
  JSON.stringify({
    kind: 'List',
    items:
      replicas === null
        ? []
        : [
            {
              kind: 'Deployment',
              metadata: { name: 'demo-rgsd', annotations: since ? { 'rgsd.dev/asleep-since': since } : {} },
              spec: { replicas },
            },
          ],
  });

function runner(replicas: number | null, work = IN_POD_STATUS_IDLE): FakeRunner {
  return new FakeRunner()
    .on(STATE, { stdout: list(replicas, replicas === 0 ? '2026-12-03T09:00:00Z' : undefined) })
    .on(GUARD_STATUS, { stdout: work })
    .on(ANNOTATE)
    .on(SCALE0)
    .on(GONE);
}

describe('rgsd sleep', () => {
  it('state, guard, annotate with the time, scale to 0, wait for the pod to go', async () => {
    const t = await testApp({ runner: runner(1), globals: { yes: true }, now: NOW });
    await sleepCommand.run(t.app, { project: 'demo' }, {});
    expect(t.runner.argvs).toEqual([STATE, GUARD_STATUS, ANNOTATE, SCALE0, GONE]);
    expect(t.stderr()).toContain('demo is asleep (0 replicas; the home volume is kept)');
  });

  it('already asleep: says since when, changes nothing (exit 0)', async () => {
    const t = await testApp({ runner: runner(0), globals: { yes: true }, now: NOW });
    await sleepCommand.run(t.app, { project: 'demo' }, {});
    expect(t.runner.argvs).toEqual([STATE]);
    expect(t.stderr()).toContain('demo is already asleep (since 2026-12-03T09:00:00Z)');
  });

  it('not deployed: exit 6 with `rgsd up`', async () => {
    const t = await testApp({ runner: runner(null), globals: { yes: true }, now: NOW });
    const err = await sleepCommand.run(t.app, { project: 'demo' }, {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as NotFoundError).hint).toBe('start it with `rgsd up demo`');
  });

  it('without a terminal and without --yes: refused before any call', async () => {
    const t = await testApp({ runner: runner(1), now: NOW });
    await expect(sleepCommand.run(t.app, { project: 'demo' }, {})).rejects.toBeInstanceOf(RefusedError);
    expect(t.runner.calls).toEqual([]);
  });

  it('a working agent without --discard-work: refused by the guard, nothing scaled', async () => {
    const working = JSON.stringify({
      ...IN_POD_STATUS_V2,
      panes: [{ ...IN_POD_STATUS_V2.panes[0], state: 'working', waitingFor: null, since: 4 }, IN_POD_STATUS_V2.panes[1]],
    });
    const t = await testApp({ runner: runner(1, working), globals: { yes: true }, now: NOW });
    const err = await sleepCommand.run(t.app, { project: 'demo' }, {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RefusedError);
    expect((err as RefusedError).message).toMatch(/^not sleeping demo/);
    expect(t.runner.argvs).toEqual([STATE, GUARD_STATUS]);
  });

  it('restart of a sleeping project (the guard finds no pod): refused with the way to wake it, nothing restarted', async () => {
    const noPod = { exitCode: 1, stderr: 'error: unable to upgrade connection: container not found ("workstation")\n' };
    const r = runner(0).on(GUARD_STATUS, noPod);
    const t = await testApp({ runner: r, globals: { yes: true }, now: NOW });
    const err = await restartCommand.run(t.app, { project: 'demo' }, {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RefusedError);
    expect((err as RefusedError).message).toBe('demo is asleep (0 replicas since 2026-12-03T09:00:00Z): nothing to restart');
    expect((err as RefusedError).hint).toBe('`rgsd up demo` wakes it (or `rgsd connect demo`), then re-run');
    expect(t.runner.argvs).toEqual([GUARD_STATUS, STATE]);
  });
});
