// `rgsd exec` and `rgsd shell` as the BUILT CLI with a PATH shim for kubectl that runs the
// command after `--` itself (standing in for the pod): the command line is split at `--` as
// typed, stdout passes through byte-exact, stdin with -i, the remote status is rgsd's; bad
// input and a missing terminal are refused before any call; --dry-run runs nothing.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { kubeconfigFile, REPO_ROOT, tempDir } from '../helpers/test-app.js';
import { makeShim, type Shim } from '../helpers/tool-shim.js';

const BIN = resolve(REPO_ROOT, 'bin', 'rgsd');
beforeAll(() => {
  if (!existsSync(resolve(REPO_ROOT, 'dist', 'main.js'))) throw new Error('dist/main.js missing: run `npm run build`');
});

const EXEC = 'kubectl --context ctx -n rgsd exec';
const REF = 'deployment/demo-rgsd -c workstation --pod-running-timeout=10s --';

/** kubectl whose exec runs the words after its `--` here (the "pod"), with the terminal it got. */
function podShim(replicas = 1): Shim {
  const deploy = {
    kind: 'Deployment',
    metadata: { name: 'demo-rgsd', annotations: { 'rgsd.dev/asleep-since': '2026-12-03T09:00:00Z' } },
    spec: { replicas },
  };
  return makeShim({
    kubectl: [
      { match: '^--context ctx -n rgsd exec ', run: 'while [ "$1" != -- ]; do shift; done; shift; exec "$@"' },
      { match: '^--context ctx -n rgsd get pods ', stdout: '{"items":[]}' },
      { match: '^--context ctx -n rgsd get deployment/demo-rgsd configmap/demo-rgsd-idle ', stdout: JSON.stringify({ items: [deploy] }) },
    ],
  });
}

function rgsd(args: string[], shim: Shim, o: { input?: string | Buffer } = {}) {
  const cfg = tempDir();
  return execa(process.execPath, [BIN, ...args], {
    reject: false,
    input: o.input ?? '',
    encoding: 'buffer',
    stripFinalNewline: false,
    env: { PATH: `${shim.bin}:${process.env.PATH ?? ''}`, HOME: cfg, RGSD_CONFIG_DIR: cfg, KUBECONFIG: kubeconfigFile('ctx') },
    extendEnv: false,
    timeout: 30_000,
  });
}
const text = (b: unknown) => Buffer.from(b as Uint8Array).toString('utf8');

