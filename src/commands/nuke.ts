// `rgsd nuke [project]` — destroy a project (release, home volume, Secret, its namespace if
// rgsd created it and nothing else is there) after the project name is typed or --confirm'ed.
import { DISCARD_WORK_OPTION, workLine } from '../cli/guard.js';
import { defineCommand, dryRunOption, projectArg } from '../cli/spec.js';
import type { App } from '../core/app.js';
import { RefusedError } from '../core/errors.js';
import type { WorkReport } from '../ops/guard.js';
import type { NukeEvent, NukePlan, NukeStep } from '../ops/nuke.js';
import type { Output, Spinner } from '../ui/output.js';

export default defineCommand<{ confirm?: string; discardWork?: boolean; backup?: string }>(
  {
    name: 'nuke',
    aliases: ['destroy'],
    summary: 'destroy a project: release, home volume, Secret (and the namespace if nothing else is in it)',
    description:
      'Lists exactly what will be destroyed, then asks for the project name to be typed; `--yes` is not enough ' +
      '(scripts pass `--confirm <project>`). The local settings and secrets files are kept. The list includes the work ' +
      'in the home that would be lost (modified files, commits not pushed, stashes, a working agent, a running task); ' +
      'without a terminal, such work also needs --discard-work. On a terminal it offers a backup of the home first ' +
      '(rgsd backup); scripts pass --backup <file>. A failed backup destroys nothing.',
    args: [projectArg()],
    options: [
      { flags: '--confirm <project>', description: 'confirm without a prompt (for scripts): the project name', complete: 'project' },
      DISCARD_WORK_OPTION,
      {
        flags: '--backup <file>',
        description: 'back the home up into <file> first (rgsd backup; nothing is destroyed if it fails)',
        complete: 'file',
      },
      dryRunOption('list what would be destroyed; change nothing'),
    ],
    examples: [
      'rgsd nuke myproj',
      'rgsd nuke myproj --confirm myproj',
      'rgsd nuke myproj --confirm myproj --backup myproj-final.tar.gz',
      'rgsd nuke myproj --dry-run',
    ],
  },
  async (app, { project }, opts) => {
    const { openTarget, resolveProject } = await import('../cli/open.js');
    const { destroy, nothingLeft, planNuke } = await import('../ops/nuke.js');
    const local = await resolveProject(app, project, { command: 'nuke', requireSettings: false });
    // A mismatching --confirm is refused before the cluster is touched.
    if (opts.confirm !== undefined) checkConfirmFlag(local.project, opts.confirm);
    // so is a --backup file that cannot be written
    const backupOps = await import('../ops/backup.js');
    const planFor = (output?: string) =>
      backupOps.planBackup(local.project, { output, include: [], exclude: [], cwd: process.cwd(), now: app.now() });
    let backupPlan = opts.backup !== undefined ? await planFor(opts.backup) : undefined;
    const { target, names } = await openTarget(app, local);
    const plan = await planNuke(app, target, names);
    if (nothingLeft(plan)) {
      const ns = plan.namespace ? `; namespace ${plan.namespace.name} ${plan.namespace.why}` : '';
      app.out.info(`nothing left of ${plan.project} in namespace ${target.namespace} (context ${target.context})${ns}`);
      return;
    }
    const { guardWork } = await import('../cli/guard.js');
    const guard = await guardWork(app, target, names, {
      action: 'destroy',
      verb: 'destroy',
      discardWork: Boolean(opts.discardWork),
      retry: `rgsd nuke ${plan.project} --confirm ${plan.project}`,
      showOnly: app.globals.dryRun,
      summaryByCaller: true,
    });
    const [header, ...rest] = nukeSummary(plan, guard.report);
    app.out.info(app.out.c.bold(header ?? ''));
    for (const line of rest) app.out.info(line);
    if (app.globals.dryRun) {
      app.out.success('dry run: nothing was destroyed');
      return;
    }
    if (guard.refusal) throw guard.refusal;
    if (backupPlan && plan.pvc && !guard.report.looked) {
      throw new RefusedError(
        `cannot back up ${plan.project} before destroying it: ${guard.report.why ?? 'the workstation is not running'}; nothing was deleted`,
        {
          hint: `\`rgsd up ${plan.project}\` first, or nuke without --backup`,
        },
      );
    }
    await requireConfirmation(app, plan.project, opts.confirm);
    if (!backupPlan && plan.pvc && guard.report.looked && app.prompter.interactive) {
      const yes = await app.prompter.confirm(`Back up the home of ${plan.project} first (rgsd backup)?`, { default: true });
      if (yes) backupPlan = await planFor();
    }
    if (backupPlan) {
      const { backupWithProgress } = await import('./backup.js');
      const b = await backupWithProgress(app, target, names, plan.project, backupPlan);
      app.out.success(`backup: ${b.archive} (${b.files} files; \`rgsd restore ${plan.project} ${b.archive}\` puts it back)`);
    }
    const progress = nukeProgress(app.out, plan);
    let destroyed: NukeStep[];
    try {
      ({ destroyed } = await destroy(app, plan, progress.onEvent));
    } finally {
      progress.stop();
    }
    const what = destroyed.map((s) => STEP_LABEL[s]).join(', ');
    app.out.success(`${plan.project} is gone (${what}); the local settings and secrets files are kept`);
  },
);

