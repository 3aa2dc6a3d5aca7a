// Across every command this core implements: no secret value (raw, base64, or a line of a
// secret file) appears in any helm/kubectl argv, in stdout or in stderr.
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import downCommand from '../../src/commands/down.js';
import statusCommand from '../../src/commands/status.js';
import upCommand from '../../src/commands/up.js';
import { FakeRunner } from '../helpers/fake-runner.js';
import { testApp, type TestApp } from '../helpers/test-app.js';
import { SECRET_KEY, SECRET_TOKEN, writeProject } from '../helpers/project-fixture.js';
import { CHART, GUARD_STATUS, IN_POD_STATUS, IN_POD_STATUS_IDLE, argv, release, upRunner } from '../helpers/cluster-fixture.js';

const FILE_SECRET = 'sk-models-file-0123456789-SECRET';
const SECRETS = [
  SECRET_TOKEN,
  SECRET_KEY,
  FILE_SECRET,
  Buffer.from(SECRET_TOKEN).toString('base64'),
  Buffer.from(SECRET_KEY).toString('base64'),
];

function check(t: TestApp): void {
  expect(t.runner.calls.length).toBeGreaterThan(0);
  for (const c of t.runner.calls) for (const s of SECRETS) expect(c.argv.join(' ')).not.toContain(s);
  for (const s of SECRETS) {
    expect(t.stdout()).not.toContain(s);
    expect(t.stderr()).not.toContain(s);
  }
}

async function project(runner: FakeRunner, globals = {}): Promise<TestApp> {
  const t = await testApp({ runner, globals: { verbose: true, ...globals } });
  writeProject(t.configDir, 'demo', { settings: 'files: {models: m.json}\n', files: { 'm.json': `{"apiKey":"${FILE_SECRET}"}` } });
  chmodSync(join(t.configDir, 'projects', 'm.json'), 0o600); // secret-bearing files are private, like the env file
  return t;
}

describe('no secret in any argv or output', () => {
  it('up (install)', async () => {
    const t = await project(upRunner({ nsExists: false }));
    await upCommand.run(t.app, { project: 'demo' }, {});
    check(t);
    // ... while the Secret on stdin does carry them, and no other stdin does
    expect(t.runner.find(...argv.applySecret)[0]?.stdin).toContain(Buffer.from(SECRET_TOKEN).toString('base64'));
    for (const c of t.runner.calls.filter((c) => c.argv !== argv.applySecret && !c.opts.secretStdin)) {
      for (const s of SECRETS) expect(c.stdin ?? '').not.toContain(s);
    }
  });
  it('up (recovering a pending release, with a restart)', async () => {
    const t = await project(upRunner({ releases: [release('pending-upgrade')], prevValues: { project: 'demo' } }), { yes: true });
    await upCommand.run(t.app, { project: 'demo' }, {});
    expect(t.runner.argvs).toContainEqual(argv.rollback);
    check(t);
  });
  it('up --dry-run', async () => {
    const runner = new FakeRunner()
      .on(argv.helmVersion, { stdout: 'v3.18.0' })
      .on(argv.currentContext, { stdout: 'ctx' })
      .on(['helm', 'template', 'demo', CHART, '-n', 'rgsd', '-f', '-'], { stdout: 'kind: Deployment\n' });
    const t = await project(runner, { dryRun: true });
    await upCommand.run(t.app, { project: 'demo' }, {});
    check(t);
    expect(t.stdout()).toContain('<masked:');
  });
  it('down', async () => {
    const runner = new FakeRunner()
      .on(argv.currentContext, { stdout: 'ctx' })
      .on(argv.helmList('demo'), { stdout: JSON.stringify([release('deployed')]) })
      .on(GUARD_STATUS, { stdout: IN_POD_STATUS_IDLE })
      .on(argv.uninstall)
      .on(argv.deleteSecret, { stdout: 'secret/demo-rgsd-secrets' })
      .on(argv.getPvc, { stdout: JSON.stringify({ metadata: { name: 'demo-rgsd-home' }, status: { phase: 'Bound' } }) });
    const t = await project(runner);
    await downCommand.run(t.app, { project: 'demo' }, {});
    check(t);
  });
  it('status --json', async () => {
    const runner = new FakeRunner()
      .on(argv.currentContext, { stdout: 'ctx' })
      .on(argv.helmList('demo'), { stdout: '[]' })
      .on(argv.getObjects(), { stdout: '{"items":[]}' })
      .on(argv.getSecrets(), { stdout: '' })
      .on(argv.execStatus(), { stdout: IN_POD_STATUS });
    const t = await project(runner, { json: true });
    await statusCommand.run(t.app, { project: 'demo' }, {});
    check(t);
  });
});
