import type { App } from '../core/app.js';
import { RgsdError } from '../core/errors.js';

export async function run(_app: App, _project: string | undefined, _opts: Record<string, unknown>): Promise<void> {
  throw new RgsdError('`rgsd init` is not implemented yet');
}
