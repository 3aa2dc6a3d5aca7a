// Where rgsd keeps its files and how a project's settings file is read and validated.
//
//   <config dir>/projects/<project>.yaml   settings (no secrets)
//   <config dir>/secrets/<project>.env     secrets, KEY=value lines, mode 0600 (dir 0700)
//
// Config dir: --config-dir > $RGSD_CONFIG_DIR > $XDG_CONFIG_HOME/rgsd > ~/.config/rgsd.
// Problems with it (no HOME, permissions, a directory where a file belongs, a virtual file
// system) are ConfigErrors naming the path, with a hint: never a raw errno.
import { constants } from 'node:fs';
import { access, readFile, readdir, realpath, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { ConfigError, NotFoundError, RgsdError, UsageError } from './errors.js';
import { validateProjectName } from './names.js';
import {
  ACCESS_MODES,
  AGENTS,
  PULL_POLICIES,
  RBAC_MODES,
  repoUrlProblem,
  sizeProblem,
  TASK_PRESETS,
  type TaskPreset,
  type Agent,
  type RbacMode,
  namespaceHint,
  namespaceProblem,
} from './vocab.js';

/** Secret file keys (ARCHITECTURE.md secret contract) by settings `files` entry. init-home
 * installs them as ~/.gsd/agent/models.json, ~/.gsd/PREFERENCES.md (the name GSD reads first;
 * the key keeps its old lower-case name) and the workspace's .env. */
export const FILE_KEYS = { models: 'models.json', preferences: 'preferences.md', projectEnv: 'project.env' } as const;
export type FileEntry = keyof typeof FILE_KEYS;

export interface Settings {
  repo?: string;
  branch?: string;
  agent?: Agent;
  autoStart?: boolean;
  agentArgs?: string[];
  image?: { repository?: string; tag?: string; digest?: string; pullPolicy?: string };
  resources?: Record<string, unknown>;
  storage?: { size?: string; storageClass?: string; accessMode?: string };
  rbac?: { mode?: RbacMode; rules?: unknown[] };
  extraEnv?: Record<string, string>;
  files?: Partial<Record<FileEntry, string>>;
  /** `files` may name paths outside the home and the config directory. */
  allowFilesOutside?: boolean;
  namespace?: string;
  context?: string;
  tmuxSession?: string;
  chart?: string;
  git?: { userName?: string; userEmail?: string };
  vscodeTunnel?: { enabled?: boolean; name?: string };
  /** Default permission preset of `rgsd run` (README "Tasks"). */
  taskPermissions?: TaskPreset;
  /** Extra chart values merged last (never secrets: secrets.* is refused). */
  values?: Record<string, unknown>;
}

export interface ProjectConfig {
  project: string;
  configDir: string;
  settingsFile: string;
  secretsFile: string;
  settings: Settings;
}

export interface ConfigEnv {
  configDirFlag?: string | undefined;
  env: NodeJS.ProcessEnv;
  home?: string;
}

/** The user's home: $HOME as os.homedir() reads it, else the passwd entry; '' when there is
 * none (HOME unset and no passwd entry: os.homedir() throws). */
export function userHome(): string {
  try {
    return homedir();
  } catch {
    return '';
  }
}

/** The config directory. Relative only when the home is empty or relative (HOME=""): then
 * checkConfigDir refuses it, so nothing is read from or written into the current directory. */
export function resolveConfigDir({ configDirFlag, env, home }: ConfigEnv): string {
  if (configDirFlag) return resolve(configDirFlag);
  if (env.RGSD_CONFIG_DIR) return resolve(env.RGSD_CONFIG_DIR);
  // the XDG spec: a relative XDG_CONFIG_HOME is invalid and ignored
  if (env.XDG_CONFIG_HOME && isAbsolute(env.XDG_CONFIG_HOME)) return join(env.XDG_CONFIG_HOME, 'rgsd');
  return join(home ?? userHome(), '.config', 'rgsd');
}

/** A failed file-system call on the config directory as a ConfigError (exit 3) with the path and a hint. */
export function fsProblem(err: unknown, path: string, doing: 'read' | 'write' | 'list'): RgsdError {
  if (err instanceof RgsdError) return err;
  const code = (err as NodeJS.ErrnoException).code;
  const other = 'or pass --config-dir <a directory of yours>';
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return new ConfigError(`cannot ${doing} ${path}: permission denied`, {
        hint:
          doing === 'write' ? `make it writable by you (ls -ld ${path}), ${other}` : `make it readable by you (ls -ld ${path}), ${other}`,
        cause: err,
      });
    case 'EISDIR':
      return new ConfigError(`${path} is a directory, not a file`, { hint: `remove or rename that directory, ${other}`, cause: err });
    case 'ENOTDIR':
      return new ConfigError(`cannot ${doing} ${path}: a part of that path is a file, not a directory`, {
        hint: `check the config directory (--config-dir, RGSD_CONFIG_DIR, XDG_CONFIG_HOME, HOME), ${other}`,
        cause: err,
      });
    case 'EROFS':
      return new ConfigError(`cannot ${doing} ${path}: read-only file system`, {
        hint: `pass --config-dir <a writable directory>`,
        cause: err,
      });
    case 'ENOSPC':
    case 'EDQUOT':
      return new ConfigError(`cannot ${doing} ${path}: no space left`, { hint: 'free some space, or pass --config-dir', cause: err });
    case 'ELOOP':
      return new ConfigError(`cannot ${doing} ${path}: too many symbolic links`, {
        hint: 'check the symbolic links on that path',
        cause: err,
      });
    default:
      return new ConfigError(`cannot ${doing} ${path}: ${code ?? (err as Error).message}`, {
        hint: `check that path, ${other}`,
        cause: err,
      });
  }
}

