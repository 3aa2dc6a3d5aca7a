// rgsd push / rgsd pull: the plan made locally (what each source holds, a symlinked ~/.gsd
// followed, state and logins left out with the way to log in inside the pod, warnings about
// commands that name this machine's paths), the exact argv of the one kubectl exec and the
// tar it carries, refusals before any call, dry run; pull's one exec, its archive checked
// whole (cut short, paths outside) before anything is written, a file back byte-identical.
import { chmodSync, existsSync, mkdirSync, readFileSync, realpathSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PULL_SCRIPT, PUSH_SCRIPT } from '../../src/cluster/push.js';
import pullCommand from '../../src/commands/pull.js';
import pushCommand from '../../src/commands/push.js';
import type { App } from '../../src/core/app.js';
import { NotFoundError, RefusedError, RgsdError, UsageError } from '../../src/core/errors.js';
import type { RunOptions, RunResult } from '../../src/core/runner.js';
import { TarReader, tarEnd, tarHeader, tarPadding, type TarEntry } from '../../src/core/tar.js';
import { homeRelative, laptopPath, leftOutReason, planPush } from '../../src/ops/push.js';
import { planPull, podRelative } from '../../src/ops/pull.js';
import { K } from '../helpers/cluster-fixture.js';
import { FakeRunner, type FakeResponse } from '../helpers/fake-runner.js';
import { tempDir, testApp } from '../helpers/test-app.js';

const W = ['deployment/demo-rgsd', '-c', 'workstation', '--pod-running-timeout=10s', '--'];
const pushArgv = (marker: string) => ['kubectl', ...K, 'exec', '-i', ...W, 'sh', '-c', PUSH_SCRIPT, 'sh', marker];
const pullArgv = (dir: string, name: string) => ['kubectl', ...K, 'exec', ...W, 'sh', '-c', PULL_SCRIPT, 'sh', dir, name];
const SLEEP = ['kubectl', ...K, 'get', 'deployment/demo-rgsd', 'configmap/demo-rgsd-idle', '--ignore-not-found', '-o', 'json'];
const AWAKE: FakeResponse = {
  stdout: JSON.stringify({ items: [{ kind: 'Deployment', metadata: { name: 'demo-rgsd' }, spec: { replicas: 1 } }] }),
};

function put(root: string, rel: string, text: string, mode = 0o644): void {
  mkdirSync(join(root, rel, '..'), { recursive: true });
  writeFileSync(join(root, rel), text);
  chmodSync(join(root, rel), mode);
}

/** A laptop home: ~/.claude with state and a login, ~/.gsd a symlink to a dotfiles folder,
 * ~/.codex with config and state, ~/.claude.json with MCP servers. */
function laptop(o: { home?: string } = {}): { home: string; gsdReal: string } {
  const home = o.home ?? tempDir('rgsd-home-');
  put(home, '.claude/skills/review/SKILL.md', '# review\n');
  put(home, '.claude/agents/helper.md', 'helper\n');
  put(home, '.claude/CLAUDE.md', 'be brief\n');
  put(home, '.claude/hooks/notify.sh', '#!/bin/sh\n', 0o755);
  put(
    home,
    '.claude/settings.json',
    JSON.stringify({
      hooks: { Stop: [{ hooks: [{ type: 'command', command: `${home}/.claude/hooks/notify.sh --done` }] }] },
      statusLine: { type: 'command', command: '/opt/homebrew/bin/ccstatus' },
    }),
  );
  put(home, '.claude/.credentials.json', '{"token":"x"}', 0o600);
  put(home, '.claude/projects/-Users-me-x/s.jsonl', '{}\n');
  put(home, '.claude/todos/t.json', '[]');
  put(home, '.claude/history.jsonl', '{}\n');
  put(home, '.claude/id_ed25519', 'key', 0o600);
  put(home, '.claude.json', JSON.stringify({ mcpServers: { fs: { command: '/Users/me/bin/mcp-fs', args: ['--root', '/tmp'] } } }));
  const gsdReal = join(tempDir('rgsd-dotfiles-'), 'gsd');
  put(gsdReal, 'agent/settings.json', '{}');
  put(gsdReal, 'agent/auth.json', '{"anthropic":{}}', 0o600);
  put(gsdReal, 'agent/sessions/one.jsonl', '{}\n');
  put(gsdReal, 'preferences.md', 'prefs\n');
  symlinkSync(gsdReal, join(home, '.gsd'));
  put(
    home,
    '.codex/config.toml',
    '[mcp_servers.docs]\ncommand = "/opt/homebrew/bin/docs-mcp"\nargs = ["serve"]\n\n[mcp_servers.ok]\ncommand = "npx"\n',
  );
  put(home, '.codex/AGENTS.md', 'agents\n');
  put(home, '.codex/prompts/fix.md', 'fix\n');
  put(home, '.codex/auth.json', '{}', 0o600);
  put(home, '.codex/sessions/2026/a.jsonl', '{}\n');
  return { home, gsdReal };
}

