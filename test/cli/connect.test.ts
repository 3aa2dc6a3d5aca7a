// `rgsd connect` (and logs/restart) as the BUILT CLI with PATH shims for kubectl: no TTY →
// a clear error and no call; --list works without one; under a real pseudo-terminal
// (util-linux `script`) the one call (kubectl exec -it deployment/… -- /opt/rgsd/attach)
// inherits the terminal, its exit status comes back, attach's own codes become messages.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { kubeconfigFile, REPO_ROOT, tempDir } from '../helpers/test-app.js';
import { CRASH_LOOP_PODS } from '../helpers/cluster-fixture.js';
import { makeShim, type Shim } from '../helpers/tool-shim.js';

const BIN = resolve(REPO_ROOT, 'bin', 'rgsd');
beforeAll(() => {
  if (!existsSync(resolve(REPO_ROOT, 'dist', 'main.js'))) throw new Error('dist/main.js missing: run `npm run build`');
});

const PODS = JSON.stringify({
  items: [
    {
      metadata: { name: 'demo-rgsd-7f9c', labels: { 'rgsd.dev/project': 'demo' }, creationTimestamp: '2026-11-23T00:00:00Z' },
      status: {
        phase: 'Running',
        conditions: [{ type: 'Ready', status: 'True' }],
        containerStatuses: [{ name: 'workstation', ready: true, restartCount: 0, state: { running: {} } }],
      },
    },
  ],
});
const SESSIONS = JSON.stringify({ sessions: [{ name: 'main', windows: 3, attached: false, created: 1763856000 }], tunnel: null });

/** The one call of `rgsd connect demo` (kubectl picks the Deployment's pod), before attach's own flags. */
const ONE_CALL = 'kubectl --context ctx -n rgsd exec -it deployment/demo-rgsd -c workstation --pod-running-timeout=5s -- /opt/rgsd/attach';

function podShim(attach = 'echo "ATTACHED $*"; exit 3'): Shim {
  return makeShim({
    kubectl: [
      { match: '^--context ctx -n rgsd get pods -l rgsd.dev/project=demo -o json$', stdout: PODS },
      { match: '^--context ctx -n rgsd exec demo-rgsd-7f9c -c workstation -- /opt/rgsd/status --json$', stdout: SESSIONS },
      { match: '^--context ctx -n rgsd exec -it ', run: attach },
      { match: '^--context ctx -n rgsd rollout ', stdout: 'ok\n' },
      { match: '^--context ctx -n rgsd logs deployment/demo-rgsd -c workstation --tail=5$', stdout: 'line 1\nline 2\n' },
    ],
  });
}

/** rgsd's environment: the shims first on PATH, the current context "ctx" in the kubeconfig. */
function env(shim: Shim, cfg: string, extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: `${shim.bin}:${process.env.PATH ?? ''}`, HOME: cfg, RGSD_CONFIG_DIR: cfg, KUBECONFIG: kubeconfigFile('ctx'), ...extra };
}

function rgsd(args: string[], shim: Shim, cfg = tempDir()) {
  return execa(process.execPath, [BIN, ...args], { reject: false, input: '', env: env(shim, cfg), extendEnv: false, timeout: 30_000 });
}

/** `rgsd <args>` on a real pseudo-terminal (util-linux `script`); `redirect` is appended to the
 * command line (e.g. `2>file`). */
function atTerminal(args: string, shim: Shim, o: { redirect?: string; env?: Record<string, string>; timeoutMs?: number } = {}) {
  const cfg = tempDir();
  const cmd = `'${process.execPath}' '${BIN}' ${args}${o.redirect ? ` ${o.redirect}` : ''}`;
  return execa('script', ['-qec', cmd, '/dev/null'], {
    reject: false,
    env: env(shim, cfg, { TERM: 'xterm', SHELL: '/bin/sh', ...o.env }),
    extendEnv: false,
    timeout: o.timeoutMs ?? 30_000,
  });
}

