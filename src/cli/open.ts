// How a command finds what it works on, in the order a user fixes things: the project
// (argument or the only configured one) and its settings — local, no cluster — then the
// kube context and namespace, announced on stderr (`context: X  namespace: Y`) before the
// first cluster call. Commands call these and hand the result to their ops. The namespace
// (-n and the settings' `namespace:`) is checked before anything else leaves the machine.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { resolveTarget, targetLine, namespaceOf, type TargetInput } from '../cluster/target.js';
import type { Target } from '../cluster/gateway.js';
import type { App } from '../core/app.js';
import { loadProject, resolveProjectName, settingsRelative, type ProjectConfig } from '../core/config.js';
import { ClusterUnreachableError, ConfigError, NotFoundError, UsageError } from '../core/errors.js';
import { projectNames, type ProjectNames } from '../core/names.js';
import { CHART_NAME, durationMs, goDuration, namespaceHint, namespaceProblem } from '../core/vocab.js';

export interface LocalProject {
  project: string;
  /** undefined when the project has no settings file and settings were not required */
  cfg: ProjectConfig | undefined;
  names: ProjectNames;
}

export interface OpenedProject extends LocalProject {
  target: Target;
}

/** The project and its settings (no cluster), with the namespace rule applied. */
export async function resolveProject(
  app: App,
  arg: string | undefined,
  opts: { command: string; requireSettings: boolean },
): Promise<LocalProject> {
  checkNamespaces(app); // a bad -n is reported before anything is read
  const project = await resolveProjectName(app.configDir, arg, opts.command);
  let cfg: ProjectConfig | undefined;
  try {
    cfg = await loadProject(app.configDir, project);
  } catch (err) {
    if (opts.requireSettings || !(err instanceof NotFoundError)) throw err;
  }
  // before a command's own local checks (helm version, the secrets file) too
  checkNamespaces(app, cfg);
  return { project, cfg, names: projectNames(project) };
}

/** The namespace rule (core/vocab.ts `namespaceProblem`) on -n/--namespace and on the
 * settings' `namespace:`, before any call: a bad flag is a usage error (exit 2), a bad
 * setting a configuration error (exit 3), each naming where the value came from. */
export function checkNamespaces(app: App, cfg?: ProjectConfig): void {
  const flag = app.globals.namespace;
  const flagProblem = flag === undefined ? undefined : namespaceProblem(flag);
  if (flag !== undefined && flagProblem) {
    const from = app.globals.namespaceFromEnv ? 'RGSD_NAMESPACE' : '-n/--namespace';
    throw new UsageError(`${from} ${flagProblem}`, { hint: namespaceHint(flag, 'flag') });
  }
  const setting = cfg?.settings.namespace;
  const settingProblem = setting === undefined ? undefined : namespaceProblem(setting);
  if (cfg && setting !== undefined && settingProblem) {
    throw new ConfigError(`${cfg.settingsFile}: namespace ${settingProblem}`, { hint: namespaceHint(setting, 'setting') });
  }
}

function targetInput(app: App, local?: LocalProject): TargetInput {
  checkNamespaces(app, local?.cfg);
  return {
    contextFlag: app.globals.context,
    namespaceFlag: app.globals.namespace,
    pinnedContext: local?.cfg?.settings.context,
    settingsNamespace: local?.cfg?.settings.namespace,
    project: local?.project,
  };
}

/** The target of a project (pinned-context check), announced. With `tolerate` (dry runs,
 * which never touch the cluster) a missing or mismatching context is only a warning. */
export async function openTarget(app: App, local: LocalProject, opts: { tolerate?: boolean } = {}): Promise<OpenedProject> {
  const input = targetInput(app, local);
  let target: Target;
  try {
    target = await resolveTarget(app, input);
  } catch (err) {
    if (!opts.tolerate || !(err instanceof ConfigError || err instanceof ClusterUnreachableError)) throw err;
    app.out.warn(`${err.message} (ignored: dry run)`);
    target = { context: input.contextFlag ?? input.pinnedContext ?? '(none)', namespace: namespaceOf(input) };
  }
  announce(app, target);
  return { ...local, target };
}

/** resolveProject + openTarget. */
export async function openProject(
  app: App,
  arg: string | undefined,
  opts: { command: string; requireSettings: boolean },
): Promise<OpenedProject> {
  return openTarget(app, await resolveProject(app, arg, opts));
}

/** Target for commands about every project of a namespace (no settings involved), announced. */
export async function openNamespace(app: App): Promise<Target> {
  const target = await resolveTarget(app, targetInput(app));
  announce(app, target);
  return target;
}

export function announce(app: App, target: Target): void {
  app.out.info(app.out.c.dim(targetLine(target)));
}

/** --chart > settings.chart (relative to the settings file) > <package>/chart/rgsd. */
export function resolveChart(app: App, cfg: ProjectConfig | undefined, flag: string | undefined): string {
  if (flag) return flag;
  if (cfg?.settings.chart) return settingsRelative(cfg.settingsFile, cfg.settings.chart);
  const bundled = join(app.packageRoot, 'chart', CHART_NAME);
  if (!existsSync(join(bundled, 'Chart.yaml'))) {
    throw new NotFoundError(`the bundled chart is missing (${bundled})`, { hint: 'pass --chart <dir>, or set `chart:` in the settings' });
  }
  return bundled;
}

const MIN_TIMEOUT_MS = 1000;
const MAX_TIMEOUT_MS = 24 * 3_600_000;

/** --timeout text → milliseconds, 1s to 24h; anything else is a usage error. */
export function parseTimeout(text: string, flag = '--timeout'): number {
  const ms = durationMs(text);
  if (ms === undefined) throw new UsageError(`${flag} "${text}" is not a duration`, { hint: 'use e.g. 90s, 5m or 1h30m' });
  if (ms < MIN_TIMEOUT_MS || ms > MAX_TIMEOUT_MS) {
    throw new UsageError(`${flag} ${text} is out of range (${goDuration(ms)}): it must be between 1s and 24h`, {
      hint: 'e.g. --timeout 10m',
    });
  }
  return ms;
}