/** Where a path really is: the nearest existing ancestor with its symlinks resolved, plus the rest. */
async function realLocation(p: string): Promise<string> {
  let head = p;
  let tail = '';
  for (;;) {
    try {
      return join(await realpath(head), tail);
    } catch {
      const parent = dirname(head);
      if (parent === head) return p;
      tail = join(basename(head), tail);
      head = parent;
    }
  }
}

/** Virtual file systems a config directory must not be on (mkdir -p there can loop forever). */
const VIRTUAL_FS = ['/proc', '/sys', '/dev'];

/** Refuse a config directory that cannot be one: relative (no HOME) or on /proc, /sys, /dev. */
export async function checkConfigDir(configDir: string): Promise<void> {
  if (!isAbsolute(configDir)) {
    throw new ConfigError('no config directory: HOME is empty or not an absolute path, and no --config-dir or RGSD_CONFIG_DIR is given', {
      hint: 'pass --config-dir <dir> (or set RGSD_CONFIG_DIR), or set HOME; rgsd never keeps its files in the current directory',
    });
  }
  const real = await realLocation(configDir);
  for (const root of VIRTUAL_FS) {
    if ([configDir, real].some((p) => p === root || p.startsWith(`${root}/`))) {
      throw new ConfigError(`config directory ${configDir} is on ${root}, a virtual file system`, {
        hint: 'pass --config-dir <a directory on disk>, e.g. ~/.config/rgsd',
      });
    }
  }
}

/** Before writing into `dir` (created if need be): its nearest existing ancestor is a directory you can write. */
export async function checkWritableDir(dir: string): Promise<void> {
  let p = dir;
  for (;;) {
    try {
      const st = await stat(p);
      if (!st.isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
      await access(p, constants.W_OK | constants.X_OK);
      return;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const parent = dirname(p);
      if (code !== 'ENOENT' || parent === p) throw fsProblem(err, code === 'ENOTDIR' ? dir : p, 'write');
      p = parent;
    }
  }
}

export function settingsPath(configDir: string, project: string): string {
  return join(configDir, 'projects', `${project}.yaml`);
}
export function secretsPath(configDir: string, project: string): string {
  return join(configDir, 'secrets', `${project}.env`);
}

/** Projects that have a settings file, sorted ([] when there is no projects/ directory yet). */
export async function listProjects(configDir: string): Promise<string[]> {
  await checkConfigDir(configDir);
  const dir = join(configDir, 'projects');
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw fsProblem(err, dir, 'list');
  }
  return entries
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.slice(0, -'.yaml'.length))
    .sort();
}

/** The project named on the command line, or the only configured one. */
export async function resolveProjectName(configDir: string, arg: string | undefined, command = '<command>'): Promise<string> {
  if (arg) return validateProjectName(arg);
  const projects = await listProjects(configDir);
  if (projects.length === 1 && projects[0]) return projects[0];
  if (projects.length === 0) {
    throw new UsageError(`no project given and none configured in ${configDir}`, { hint: 'create one with `rgsd init <project>`' });
  }
  throw new UsageError(`no project given and ${projects.length} are configured (${projects.join(', ')})`, {
    hint: `name one, e.g. \`rgsd ${command} ${projects[0]}\``,
  });
}

