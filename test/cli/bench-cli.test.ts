// scripts/bench-cli runs end to end (built CLI, PATH shims) and reports what it promises. The
// startup ratios depend on the machine: their format is checked, never their values.
import { resolve } from 'node:path';
import { execa } from 'execa';
import { expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/test-app.js';

it('bench-cli prints the startup ratios and helm/kubectl calls per command', async () => {
  const r = await execa(resolve(REPO_ROOT, 'scripts', 'bench-cli'), ['3'], { reject: false, env: { BENCH_STRICT: '0' } });
  expect(r.exitCode, r.stderr).toBe(0);
  for (const help of ['--help', 'up --help', 'status --help']) {
    const line = new RegExp(
      `^startup \\(median of 3\\): rgsd ${help} [\\d.]+ ms, node -e 0 [\\d.]+ ms, ratio [\\d.]+x \\(goal <= 1\\.5x: (met|MISSED)\\)$`,
      'm',
    );
    expect(r.stdout).toMatch(line);
  }
  expect(r.stdout).toMatch(/^COMMAND +HELM +KUBECTL +CLUSTER +EXEC +EXIT$/m);
  const row = (cmd: string) => {
    const line = r.stdout.split('\n').find((l) => l.startsWith(cmd.padEnd(28)));
    expect(line, cmd).toBeDefined();
    const [helm, kubectl, cluster, exec, exit] = (line as string).slice(28).trim().split(/\s+/).map(Number);
    return { helm, kubectl, cluster, exec, exit };
  };
  // the budget: status of one project = at most 3 cluster calls + the in-pod query;
  // the current context comes from the kubeconfig (no `kubectl config current-context`)
  expect(row('status demo')).toEqual({ helm: 1, kubectl: 3, cluster: 3, exec: 1, exit: 0 });
  // connect --list: the pods, the in-pod session list (the attach itself is one call: test/cli/connect.test.ts)
  expect(row('connect demo --list')).toEqual({ helm: 0, kubectl: 2, cluster: 1, exec: 1, exit: 0 });
  // without RGSD_BENCH_KUBECONFIG the cluster section does not run
  expect(r.stdout).not.toMatch(/^connect, /m);
  expect(row('up demo --dry-run')).toMatchObject({ cluster: 0, exec: 0, exit: 0 });
  // the plan's early look, the work guard's look (the shim's release has other values: the pod
  // restarts) and the status after the rollout
  expect(row('up demo --yes')).toMatchObject({ exec: 3, exit: 0 });
  expect(row('down demo')).toMatchObject({ exit: 0 });
  for (const cmd of ['status', 'nuke demo --confirm demo', 'logs demo', 'restart demo --yes', 'reset-home demo --yes', 'doctor demo'])
    row(cmd);
});
