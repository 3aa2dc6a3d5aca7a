// `rgsd push` and `rgsd pull` on the real local cluster (issue 11, item 1): a fake laptop
// ~/.claude (HOME pointed at a temp dir) pushed into the pod's home and found there with its
// modes, its login left out; a file of the pod pulled back byte-identical with its mode; an
// existing local file refused; a missing remote path a NotFound (exit 6). (The e2e files
// share no deployed project: this one deploys its own.)
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { diagnoseFailure, podExec, readyPod } from './helpers/cluster.js';
import { ConfigDir, RGSD_BIN, rgsdEnv, rgsdOk } from './helpers/rgsd.js';
import { forceRemove, HOME, Sequence } from './helpers/steps.js';

const PROJECT = 'pushes';

/** `rgsd <args>` with HOME = `home` and the current directory `cwd`; never throws. */
async function rgsdAt(config: ConfigDir, home: string, cwd: string, args: string[]) {
  const res = await execa(process.execPath, [RGSD_BIN, ...args], {
    cwd,
    env: { ...rgsdEnv(config), HOME: home },
    stdin: 'ignore',
    reject: false,
    timeout: 300_000,
  });
  return { exitCode: res.exitCode ?? -1, stdout: String(res.stdout), stderr: String(res.stderr) };
}

function put(root: string, rel: string, content: string | Buffer, mode = 0o644): void {
  mkdirSync(join(root, rel, '..'), { recursive: true });
  writeFileSync(join(root, rel), content);
  chmodSync(join(root, rel), mode);
}

describe('rgsd push and rgsd pull (real cluster)', () => {
  const config = new ConfigDir();
  const seq = new Sequence();
  const laptop = mkdtempSync(join(tmpdir(), 'rgsd-e2e-laptop-'));
  const here = mkdtempSync(join(tmpdir(), 'rgsd-e2e-pull-'));
  const tag = randomBytes(6).toString('hex');

  beforeAll(async () => {
    config.writeSettings(PROJECT);
    config.writeSecrets(PROJECT, { GITHUB_TOKEN: `ghp_e2e${randomBytes(12).toString('hex')}` });
    await forceRemove(config, [PROJECT]); // leftovers of an aborted earlier run
    put(laptop, `.claude/skills/e2e-${tag}/SKILL.md`, `# skill ${tag}\n`);
    put(laptop, '.claude/hooks/e2e-hook.sh', '#!/bin/sh\nexit 0\n', 0o755);
    put(laptop, '.claude/.credentials.json', `{"claudeAiOauth":{"accessToken":"not-a-token-${tag}"}}`, 0o600);
    put(laptop, '.claude/projects/-x/session.jsonl', '{}\n');
  });
  afterAll(async () => {
    await forceRemove(config, [PROJECT]);
    config.remove();
    rmSync(laptop, { recursive: true, force: true });
    rmSync(here, { recursive: true, force: true });
  });
  beforeEach((ctx) => seq.guard(ctx));
  afterEach((ctx) => diagnoseFailure(ctx));

  it('1. up', async () => {
    await rgsdOk(config, ['up', PROJECT]);
    await readyPod(PROJECT);
  });

  it('2. push --claude --yes: the fake ~/.claude is in the pod home, modes kept, the login and state left out', async () => {
    const res = await rgsdAt(config, laptop, here, ['push', PROJECT, '--claude', '--yes']);
    expect(res.exitCode, res.stderr).toBe(0);
    expect(res.stdout).toContain('~/.claude/.credentials.json (a login)');
    expect(`${res.stdout}${res.stderr}`).not.toContain(`not-a-token-${tag}`);
    const pod = await readyPod(PROJECT);
    const found = await podExec(
      pod.metadata.name,
      `cat ~/.claude/skills/e2e-${tag}/SKILL.md; stat -c '%a' ~/.claude/hooks/e2e-hook.sh; ` +
        `[ -e ~/.claude/projects/-x ] && echo state-copied; grep -l not-a-token-${tag} ~/.claude/.credentials.json 2>/dev/null || echo no-login; ls -a ~ | grep -c '^.rgsd-push-' || true`,
    );
    expect(found.exitCode, found.stderr).toBe(0);
    expect(found.stdout.split('\n')).toEqual([`# skill ${tag}`, '755', 'no-login', '0']);
  });

  it('3. pull: a file of the pod back byte-identical with its mode; again refused (exit 7); a missing path exit 6', async () => {
    const pod = await readyPod(PROJECT);
    const made = await podExec(
      pod.metadata.name,
      `mkdir -p ~/workspace/e2e && head -c 100000 /dev/urandom > ~/workspace/e2e/blob-${tag} && chmod 640 ~/workspace/e2e/blob-${tag} && sha256sum ~/workspace/e2e/blob-${tag}`,
    );
    expect(made.exitCode, made.stderr).toBe(0);
    const podSha = made.stdout.split(' ')[0];
    const res = await rgsdAt(config, laptop, here, ['pull', PROJECT, `workspace/e2e/blob-${tag}`, '--json']);
    expect(res.exitCode, res.stderr).toBe(0);
    expect(JSON.parse(res.stdout)).toMatchObject({ schemaVersion: 1, remote: `~/workspace/e2e/blob-${tag}`, type: 'file', bytes: 100000 });
    const { createHash } = await import('node:crypto');
    const local = join(here, `blob-${tag}`);
    expect(createHash('sha256').update(readFileSync(local)).digest('hex')).toBe(podSha);
    expect(statSync(local).mode & 0o777).toBe(0o640);
    const again = await rgsdAt(config, laptop, here, ['pull', PROJECT, `${HOME}/workspace/e2e/blob-${tag}`]);
    expect(again.exitCode, again.stderr).toBe(7);
    const missing = await rgsdAt(config, laptop, here, ['pull', PROJECT, `workspace/none-${tag}`]);
    expect(missing.exitCode, missing.stderr).toBe(6);
  });

  it('4. pull a pushed folder back: the same files', async () => {
    const res = await rgsdAt(config, laptop, here, ['pull', PROJECT, '.claude/skills', 'skills-back']);
    expect(res.exitCode, res.stderr).toBe(0);
    expect(readFileSync(join(here, 'skills-back', `e2e-${tag}`, 'SKILL.md'), 'utf8')).toBe(`# skill ${tag}\n`);
  });
});
