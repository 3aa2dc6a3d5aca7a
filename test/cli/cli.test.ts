// The BUILT CLI (bin/rgsd → dist/main.js) as a child process: argument parsing, exit codes,
// one-line errors with hints, non-TTY behaviour. `npm test` builds first (pretest).
import { existsSync, readFileSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { spawn } from 'node:child_process';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { SECRET_TOKEN, writeProject } from '../helpers/project-fixture.js';
import { deadKubeconfig, kubeconfigFile, REPO_ROOT, tempDir } from '../helpers/test-app.js';
import { makeShim, type Shim, type ShimRule } from '../helpers/tool-shim.js';
import { PACKAGE_VERSION } from '../helpers/version.js';

const BIN = resolve(REPO_ROOT, 'bin', 'rgsd');

beforeAll(() => {
  if (!existsSync(resolve(REPO_ROOT, 'dist', 'main.js')))
    throw new Error('dist/main.js missing: run `npm run build` (npm test does it in pretest)');
});

function rgsd(args: string[], o: { env?: Record<string, string>; configDir?: string; input?: string } = {}) {
  return execa(process.execPath, [BIN, ...args], {
    reject: false,
    input: o.input ?? '',
    env: {
      PATH: process.env.PATH ?? '',
      HOME: o.configDir ?? tempDir(),
      KUBECONFIG: join(tempDir(), 'no-kubeconfig'),
      ...(o.configDir ? { RGSD_CONFIG_DIR: o.configDir } : {}),
      ...o.env,
    },
    extendEnv: false,
    timeout: 30_000,
  });
}

function expectOneLineError(stderr: string, message: RegExp, hint: RegExp): void {
  const lines = stderr
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('rgsd:') || l.startsWith('hint:'));
  expect(lines).toHaveLength(2);
  expect(lines[0]).toMatch(message);
  expect(lines[1]).toMatch(hint);
}

/** The same command line through the commander program of the built CLI (dist/cli/program.js),
 * never the fast path of main.ts: what commander itself prints, and the exit code. */
const COMMANDER_PATH = `
import { createRequire } from 'node:module';
const [root, ...args] = process.argv.slice(1); // node -e: no script path in argv
const commander = createRequire(root + '/package.json')('commander');
const { loadCommands } = await import(root + '/dist/commands/index.js');
const { buildProgram } = await import(root + '/dist/cli/program.js');
const { reportError } = await import(root + '/dist/ui/report.js');
const createApp = async () => { throw new Error('a help request must not run a command'); };
const program = buildProgram(commander, await loadCommands(), { version: () => 'x', createApp });
try {
  await program.parseAsync(['node', 'rgsd', ...args]);
} catch (err) {
  process.exitCode = reportError(err, false);
}
`;

function viaCommander(args: string[]) {
  return execa(process.execPath, ['--input-type=module', '-e', COMMANDER_PATH, REPO_ROOT, ...args], {
    reject: false,
    env: { PATH: process.env.PATH ?? '', HOME: tempDir() },
    extendEnv: false,
    timeout: 30_000,
  });
}

const COMMANDS = ['init', 'up', 'down', 'status', 'nuke', 'connect', 'logs', 'restart', 'reset-home', 'doctor', 'completion'];