describe('rgsd connect (built)', () => {
  it('without a TTY: exit 2, one clear line + hint, no cluster call at all', async () => {
    const shim = podShim();
    const r = await rgsd(['connect', 'demo'], shim);
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([
      'rgsd: rgsd connect attaches your terminal, but stdin and stdout are not a terminal',
      'hint: run it from an interactive terminal (ssh -t for remote shells); `rgsd connect --list` works without one',
    ]);
    expect(shim.calls()).toEqual([]);
  });

  it('--list works without a TTY (2 cluster calls, no kubectl process for the context); --json is one document', async () => {
    const shim = podShim();
    const r = await rgsd(['connect', 'demo', '--list'], shim);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^SESSION\s+WINDOWS\s+ATTACHED\s+CREATED\nmain\s+3\s+no\s+2025-11-23T00:00:00Z$/);
    expect(shim.calls()).toHaveLength(2);
    const j = await rgsd(['connect', 'demo', '--list', '--json'], podShim());
    expect(JSON.parse(j.stdout)).toMatchObject({
      schemaVersion: 1,
      project: 'demo',
      pod: 'demo-rgsd-7f9c',
      sessions: [{ name: 'main', windows: 3 }],
    });
  });

  it('a pod that is not running: exit 1 with its phase and reason and the `rgsd up` hint, no attach', async () => {
    const pending = JSON.stringify({
      items: [
        {
          metadata: { name: 'demo-rgsd-7f9c', labels: { 'rgsd.dev/project': 'demo' }, creationTimestamp: '2026-11-23T00:00:00Z' },
          status: {
            phase: 'Pending',
            containerStatuses: [{ name: 'workstation', ready: false, restartCount: 0, state: { waiting: { reason: 'ImagePullBackOff' } } }],
          },
        },
      ],
    });
    const shim = makeShim({ kubectl: [{ match: '^--context ctx -n rgsd get pods -l rgsd.dev/project=demo -o json$', stdout: pending }] });
    const r = await rgsd(['connect', 'demo', '--list'], shim);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n').slice(-2)).toEqual([
      'rgsd: the workstation pod of demo is Pending (ImagePullBackOff): demo-rgsd-7f9c',
      'hint: run `rgsd up demo` to (re)deploy it; `rgsd status demo` and `rgsd logs demo --init` show more',
    ]);
    expect(shim.calls().filter((c) => / exec /.test(c))).toEqual([]);
  });

  it('under a real pseudo-terminal: ONE call (the terminal type along), the exit status passed on', async () => {
    const shim = podShim();
    const r = await atTerminal('connect demo', shim);
    expect(r.stdout).toMatch(
      /ATTACHED --context ctx -n rgsd exec -it deployment\/demo-rgsd -c workstation --pod-running-timeout=5s -- \/opt\/rgsd\/attach --term xterm( --size \d+x\d+)?(\r?\n|$)/,
    );
    expect(r.exitCode).toBe(3);
    expect(r.stdout).not.toMatch(/rgsd: /); // the child's status is passed on silently
    // the one call; after its non-zero exit, one look at the pod (fine: silence)
    expect(shim.calls().map((c) => c.split(' ').slice(5, 7).join(' '))).toEqual(['exec -it', 'get pods']);
  });

  it('stderr redirected to a file (stdin and stdout on the terminal): it attaches, the messages go to the file', async () => {
    const shim = podShim('echo "ATTACHED $*"; exit 0');
    const log = join(tempDir(), 'stderr.log');
    const r = await atTerminal('connect demo', shim, { redirect: `2>'${log}'` });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain(`ATTACHED ${ONE_CALL.slice('kubectl '.length)}`);
    expect(readFileSync(log, 'utf8')).toContain('attaching to demo (detach: Ctrl-b d)');
    expect(shim.calls()).toHaveLength(1);
  });

  it('a named session the pod does not run (attach exit 81): exit 6 with the --new hint, no further call', async () => {
    const shim = podShim('echo \'rgsd attach: no tmux session "nope" (sessions: main)\' >&2; exit 81');
    const r = await atTerminal('connect demo nope', shim);
    const screen = String(r.stdout).replace(/\r/g, '');
    expect(r.exitCode).toBe(6);
    expect(screen).toContain('rgsd attach: no tmux session "nope" (sessions: main)');
    expect(screen).toContain(
      'rgsd: no tmux session "nope" in demo (the running ones are listed above)\nhint: create it with `rgsd connect demo --new nope`',
    );
    expect(shim.calls()).toEqual([`${ONE_CALL} --session nope --term xterm`]);
  });

  it('a pod that keeps shutting down (attach exit 82): the one call tried again twice (bounded), then one diagnosis', async () => {
    const shim = podShim("echo 'rgsd attach: this pod is shutting down' >&2; exit 82");
    const r = await atTerminal('connect demo', shim);
    const screen = String(r.stdout).replace(/\r/g, '');
    expect(r.exitCode).toBe(1);
    expect(screen).toContain('the pod of demo is shutting down; trying again (1 of 2)');
    expect(screen).toContain('the pod of demo is shutting down; trying again (2 of 2)');
    expect(screen).toMatch(/rgsd: the workstation pod of demo is still shutting down\nhint: try again in a moment/);
    expect(shim.calls().map((c) => c.split(' ').slice(5, 7).join(' '))).toEqual(['exec -it', 'exec -it', 'exec -it', 'get pods']);
  });
});

