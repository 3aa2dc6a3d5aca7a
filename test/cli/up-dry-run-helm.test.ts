// `rgsd up --dry-run` against the REAL chart with the REAL helm 3 and helm 4 binaries
// (no cluster needed): the existing-secret mode and the checksum reach the pod template,
// and no secret value reaches stdout, stderr or any argv. And `rgsd up` with values the
// chart's schema refuses: the real helm's every error line, with its path, and no change.
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { resolveProject } from '../../src/cli/open.js';
import upCommand from '../../src/commands/up.js';
import { ConfigError, ExitCode, type RgsdError } from '../../src/core/errors.js';
import { ChildRunner, type RunOptions, type RunResult, type Runner } from '../../src/core/runner.js';
import { reportError } from '../../src/ui/report.js';
import { argv, upRunner } from '../helpers/cluster-fixture.js';
import type { FakeRunner } from '../helpers/fake-runner.js';
import { secretChecksum } from '../../src/core/secrets.js';
import { checkLocal } from '../../src/ops/up.js';
import { SECRET_KEY, SECRET_TOKEN, writeProject } from '../helpers/project-fixture.js';
import { testApp } from '../helpers/test-app.js';

class RecordingRunner implements Runner {
  readonly argvs: string[][] = [];
  readonly #inner = new ChildRunner();
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
    chmodSync(join(t.configDir, 'projects', 'models.json'), 0o600);
    await upCommand.run(t.app, { project: 'demo' }, {});
    // only local helm calls: version + template; nothing that changes a cluster
    expect(runner.argvs.map((a) => a.slice(0, 2).join(' '))).toEqual([`${helm} version`, `${helm} template`]);
    expect(t.stderr()).toContain('dry run: nothing was changed');
    const checks = await checkLocal(t.app, await resolveProject(t.app, 'demo', { command: 'up', requireSettings: true }));
    expect((await checks.helm).major).toBe(helm === 'helm3' ? 3 : 4);

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

/** Real helm for the local calls (version, template); the exact-argv fake for the cluster. */
class HybridRunner implements Runner {
  readonly #real = new ChildRunner();
  constructor(
    readonly fake: FakeRunner,
    readonly helm: string,
  ) {}
  run(cmd: string, args: readonly string[], opts?: RunOptions): Promise<RunResult> {
    if (cmd === this.helm && (args[0] === 'version' || args[0] === 'template')) return this.#real.run(cmd, args, opts);
    return this.fake.run(cmd === this.helm ? 'helm' : cmd, args, opts);
  }
}

describe.each(['helm3', 'helm4'])('rgsd up with values the chart refuses (real chart, %s)', (helm) => {
  it('exit 3 with every schema error and its path; no call that changes the cluster', async () => {
    const fake = upRunner();
    const t = await testApp({ realRunner: new HybridRunner(fake, helm), env: { RGSD_HELM: helm, PATH: process.env.PATH } });
    writeProject(t.configDir, 'demo', {
      settings: 'repo: https://github.com/org/repo.git\nresources: {limits: {cpu: -1}}\nvalues: {terminationGracePeriodSeconds: -5}\n',
    });
    const err = (await upCommand.run(t.app, { project: 'demo' }, {}).catch((e: unknown) => e)) as RgsdError;
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.exitCode).toBe(ExitCode.config);
    let printed = '';
    reportError(err, false, (s) => (printed += s));
    const paths =
      helm === 'helm3'
        ? ['- terminationGracePeriodSeconds:', '- resources.limits.cpu:']
        : ["at '/terminationGracePeriodSeconds'", "at '/resources/limits/cpu'"];
    for (const p of paths) expect(printed).toContain(p);
    expect(printed).toMatch(/^rgsd: cannot render the chart with the values of demo: values don't meet the specifications/);
    expect(printed).not.toContain('--debug');
    // the reads ran, nothing else did
    expect(fake.argvs).toEqual(expect.arrayContaining([argv.workload, argv.helmStatus]));
    for (const a of fake.argvs)
      expect(['create', 'apply', 'upgrade', 'uninstall', 'rollback', 'delete'].some((v) => a.includes(v))).toBe(false);
  });
});
