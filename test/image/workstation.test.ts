// The workstation image with a real Docker engine: build docker/Dockerfile with the optional
// layers off (scripts/build-image --minimal, debootstrap base, layer cache), then run it the
// way the chart does (init-home, then the entrypoint) with a named volume as the home.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDockerd } from '../helpers/dockerd.js';
import { DEFAULT_IMAGE, PACKAGE_VERSION } from '../helpers/version.js';
import { buildImage, docker, dockerOk, Resources, waitUntil } from './docker.js';

const IMAGE = DEFAULT_IMAGE; // rgsd/workstation:<package.json version>
const TEST_TAG = 'rgsd/workstation:image-test';

let stopDockerd: () => Promise<void> = async () => {};
const res = new Resources();

beforeAll(async () => {
  stopDockerd = ensureDockerd();
  const b = buildImage(['--minimal', '--tag', IMAGE, '--tag', TEST_TAG]);
  if (b.status !== 0) throw new Error(`scripts/build-image failed:\n${b.stderr.slice(-4000)}`);
});

afterAll(async () => {
  res.cleanup();
  await stopDockerd();
});

/** One boot the way the chart does it: init-home (the init container), then the workstation. */
function boot(volume: string, name: string, env: Record<string, string> = {}, runArgs: readonly string[] = []): string {
  const mount = ['--mount', `type=volume,src=${volume},dst=/home/gsd,volume-nocopy`];
  const envArgs = Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
  // A fresh PVC is empty and owned by root; fsGroup makes it writable for uid 1000.
  dockerOk(['run', '--rm', '--user', '0', ...mount, TEST_TAG, 'chown', '1000:1000', '/home/gsd']);
  const init = docker(['run', '--rm', ...runArgs, ...mount, ...envArgs, TEST_TAG, '/opt/rgsd/init-home']);
  expect(init.status, init.stderr).toBe(0);
  dockerOk(['run', '-d', ...runArgs, '--name', name, ...mount, ...envArgs, TEST_TAG]);
  return init.stdout;
}

/** A workstation booted on a new volume of its own, its tmux session up; `runArgs` go to
 * both `docker run`s (e.g. `--network none`). Returns the container's name. */
async function freshWorkstation(suffix: string, runArgs: readonly string[] = []): Promise<string> {
  const volume = res.volume(suffix);
  dockerOk(['volume', 'create', volume]);
  const name = res.container(suffix);
  boot(volume, name, {}, runArgs);
  await sessionUp(name);
  return name;
}

const exec = (name: string, script: string): { status: number; stdout: string; stderr: string } =>
  docker(['exec', name, 'bash', '-c', script]);

async function sessionUp(name: string): Promise<void> {
  await waitUntil(
    () => docker(['exec', name, 'tmux', 'has-session', '-t', '=main']).status === 0,
    60_000,
    () => `tmux session never came up:\n${docker(['logs', name]).stdout}`,
  );
}