const STEP_LABEL: Record<NukeStep, string> = { release: 'release', secret: 'Secret', volume: 'home volume', namespace: 'namespace' };

/** The list shown before the confirmation: a header, one `  - ` line per object, and why the
 * namespace stays when it does. */
export function nukeSummary(plan: NukePlan, work?: WorkReport): string[] {
  const { target } = plan;
  const lines = [`This permanently destroys project ${plan.project} (context ${target.context}, namespace ${target.namespace}):`];
  const item = (text: string): void => {
    lines.push(`  - ${text}`);
  };
  if (plan.release) {
    const { name, status, revision } = plan.release;
    item(`Helm release ${name} (${status}, revision ${revision}): the workstation pod, its ServiceAccount and RBAC`);
  }
  if (plan.pvc) {
    const { size, volume, terminating } = plan.pvc;
    const extra = [size ?? 'size unknown', volume ? `volume ${volume}` : null, terminating ? 'already being deleted' : null]
      .filter(Boolean)
      .join(', ');
    item(`PersistentVolumeClaim ${plan.pvc.name} (${extra}): the home directory — every file, clone and agent state in it`);
  }
  if (plan.secret) item(`Secret ${plan.secret}: the credentials copied from the secrets file (the local file stays)`);
  if (plan.namespace?.remove) item(`Namespace ${plan.namespace.name} (${plan.namespace.why})`);
  else if (plan.namespace) lines.push(`  Namespace ${plan.namespace.name} is ${plan.namespace.why}.`);
  if (work?.looked && work.items.length > 0) {
    lines.push('  Work in the workstation that is lost with it:');
    for (const i of work.items) lines.push(`    - ${workLine(i)}`);
  } else if (work && !work.looked && plan.pvc) {
    const why = work.deployed ? work.why : 'the workstation is not running';
    lines.push(`  Unpushed work in the home could not be looked for (${why}): \`rgsd up ${plan.project}\` and \`rgsd peek\` show it.`);
  }
  return lines;
}

function checkConfirmFlag(project: string, confirm: string): void {
  if (confirm !== project) {
    throw new RefusedError(`--confirm "${confirm}" does not match the project "${project}"; nothing was deleted`, {
      hint: `rgsd nuke ${project} --confirm ${project}`,
    });
  }
}

/** Refuse unless the project name is confirmed: --confirm, or typed at a terminal. --yes is not enough. */
async function requireConfirmation(app: App, project: string, confirm: string | undefined): Promise<void> {
  if (confirm !== undefined) return checkConfirmFlag(project, confirm);
  if (!app.prompter.interactive) {
    const why = 'stdin is not a terminal, so the project name cannot be typed; nothing was deleted';
    throw new RefusedError(`refusing to nuke ${project}: ${why}`, {
      hint: `from a script: rgsd nuke ${project} --confirm ${project}${app.globals.yes ? ' (--yes is not enough for nuke)' : ''}`,
    });
  }
  if (app.globals.yes) app.out.warn('--yes does not apply to nuke: type the project name (or use --confirm)');
  const { confirmTyped } = await import('../ui/prompts.js');
  if (!(await confirmTyped(app.prompter, project, `Type the project name (${project}) to destroy it:`))) {
    throw new RefusedError(`the name typed is not "${project}"; nothing was deleted`, {
      hint: `re-run \`rgsd nuke ${project}\` and type ${project} exactly`,
    });
  }
}

/** Renders destroy's events: a spinner for the two waits (helm uninstall --wait, the PVC's
 * release by its pod), one line for each quick step. `stop` fails a spinner left running. */
function nukeProgress(out: Output, plan: NukePlan): { onEvent: (e: NukeEvent) => void; stop: () => void } {
  let spin: Spinner | undefined;
  const release = plan.release?.name ?? plan.project;
  const pvc = plan.pvc;
  const onEvent = (e: NukeEvent): void => {
    if (e.kind === 'uninstall-failed') {
      spin?.stop();
      out.warn(`helm uninstall failed (${e.reason}); removing the release's objects directly`);
      spin = out.spinner(`deleting the objects and Helm records of release ${e.release}`);
      return;
    }
    if (e.kind === 'start') {
      if (e.step === 'release') spin = out.spinner(`uninstalling release ${release} (helm uninstall --wait)`);
      if (e.step === 'volume' && pvc) spin = out.spinner(`deleting home volume ${pvc.name} (waits until no pod mounts it)`);
      return;
    }
    const done = (text: string): void => {
      if (spin) spin.succeed(text);
      else out.success(text);
      spin = undefined;
    };
    if (e.step === 'release') done(`release ${release} uninstalled`);
    else if (e.step === 'secret') done(`Secret ${plan.secret ?? ''} deleted`);
    else if (e.step === 'volume') done(`home volume ${pvc?.name ?? ''} deleted${pvc?.size ? ` (${pvc.size})` : ''}`);
    else done(`namespace ${plan.namespace?.name ?? plan.target.namespace} deleted (Kubernetes finishes removing it in the background)`);
  };
  return {
    onEvent,
    stop: () => {
      spin?.fail();
      spin = undefined;
    },
  };
}
