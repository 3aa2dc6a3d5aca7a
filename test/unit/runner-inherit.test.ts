// The real runner's terminal pass-through (`interactive`): node:child_process with stdio
// inherited (no execa loaded), the same results and errors as the captured path.
import { describe, expect, it } from 'vitest';
import { CommandError, MissingToolError, TimeoutError } from '../../src/core/errors.js';
import { ChildRunner } from '../../src/core/runner.js';

describe('ChildRunner, interactive', () => {
  const runner = new ChildRunner();

  it('resolves with the exit code (allowFailure), empty output', async () => {
    expect(await runner.run('sh', ['-c', 'exit 3'], { interactive: true, allowFailure: true })).toEqual({
      stdout: '',
      stderr: '',
      exitCode: 3,
    });
    expect(await runner.run('sh', ['-c', 'exit 0'], { interactive: true })).toMatchObject({ exitCode: 0 });
  });

  it('a non-zero exit without allowFailure is a CommandError; a missing tool a MissingToolError', async () => {
    await expect(runner.run('sh', ['-c', 'exit 2'], { interactive: true })).rejects.toBeInstanceOf(CommandError);
    await expect(runner.run('rgsd-no-such-tool-xyz', [], { interactive: true, allowFailure: true })).rejects.toBeInstanceOf(
      MissingToolError,
    );
  });

  it('the environment is added to the parent one; a timeout kills the child', async () => {
    expect(
      await runner.run('sh', ['-c', 'test "$RGSD_T" = yes && test -n "$PATH"'], {
        interactive: true,
        allowFailure: true,
        env: { RGSD_T: 'yes' },
      }),
    ).toMatchObject({ exitCode: 0 });
    await expect(runner.run('sleep', ['30'], { interactive: true, timeoutMs: 200 })).rejects.toBeInstanceOf(TimeoutError);
  });
});
