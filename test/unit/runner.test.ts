import { describe, expect, it } from 'vitest';
import { Progress } from '../../src/core/app.js';
import { CommandError, InterruptedError, MissingToolError, RgsdError, TimeoutError } from '../../src/core/errors.js';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChildRunner, SecretGuard, formatCommand, toolHint, withSafety } from '../../src/core/runner.js';
import { MAX_DETAIL_LINES, reportError } from '../../src/ui/report.js';
import { FakeRunner } from '../helpers/fake-runner.js';

describe('ChildRunner (real subprocesses)', () => {
  const r = new ChildRunner();
  it('passes argv without a shell and stdin through', async () => {
    const res = await r.run('sh', ['-c', 'cat; printf "%s" "$0"', 'a b;$(x)'], { stdin: 'in:' });
    expect(res).toEqual({ stdout: 'in:a b;$(x)', stderr: '', exitCode: 0 });
  });
  it('throws a typed CommandError with the exit code and stderr', async () => {
    const err = await r.run('sh', ['-c', 'echo "Error: boom" >&2; exit 3']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CommandError);
    expect((err as CommandError).commandExitCode).toBe(3);
    expect((err as CommandError).stderr).toContain('boom');
    expect((err as CommandError).message).toBe('sh failed: boom');
  });
  it('returns the failure with allowFailure', async () => {
    expect((await r.run('sh', ['-c', 'exit 4'], { allowFailure: true })).exitCode).toBe(4);
  });
  it('maps a missing binary to MissingToolError (exit 4)', async () => {
    const err = await r.run('rgsd-no-such-helm', ['version']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MissingToolError);
    expect((err as MissingToolError).exitCode).toBe(4);
    expect((err as MissingToolError).hint).toContain('RGSD_HELM');
  });
  it('maps a timeout to TimeoutError (exit 8)', async () => {
    // Outlives any stall of this process by far, so only the 200-ms timeout can end it.
    const err = await r.run('sleep', ['60'], { timeoutMs: 200 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect((err as TimeoutError).exitCode).toBe(8);
  });
  it("a missing helm or kubectl: the checkout's .tools/bin (npm run setup) is named when it has the tool", async () => {
    const root = mkdtempSync(join(tmpdir(), 'rgsd-toolhint-'));
    try {
      expect(await toolHint('helm', root)).toBe('install Helm 3 or 4 (https://helm.sh/docs/intro/install/) or point RGSD_HELM at it');
      mkdirSync(join(root, '.tools', 'bin'), { recursive: true });
      writeFileSync(join(root, '.tools', 'bin', 'helm'), '');
      expect(await toolHint('helm', root)).toBe(
        `install Helm 3 or 4 (https://helm.sh/docs/intro/install/) or point RGSD_HELM at it; this checkout has one (from \`npm run setup\`): export PATH="${root}/.tools/bin:$PATH"`,
      );
      // kubectl is not there: the plain hint
      expect(await toolHint('kubectl', root)).toBe('install kubectl (https://kubernetes.io/docs/tasks/tools/) or point RGSD_KUBECTL at it');
      expect(await toolHint('tar', root)).toBe('install tar and make sure it is on PATH');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
  it('streams stdinFrom into the child, binary and whole (a 3 MiB archive through sha256sum)', async () => {
    const { Readable } = await import('node:stream');
    const { createHash, randomBytes } = await import('node:crypto');
    const data = randomBytes(3 * 1024 * 1024);
    const res = await r.run('sha256sum', [], { stdinFrom: Readable.from([data.subarray(0, 1000), data.subarray(1000)]) });
    expect(res.stdout.split(' ')[0]).toBe(createHash('sha256').update(data).digest('hex'));
  });
  it('a child that stops reading stdinFrom early ends the call (no hang, its exit code)', async () => {
    const { Readable } = await import('node:stream');
    const endless = new Readable({
      read() {
        this.push(Buffer.alloc(64 * 1024));
      },
    });
    const res = await r.run('sh', ['-c', 'head -c 10 >/dev/null; exit 5'], { stdinFrom: endless, allowFailure: true });
    expect(res.exitCode).toBe(5);
    endless.destroy();
  });
  it('passes extra env', async () => {
    expect((await r.run('sh', ['-c', 'printf %s "$RGSD_X"'], { env: { RGSD_X: 'y' } })).stdout).toBe('y');
  });
});

describe('withSafety', () => {
  const make = (o: { verbose?: boolean; dryRun?: boolean } = {}) => {
    const inner = new FakeRunner()
      .on(['kubectl', 'get', 'ns'])
      .on(['kubectl', 'get', 'ns', 'tiny'])
      .on(['kubectl', 'apply', '-f', '-'])
      .on(['kubectl', 'exec', '-i', 'p']);
    const guard = new SecretGuard();
    const log: string[] = [];
    const runner = withSafety(inner, { guard, verbose: o.verbose ?? false, dryRun: o.dryRun ?? false, log: (l) => log.push(l) });
    return { inner, guard, log, runner };
  };
  it('refuses an argv containing a registered secret, without running it', async () => {
    const { inner, guard, runner } = make();
    guard.register(['ghp_supersecret123', 'tiny'], 'secret GITHUB_TOKEN');
    const err = await runner.run('kubectl', ['get', 'ns', '--token=ghp_supersecret123']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RgsdError);
    expect((err as Error).message).toBe('refusing to run kubectl: the value of secret GITHUB_TOKEN would appear on its command line');
    expect(inner.calls).toHaveLength(0);
    // short values are not guarded (too many false positives)
    await expect(runner.run('kubectl', ['get', 'ns', 'tiny'])).resolves.toBeDefined();
  });
  it('refuses a secret on stdin too, unless the call is the Secret (secretStdin)', async () => {
    const { inner, guard, runner } = make();
    guard.register(['ghp_supersecret123'], 'secret GITHUB_TOKEN');
    const err = await runner.run('kubectl', ['apply', '-f', '-'], { stdin: 'extraEnv: ghp_supersecret123' }).catch((e: unknown) => e);
    expect((err as Error).message).toBe(
      'refusing to run kubectl: the value of secret GITHUB_TOKEN would be in its input (only the Secret may carry it)',
    );
    expect((err as Error).message + String((err as RgsdError).hint)).not.toContain('ghp_supersecret123');
    expect(inner.calls).toHaveLength(0);
    await runner.run('kubectl', ['apply', '-f', '-'], { stdin: 'data: ghp_supersecret123', secretStdin: true });
    expect(inner.calls.map((c) => c.stdin)).toEqual(['data: ghp_supersecret123']);
  });
  it('find names the secret (its label), never the value; unlabelled values say "a secret"', () => {
    const guard = new SecretGuard();
    guard.register(['value-one-123'], 'secret ONE');
    guard.register(['value-two-456']);
    expect(guard.find('x value-one-123 y')).toBe('secret ONE');
    expect(guard.find('value-two-456')).toBe('a secret');
    expect(guard.find('nothing here')).toBeUndefined();
  });
  it('echoes command lines with --verbose, never stdin content', async () => {
    const { inner, log, runner } = make({ verbose: true });
    await runner.run('kubectl', ['apply', '-f', '-'], { stdin: 'data: x' });
    expect(log).toEqual(['$ kubectl apply -f - < stdin (7 bytes)']);
    const { Readable } = await import('node:stream');
    await runner.run('kubectl', ['exec', '-i', 'p'], { stdinFrom: Readable.from([Buffer.from('x')]) });
    expect(log[1]).toBe('$ kubectl exec -i p < stream');
    expect(inner.calls[1]?.stdinBytes?.toString()).toBe('x');
  });
  it('skips mutating calls under --dry-run and still runs reads', async () => {
    const { inner, log, runner } = make({ dryRun: true });
    await runner.run('kubectl', ['apply', '-f', '-'], { stdin: 'x', mutates: true });
    await runner.run('kubectl', ['get', 'ns']);
    expect(inner.argvs).toEqual([['kubectl', 'get', 'ns']]);
    expect(log[0]).toMatch(/^\[dry-run\] would run: kubectl apply -f -/);
  });
});

describe('FakeRunner', () => {
  it('fails on an unknown call', async () => {
    await expect(new FakeRunner().run('helm', ['list'])).rejects.toThrow(/unexpected call/);
  });
});

it('formatCommand quotes what a shell would split', () => {
  expect(formatCommand(['helm', 'list', '--filter', '^a b$', "it's"])).toBe(`helm list --filter '^a b$' 'it'\\''s'`);
});

describe('CommandError: the lines that matter; -v shows everything', () => {
  const HELM3 =
    "Error: values don't meet the specifications of the schema(s) in the following chart(s):\nrgsd:\n" +
    "- tmux.session: Does not match pattern '^[A-Za-z0-9_-]+$'\n- git.repo: Does not match pattern '^https://'\n\n" +
    'Use --debug flag to render out invalid YAML\n';
  const print = (err: unknown, verbose = false): string => {
    let text = '';
    reportError(err, verbose, (s) => (text += s));
    return text;
  };

  it('message: the first line; details: every other line that says something (klog and --debug advice dropped)', () => {
    const err = new CommandError(['helm', 'template'], 1, `E1123 10:00:00.000000   123 memcache.go:265] noise\n${HELM3}`);
    expect(err.message).toBe("helm failed: values don't meet the specifications of the schema(s) in the following chart(s):");
    expect(err.summary).toBe("values don't meet the specifications of the schema(s) in the following chart(s):");
    expect(err.details).toEqual([
      'rgsd:',
      "- tmux.session: Does not match pattern '^[A-Za-z0-9_-]+$'",
      "- git.repo: Does not match pattern '^https://'",
    ]);
  });

  it('the report shows them indented between the message and the hint', () => {
    expect(print(new CommandError(['helm', 'upgrade'], 1, HELM3))).toBe(
      "rgsd: helm failed: values don't meet the specifications of the schema(s) in the following chart(s):\n" +
        "  rgsd:\n  - tmux.session: Does not match pattern '^[A-Za-z0-9_-]+$'\n  - git.repo: Does not match pattern '^https://'\n" +
        'hint: re-run with -v to see the command line (helm upgrade …)\n',
    );
  });

  it('nested lines keep their indentation (Helm 4)', () => {
    const err = new CommandError(['helm', 'x'], 1, "Error: bad\n- at '/a': 'anyOf' failed\n  - at '/a': got number, want string\n");
    expect(err.details).toEqual(["- at '/a': 'anyOf' failed", "  - at '/a': got number, want string"]);
  });

  it(`at most ${MAX_DETAIL_LINES} lines without -v, then how many more; -v prints the tool's whole output`, () => {
    const many = Array.from({ length: 30 }, (_, i) => `- field${i}: bad`).join('\n');
    const err = new CommandError(['helm', 'template'], 1, `Error: schema\n${many}\nUse --debug flag to render out invalid YAML\n`);
    const short = print(err).split('\n');
    expect(short.filter((l) => l.startsWith('  - field'))).toHaveLength(MAX_DETAIL_LINES);
    expect(short).toContain('  … 10 more lines (re-run with -v to see everything)');
    const full = print(err, true);
    expect(full).toContain('  - field29: bad\n');
    expect(full).toContain('  Use --debug flag to render out invalid YAML\n');
  });

  it('-v on a classified error (its cause a failed call) shows what the tool said', () => {
    const cause = new CommandError(['kubectl', 'get'], 1, 'Error from server (Forbidden): pods is forbidden: more\nsecond line\n');
    const text = print(new RgsdError('permission denied', { cause, hint: 'ask' }), true);
    expect(text).toBe('rgsd: permission denied\n  Error from server (Forbidden): pods is forbidden: more\n  second line\nhint: ask\n');
  });

  it('ordinary errors stay one line and a hint', () => {
    expect(print(new RgsdError('plain', { hint: 'h' }))).toBe('rgsd: plain\nhint: h\n');
    expect(print(new CommandError(['helm', 'x'], 2, 'Error: only one line\n'))).toBe(
      'rgsd: helm failed: only one line\nhint: re-run with -v to see the command line (helm x …)\n',
    );
  });

  it('a real subprocess: everything it said on stderr arrives', async () => {
    const err = (await new ChildRunner()
      .run('sh', ['-c', 'printf "Error: first\\n- a: bad\\n- b: bad\\n" >&2; exit 1'])
      .catch((e: unknown) => e)) as CommandError;
    expect(err.details).toEqual(['- a: bad', '- b: bad']);
  });
});

describe('Progress: what Ctrl-C reports', () => {
  it('nothing begun → "interrupted"; begun, nothing done → "before anything was changed" and no hint', () => {
    const p = new Progress();
    expect(p.summary()).toEqual({ message: 'interrupted', hint: undefined });
    p.begin('re-run `rgsd x`');
    expect(p.summary()).toEqual({ message: 'interrupted before anything was changed', hint: undefined });
  });
  it('steps done, the current one with its risk, and the advice (a step may replace it)', () => {
    const p = new Progress();
    p.begin('re-run `rgsd x`');
    p.start('a');
    p.done('a was done');
    expect(p.summary()).toEqual({ message: 'interrupted after a was done', hint: 're-run `rgsd x`' });
    p.start('b', { risk: 'b may be half-done', next: 'finish b' });
    expect(p.summary()).toEqual({ message: 'interrupted after a was done, during b: b may be half-done', hint: 'finish b' });
    p.done('b was done', { next: 'look at it' });
    p.start('c');
    expect(p.summary()).toEqual({ message: 'interrupted after a was done and b was done, during c', hint: 'look at it' });
  });
  it('an interruption is reported with it (exit 130)', () => {
    const p = new Progress();
    p.begin('next');
    p.start('step', { risk: 'risky' });
    let text = '';
    expect(
      reportError(
        new InterruptedError(),
        false,
        (s) => (text += s),
        () => p.summary(),
      ),
    ).toBe(130);
    expect(text).toBe('rgsd: interrupted during step: risky\nhint: next\n');
  });
});
