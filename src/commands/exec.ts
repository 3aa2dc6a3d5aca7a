// `rgsd exec [project] [-i] [-t] [--workdir DIR] -- <command…>` — one command in the
// workstation container (src/ops/exec.ts): kubectl exec with the terminal passed through,
// the remote command's exit status passed on.
import { defineCommand, dryRunOption, projectArg } from '../cli/spec.js';
import { UsageError } from '../core/errors.js';
import { untty } from './connect.js';

interface ExecFlags {
  stdin?: boolean;
  tty?: boolean;
  workdir?: string;
}

export default defineCommand<ExecFlags>(
  {
    name: 'exec',
    summary: 'run a command in the workstation container (kubectl exec … -- <command…>)',
    description:
      'One call: kubectl exec deployment/<fullname> -c workstation -- <command…>. The command runs exactly as given ' +
      "(an argv, no shell: use sh -c '…' for one) in the container's directory (the home) unless --workdir. " +
      "stdout and stderr pass through unchanged and rgsd exits with the command's status. Without -i the command " +
      'reads no input. When kubectl cannot reach a running workstation (not deployed, asleep, not running, crashing) ' +
      'rgsd says which, with a hint. `rgsd shell` opens an interactive shell in the workspace.',
    args: [projectArg()],
    rest: { name: 'command', description: 'the command and its arguments, after --' },
    options: [
      { flags: '-i, --stdin', description: "pass rgsd's stdin to the command" },
      { flags: '-t, --tty', description: 'allocate a terminal (implies -i; stdin and stdout must be terminals)' },
      { flags: '-w, --workdir <dir>', description: 'run the command in this directory of the pod (through sh)' },
      dryRunOption('print the kubectl command; run nothing'),
    ],
    examples: [
      'rgsd exec myproj -- git -C workspace status',
      'rgsd exec myproj -w workspace -- npm test',
      'rgsd exec myproj -i -- sh -c "cat > notes.txt" < notes.txt',
      'rgsd exec myproj -it -- htop',
    ],
  },
  async (app, { project }, opts, rest = []) => {
    const name = project ?? '<project>';
    if (rest.length === 0) {
      throw new UsageError('no command to run: give it after --', { hint: `rgsd exec ${name} -- ls -la` });
    }
    if (opts.workdir !== undefined && opts.workdir === '') {
      throw new UsageError('--workdir is empty', { hint: `rgsd exec ${name} --workdir workspace -- ${rest[0]}` });
    }
    if (opts.tty && !app.attachable && !app.globals.dryRun) {
      throw new UsageError(`-t allocates a terminal, but ${untty()} not a terminal`, {
        hint: `drop -t (-i still passes stdin): rgsd exec ${name} -i -- <command…>`,
      });
    }
    const { openProject } = await import('../cli/open.js');
    const ops = await import('../ops/exec.js');
    const { project: p, names, target } = await openProject(app, project, { command: 'exec', requireSettings: false });
    const req = { command: rest, stdin: Boolean(opts.stdin || opts.tty), tty: Boolean(opts.tty), workdir: opts.workdir };
    await ops.passExit(app, target, p, names, await ops.runExec(app, target, names, req));
  },
);
