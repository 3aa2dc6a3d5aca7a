// Interrupted Helm operations: what state a release is in and how `rgsd up` recovers it
// (see /work/shared/notes.md: pending-install → uninstall + install; pending-upgrade /
// pending-rollback → rollback + upgrade; failed → a plain upgrade works).
import { RgsdError } from '../core/errors.js';
import { helmHint, rollbackArgs, uninstallArgs, type HelmRelease } from '../core/helm.js';
import type { Target, Tools } from '../core/kube.js';

/** A pending release younger than this may belong to an `up` still running elsewhere. */
export const PENDING_GRACE_MS = 60_000;

export type RecoveryPlan =
  | { kind: 'install' }
  | { kind: 'upgrade' }
  | { kind: 'uninstall-then-install'; command: string[] }
  | { kind: 'rollback-then-upgrade'; command: string[] };

export function planRecovery(rel: HelmRelease | undefined, t: Target, tools: Tools, now: Date): RecoveryPlan {
  if (!rel) return { kind: 'install' };
  const uninstall = uninstallArgs(t, rel.name);
  const rollback = rollbackArgs(t, rel.name);
  switch (rel.status) {
    case 'deployed':
    case 'failed':
    case 'superseded':
      return { kind: 'upgrade' };
    case 'pending-install':
    case 'pending-upgrade':
    case 'pending-rollback': {
      const cmd = rel.status === 'pending-install' ? uninstall : rollback;
      const updated = Date.parse(rel.updated);
      if (Number.isFinite(updated) && now.getTime() - updated < PENDING_GRACE_MS) {
        throw new RgsdError(`release ${rel.name} is ${rel.status} since ${rel.updated}: another helm operation may still be running`, {
          hint: `wait a minute and re-run \`rgsd up\`; if nothing else is running, recover with \`${helmHint(tools, cmd)}\` then \`rgsd up\``,
        });
      }
      return rel.status === 'pending-install'
        ? { kind: 'uninstall-then-install', command: uninstall }
        : { kind: 'rollback-then-upgrade', command: rollback };
    }
    case 'uninstalling':
      throw new RgsdError(`release ${rel.name} is being uninstalled`, {
        hint: `wait for it, or finish it with \`${helmHint(tools, uninstall)}\`, then \`rgsd up\``,
      });
    default:
      throw new RgsdError(`release ${rel.name} is in an unexpected state "${rel.status}"`, {
        hint: `inspect it with \`${helmHint(tools, ['history', rel.name, '--kube-context', t.context, '-n', t.namespace])}\``,
      });
  }
}
