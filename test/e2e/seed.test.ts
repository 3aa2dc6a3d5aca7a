// The seed's features (issue 11, item 4) checked in a real pod on the local cluster: the
// Kimchi / AI Enabler token as GSD's "aie" api_key entry in ~/.gsd/agent/auth.json (0600),
// the preferences in ~/.gsd/PREFERENCES.md, git's defaults from /etc/gitconfig, `git init` of
// the empty workspace when no repository is configured, the tmux options, up's post-deploy
// checks as lines of output, the aliases, and `connect --new` starting in the workspace.
// (The e2e files share no deployed project: this one deploys its own.)
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { diagnoseFailure, kubectl, NAMESPACE, podExec, readyPod, REPO_ROOT } from './helpers/cluster.js';
import { ConfigDir, rgsd, rgsdOk } from './helpers/rgsd.js';
import { forceRemove, HOME, Sequence } from './helpers/steps.js';
import { Terminal } from './helpers/terminal.js';

const PROJECT = 'seeded';

describe('the seed features in the pod (real cluster)', () => {
  const config = new ConfigDir();
  const seq = new Sequence();
  const kimchi = `kimchi-e2e-${randomBytes(12).toString('hex')}`;
  const models = join(config.dir, 'models.json');
  const preferences = join(config.dir, 'preferences.md');
  const prefTag = `prefs-${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    writeFileSync(
      models,
      JSON.stringify({ providers: { aie: { baseUrl: 'http://127.0.0.1:9/v1', api: 'openai-completions', models: [] } } }),
      { mode: 0o600 },
    );
    writeFileSync(preferences, `---\nversion: 1\n---\n# ${prefTag}\n`, { mode: 0o600 });
    config.writeSettings(PROJECT, { rbac: 'namespace', files: { models, preferences } });
    config.writeSecrets(PROJECT, { GITHUB_TOKEN: `ghp_e2e${randomBytes(12).toString('hex')}`, KIMCHI_API_KEY: kimchi });
    await forceRemove(config, [PROJECT]); // leftovers of an aborted earlier run
  });
  afterAll(async () => {
    await forceRemove(config, [PROJECT]);
    config.remove();
  });
  beforeEach((ctx) => seq.guard(ctx));
  afterEach((ctx) => diagnoseFailure(ctx));

  it('1. `install` (the alias of up): the post-deploy checks as lines, the token in no output', async () => {
    const res = await rgsdOk(config, ['install', PROJECT]);
    const shown = `${res.stdout}\n${res.stderr}`;
    expect(shown).toContain('models.json valid in the pod');
    // the minimal e2e image has no kubectl (the build cannot download it here): the check says so
    expect(shown).toContain("the pod's kubectl does not reach the API server: kubectl is not installed in the image");
    expect(shown).not.toContain(kimchi);
    await readyPod(PROJECT);
  });

  it("2. with a kubectl in the pod, the next up's check runs it; up --json carries the checks", async () => {
    const pod = await readyPod(PROJECT);
    const copied = await kubectl([
      '-n',
      NAMESPACE,
      'cp',
      '-c',
      'workstation',
      join(REPO_ROOT, '.tools', 'bin', 'kubectl'),
      `${pod.metadata.name}:${HOME}/.local/bin/kubectl`,
    ]);
    expect(copied.exitCode, copied.stderr).toBe(0);
    expect((await podExec(pod.metadata.name, `chmod 755 ${HOME}/.local/bin/kubectl && echo ok`)).stdout).toBe('ok');
    const res = await rgsdOk(config, ['up', PROJECT, '--json']);
    const doc = JSON.parse(res.stdout) as { checks: { check: string; ok: boolean; message: string }[] };
    expect(doc.checks.map((c) => c.check)).toEqual(['models', 'kubectl']);
    expect(doc.checks[0]).toEqual({ check: 'models', ok: true, message: 'models.json valid in the pod' });
    // The local cluster runs no service proxy (kube-router only enforces NetworkPolicy), so the
    // pod's in-cluster address of the API server (the kubernetes Service's ClusterIP) is not
    // routed: the check ran the pod's kubectl and reports what kubectl said, as a warning.
    const k = doc.checks[1];
    expect(k?.message).toMatch(/^the pod's kubectl (reaches the API server \(may get pods\)|does not reach the API server: .+)$/);
    expect(k?.message).not.toContain('not installed');
    expect(k?.ok).toBe(k?.message.startsWith("the pod's kubectl reaches"));
    expect((await readyPod(PROJECT)).metadata.uid).toBe(pod.metadata.uid); // nothing changed: no restart
  });

  it('3. auth.json holds the "aie" api_key entry (0600), the preferences are in PREFERENCES.md only', async () => {
    const pod = await readyPod(PROJECT);
    const res = await podExec(
      pod.metadata.name,
      `cd ${HOME}/.gsd && stat -c %a agent/auth.json && jq -r '.aie.type' agent/auth.json && ` +
        `jq -r '.aie.key' agent/auth.json | sha256sum | cut -c1-64 && grep -c '${prefTag}' PREFERENCES.md && ` +
        `{ [ -e preferences.md ] && echo legacy-left || echo no-legacy; }`,
    );
    expect(res.exitCode, res.stderr).toBe(0);
    const { createHash } = await import('node:crypto');
    expect(res.stdout.split('\n')).toEqual(['600', 'api_key', createHash('sha256').update(`${kimchi}\n`).digest('hex'), '1', 'no-legacy']);
  });

  it("4. git's defaults; the empty workspace is a repository on main; the tmux options", async () => {
    const pod = await readyPod(PROJECT);
    const res = await podExec(
      pod.metadata.name,
      'for k in safe.directory init.defaultBranch pull.rebase push.autoSetupRemote core.editor; do git config --get "$k"; done; ' +
        `git -C ${HOME}/workspace symbolic-ref --short HEAD; git -C ${HOME}/workspace rev-parse --is-inside-work-tree; ` +
        'tmux show-options -gv assume-paste-time; tmux show-options -sv extended-keys; tmux show-options -gwv mode-keys',
    );
    expect(res.exitCode, res.stderr).toBe(0);
    expect(res.stdout.split('\n')).toEqual(['*', 'main', 'true', 'true', 'vim', 'main', 'true', '0', 'on', 'vi']);
  });

  it('5. `attach --new e2e-new` (the alias of connect): the new session starts in the workspace', async () => {
    const term = new Terminal();
    try {
      await term.start(config, ['attach', PROJECT, '--new', 'e2e-new']);
      await term.waitForText(/\[e2e-new\]/); // the status line of the new session
      await term.keys('C-b', 'd');
      expect(await term.exitStatus()).toBe(0);
    } finally {
      await term.close();
    }
    const pod = await readyPod(PROJECT);
    const where = await podExec(pod.metadata.name, "tmux display-message -p -t e2e-new: '#{pane_current_path}'");
    expect(where.stdout).toBe(`${HOME}/workspace`);
  });

  it('6. `destroy` (the alias of nuke) without a terminal or --confirm refuses and changes nothing', async () => {
    const res = await rgsd(config, ['destroy', PROJECT]);
    expect(res.exitCode, res.stderr).toBe(7);
    expect(res.stderr).toMatch(/--confirm/);
    await readyPod(PROJECT);
  });
});
