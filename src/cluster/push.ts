// Files into and out of the home over `kubectl exec deployment/<fullname> -c workstation
// --pod-running-timeout=10s` (never a terminal). `rgsd push`: ONE call, the tar stream on
// kubectl's stdin (`-i`), extracted by `sh -c PUSH_SCRIPT` into $HOME (modes kept, no owners),
// whose last entry is a marker file: the pod checks it arrived, so a stream that lost its end
// is an error, not a partial success. `rgsd pull`: ONE call, `tar -c` of one path to kubectl's
// stdout. ARCHITECTURE.md "Push and pull".
import { CommandError, NotFoundError, RgsdError } from '../core/errors.js';
import type { ProjectNames } from '../core/names.js';
import { classify } from './classify.js';
import { kubectl, kubectlArgv, type Gateway, type Target } from './gateway.js';
import { taskExecArgs } from './tasks.js';
import { notDeployed } from './workload.js';

/** $1: the marker, the archive's last entry (a file at the top of the home). */
export const PUSH_SCRIPT = [
  'set -eu',
  'cd "$HOME"',
  'rm -f -- "$1"',
  'if ! tar -x -p --no-same-owner -f -; then echo "rgsd-push: error: tar could not extract the archive into $HOME (part of it may be there)" >&2; exit 3; fi',
  'if [ ! -f "$1" ]; then echo "rgsd-push: error: the archive arrived incomplete (its last entry is missing; part of it may be there)" >&2; exit 3; fi',
  'rm -f -- "$1"',
  // the agents' hooks in their settings (agent-setup, as at every boot): a pushed config.toml
  // or settings.json would otherwise lose them until the next start
  'if [ -x /opt/rgsd/agent-setup ]; then /opt/rgsd/agent-setup >/dev/null 2>&1 || echo "rgsd-push: warning: /opt/rgsd/agent-setup did not finish: the agents may not report their state until the next start" >&2; fi',
  'echo "rgsd-push: ok" >&2',
].join('; ');

/** $1: the directory (relative to $HOME), $2: the name in it. */
export const PULL_SCRIPT = [
  'cd "$HOME" && cd -- "$1" 2>/dev/null && { [ -e "$2" ] || [ -L "$2" ]; } || { echo "rgsd-pull: not found" >&2; exit 3; }',
  'exec tar -c -f - "./$2"',
].join('; ');

export function pushArgs(names: ProjectNames, marker: string): string[] {
  return taskExecArgs(names, ['sh', '-c', PUSH_SCRIPT, 'sh', marker], true);
}

export function pullArgs(names: ProjectNames, dir: string, name: string): string[] {
  return taskExecArgs(names, ['sh', '-c', PULL_SCRIPT, 'sh', dir, name]);
}

type Res = { exitCode: number; stdout: string; stderr: string };

function failure(gw: Gateway, t: Target, names: ProjectNames, args: string[], res: Res, prefix: 'rgsd-push' | 'rgsd-pull') {
  const said = [...res.stderr.matchAll(new RegExp(`^${prefix}: error: (.*)$`, 'gm'))].map((m) => m[1] ?? '');
  if (said.length) {
    const other = res.stderr.split('\n').filter((l) => l.trim() && !l.startsWith(`${prefix}:`));
    return new RgsdError(`the push failed in the pod: ${said[0]}`, {
      hint: `run it again; \`rgsd exec ${names.release} -- ls -la\` shows the home`,
      details: [...said.slice(1), ...other].slice(0, 20),
    });
  }
  const argv = [gw.tools.kubectl, ...kubectlArgv(t, args)];
  return notDeployed(classify(new CommandError(argv, res.exitCode, res.stderr, ''), t), names, t);
}

/** Streams `archive` into the pod's home; resolves with the pod's warnings. */
export async function streamPush(
  gw: Gateway,
  t: Target,
  names: ProjectNames,
  marker: string,
  archive: NodeJS.ReadableStream,
): Promise<{ warnings: string[] }> {
  const args = pushArgs(names, marker);
  const res = await kubectl(gw, t, args, { allowFailure: true, mutates: true, stdinFrom: archive });
  if (res.exitCode !== 0) throw failure(gw, t, names, args, res, 'rgsd-push');
  if (!/^rgsd-push: ok$/m.test(res.stderr)) {
    throw new RgsdError('the workstation did not confirm the push (kubectl ended without its last line)', {
      hint: 'run it again (a kubectl exec stream can lose its end without an error)',
    });
  }
  const warnings = [...res.stderr.matchAll(/^rgsd-push: warning: (.*)$/gm)].map((m) => m[1] ?? '');
  return { warnings };
}

/** Streams the tar of `dir/name` (relative to the pod's home) into `sink` (not ended here). */
export async function streamPull(
  gw: Gateway,
  t: Target,
  names: ProjectNames,
  dir: string,
  name: string,
  sink: NodeJS.WritableStream,
): Promise<void> {
  const args = pullArgs(names, dir, name);
  const res = await kubectl(gw, t, args, { allowFailure: true, stdoutTo: sink });
  if (res.exitCode === 0) return;
  if (/^rgsd-pull: not found$/m.test(res.stderr)) {
    const shown = dir === '.' ? `~/${name}` : `~/${dir}/${name}`;
    throw new NotFoundError(`${shown} does not exist in the home of ${names.release}`, {
      hint: `\`rgsd exec ${names.release} -- ls -la${dir === '.' ? '' : ` ${dir}`}\` lists what is there`,
      resource: 'file',
    });
  }
  throw failure(gw, t, names, args, res, 'rgsd-pull');
}
