// `rgsd status [project]` — one project or every rgsd project in the namespace.
import { JSON_OPTION, defineCommand, projectArg } from '../cli/spec.js';
import type { ProjectStatus, StatusDocument } from '../ops/status.js';
import { plural, table } from '../ui/format.js';
import { homeText, warningText } from '../ui/podstate.js';

export default defineCommand(
  {
    name: 'status',
    summary: 'release, pod, volume, tmux sessions and VS Code tunnel of one or every project',
    description:
      'Three cluster calls run concurrently (helm list, the project objects, Secret names — never Secret data), ' +
      'then one in-pod status query per ready pod. `--json` prints one document (schema in the README).',
    args: [projectArg('project (default: every rgsd project in the namespace)')],
    options: [JSON_OPTION],
    examples: ['rgsd status', 'rgsd status myproj', 'rgsd status --json | jq .projects[0].pod'],
  },
  async (app, { project }) => {
    const { collectStatus } = await import('../ops/status.js');
    const { openNamespace, openProject } = await import('../cli/open.js');
    const opened = project ? await openProject(app, project, { command: 'status', requireSettings: false }) : undefined;
    const target = opened?.target ?? (await openNamespace(app));
    const doc = await collectStatus(app, target, opened?.project);
    if (app.globals.json) app.out.json(doc);
    else if (opened) app.out.data(renderOne(doc.projects[0] as ProjectStatus));
    else if (doc.projects.length > 0) {
      app.out.data(renderTable(doc));
      for (const p of doc.projects) for (const w of p.warnings ?? []) app.out.warn(`${p.project}: ${warningText(w)}`);
    } else app.out.info(`no rgsd projects in namespace ${doc.namespace}; create one with \`rgsd init <project>\` and \`rgsd up\``);
  },
);

function sessionsText(p: ProjectStatus): string {
  if (p.sessionsError) return `unavailable (${p.sessionsError})`;
  if (!p.sessions) return '-';
  if (p.sessions.length === 0) return 'none';
  return p.sessions.map((s) => `${s.name} (${plural(s.windows, 'window')}${s.attached ? ', attached' : ''})`).join(', ');
}

function podText(pod: NonNullable<ProjectStatus['pod']>): string {
  const state = `${pod.phase}, ${pod.ready ? 'ready' : 'not ready'}${pod.reason ? ` (${pod.reason})` : ''}`;
  return `${pod.name}: ${state}, ${plural(pod.restarts, 'restart')}, age ${pod.age}, node ${pod.node ?? '-'}`;
}

/** "asleep since 2026-12-03 10:15 UTC (0 replicas; `rgsd up` or `rgsd connect` wakes it)" */
export function asleepText(a: NonNullable<ProjectStatus['asleep']>): string {
  const since = a.since ? ` since ${a.since.replace('T', ' ').replace(/:\d\d(\.\d+)?Z$/, ' UTC')}` : '';
  return `asleep${since} (0 replicas; \`rgsd up\` or \`rgsd connect\` wakes it)`;
}

function tunnelText(t: ProjectStatus['tunnel']): string {
  if (!t) return '-';
  return `${t.state}${t.name ? ` (${t.name})` : ''}${t.url ? ` ${t.url}` : ''}`;
}

function homeCell(p: ProjectStatus): string {
  if (!p.pvc) return 'none';
  const volume = `${p.pvc.name}: ${p.pvc.phase ?? '?'}, ${p.pvc.capacity ?? '?'}, class ${p.pvc.storageClass ?? 'default'}`;
  return p.homeUsage ? `${volume}; ${homeText(p.homeUsage)}` : volume;
}

export function renderOne(p: ProjectStatus): string {
  const rows: [string, string][] = [
    ['project', p.project],
    ['release', p.release ? `${p.release.status}, revision ${p.release.revision}, ${p.release.chart}` : 'not installed'],
    ['pod', p.pod ? podText(p.pod) : p.asleep ? asleepText(p.asleep) : 'none'],
    ['home', homeCell(p)],
    ['secret', p.secret ? p.secret.name : 'none'],
    ['tmux', sessionsText(p)],
    ['vscode', tunnelText(p.tunnel)],
  ];
  for (const w of p.warnings ?? []) rows.push(['warning', warningText(w)]);
  return table(rows.map(([k, v]) => [`${k}:`, v]));
}

export function renderTable(doc: StatusDocument): string {
  const rows = [['PROJECT', 'RELEASE', 'POD', 'READY', 'RESTARTS', 'AGE', 'NODE', 'HOME', 'SESSIONS']];
  for (const p of doc.projects) {
    const pod = p.pod;
    rows.push([
      p.project,
      p.release ? `${p.release.status}#${p.release.revision}` : '-',
      pod ? (pod.reason && !pod.ready ? `${pod.phase}/${pod.reason}` : pod.phase) : p.asleep ? 'asleep' : '-',
      pod ? (pod.ready ? 'yes' : 'no') : '-',
      pod ? String(pod.restarts) : '-',
      pod ? pod.age : '-',
      pod?.node ?? '-',
      p.pvc ? `${p.pvc.capacity ?? '?'} ${p.pvc.phase ?? ''}`.trim() : '-',
      p.sessions ? p.sessions.map((s) => s.name).join(',') || 'none' : '-',
    ]);
  }
  return table(rows);
}