export async function loadProject(configDir: string, project: string): Promise<ProjectConfig> {
  validateProjectName(project);
  await checkConfigDir(configDir);
  const settingsFile = settingsPath(configDir, project);
  let text: string;
  try {
    text = await readFile(settingsFile, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new NotFoundError(`project "${project}" has no settings file (${settingsFile})`, {
        hint: `create it with \`rgsd init ${project}\`, or pass --config-dir`,
      });
    }
    throw fsProblem(err, settingsFile, 'read');
  }
  const { parse } = await import('yaml');
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (err) {
    throw new ConfigError(`${settingsFile} is not valid YAML: ${(err as Error).message.split('\n')[0]}`, {
      hint: 'fix the syntax (yamllint can help)',
    });
  }
  return {
    project,
    configDir,
    settingsFile,
    secretsFile: secretsPath(configDir, project),
    settings: validateSettings(raw ?? {}, settingsFile),
  };
}

/** Resolve a path written in the settings file (relative to that file). */
export function settingsRelative(settingsFile: string, p: string): string {
  const home = userHome();
  const expanded = p.startsWith('~/') && home ? join(home, p.slice(2)) : p;
  return isAbsolute(expanded) ? expanded : resolve(dirname(settingsFile), expanded);
}

// ---- validation -------------------------------------------------------------------------