describe('rgsd exec (built)', () => {
  it("the command exactly as typed after --; its status is rgsd's; stdout byte-exact", async () => {
    const shim = podShim();
    const r = await rgsd(['exec', 'demo', '--', 'sh', '-c', 'printf "a\\000b\\377  c"; echo oops >&2; exit 7'], shim);
    expect(r.exitCode).toBe(7);
    expect(Buffer.from(r.stdout as Uint8Array)).toEqual(Buffer.from([0x61, 0x00, 0x62, 0xff, 0x20, 0x20, 0x63]));
    expect(text(r.stderr)).toBe('context: ctx  namespace: rgsd\noops\n');
    expect(shim.calls()).toEqual([`${EXEC} ${REF} sh -c printf "a\\000b\\377  c"; echo oops >&2; exit 7`]);
  });

  it('-i: stdin reaches the command; options and -- inside the command are its own', async () => {
    const shim = podShim();
    const input = Buffer.from('line 1\nline 2\n\x00\xff');
    const r = await rgsd(['exec', '-i', 'demo', '--', 'cat', '--', '-'], shim, { input });
    expect(r.exitCode).toBe(0);
    expect(Buffer.from(r.stdout as Uint8Array)).toEqual(input);
    expect(shim.calls()).toEqual([`${EXEC} -i ${REF} cat -- -`]);
  });

  it('no project before -- and none configured: a usage error, no call', async () => {
    const shim = podShim();
    const r = await rgsd(['exec', '--', 'ls'], shim);
    expect(r.exitCode).toBe(2);
    expect(text(r.stderr)).toMatch(/^rgsd: no project given/);
    expect(shim.calls()).toEqual([]);
  });

  it('bad input: exit 2 with a hint, no call (no command; a word before -- too many; -t without a terminal)', async () => {
    for (const args of [
      ['exec', 'demo'],
      ['exec', 'demo', '--'],
      ['exec', 'demo', 'extra', '--', 'ls'],
      ['exec', '-t', 'demo', '--', 'top'],
    ]) {
      const shim = podShim();
      const r = await rgsd(args, shim);
      expect(r.exitCode, args.join(' ')).toBe(2);
      expect(text(r.stderr)).toMatch(/\nhint: /);
      expect(shim.calls()).toEqual([]);
    }
  });

  it('kubectl exits 1 and the project has no pod: exit 6 with the `rgsd up` hint', async () => {
    const shim = podShim();
    const r = await rgsd(['exec', 'demo', '--', 'false'], shim);
    expect(r.exitCode).toBe(6);
    expect(text(r.stderr).trim().split('\n').slice(-1)).toEqual(['hint: `rgsd status demo` shows it; `rgsd up demo` starts it']);
    expect(shim.calls()).toHaveLength(3);
  });

  it('kubectl exits 1 and the project is asleep: refused (exit 7) with the way to wake it', async () => {
    const shim = podShim(0);
    const r = await rgsd(['exec', 'demo', '--', 'false'], shim);
    expect(r.exitCode).toBe(7);
    expect(text(r.stderr).trim().split('\n').slice(-2)).toEqual([
      'rgsd: demo is asleep (0 replicas since 2026-12-03T09:00:00Z): nothing runs to exec into',
      'hint: `rgsd up demo` wakes it (or `rgsd connect demo`), then re-run',
    ]);
    expect(shim.calls().slice(-1)[0]).toMatch(
      /^kubectl --context ctx -n rgsd get deployment\/demo-rgsd configmap\/demo-rgsd-idle --ignore-not-found -o json$/,
    );
  });

  it('--dry-run: the kubectl command on stderr, nothing run', async () => {
    const shim = podShim();
    const r = await rgsd(['exec', '--dry-run', 'demo', '-w', 'workspace', '--', 'rm', '-rf', 'x'], shim);
    expect(r.exitCode).toBe(0);
    expect(text(r.stderr)).toContain(`[dry-run] would run: kubectl --context ctx -n rgsd exec ${REF} sh -c `);
    expect(shim.calls()).toEqual([]);
  });
});

describe('rgsd shell (built)', () => {
  it('without a terminal: exit 2, one line and a hint naming rgsd exec, no call', async () => {
    const shim = podShim();
    const r = await rgsd(['shell', 'demo'], shim);
    expect(r.exitCode).toBe(2);
    expect(text(r.stderr).trim().split('\n')).toEqual([
      'rgsd: rgsd shell needs a terminal, but stdin and stdout are not a terminal',
      'hint: run it from an interactive terminal (ssh -t for remote shells); without one: rgsd exec demo -- <command…>',
    ]);
    expect(shim.calls()).toEqual([]);
  });

  it('on a terminal: -it, the login shell ($RGSD_LOGIN_SHELL -l) in $RGSD_WORKSPACE with the local TERM; its status passed on', async () => {
    const shim = podShim();
    const dir = tempDir();
    const workspace = join(dir, 'work space');
    mkdirSync(workspace);
    const login = join(dir, 'login');
    writeFileSync(login, '#!/bin/sh\necho "SHELL $* in $(pwd) TERM=$TERM"\nexit 5\n', { mode: 0o755 });
    const cfg = tempDir();
    const r = await execa('script', ['-qec', `'${process.execPath}' '${BIN}' shell demo`, '/dev/null'], {
      reject: false,
      env: {
        PATH: `${shim.bin}:${process.env.PATH ?? ''}`,
        HOME: cfg,
        RGSD_CONFIG_DIR: cfg,
        KUBECONFIG: kubeconfigFile('ctx'),
        TERM: 'xterm-test',
        RGSD_WORKSPACE: workspace,
        RGSD_LOGIN_SHELL: login,
      },
      extendEnv: false,
      timeout: 30_000,
    });
    expect(r.exitCode).toBe(5);
    expect(r.stdout).toContain(`SHELL -l in ${workspace} TERM=xterm-test`);
    expect(shim.calls()).toEqual([expect.stringMatching(/^kubectl --context ctx -n rgsd exec -it deployment\/demo-rgsd .* xterm-test$/)]);
  });
});
