// scripts/build-base-image --dry-run: the Debian mirrors come from the machine's apt sources
// (one-line *.list and deb822 *.sources), the environment overrides them, and no mirror at
// all is a clear error. No docker, no debootstrap: test/image builds the base for real.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REPO } from './harness.js';

let apt: string;

beforeEach(() => {
  apt = mkdtempSync(join(tmpdir(), 'rgsd-apt-'));
  mkdirSync(join(apt, 'sources.list.d'));
});

afterEach(() => {
  rmSync(apt, { recursive: true, force: true });
});

function dryRun(env: Record<string, string> = {}): { status: number; stderr: string; out: Record<string, string> } {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('RGSD_')));
  const r = spawnSync(join(REPO, 'scripts', 'build-base-image'), ['--dry-run'], {
    env: { ...clean, RGSD_APT_DIR: apt, ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (r.error) throw r.error;
  const out = Object.fromEntries(
    r.stdout
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split(/=(.*)/s).slice(0, 2) as [string, string]),
  );
  return { status: r.status ?? -1, stderr: r.stderr, out };
}

const write = (rel: string, text: string) => writeFileSync(join(apt, rel), text);

describe('scripts/build-base-image mirrors', () => {
  it('reads deb822 .sources (URIs/Suites, multi-valued, Enabled: no, deb-src skipped)', () => {
    write(
      'sources.list.d/debian.sources',
      [
        'Types: deb-src',
        'URIs: http://src.example/debian',
        'Suites: bookworm',
        'Components: main',
        '',
        'Types: deb',
        '# a comment line',
        'URIs: http://main.example/debian/',
        'Suites: bookworm bookworm-updates',
        'Components: main',
        '',
        'Types: deb',
        'URIs: http://off.example/debian-security',
        'Suites: bookworm-security',
        'Enabled: no',
        '',
        'types: deb',
        'uris: http://sec.example/debian-security',
        'suites: bookworm-security',
        '',
      ].join('\n'),
    );
    const r = dryRun();
    expect(r.status, r.stderr).toBe(0);
    expect(r.out).toMatchObject({
      suite: 'bookworm',
      mirror: 'http://main.example/debian',
      security: 'http://sec.example/debian-security',
      tag: 'debian:bookworm-slim',
    });
  });

  it('reads one-line sources.list and *.list (options, comments), ignoring other file names', () => {
    write(
      'sources.list',
      '# deb http://commented.example/debian bookworm main\ndeb [arch=amd64 signed-by=/k.gpg] http://third.example/apt cloud main\ndeb   [ arch=amd64 ]  http://main.example/debian  bookworm main # note\n',
    );
    write('sources.list.d/security.list', 'deb http://sec.example/debian-security bookworm-security main\n');
    write('sources.list.d/other.list.disabled', 'deb http://disabled.example/debian bookworm main\n');
    const r = dryRun();
    expect(r.status, r.stderr).toBe(0);
    expect(r.out).toMatchObject({ mirror: 'http://main.example/debian', security: 'http://sec.example/debian-security' });
  });

  it("falls back to the machine's own release when it lists another suite", () => {
    write(
      'sources.list.d/debian.sources',
      'Types: deb\nURIs: http://third.example/apt\nSuites: nodistro\n\nTypes: deb\nURIs: http://main.example/debian\nSuites: trixie trixie-updates\n\nTypes: deb\nURIs: http://sec.example/debian-security\nSuites: trixie-security\n',
    );
    const r = dryRun();
    expect(r.status, r.stderr).toBe(0);
    expect(r.out).toMatchObject({
      suite: 'bookworm',
      mirror: 'http://main.example/debian',
      security: 'http://sec.example/debian-security',
    });
  });

  it('lets RGSD_DEBIAN_MIRROR and RGSD_DEBIAN_SECURITY override the apt sources', () => {
    write('sources.list', 'deb http://main.example/debian bookworm main\ndeb http://sec.example/debian-security bookworm-security main\n');
    const r = dryRun({ RGSD_DEBIAN_MIRROR: 'http://override.example/debian', RGSD_DEBIAN_SECURITY: 'http://override.example/security' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.out).toMatchObject({ mirror: 'http://override.example/debian', security: 'http://override.example/security' });
  });

  it('fails with a clear message when the apt sources name no Debian mirror', () => {
    write('sources.list.d/node.list', 'deb http://third.example/node nodistro main\n');
    const r = dryRun();
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('error: no Debian mirror in the apt sources');
    expect(r.stderr).toContain('hint: set RGSD_DEBIAN_MIRROR');
  });

  it('fails with a clear message when there is no security mirror', () => {
    write('sources.list', 'deb http://main.example/debian bookworm main\n');
    const r = dryRun();
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('error: no Debian security mirror in the apt sources');
    expect(r.stderr).toContain('hint: set RGSD_DEBIAN_SECURITY');
  });
});
