// `rgsd init <project>` — scaffold the settings and secrets files.
import { defineCommand } from '../cli/spec.js';
import { UsageError } from '../core/errors.js';
import { AGENTS, DEFAULT_STORAGE_SIZE, RBAC_MODES } from '../core/vocab.js';
import type { InitOptions, InitResult } from '../ops/init.js';
import type { App } from '../core/app.js';

export default defineCommand<InitOptions>(
  {
    name: 'init',
    summary: 'create the settings file and the secrets file (0600) of a project; interactive unless flags answer',
    args: [{ name: 'project', required: true, description: 'project name (DNS-1123 label, at most 53 characters)' }],
    options: [
      { flags: '--repo <url>', description: 'git repository to clone (https or ssh; empty for none)' },
      { flags: '--branch <name>', description: 'branch to check out (default: the remote default)' },
      { flags: '--agent <agent>', description: 'coding agent', choices: AGENTS },
      { flags: '--auto-start', description: 'start the agent in tmux on boot (default)' },
      { flags: '--no-auto-start', description: 'do not start the agent automatically' },
      { flags: '--storage-size <size>', description: `home volume size (default ${DEFAULT_STORAGE_SIZE})` },
      { flags: '--storage-class <name>', description: 'StorageClass of the home volume (default: the cluster default)' },
      { flags: '--image <ref>', description: 'workstation image, repository[:tag]' },
      { flags: '--rbac <mode>', description: 'Kubernetes API access from the pod', choices: RBAC_MODES },
      { flags: '--pin-context', description: 'pin the --context (or the current context) in the settings' },
    ],
    examples: [
      'rgsd init myproj',
      'rgsd init myproj --repo https://github.com/me/myproj.git --agent claude',
      "rgsd init scratch --repo '' --yes",
    ],
  },
  async (app, { project }, opts) => {
    const { planInit, writeInit } = await import('../ops/init.js');
    const { checkNamespaces } = await import('../cli/open.js');
    checkNamespaces(app); // a bad -n is refused before anything is asked or written
    const plan = await planInit(app, project ?? '', opts);
    // What the flags left open is asked on a terminal; --yes (or no terminal, given --repo) takes the defaults.
    let answers = { ...plan.defaults, ...plan.given };
    if (app.prompter.interactive && !app.globals.yes) {
      const { askInit } = await import('../ui/prompts.js');
      answers = await askInit(app.prompter, plan.given, plan.defaults);
    } else if (opts.repo === undefined && !app.globals.yes) {
      throw new UsageError('rgsd init needs answers and stdin is not a terminal', {
        hint:
          "pass --repo <url> (or --repo '' for none) and any other flags, or --yes for the defaults: " +
          `rgsd init ${plan.project} --repo https://github.com/org/repo.git`,
      });
    }
    render(app, await writeInit(app, plan, answers));
  },
);

function render(app: App, res: InitResult): void {
  const { out } = app;
  out.success(`wrote ${res.settingsFile}`);
  if (res.secretsCreated) out.success(`wrote ${res.secretsFile} (mode 0600)`);
  else out.info(`kept the existing ${res.secretsFile}`);
  out.info('');
  out.info('next:');
  out.info(`  1. put your tokens in ${res.secretsFile}`);
  out.info(`  2. rgsd up ${res.project}`);
  out.info(`  3. rgsd connect ${res.project}`);
}