/** Reads a tar (as push sent it) into its entries, with each file's text. */
function untar(b: Buffer): (TarEntry & { text?: string })[] {
  const out: (TarEntry & { text?: string })[] = [];
  let chunks: Buffer[] = [];
  const r = new TarReader({
    start: () => {
      chunks = [];
    },
    data: (c) => chunks.push(Buffer.from(c)),
    end: (e) => out.push(e.type === 'file' ? { ...e, text: Buffer.concat(chunks).toString('utf8') } : e),
  });
  r.push(b);
  r.end();
  return out;
}

/** A FakeRunner that answers push's exec (whose last word, the marker, is random) with `res`. */
class PushRunner extends FakeRunner {
  constructor(private readonly res: FakeResponse = { stderr: 'rgsd-push: ok\n' }) {
    super();
  }
  override async run(cmd: string, args: readonly string[], opts?: RunOptions): Promise<RunResult> {
    if (args.includes('exec') && args.includes('-i')) this.on([cmd, ...args], this.res);
    return super.run(cmd, args, opts);
  }
}

const runPush = (app: App, project: string | undefined, opts: Record<string, boolean>, words: string[] = []) =>
  pushCommand.run(app, { project, path: words.join(' ') || undefined }, opts, words);

describe('rgsd push: the plan', () => {
  it('default: the agents that exist; ~/.gsd followed; state and logins left out, each login with how to log in in the pod', async () => {
    const { home, gsdReal } = laptop();
    const plan = await planPush({ home, project: 'demo', agents: [], paths: [] });
    expect(plan.sources.map((s) => [s.kind, s.path])).toEqual([
      ['gsd', '~/.gsd'],
      ['claude', '~/.claude'],
      ['codex', '~/.codex'],
    ]);
    expect(plan.sources[0]?.followed).toBe(realpathSync(gsdReal));
    const paths = plan.items.map((i) => i.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        '.gsd',
        '.gsd/agent/settings.json',
        '.gsd/preferences.md',
        '.claude/skills/review/SKILL.md',
        '.claude/agents/helper.md',
        '.claude/CLAUDE.md',
        '.claude/hooks/notify.sh',
        '.claude/settings.json',
        '.codex/config.toml',
        '.codex/AGENTS.md',
        '.codex/prompts/fix.md',
      ]),
    );
    for (const gone of [
      '.gsd/agent/auth.json',
      '.gsd/agent/sessions',
      '.claude/.credentials.json',
      '.claude/projects',
      '.claude/todos',
      '.claude/history.jsonl',
      '.claude/id_ed25519',
      '.codex/auth.json',
      '.codex/sessions',
    ]) {
      expect(
        paths.filter((p) => p === gone || p.startsWith(`${gone}/`)),
        gone,
      ).toEqual([]);
    }
    // the ~/.gsd entry is the target's folder (a dir), not the symlink
    expect(plan.items.find((i) => i.path === '.gsd')?.type).toBe('dir');
    expect(plan.items.find((i) => i.path === '.claude/hooks/notify.sh')?.mode).toBe(0o755);
    const left = Object.fromEntries(plan.leftOut.map((l) => [l.path, l]));
    expect(left['~/.claude/.credentials.json']?.why).toBe('login');
    expect(left['~/.claude/.credentials.json']?.hint).toMatch(/claude setup-token.*CLAUDE_CODE_OAUTH_TOKEN.*\/login/);
    expect(left['~/.codex/auth.json']?.hint).toMatch(/codex login --device-auth/);
    expect(left['~/.gsd/agent/auth.json']?.hint).toMatch(/ANTHROPIC_API_KEY/);
    expect(left['~/.claude/id_ed25519']?.why).toBe('credential');
    for (const s of ['~/.claude/projects', '~/.claude/todos', '~/.claude/history.jsonl', '~/.gsd/agent/sessions', '~/.codex/sessions'])
      expect(left[s]?.why, s).toBe('state');
    expect(plan.files).toBe(plan.items.filter((i) => i.type === 'file').length);
    expect(plan.bytes).toBe(plan.items.reduce((n, i) => n + i.size, 0));
  });

  it('warns about hooks, the status line and MCP servers that name paths of this machine; ~/.claude.json is not pushed unless given', async () => {
    const { home } = laptop();
    const plan = await planPush({ home, project: 'demo', agents: ['claude', 'codex'], paths: [] });
    expect(plan.warnings).toEqual([
      expect.stringMatching(
        /^~\/\.claude\/settings\.json hooks\.Stop\[0\]\.hooks\[0\]\.command: .*\/\.claude\/hooks\/notify\.sh exists only on this machine/,
      ),
      expect.stringMatching(/^~\/\.claude\/settings\.json statusLine\.command: \/opt\/homebrew\/bin\/ccstatus /),
      expect.stringMatching(/^~\/\.codex\/config\.toml mcp_servers\.docs\.command: \/opt\/homebrew\/bin\/docs-mcp /),
    ]);
    expect(plan.notes).toEqual([
      expect.stringMatching(
        /^~\/\.claude\.json holds Claude Code's user-level MCP servers \(fs\); it is outside ~\/\.claude and not pushed/,
      ),
    ]);
    const withIt = await planPush({ home, project: 'demo', agents: ['claude'], paths: ['.claude.json'] });
    expect(withIt.items.map((i) => i.path)).toContain('.claude.json');
    expect(withIt.notes).toEqual([]);
    expect(withIt.warnings).toContainEqual(expect.stringMatching(/^~\/\.claude\.json mcpServers\.fs\.command: \/Users\/me\/bin\/mcp-fs /));
  });

  it('laptopPath: /Users, /opt/homebrew and the local home; not the pod home nor other paths', () => {
    expect(laptopPath('node /Users/me/x.js', '/home/me')).toBe('/Users/me/x.js');
    expect(laptopPath('"/home/me/bin/hook" --x', '/home/me')).toBe('/home/me/bin/hook');
    expect(laptopPath('/home/gsd/bin/hook', '/home/gsd')).toBeUndefined();
    expect(laptopPath('/usr/bin/env node $HOME/x', '/home/me')).toBeUndefined();
  });

  it('paths: relative to the home (~ too), the same place in the pod; outside the home, the home itself, missing, a login: refused', async () => {
    const { home } = laptop();
    expect(homeRelative(home, '.config/x')).toBe('.config/x');
    expect(homeRelative(home, '~/.config/x')).toBe('.config/x');
    expect(homeRelative(home, join(home, 'a b/c'))).toBe('a b/c');
    for (const bad of ['/etc/hosts', '../x', '~/../x', home, '~', '']) expect(() => homeRelative(home, bad), bad).toThrow(UsageError);
    put(home, 'notes/a b.txt', 'x');
    const plan = await planPush({ home, project: 'demo', agents: [], paths: ['notes/a b.txt'] });
    expect(plan.sources.map((s) => s.kind)).toEqual(['path']);
    expect(plan.items.map((i) => i.path)).toEqual(['notes/a b.txt']);
    await expect(planPush({ home, project: 'demo', agents: [], paths: ['nope'] })).rejects.toThrow(UsageError);
    const login = planPush({ home, project: 'demo', agents: [], paths: ['.claude/.credentials.json'] });
    await expect(login).rejects.toThrow(/is a login; rgsd push never copies one/);
    // state named on the command line is pushed
    const state = await planPush({ home, project: 'demo', agents: [], paths: ['.claude/todos'] });
    expect(state.items.map((i) => i.path)).toEqual(['.claude/todos', '.claude/todos/t.json']);
  });

  it('nothing to push, a selected agent missing, an empty home: usage errors', async () => {
    const empty = tempDir('rgsd-home-');
    await expect(planPush({ home: empty, project: 'demo', agents: [], paths: [] })).rejects.toThrow(/nothing to push/);
    await expect(planPush({ home: empty, project: 'demo', agents: ['claude'], paths: [] })).rejects.toThrow(
      /--claude: ~\/\.claude does not exist/,
    );
    expect(leftOutReason('.aws/credentials', 'p')?.why).toBe('credential');
    expect(leftOutReason('certs/server.pem', 'p')?.why).toBe('credential');
    expect(leftOutReason('.claude/skills/x', 'p')).toBeUndefined();
  });
});

