// One version: package.json's. The chart's version and appVersion repeat it, scripts/build-image
// passes it to the image (RGSD_VERSION build arg, the org.opencontainers.image.version label;
// test/image checks the built label), and no script, Dockerfile or template keeps a copy.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CHART_DIR, REPO_ROOT as REPO } from '../helpers/helm.js';
import { PACKAGE_VERSION } from '../helpers/version.js';

const chart = parse(readFileSync(join(CHART_DIR, 'Chart.yaml'), 'utf8')) as { version: unknown; appVersion: unknown };
const dockerfile = readFileSync(join(REPO, 'docker', 'Dockerfile'), 'utf8');

/** Every file under these paths (directories recursively). */
function files(paths: string[]): string[] {
  return paths.flatMap((p) => {
    const abs = join(REPO, p);
    if (!statSync(abs).isDirectory()) return [abs];
    return readdirSync(abs, { recursive: true, encoding: 'utf8' })
      .map((f) => join(abs, f))
      .filter((f) => statSync(f).isFile());
  });
}

// Where a copy would be a second source: the image, the build and cluster scripts, CI, and the
// chart's templates and defaults (they take .Chart.Version / .Chart.AppVersion).
const SCANNED = files([
  'docker',
  'scripts',
  '.ci',
  join('chart', 'rgsd', 'templates'),
  join('chart', 'rgsd', 'values.yaml'),
  join('chart', 'rgsd', 'values.schema.json'),
]);

/** The version as a token of its own: not inside a longer version (1.0.1.0) or a Go v-tag (v0.1.0). */
const versionToken = (v: string): RegExp => new RegExp(`(?<![\\w.])${v.replace(/[.+]/g, '\\$&')}(?![\\w.])`);

describe('version', () => {
  it('package.json has a semver version', () => {
    expect(PACKAGE_VERSION).toMatch(/^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/);
  });

  it("the chart's version and appVersion are package.json's", () => {
    expect(String(chart.version)).toBe(PACKAGE_VERSION);
    expect(String(chart.appVersion)).toBe(PACKAGE_VERSION);
  });

  it('no Dockerfile, script or chart template carries a literal copy of it', () => {
    expect(SCANNED.length).toBeGreaterThan(10);
    expect(SCANNED.map((f) => relative(REPO, f))).toEqual(
      expect.arrayContaining(['docker/Dockerfile', 'scripts/build-image', 'scripts/build-base-image']),
    );
    const token = versionToken(PACKAGE_VERSION);
    const copies = SCANNED.flatMap((f) =>
      readFileSync(f, 'utf8')
        .split('\n')
        .flatMap((line, i) => (token.test(line) ? [`${relative(REPO, f)}:${i + 1}: ${line.trim()}`] : [])),
    );
    expect(copies).toEqual([]);
  });

  it('the scan would see a copy (the check is live)', () => {
    const token = versionToken(PACKAGE_VERSION);
    expect(token.test(`ARG RGSD_VERSION=${PACKAGE_VERSION}`)).toBe(true);
    expect(token.test(`"chart":"rgsd-${PACKAGE_VERSION}"`)).toBe(true);
    expect(token.test(`github.com/x/y v${PACKAGE_VERSION} // indirect`)).toBe(false);
  });

  it('the Dockerfile labels the image with the RGSD_VERSION build arg and has no release default', () => {
    expect(dockerfile).toMatch(/^\s+org\.opencontainers\.image\.version="\$\{RGSD_VERSION\}"/m);
    const arg = /^ARG RGSD_VERSION(?:=(.*))?$/m.exec(dockerfile);
    expect(arg, 'ARG RGSD_VERSION').not.toBeNull();
    // Either no default or one that is plainly not a release.
    expect(arg?.[1] ?? '').not.toMatch(/\d/);
  });

  it('scripts/build-image passes the version it read as RGSD_VERSION', () => {
    const script = readFileSync(join(REPO, 'scripts', 'build-image'), 'utf8');
    expect(script).toContain('--build-arg "RGSD_VERSION=$version"');
    expect(script).toMatch(/package\.json/);
  });
});
