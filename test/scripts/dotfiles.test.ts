// The image-managed zsh dotfile, sourced by a real zsh: the prompt shows the project.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const zshrc = resolve(import.meta.dirname, '..', '..', 'docker', 'dotfiles', '.zshrc');
let home: string;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'rgsd-zshrc-'));
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

function renderPrompt(env: Record<string, string>): string {
  const r = spawnSync('zsh', ['-f', '-c', `source ${JSON.stringify(zshrc)}; print -rP -- "$PROMPT"`], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, USER: 'gsd', TERM: 'dumb', ...env },
    encoding: 'utf8',
  });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.replace(/\x1b\[[0-9;]*m/g, '');
}

describe('docker/dotfiles/.zshrc', () => {
  it('expands the project name in the prompt (prompt_subst)', () => {
    const prompt = renderPrompt({ RGSD_PROJECT: 'demo' });
    expect(prompt).toContain('@demo');
    expect(prompt).not.toContain('${');
  });

  it('falls back to "rgsd" without a project', () => {
    expect(renderPrompt({})).toContain('@rgsd');
  });
});
