// `rgsd completion bash|zsh` — print a completion script generated from the program.
import type { Command } from 'commander';
import type { App } from '../core/app.js';
import { RgsdError, UsageError } from '../core/errors.js';
import { bashScript, specFromProgram, zshScript } from '../ops/completion.js';

export async function run(app: App, shell: string, _opts: Record<string, unknown>, program?: Command): Promise<void> {
  if (!program) throw new RgsdError('completion: the command tree is not available', { hint: 'this is a bug in rgsd; please report it' });
  const spec = specFromProgram(program);
  if (shell === 'bash') app.out.data(bashScript(spec));
  else if (shell === 'zsh') app.out.data(zshScript(spec));
  else throw new UsageError(`no completion for shell "${shell}"`, { hint: 'rgsd completion bash | rgsd completion zsh' });
}