describe('workstation image', () => {
  it('has the core tools, Node 22, the user and the scripts', () => {
    const r = docker([
      'run',
      '--rm',
      TEST_TAG,
      'bash',
      '-c',
      'id -u; id -g; node --version; for t in git tmux zsh gh ssh rg fdfind fzf jq vim nano python3 pigz npm tini claude codex; do command -v "$t" >/dev/null || echo "missing $t"; done; ls /opt/rgsd; test -d /home/gsd.skel && echo skel',
    ]);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines.slice(0, 2)).toEqual(['1000', '1000']);
    expect(lines[2]).toMatch(/^v22\./);
    expect(lines.filter((l) => l.startsWith('missing'))).toEqual([]);
    expect(lines).toEqual(
      expect.arrayContaining([
        'entrypoint',
        'init-home',
        'status',
        'vscode-tunnel',
        'lib.sh',
        'load-secrets.sh',
        'backup',
        'restore',
        'idle-watcher',
        'heartbeat.mjs',
        'home.mjs',
        'skel',
      ]),
    );
  });

  it("is labelled with package.json's version", () => {
    for (const ref of [IMAGE, TEST_TAG]) {
      const label = dockerOk(['image', 'inspect', '--format', '{{index .Config.Labels "org.opencontainers.image.version"}}', ref]);
      expect(label, ref).toBe(PACKAGE_VERSION);
    }
  });

  it('keeps the optional layers out of a --minimal build', () => {
    const r = docker([
      'run',
      '--rm',
      TEST_TAG,
      'bash',
      '-c',
      'for t in go kubectl helm code pyright; do command -v "$t" && echo "present $t"; done; true',
    ]);
    expect(r.status).toBe(0);
    expect(r.stdout).not.toContain('present');
  });

  it('puts the rgsd scripts in the last layers (editing the entrypoint rebuilds only the tail)', () => {
    const history = dockerOk(['history', '--no-trunc', '--format', '{{.CreatedBy}}', TEST_TAG]).split('\n');
    const scriptsLayer = history.findIndex((l) => /#\(nop\) COPY multi:\w+ in \/opt\/rgsd\/\s*$/.test(l));
    const npmLayer = history.findIndex((l) => l.includes('npm install -g'));
    const aptLayer = history.findIndex((l) => l.includes('apt-get install'));
    expect(scriptsLayer, history.join('\n')).toBeGreaterThanOrEqual(0);
    // Newest first: scripts above the agent CLIs above the Debian packages...
    expect(scriptsLayer).toBeLessThan(npmLayer);
    expect(npmLayer).toBeLessThan(aptLayer);
    // ...and it is the very last instruction: an entrypoint edit rebuilds one layer.
    expect(scriptsLayer).toBe(0);
  });

  it('runs the tmux session and keeps the home across containers without re-seeding', async () => {
    const volume = res.volume('home');
    dockerOk(['volume', 'create', volume]);

    const first = res.container('first');
    const seedLog = boot(volume, first, { RGSD_PROJECT: 'imgtest' });
    expect(seedLog).toContain('first boot: seeding /home/gsd');
    await sessionUp(first);
    const status = JSON.parse(dockerOk(['exec', first, '/opt/rgsd/status', '--json']));
    expect(status.sessions.map((s: { name: string }) => s.name)).toEqual(['main']);
    expect(status.tunnel.state).toBe('not-installed');

    const sentinel = exec(first, 'cat ~/.home-initialized').stdout;
    expect(sentinel).toMatch(/^seeded /);
    // User work in the home, and a skeleton file the user deleted.
    expect(exec(first, 'echo precious > ~/work.txt && rm ~/.zshrc.local && test -f /home/gsd.skel/.zshrc.local').status).toBe(0);

    // SIGTERM (docker stop) ends the workstation itself: exit 0, not the 137 of the SIGKILL
    // docker sends when the 60 s grace runs out (a condition, not a timing).
    dockerOk(['stop', '-t', '60', first]);
    expect(dockerOk(['inspect', '-f', '{{.State.ExitCode}}', first])).toBe('0');
    dockerOk(['rm', first]);

    const second = res.container('second');
    const secondLog = boot(volume, second, { RGSD_PROJECT: 'imgtest' });
    expect(secondLog).toContain('skeleton not copied');
    await sessionUp(second);
    expect(exec(second, 'cat ~/work.txt').stdout).toBe('precious\n');
    expect(exec(second, 'test -e ~/.zshrc.local').status).not.toBe(0);
    expect(exec(second, 'cat ~/.home-initialized').stdout).toBe(sentinel);
  });

  it('keeps secrets off command lines and out of the tmux server: a 200 KiB value does not break the boot', async () => {
    const secrets = mkdtempSync(join(tmpdir(), 'rgsd-img-secrets-'));
    try {
      const small = 'small-secret-value-7d1e4c';
      writeFileSync(join(secrets, 'SMALL_KEY'), small);
      writeFileSync(join(secrets, 'BIG_BLOB'), 'x'.repeat(200 * 1024));
      chmodSync(secrets, 0o755);
      for (const f of ['SMALL_KEY', 'BIG_BLOB']) chmodSync(join(secrets, f), 0o644); // read by uid 1000 in the container
      const volume = res.volume('home-secrets');
      dockerOk(['volume', 'create', volume]);
      const name = res.container('secrets');
      const mount = ['--mount', `type=volume,src=${volume},dst=/home/gsd,volume-nocopy`, '-v', `${secrets}:/var/run/rgsd/secrets:ro`];
      dockerOk(['run', '--rm', '--user', '0', ...mount, TEST_TAG, 'chown', '1000:1000', '/home/gsd']);
      const init = docker(['run', '--rm', ...mount, TEST_TAG, '/opt/rgsd/init-home']);
      expect(init.status, init.stderr).toBe(0);
      dockerOk(['run', '-d', '--name', name, ...mount, TEST_TAG]);
      await sessionUp(name);
      // an interactive login shell (what `rgsd connect` opens) has the small one, not the big one
      const shell = docker(['exec', name, 'zsh', '-ilc', 'printf "%s|%s" "${SMALL_KEY:-}" "${#BIG_BLOB}"']);
      expect(shell.stdout).toContain(`${small}|0`);
      expect(shell.stderr).toMatch(/secret BIG_BLOB is not exported/);
      // neither the tmux server's environment nor any process's command line holds a value
      expect(exec(name, 'tmux show-environment -g').stdout).not.toContain(small);
      expect(exec(name, 'cat /proc/[0-9]*/cmdline 2>/dev/null | tr "\\0" " "').stdout).not.toContain(small);
    } finally {
      rmSync(secrets, { recursive: true, force: true });
    }
  });

  it("has the seed image's tmux settings and git defaults (the user's own files override them)", async () => {
    const name = await freshWorkstation('defaults');
    const opt = (args: string) => exec(name, `tmux show-options -v ${args}`).stdout.trim();
    expect(opt('-g assume-paste-time')).toBe('0');
    expect(opt('-s extended-keys')).toBe('on');
    expect(opt('-gw mode-keys')).toBe('vi');
    expect(exec(name, 'tmux list-keys -T copy-mode-vi y').stdout).toContain('copy-selection-and-cancel');
    expect(exec(name, 'stat -c %U /etc/gitconfig').stdout.trim()).toBe('root');
    for (const [key, value] of [
      ['safe.directory', '*'],
      ['init.defaultBranch', 'main'],
      ['pull.rebase', 'true'],
      ['push.autoSetupRemote', 'true'],
      ['core.editor', 'vim'],
    ]) {
      expect(exec(name, `git config --get ${key}`).stdout.trim(), key).toBe(value);
    }
    expect(exec(name, 'cd ~/workspace && git init -q . && git symbolic-ref --short HEAD').stdout.trim()).toBe('main');
    expect(exec(name, 'git config --global pull.rebase false && git config --get pull.rebase').stdout.trim()).toBe('false');
  });

  it('recreates a killed session inside the container', async () => {
    const name = await freshWorkstation('supervise');
    expect(docker(['exec', name, 'tmux', 'kill-session', '-t', '=main']).status).toBe(0);
    await sessionUp(name);
    expect(dockerOk(['logs', name])).toContain("session 'main' is gone; recreating it");
  });
});

