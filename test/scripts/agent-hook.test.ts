// agent-hook and agent-setup: the agents' hooks write the pane records with real tmux panes
// (the fake agent's hooks.mjs calls them the way Claude Code, Codex and GSD do), and
// agent-setup installs them into the user's files without losing anything of the user's.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REPO, Root, script, waitUntil } from './harness.js';

const HOOKS = join(REPO, 'test', 'fixtures', 'fake-agent', 'hooks.mjs');
let root: Root;
let managed: string;
let codexSystem: string;

beforeEach(() => {
  root = new Root();
  // The image's managed settings, pointing at this checkout's agent-hook.
  managed = join(root.dir, 'managed-settings.json');
  const text = readFileSync(join(REPO, 'docker', 'claude-managed-settings.json'), 'utf8');
  writeFileSync(managed, text.replaceAll('/opt/rgsd/agent-hook', script('agent-hook')));
  codexSystem = join(root.dir, 'codex-system.toml');
  const toml = readFileSync(join(REPO, 'docker', 'codex-managed-config.toml'), 'utf8');
  writeFileSync(codexSystem, toml.replaceAll('/opt/rgsd/agent-hook', script('agent-hook')));
  // A tiny driver: `node driver.mjs FLAVOR EVENT [FIELDS-JSON]` fires one hook like the agent.
  writeFileSync(
    join(root.dir, 'driver.mjs'),
    `import { emit } from ${JSON.stringify(HOOKS)};\n` +
      'const [flavor, event, fields] = process.argv.slice(2);\n' +
      'const r = await emit(flavor, event, fields ? JSON.parse(fields) : {});\n' +
      'if (r.exited) await r.exited;\n',
  );
  expect(root.tmux('new-session', '-d', '-s', 'main', '-x', '100', '-y', '30').status).toBe(0);
  expect(root.tmux('set-option', '-g', 'remain-on-exit', 'on').status).toBe(0);
});
afterEach(() => root.cleanup());

const runDir = (): string => join(root.home, '.rgsd', 'run');
const shq = (s: string): string => `'${s.replaceAll("'", "'\\''")}'`;

/** A pane of the session that runs nothing yet (its id, e.g. %3). */
function newPane(): string {
  const r = root.tmux('new-window', '-d', '-P', '-F', '#{pane_id}', '-t', '=main', 'true');
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.trim();
}

function record(pane: string): Record<string, unknown> | null {
  const file = join(runDir(), 'panes', `${pane.slice(1)}.json`);
  if (!existsSync(file)) return null;
  return JSON.parse(readFileSync(file, 'utf8'));
}

/** Fires EVENT in PANE (a process tmux starts there, so TMUX_PANE is tmux's own) and waits
 * for the pane record to name it. */
async function fire(
  pane: string,
  flavor: string,
  event: string,
  fields: Record<string, unknown> = {},
  expectEvent = event,
): Promise<Record<string, unknown>> {
  const before = record(pane);
  const cmd = [
    `cd ${shq(root.workspace)} &&`,
    `RGSD_CLAUDE_MANAGED_SETTINGS=${shq(managed)}`,
    `RGSD_CODEX_SYSTEM_CONFIG=${shq(codexSystem)}`,
    'node',
    shq(join(root.dir, 'driver.mjs')),
    flavor,
    event,
    shq(JSON.stringify(fields)),
  ].join(' ');
  expect(root.tmux('respawn-pane', '-k', '-t', pane, cmd).status).toBe(0);
  let got: Record<string, unknown> | null = null;
  await waitUntil(
    () => {
      got = record(pane);
      return got !== null && got.event === expectEvent && JSON.stringify(got) !== JSON.stringify(before);
    },
    60_000,
    () => `no ${expectEvent} record for ${pane}: ${JSON.stringify(record(pane))}\n${root.tmux('capture-pane', '-p', '-t', pane).stdout}`,
  );
  return got as unknown as Record<string, unknown>;
}

beforeEach(() => mkdirSync(join(root.home, 'workspace'), { recursive: true }));

