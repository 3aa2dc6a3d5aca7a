// scripts/try in a copy of the repository whose tools are stand-ins (local-cluster, ensure-dockerd,
// build-image, install-tools.mjs, the CLI, docker, npm, helm) that record their calls: what it
// checks before it changes anything, what it runs on a bare machine, that a second run only
// looks, and what --down removes (only what try made). test/e2e/try.test.ts runs it for real.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REPO, Root } from './harness.js';

let root: Root;
let repo: string; // the copy: scripts/try and stand-ins for everything it runs
let state: string; // what the stand-ins share: calls (one line per call), flags
let config: string; // RGSD_CONFIG_DIR
let cluster: string; // RGSD_CLUSTER_DIR

const sh = (body: string): string => `#!/usr/bin/env bash\nrec() { printf '%s\\n' "$*" >>"$FAKE_STATE/calls"; }\n${body}\n`;

function write(path: string, body: string, mode = 0o755): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, body, { mode });
}

// The CLI: init writes the two files (like rgsd init), up and nuke print what the real ones do.
const FAKE_RGSD = `#!/usr/bin/env node
const fs = require('node:fs');
const { join } = require('node:path');
const args = process.argv.slice(2).filter((a) => a !== '--no-color');
fs.appendFileSync(join(process.env.FAKE_STATE, 'calls'), 'rgsd ' + args.map((a) => (a === '' ? "''" : a)).join(' ') + '\\n');
const dir = process.env.RGSD_CONFIG_DIR;
const [cmd, p] = args;
if (cmd === 'init') {
  fs.mkdirSync(join(dir, 'projects'), { recursive: true });
  fs.mkdirSync(join(dir, 'secrets'), { recursive: true, mode: 0o700 });
  fs.writeFileSync(join(dir, 'projects', p + '.yaml'), 'agent: gsd\\n');
  const secrets = join(dir, 'secrets', p + '.env');
  if (!fs.existsSync(secrets)) fs.writeFileSync(secrets, 'GITHUB_TOKEN=\\nANTHROPIC_API_KEY=\\n', { mode: 0o600 });
  console.log('next: rgsd up ' + p);
} else if (cmd === 'up') {
  if (process.env.FAKE_UP_FAIL) { console.error('rgsd: the namespace is refused\\nhint: pick another'); process.exit(3); }
  console.error('✓ tmux session "main" is ready\\nwarning: the workstation reports: agent \\'gsd\\' is not installed in this image; not started');
} else if (cmd === 'nuke') {
  if (process.env.FAKE_NUKE_WORK && !args.includes('--discard-work')) {
    console.error('rgsd: refusing to destroy ' + p + ': work would be lost\\nhint: rgsd nuke ' + p + ' --confirm ' + p + ' --discard-work');
    process.exit(6);
  }
  console.error('✓ ' + p + ' is gone (release, Secret, home volume); the local settings and secrets files are kept');
}
`;