describe('rgsd connect (built) — the real /opt/rgsd/attach and a real tmux session', () => {
  const servers: string[] = [];
  afterEach(async () => {
    for (const dir of servers.splice(0)) await execa('tmux', ['kill-server'], { env: { ...process.env, TMUX_TMPDIR: dir }, reject: false });
  });

  it('one kubectl call: attach picks the configured session, tmux shows it, 0 when it ends', async () => {
    const tmuxDir = tempDir('rgsd-tmux-');
    servers.push(tmuxDir);
    const tmuxEnv = { ...process.env, TMUX_TMPDIR: tmuxDir };
    // the session lives until the test has seen the attached client draw it, then ends
    const session = 'echo HELLO-FROM-THE-WORKSTATION; sleep 600';
    await execa('tmux', ['new-session', '-d', '-s', 'other', 'sleep 600'], { env: tmuxEnv });
    await execa('tmux', ['new-session', '-d', '-s', 'main', session], { env: tmuxEnv });
    // `kubectl exec -it deployment/x -c workstation … -- /opt/rgsd/attach ARGS…` runs docker/attach ARGS… here
    const shim = podShim(`while [ "$1" != "--" ]; do shift; done; shift 2; exec '${join(REPO_ROOT, 'docker', 'attach')}' "$@"`);
    const home = tempDir('rgsd-home-');
    const child = atTerminal('connect demo', shim, { env: { TMUX_TMPDIR: tmuxDir, RGSD_HOME: home, RGSD_TMUX_SESSION: 'main' } });
    let drawn = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      drawn += chunk.toString();
      if (drawn.includes('HELLO-FROM-THE-WORKSTATION')) void execa('tmux', ['kill-session', '-t', 'main'], { env: tmuxEnv, reject: false });
    });
    const r = await child;
    const screen = String(r.stdout).replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
    expect(screen).toContain('HELLO-FROM-THE-WORKSTATION');
    expect(r.exitCode).toBe(0);
    expect(shim.calls()).toHaveLength(1);
    expect(shim.calls()[0]).toMatch(new RegExp(`^${ONE_CALL.replace(/[./]/g, '\\$&')} --term xterm( --size \\d+x\\d+)?$`));
  });
});

describe('rgsd logs / restart (built)', () => {
  it('logs --tail passes kubectl output straight through', async () => {
    const shim = podShim();
    const r = await rgsd(['logs', 'demo', '--tail', '5'], shim);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe('line 1\nline 2');
  });

  it('restart without a TTY and without --yes: exit 7, nothing restarted', async () => {
    const shim = podShim();
    const r = await rgsd(['restart', 'demo'], shim);
    expect(r.exitCode).toBe(7);
    expect(r.stderr).toContain('ends its tmux session');
    expect(shim.calls().filter((c) => / rollout /.test(c))).toEqual([]);
  });

  it('restart --yes: rollout restart then rollout status', async () => {
    const shim = podShim();
    const r = await rgsd(['restart', 'demo', '--yes', '--timeout', '2m'], shim);
    expect(r.exitCode).toBe(0);
    expect(shim.calls().filter((c) => / rollout /.test(c))).toEqual([
      'kubectl --context ctx -n rgsd rollout restart deployment/demo-rgsd',
      'kubectl --context ctx -n rgsd rollout status deployment/demo-rgsd --timeout=120s',
    ]);
  });
});

const CRASH_LOG = 'rgsd: cloning https://github.com/org/repo.git\nfatal: repository not found\n';
const LOGS_PREVIOUS = '^--context ctx -n rgsd logs demo-rgsd-7f9c -c workstation --tail=20 --previous$';

