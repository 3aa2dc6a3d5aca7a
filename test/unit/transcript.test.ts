// rgsd transcript: one exec whose output streams through; the pod's "no such target" (3)
// becomes exit 6; bad targets and durations are usage errors before any call.
import { describe, expect, it } from 'vitest';
import transcriptCommand from '../../src/commands/transcript.js';
import type { App } from '../../src/core/app.js';
import { ChildExitError, UsageError } from '../../src/core/errors.js';
import { K } from '../helpers/cluster-fixture.js';
import { FakeRunner } from '../helpers/fake-runner.js';
import { testApp } from '../helpers/test-app.js';

const show = (...rest: string[]) => [
  'kubectl',
  ...K,
  'exec',
  'deployment/demo-rgsd',
  '-c',
  'workstation',
  '--pod-running-timeout=10s',
  '--',
  '/opt/rgsd/transcript',
  'show',
  ...rest,
];

function transcript(app: App, project: string, target: string | undefined, opts: { follow?: boolean; since?: string; raw?: boolean } = {}) {
  return transcriptCommand.run(app, { project, target }, opts);
}

describe('rgsd transcript', () => {
  it('one exec with the terminal passed through; target, --since in seconds, --follow, --raw go to the pod', async () => {
    const r = new FakeRunner().on(show('main:1', '--since', '600', '--follow', '--raw'), { exitCode: 0 });
    const t = await testApp({ runner: r });
    await transcript(t.app, 'demo', 'main:1', { since: '10m', follow: true, raw: true });
    expect(t.runner.argvs).toEqual([show('main:1', '--since', '600', '--follow', '--raw')]);
    expect(t.runner.calls[0]?.opts).toMatchObject({ interactive: true, allowFailure: true });
  });

  it('without a target the pod picks the agent window; its "no such target" is exit 6, silently (the pod said why)', async () => {
    const r = new FakeRunner().on(show(), { exitCode: 3 });
    const t = await testApp({ runner: r });
    const err = await transcript(t.app, 'demo', undefined).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChildExitError);
    expect(err).toMatchObject({ exitCode: 6 });
  });

  it('a target that is not a pane, window or task, or a --since that is not a duration: usage error, no call', async () => {
    for (const [target, since] of [
      ['main:x', undefined],
      ['%', undefined],
      ['a b', undefined],
      [undefined, 'yesterday'],
    ] as const) {
      const t = await testApp({ runner: new FakeRunner() });
      await expect(transcript(t.app, 'demo', target, since ? { since } : {})).rejects.toBeInstanceOf(UsageError);
      expect(t.runner.argvs).toEqual([]);
    }
  });
});