beforeEach(() => {
  root = new Root();
  repo = join(root.dir, 'repo');
  state = join(root.dir, 'state');
  config = join(root.dir, 'config');
  cluster = join(root.dir, 'cluster');
  mkdirSync(state);
  writeFileSync(join(state, 'calls'), '');
  write(join(repo, 'scripts', 'try'), readFileSync(join(REPO, 'scripts', 'try'), 'utf8'));
  write(join(repo, 'package.json'), '{\n  "name": "rgsd",\n  "version": "7.6.5"\n}\n', 0o644);
  write(join(repo, 'src', 'main.ts'), 'export {};\n', 0o644);
  mkdirSync(join(repo, 'node_modules'));
  write(join(repo, 'bin', 'rgsd'), FAKE_RGSD);
  write(
    join(repo, 'scripts', 'install-tools.mjs'),
    `import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
appendFileSync(process.env.FAKE_STATE + '/calls', 'install-tools\\n');
const bin = new URL('../.tools/bin/', import.meta.url).pathname;
mkdirSync(bin, { recursive: true });
writeFileSync(bin + 'kubectl', '#!/bin/sh\\n', { mode: 0o755 });
writeFileSync(bin + 'helm', '#!/bin/sh\\necho "helm $*" >>"$FAKE_STATE/calls"\\ncat "$FAKE_STATE/releases" 2>/dev/null || true\\n', { mode: 0o755 });
`,
    0o644,
  );
  write(join(repo, 'scripts', 'ensure-dockerd'), sh('rec ensure-dockerd; echo "${FAKE_DOCKERD:-running}"'));
  write(join(repo, 'scripts', 'build-image'), sh('rec build-image "$@"; touch "$FAKE_STATE/image"'));
  // The cluster: up while $FAKE_STATE/up exists; its state dir holds local-cluster's own marker.
  write(
    join(repo, 'scripts', 'local-cluster'),
    sh(`rec local-cluster "$@"
case $1 in
  status) [ -e "$FAKE_STATE/up" ] ;;
  up) mkdir -p "$RGSD_CLUSTER_DIR"; touch "$RGSD_CLUSTER_DIR/.rgsd-local-cluster" "$FAKE_STATE/up" "$FAKE_STATE/loaded" ;;
  down) rm -rf "$RGSD_CLUSTER_DIR" "$FAKE_STATE/up" ;;
  env) echo "export KUBECONFIG=$RGSD_CLUSTER_DIR/kubeconfig" ;;
  load-image) if [ -e "$FAKE_STATE/loaded" ]; then echo "local-cluster: image x already loaded" >&2; else touch "$FAKE_STATE/loaded"; fi ;;
esac`),
  );
  root.fakeBin('docker', 'printf "docker %s\\n" "$*" >>"$FAKE_STATE/calls"\n[ "$1 $2" = "image inspect" ] && [ -e "$FAKE_STATE/image" ]');
  root.fakeBin(
    'npm',
    'printf "npm %s\\n" "$*" >>"$FAKE_STATE/calls"\ncase $1 in ci) mkdir -p node_modules ;; run) mkdir -p dist && touch dist/main.js ;; esac',
  );
  root.fakeBin('id', '[ "$1" = -u ] && echo "${FAKE_UID:-0}"');
  root.fakeBin('uname', 'echo "${FAKE_OS:-Linux}"');
  for (const tool of ['etcd', 'containerd', 'runc', 'openssl']) root.fakeBin(tool, 'exit 0');
  write(join(root.dir, 'cni', 'bridge'), '');
});

afterEach(() => {
  rmSync(root.dir, { recursive: true, force: true });
});

interface TryRun {
  status: number;
  stdout: string;
  stderr: string;
  calls: string[];
}

function runTry(args: string[] = [], extra: Record<string, string> = {}, cwd = repo): TryRun {
  writeFileSync(join(state, 'calls'), '');
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('RGSD_') || ['SUDO_USER', 'KUBECONFIG', 'INIT_CWD'].includes(k)) delete env[k];
  Object.assign(env, {
    PATH: `${root.bin}:${dirname(process.execPath)}:${process.env.PATH ?? ''}`,
    FAKE_STATE: state,
    RGSD_CONFIG_DIR: config,
    RGSD_CLUSTER_DIR: cluster,
    RGSD_TRY_LOG: join(root.dir, 'try.log'),
    RGSD_CLUSTER_CNI_BIN_DIR: join(root.dir, 'cni'),
    RGSD_CLUSTER_NETWORK_POLICY: '0',
    ...extra,
  });
  const r = spawnSync(join(repo, 'scripts', 'try'), args, { cwd, env, encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw r.error;
  const calls = readFileSync(join(state, 'calls'), 'utf8').split('\n').filter(Boolean);
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, calls };
}

/** Every file under a directory (relative paths), to show that nothing changed. */
function tree(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();
}

const settingsFile = (p = 'demo') => join(config, 'projects', `${p}.yaml`);
const secretsFile = (p = 'demo') => join(config, 'secrets', `${p}.env`);
/** The calls that change something (the stand-ins' looks left out). */
const changes = (calls: string[]) =>
  calls.filter((c) => !/^(docker image inspect|local-cluster (status|env)|helm list)/.test(c) && !/^rgsd status/.test(c));