describe('rgsd push (handler)', () => {
  it('one kubectl exec -i with the tar on stdin: every planned entry, then the marker last', async () => {
    const { home } = laptop();
    const r = new PushRunner();
    const t = await testApp({ runner: r, env: { HOME: home }, globals: { yes: true } });
    await runPush(t.app, 'demo', { claude: true });
    expect(r.calls).toHaveLength(1);
    const call = r.calls[0];
    const marker = call?.argv.at(-1) ?? '';
    expect(marker).toMatch(/^\.rgsd-push-[0-9a-f]{12}$/);
    expect(call?.argv).toEqual(pushArgv(marker));
    expect(call?.opts).toMatchObject({ allowFailure: true, mutates: true });
    expect(call?.stdin).toBeUndefined();
    const entries = untar(call?.stdinBytes ?? Buffer.alloc(0));
    expect(entries.at(-1)).toMatchObject({ path: marker, type: 'file', size: 0 });
    expect(entries.find((e) => e.path === '.claude/skills/review/SKILL.md')?.text).toBe('# review\n');
    expect(entries.find((e) => e.path === '.claude/hooks/notify.sh')?.mode).toBe(0o755);
    expect(entries.map((e) => e.path).filter((p) => /credentials|projects|todos|id_ed25519/.test(p))).toEqual([]);
    expect(t.stdout()).toMatch(/^to push into the home of demo:\n {2}~\/\.claude: 5 files, /);
    expect(t.stdout()).toContain('~/.claude/.credentials.json (a login): log in inside the pod instead: `claude setup-token`');
    expect(t.stdout()).toMatch(/\npushed: 5 files \(.* of tar\) in \d+s\n$/);
    expect(t.stderr()).toContain('warning: ~/.claude/settings.json hooks.Stop[0].hooks[0].command');
  });

  it('a symlinked ~/.gsd: its target archived under .gsd/', async () => {
    const { home } = laptop();
    const r = new PushRunner();
    const t = await testApp({ runner: r, env: { HOME: home }, globals: { yes: true } });
    await runPush(t.app, 'demo', { gsd: true });
    const entries = untar(r.calls[0]?.stdinBytes ?? Buffer.alloc(0));
    expect(entries.map((e) => `${e.type} ${e.path}`).slice(0, -1)).toEqual([
      'dir .gsd',
      'dir .gsd/agent',
      'file .gsd/agent/settings.json',
      'file .gsd/preferences.md',
    ]);
  });

  it('--dry-run: the plan, no call; --json: exactly one document', async () => {
    const { home } = laptop();
    const r = new PushRunner();
    const t = await testApp({ runner: r, env: { HOME: home }, globals: { dryRun: true } });
    await runPush(t.app, 'demo', {});
    expect(r.calls).toEqual([]);
    expect(t.stdout()).toMatch(/^would push into the home of demo:\n {2}~\/\.gsd \(a symlink: .*\): 2 files, /);
    expect(t.stderr()).toContain('dry run: nothing was sent');
    const j = await testApp({ runner: r, env: { HOME: home }, globals: { dryRun: true, json: true } });
    await runPush(j.app, 'demo', {}, ['.claude.json']);
    const doc = JSON.parse(j.stdout());
    expect(doc).toMatchObject({ schemaVersion: 1, project: 'demo', dryRun: true, pushed: false });
    expect(doc.sources.map((s: { kind: string }) => s.kind)).toEqual(['path']);
    expect(doc.items).toBeUndefined();
    expect(r.calls).toEqual([]);
  });

  it('no terminal and no --yes: refused (exit 7) with the hint, no call; a no at the prompt too', async () => {
    const { home } = laptop();
    const r = new PushRunner();
    const t = await testApp({ runner: r, env: { HOME: home } });
    const err = await runPush(t.app, 'demo', { codex: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RefusedError);
    expect((err as RefusedError).hint).toMatch(/rgsd push demo --codex --yes/);
    expect(r.calls).toEqual([]);
    const { FakePrompter } = await import('../helpers/test-app.js');
    const asked = await testApp({ runner: r, env: { HOME: home }, prompter: new FakePrompter([false], true), interactive: true });
    await expect(runPush(asked.app, 'demo', { codex: true })).rejects.toThrow(RefusedError);
    expect(r.calls).toEqual([]);
  });

  it('bad input before any call: a path outside the home, a missing one, nothing to push', async () => {
    const { home } = laptop();
    const r = new PushRunner();
    const t = await testApp({ runner: r, env: { HOME: home }, globals: { yes: true } });
    await expect(runPush(t.app, 'demo', {}, ['/etc/passwd'])).rejects.toThrow(UsageError);
    await expect(runPush(t.app, 'demo', {}, ['missing/file'])).rejects.toThrow(UsageError);
    const e = await testApp({ runner: r, env: { HOME: tempDir('rgsd-home-') }, globals: { yes: true } });
    await expect(runPush(e.app, 'demo', {})).rejects.toThrow(/nothing to push/);
    expect(r.calls).toEqual([]);
  });

  it('the pod says the archive arrived incomplete, or kubectl ends without its last line: an error', async () => {
    const { home } = laptop();
    const bad = new PushRunner({ exitCode: 3, stderr: 'rgsd-push: error: the archive arrived incomplete (its last entry is missing)\n' });
    const t = await testApp({ runner: bad, env: { HOME: home }, globals: { yes: true } });
    await expect(runPush(t.app, 'demo', { codex: true })).rejects.toThrow(/^the push failed in the pod: the archive arrived incomplete/);
    expect(bad.calls).toHaveLength(1);
    const silent = new PushRunner({ stderr: '' });
    const s = await testApp({ runner: silent, env: { HOME: home }, globals: { yes: true } });
    await expect(runPush(s.app, 'demo', { codex: true })).rejects.toThrow(/did not confirm the push/);
  });

  it('kubectl cannot reach the pod: the sleep check after it (awake: the error is kept)', async () => {
    const { home } = laptop();
    const r = new PushRunner({ exitCode: 1, stderr: 'error: timed out waiting for the condition\n' }).on(SLEEP, AWAKE);
    const t = await testApp({ runner: r, env: { HOME: home }, globals: { yes: true } });
    await expect(runPush(t.app, 'demo', { codex: true })).rejects.toThrow(RgsdError);
    expect(r.argvs.at(-1)).toEqual(SLEEP);
  });
});

// ---- pull -------------------------------------------------------------------------------

/** A tar as the pod's `tar -c ./name` writes it. */
function tarOf(
  entries: { path: string; type: 'file' | 'dir' | 'symlink'; mode: number; text?: string | Buffer; link?: string }[],
  end = true,
): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const data = Buffer.isBuffer(e.text) ? e.text : Buffer.from(e.text ?? '');
    parts.push(
      tarHeader({ path: e.path, type: e.type, mode: e.mode, mtime: 1_700_000_000, size: data.length, ...(e.link ? { link: e.link } : {}) }),
    );
    if (e.type === 'file') parts.push(data, tarPadding(data.length));
  }
  if (end) parts.push(tarEnd());
  return Buffer.concat(parts);
}

