// `rgsd doctor [project]` — every preflight check with its result; non-zero if any fails.
import { JSON_OPTION, defineCommand } from '../cli/spec.js';
import type { App } from '../core/app.js';
import { RgsdError } from '../core/errors.js';
import type { Check, DoctorDocument } from '../ops/doctor.js';
import { plural, table } from '../ui/format.js';

export default defineCommand(
  {
    name: 'doctor',
    summary:
      'run every preflight check (tools, Helm version, context, cluster, namespace, settings, secrets, repository credentials) and report each',
    description:
      'Read-only. Each check prints ✓ (ok), ! (warning), ✗ (failed) or - (skipped), with a hint when it is not ok. ' +
      'With a project whose workstation runs, one exec checks it from inside: the configured agent is installed, Codex’s sandbox runs commands. ' +
      'Without a project every configured one is checked (not their workstations). Exits with the code of the first failed check, 0 when none failed.',
    args: [
      {
        name: 'project',
        required: false,
        description: 'also check this project’s settings, secrets and running workstation',
        complete: 'project',
      },
    ],
    options: [JSON_OPTION],
    examples: ['rgsd doctor', 'rgsd doctor myproj --json'],
  },
  async (app, { project }) => {
    const { doctor } = await import('../ops/doctor.js');
    const { announce, checkNamespaces } = await import('../cli/open.js');
    checkNamespaces(app); // a bad -n is a usage error, not a check
    const { doc, failed } = await doctor(app, project, (e) => announce(app, e.target));
    if (app.globals.json) app.out.json(doc);
    else app.out.data(renderChecks(app, doc));
    const first = failed[0];
    if (first) {
      throw new RgsdError(`${plural(failed.length, 'check')} failed: ${failed.map((c) => c.name).join(', ')}`, {
        ...(first.exitCode !== undefined ? { exitCode: first.exitCode } : {}),
        ...(first.hint ? { hint: first.hint } : {}),
      });
    }
    const warnings = doc.checks.filter((c) => c.status === 'warn').length;
    if (!app.globals.json) app.out.success(warnings ? `all checks passed (${plural(warnings, 'warning')})` : 'all checks passed');
  },
);

/** The checks as a table on stdout; the marks are data, so they take stdout's colour decision. */
export function renderChecks(app: App, doc: DoctorDocument): string {
  const c = app.out.cData;
  const mark = (check: Omit<Check, 'exitCode'>): string => {
    switch (check.status) {
      case 'ok':
        return c.green('✓');
      case 'fail':
        return c.red('✗');
      case 'warn':
        return c.yellow('!');
      default:
        return c.dim('-');
    }
  };
  const rows = doc.checks.flatMap((check) => [
    [
      mark(check),
      check.project ? `${check.name} (${check.project})` : check.name,
      `${check.status === 'skip' ? 'skipped: ' : ''}${check.detail}`,
    ],
    ...(check.hint && check.status !== 'ok' ? [['', '', `hint: ${check.hint}`]] : []),
  ]);
  return table(rows);
}
