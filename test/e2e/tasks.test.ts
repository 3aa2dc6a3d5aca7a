// rgsd run / rgsd tasks on the real local cluster, with the fake agent of the test image as
// `claude` (test/fixtures/fake-agent: its headless mode obeys WRITE/REFUSE/EXIT lines).
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { diagnoseFailure, podExec, readyPod } from './helpers/cluster.js';
import { ConfigDir, rgsd, rgsdOk } from './helpers/rgsd.js';
import { forceRemove, HOME, Sequence } from './helpers/steps.js';

const PROJECT = 'tasks';

interface Task {
  id: string;
  state: string;
  exitCode: number | null;
  refusals: { tool: string }[];
  command: string[];
  window: { name: string } | null;
}

describe('rgsd run and rgsd tasks on a real cluster', () => {
  const config = new ConfigDir();
  const seq = new Sequence();
  let first = '';

  beforeAll(async () => {
    config.writeSettings(PROJECT, { agent: 'claude', autoStart: false, taskPermissions: 'edit' });
    config.writeSecrets(PROJECT, {});
    await forceRemove(config, [PROJECT]);
  });
  afterAll(async () => {
    await forceRemove(config, [PROJECT]);
    config.remove();
  });
  beforeEach((ctx) => seq.guard(ctx));
  afterEach((ctx) => diagnoseFailure(ctx));

  it('1. up', async () => {
    await rgsdOk(config, ['up', PROJECT]);
  });

  it("1b. doctor <project> checks the workstation in one exec: the configured agent, codex's sandbox", async () => {
    const doc = JSON.parse((await rgsdOk(config, ['doctor', PROJECT, '--json'])).stdout) as {
      checks: { name: string; status: string; detail: string }[];
    };
    expect(doc.checks.find((c) => c.name === 'agent')).toMatchObject({
      status: 'ok',
      detail: expect.stringMatching(/^claude is installed/),
    });
    // the test image's codex is the fake agent, whose sandbox runs the command
    expect(doc.checks.find((c) => c.name === 'codex-sandbox')).toMatchObject({ status: 'ok' });
  });

  it('2. run --wait --json: the fake agent writes a file, the task succeeds with the edit flags', async () => {
    const res = await rgsdOk(config, ['run', PROJECT, 'WRITE e2e-task.txt done by a task\nall good', '--wait', '--json'], {
      timeoutMs: 300_000,
    });
    const doc = JSON.parse(res.stdout) as { project: string; task: Task };
    expect(doc.project).toBe(PROJECT);
    expect(doc.task).toMatchObject({ state: 'succeeded', exitCode: 0, refusals: [] });
    expect(doc.task.command).toContain('acceptEdits');
    first = doc.task.id;
    const pod = await readyPod(PROJECT);
    const file = await podExec(pod.metadata.name, `cat ${HOME}/workspace/e2e-task.txt`);
    expect(file.stdout.trim()).toBe('done by a task');
  });

  it('3. a refusal makes the task "refused" and `run --wait` exit 10', async () => {
    const res = await rgsd(config, ['run', PROJECT, 'REFUSE Bash npm test', '--wait'], { timeoutMs: 300_000 });
    expect(res.exitCode, res.stderr).toBe(10);
    expect(res.stdout).toMatch(/finished with 1 refusal: Bash/);
  });

  it('4. tasks lists them; logs shows the output', async () => {
    const list = JSON.parse((await rgsdOk(config, ['tasks', PROJECT, '--json'])).stdout) as { tasks: Task[] };
    expect(list.tasks.map((t) => t.state)).toEqual(['succeeded', 'refused']);
    const logs = await rgsdOk(config, ['tasks', PROJECT, 'logs', first]);
    expect(logs.stdout).toContain('all good');
  });

  it('5. the records survive rgsd restart', async () => {
    await rgsdOk(config, ['restart', PROJECT, '--yes'], { timeoutMs: 600_000 });
    const list = JSON.parse((await rgsdOk(config, ['tasks', PROJECT, '--json'])).stdout) as { tasks: Task[] };
    expect(list.tasks.map((t) => t.id)).toContain(first);
    expect(list.tasks.find((t) => t.id === first)?.state).toBe('succeeded');
  });
});
