// Up from nothing, down keeps the home, and nuke, with
// Helm 3 and with Helm 4, chosen through RGSD_HELM.
import { randomBytes } from 'node:crypto';
import { execa } from 'execa';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { diagnoseFailure, podExec, readyPod } from './helpers/cluster.js';
import { ConfigDir } from './helpers/rgsd.js';
import { downKeepsHome, forceRemove, HOME, nukeEverything, Sequence, upFromNothing } from './helpers/steps.js';

describe.each([
  { helm: 'helm3', major: 3 },
  { helm: 'helm4', major: 4 },
] as const)('up, down keeps the home, nuke with $helm', ({ helm, major }) => {
  const project = `e2e-helm${major}`;
  const config = new ConfigDir();
  const seq = new Sequence();
  const token = `ghp_e2e${randomBytes(12).toString('hex')}`;
  const file = { path: `${HOME}/e2e-helm.txt`, content: `kept-across-down-${major}` };

  beforeAll(async () => {
    const version = String((await execa(helm, ['version', '--template', '{{.Version}}'], { stdin: 'ignore' })).stdout);
    expect(version).toMatch(new RegExp(`^v${major}\\.`));
    config.writeSettings(project);
    config.writeSecrets(project, { GITHUB_TOKEN: token });
    await forceRemove(config, [project]);
  });
  afterAll(async () => {
    await forceRemove(config, [project]);
    config.remove();
  });
  beforeEach((ctx) => seq.guard(ctx));
  afterEach((ctx) => diagnoseFailure(ctx));

  it('1. up from nothing', async () => {
    const { output } = await upFromNothing(config, project, token, helm);
    expect(output).toContain(`(Helm ${major})`);
  });

  it('6. down keeps the home, up reattaches it', async () => {
    const pod = await readyPod(project);
    await podExec(pod.metadata.name, `echo ${file.content} > ${file.path}`);
    await downKeepsHome(config, project, helm, file);
  });

  it('8. nuke', async () => {
    await nukeEverything(config, project, helm);
  });
});
