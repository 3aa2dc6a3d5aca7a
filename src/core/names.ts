// Project names and the object names the chart derives from them (see ARCHITECTURE.md "Names").
import { ConfigError } from './errors.js';
import { CHART_NAME, CONTAINER, projectSelector } from './vocab.js';

export const PROJECT_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const PROJECT_MAX = 53;

/** Throws ConfigError unless `name` is a DNS-1123 label of at most 53 characters. */
export function validateProjectName(name: string): string {
  if (name.length === 0) throw new ConfigError('project name is empty', { hint: 'use e.g. `myproj`' });
  if (name.length > PROJECT_MAX) {
    throw new ConfigError(`project name "${name}" is ${name.length} characters; at most ${PROJECT_MAX} are allowed`, {
      hint: 'use a shorter name (it becomes the Helm release and object name prefix)',
    });
  }
  if (!PROJECT_RE.test(name)) {
    throw new ConfigError(`project name "${name}" is not a DNS-1123 label`, {
      hint: 'use lower-case letters, digits and "-", starting and ending with a letter or digit (e.g. my-proj)',
    });
  }
  return name;
}

/** Same rule as the chart's `rgsd.fullname` (helm create): fullnameOverride, else the
 * release name if it contains the chart name, else `<release>-<chart>`; max 63, no trailing "-". */
export function fullname(release: string, overrides: { nameOverride?: string; fullnameOverride?: string } = {}): string {
  const trunc = (s: string): string => s.slice(0, 63).replace(/-$/, ''); // trimSuffix removes one "-"
  if (overrides.fullnameOverride) return trunc(overrides.fullnameOverride);
  const name = overrides.nameOverride || CHART_NAME;
  return release.includes(name) ? trunc(release) : trunc(`${release}-${name}`);
}

/** Names of every object of a project (release = project). */
export interface ProjectNames {
  release: string;
  fullname: string;
  deployment: string;
  pvc: string;
  secret: string;
  container: string;
  selector: string;
}

export function projectNames(project: string): ProjectNames {
  const fn = fullname(project);
  return {
    release: project,
    fullname: fn,
    deployment: fn,
    pvc: `${fn}-home`,
    secret: `${fn}-secrets`,
    container: CONTAINER.workstation,
    selector: projectSelector(project),
  };
}
