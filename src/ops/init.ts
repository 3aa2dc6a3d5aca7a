// `rgsd init <project>`: write projects/<project>.yaml and secrets/<project>.env (0600,
// copied from secrets.example/example.env). Never overwrites anything.
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { App } from '../core/app.js';
import { AGENTS, RBAC_MODES, secretsPath, settingsPath, type Agent, type RbacMode, type Settings } from '../core/config.js';
import { ConfigError, UsageError } from '../core/errors.js';
import { currentContext } from '../core/kube.js';
import { DEFAULT_NAMESPACE, validateProjectName } from '../core/names.js';
import { askInit, type InitAnswers } from '../ui/prompts.js';
import { parseImageRef } from './values.js';

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

export interface InitResult {
  project: string;
  settingsFile: string;
  secretsFile: string;
  secretsCreated: boolean;
  settings: Settings;
}

export const DEFAULT_STORAGE = '20Gi';

/** Used when secrets.example/example.env is not shipped. */
export const FALLBACK_SECRETS = `# rgsd secrets for one project (dotenv). Keep this file mode 0600; never commit it.
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

export async function init(app: App, projectArg: string, opts: InitOptions): Promise<InitResult> {
  const project = validateProjectName(projectArg);
  const settingsFile = settingsPath(app.configDir, project);
  const secretsFile = secretsPath(app.configDir, project);
  if (existsSync(settingsFile)) {
    throw new ConfigError(`project ${project} already exists (${settingsFile})`, {
      hint: 'edit that file, or delete it (and the secrets file) to start over; rgsd init never overwrites',
    });
  }
  if (opts.storageSize !== undefined && !/^\d+(\.\d+)?(Ki|Mi|Gi|Ti|Pi)$/.test(opts.storageSize)) {
    throw new UsageError(`--storage-size "${opts.storageSize}" is not a size`, { hint: 'use e.g. 20Gi' });
  }
  if (opts.repo && !/^(https:\/\/|ssh:\/\/|git@)/.test(opts.repo)) {
    throw new UsageError(`--repo "${opts.repo}" is not an https or ssh git URL`, { hint: 'e.g. https://github.com/org/repo.git or git@github.com:org/repo.git' });
  }
  // --context <name> pins that context; --pin-context alone pins the current one.
  let pinned = app.globals.context ?? '';
  if (opts.pinContext && !pinned) {
    pinned = (await currentContext(app.runner, app.tools)) ?? '';
    if (!pinned) throw new ConfigError('--pin-context: no --context given and no current kube context', { hint: 'pass --context <name>' });
  }
  const given: Partial<InitAnswers> = {
    ...(opts.repo !== undefined ? { repo: opts.repo } : {}),
    ...(opts.branch !== undefined ? { branch: opts.branch } : {}),
    ...(opts.agent !== undefined ? { agent: opts.agent } : {}),
    ...(opts.autoStart !== undefined ? { autoStart: opts.autoStart } : {}),
    ...(app.globals.namespace !== undefined ? { namespace: app.globals.namespace } : {}),
    ...(opts.pinContext || app.globals.context !== undefined ? { context: pinned } : {}),
    ...(opts.storageSize !== undefined ? { storageSize: opts.storageSize } : {}),
  };
  const defaults: InitAnswers = { repo: '', branch: '', agent: 'gsd', autoStart: true, namespace: DEFAULT_NAMESPACE, context: '', storageSize: DEFAULT_STORAGE };
  let answers: InitAnswers;
  if (app.prompter.interactive && !app.globals.yes) {
    answers = await askInit(app.prompter, given, defaults, AGENTS);
  } else {
    if (opts.repo === undefined && !app.globals.yes) {
      throw new UsageError('rgsd init needs answers and stdin is not a terminal', {
        hint: `pass --repo <url> (or --repo '' for none) and any other flags, or --yes for the defaults: rgsd init ${project} --repo https://github.com/org/repo.git`,
      });
    }
    answers = { ...defaults, ...given };
  }
  const settings = toSettings(answers, opts);

  await mkdir(dirname(settingsFile), { recursive: true, mode: 0o700 });
  await mkdir(dirname(secretsFile), { recursive: true, mode: 0o700 });
  await chmod(dirname(secretsFile), 0o700);
  const { stringify } = await import('yaml');
  const header = `# rgsd settings for project ${project} (no secrets here: they live in ${secretsFile}).\n# Every key is described in the rgsd README, "Settings and secrets".\n`;
  try {
    await writeFile(settingsFile, header + stringify(settings), { flag: 'wx', mode: 0o644 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new ConfigError(`project ${project} already exists (${settingsFile})`, { hint: 'rgsd init never overwrites' });
    throw err;
  }
  let secretsCreated = false;
  if (!existsSync(secretsFile)) {
    await writeFile(secretsFile, await secretsTemplate(app), { flag: 'wx', mode: 0o600 });
    await chmod(secretsFile, 0o600);
    secretsCreated = true;
  }
  const { out } = app;
  out.success(`wrote ${settingsFile}`);
  if (secretsCreated) out.success(`wrote ${secretsFile} (mode 0600)`);
  else out.info(`kept the existing ${secretsFile}`);
  out.info('');
  out.info('next:');
  out.info(`  1. put your tokens in ${secretsFile}`);
  out.info(`  2. rgsd up ${project}`);
  out.info(`  3. rgsd connect ${project}`);
  return { project, settingsFile, secretsFile, secretsCreated, settings };
}

function toSettings(a: InitAnswers, opts: InitOptions): Settings {
  if (!(AGENTS as readonly string[]).includes(a.agent)) throw new UsageError(`unknown agent "${a.agent}"`, { hint: `one of ${AGENTS.join(', ')}` });
  if (opts.rbac !== undefined && !(RBAC_MODES as readonly string[]).includes(opts.rbac)) throw new UsageError(`unknown rbac mode "${opts.rbac}"`, { hint: RBAC_MODES.join(', ') });
  const s: Settings = {};
  if (a.repo) s.repo = a.repo;
  if (a.branch) s.branch = a.branch;
  s.agent = a.agent as Agent;
  s.autoStart = a.autoStart;
  s.namespace = a.namespace || DEFAULT_NAMESPACE;
  if (a.context) s.context = a.context;
  s.storage = { size: a.storageSize || DEFAULT_STORAGE, ...(opts.storageClass ? { storageClass: opts.storageClass } : {}) };
  if (opts.image) s.image = parseImageRef(opts.image);
  s.rbac = { mode: (opts.rbac ?? 'none') as RbacMode };
  s.files = {};
  return s;
}

async function secretsTemplate(app: App): Promise<string> {
  try {
    return await readFile(join(app.packageRoot, 'secrets.example', 'example.env'), 'utf8');
  } catch {
    return FALLBACK_SECRETS;
  }
}
