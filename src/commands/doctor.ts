// `rgsd doctor [project]` — every preflight check with its result; non-zero if any fails.
import type { App } from '../core/app.js';
import { RgsdError } from '../core/errors.js';
import { doctor, type Check } from '../ops/doctor.js';
import { table } from '../ui/output.js';

export async function run(app: App, project: string | undefined, opts: { json?: boolean }): Promise<void> {
  const { doc, failed } = await doctor(app, project);
  const { out } = app;
  if (opts.json ?? app.globals.json) {
    out.json(doc);
  } else {
    const mark = (c: Check): string =>
      c.status === 'ok' ? out.c.green('✓') : c.status === 'fail' ? out.c.red('✗') : c.status === 'warn' ? out.c.yellow('!') : out.c.dim('-');
    const rows = doc.checks.flatMap((c) => [
      [mark(c), c.project ? `${c.name} (${c.project})` : c.name, `${c.status === 'skip' ? 'skipped: ' : ''}${c.detail}`],
      ...(c.hint && c.status !== 'ok' ? [['', '', `hint: ${c.hint}`]] : []),
    ]);
    out.data(table(rows));
  }
  const first = failed[0];
  if (first) {
    throw new RgsdError(`${failed.length} check${failed.length === 1 ? '' : 's'} failed: ${failed.map((c) => c.name).join(', ')}`, {
      ...(first.exitCode !== undefined ? { exitCode: first.exitCode } : {}),
      ...(first.hint ? { hint: first.hint } : {}),
    });
  }
  if (!(opts.json ?? app.globals.json)) out.success('all checks passed');
}
