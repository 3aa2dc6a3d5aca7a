// `rgsd up --dry-run` against the REAL chart with the REAL helm 3 and helm 4 binaries
// (no cluster needed): the existing-secret mode and the checksum reach the pod template,
// and no secret value reaches stdout, stderr or any argv.
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { resolveProject } from '../../src/cli/open.js';
import upCommand from '../../src/commands/up.js';
import { ExecaRunner, type RunOptions, type RunResult, type Runner } from '../../src/core/runner.js';
import { secretChecksum } from '../../src/core/secrets.js';
import { checkLocal } from '../../src/ops/up.js';
import { SECRET_KEY, SECRET_TOKEN, writeProject } from '../helpers/project-fixture.js';
import { testApp } from '../helpers/test-app.js';

class RecordingRunner implements Runner {
  readonly argvs: string[][] = [];
  readonly #inner = new ExecaRunner();
  run(cmd: string, args: readonly string[], opts?: RunOptions): Promise<RunResult> {
    this.argvs.push([cmd, ...args]);
    return this.#inner.run(cmd, args, opts);
  }
}

describe.each(['helm3', 'helm4'])('rgsd up --dry-run with the real chart (%s)', (helm) => {
  it('renders the chart in existing-secret mode with the CLI checksum, secrets masked', async () => {
    const runner = new RecordingRunner();
    const t = await testApp({
      realRunner: runner,
      globals: { context: 'kind-test', dryRun: true },
      env: { RGSD_HELM: helm, PATH: process.env.PATH },
    });
    writeProject(t.configDir, 'demo', {
      settings: 'repo: https://github.com/org/repo.git\nfiles: {models: models.json}\nstorage: {size: 30Gi}\n',
      files: { 'models.json': '{"providers":{"x":{"apiKey":"models-file-secret-123"}}}' },
    });
    await upCommand.run(t.app, { project: 'demo' }, {});
    // only local helm calls: version + template; nothing that changes a cluster
    expect(runner.argvs.map((a) => a.slice(0, 2).join(' '))).toEqual([`${helm} version`, `${helm} template`]);
    expect(t.stderr()).toContain('dry run: nothing was changed');
    const checks = await checkLocal(t.app, await resolveProject(t.app, 'demo', { command: 'up', requireSettings: true }));
    expect(checks.helm.major).toBe(helm === 'helm3' ? 3 : 4);

    // the parts of a Deployment and a PVC spec this test reads
    type Spec = {
      template: { metadata: { annotations: Record<string, string> }; spec: { volumes: unknown } };
      resources: { requests: { storage: string } };
    };
    const docs = parseAllDocuments(t.stdout()).map(
      (d) => d.toJS() as { kind?: string; metadata?: { name?: string }; data?: Record<string, string>; spec?: Spec },
    );
    const byKind = (k: string) => docs.filter((d) => d?.kind === k);
    expect(byKind('Namespace')[0]?.metadata?.name).toBe('rgsd');
    const secret = byKind('Secret');
    expect(secret).toHaveLength(1); // only the CLI's (masked) Secret: the chart renders none in existing-secret mode
    expect(secret[0]?.data).toEqual({
      ANTHROPIC_API_KEY: `<masked: ${SECRET_KEY.length} bytes>`,
      GITHUB_TOKEN: `<masked: ${SECRET_TOKEN.length} bytes>`,
      'models.json': expect.stringMatching(/^<masked: \d+ bytes>$/),
    });
    const dep = byKind('Deployment')[0];
    expect(dep?.metadata?.name).toBe('demo-rgsd');
    const expected = secretChecksum({
      GITHUB_TOKEN: Buffer.from(SECRET_TOKEN),
      ANTHROPIC_API_KEY: Buffer.from(SECRET_KEY),
      'models.json': Buffer.from('{"providers":{"x":{"apiKey":"models-file-secret-123"}}}'),
    });
    expect(dep?.spec?.template.metadata.annotations['checksum/secrets']).toBe(expected);
    const vols = dep?.spec?.template.spec.volumes as { name: string; secret?: { secretName: string } }[];
    expect(vols.find((v) => v.name === 'secrets')?.secret?.secretName).toBe('demo-rgsd-secrets');
    expect(byKind('PersistentVolumeClaim')[0]?.spec?.resources.requests.storage).toBe('30Gi');

    for (const text of [t.stdout(), t.stderr(), JSON.stringify(runner.argvs)]) {
      for (const s of [SECRET_TOKEN, SECRET_KEY, 'models-file-secret-123', Buffer.from(SECRET_TOKEN).toString('base64')])
        expect(text).not.toContain(s);
    }
  });
});
