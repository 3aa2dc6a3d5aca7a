// `rgsd init <project>`: write projects/<project>.yaml and secrets/<project>.env (0600,
// copied from secrets.example/example.env). Never overwrites anything. Two steps around the
// questions the command asks: `planInit` checks the name and the flags (the same rules as the
// prompts: core/vocab.ts) and says what is already answered; `writeInit` writes the files.
// The config directory is checked before anything is asked: a usable place (not relative
// because HOME is empty, not on /proc), writable, and no directory where a file belongs.
import { chmod, lstat, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { currentContext } from '../cluster/target.js';
import type { App } from '../core/app.js';
import { checkConfigDir, checkWritableDir, fsProblem, secretsPath, settingsPath, type Settings } from '../core/config.js';
import { ConfigError, UsageError } from '../core/errors.js';
import { validateProjectName } from '../core/names.js';
import {
  AGENTS,
  DEFAULT_AGENT,
  DEFAULT_NAMESPACE,
  DEFAULT_STORAGE_SIZE,
  RBAC_MODES,
  repoUrlProblem,
  sizeProblem,
  type Agent,
  type RbacMode,
} from '../core/vocab.js';
import type { InitAnswers } from '../ui/prompts.js';
import { parseImageRef } from './values.js';

/** The command's flags (commander's names). */
export interface InitOptions {
  repo?: string;
  branch?: string;
  agent?: string;
  autoStart?: boolean;
  storageSize?: string;
  storageClass?: string;
  image?: string;
  rbac?: string;
  pinContext?: boolean;
}

export interface InitPlan {
  project: string;
  settingsFile: string;
  secretsFile: string;
  /** Answers the flags (and -n/--context) already gave: not asked again. */
  given: Partial<InitAnswers>;
  defaults: InitAnswers;
  /** Flags that have no question. */
  storageClass: string | undefined;
  image: string | undefined;
  rbac: RbacMode;
}

export interface InitResult {
  project: string;
  settingsFile: string;
  secretsFile: string;
  /** false when an existing secrets file was kept */
  secretsCreated: boolean;
  settings: Settings;
}

export const INIT_DEFAULTS: InitAnswers = {
  repo: '',
  branch: '',
  agent: DEFAULT_AGENT,
  autoStart: true,
  namespace: DEFAULT_NAMESPACE,
  context: '',
  storageSize: DEFAULT_STORAGE_SIZE,
};

/** Used when secrets.example/example.env is not shipped. */
export const FALLBACK_SECRETS = `# rgsd secrets for one project: KEY=value lines. Keep this file mode 0600; never commit it.
# Empty values are ignored. Every KEY=value is exported into the agent's environment.
# GitHub token (https clones, gh):
GITHUB_TOKEN=
# Deploy key for ssh repository URLs (quote a multi-line value):
GIT_SSH_PRIVATE_KEY=
# Agent credentials (set the ones your agent uses):
ANTHROPIC_API_KEY=
CLAUDE_CODE_OAUTH_TOKEN=
OPENAI_API_KEY=
`;

function alreadyExists(project: string, settingsFile: string): ConfigError {
  return new ConfigError(`project ${project} already exists (${settingsFile})`, {
    hint: 'edit that file, or delete it (and the secrets file) to start over; rgsd init never overwrites',
  });
}

function oneOf<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`${flag} "${value}" is not one of ${allowed.join(', ')}`);
  return value as T;
}

/** What is at `path`: nothing, a file, or something else (a directory where a file belongs). */
async function whatIs(path: string): Promise<'none' | 'file' | 'other'> {
  try {
    const st = await lstat(path);
    return st.isFile() || st.isSymbolicLink() ? 'file' : 'other';
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'none';
    // no search permission: the directory is the problem, not the file
    throw fsProblem(err, code === 'EACCES' || code === 'EPERM' ? dirname(path) : path, 'read');
  }
}

/** "<path> is a directory, not a file" (what writing there would fail with). */
const notAFile = (path: string) => fsProblem(Object.assign(new Error(`EISDIR: ${path}`), { code: 'EISDIR' }), path, 'write');

