// `rgsd connect` in one call on the real local cluster (issue 9, item 6): with `-v` every
// helm/kubectl call is echoed (`$ kubectl …`), so the terminal shows that the happy path is
// exactly one — `kubectl exec -it deployment/<fullname> -c workstation --pod-running-timeout=5s
// -- /opt/rgsd/attach …` — and that the session inside the pod shows (its status line). A
// project whose pod cannot be scheduled (a nodeSelector no node matches) is diagnosed after
// that one call failed: its phase and the scheduler's reason, then nothing else.
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { diagnoseFailure, livePods, podExec, readyPod, waitFor } from './helpers/cluster.js';
import { ConfigDir, rgsd, rgsdOk } from './helpers/rgsd.js';
import { forceRemove, HOME, namesOf, Sequence } from './helpers/steps.js';
import { Terminal } from './helpers/terminal.js';

const READY = 'onecall';
const PENDING = 'nowhere';
/** The verbose echo of a helm/kubectl call (the runner prints `$ <argv>` before each). */
const CALL_LINE = /^\$ (kubectl|helm) .*$/gm;

/** The distinct helm/kubectl calls a terminal showed (its saved screen and its scrollback may
 * both hold a line printed before the attach took over). A call longer than the terminal is
 * 160 wide wraps: its first line stands for it. */
function callsShown(transcript: string): string[] {
  return [...new Set(transcript.match(CALL_LINE) ?? [])];
}

const ONE_CALL = (project: string) =>
  `$ kubectl --context rgsd-local -n rgsd exec -it deployment/${namesOf(project).deployment} -c workstation --pod-running-timeout=5s -- /opt/rgsd/attach`;

describe('connect in one call (real cluster)', () => {
  const config = new ConfigDir();
  const seq = new Sequence();

  beforeAll(async () => {
    config.writeSettings(READY);
    config.writeSecrets(READY, { GITHUB_TOKEN: `ghp_e2e${randomBytes(12).toString('hex')}` });
    // no node carries this label: the pod stays Pending (PodScheduled=False, Unschedulable)
    config.writeSettings(PENDING, { values: { nodeSelector: { 'rgsd.dev/e2e-no-such-node': 'true' } } });
    config.writeSecrets(PENDING, { GITHUB_TOKEN: `ghp_e2e${randomBytes(12).toString('hex')}` });
    await forceRemove(config, [READY, PENDING]); // leftovers of an aborted earlier run
  });
  afterAll(async () => {
    await forceRemove(config, [READY, PENDING]);
    config.remove();
  });
  beforeEach((ctx) => seq.guard(ctx));
  afterEach((ctx) => diagnoseFailure(ctx));

  it('1. up: the project to connect to is ready', async () => {
    await rgsdOk(config, ['up', READY]);
    await readyPod(READY);
  });

  it('2. `rgsd -v connect`: exactly one kubectl call (exec -it deployment/… /opt/rgsd/attach), the session shows, detach is 0', async () => {
    const marker = `one-call-${randomBytes(4).toString('hex')}`;
    const term = new Terminal();
    try {
      await term.start(config, ['-v', 'connect', READY]);
      await term.waitForText(/\[main\]/); // the status line of the session inside the pod
      await term.type(`echo ${marker} > ${HOME}/e2e-one-call.txt`);
      const pod = await readyPod(READY);
      await waitFor(
        'the typed command to write its file',
        async () => (await podExec(pod.metadata.name, `cat ${HOME}/e2e-one-call.txt`)).stdout.trim() === marker,
        20_000,
        500,
      );
      await term.keys('C-b', 'd');
      expect(await term.exitStatus()).toBe(0);
      const calls = callsShown(await term.transcript());
      expect(calls).toHaveLength(1);
      // the terminal type and size go along (kubectl exec passes neither TERM nor, at first, the size)
      // (the line may wrap at the terminal's 160 columns: its first line is what is compared)
      expect(calls[0], calls[0]).toMatch(new RegExp(`^${regexQuote(ONE_CALL(READY))} --term \\S+ --size`));
    } finally {
      await term.close();
    }
  });

  it('3. a named session that does not run: attach says so in the pod (its own exit code), rgsd exits 6 with the --new hint', async () => {
    const term = new Terminal();
    try {
      await term.start(config, ['-v', 'connect', READY, 'no-such-session']);
      expect(await term.exitStatus()).toBe(6);
      const shown = await term.transcript();
      expect(shown).toContain('rgsd attach: no tmux session "no-such-session" (sessions: main)');
      expect(shown).toContain(`hint: create it with \`rgsd connect ${READY} --new no-such-session\``);
      expect(callsShown(shown)).toHaveLength(1);
    } finally {
      await term.close();
    }
  });

  it('4. a Pending pod (nodeSelector matches no node): the one call fails, one pod list says why', async () => {
    const up = await rgsd(config, ['up', PENDING, '--timeout', '20s']);
    expect(up.exitCode, up.stderr).toBe(8); // the rollout never finishes
    await waitFor(`a Pending pod of ${PENDING}`, async () => (await livePods(PENDING)).some((p) => p.status.phase === 'Pending'), 60_000);
    const term = new Terminal();
    try {
      await term.start(config, ['-v', 'connect', PENDING]);
      expect(await term.exitStatus(60_000)).toBe(1);
      const shown = await term.transcript();
      expect(shown).toMatch(new RegExp(`rgsd: the workstation pod of ${PENDING} is Pending \\(Unschedulable: [^)]*node`));
      expect(shown).toContain(`hint: run \`rgsd up ${PENDING}\` to (re)deploy it`);
      const calls = callsShown(shown);
      expect(calls).toHaveLength(2);
      expect(calls[0]?.startsWith(ONE_CALL(PENDING))).toBe(true);
      expect(calls[1]).toBe(`$ kubectl --context rgsd-local -n rgsd get pods -l rgsd.dev/project=${PENDING} -o json`);
    } finally {
      await term.close();
    }
  });
});

function regexQuote(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\$]/g, '\\$&');
}
