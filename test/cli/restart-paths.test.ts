// `rgsd up` warns and asks before a change that restarts the pod. Whether a change
// restarts it is decided by restartReasons() in src/ops/values.ts; this checks that
// decision against the real chart: the pod template (what the Deployment rolls on) is
// rendered by helm for both values and compared.
import { describe, expect, it } from 'vitest';
import { NO_RESTART_PATHS, restartReasons, type Values } from '../../src/ops/values.js';
import { helmTemplate, type K8sObject } from '../helpers/helm.js';

const base: Values = {
  project: 'demo',
  secrets: { existingSecret: 'demo-rgsd-secrets', checksum: 'a'.repeat(64) },
  persistence: { size: '10Gi' },
  rbac: { mode: 'namespace' },
};

async function podTemplate(values: Values): Promise<unknown> {
  const objects = await helmTemplate('helm4', { release: 'demo', values });
  const deployment = objects.find((o: K8sObject) => o.kind === 'Deployment') as { spec: { template: unknown } } | undefined;
  expect(deployment).toBeDefined();
  return deployment?.spec.template;
}

/** A different, valid value for each path that must not restart the pod. */
const noRestartChanges: Record<string, Values> = {
  'persistence.size': { persistence: { size: '20Gi' } },
  'persistence.storageClass': { persistence: { size: '10Gi', storageClass: 'fast' } },
  'persistence.accessMode': { persistence: { size: '10Gi', accessMode: 'ReadWriteOncePod' } },
  'persistence.annotations': { persistence: { size: '10Gi', annotations: { team: 'a' } } },
  'rbac.rules': { rbac: { mode: 'namespace', rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] } },
  'serviceAccount.annotations': { serviceAccount: { annotations: { 'example.com/role': 'x' } } },
  'networkPolicy.enabled': { networkPolicy: { enabled: false } },
  'networkPolicy.allowPrivateRanges': { networkPolicy: { allowPrivateRanges: true } },
  'networkPolicy.dnsPeers': { networkPolicy: { dnsPeers: [{ ipBlock: { cidr: '169.254.20.10/32' } }] } },
  'networkPolicy.apiServerCIDRs': { networkPolicy: { apiServerCIDRs: ['10.0.0.1/32'] } },
  'networkPolicy.apiServerPorts': { networkPolicy: { apiServerPorts: [443] } },
  'networkPolicy.extraEgress': { networkPolicy: { extraEgress: [{ to: [{ ipBlock: { cidr: '192.0.2.0/24' } }] }] } },
};

/** Changes that do restart the pod, including the ones a static list once missed. */
const restartChanges: Record<string, Values> = {
  'rbac.mode': { rbac: { mode: 'none' } },
  'serviceAccount.name': { serviceAccount: { create: true, name: 'other' } },
  'persistence.existingClaim': { persistence: { size: '10Gi', existingClaim: 'old-home' } },
  'secrets.checksum': { secrets: { existingSecret: 'demo-rgsd-secrets', checksum: 'b'.repeat(64) } },
  'agent.name': { agent: { name: 'claude' } },
};

describe('restartReasons agrees with the real chart', () => {
  it('covers every exempt path', () => {
    expect(Object.keys(noRestartChanges).sort()).toEqual(NO_RESTART_PATHS.map((p) => p.join('.')).sort());
  });

  it.each(Object.entries(noRestartChanges))('%s: pod template unchanged, no restart reported', async (_path, change) => {
    const next = { ...base, ...change };
    expect(await podTemplate(next)).toEqual(await podTemplate(base));
    expect(restartReasons(base, next)).toEqual([]);
  });

  it.each(Object.entries(restartChanges))('%s: pod template changes, restart reported', async (_path, change) => {
    const next = { ...base, ...change };
    expect(await podTemplate(next)).not.toEqual(await podTemplate(base));
    expect(restartReasons(base, next).length).toBeGreaterThan(0);
  });
});