/** Check the name, every flag and the config directory before anything is asked or written. */
export async function planInit(app: App, projectArg: string, opts: InitOptions): Promise<InitPlan> {
  const project = validateProjectName(projectArg);
  const sizeBad = opts.storageSize === undefined ? undefined : sizeProblem(opts.storageSize);
  if (sizeBad) throw new UsageError(`--storage-size ${sizeBad}`, { hint: 'e.g. --storage-size 20Gi' });
  // --repo '' means "no repository"
  const repoBad = opts.repo ? repoUrlProblem(opts.repo) : undefined;
  if (repoBad) {
    throw new UsageError(`--repo ${repoBad}`, {
      hint: "e.g. --repo https://github.com/org/repo.git (a token goes in GITHUB_TOKEN in the secrets file), or --repo '' for none",
    });
  }
  await checkConfigDir(app.configDir);
  const settingsFile = settingsPath(app.configDir, project);
  const secretsFile = secretsPath(app.configDir, project);
  const settingsAt = await whatIs(settingsFile);
  if (settingsAt === 'file') throw alreadyExists(project, settingsFile);
  if (settingsAt === 'other') throw notAFile(settingsFile);
  if ((await whatIs(secretsFile)) === 'other') throw notAFile(secretsFile);
  await checkWritableDir(dirname(settingsFile));
  await checkWritableDir(dirname(secretsFile));
  const agent = opts.agent === undefined ? undefined : oneOf('--agent', opts.agent, AGENTS);
  const rbac = opts.rbac === undefined ? 'none' : oneOf('--rbac', opts.rbac, RBAC_MODES);
  // --context <name> pins that context; --pin-context alone pins the current one.
  let pinned = app.globals.context ?? '';
  if (opts.pinContext && !pinned) {
    pinned = (await currentContext(app)) ?? '';
    if (!pinned) throw new ConfigError('--pin-context: no --context given and no current kube context', { hint: 'pass --context <name>' });
  }
  const given: Partial<InitAnswers> = {
    ...(opts.repo !== undefined ? { repo: opts.repo } : {}),
    ...(opts.branch !== undefined ? { branch: opts.branch } : {}),
    ...(agent !== undefined ? { agent } : {}),
    ...(opts.autoStart !== undefined ? { autoStart: opts.autoStart } : {}),
    ...(app.globals.namespace !== undefined ? { namespace: app.globals.namespace } : {}),
    ...(opts.pinContext || app.globals.context !== undefined ? { context: pinned } : {}),
    ...(opts.storageSize !== undefined ? { storageSize: opts.storageSize } : {}),
  };
  return { project, settingsFile, secretsFile, given, defaults: INIT_DEFAULTS, storageClass: opts.storageClass, image: opts.image, rbac };
}

/** The settings file's content for these answers. */
export function toSettings(plan: InitPlan, a: InitAnswers): Settings {
  const s: Settings = {};
  if (a.repo) s.repo = a.repo;
  if (a.branch) s.branch = a.branch;
  s.agent = oneOf('agent', a.agent, AGENTS) as Agent;
  s.autoStart = a.autoStart;
  s.namespace = a.namespace || DEFAULT_NAMESPACE;
  if (a.context) s.context = a.context;
  s.storage = { size: a.storageSize || DEFAULT_STORAGE_SIZE, ...(plan.storageClass ? { storageClass: plan.storageClass } : {}) };
  if (plan.image) s.image = parseImageRef(plan.image);
  s.rbac = { mode: plan.rbac };
  s.files = {};
  return s;
}

/** Write the settings file (never over an existing one) and, unless one exists, the secrets file (0600). */
export async function writeInit(app: App, plan: InitPlan, answers: InitAnswers): Promise<InitResult> {
  const { project, settingsFile, secretsFile } = plan;
  const settings = toSettings(plan, answers);
  /** fs call → a ConfigError naming the path (EACCES, EROFS, ENOTDIR, …) */
  const at = async <T>(path: string, call: () => Promise<T>): Promise<T> => {
    try {
      return await call();
    } catch (err) {
      throw fsProblem(err, path, 'write');
    }
  };
  await at(dirname(settingsFile), () => mkdir(dirname(settingsFile), { recursive: true, mode: 0o700 }));
  await at(dirname(secretsFile), () => mkdir(dirname(secretsFile), { recursive: true, mode: 0o700 }));
  // mkdir's mode does not apply to a directory that already exists
  await at(dirname(secretsFile), () => chmod(dirname(secretsFile), 0o700));
  const { stringify } = await import('yaml');
  const header =
    `# rgsd settings for project ${project} (no secrets here: they live in ${secretsFile}).\n` +
    '# Every key is described in the rgsd README, "Settings and secrets".\n';
  try {
    // 'wx': a file created since planInit looked is not overwritten either
    await writeFile(settingsFile, header + stringify(settings), { flag: 'wx', mode: 0o644 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw alreadyExists(project, settingsFile);
    throw fsProblem(err, settingsFile, 'write');
  }
  let secretsCreated = false;
  if ((await whatIs(secretsFile)) === 'none') {
    const template = await secretsTemplate(app);
    await at(secretsFile, () => writeFile(secretsFile, template, { flag: 'wx', mode: 0o600 }));
    await at(secretsFile, () => chmod(secretsFile, 0o600));
    secretsCreated = true;
  }
  return { project, settingsFile, secretsFile, secretsCreated, settings };
}

async function secretsTemplate(app: App): Promise<string> {
  try {
    return await readFile(join(app.packageRoot, 'secrets.example', 'example.env'), 'utf8');
  } catch {
    return FALLBACK_SECRETS;
  }
}