describe('rgsd connect (built) — a crashing workstation', () => {
  it('CrashLoopBackOff: its log lines, then one error line and the `rgsd logs <p> --previous` hint; no exec', async () => {
    const shim = makeShim({
      kubectl: [
        { match: '^--context ctx -n rgsd get pods -l rgsd.dev/project=demo -o json$', stdout: CRASH_LOOP_PODS },
        { match: LOGS_PREVIOUS, stdout: CRASH_LOG },
      ],
    });
    const r = await rgsd(['connect', 'demo', '--list'], shim);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toEqual([
      'context: ctx  namespace: rgsd',
      'last 2 lines of the workstation log of demo-rgsd-7f9c (its last run):',
      '  │ rgsd: cloning https://github.com/org/repo.git',
      '  │ fatal: repository not found',
      'rgsd: the workstation container of demo is crashing (CrashLoopBackOff; restarted 4 times; last exit: Error, code 1): demo-rgsd-7f9c',
      'hint: its whole log: `rgsd logs demo --previous`; `rgsd status demo` shows the pod, `rgsd up demo` redeploys it after a fix',
    ]);
    expect(shim.calls().filter((c) => / exec /.test(c))).toEqual([]);
  });

  it("under a terminal: the one call fails (kubectl's `unable to upgrade connection`) because the pod crashes → the diagnosis", async () => {
    const shim = makeShim({
      kubectl: [
        { match: '^--context ctx -n rgsd get pods -l rgsd.dev/project=demo -o json$', stdout: CRASH_LOOP_PODS },
        {
          match: '^--context ctx -n rgsd exec -it ',
          run: 'echo \'error: unable to upgrade connection: container not found ("workstation")\' >&2; exit 1',
        },
        { match: LOGS_PREVIOUS, stdout: CRASH_LOG },
      ],
    });
    const r = await atTerminal('connect demo --new scratch', shim);
    const screen = String(r.stdout).replace(/\x1b\[[0-9;]*m|\r/g, '');
    expect(r.exitCode).toBe(1);
    expect(screen).toContain('│ fatal: repository not found');
    expect(screen).toMatch(
      /rgsd: the workstation container of demo is crashing \(CrashLoopBackOff; restarted 4 times; last exit: Error, code 1\): demo-rgsd-7f9c\nhint: its whole log: `rgsd logs demo --previous`/,
    );
    expect(shim.calls()).toEqual([
      `${ONE_CALL} --new scratch --term xterm`,
      'kubectl --context ctx -n rgsd get pods -l rgsd.dev/project=demo -o json',
      'kubectl --context ctx -n rgsd logs demo-rgsd-7f9c -c workstation --tail=20 --previous',
    ]);
  });
});

describe('rgsd -n/--namespace and the settings namespace (built)', () => {
  const noCalls = () => makeShim({ kubectl: [], helm: [] });

  it('-n "" is a usage error (exit 2): one line and a hint, no call at all', async () => {
    const shim = noCalls();
    const r = await rgsd(['connect', 'demo', '--list', '-n', ''], shim);
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([
      'rgsd: -n/--namespace is empty',
      'hint: name one (e.g. -n rgsd), or leave -n out for the settings\' namespace, else "rgsd"',
    ]);
    expect(shim.calls()).toEqual([]);
  });

  it('-n kube-system is refused (exit 2) for commands with and without a project', async () => {
    for (const args of [['connect', 'demo', '--list'], ['status'], ['logs', 'demo']]) {
      const shim = noCalls();
      const r = await rgsd([...args, '-n', 'kube-system'], shim);
      expect(r.exitCode, args.join(' ')).toBe(2);
      const lines = r.stderr.trim().split('\n');
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatch(/^rgsd: -n\/--namespace "kube-system" is one of Kubernetes' own namespaces: /);
      expect(lines[1]).toBe('hint: use a namespace of your own, e.g. -n rgsd (the default); README "Namespaces" says why');
      expect(shim.calls()).toEqual([]);
    }
  });

  it('`namespace: kube-node-lease` in the settings is a configuration error (exit 3) naming the file', async () => {
    const cfg = tempDir();
    mkdirSync(join(cfg, 'projects'));
    writeFileSync(join(cfg, 'projects', 'demo.yaml'), 'namespace: kube-node-lease\n');
    const shim = noCalls();
    const r = await rgsd(['connect', 'demo', '--list'], shim, cfg);
    expect(r.exitCode).toBe(3);
    const lines = r.stderr.trim().split('\n');
    expect(lines[0]).toMatch(new RegExp(`^rgsd: ${join(cfg, 'projects', 'demo.yaml')}: namespace "kube-node-lease" is one of`));
    expect(lines[1]).toMatch(/^hint: set `namespace:` to a namespace of your own/);
    expect(shim.calls()).toEqual([]);
  });
});
