// core/toolcache.ts: a native binary's version is asked once and remembered until the file
// changes; scripts and failures are never remembered.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cacheFile, cachedVersion } from '../../src/core/toolcache.js';

function setup(content: Buffer | string) {
  const dir = mkdtempSync(join(tmpdir(), 'rgsd-toolcache-'));
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  const helm = join(bin, 'helm');
  writeFileSync(helm, content);
  chmodSync(helm, 0o755);
  const env = { HOME: join(dir, 'home'), PATH: `/nonexistent:${bin}` };
  let asked = 0;
  const ask = async () => {
    asked++;
    return 'v4.1.4';
  };
  return { dir, helm, env, ask, asked: () => asked };
}
const ELF = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46]), Buffer.alloc(64, 1)]);

describe('cachedVersion', () => {
  it('a native binary on PATH: asked once, then remembered in a 0600 file in a 0700 dir', async () => {
    const t = setup(ELF);
    expect(await cachedVersion('helm', t.env, t.ask)).toBe('v4.1.4');
    expect(await cachedVersion('helm', t.env, t.ask)).toBe('v4.1.4');
    expect(await cachedVersion(t.helm, t.env, t.ask)).toBe('v4.1.4'); // the same file by its path
    expect(t.asked()).toBe(1);
    const file = cacheFile(t.env) as string;
    expect(file).toBe(join(t.env.HOME, '.cache', 'rgsd', 'tool-versions.json'));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(file, '..')).mode & 0o777).toBe(0o700);
  });

  it('a changed binary (new mtime or size) is asked again', async () => {
    const t = setup(ELF);
    await cachedVersion('helm', t.env, t.ask);
    utimesSync(t.helm, new Date('2030-01-01'), new Date('2030-01-01'));
    await cachedVersion('helm', t.env, t.ask);
    expect(t.asked()).toBe(2);
    writeFileSync(t.helm, Buffer.concat([ELF, Buffer.alloc(8)]));
    await cachedVersion('helm', t.env, t.ask);
    expect(t.asked()).toBe(3);
  });

  it('a script (a wrapper may run another helm tomorrow) is asked every time; nothing is written', async () => {
    const t = setup('#!/bin/sh\nexec /opt/helm "$@"\n');
    await cachedVersion('helm', t.env, t.ask);
    await cachedVersion('helm', t.env, t.ask);
    expect(t.asked()).toBe(2);
    expect(existsSync(cacheFile(t.env) as string)).toBe(false);
  });

  it('a failing ask is not remembered; no HOME and no XDG_CACHE_HOME: no cache at all', async () => {
    const t = setup(ELF);
    await expect(cachedVersion('helm', t.env, () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(existsSync(cacheFile(t.env) as string)).toBe(false);
    await cachedVersion('helm', { PATH: t.env.PATH }, t.ask);
    await cachedVersion('helm', { PATH: t.env.PATH }, t.ask);
    expect(t.asked()).toBe(2);
    expect(cacheFile({ XDG_CACHE_HOME: join(t.dir, 'xdg'), HOME: t.env.HOME })).toBe(join(t.dir, 'xdg', 'rgsd', 'tool-versions.json'));
  });
});
