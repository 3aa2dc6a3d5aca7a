// `rgsd restore [project] <file> [--force] [--timeout d] [--json]`
import { DISCARD_WORK_OPTION } from '../cli/guard.js';
import { JSON_OPTION, defineCommand, projectArg, timeoutOption } from '../cli/spec.js';
import { UsageError } from '../core/errors.js';
import { DEFAULT_TIMEOUT, goDuration } from '../core/vocab.js';

interface RestoreFlags {
  force?: boolean;
  timeout?: string;
  discardWork?: boolean;
}

export default defineCommand<RestoreFlags>(
  {
    name: 'restore',
    summary: 'put a backup (rgsd backup) back into the home: checked first, the workstation stopped meanwhile',
    description:
      'Checks the archive against its manifest (byte count, sha256) before anything else. The home must be empty — what a new ' +
      "project's first boot leaves: the skeleton and dotfiles unchanged, rgsd's own files, clean clones with nothing unpushed — " +
      'unless --force, which replaces what is there (it asks first; without a terminal --yes). Asks first on a terminal (without one, ' +
      '--yes): the workstation is scaled to 0, a helper pod that mounts the home extracts the streamed archive into a staging ' +
      'directory, checks the byte count and sha256 of what arrived and swaps it in; what the backup left out (caches, ' +
      'secret-backed files, logins, transcripts) is kept from the current home. The workstation then starts again and ' +
      'init-home rewrites the secret-backed files. A failed or interrupted transfer leaves the home as it was.',
    args: [
      projectArg(),
      { name: 'file', description: 'the .tar.gz that rgsd backup wrote (its .manifest.json beside it)', required: false, complete: 'file' },
    ],
    options: [
      { flags: '--force', description: 'replace a home that is not empty (asks first; lists what is there)' },
      timeoutOption('each wait (the stop, the helper pod, the start)', DEFAULT_TIMEOUT),
      DISCARD_WORK_OPTION,
      JSON_OPTION,
    ],
    examples: [
      'rgsd restore myproj myproj-20261203-101500.tar.gz',
      'rgsd restore myproj backup.tar.gz --force',
      'rgsd restore backup.tar.gz --yes',
    ],
  },
  async (app, args, opts) => {
    // `rgsd restore file.tar.gz` in a project directory: the one argument is the file
    let { project, file } = args as { project?: string; file?: string };
    if (file === undefined && project !== undefined && /\.(tar\.gz|tgz)$/.test(project)) [project, file] = [undefined, project];
    if (!file) throw new UsageError('rgsd restore needs the backup file', { hint: 'rgsd restore <project> <file.tar.gz>' });
    const { openTarget, parseTimeout, resolveProject } = await import('../cli/open.js');
    const timeoutMs = parseTimeout(opts.timeout ?? DEFAULT_TIMEOUT);
    const force = Boolean(opts.force);
    const ops = await import('../ops/restore.js');
    const local = await resolveProject(app, project, { command: 'restore', requireSettings: false });
    const spin0 = app.out.spinner(`checking ${file} against its manifest`);
    let plan: Awaited<ReturnType<typeof ops.planRestore>>;
    try {
      plan = await ops.planRestore(file, { cwd: process.cwd(), force, now: app.now() });
    } catch (err) {
      spin0.fail(`${file} cannot be restored`);
      throw err;
    }
    spin0.succeed(
      `${plan.archive}: matches its manifest (backup of ${plan.manifest.project}, ${plan.manifest.created}, ${plan.manifest.files} files)`,
    );
    const opened = await openTarget(app, local);
    const p = opened.project;
    const retry = `rgsd restore ${p} ${file}`;
    const { confirmOrRefuse } = await import('../ui/prompts.js');
    const question = force
      ? `Replace the home of ${p} with ${plan.archive}? What is in it now is lost.`
      : `Restore ${plan.archive} into ${p}? Its workstation stops meanwhile.`;
    const confirm = () =>
      confirmOrRefuse(app.prompter, question, {
        yes: app.globals.yes,
        refusal: `not restoring into ${p}`,
        hint: `re-run with --yes: \`${retry}${force ? ' --force' : ''} --yes\``,
      });
    const discardWork = Boolean(opts.discardWork);
    if (!app.prompter.interactive) await confirm();
    const { guardWork } = await import('../cli/guard.js');
    // --force replaces the home: all of its work is at stake; otherwise only a working agent
    const guard = await guardWork(app, opened.target, opened.names, {
      action: force ? 'destroy' : 'stop',
      verb: 'restore',
      discardWork,
      retry: `${retry}${force ? ' --force' : ''} --yes`,
      showOnly: app.globals.dryRun,
    });
    if (guard.report.looked) {
      // the running workstation says what is in the home, before anything is stopped
      const found = await ops.inspectRunningHome(app, opened.target, opened.names, plan.keep);
      if (!found.empty) {
        if (!force) throw ops.notEmptyRefusal(p, found, retry);
        app.out.warn(`--force: the home of ${p} holds ${found.contentCount} thing(s) that the restore replaces:`);
        for (const c of found.content) app.out.info(`  - ${c}`);
        if (found.contentCount > found.content.length) app.out.info(`  - and ${found.contentCount - found.content.length} more`);
      }
    } else if (guard.report.deployed) {
      app.out.info('the helper pod checks the home once the workstation is stopped');
    }
    if (app.globals.dryRun) {
      app.out.success(`dry run: would stop ${p}, restore ${plan.archive} through a helper pod and start it again; nothing was changed`);
      return;
    }
    if (app.prompter.interactive && !guard.confirmed) await confirm();
    const { bytes } = await import('../ui/podstate.js');
    let spin = app.out.spinner(`stopping the workstation of ${p}`);
    let result: Awaited<ReturnType<typeof ops.runRestore>>;
    try {
      result = await ops.runRestore(app, opened.target, opened.names, plan, { timeoutMs, retry }, (e) => {
        if (e.kind === 'helper') {
          spin.succeed(`the workstation of ${p} is stopped`);
          spin = app.out.spinner(`starting the restore helper pod (up to ${goDuration(timeoutMs)})`);
        } else if (e.kind === 'sending') spin.update(`restoring: ${bytes(e.bytes)} of ${bytes(e.total)} sent`);
        else if (e.kind === 'starting') {
          spin.succeed('the home was restored');
          spin = app.out.spinner(`starting the workstation again (up to ${goDuration(e.timeoutMs)})`);
        } else if (e.kind === 'ready') spin.succeed(`the workstation of ${p} is ready`);
      });
    } catch (err) {
      spin.fail(`restore into ${p} failed`);
      throw err;
    }
    if (app.globals.json) {
      app.out.json({ schemaVersion: 1, ...result });
      return;
    }
    app.out.data(`restored: ${result.archive} → ${p} (${result.files} files, ${bytes(result.bytes)}) in ${Math.round(result.seconds)}s`);
    if (result.kept.length) app.out.data(`kept from the home: ${result.kept.join(', ')}`);
    app.out.info(`connect: rgsd connect ${p}`);
  },
);