describe('rgsd (built) — parsing and help', () => {
  it('--help lists every command and exits 0', async () => {
    const r = await rgsd(['--help']);
    expect(r.exitCode).toBe(0);
    for (const c of COMMANDS) expect(r.stdout).toMatch(new RegExp(`^  ${c} `, 'm'));
    expect(r.stderr).toBe('');
  });
  it.each([[['--help']], [['-h']], [['help']], [[]]])('the fast top-level help `rgsd %j` is what commander prints', async (args) => {
    const [fast, slow] = await Promise.all([rgsd(args), viaCommander(args.length ? args : ['--help'])]);
    expect(fast).toMatchObject({ exitCode: 0, stderr: '' });
    expect(slow).toMatchObject({ exitCode: 0, stderr: '' });
    expect(fast.stdout).toBe(slow.stdout);
    expect(fast.stdout).toMatch(/^Usage: rgsd \[options\] \[command\]\n/);
  });
  it.each(COMMANDS.map((c) => [c]))(
    '`rgsd %s --help` (and -n x … -h, help …): the fast path prints what commander prints',
    async (name) => {
      const reference = await viaCommander([name, '--help']);
      expect(reference).toMatchObject({ exitCode: 0, stderr: '' });
      expect(reference.stdout).toMatch(new RegExp(`^Usage: rgsd ${name} \\[options\\]`));
      for (const args of [
        [name, '--help'],
        ['-n', 'x', name, '-h'],
        ['help', name],
        ['--context', 'c', name, 'demo', '--help'],
      ]) {
        const r = await rgsd(args);
        expect(r, args.join(' ')).toMatchObject({ exitCode: 0, stderr: '', stdout: reference.stdout });
      }
      expect((await viaCommander(['help', name])).stdout).toBe(reference.stdout);
    },
  );
  it('up --help documents its flags', async () => {
    const r = await rgsd(['up', '--help']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('--dry-run');
    expect(r.stdout).toContain('--timeout <duration>');
    expect(r.stdout).toContain('Examples:\n  $ rgsd up');
  });
  it('--version prints the version of package.json', async () => {
    const r = await rgsd(['--version']);
    expect(r).toMatchObject({ exitCode: 0, stdout: PACKAGE_VERSION, stderr: '' });
  });
  it('an unknown command is a usage error (exit 2), one line + hint', async () => {
    for (const args of [['launch'], ['-n', 'x', 'launch', 'demo']]) {
      const r = await rgsd(args);
      expect(r.exitCode, args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      expectOneLineError(r.stderr, /^rgsd: unknown command 'launch'/, /^hint: see `rgsd --help`/);
    }
  });
  it('an unknown option is exit 2', async () => {
    const r = await rgsd(['status', '--jsn']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("rgsd: unknown option '--jsn'");
  });
  it('a missing required argument is exit 2', async () => {
    expect((await rgsd(['init'])).exitCode).toBe(2);
  });
});

describe('rgsd (built) — a closed stdout ends the run quietly', () => {
  /** Run `node args` with stdout a pipe whose reader is gone before the child writes (like
   * `rgsd … | head -c 1` once head has exited): the child's writes fail with EPIPE. */
  function closedStdout(args: string[]): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
    return new Promise((resolvePromise, reject) => {
      const child = spawn(process.execPath, args, {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { PATH: process.env.PATH ?? '', HOME: tempDir(), KUBECONFIG: join(tempDir(), 'no-kubeconfig') },
      });
      // closed right away: node needs far longer to start than this takes
      child.stdout.destroy();
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', reject);
      child.on('close', (code, signal) => resolvePromise({ code, signal, stderr }));
    });
  }

  it('(control) a plain node program writing to such a stdout dies of EPIPE with a stack trace', async () => {
    const r = await closedStdout(['-e', 'setTimeout(() => process.stdout.write("x".repeat(100000)), 200)']);
    expect(r.stderr).toContain('EPIPE');
    expect(r.code).not.toBe(0);
  });

  it.each([[['completion', 'bash']], [['completion', 'zsh']], [['--help']], [['up', '--help']]])(
    'rgsd %j with a closed stdout: exit 0, nothing on stderr',
    async (args) => {
      const r = await closedStdout([BIN, ...args]);
      expect(r.stderr).toBe('');
      expect(r.signal).toBeNull();
      expect(r.code).toBe(0);
    },
  );
});

describe('rgsd init (built, stdin not a TTY)', () => {
  it('without flags fails clearly (exit 2) and writes nothing', async () => {
    const dir = tempDir();
    const r = await rgsd(['init', 'demo'], { configDir: dir });
    expect(r.exitCode).toBe(2);
    expectOneLineError(r.stderr, /^rgsd: rgsd init needs answers and stdin is not a terminal$/, /--repo/);
    expect(existsSync(join(dir, 'projects'))).toBe(false);
  });
  it('with flags writes the files (secrets 0600); a second init is exit 3', async () => {
    const dir = tempDir();
    const r = await rgsd(['init', 'demo', '--repo', 'https://github.com/o/r.git', '--agent', 'claude', '--no-auto-start'], {
      configDir: dir,
    });
    expect(r.exitCode).toBe(0);
    expect(statSync(join(dir, 'secrets', 'demo.env')).mode & 0o777).toBe(0o600);
    expect(r.stdout).toBe('');
    const again = await rgsd(['init', 'demo', '--repo', ''], { configDir: dir });
    expect(again.exitCode).toBe(3);
    expectOneLineError(again.stderr, /^rgsd: project demo already exists/, /never overwrites/);
  });
  it('--agent outside the choices is exit 2', async () => {
    expect((await rgsd(['init', 'demo', '--agent', 'gpt'], { configDir: tempDir() })).exitCode).toBe(2);
  });
  it('an invalid project name is exit 3', async () => {
    const r = await rgsd(['init', 'My_Proj', '--repo', ''], { configDir: tempDir() });
    expect(r.exitCode).toBe(3);
    expectOneLineError(r.stderr, /^rgsd: project name "My_Proj" is not a DNS-1123 label$/, /lower-case/);
  });
});

describe('rgsd up/down/status (built) — errors and exit codes', () => {
  it('an unknown project is exit 6', async () => {
    const r = await rgsd(['up', 'ghost'], { configDir: tempDir() });
    expect(r.exitCode).toBe(6);
    expectOneLineError(r.stderr, /^rgsd: project "ghost" has no settings file/, /rgsd init ghost/);
  });
  it('a secrets file readable by others is exit 3 with the chmod hint; nothing printed on stdout', async () => {
    const dir = tempDir();
    const { secretsFile } = writeProject(dir, 'demo');
    chmodSync(secretsFile, 0o644);
    const r = await rgsd(['up', 'demo', '--context', 'x'], { configDir: dir });
    expect(r.exitCode).toBe(3);
    expectOneLineError(r.stderr, /is accessible by group or others \(mode 0644\)/, new RegExp(`^hint: chmod 600 ${secretsFile}$`));
    expect(r.stdout).toBe('');
    expect(r.stderr).not.toContain(SECRET_TOKEN);
  });
  it('a missing helm is exit 4', async () => {
    const dir = tempDir();
    writeProject(dir, 'demo');
    const r = await rgsd(['up', 'demo'], { configDir: dir, env: { RGSD_HELM: 'rgsd-test-no-helm' } });
    expect(r.exitCode).toBe(4);
    expectOneLineError(r.stderr, /^rgsd: rgsd-test-no-helm not found$/, /RGSD_HELM/);
  });
  it('an unreachable cluster is exit 5 (real helm + kubectl)', async () => {
    const dir = tempDir();
    writeProject(dir, 'demo');
    const r = await rgsd(['status', 'demo'], { configDir: dir, env: { KUBECONFIG: deadKubeconfig() } });
    expect(r.exitCode).toBe(5);
    expect(r.stderr).toContain('context: dead  namespace: rgsd');
    expectOneLineError(r.stderr, /^rgsd: cannot reach the cluster \(context dead\)/, /kubectl cluster-info/);
    const up = await rgsd(['up', 'demo'], { configDir: dir, env: { KUBECONFIG: deadKubeconfig() } });
    expect(up.exitCode).toBe(5);
    expect(up.stderr).not.toContain(SECRET_TOKEN);
  });
  it('a pinned context that is not current is refused (exit 3) unless --context is given', async () => {
    const dir = tempDir();
    writeProject(dir, 'demo', { settings: 'context: other\n' });
    const kc = deadKubeconfig();
    const r = await rgsd(['down', 'demo'], { configDir: dir, env: { KUBECONFIG: kc } });
    expect(r.exitCode).toBe(3);
    expectOneLineError(r.stderr, /pinned to context "other" but the current context is "dead"/, /--context other/);
    const forced = await rgsd(['down', 'demo', '--context', 'other'], { configDir: dir, env: { KUBECONFIG: kc } });
    expect(forced.exitCode).toBe(5); // got past the pin, then the (dead) cluster
    expect(forced.stderr).toContain('context: other  namespace: rgsd');
  });
  it('no kube context at all is exit 5 with a hint', async () => {
    const r = await rgsd(['status'], { configDir: tempDir() });
    expect(r.exitCode).toBe(5);
    expectOneLineError(r.stderr, /^rgsd: no current kube context$/, /--context/);
  });
  it('--dry-run renders the real chart without a cluster; secrets masked; no colour codes', async () => {
    const dir = tempDir();
    writeProject(dir, 'demo');
    const r = await rgsd(['up', 'demo', '--dry-run', '--context', 'kind-x', '-v'], { configDir: dir });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('kind: Deployment');
    expect(r.stdout).toContain('<masked: ');
    expect(r.stdout + r.stderr).not.toContain(SECRET_TOKEN);
    expect(r.stderr).toContain('$ helm template demo');
    expect(r.stderr).not.toMatch(/\x1b\[/);
  });
  it('the aliases run their command: `install` and `upgrade` render what `up` renders', async () => {
    const dir = tempDir();
    writeProject(dir, 'demo');
    const up = await rgsd(['up', 'demo', '--dry-run', '--context', 'kind-x'], { configDir: dir });
    expect(up.exitCode).toBe(0);
    for (const alias of ['install', 'upgrade']) {
      const r = await rgsd([alias, 'demo', '--dry-run', '--context', 'kind-x'], { configDir: dir });
      expect(r.exitCode, alias).toBe(0);
      expect(r.stdout, alias).toBe(up.stdout);
    }
    const help = await rgsd(['attach', '--help'], { configDir: dir });
    expect(help.stdout).toBe((await rgsd(['connect', '--help'], { configDir: dir })).stdout);
    expect(help.stdout.split('\n')[1]).toBe('Aliases: attach');
  });
  it('colour: FORCE_COLOR=1 colours the messages on a pipe; --no-color and NO_COLOR win over it', async () => {
    const dir = tempDir();
    writeProject(dir, 'demo');
    const run = (extra: string[], env: Record<string, string>) =>
      rgsd(['up', 'demo', '--dry-run', '--context', 'kind-x', ...extra], { configDir: dir, env });
    const esc = /\x1b\[/;
    const forced = await run([], { FORCE_COLOR: '1' });
    expect(forced.exitCode).toBe(0);
    expect(forced.stderr).toMatch(esc);
    expect(forced.stdout).toContain('kind: Deployment');
    for (const [extra, env] of [
      [['--no-color'], { FORCE_COLOR: '1' }],
      [[], { FORCE_COLOR: '1', NO_COLOR: '1' }],
    ] as const) {
      const r = await run([...extra], { ...env });
      expect(r.exitCode).toBe(0);
      expect(r.stdout + r.stderr, `${extra.join(' ')} ${JSON.stringify(env)}`).not.toMatch(esc);
    }
  });
  it('Ctrl-C (SIGINT) exits 130 with one line, not a stack trace', async () => {
    const dir = tempDir();
    writeProject(dir, 'demo');
    const shim = join(tempDir(), 'slow-helm');
    const started = join(tempDir(), 'helm-started');
    // the first helm call marks that rgsd runs (its SIGINT handler is set), then hangs
    writeFileSync(shim, `#!/bin/sh\n: > '${started}'\nexec sleep 60\n`, { mode: 0o755 });
    const child = rgsd(['up', 'demo', '--context', 'x'], { configDir: dir, env: { RGSD_HELM: shim } });
    let exited = false;
    void child.then(() => (exited = true));
    while (!existsSync(started) && !exited) await new Promise((r) => setTimeout(r, 50));
    expect(exited, 'rgsd ended before calling helm').toBe(false);
    child.kill('SIGINT');
    const r = await child;
    expect(r.exitCode).toBe(130);
    expect(r.stderr.trim().split('\n').at(-1)).toBe('rgsd: interrupted');
  });
});

describe('rgsd (built) — versions', () => {
  /** node with process.versions.node replaced before rgsd starts */
  const asNode = (version: string, args: string[]) => {
    const code = `Object.defineProperty(process.versions,"node",{value:${JSON.stringify(version)}})`;
    return execa(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(code)}`, BIN, ...args], {
      reject: false,
      input: '',
      env: { PATH: process.env.PATH ?? '', HOME: tempDir() },
      extendEnv: false,
      timeout: 30_000,
    });
  };
  it.each(['22.11.0', '22.2.0', '21.7.3'])('Node %s is refused by package.json "engines" (>=22.12): exit 4, one line + hint', async (v) => {
    const r = await asNode(v, ['--version']);
    expect(r.exitCode).toBe(4);
    expectOneLineError(r.stderr, new RegExp(`^rgsd: Node ${v} is too old \\(rgsd needs Node >=22\\.12`), /^hint: install Node 22/);
  });
  it.each(['22.12.0', '24.0.0'])('Node %s is enough', async (v) => {
    expect(await asNode(v, ['--version'])).toMatchObject({ exitCode: 0, stdout: PACKAGE_VERSION });
  });
  it('doctor and up refuse a Helm older than 3.7 (exit 4, naming the version)', async () => {
    const dir = tempDir();
    writeProject(dir, 'demo');
    const helm = join(tempDir(), 'old-helm');
    writeFileSync(helm, '#!/bin/sh\necho v3.1.0\n', { mode: 0o755 });
    for (const args of [['doctor'], ['up', 'demo', '--context', 'x']]) {
      const r = await rgsd(args, { configDir: dir, env: { RGSD_HELM: helm } });
      expect(r.exitCode, args.join(' ')).toBe(4);
      expect(r.stdout + r.stderr).toContain('Helm v3.1.0 is too old: rgsd needs Helm 3.7.0 or newer');
    }
  });
});

describe('rgsd up (built, stand-ins for helm and kubectl) — check first, then change; Ctrl-C', () => {
  const NS = JSON.stringify({ metadata: { name: 'rgsd', labels: { 'app.kubernetes.io/managed-by': 'rgsd' } } });
  const REAL_HELM = join(REPO_ROOT, '.tools', 'bin', 'helm4');
  const changes = (calls: string[]) => calls.filter((c) => / (create|apply|upgrade|uninstall|rollback|delete) /.test(` ${c} `));

  function standIns(upgrade: Omit<ShimRule, 'match'>) {
    return makeShim({
      kubectl: [
        { match: '^config current-context$', stdout: 'ctx\n' },
        { match: '^--context ctx get namespace rgsd -o json$', stdout: NS },
        { match: '^--context ctx -n rgsd apply ', run: 'cat > /dev/null; echo secret/demo-rgsd-secrets serverside-applied; exit 0' },
        {
          match: '^--context ctx -n rgsd get namespace/rgsd deployment/demo-rgsd secret/demo-rgsd-secrets ',
          stdout: JSON.stringify({ items: [{ kind: 'Namespace', ...JSON.parse(NS) }] }),
        },
        {
          match: '^--context ctx -n rgsd exec deployment/demo-rgsd ',
          run: `echo 'Error from server (NotFound): deployments.apps "demo-rgsd" not found' >&2; exit 1`,
        },
      ],
      helm: [
        // local calls go to the real Helm 4: the real schema judges the values
        { match: '^(version|template) ', run: `exec '${REAL_HELM}' "$@"` },
        { match: '^--kube-context ctx -n rgsd status demo ', run: `echo 'Error: release: not found' >&2; exit 1` },
        { match: '^--kube-context ctx list -A ', stdout: '[]' },
        { match: '^--kube-context ctx -n rgsd upgrade ', ...upgrade },
      ],
    });
  }
  const runUp = (shim: Shim, dir: string) =>
    execa(process.execPath, [BIN, 'up', 'demo'], {
      reject: false,
      input: '',
      env: { PATH: `${shim.bin}:${process.env.PATH ?? ''}`, HOME: dir, RGSD_CONFIG_DIR: dir, KUBECONFIG: kubeconfigFile('ctx') },
      extendEnv: false,
      timeout: 60_000,
    });

  it('values the chart refuses: exit 3, every error with its path, no call that changes anything', async () => {
    const dir = tempDir();
    writeProject(dir, 'demo', { settings: 'resources: {limits: {cpu: -1}}\nvalues: {terminationGracePeriodSeconds: -5}\n' });
    const shim = standIns({ stdout: 'unexpected\n' });
    const r = await runUp(shim, dir);
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toMatch(/^rgsd: cannot render the chart with the values of demo: values don't meet the specifications/m);
    expect(r.stderr).toContain("  - at '/terminationGracePeriodSeconds': minimum: got -5, want 0\n");
    expect(r.stderr).toContain("  - at '/resources/limits/cpu': 'anyOf' failed\n");
    expect(r.stderr).toMatch(/^hint: fix the settings in .*demo\.yaml/m);
    expect(changes(shim.calls())).toEqual([]);
    // the plan's reads ran (the namespace with the Deployment and the Secret, in one call)
    expect(shim.calls()).toContain(
      'kubectl --context ctx -n rgsd get namespace/rgsd deployment/demo-rgsd secret/demo-rgsd-secrets --ignore-not-found -o json',
    );
  });

  it('Ctrl-C during helm upgrade: what was done, what may be left, what to run — exit 130', async () => {
    const dir = tempDir();
    writeProject(dir, 'demo');
    const pidFile = join(tempDir(), 'helm-upgrade.pid');
    // the stand-in blocks until killed, after saying it started (its pid: the sleep, after exec)
    const shim = standIns({ run: `cat > /dev/null; echo $$ > '${pidFile}.tmp'; mv '${pidFile}.tmp' '${pidFile}'; exec sleep 600` });
    const child = runUp(shim, dir);
    let exited = false;
    void child.then(() => (exited = true));
    try {
      while (!existsSync(pidFile) && !exited) await new Promise((r) => setTimeout(r, 50));
      if (exited) expect((await child).stderr, 'rgsd ended before helm upgrade ran').toBe('');
      child.kill('SIGINT');
      const r = await child;
      expect(r.exitCode).toBe(130);
      const lines = r.stderr.trim().split('\n');
      expect(lines.at(-2)).toBe(
        'rgsd: interrupted after the Secret was applied, during helm upgrade --install: the release may be left pending-install',
      );
      expect(lines.at(-1)).toBe('hint: re-run `rgsd up demo` in a minute: it recovers a pending release');
      expect(r.stderr).not.toContain(SECRET_TOKEN);
    } finally {
      if (existsSync(pidFile)) {
        try {
          process.kill(Number(readFileSync(pidFile, 'utf8').trim()), 'SIGKILL');
        } catch {
          // already gone (rgsd's exit ends its children)
        }
      }
    }
  });
});
