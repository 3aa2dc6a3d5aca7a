// Two projects side by side — `status` lists both, `connect` without a
// project offers a picker (driven through a real terminal) and attaches to the chosen one.
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { diagnoseFailure, podExec, readyPod, waitFor } from './helpers/cluster.js';
import { ConfigDir, rgsd, rgsdOk } from './helpers/rgsd.js';
import { forceRemove, HOME, Sequence } from './helpers/steps.js';
import { Terminal } from './helpers/terminal.js';

const PROJECTS = ['alpha', 'beta'] as const;

describe('two projects side by side', () => {
  const config = new ConfigDir();
  const seq = new Sequence();

  beforeAll(async () => {
    for (const p of PROJECTS) {
      config.writeSettings(p);
      config.writeSecrets(p, { GITHUB_TOKEN: `ghp_e2e${randomBytes(12).toString('hex')}` });
    }
    await forceRemove(config, [...PROJECTS]);
  });
  afterAll(async () => {
    await forceRemove(config, [...PROJECTS]);
    config.remove();
  });
  beforeEach((ctx) => seq.guard(ctx));
  afterEach((ctx) => diagnoseFailure(ctx));

  it('both come up', async () => {
    for (const p of PROJECTS) await rgsdOk(config, ['up', p]);
    const pods = await Promise.all(PROJECTS.map((p) => readyPod(p)));
    expect(new Set(pods.map((p) => p.metadata.name)).size).toBe(2);
  });

  it('status lists both (table and --json)', async () => {
    const json = JSON.parse((await rgsdOk(config, ['status', '--json'])).stdout) as {
      projects: { project: string; pod: { name: string; ready: boolean } | null }[];
    };
    expect(json.projects.map((p) => p.project)).toEqual([...PROJECTS]);
    for (const p of PROJECTS) {
      const pod = await readyPod(p);
      expect(json.projects.find((x) => x.project === p)?.pod).toMatchObject({ name: pod.metadata.name, ready: true });
    }
    const table = (await rgsdOk(config, ['status'])).stdout;
    const rows = table.split('\n').filter((l) => /^(alpha|beta)\b/.test(l.trim()));
    expect(rows.map((r) => r.trim().split(/\s+/)[0])).toEqual([...PROJECTS]);
  });

  it('connect without a project refuses without a terminal, and picks with one', async () => {
    const noTty = await rgsd(config, ['connect']);
    expect(noTty.exitCode).not.toBe(0);
    expect(noTty.stderr).toMatch(/terminal/);

    const marker = `picked-${randomBytes(4).toString('hex')}`;
    const term = new Terminal();
    try {
      await term.start(config, ['connect']);
      const screen = await term.waitForText('Connect to which project?');
      expect(screen).toMatch(/alpha/);
      expect(screen).toMatch(/beta/);
      await term.keys('Down'); // alpha is listed first
      await term.keys('Enter');
      await term.waitForText(/\[main\]/); // the status line of the session inside the pod
      // printed before the attach took over the screen (so only the saved screen still has it)
      expect(await term.transcript()).toContain('attaching to beta (detach: Ctrl-b d)');
      await term.type(`echo ${marker} > ${HOME}/e2e-picked.txt`);
      const beta = await readyPod('beta');
      await waitFor(
        'the file in the picked project',
        async () => (await podExec(beta.metadata.name, `cat ${HOME}/e2e-picked.txt`)).stdout.trim() === marker,
        20_000,
        500,
      );
      await term.keys('C-b', 'd');
      expect(await term.exitStatus()).toBe(0);
    } finally {
      await term.close();
    }
    const alpha = await readyPod('alpha');
    const inAlpha = await podExec(alpha.metadata.name, `test -e ${HOME}/e2e-picked.txt && echo present || echo absent`);
    expect(inAlpha.stdout.trim()).toBe('absent');
  });
});
