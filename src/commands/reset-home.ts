// `rgsd reset-home` — stub registered by the core; implemented on top of src/core (see README).
import type { App } from '../core/app.js';
import { RgsdError } from '../core/errors.js';

export async function run(_app: App, _project: string | undefined, _opts: Record<string, unknown>): Promise<void> {
  throw new RgsdError('`rgsd reset-home` is not implemented yet', { hint: 'use helm/kubectl directly for now' });
}
