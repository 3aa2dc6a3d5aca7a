// scripts/build-image with stand-ins for docker, npm and the base-image step: the version it
// builds is package.json's and it refuses a chart that disagrees; the npm registry is npm's own
// setting (or --build-arg NPM_REGISTRY). test/image builds for real.
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DOCKER, REPO, Root } from './harness.js';

let root: Root;
let repo: string; // a copy of the pieces build-image reads: its own dir, package.json, Chart.yaml
let buildLog: string;

// A made-up version, so a pass proves it came from these files.
function versions(pkg: string, chart: string, app: string): void {
  writeFileSync(
    join(repo, 'package.json'),
    `{\n  "name": "rgsd",\n  "version": "${pkg}",\n  "dependencies": {\n    "x": { "version": "0.0.1" }\n  }\n}\n`,
  );
  writeFileSync(join(repo, 'chart', 'rgsd', 'Chart.yaml'), `apiVersion: v2\nname: rgsd\nversion: ${chart}\nappVersion: "${app}"\n`);
}

beforeEach(() => {
  root = new Root();
  repo = join(root.dir, 'repo');
  buildLog = join(root.dir, 'docker-build.args');
  mkdirSync(join(repo, 'scripts'), { recursive: true });
  mkdirSync(join(repo, 'chart', 'rgsd'), { recursive: true });
  copyFileSync(join(REPO, 'scripts', 'build-image'), join(repo, 'scripts', 'build-image'));
  writeFileSync(join(repo, 'scripts', 'build-base-image'), '#!/usr/bin/env bash\nexit 0\n', { mode: 0o755 });
  versions('9.8.7', '9.8.7', '9.8.7');
  // docker: the engine answers, no buildx, `build` records its arguments one per line.
  root.fakeBin(
    'docker',
    `case $1 in info) exit 0 ;; buildx) exit 1 ;; build) shift; printf '%s\\n' "$@" >"${buildLog}" ;; *) exit 1 ;; esac`,
  );
  root.fakeBin(
    'npm',
    `case "$1 $2" in "config get") printf '%s\\n' "\${FAKE_NPM_REGISTRY-http://npm.mirror.example/}" ;; "view --registry="*) exit 0 ;; *) exit 1 ;; esac`,
  );
});

afterEach(async () => {
  await root.cleanup();
});

function build(args: string[] = [], env: Record<string, string> = {}) {
  const r = spawnSync(join(repo, 'scripts', 'build-image'), ['--no-ca', '--agents', 'pkg-a', ...args], {
    env: root.env({ RGSD_DOCKER_DIR: DOCKER, ...env }),
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (r.error) throw r.error;
  return {
    status: r.status ?? -1,
    stderr: r.stderr,
    args: existsSync(buildLog) ? readFileSync(buildLog, 'utf8').trim().split('\n') : null, // null: docker build never ran
  };
}

/** The values of every `--build-arg` of the recorded docker build. */
const buildArgs = (args: string[] | null): string[] => (args ?? []).flatMap((a, i, all) => (all[i - 1] === '--build-arg' ? [a] : []));

describe('scripts/build-image', () => {
  it("builds package.json's version: the tag, the RGSD_VERSION build arg", () => {
    const r = build();
    expect(r.status, r.stderr).toBe(0);
    expect(buildArgs(r.args)).toContain('RGSD_VERSION=9.8.7');
    expect(r.args).toEqual(expect.arrayContaining(['--tag', 'rgsd/workstation:9.8.7']));
    expect(r.stderr).toContain('version 9.8.7');
  });

  it.each([
    ['appVersion', '9.8.7', '9.8.8'],
    ['version', '9.9.0', '9.8.7'],
  ])("stops before building when the chart's %s disagrees", (_field, chart, app) => {
    versions('9.8.7', chart, app);
    const r = build();
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`versions disagree: package.json 9.8.7, chart/rgsd/Chart.yaml version ${chart} and appVersion ${app}`);
    expect(r.stderr).toContain('hint: set all three to the same version');
    expect(r.args).toBeNull();
  });

  it('passes the registry npm is configured with as NPM_REGISTRY', () => {
    const r = build();
    expect(r.status, r.stderr).toBe(0);
    expect(buildArgs(r.args)).toContain('NPM_REGISTRY=http://npm.mirror.example/');
  });

  it('takes --build-arg NPM_REGISTRY=URL over npm config', () => {
    const r = build(['--build-arg', 'NPM_REGISTRY=https://other.example/npm/']);
    expect(r.status, r.stderr).toBe(0);
    expect(buildArgs(r.args).filter((a) => a.startsWith('NPM_REGISTRY='))).toEqual([
      'NPM_REGISTRY=https://other.example/npm/',
      'NPM_REGISTRY=https://other.example/npm/',
    ]);
  });

  it('fails clearly when npm names no registry URL', () => {
    const r = build([], { FAKE_NPM_REGISTRY: 'undefined' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("no npm registry URL (npm config get registry gave 'undefined')");
    expect(r.args).toBeNull();
  });
});
