// `rgsd exec` and `rgsd shell` on the real local cluster (issue 11, item 3): the remote
// command's status is rgsd's, stdout passes through byte-exact, stdin round-trips with -i,
// --workdir runs in a directory; `rgsd shell` refuses without a terminal and, on one, opens a
// login shell in the workspace; a project that is not deployed is a NotFound (exit 6) with
// the `rgsd up` hint. (The e2e files share no deployed project: this one deploys its own.)
import { randomBytes } from 'node:crypto';
import { execa } from 'execa';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { REPO_ROOT, diagnoseFailure, readyPod } from './helpers/cluster.js';
import { ConfigDir, RGSD_BIN, rgsd, rgsdEnv, rgsdOk } from './helpers/rgsd.js';
import { forceRemove, HOME, Sequence } from './helpers/steps.js';
import { Terminal } from './helpers/terminal.js';

const PROJECT = 'execs';
const MISSING = 'execs-none';

/** `rgsd <args>` with `input` on stdin and the output kept as bytes (no newline stripped). */
async function rgsdBytes(config: ConfigDir, args: string[], input?: Buffer) {
  const res = await execa(process.execPath, [RGSD_BIN, ...args], {
    cwd: REPO_ROOT,
    env: rgsdEnv(config),
    ...(input === undefined ? { stdin: 'ignore' as const } : { input }),
    encoding: 'buffer',
    stripFinalNewline: false,
    reject: false,
    timeout: 120_000,
  });
  return {
    exitCode: res.exitCode ?? -1,
    stdout: Buffer.from(res.stdout as Uint8Array),
    stderr: Buffer.from(res.stderr as Uint8Array).toString('utf8'),
  };
}

describe('rgsd exec and rgsd shell (real cluster)', () => {
  const config = new ConfigDir();
  const seq = new Sequence();

  beforeAll(async () => {
    config.writeSettings(PROJECT);
    config.writeSecrets(PROJECT, { GITHUB_TOKEN: `ghp_e2e${randomBytes(12).toString('hex')}` });
    await forceRemove(config, [PROJECT]); // leftovers of an aborted earlier run
  });
  afterAll(async () => {
    await forceRemove(config, [PROJECT]);
    config.remove();
  });
  beforeEach((ctx) => seq.guard(ctx));
  afterEach((ctx) => diagnoseFailure(ctx));

  it('1. up', async () => {
    await rgsdOk(config, ['up', PROJECT]);
    await readyPod(PROJECT);
  });

  it("2. exec -- sh -c 'exit 7': rgsd exits 7, the command's stderr passes through", async () => {
    const res = await rgsdBytes(config, ['exec', PROJECT, '--', 'sh', '-c', 'echo to-stderr >&2; exit 7']);
    expect(res.exitCode, res.stderr).toBe(7);
    expect(res.stderr).toContain('to-stderr\n');
    expect(res.stderr).not.toMatch(/^rgsd: /m);
  });

  it('3. stdout passes through byte-exact (NUL, 0xff, no final newline; arguments with spaces stay one word)', async () => {
    const res = await rgsdBytes(config, ['exec', PROJECT, '--', 'printf', 'a\\000b\\377%s', 'two  words']);
    expect(res.exitCode, res.stderr).toBe(0);
    expect(res.stdout).toEqual(Buffer.concat([Buffer.from([0x61, 0x00, 0x62, 0xff]), Buffer.from('two  words')]));
  });

  it('4. exec -i -- cat: piped stdin round-trips', async () => {
    const input = Buffer.concat([Buffer.from('line 1\nline 2\n'), randomBytes(64 * 1024)]);
    const res = await rgsdBytes(config, ['exec', PROJECT, '-i', '--', 'cat'], input);
    expect(res.exitCode, res.stderr).toBe(0);
    expect(res.stdout.equals(input)).toBe(true);
  });

  it('5. --workdir runs the command there; by default it runs in the home', async () => {
    const there = await rgsdBytes(config, ['exec', PROJECT, '--workdir', `${HOME}/workspace`, '--', 'pwd']);
    expect(there.stdout.toString('utf8'), there.stderr).toBe(`${HOME}/workspace\n`);
    const home = await rgsdBytes(config, ['exec', PROJECT, '--', 'pwd']);
    expect(home.stdout.toString('utf8'), home.stderr).toBe(`${HOME}\n`);
  });

  it('6. shell without a terminal: exit 2, the hint names rgsd exec, no kubectl call', async () => {
    const res = await rgsd(config, ['-v', 'shell', PROJECT]);
    expect(res.exitCode).toBe(2);
    expect(res.stderr).toMatch(/^rgsd: rgsd shell needs a terminal/m);
    expect(res.stderr).toMatch(/^hint: .*rgsd exec/m);
    expect(res.stderr).not.toMatch(/^\$ kubectl/m);
  });

  it("7. shell on a terminal: a login shell in the workspace; its exit status is rgsd's", async () => {
    const term = new Terminal();
    try {
      await term.start(config, ['shell', PROJECT]);
      await term.type('echo "WHERE=$(pwd)"');
      await term.waitForText(`WHERE=${HOME}/workspace`);
      await term.type('exit 3');
      expect(await term.exitStatus()).toBe(3);
    } finally {
      await term.close();
    }
  });

  it('8. a project that is not deployed: exit 6 with the `rgsd up` hint', async () => {
    const res = await rgsd(config, ['exec', MISSING, '--', 'true'], { timeoutMs: 120_000 });
    expect(res.exitCode, res.stderr).toBe(6);
    expect(res.stderr).toContain(`hint: \`rgsd status ${MISSING}\` shows it; \`rgsd up ${MISSING}\` starts it`);
  });
});