const KNOWN_KEYS = [
  'repo',
  'branch',
  'agent',
  'autoStart',
  'agentArgs',
  'image',
  'resources',
  'storage',
  'rbac',
  'extraEnv',
  'files',
  'allowFilesOutside',
  'namespace',
  'context',
  'tmuxSession',
  'chart',
  'git',
  'vscodeTunnel',
  'taskPermissions',
  'values',
] as const;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export function validateSettings(raw: unknown, file: string): Settings {
  const bad = (key: string, what: string): never => {
    throw new ConfigError(`${file}: ${key} ${what}`, { hint: 'see README "Settings and secrets" for every key' });
  };
  if (!isObj(raw)) bad('(top level)', 'must be a mapping of settings');
  const o = raw as Obj;
  for (const k of Object.keys(o)) {
    if (!(KNOWN_KEYS as readonly string[]).includes(k)) {
      bad(k, `is not a known setting (known: ${KNOWN_KEYS.join(', ')})`);
    }
  }
  const str = (key: string, v: unknown): string | undefined => {
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') bad(key, 'must be a string');
    return v as string;
  };
  // a list of words, each passed on as one argument: never a string a shell would split
  const words = (key: string, v: unknown): string[] | undefined => {
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'string') bad(key, `must be a list of words, e.g. [--model, opus] (got the string "${v}"; it is never split)`);
    if (!Array.isArray(v) || v.some((w) => typeof w !== 'string' && typeof w !== 'number')) bad(key, 'must be a list of strings');
    const list = (v as unknown[]).map(String);
    if (list.some((w) => w.includes('\0'))) bad(key, 'must not contain NUL characters');
    return list;
  };
  const bool = (key: string, v: unknown): boolean | undefined => {
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'boolean') bad(key, 'must be true or false');
    return v as boolean;
  };
  const oneOf = <T extends string>(key: string, v: unknown, allowed: readonly T[]): T | undefined => {
    const s = str(key, v);
    if (s !== undefined && !allowed.includes(s as T)) bad(key, `must be one of ${allowed.join(', ')} (got "${s}")`);
    return s as T | undefined;
  };
  const obj = (key: string, v: unknown, keys?: readonly string[]): Obj | undefined => {
    if (v === undefined || v === null) return undefined;
    if (!isObj(v)) bad(key, 'must be a mapping');
    if (keys) for (const k of Object.keys(v as Obj)) if (!keys.includes(k)) bad(`${key}.${k}`, `is not known (known: ${keys.join(', ')})`);
    return v as Obj;
  };
  const s: Settings = {};
  const set = <K extends keyof Settings>(k: K, v: Settings[K] | undefined): void => {
    if (v !== undefined) s[k] = v;
  };
  const repo = str('repo', o.repo);
  const repoBad = repo ? repoUrlProblem(repo) : undefined;
  if (repoBad) {
    throw new ConfigError(`${file}: repo ${repoBad}`, {
      hint: 'e.g. repo: https://github.com/org/repo.git or git@github.com:org/repo.git; a token goes in GITHUB_TOKEN in the secrets file, never in the URL',
    });
  }
  set('repo', repo);
  set('branch', str('branch', o.branch));
  set('agent', oneOf('agent', o.agent, AGENTS));
  set('autoStart', bool('autoStart', o.autoStart));
  set('agentArgs', words('agentArgs', o.agentArgs));
  const namespace = str('namespace', o.namespace);
  const nsProblem = namespace === undefined ? undefined : namespaceProblem(namespace);
  if (namespace !== undefined && nsProblem) {
    throw new ConfigError(`${file}: namespace ${nsProblem}`, { hint: namespaceHint(namespace, 'setting') });
  }
  set('namespace', namespace);
  set('context', str('context', o.context));
  set('tmuxSession', str('tmuxSession', o.tmuxSession));
  set('chart', str('chart', o.chart));
  const image = obj('image', o.image, ['repository', 'tag', 'digest', 'pullPolicy']);
  if (image) {
    set('image', {
      ...(str('image.repository', image.repository) !== undefined ? { repository: image.repository as string } : {}),
      ...(image.tag !== undefined && image.tag !== null ? { tag: String(image.tag) } : {}),
      ...(str('image.digest', image.digest) ? { digest: image.digest as string } : {}),
      ...(oneOf('image.pullPolicy', image.pullPolicy, PULL_POLICIES) ? { pullPolicy: image.pullPolicy as string } : {}),
    });
  }
  set('resources', obj('resources', o.resources));
  const storage = obj('storage', o.storage, ['size', 'storageClass', 'accessMode']);
  if (storage) {
    const size = str('storage.size', storage.size);
    const problem = size === undefined ? undefined : sizeProblem(size);
    if (problem) bad('storage.size', problem);
    set('storage', {
      ...(size !== undefined ? { size } : {}),
      ...(str('storage.storageClass', storage.storageClass) !== undefined ? { storageClass: storage.storageClass as string } : {}),
      ...(oneOf('storage.accessMode', storage.accessMode, ACCESS_MODES) ? { accessMode: storage.accessMode as string } : {}),
    });
  }
  if (typeof o.rbac === 'string') {
    set('rbac', { mode: oneOf('rbac', o.rbac, RBAC_MODES) as RbacMode });
  } else {
    const rbac = obj('rbac', o.rbac, ['mode', 'rules']);
    if (rbac) {
      if (rbac.rules !== undefined && !Array.isArray(rbac.rules)) bad('rbac.rules', 'must be a list of Role rules');
      const mode = oneOf('rbac.mode', rbac.mode, RBAC_MODES);
      set('rbac', { ...(mode ? { mode } : {}), ...(rbac.rules ? { rules: rbac.rules as unknown[] } : {}) });
    }
  }
  const extraEnv = obj('extraEnv', o.extraEnv);
  if (extraEnv) {
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(extraEnv)) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) bad(`extraEnv.${k}`, 'is not a valid environment variable name');
      if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') bad(`extraEnv.${k}`, 'must be a string');
      env[k] = String(v);
    }
    set('extraEnv', env);
  }
  const files = obj('files', o.files, Object.keys(FILE_KEYS));
  if (files) {
    const f: Partial<Record<FileEntry, string>> = {};
    for (const k of Object.keys(FILE_KEYS) as FileEntry[]) {
      const v = str(`files.${k}`, files[k]);
      if (v) f[k] = v;
    }
    set('files', f);
  }
  set('allowFilesOutside', bool('allowFilesOutside', o.allowFilesOutside));
  const git = obj('git', o.git, ['userName', 'userEmail']);
  if (git) {
    set('git', {
      ...(str('git.userName', git.userName) ? { userName: git.userName as string } : {}),
      ...(str('git.userEmail', git.userEmail) ? { userEmail: git.userEmail as string } : {}),
    });
  }
  const tunnel = obj('vscodeTunnel', o.vscodeTunnel, ['enabled', 'name']);
  if (tunnel) {
    const enabled = bool('vscodeTunnel.enabled', tunnel.enabled);
    const name = str('vscodeTunnel.name', tunnel.name);
    set('vscodeTunnel', { ...(enabled !== undefined ? { enabled } : {}), ...(name ? { name } : {}) });
  }
  set('taskPermissions', oneOf('taskPermissions', o.taskPermissions, TASK_PRESETS));
  const values = obj('values', o.values);
  if (values) {
    if ('secrets' in values) bad('values.secrets', 'is not allowed: secrets go in the secrets file, never in helm values');
    if ('project' in values) bad('values.project', 'is set by rgsd from the project name');
    set('values', values);
  }
  return s;
}