const runPull = (app: App, project: string | undefined, remote: string | undefined, local: string | undefined, force = false) =>
  pullCommand.run(app, { project, 'remote-path': remote, local }, force ? { force } : {});

describe('rgsd pull', () => {
  it('a file back byte-identical with its mode and time: one exec, no stdin, no terminal', async () => {
    const bytes = Buffer.from([0, 1, 2, 255, 10, 13, 0x61]);
    const archive = tarOf([{ path: './notes.bin', type: 'file', mode: 0o640, text: bytes }]);
    const r = new FakeRunner().on(pullArgv('workspace', 'notes.bin'), { stdoutBytes: archive });
    const t = await testApp({ runner: r });
    const dest = tempDir('rgsd-pull-');
    await runPull(t.app, 'demo', 'workspace/notes.bin', dest);
    expect(r.argvs).toEqual([pullArgv('workspace', 'notes.bin')]);
    expect(r.calls[0]?.opts.stdin).toBeUndefined();
    expect(r.calls[0]?.opts.interactive).toBeUndefined();
    const got = readFileSync(join(dest, 'notes.bin'));
    expect(got.equals(bytes)).toBe(true);
    expect(statSync(join(dest, 'notes.bin')).mode & 0o7777).toBe(0o640);
    expect(Math.floor(statSync(join(dest, 'notes.bin')).mtimeMs / 1000)).toBe(1_700_000_000);
    expect(t.stdout()).toMatch(/^pulled: ~\/workspace\/notes\.bin → .*notes\.bin \(file, /);
  });

  it('a folder (with a symlink) under a new name; --json one document', async () => {
    const archive = tarOf([
      { path: './skills/', type: 'dir', mode: 0o750 },
      { path: './skills/a/', type: 'dir', mode: 0o755 },
      { path: './skills/a/SKILL.md', type: 'file', mode: 0o644, text: 'a\n' },
      { path: './skills/link', type: 'symlink', mode: 0o777, link: 'a/SKILL.md' },
    ]);
    const r = new FakeRunner().on(pullArgv('.claude', 'skills'), { stdoutBytes: archive });
    const t = await testApp({ runner: r, globals: { json: true } });
    const dest = join(tempDir('rgsd-pull-'), 'copy');
    await runPull(t.app, 'demo', '/home/gsd/.claude/skills/', dest);
    expect(readFileSync(join(dest, 'a', 'SKILL.md'), 'utf8')).toBe('a\n');
    expect(readFileSync(join(dest, 'link'), 'utf8')).toBe('a\n');
    expect(statSync(dest).mode & 0o7777).toBe(0o750);
    expect(JSON.parse(t.stdout())).toMatchObject({
      schemaVersion: 1,
      project: 'demo',
      remote: '~/.claude/skills',
      local: dest,
      type: 'dir',
      files: 1,
      dirs: 2,
      symlinks: 1,
    });
  });

  it('a stream cut short (no end-of-archive, or inside a file): an error, nothing written', async () => {
    const full = tarOf([{ path: './big.txt', type: 'file', mode: 0o644, text: 'x'.repeat(3000) }]);
    for (const cut of [full.subarray(0, full.length - 1024), full.subarray(0, 1500)]) {
      const r = new FakeRunner().on(pullArgv('.', 'big.txt'), { stdoutBytes: cut });
      const t = await testApp({ runner: r });
      const dest = tempDir('rgsd-pull-');
      await expect(runPull(t.app, 'demo', 'big.txt', dest)).rejects.toThrow(/arrived incomplete or damaged/);
      expect(existsSync(join(dest, 'big.txt'))).toBe(false);
    }
  });

  it('an archive with a path outside what was asked (.., another name): refused, nothing written', async () => {
    for (const evil of ['./x/../../evil', './other']) {
      const archive = tarOf([
        { path: './x/', type: 'dir', mode: 0o755 },
        { path: evil, type: 'file', mode: 0o644, text: 'boo' },
      ]);
      const r = new FakeRunner().on(pullArgv('.', 'x'), { stdoutBytes: archive });
      const t = await testApp({ runner: r });
      const dest = tempDir('rgsd-pull-');
      await expect(runPull(t.app, 'demo', 'x', dest)).rejects.toThrow(/outside what was asked for/);
      expect(existsSync(join(dest, 'x'))).toBe(false);
    }
  });

  it('an existing local file: refused (exit 7) before any call; --force replaces it', async () => {
    const dest = tempDir('rgsd-pull-');
    writeFileSync(join(dest, 'n.txt'), 'old');
    utimesSync(join(dest, 'n.txt'), 1, 1);
    const r = new FakeRunner().on(pullArgv('.', 'n.txt'), {
      stdoutBytes: tarOf([{ path: './n.txt', type: 'file', mode: 0o600, text: 'new' }]),
    });
    const t = await testApp({ runner: r });
    await expect(runPull(t.app, 'demo', 'n.txt', dest)).rejects.toThrow(RefusedError);
    expect(r.calls).toEqual([]);
    await runPull(t.app, 'demo', 'n.txt', join(dest, 'n.txt'), true);
    expect(readFileSync(join(dest, 'n.txt'), 'utf8')).toBe('new');
  });

  it('not in the pod: not found (exit 6) with the hint; bad remote paths refused before any call', async () => {
    const r = new FakeRunner().on(pullArgv('workspace', 'nope'), { exitCode: 3, stderr: 'rgsd-pull: not found\n' });
    const t = await testApp({ runner: r });
    const err = await runPull(t.app, 'demo', 'workspace/nope', tempDir('rgsd-pull-')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as NotFoundError).hint).toMatch(/rgsd exec demo -- ls -la workspace/);
    expect(r.calls).toHaveLength(1);
    for (const bad of ['', '.', '/etc/passwd', '../x', '/home/gsd', '/home/gsdx/a'])
      expect(() => podRelative(bad), bad).toThrow(UsageError);
    expect(podRelative('~/a/b/')).toBe('a/b');
    await expect(planPull({ remote: 'a', local: '/nonexistent-dir/x/y', cwd: '/', force: false })).rejects.toThrow(UsageError);
    await expect(runPull(t.app, 'demo', undefined, undefined)).rejects.toThrow(UsageError);
    expect(r.calls).toHaveLength(1);
  });
});
