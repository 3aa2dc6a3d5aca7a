// `rgsd completion bash|zsh` — print a completion script generated from the command specs.
import { GLOBAL_OPTIONS, PROGRAM, defineCommand } from '../cli/spec.js';
import { UsageError } from '../core/errors.js';
import { SHELLS } from '../core/vocab.js';

export default defineCommand(
  {
    name: 'completion',
    summary: 'print a shell completion script',
    description:
      'Commands, flags and their choices come from the same specs as this help; project names are read from ' +
      '<config dir>/projects/*.yaml when you press Tab, --context completes kube contexts.',
    args: [{ name: 'shell', required: true, description: 'bash or zsh', choices: SHELLS }],
    options: [],
    examples: ['source <(rgsd completion bash)', 'rgsd completion zsh > "${fpath[1]}/_rgsd"'],
  },
  async (app, { shell }) => {
    const [{ loadCommands }, { HELP_OPTION, VERSION_OPTION }, ops] = await Promise.all([
      import('./index.js'),
      import('../cli/help.js'),
      import('../cli/completion.js'),
    ]);
    const specs = (await loadCommands()).map((c) => c.spec);
    const spec = ops.completionSpec(PROGRAM, specs, [VERSION_OPTION, ...GLOBAL_OPTIONS, HELP_OPTION], HELP_OPTION);
    if (shell === 'bash') app.out.data(ops.bashScript(spec));
    else if (shell === 'zsh') app.out.data(ops.zshScript(spec));
    // the parser checks the choices; this guards a direct call
    else throw new UsageError(`no completion for shell "${shell}"`, { hint: 'rgsd completion bash | rgsd completion zsh' });
  },
);
