// NOTES.txt, printed by a real `helm install --dry-run=client`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeApiServer, type FakeApiServer } from '../helpers/fake-apiserver.js';
import { HELM_BINARIES, helmInstallDryRun } from '../helpers/helm.js';
import { ciFile } from './fixtures.js';

let api: FakeApiServer;
beforeAll(async () => {
  api = await startFakeApiServer();
});
afterAll(async () => {
  await api.close();
});

describe.each(HELM_BINARIES)('%s install --dry-run=client NOTES', (bin) => {
  const notes = async (file: string) =>
    (await helmInstallDryRun(bin, { release: 'demo', namespace: 'ws', valuesFiles: [ciFile(file)], kubeconfig: api.kubeconfig })).notes;

  it('tells the user how to connect, with rgsd and with plain kubectl', async () => {
    const text = await notes('default-values.yaml');
    expect(text).toContain('rgsd connect demo');
    expect(text).toContain('kubectl -n ws exec -it deploy/demo-rgsd -c workstation -- tmux attach -t main');
    expect(text).not.toMatch(/WARNING/);
  });

  it('warns loudly about cluster-admin', async () => {
    const text = await notes('rbac-cluster-admin-values.yaml');
    expect(text).toMatch(/^WARNING: rbac\.mode=cluster-admin/m);
    expect(text).toContain('cluster-admin ClusterRole');
  });

  it('does not warn for namespaced RBAC', async () => {
    expect(await notes('rbac-namespace-values.yaml')).not.toMatch(/WARNING/);
  });

  it('says how to find the API server addresses when RBAC asks for API access and the NetworkPolicy has none', async () => {
    for (const file of ['rbac-namespace-values.yaml', 'rbac-cluster-admin-values.yaml']) {
      const text = await notes(file);
      expect(text).toMatch(/networkPolicy\.apiServerCIDRs is empty/);
      expect(text).toContain('kubectl get endpoints kubernetes -n default');
    }
    expect(await notes('networkpolicy-values.yaml')).not.toMatch(/apiServerCIDRs/);
    expect(await notes('default-values.yaml')).not.toMatch(/apiServerCIDRs/);
  });

  it('names the existing Secret the pod waits for', async () => {
    expect(await notes('existing-secret-values.yaml')).toContain('from the existing Secret existing-secret-rgsd-secrets');
  });
});
