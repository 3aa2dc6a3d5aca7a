// `rgsd status [project]` — one project or every rgsd project in the namespace.
import type { App } from '../core/app.js';
import { collectStatus, type ProjectStatus, type StatusDocument } from '../ops/status.js';
import { table } from '../ui/output.js';

export async function run(app: App, project: string | undefined, opts: { json?: boolean }): Promise<void> {
  const doc = await collectStatus(app, project);
  if (opts.json ?? app.globals.json) {
    app.out.json(doc);
    return;
  }
  if (project) app.out.data(renderOne(doc.projects[0] as ProjectStatus));
  else if (doc.projects.length === 0) app.out.info(`no rgsd projects in namespace ${doc.namespace}; create one with \`rgsd init <project>\` and \`rgsd up\``);
  else app.out.data(renderTable(doc));
}

function sessionsText(p: ProjectStatus): string {
  if (p.sessionsError) return `unavailable (${p.sessionsError})`;
  if (!p.sessions) return '-';
  if (p.sessions.length === 0) return 'none';
  return p.sessions.map((s) => `${s.name} (${s.windows} window${s.windows === 1 ? '' : 's'}${s.attached ? ', attached' : ''})`).join(', ');
}

export function renderOne(p: ProjectStatus): string {
  const rows: string[][] = [
    ['project', p.project],
    ['release', p.release ? `${p.release.status}, revision ${p.release.revision}, ${p.release.chart}` : 'not installed'],
    [
      'pod',
      p.pod
        ? `${p.pod.name}: ${p.pod.phase}${p.pod.ready ? ', ready' : ', not ready'}${p.pod.reason ? ` (${p.pod.reason})` : ''}, ${p.pod.restarts} restarts, age ${p.pod.age}, node ${p.pod.node ?? '-'}`
        : 'none',
    ],
    ['home', p.pvc ? `${p.pvc.name}: ${p.pvc.phase ?? '?'}, ${p.pvc.capacity ?? '?'}, class ${p.pvc.storageClass ?? 'default'}` : 'none'],
    ['secret', p.secret ? p.secret.name : 'none'],
    ['tmux', sessionsText(p)],
    ['vscode', p.tunnel ? `${p.tunnel.state}${p.tunnel.name ? ` (${p.tunnel.name})` : ''}${p.tunnel.url ? ` ${p.tunnel.url}` : ''}` : '-'],
  ];
  return table(rows.map(([k, v]) => [`${k}:`, v as string]));
}

export function renderTable(doc: StatusDocument): string {
  const rows = [['PROJECT', 'RELEASE', 'POD', 'READY', 'RESTARTS', 'AGE', 'NODE', 'HOME', 'SESSIONS']];
  for (const p of doc.projects) {
    rows.push([
      p.project,
      p.release ? `${p.release.status}#${p.release.revision}` : '-',
      p.pod ? (p.pod.reason && !p.pod.ready ? `${p.pod.phase}/${p.pod.reason}` : p.pod.phase) : '-',
      p.pod ? (p.pod.ready ? 'yes' : 'no') : '-',
      p.pod ? String(p.pod.restarts) : '-',
      p.pod ? p.pod.age : '-',
      p.pod?.node ?? '-',
      p.pvc ? `${p.pvc.capacity ?? '?'} ${p.pvc.phase ?? ''}`.trim() : '-',
      p.sessions ? p.sessions.map((s) => s.name).join(',') || 'none' : '-',
    ]);
  }
  return table(rows);
}
