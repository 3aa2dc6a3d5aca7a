// `rgsd push [project] [--gsd] [--claude] [--codex] [path…] [--dry-run] [--yes] [--json]`
import { JSON_OPTION, defineCommand, dryRunOption, projectArg } from '../cli/spec.js';
import { isInterrupt, RgsdError } from '../core/errors.js';
import { PROJECT_RE } from '../core/names.js';

interface PushFlags {
  gsd?: boolean;
  claude?: boolean;
  codex?: boolean;
}

export default defineCommand<PushFlags>(
  {
    name: 'push',
    summary: "copy local agent state (~/.gsd, ~/.claude, Codex's config) or paths into the pod's home",
    description:
      'Without --gsd/--claude/--codex and without paths: the agents whose folders exist here. ~/.gsd is followed when it is a ' +
      "symlink; of ~/.codex only config.toml, AGENTS.md and prompts/. Paths are relative to your home and land at the same place in the pod's " +
      'home (an absolute path must be inside your home). Left out: per-machine state and caches (~/.claude/projects, todos, ' +
      'shell-snapshots, statsig, ide, debug, file-history, history.jsonl; sessions and caches of ~/.gsd; ~/.codex/sessions, log, ' +
      'history.jsonl) and logins and credentials (~/.claude/.credentials.json, ~/.codex/auth.json, ~/.gsd/agent/auth.json, anything ' +
      'named *credentials*, *.pem, id_*): for each login it says how to log in inside the pod. It shows the plan (files and size per ' +
      'source) and asks (without a terminal, --yes); hooks and MCP servers whose commands name paths of this machine are warnings. ' +
      'Then ONE kubectl exec -i streams a tar into the home (modes and times kept, files of the same name replaced); the pod checks ' +
      "the archive's last entry arrived.",
    args: [
      projectArg(),
      {
        name: 'path',
        required: false,
        variadic: true,
        description: 'more to push, relative to your home (e.g. .claude.json)',
        complete: 'file',
      },
    ],
    options: [
      { flags: '--gsd', description: 'push ~/.gsd (followed when it is a symlink)' },
      { flags: '--claude', description: 'push ~/.claude' },
      { flags: '--codex', description: 'push ~/.codex/config.toml, AGENTS.md and prompts/' },
      dryRunOption('show what would be pushed; run nothing'),
      JSON_OPTION,
    ],
    examples: ['rgsd push myproj', 'rgsd push myproj --claude .claude.json --dry-run', 'rgsd push myproj .config/git/ignore --yes'],
  },
  async (app, args, opts, words = []) => {
    let project = args.project;
    let paths = [...words];
    // `rgsd push .claude.json` in a one-project setup: a first word that cannot be a project is a path
    if (project !== undefined && !PROJECT_RE.test(project)) {
      paths = [project, ...paths];
      project = undefined;
    }
    const agents = (['gsd', 'claude', 'codex'] as const).filter((a) => opts[a]);
    const { openTarget, resolveProject } = await import('../cli/open.js');
    const ops = await import('../ops/push.js');
    const local = await resolveProject(app, project, { command: 'push', requireSettings: false });
    const p = local.project;
    const plan = await ops.planPush({ home: app.env.HOME ?? '', project: p, agents, paths });
    // the target is announced before the plan (no cluster call: the kubeconfig is read)
    const opened = await openTarget(app, local, { tolerate: app.globals.dryRun });
    const { bytes } = await import('../ui/podstate.js');
    const doc = (pushed: boolean, extra: Record<string, unknown> = {}) => ({
      schemaVersion: 1,
      project: p,
      dryRun: app.globals.dryRun,
      pushed,
      sources: plan.sources,
      files: plan.files,
      bytes: plan.bytes,
      leftOut: plan.leftOut,
      warnings: plan.warnings,
      notes: plan.notes,
      ...extra,
    });
    if (!app.globals.json) {
      app.out.data(`${app.globals.dryRun ? 'would push' : 'to push'} into the home of ${p}:`);
      for (const s of plan.sources) {
        const via = s.followed ? ` (a symlink: ${s.followed})` : '';
        const links = s.symlinks ? `, ${s.symlinks} symlink${s.symlinks === 1 ? '' : 's'}` : '';
        app.out.data(`  ${s.path}${via}: ${s.files} file${s.files === 1 ? '' : 's'}${links}, ${bytes(s.bytes)}`);
      }
      app.out.data(`  total: ${plan.files} file${plan.files === 1 ? '' : 's'}, ${bytes(plan.bytes)}`);
      if (plan.leftOut.length) app.out.data('left out:');
      for (const l of plan.leftOut) {
        const why = l.why === 'state' ? 'state of this machine' : l.why === 'login' ? 'a login' : 'a credential';
        app.out.data(`  ${l.path} (${why})${l.hint ? `: ${l.hint}` : ''}`);
      }
    }
    for (const w of plan.warnings) app.out.warn(w);
    for (const n of plan.notes) app.out.info(n);
    if (app.globals.dryRun) {
      if (app.globals.json) app.out.json(doc(false));
      else app.out.success('dry run: nothing was sent');
      return;
    }
    const { confirmOrRefuse } = await import('../ui/prompts.js');
    const retry = ['rgsd', 'push', p, ...agents.map((a) => `--${a}`), ...paths, '--yes'].join(' ');
    await confirmOrRefuse(
      app.prompter,
      `Push ${plan.files} files (${bytes(plan.bytes)}) into the home of ${p}? Files of the same name there are replaced.`,
      {
        yes: app.globals.yes,
        refusal: `not pushing into ${p}`,
        hint: `re-run with --yes: \`${retry}\` (--dry-run shows the plan)`,
      },
    );
    const spin = app.out.spinner(`pushing ${plan.files} files into ${p}`);
    let result: Awaited<ReturnType<typeof ops.runPush>>;
    try {
      result = await ops.runPush(app, opened.target, opened.names, plan);
    } catch (err) {
      spin.fail(`push into ${p} failed`);
      if (err instanceof RgsdError && !isInterrupt(err) && !/^(the push failed|the workstation did not|cannot read)/.test(err.message)) {
        const { refuseIfAsleep } = await import('../ops/sleep.js');
        await refuseIfAsleep(
          app,
          opened.target,
          opened.names,
          'push writes into the running workstation (the home is kept while it sleeps)',
        );
      }
      throw err;
    }
    spin.succeed(`pushed into ${p}`);
    for (const w of result.warnings) app.out.warn(w);
    if (app.globals.json) {
      app.out.json(doc(true, { sent: result.bytes, seconds: result.seconds, podWarnings: result.warnings }));
      return;
    }
    app.out.data(
      `pushed: ${result.files} file${result.files === 1 ? '' : 's'} (${bytes(result.bytes)} of tar) in ${Math.round(result.seconds)}s`,
    );
  },
);
