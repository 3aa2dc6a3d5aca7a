// Install from a package (issue 11, item 5): `npm pack` makes a tarball with the built CLI and
// the chart and nothing test-only; installed globally into a temporary prefix it runs
// `rgsd --version`, `rgsd doctor --json` and `rgsd up demo --dry-run` with the chart inside
// it; and `helm package chart/rgsd` makes an archive that `--chart` accepts. Needs `npm run
// build` first (as every CLI test does) and the npm cache that `npm ci` filled (the install
// resolves the runtime dependencies from it first).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeProject } from '../helpers/project-fixture.js';
import { kubeconfigFile, REPO_ROOT, tempDir } from '../helpers/test-app.js';

const VERSION = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const NPM_CLI = join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js');
/** npm run by this Node 22 (the machine's own npm may sit on an older Node). */
const npm = (args: string[], cwd: string) =>
  spawnSync(
    process.execPath,
    [existsSync(NPM_CLI) ? NPM_CLI : execFileSync('sh', ['-c', 'readlink -f "$(command -v npm)"'], { encoding: 'utf8' }).trim(), ...args],
    {
      cwd,
      encoding: 'utf8',
      timeout: 300_000,
      env: { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' },
    },
  );

describe('install from a package', () => {
  // not tempDir(): that one is removed after each test, and the tests share the install
  const work = mkdtempSync(join(tmpdir(), 'rgsd-pack-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  const prefix = join(work, 'prefix');
  let files: string[] = [];
  let tarball = '';
  let installed = '';

  beforeAll(() => {
    // --ignore-scripts: the prepack build already ran (npm run build); the tarball is what it made
    const pack = npm(['pack', '--ignore-scripts', '--json', '--pack-destination', work], REPO_ROOT);
    expect(pack.status, pack.stderr).toBe(0);
    const [doc] = JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[];
    files = (doc?.files ?? []).map((f) => f.path).sort();
    tarball = join(work, doc?.filename ?? '');
    const install = npm(['install', '--global', '--prefix', prefix, '--prefer-offline', '--ignore-scripts', tarball], work);
    expect(install.status, `${install.stdout}\n${install.stderr}`).toBe(0);
    expect(existsSync(join(prefix, 'bin', 'rgsd')), `${install.stdout}\n${install.stderr}`).toBe(true);
    installed = join(prefix, 'lib', 'node_modules', 'rgsd');
  }, 600_000);

  /** The installed rgsd, by this Node 22, in a clean config dir; helm from the checkout's .tools. */
  const run = (args: string[], cfg: string) =>
    spawnSync(process.execPath, [join(installed, 'bin', 'rgsd'), ...args], {
      cwd: work,
      encoding: 'utf8',
      timeout: 120_000,
      env: {
        PATH: [join(REPO_ROOT, '.tools', 'bin'), dirname(process.execPath), '/usr/bin', '/bin'].join(delimiter),
        HOME: cfg,
        RGSD_CONFIG_DIR: cfg,
        KUBECONFIG: kubeconfigFile('kind-test'),
        RGSD_HELM: 'helm3',
        NO_COLOR: '1',
      },
    });

  it('packs the built CLI, the chart and the secrets example; no sources, tests, scripts or CI values', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        'package.json',
        'README.md',
        'bin/rgsd',
        'dist/main.js',
        'chart/rgsd/Chart.yaml',
        'chart/rgsd/values.schema.json',
      ]),
    );
    expect(files.some((f) => f.startsWith('chart/rgsd/templates/'))).toBe(true);
    const unwanted = files.filter(
      (f) => /^(src|test|scripts|docker|\.ci|\.tools|node_modules)\//.test(f) || f.startsWith('chart/rgsd/ci/') || /\.test\./.test(f),
    );
    expect(unwanted).toEqual([]);
    expect(tarball.endsWith(`rgsd-${VERSION}.tgz`)).toBe(true);
  });

  it('installed into a prefix: --version, doctor --json and up demo --dry-run with its own chart', () => {
    expect(existsSync(join(prefix, 'bin', 'rgsd'))).toBe(true);
    const cfg = tempDir('rgsd-pack-cfg-');
    const version = run(['--version'], cfg);
    expect(version.status, version.stderr).toBe(0);
    expect(version.stdout.trim()).toBe(VERSION);

    const doctor = run(['doctor', '--json'], cfg);
    const doc = JSON.parse(doctor.stdout) as { schemaVersion: number; checks: unknown[] };
    expect(doc.schemaVersion).toBeGreaterThanOrEqual(1);
    expect(Array.isArray(doc.checks)).toBe(true);

    writeProject(cfg, 'demo');
    const up = run(['up', 'demo', '--dry-run', '--context', 'kind-test'], cfg);
    expect(up.status, up.stderr).toBe(0);
    expect(up.stdout).toMatch(
      new RegExp(`# helm upgrade --install demo ${installed.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/chart/rgsd\\n`),
    );
    expect(up.stdout).toContain('kind: Deployment');
    expect(up.stderr).toContain('dry run: nothing was changed');
  });

  it('`helm package chart/rgsd` makes an archive that --chart accepts', () => {
    const out = tempDir('rgsd-helm-package-');
    const pkg = spawnSync(join(REPO_ROOT, '.tools', 'bin', 'helm3'), ['package', join(REPO_ROOT, 'chart', 'rgsd'), '--destination', out], {
      encoding: 'utf8',
    });
    expect(pkg.status, pkg.stderr).toBe(0);
    const archive = /saved it to: (\S+)/.exec(pkg.stdout)?.[1] ?? '';
    expect(existsSync(archive), pkg.stdout).toBe(true);
    const cfg = tempDir('rgsd-pack-cfg-');
    writeProject(cfg, 'demo');
    const up = run(['up', 'demo', '--dry-run', '--context', 'kind-test', '--chart', archive], cfg);
    expect(up.status, up.stderr).toBe(0);
    expect(up.stdout).toContain(`# helm upgrade --install demo ${archive}\n`);
    expect(up.stdout).toContain('kind: Deployment');
  });
});