describe('agent-hook writes the pane record from the agents’ hooks', () => {
  it('Claude Code: each hook event gives its state, from a real pane', async () => {
    const pane = newPane();
    const steps: [string, Record<string, unknown>, Record<string, unknown>][] = [
      ['SessionStart', { source: 'startup' }, { state: 'waiting', waitingFor: 'input', detail: 'startup' }],
      ['UserPromptSubmit', { prompt: 'my secret prompt sk-123' }, { state: 'working', waitingFor: null }],
      ['PreToolUse', { tool_name: 'Bash', tool_input: { command: 'rm -rf build' } }, { state: 'working', detail: 'Bash' }],
      [
        'Notification',
        { notification_type: 'permission_prompt', message: 'Claude needs your permission to use Bash' },
        { state: 'waiting', waitingFor: 'permission', detail: 'permission_prompt' },
      ],
      ['PostToolUse', { tool_name: 'Bash', tool_input: {}, tool_response: { stdout: 'x' } }, { state: 'working', waitingFor: null }],
      ['Stop', {}, { state: 'waiting', waitingFor: 'input', detail: null }],
      [
        'Notification',
        { notification_type: 'idle_prompt', message: 'Claude is waiting for your input' },
        { state: 'waiting', waitingFor: 'input', detail: 'idle_prompt' },
      ],
      ['StopFailure', { error: 'rate_limit' }, { state: 'waiting', waitingFor: 'input', detail: 'rate_limit' }],
      ['SessionEnd', { reason: 'prompt_input_exit' }, { state: 'exited', waitingFor: null }],
    ];
    for (const [event, fields, want] of steps) {
      const r = await fire(pane, 'claude', event, fields);
      expect(r, event).toMatchObject({ pane, agent: 'claude', event, source: 'hook', cwd: root.workspace, task: null, ...want });
      expect(r.sessionId).toMatch(/^[0-9a-f-]{36}$/);
      expect(String(r.transcriptPath)).toMatch(/\.jsonl$/);
      expect(r.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(Math.abs(Number(r.epoch) - Date.now() / 1000)).toBeLessThan(30);
    }
    // The payloads' text (prompts, commands, messages) never reaches the record.
    const text = readFileSync(join(runDir(), 'panes', `${pane.slice(1)}.json`), 'utf8');
    expect(text).not.toMatch(/secret|rm -rf|needs your permission/);
    expect(statSync(join(runDir(), 'panes')).mode & 0o777).toBe(0o700);
  });

  it('Claude Code: other notifications change nothing; a repository cannot switch the managed hooks off', async () => {
    const pane = newPane();
    mkdirSync(join(root.home, '.claude'), { recursive: true });
    writeFileSync(join(root.home, '.claude', 'settings.json'), JSON.stringify({ disableAllHooks: true }));
    await fire(pane, 'claude', 'PreToolUse', { tool_name: 'Edit' });
    // auth_success is no state: the record stays the PreToolUse one.
    const r = root.tmux(
      'respawn-pane',
      '-k',
      '-t',
      pane,
      `RGSD_CLAUDE_MANAGED_SETTINGS=${shq(managed)} node ${shq(join(root.dir, 'driver.mjs'))} claude Notification '{"notification_type":"auth_success","message":"x"}'; touch ${shq(join(root.dir, 'done'))}`,
    );
    expect(r.status).toBe(0);
    await waitUntil(
      () => existsSync(join(root.dir, 'done')),
      60_000,
      () => 'the notification never ran',
    );
    expect(record(pane)).toMatchObject({ event: 'PreToolUse', state: 'working', detail: 'Edit' });
  });

  it('without TMUX_PANE it writes nothing, prints nothing and exits 0 (also on a broken payload)', () => {
    const env = { ...root.env(), RGSD_RUN_DIR: runDir() };
    for (const input of ['{"hook_event_name":"Stop","session_id":"s"}', 'not json at all', '']) {
      const r = spawnSync(script('agent-hook'), ['claude'], { env, input, encoding: 'utf8' });
      expect(r.status).toBe(0);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe('');
    }
    expect(existsSync(join(runDir(), 'panes'))).toBe(false);
    // With a pane but a broken payload: still exit 0 and silent; no event -> no record.
    const r = spawnSync(script('agent-hook'), ['claude'], { env: { ...env, TMUX_PANE: '%9' }, input: '{{{', encoding: 'utf8' });
    expect([r.status, r.stdout, r.stderr]).toEqual([0, '', '']);
    expect(existsSync(join(runDir(), 'panes', '9.json'))).toBe(false);
  });

  it('Codex: notify marks the turn end and chains to the notifier the user had, with the same argument', async () => {
    const got = join(root.dir, 'user-notify.out');
    const notifier = root.fakeBin('my-notify', `printf '%s|%s' "$1" "$2" >${shq(got)}.tmp && mv ${shq(got)}.tmp ${shq(got)}`);
    mkdirSync(join(root.home, '.codex'), { recursive: true });
    writeFileSync(
      join(root.home, '.codex', 'config.toml'),
      `model = "o3"\nnotify = ["${notifier}", "--from-codex"]\n\n[tui]\nnotifications = true\n`,
    );
    const setup = root.run('agent-setup', ['codex']);
    expect(setup.status, setup.stdout + setup.stderr).toBe(0);
    const pane = newPane();
    const r = await fire(pane, 'codex', 'agent-turn-complete', { 'last-assistant-message': 'all done', 'input-messages': ['hi'] });
    expect(r).toMatchObject({ pane, agent: 'codex', state: 'waiting', waitingFor: 'input', source: 'notify', cwd: root.workspace });
    await waitUntil(
      () => existsSync(got),
      60_000,
      () => 'the user notifier was not called',
    );
    const [flag, json] = readFileSync(got, 'utf8').split('|');
    expect(flag).toBe('--from-codex');
    expect(JSON.parse(json ?? '')).toMatchObject({
      type: 'agent-turn-complete',
      'last-assistant-message': 'all done',
      cwd: root.workspace,
    });
    expect(readFileSync(join(root.dir, 'user-notify.out'), 'utf8')).not.toContain('agent-hook');
  });

  it('Codex: the managed hooks of its system config report working and a permission prompt', async () => {
    const pane = newPane();
    const steps: [string, Record<string, unknown>, Record<string, unknown>][] = [
      ['SessionStart', { source: 'startup' }, { state: 'waiting', waitingFor: 'input', detail: 'startup' }],
      ['UserPromptSubmit', { prompt: 'do it' }, { state: 'working' }],
      [
        'PermissionRequest',
        { tool_name: 'Bash', tool_input: { command: 'make' } },
        { state: 'waiting', waitingFor: 'permission', detail: 'Bash' },
      ],
      ['PostToolUse', { tool_name: 'Bash', tool_input: {}, tool_response: 'ok' }, { state: 'working', waitingFor: null }],
      ['Stop', {}, { state: 'waiting', waitingFor: 'input' }],
    ];
    for (const [event, fields, want] of steps) {
      expect(await fire(pane, 'codex', event, fields), event).toMatchObject({ pane, agent: 'codex', event, source: 'hook', ...want });
    }
  });

  it('GSD: its hooks in ~/.gsd/agent/settings.json report the state, next to the user’s own hooks', async () => {
    const settings = join(root.home, '.gsd', 'agent', 'settings.json');
    mkdirSync(join(root.home, '.gsd', 'agent'), { recursive: true });
    writeFileSync(settings, JSON.stringify({ quietStartup: true, hooks: { Stop: [{ command: `touch ${shq(join(root.dir, 'mine'))}` }] } }));
    expect(root.run('agent-setup', ['gsd']).status).toBe(0);
    const pane = newPane();
    expect(await fire(pane, 'gsd', 'PreToolUse', { toolName: 'bash', input: { command: 'ls' } })).toMatchObject({
      agent: 'gsd',
      state: 'working',
      detail: 'bash',
      cwd: root.workspace,
      sessionId: null,
    });
    expect(await fire(pane, 'gsd', 'Stop')).toMatchObject({ agent: 'gsd', state: 'waiting', waitingFor: 'input' });
    await waitUntil(
      () => existsSync(join(root.dir, 'mine')),
      60_000,
      () => 'the user’s own GSD hook did not run',
    );
    expect(JSON.parse(readFileSync(settings, 'utf8')).quietStartup).toBe(true);
  });
});

describe('agent-setup', () => {
  const claudeJson = (): string => join(root.home, '.claude.json');
  const codexToml = (): string => join(root.home, '.codex', 'config.toml');

  it('pre-trusts the workspace and the worktrees in ~/.claude.json, keeping the user’s data, idempotently', () => {
    const user = {
      numStartups: 7,
      oauthAccount: { emailAddress: 'me@example.com' },
      projects: { '/elsewhere': { allowedTools: ['Bash'] } },
    };
    writeFileSync(claudeJson(), JSON.stringify(user));
    mkdirSync(join(root.home, '.rgsd', 'worktrees', 'fix-1'), { recursive: true });
    const first = root.run('agent-setup', ['claude']);
    expect(first.status, first.stdout).toBe(0);
    const doc = JSON.parse(readFileSync(claudeJson(), 'utf8'));
    expect(doc).toMatchObject(user);
    expect(doc.projects[root.workspace]).toEqual({ hasTrustDialogAccepted: true });
    expect(doc.projects[join(root.home, '.rgsd', 'worktrees', 'fix-1')]).toEqual({ hasTrustDialogAccepted: true });
    expect(statSync(claudeJson()).mode & 0o777).toBe(0o600);
    const text = readFileSync(claudeJson(), 'utf8');
    const again = root.run('agent-setup', ['claude']);
    expect([again.status, again.stdout]).toEqual([0, '']);
    expect(readFileSync(claudeJson(), 'utf8')).toBe(text);
    // The task runner trusts a new worktree by path.
    const wt = join(root.home, '.rgsd', 'worktrees', 'task-2');
    mkdirSync(wt);
    expect(root.run('agent-setup', ['trust', wt]).status).toBe(0);
    expect(JSON.parse(readFileSync(claudeJson(), 'utf8')).projects[wt]).toEqual({ hasTrustDialogAccepted: true });
  });

  it('leaves a ~/.claude.json that is not JSON alone, with a warning', () => {
    writeFileSync(claudeJson(), '{ broken');
    const r = root.run('agent-setup', ['claude']);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/warning: .*not a JSON object/);
    expect(readFileSync(claudeJson(), 'utf8')).toBe('{ broken');
  });

  it('puts our notify in ~/.codex/config.toml, keeps every other setting and the user’s notifier, idempotently', () => {
    mkdirSync(join(root.home, '.codex'), { recursive: true });
    const user = [
      '# my config',
      'model = "gpt-5"',
      'notify = [',
      '  "python3", # a comment with ] in it',
      "  '/home/me/notify.py',",
      ']',
      'approval_policy = "on-request"',
      '',
      '[projects."/x"]',
      'trust_level = "trusted"',
      'notify = ["not", "the", "top-level", "one"]',
      '',
    ].join('\n');
    writeFileSync(codexToml(), user);
    chmodSync(codexToml(), 0o640);
    expect(root.run('agent-setup', ['codex']).status).toBe(0);
    const text = readFileSync(codexToml(), 'utf8');
    const ours = `notify = [${JSON.stringify(script('agent-hook'))}, "codex", "notify"]`;
    const lines = text.split('\n');
    expect(lines[2]).toMatch(/^# rgsd: /);
    expect([...lines.slice(0, 2), ...lines.slice(3)]).toEqual([
      '# my config',
      'model = "gpt-5"',
      ours,
      'approval_policy = "on-request"',
      '',
      '[projects."/x"]',
      'trust_level = "trusted"',
      'notify = ["not", "the", "top-level", "one"]',
      '',
    ]);
    expect(lines.filter((l) => l.startsWith('notify = '))).toEqual([ours, 'notify = ["not", "the", "top-level", "one"]']);
    expect(lines).toContain('approval_policy = "on-request"');
    expect(lines).toContain('model = "gpt-5"');
    expect(lines.indexOf(ours)).toBeLessThan(lines.indexOf('[projects."/x"]'));
    expect(statSync(codexToml()).mode & 0o777).toBe(0o640);
    const chain = join(root.home, '.rgsd', 'codex-notify-chain.json');
    expect(JSON.parse(readFileSync(chain, 'utf8'))).toEqual({ notify: ['python3', '/home/me/notify.py'] });
    expect(statSync(chain).mode & 0o777).toBe(0o600);
    // Again: nothing changes, the chain keeps the user's notifier (not ours).
    const again = root.run('agent-setup', ['codex']);
    expect([again.status, again.stdout]).toEqual([0, '']);
    expect(readFileSync(codexToml(), 'utf8')).toBe(text);
    expect(JSON.parse(readFileSync(chain, 'utf8'))).toEqual({ notify: ['python3', '/home/me/notify.py'] });
  });

  it('adds notify to a config.toml without one (at the top level) and creates a missing one', () => {
    mkdirSync(join(root.home, '.codex'), { recursive: true });
    writeFileSync(codexToml(), '[tui]\nnotifications = true\n');
    expect(root.run('agent-setup', ['codex']).status).toBe(0);
    const lines = readFileSync(codexToml(), 'utf8').split('\n');
    expect(lines[1]).toBe(`notify = [${JSON.stringify(script('agent-hook'))}, "codex", "notify"]`);
    expect(lines.slice(2)).toEqual(['[tui]', 'notifications = true', '']);
    expect(existsSync(join(root.home, '.rgsd', 'codex-notify-chain.json'))).toBe(false);
  });

  it('refuses to touch a top-level notify it cannot read', () => {
    mkdirSync(join(root.home, '.codex'), { recursive: true });
    writeFileSync(codexToml(), 'notify = "not-an-array"\n');
    const r = root.run('agent-setup', ['codex']);
    expect(r.status).toBe(1);
    expect(readFileSync(codexToml(), 'utf8')).toBe('notify = "not-an-array"\n');
  });

  it('runs at every boot of the entrypoint', async () => {
    for (const name of ['claude', 'codex']) root.fakeBin(name, 'exit 0');
    const ep = root.start({ PATH: `${root.bin}:${process.env.PATH ?? ''}` });
    await ep.waitFor('ready');
    expect(ep.output).toMatch(/agent-setup: Claude Code: pre-trusted .*workspace/);
    expect(JSON.parse(readFileSync(claudeJson(), 'utf8')).projects[root.workspace]).toEqual({ hasTrustDialogAccepted: true });
    expect(readFileSync(codexToml(), 'utf8')).toContain(`notify = [${JSON.stringify(script('agent-hook'))}, "codex", "notify"]`);
  });

  it('at boot (no arguments) sets up each agent that is installed, and says nothing the second time', () => {
    for (const name of ['claude', 'codex', 'gsd']) root.fakeBin(name, 'exit 0');
    const env = { PATH: `${root.bin}:/usr/bin:/bin` };
    const first = root.run('agent-setup', [], env);
    expect(first.status, first.stdout).toBe(0);
    expect(first.stdout).toMatch(/Claude Code: pre-trusted/);
    expect(first.stdout).toMatch(/Codex: notify installed/);
    expect(first.stdout).toMatch(/GSD: hooks installed/);
    expect(existsSync(claudeJson()) && existsSync(codexToml())).toBe(true);
    expect(existsSync(join(root.home, '.gsd', 'agent', 'settings.json'))).toBe(true);
    expect(root.run('agent-setup', [], env)).toMatchObject({ status: 0, stdout: '' });
  });
});
