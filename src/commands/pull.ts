// `rgsd pull [project] <remote-path> [local] [--force] [--json]`
import { JSON_OPTION, defineCommand, projectArg } from '../cli/spec.js';
import { isInterrupt, NotFoundError, RgsdError, UsageError } from '../core/errors.js';
import { PROJECT_RE } from '../core/names.js';

interface PullFlags {
  force?: boolean;
}

export default defineCommand<PullFlags>(
  {
    name: 'pull',
    summary: "copy a file or folder of the pod's home here",
    description:
      "The remote path is relative to the pod's home (or absolute inside it); it lands in the current directory under its own " +
      'name, or at <local> (into it when it is a directory). An existing local file or folder is refused (exit 7) unless --force ' +
      '(a folder is then merged). ONE kubectl exec streams `tar -c` of it; the archive is checked whole first (every header, its end: ' +
      'a stream cut short is an error and writes nothing; every path inside what was asked for, no absolute path, no ..), then ' +
      'extracted without writing through a symlink, modes and times kept.',
    args: [
      projectArg(),
      { name: 'remote-path', required: false, description: "what to copy, relative to the pod's home (e.g. workspace/notes.md)" },
      { name: 'local', required: false, description: 'where it goes (default: the current directory)', complete: 'file' },
    ],
    options: [{ flags: '--force', description: 'replace an existing local file (merge into a folder)' }, JSON_OPTION],
    examples: [
      'rgsd pull myproj workspace/notes.md',
      'rgsd pull myproj .claude/skills ~/tmp/',
      'rgsd pull myproj workspace/out.log /tmp/out.log --force',
    ],
  },
  async (app, args, opts) => {
    let { project, 'remote-path': remote, local } = args;
    // `rgsd pull workspace/notes.md` in a one-project setup: the first word is the remote path
    if (project !== undefined && !PROJECT_RE.test(project)) [project, remote, local] = [undefined, project, remote];
    if (!remote) throw new UsageError('rgsd pull needs the path to copy', { hint: 'rgsd pull <project> workspace/notes.md' });
    const { openTarget, resolveProject } = await import('../cli/open.js');
    const ops = await import('../ops/pull.js');
    const lp = await resolveProject(app, project, { command: 'pull', requireSettings: false });
    const plan = await ops.planPull({ remote, local, cwd: process.cwd(), force: Boolean(opts.force) });
    const opened = await openTarget(app, lp);
    const p = opened.project;
    const spin = app.out.spinner(`pulling ~/${plan.remote} from ${p}`);
    let result: Awaited<ReturnType<typeof ops.runPull>>;
    try {
      result = await ops.runPull(app, opened.target, opened.names, plan);
    } catch (err) {
      spin.fail(`pull from ${p} failed`);
      // kubectl found no pod to exec into: a sleeping project says so, with the way to wake it
      const ours =
        (err instanceof NotFoundError && err.resource === 'file') || (err instanceof RgsdError && /^the archive/.test(err.message));
      if (err instanceof RgsdError && !isInterrupt(err) && !ours) {
        const { refuseIfAsleep } = await import('../ops/sleep.js');
        await refuseIfAsleep(
          app,
          opened.target,
          opened.names,
          'pull reads from the running workstation (the home is kept while it sleeps)',
        );
      }
      throw err;
    }
    spin.succeed(`pulled ~/${plan.remote}`);
    for (const s of result.skipped) app.out.warn(`${s}: not a file, folder or symlink; not extracted`);
    if (app.globals.json) {
      app.out.json({ schemaVersion: 1, project: p, ...result });
      return;
    }
    const { bytes } = await import('../ui/podstate.js');
    const what =
      result.type === 'dir'
        ? `${result.files} file${result.files === 1 ? '' : 's'} in ${result.dirs} folder${result.dirs === 1 ? '' : 's'}`
        : result.type;
    app.out.data(`pulled: ${result.remote} → ${result.local} (${what}, ${bytes(result.bytes)}) in ${Math.round(result.seconds)}s`);
  },
);