describe('scripts/try: arguments and checks, before anything changes', () => {
  it('--help prints the usage, the flags and the environment', () => {
    const r = runTry(['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('npm run try -- --down');
    expect(r.stdout).toMatch(/RGSD_TRY_PROJECT +project name \(default: demo\)/);
    expect(r.stdout).toContain('RGSD_TRY_MINIMAL=1');
    expect(r.calls).toEqual([]);
  });

  it.each([
    [['--bogus'], /unknown argument: --bogus/],
    [['--down', 'extra'], /unknown argument: extra/],
    [['--discard-work'], /--discard-work goes with --down/],
  ])('%j is a usage error (exit 2) with a hint', (args, message) => {
    const r = runTry(args);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toMatch(/^try: hint: .*npm run try/m);
    expect(r.calls).toEqual([]);
    expect(tree(config)).toEqual([]);
  });

  it.each([
    [{ RGSD_TRY_PROJECT: 'Demo_1' }, /RGSD_TRY_PROJECT "Demo_1" is not a project name/],
    [{ RGSD_TRY_NAMESPACE: 'kube-system' }, /RGSD_TRY_NAMESPACE "kube-system" is not a namespace/],
    [{ RGSD_TRY_MINIMAL: 'yes' }, /RGSD_TRY_MINIMAL must be 0 or 1/],
  ])('a bad setting %j is a usage error (exit 2)', (extra, message) => {
    const r = runTry([], extra);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.calls).toEqual([]);
  });

  it('refuses without root, with the sudo hint, and changes nothing', () => {
    const r = runTry([], { FAKE_UID: '1000' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^try: error: try needs root/m);
    expect(r.stderr).toMatch(/^try: hint: run it as root: sudo -E npm run try$/m);
    expect(r.calls).toEqual([]);
    expect(tree(config)).toEqual([]);
    expect(existsSync(join(root.dir, 'try.log'))).toBe(false);
  });

  it('refuses on another system than Linux', () => {
    const r = runTry([], { FAKE_OS: 'Darwin' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/try needs Linux/);
    expect(r.calls).toEqual([]);
  });

  it('names the missing Debian packages of a cluster it would have to start, before starting anything', () => {
    const r = runTry([], { RGSD_CLUSTER_CNI_BIN_DIR: join(root.dir, 'no-cni'), RGSD_CLUSTER_NETWORK_POLICY: '1' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/missing on this machine: containernetworking-plugins( ipset)?$/m);
    expect(r.stderr).toMatch(/^try: hint: apt-get install containernetworking-plugins/m);
    expect(changes(r.calls)).toEqual([]);
  });
});

describe('scripts/try: up', () => {
  it('on a bare machine: tools, build, docker, image, cluster, settings, up; then how to connect', () => {
    rmSync(join(repo, 'node_modules'), { recursive: true });
    const r = runTry([], { FAKE_DOCKERD: 'started 4242' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('try: docker: started dockerd (pid 4242; it keeps running)');
    expect(changes(r.calls)).toEqual([
      'npm ci --no-audit --no-fund',
      'install-tools',
      'npm run build',
      'ensure-dockerd',
      'build-image',
      'local-cluster up',
      "rgsd init demo --yes --repo '' --pin-context -n rgsd",
      'rgsd up demo --yes',
    ]);
    expect(r.calls).toContain('docker image inspect rgsd/workstation:7.6.5');
    expect(existsSync(join(cluster, '.rgsd-try-started'))).toBe(true);
    expect(readFileSync(join(config, 'try', 'demo'), 'utf8')).toMatch(/^secrets_sum=[0-9a-f]{64}$/m);
    expect(r.stderr).toContain('try: cluster: up (try --down stops it again)');
    expect(r.stderr).toContain("try: warning: the workstation reports: agent 'gsd' is not installed in this image; not started");
    expect(r.stdout).toContain(`export KUBECONFIG=${cluster}/kubeconfig RGSD_CONFIG_DIR=${config} PATH=${repo}/.tools/bin:$PATH`);
    expect(r.stdout).toContain(`alias rgsd='${repo}/node_modules/.bin/node ${repo}/bin/rgsd'`);
    expect(r.stdout).toMatch(/^ {2}rgsd connect demo /m);
    expect(r.stdout).toContain(`API keys: put them in ${secretsFile()}`);
    expect(r.stdout).toMatch(/^Remove it all: RGSD_CONFIG_DIR=\S+ RGSD_CLUSTER_DIR=\S+ npm run try -- --down$/m);
    // one line per step, each its own
    for (const step of ['helm, kubectl:', 'CLI:', 'docker:', 'image rgsd/workstation:7.6.5:', 'cluster:', 'project demo:']) {
      expect(r.stderr).toContain(`try: ${step}`);
    }
  });

  it("runs its steps in the checkout from any directory; relative paths are the caller's", () => {
    rmSync(join(repo, 'node_modules'), { recursive: true });
    const r = runTry([], { RGSD_CONFIG_DIR: 'config', RGSD_CLUSTER_DIR: 'cluster' }, root.dir);
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(join(repo, 'node_modules'))).toBe(true);
    expect(existsSync(join(repo, 'dist', 'main.js'))).toBe(true);
    expect(existsSync(settingsFile())).toBe(true);
    expect(existsSync(join(cluster, '.rgsd-try-started'))).toBe(true);
    expect(r.stdout).toMatch(new RegExp(`^Remove it all: RGSD_CONFIG_DIR=\\S+ RGSD_CLUSTER_DIR=\\S+ ${repo}/scripts/try --down$`, 'm'));
  });

  it('run again, it only looks (and runs rgsd up, which changes nothing when nothing changed)', () => {
    expect(runTry().status).toBe(0);
    const before = readFileSync(join(config, 'try', 'demo'), 'utf8');
    const r = runTry();
    expect(r.status, r.stderr).toBe(0);
    expect(changes(r.calls)).toEqual(['ensure-dockerd', 'local-cluster load-image', 'rgsd up demo --yes']);
    expect(r.stderr).toContain('try: helm, kubectl: in .tools/bin');
    expect(r.stderr).toContain('try: CLI: built');
    expect(r.stderr).toContain('try: docker: running');
    expect(r.stderr).toContain('try: image rgsd/workstation:7.6.5: in docker');
    expect(r.stderr).toContain('try: image rgsd/workstation:7.6.5: in the cluster');
    expect(r.stderr).toContain(`try: project demo: settings from an earlier try (${settingsFile()})`);
    expect(readFileSync(join(config, 'try', 'demo'), 'utf8')).toBe(before);
  });

  it('rebuilds the CLI when a source file is newer than dist/', () => {
    expect(runTry().status).toBe(0);
    const later = new Date(Date.now() + 60_000);
    utimesSync(join(repo, 'src', 'main.ts'), later, later);
    const r = runTry();
    expect(r.stderr).toContain('try: CLI: src/ changed since the build; building (npm run build)');
    expect(changes(r.calls)).toContain('npm run build');
  });

  it('loads the image into a cluster that was running already, and never claims that cluster', () => {
    writeFileSync(join(state, 'up'), '');
    const r = runTry([], { RGSD_TRY_MINIMAL: '1' });
    expect(r.status, r.stderr).toBe(0);
    expect(changes(r.calls)).toContain('build-image --minimal');
    expect(changes(r.calls)).toContain('local-cluster load-image');
    expect(changes(r.calls)).not.toContain('local-cluster up');
    expect(r.stderr).toContain('try: image rgsd/workstation:7.6.5: loaded into the cluster');
    expect(existsSync(join(cluster, '.rgsd-try-started'))).toBe(false);
  });

  it('restarts a stopped cluster it did not make without claiming it', () => {
    write(join(cluster, '.rgsd-local-cluster'), '', 0o644);
    const r = runTry();
    expect(r.status, r.stderr).toBe(0);
    expect(changes(r.calls)).toContain('local-cluster up');
    expect(r.stderr).toContain('try: cluster: up again (not started by try: try --down leaves it running)');
    expect(existsSync(join(cluster, '.rgsd-try-started'))).toBe(false);
  });

  it('uses settings the user made, without init and without claiming them', () => {
    write(settingsFile(), 'agent: claude\n', 0o644);
    const r = runTry();
    expect(r.status, r.stderr).toBe(0);
    expect(r.calls.filter((c) => c.startsWith('rgsd'))).toEqual(['rgsd up demo --yes']);
    expect(r.stderr).toContain(`try: project demo: using your existing settings (${settingsFile()})`);
    expect(existsSync(join(config, 'try', 'demo'))).toBe(false);
    expect(readFileSync(settingsFile(), 'utf8')).toBe('agent: claude\n');
  });

  it('a failing rgsd up: one error line, the tail of its output, a hint, exit 1', () => {
    const r = runTry([], { FAKE_UP_FAIL: '1' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^try: error: rgsd up demo failed$/m);
    expect(r.stderr).toMatch(/^ {2}\| rgsd: the namespace is refused$/m);
    expect(r.stderr).toMatch(/^try: hint: fix what it says, then run this again/m);
    expect(r.stdout).not.toContain('rgsd connect');
  });
});

describe('scripts/try --down', () => {
  it('removes what try made: the project, its untouched secrets, the cluster it started; a second --down does nothing', () => {
    expect(runTry().status).toBe(0);
    const r = runTry(['--down']);
    expect(r.status, r.stderr).toBe(0);
    expect(changes(r.calls)).toEqual(['rgsd nuke demo --confirm demo', 'local-cluster down']);
    expect(r.stderr).toMatch(/^try: project demo: destroyed \(release, Secret, home volume\)$/m);
    expect(r.stderr).toContain(`try: settings: removed ${settingsFile()}`);
    expect(r.stderr).toContain(`try: secrets: removed ${secretsFile()} (unchanged since try wrote it)`);
    expect(r.stderr).toContain('try: cluster: started by try; stopping it (scripts/local-cluster down)');
    expect(r.stderr).toMatch(/^try: left: the image rgsd\/workstation:7.6.5 \(docker image rm rgsd\/workstation:7.6.5\), the caches/m);
    expect(tree(config).filter((f) => !['projects', 'secrets'].includes(f))).toEqual([]);
    expect(existsSync(cluster)).toBe(false);

    const again = runTry(['--down']);
    expect(again.status).toBe(0);
    expect(changes(again.calls)).toEqual([]);
    expect(again.stderr).toContain('try: project demo: nothing to remove');
    expect(again.stderr).toMatch(/try: nothing to do\n$/);
  });

  it('keeps a secrets file the user edited, and a cluster it did not start (saying so)', () => {
    writeFileSync(join(state, 'up'), '');
    expect(runTry().status).toBe(0);
    writeFileSync(secretsFile(), 'ANTHROPIC_API_KEY=sk-not-a-real-key\n', { mode: 0o600 });
    const r = runTry(['--down']);
    expect(r.status, r.stderr).toBe(0);
    expect(changes(r.calls)).toEqual(['rgsd nuke demo --confirm demo']);
    expect(r.stderr).toContain(`try: secrets: kept ${secretsFile()}`);
    expect(r.stderr).toContain('try: cluster: not started by try; left running');
    expect(r.stderr).not.toContain('sk-not-a-real-key');
    expect(existsSync(secretsFile())).toBe(true);
    expect(existsSync(settingsFile())).toBe(false);
  });

  it('leaves its cluster running while other releases are in it', () => {
    expect(runTry().status).toBe(0);
    writeFileSync(join(state, 'releases'), 'mine\nyours\n');
    const r = runTry(['--down']);
    expect(r.status, r.stderr).toBe(0);
    expect(changes(r.calls)).toEqual(['rgsd nuke demo --confirm demo']);
    expect(r.stderr).toMatch(/cluster: started by try but it still holds releases \(mine,yours\); left running/);
    expect(existsSync(join(cluster, '.rgsd-try-started'))).toBe(true);
  });

  it('never destroys a project try did not make', () => {
    writeFileSync(join(state, 'up'), '');
    write(settingsFile(), 'agent: claude\n', 0o644);
    const r = runTry(['--down']);
    expect(r.status).toBe(0);
    expect(changes(r.calls)).toEqual([]);
    expect(r.stderr).toContain('try: project demo: not made by try; kept (rgsd nuke demo --confirm demo destroys it)');
    expect(r.stderr).toContain('try: nothing to do');
    expect(readFileSync(settingsFile(), 'utf8')).toBe('agent: claude\n');
  });

  it('stops when rgsd nuke refuses because of work in the home, and --discard-work passes on', () => {
    writeFileSync(join(state, 'up'), '');
    expect(runTry().status).toBe(0);
    const refused = runTry(['--down'], { FAKE_NUKE_WORK: '1' });
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/^try: error: rgsd nuke refused: the home of demo holds work/m);
    expect(refused.stderr).toMatch(/^try: hint: keep it: rgsd backup demo; then: .*npm run try -- --down --discard-work$/m);
    expect(existsSync(settingsFile())).toBe(true);
    expect(existsSync(join(config, 'try', 'demo'))).toBe(true);

    const r = runTry(['--down', '--discard-work'], { FAKE_NUKE_WORK: '1' });
    expect(r.status, r.stderr).toBe(0);
    expect(changes(r.calls)).toEqual(['rgsd nuke demo --confirm demo --discard-work']);
    expect(existsSync(settingsFile())).toBe(false);
  });

  it('refuses (keeping everything) when the project is in a cluster that is not running and not its own', () => {
    writeFileSync(join(state, 'up'), '');
    expect(runTry().status).toBe(0);
    rmSync(join(state, 'up'));
    const r = runTry(['--down']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^try: error: the local cluster is not running, so demo cannot be destroyed in it$/m);
    expect(r.stderr).toMatch(/^try: hint: start it \(scripts\/local-cluster up\)/m);
    expect(changes(r.calls)).toEqual([]);
    expect(existsSync(settingsFile())).toBe(true);
  });
});