// The real agents of the image, as far as they go without network access (docker --network
// none): the flags rgsd uses, where Claude Code reads our hooks, and that it runs them.
describe('agents of the image report their state (agent-hook)', () => {
  const HOOK_EVENTS = [
    'SessionStart',
    'UserPromptSubmit',
    'PreToolUse',
    'PermissionRequest',
    'PostToolUse',
    'Notification',
    'Stop',
    'StopFailure',
    'SessionEnd',
  ];

  /** A booted workstation without network, the way the chart boots it. */
  function offline(suffix: string): Promise<string> {
    return freshWorkstation(suffix, ['--network', 'none']);
  }

  it('has the pinned claude and codex, and they accept the flags rgsd uses', () => {
    const name = res.container('agent-flags');
    dockerOk(['run', '-d', '--network', 'none', '--name', name, TEST_TAG, 'sleep', '600']);
    expect(exec(name, 'claude --version').stdout).toMatch(/^2\.1\.330 \(Claude Code\)/);
    const help = exec(name, 'claude --help').stdout;
    for (const flag of [
      '--print',
      '--output-format',
      '--permission-mode',
      '--max-budget-usd',
      '--model',
      '--session-id',
      '--settings',
      '--allowedTools',
      '--worktree',
      '--bg',
    ]) {
      expect(help, flag).toContain(flag);
    }
    expect(exec(name, 'claude agents --help').stdout).toContain('--json');
    expect(exec(name, 'cd /tmp && claude agents --json')).toMatchObject({ status: 0, stdout: '[]\n' });
    expect(exec(name, 'codex --version').stdout).toMatch(/codex-cli 0\.169\.0/);
    const exe = exec(name, 'codex exec --help').stdout;
    for (const flag of [
      '--json',
      '--sandbox',
      '--skip-git-repo-check',
      '--dangerously-bypass-approvals-and-sandbox',
      '--cd',
      '--output-last-message',
      '--ephemeral',
    ]) {
      expect(exe, flag).toContain(flag);
    }
  });

  it("tells whether the real Codex's sandbox runs commands: not under the restricted pod's seccomp profile, and a sandboxed codex task is refused there", async () => {
    // the pod's security context: no capabilities, no privilege escalation, the runtime's default seccomp
    const restricted = res.container('codex-sandbox');
    dockerOk([
      'run',
      '-d',
      '--network',
      'none',
      '--cap-drop',
      'ALL',
      '--security-opt',
      'no-new-privileges',
      '--name',
      restricted,
      TEST_TAG,
      'sleep',
      '600',
    ]);
    const r = exec(restricted, '/opt/rgsd/task check --json');
    expect(r.status, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { agents: Record<string, boolean>; codexSandbox: { mode: string; ok: boolean; detail: string }[] };
    expect(doc.agents).toMatchObject({ claude: true, codex: true });
    expect(doc.codexSandbox.map((c) => [c.mode, c.ok])).toEqual([
      ['read-only', false],
      ['workspace-write', false],
    ]);
    expect(doc.codexSandbox[0]?.detail).toMatch(/^bwrap: No permissions to create a new namespace/);
    // the same probe succeeds where user namespaces are allowed: it tells the two apart
    const open = res.container('codex-sandbox-open');
    dockerOk([
      'run',
      '-d',
      '--network',
      'none',
      '--security-opt',
      'seccomp=unconfined',
      '--security-opt',
      'apparmor=unconfined',
      '--name',
      open,
      TEST_TAG,
      'sleep',
      '600',
    ]);
    const o = JSON.parse(exec(open, '/opt/rgsd/task check --json').stdout) as typeof doc;
    expect(o.codexSandbox.map((c) => [c.mode, c.ok])).toEqual([
      ['read-only', true],
      ['workspace-write', true],
    ]);
    // in a booted workstation (default seccomp) a codex task with the edit preset is refused up front
    const name = await offline('codex-task');
    const t = exec(name, "printf 'say hi' | /opt/rgsd/task start --agent codex --preset edit");
    expect(t.status).toBe(7);
    expect(t.stderr).toMatch(/codex's workspace-write sandbox cannot run commands in this pod \(bwrap: /);
    expect(exec(name, 'ls ~/.rgsd/tasks 2>/dev/null | wc -l').stdout.trim()).toBe('0');
  });

  it('installs the Claude Code hooks as root-owned managed settings, out of the user’s reach', () => {
    const name = res.container('agent-managed');
    dockerOk(['run', '-d', '--network', 'none', '--name', name, TEST_TAG, 'sleep', '600']);
    const file = '/etc/claude-code/managed-settings.json';
    expect(exec(name, `stat -c '%U %a' ${file}`).stdout.trim()).toBe('root 644');
    expect(exec(name, `test -w ${file} || test -w /etc/claude-code`).status).not.toBe(0);
    const settings = JSON.parse(exec(name, `cat ${file}`).stdout);
    expect(Object.keys(settings.hooks).sort()).toEqual([...HOOK_EVENTS, 'PostToolUseFailure'].sort());
    for (const groups of Object.values(settings.hooks) as { hooks: { type: string; command: string }[] }[][]) {
      expect(groups.flatMap((g) => g.hooks)).toEqual([{ type: 'command', command: '/opt/rgsd/agent-hook claude', timeout: 10 }]);
    }
    expect(settings.disableAllHooks).toBeUndefined();
    expect(settings.allowManagedHooksOnly).toBeUndefined(); // the user's own hooks keep running
  });

  it('the real Claude Code runs the managed hooks in a pre-trusted workspace, with no dialog and no network', async () => {
    const name = await offline('agent-claude');
    // agent-setup ran at boot: the workspace is trusted, Codex notifies us.
    expect(JSON.parse(exec(name, 'cat ~/.claude.json').stdout).projects['/home/gsd/workspace']).toEqual({ hasTrustDialogAccepted: true });
    expect(exec(name, 'cat ~/.codex/config.toml').stdout).toContain('notify = ["/opt/rgsd/agent-hook", "codex", "notify"]');
    expect(exec(name, 'codex features list >/dev/null').status).toBe(0); // Codex accepts that config
    // Skip first-run onboarding and the API-key question (not rgsd's business), then start it.
    const key = `sk-ant-api03-${'A'.repeat(40)}`;
    expect(
      exec(
        name,
        `jq '.hasCompletedOnboarding = true | .customApiKeyResponses = {approved: ["${key.slice(-20)}"], rejected: []}' ~/.claude.json >/tmp/c.json && cat /tmp/c.json >~/.claude.json`,
      ).status,
    ).toBe(0);
    // Neither the user's settings (a pushed ~/.claude) nor the repository's can switch them off.
    const off = JSON.stringify({ disableAllHooks: true });
    const offFiles = `mkdir -p ~/.claude ~/workspace/.claude && echo '${off}' >~/.claude/settings.json && echo '${off}' >~/workspace/.claude/settings.json`;
    expect(exec(name, offFiles).status).toBe(0);
    const pane = exec(
      name,
      `tmux new-window -d -P -F '#{pane_id}' -t =main -c /home/gsd/workspace "env ANTHROPIC_API_KEY=${key} claude; sleep 600"`,
    ).stdout.trim();
    expect(pane).toMatch(/^%\d+$/);
    const recordOf = (): Record<string, unknown> => {
      const r = exec(name, `cat ~/.rgsd/run/panes/${pane.slice(1)}.json 2>/dev/null`);
      return r.status === 0 ? JSON.parse(r.stdout) : {};
    };
    await waitUntil(
      () => recordOf().event === 'SessionStart',
      60_000,
      () => `no SessionStart hook ran:\n${exec(name, `tmux capture-pane -p -t ${pane}`).stdout}`,
    );
    const start = recordOf();
    expect(start).toMatchObject({
      pane,
      agent: 'claude',
      state: 'waiting',
      waitingFor: 'input',
      source: 'hook',
      detail: 'startup',
      cwd: '/home/gsd/workspace',
    });
    expect(String(start.transcriptPath)).toMatch(/^\/home\/gsd\/\.claude\/projects\/.*\.jsonl$/);
    // Claude's own view of its sessions names the same one.
    const agents = JSON.parse(exec(name, 'cd /home/gsd/workspace && claude agents --json').stdout) as {
      sessionId?: string;
      kind: string;
    }[];
    expect(agents).toContainEqual(expect.objectContaining({ kind: 'interactive', sessionId: start.sessionId }));
    // A prompt: UserPromptSubmit says working (the API is unreachable, so the turn never ends).
    let polls = 0;
    await waitUntil(
      () => {
        if (recordOf().event === 'UserPromptSubmit') return true;
        if (polls++ % 20 === 0) exec(name, `tmux send-keys -t ${pane} 'say hi' Enter`);
        return false;
      },
      60_000,
      () => `no UserPromptSubmit hook ran:\n${exec(name, `tmux capture-pane -p -t ${pane}`).stdout}`,
    );
    expect(recordOf()).toMatchObject({ state: 'working', sessionId: start.sessionId });
  });

  it('the real Codex runs the managed hooks of /etc/codex/config.toml without a review, with no network', async () => {
    const name = await offline('agent-codex');
    expect(exec(name, 'stat -c %U /etc/codex/config.toml').stdout.trim()).toBe('root');
    // A live pane for TMUX_PANE: the monitor prunes the record of a pane tmux does not have
    // within a tick (a made-up %77 was gone before a slow poll saw it, in CI).
    const pane = exec(name, "tmux new-window -d -P -F '#{pane_id}' sleep 3600").stdout.trim();
    expect(pane).toMatch(/^%\d+$/);
    // A dummy key: the session starts and the prompt is submitted; the model is unreachable, so
    // codex keeps retrying. Started in the background; the record is read once it names the
    // prompt (a condition, not a time: a loaded machine may take long to get there).
    const started = exec(
      name,
      `mkdir -p ~/w && cd ~/w && (OPENAI_API_KEY=sk-dummy TMUX_PANE=${pane} codex exec --skip-git-repo-check "say hi" </dev/null >/tmp/codex.out 2>&1 & echo $! >/tmp/codex.pid)`,
    );
    expect(started.status, started.stderr).toBe(0);
    let rec: Record<string, unknown> = {};
    await waitUntil(
      () => {
        const r = exec(name, `cat ~/.rgsd/run/panes/${pane.slice(1)}.json 2>/dev/null`);
        rec = r.status === 0 && r.stdout.trim() ? (JSON.parse(r.stdout) as Record<string, unknown>) : {};
        return rec.event === 'UserPromptSubmit';
      },
      120_000,
      () => `no UserPromptSubmit hook ran (last record ${JSON.stringify(rec)}):\n${exec(name, 'tail -20 /tmp/codex.out').stdout}`,
    );
    exec(name, 'kill "$(cat /tmp/codex.pid)" 2>/dev/null; true');
    expect(rec).toMatchObject({
      pane,
      agent: 'codex',
      event: 'UserPromptSubmit',
      state: 'working',
      source: 'hook',
      cwd: '/home/gsd/w',
    });
    expect(String(rec.transcriptPath)).toMatch(/^\/home\/gsd\/\.codex\/sessions\/.*\.jsonl$/);
  });
});
