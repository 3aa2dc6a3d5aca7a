// Shared by commands: which project, its settings, which cluster/namespace (announced on
// stderr before any cluster call), where the chart is.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { App } from '../core/app.js';
import { loadProject, resolveProjectName, settingsRelative, type ProjectConfig } from '../core/config.js';
import { ClusterUnreachableError, ConfigError, NotFoundError, UsageError } from '../core/errors.js';
import { resolveTarget, targetLine, type Target } from '../core/kube.js';
import { DEFAULT_NAMESPACE, projectNames, type ProjectNames } from '../core/names.js';

export interface OpenedProject {
  project: string;
  /** undefined when the project has no settings file and `requireSettings` was false */
  cfg: ProjectConfig | undefined;
  names: ProjectNames;
  target: Target;
}

/** Project from the argument (or the only configured one), its settings, and the target
 * context/namespace (pinned-context check). Prints `context: X  namespace: Y` on stderr. */
export async function openProject(
  app: App,
  arg: string | undefined,
  opts: {
    command: string;
    requireSettings: boolean;
    announce?: boolean;
    tolerateTarget?: boolean;
    /** Local checks that must pass before the kube context is even looked at. */
    beforeTarget?: (cfg: ProjectConfig | undefined) => Promise<void>;
  },
): Promise<OpenedProject> {
  const project = await resolveProjectName(app.configDir, arg, opts.command);
  let cfg: ProjectConfig | undefined;
  try {
    cfg = await loadProject(app.configDir, project);
  } catch (err) {
    if (opts.requireSettings || !(err instanceof NotFoundError)) throw err;
  }
  await opts.beforeTarget?.(cfg);
  const input = {
    contextFlag: app.globals.context,
    namespaceFlag: app.globals.namespace,
    pinnedContext: cfg?.settings.context,
    settingsNamespace: cfg?.settings.namespace,
    project,
  };
  let target: Target;
  try {
    target = await resolveTarget(app.runner, app.tools, input);
  } catch (err) {
    // --dry-run never touches the cluster: a missing or mismatching context is only noted.
    if (!opts.tolerateTarget || !(err instanceof ConfigError || err instanceof ClusterUnreachableError)) throw err;
    app.out.warn(`${err.message} (ignored: dry run)`);
    target = { context: input.contextFlag ?? input.pinnedContext ?? '(none)', namespace: input.namespaceFlag || input.settingsNamespace || DEFAULT_NAMESPACE };
  }
  if (opts.announce !== false) announce(app, target);
  return { project, cfg, names: projectNames(project), target };
}

/** Target for commands about every project of a namespace (no settings involved). */
export async function openNamespace(app: App, opts: { announce?: boolean } = {}): Promise<Target> {
  const target = await resolveTarget(app.runner, app.tools, { contextFlag: app.globals.context, namespaceFlag: app.globals.namespace });
  if (opts.announce !== false) announce(app, target);
  return target;
}

export function announce(app: App, target: Target): void {
  app.out.info(app.out.c.dim(targetLine(target)));
}

/** --chart > settings.chart (relative to the settings file) > <package>/chart/rgsd. */
export function resolveChart(app: App, cfg: ProjectConfig | undefined, flag: string | undefined): string {
  if (flag) return flag;
  if (cfg?.settings.chart) return settingsRelative(cfg.settingsFile, cfg.settings.chart);
  const bundled = join(app.packageRoot, 'chart', 'rgsd');
  if (!existsSync(join(bundled, 'Chart.yaml'))) {
    throw new NotFoundError(`the bundled chart is missing (${bundled})`, { hint: 'pass --chart <dir>, or set `chart:` in the settings' });
  }
  return bundled;
}

/** "90s", "5m", "1h30m", "300" (seconds) → milliseconds. */
export function parseDuration(text: string): number {
  const t = text.trim();
  if (/^\d+$/.test(t)) return Number(t) * 1000;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
  let total = 0;
  let consumed = '';
  for (const m of t.matchAll(re)) {
    const n = Number(m[1]);
    total += m[2] === 'ms' ? n : m[2] === 's' ? n * 1000 : m[2] === 'm' ? n * 60_000 : n * 3_600_000;
    consumed += m[0];
  }
  if (consumed !== t || total <= 0) {
    throw new UsageError(`invalid duration "${text}"`, { hint: 'use e.g. 90s, 5m or 1h30m' });
  }
  return total;
}

/** Go/kubectl duration text for a millisecond count ("300s"). */
export function goDuration(ms: number): string {
  return `${Math.ceil(ms / 1000)}s`;
}
