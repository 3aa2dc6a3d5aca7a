// rgsd run / rgsd tasks through the BUILT CLI: bad input exits 2 (a secret in the task 7) with
// one line and a hint, before any cluster call (the kubeconfig points nowhere).
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { SECRET_TOKEN, writeProject } from '../helpers/project-fixture.js';
import { REPO_ROOT, tempDir } from '../helpers/test-app.js';

const BIN = resolve(REPO_ROOT, 'bin', 'rgsd');

beforeAll(() => {
  if (!existsSync(resolve(REPO_ROOT, 'dist', 'main.js'))) throw new Error('dist/main.js missing: run `npm run build`');
});

function rgsd(args: string[], input = '') {
  const configDir = tempDir();
  writeProject(configDir, 'demo', { settings: 'agent: claude\n' });
  return execa(process.execPath, [BIN, ...args], {
    reject: false,
    input,
    env: { PATH: process.env.PATH ?? '', HOME: configDir, RGSD_CONFIG_DIR: configDir, KUBECONFIG: join(tempDir(), 'none') },
    extendEnv: false,
    timeout: 30_000,
  });
}

describe('rgsd run / tasks: bad input', () => {
  it.each([
    [['run', 'demo'], '', 2, /the task is empty/],
    [['run', 'demo', 'x', '--permissions', 'root'], '', 2, /root/],
    [['run', 'demo', 'x', '--agent', 'gsd'], '', 2, /cannot be kept by gsd/],
    [['run', 'demo', 'x', '--timeout', '5s'], '', 2, /--timeout "5s"/],
    [['run', 'demo', `push with ${SECRET_TOKEN}`], '', 7, /contains the value of secret GITHUB_TOKEN/],
    [['run', 'demo'], `push with ${SECRET_TOKEN}\n`, 7, /contains the value of secret GITHUB_TOKEN/],
    [['tasks', 'demo', 'kill', 't20261203-061500-ab12'], '', 2, /"kill" is not something rgsd tasks does/],
    [['tasks', 'stop'], '', 2, /needs a task id/],
    [['tasks', 'demo', 'logs', 't20261203-061500-ab12', '--json'], '', 2, /prints the log, not JSON/],
  ])('rgsd %j', async (args, input, code, message) => {
    const r = await rgsd(args, input);
    expect(r.exitCode, r.stderr).toBe(code);
    const lines = r.stderr.trim().split('\n');
    expect(lines.filter((l) => l.startsWith('rgsd:'))).toHaveLength(1);
    expect(lines.find((l) => l.startsWith('rgsd:'))).toMatch(message);
    expect(lines.some((l) => l.startsWith('hint:'))).toBe(true);
    expect(r.stderr).not.toContain(SECRET_TOKEN);
    expect(r.stdout).toBe('');
  });

  it('--help documents both', async () => {
    const run = await rgsd(['run', '--help']);
    expect(run.stdout).toContain('--permissions <preset>');
    expect(run.stdout).toMatch(/choices: read-only, edit,\s+full/);
    const tasks = await rgsd(['tasks', '--help']);
    expect(tasks.stdout).toContain('list, show, logs, stop, wait');
  });
});
