// `rgsd down [project]` — remove the workload and its Secret, keep the home volume.
import { DISCARD_WORK_OPTION } from '../cli/guard.js';
import { defineCommand, dryRunOption, projectArg } from '../cli/spec.js';
import type { DownResult } from '../ops/down.js';
import type { Output } from '../ui/output.js';

export default defineCommand<{ discardWork?: boolean }>(
  {
    name: 'down',
    aliases: ['stop'],
    summary: 'remove the workstation and its Secret; the home volume (PVC) is kept',
    description:
      '`helm uninstall --wait`, then the Secret is deleted; the home volume is kept (`rgsd up` reattaches it, `rgsd nuke` deletes it). ' +
      'A project that is not installed is a success that says so. The work guard looks first: an agent that is working or ' +
      'a task that runs ends with the pod, so without a terminal that needs --discard-work (the files in the home stay).',
    args: [projectArg()],
    options: [DISCARD_WORK_OPTION, dryRunOption('say what would be removed; change nothing')],
    examples: ['rgsd down myproj', 'rgsd down myproj --dry-run'],
  },
  async (app, { project }, opts) => {
    const { openProject } = await import('../cli/open.js');
    const { guardWork } = await import('../cli/guard.js');
    const { down } = await import('../ops/down.js');
    const opened = await openProject(app, project, { command: 'down', requireSettings: false });
    const p = opened.names.release;
    await guardWork(app, opened.target, opened.names, {
      action: 'stop',
      verb: 'stop',
      discardWork: Boolean(opts.discardWork),
      retry: `rgsd down ${p}`,
      showOnly: app.globals.dryRun,
    });
    renderDown(app.out, await down(app, opened.target, opened.names));
  },
);

/** What `down` did, on stderr (stdout stays empty: there is no data to print). */
export function renderDown(out: Output, r: DownResult): void {
  const { project, target, release, pvc } = r;
  if (!r.dryRun) {
    if (release) out.success(`release ${project} uninstalled (was ${release.status}, revision ${release.revision})`);
    if (r.secretRemoved) out.success(`Secret ${r.names.secret} deleted`);
    if (!release && !r.secretRemoved) {
      out.info(`${project} is not installed in namespace ${target.namespace} (context ${target.context}); nothing to do`);
    }
  }
  if (pvc) {
    const how = `\`rgsd up ${project}\` reattaches it, \`rgsd nuke ${project}\` deletes it`;
    out.success(`home volume ${pvc.name} is kept (${pvc.size ?? 'size unknown'}, ${pvc.phase ?? 'unknown'}): ${how}`);
  } else if (release) {
    out.warn(`no home volume ${r.names.pvc} found in ${target.namespace} (it was never created, or was deleted)`);
  }
}
