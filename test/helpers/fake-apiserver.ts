// A tiny read-only stand-in for a Kubernetes API server: version and discovery only,
// plus empty lists. Enough for `helm3 install --dry-run=client` (Helm 3 checks the
// cluster is reachable and maps kinds to resources even on a client-side dry run).
// Never used to assert cluster behaviour, only to let real helm print NOTES.txt.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

type Resource = [name: string, kind: string, namespaced: boolean];
const GROUPS: Record<string, Resource[]> = {
  v1: [
    ['configmaps', 'ConfigMap', true],
    ['secrets', 'Secret', true],
    ['serviceaccounts', 'ServiceAccount', true],
    ['persistentvolumeclaims', 'PersistentVolumeClaim', true],
    ['services', 'Service', true],
    ['pods', 'Pod', true],
    ['namespaces', 'Namespace', false],
  ],
  'apps/v1': [['deployments', 'Deployment', true]],
  'networking.k8s.io/v1': [['networkpolicies', 'NetworkPolicy', true]],
  'rbac.authorization.k8s.io/v1': [
    ['roles', 'Role', true],
    ['rolebindings', 'RoleBinding', true],
    ['clusterroles', 'ClusterRole', false],
    ['clusterrolebindings', 'ClusterRoleBinding', false],
  ],
};

function resourceList(groupVersion: string, resources: Resource[]): unknown {
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion,
    resources: resources.map(([name, kind, namespaced]) => ({
      name,
      singularName: kind.toLowerCase(),
      namespaced,
      kind,
      verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
    })),
  };
}

function respond(path: string): unknown {
  if (path === '/version') return { major: '1', minor: '33', gitVersion: 'v1.33.0', platform: 'linux/amd64' };
  if (path === '/api') return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] };
  if (path === '/api/v1') return resourceList('v1', GROUPS.v1 ?? []);
  if (path === '/apis') {
    const groups = Object.keys(GROUPS)
      .filter((gv) => gv.includes('/'))
      .map((gv) => {
        const [group, version] = gv.split('/') as [string, string];
        const v = { groupVersion: gv, version };
        return { name: group, versions: [v], preferredVersion: v };
      });
    return { kind: 'APIGroupList', apiVersion: 'v1', groups };
  }
  const apis = /^\/apis\/([^/]+\/[^/]+)$/.exec(path);
  if (apis?.[1] && GROUPS[apis[1]]) return resourceList(apis[1], GROUPS[apis[1]] ?? []);
  return undefined;
}

export interface FakeApiServer {
  kubeconfig: string;
  close(): Promise<void>;
}

export async function startFakeApiServer(): Promise<FakeApiServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const body = respond(path);
    const last = path.split('/').pop() ?? '';
    const isCollection = Object.values(GROUPS).some((rs) => rs.some(([name]) => name === last));
    if (body === undefined && req.method === 'GET' && isCollection) {
      // Lists (e.g. helm's release history Secrets): always empty.
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ kind: 'List', apiVersion: 'v1', metadata: {}, items: [] }));
      return;
    }
    res.writeHead(body === undefined ? 404 : 200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body ?? { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404 }));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  const dir = mkdtempSync(join(tmpdir(), 'rgsd-fakeapi-'));
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    [
      'apiVersion: v1',
      'kind: Config',
      `clusters: [{name: fake, cluster: {server: "http://127.0.0.1:${port}"}}]`,
      'contexts: [{name: fake, context: {cluster: fake, user: fake}}]',
      'users: [{name: fake, user: {}}]',
      'current-context: fake',
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  return {
    kubeconfig,
    close: async () => {
      await new Promise<void>((ok) => server.close(() => ok()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
