import { describe, expect, it } from 'vitest';
import { CommandError, MissingToolError, RgsdError, TimeoutError } from '../../src/core/errors.js';
import { ExecaRunner, SecretGuard, formatCommand, withSafety } from '../../src/core/runner.js';
import { FakeRunner } from '../helpers/fake-runner.js';

describe('ExecaRunner (real subprocesses)', () => {
  const r = new ExecaRunner();
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
  it('passes extra env', async () => {
    expect((await r.run('sh', ['-c', 'printf %s "$RGSD_X"'], { env: { RGSD_X: 'y' } })).stdout).toBe('y');
  });
});

describe('withSafety', () => {
  const make = (o: { verbose?: boolean; dryRun?: boolean } = {}) => {
    const inner = new FakeRunner().on(['kubectl', 'get', 'ns']).on(['kubectl', 'apply', '-f', '-']);
    const guard = new SecretGuard();
    const log: string[] = [];
    const runner = withSafety(inner, { guard, verbose: o.verbose ?? false, dryRun: o.dryRun ?? false, log: (l) => log.push(l) });
    return { inner, guard, log, runner };
  };
  it('refuses an argv containing a registered secret, without running it', async () => {
    const { inner, guard, runner } = make();
    guard.register(['ghp_supersecret123', 'tiny']);
    const err = await runner.run('kubectl', ['get', 'ns', '--token=ghp_supersecret123']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RgsdError);
    expect(String((err as Error).message)).not.toContain('ghp_supersecret123');
    expect(inner.calls).toHaveLength(0);
    // short values are not guarded (too many false positives) and stdin is never checked
    await expect(runner.run('kubectl', ['get', 'ns'], { stdin: 'ghp_supersecret123' })).resolves.toBeDefined();
  });
  it('echoes command lines with --verbose, never stdin content', async () => {
    const { log, runner } = make({ verbose: true });
    await runner.run('kubectl', ['apply', '-f', '-'], { stdin: 'data: x' });
    expect(log).toEqual(['$ kubectl apply -f - < stdin (7 bytes)']);
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
