// The chart's hardening (issue 8): bindings only to the chart's own ServiceAccount, the
// NetworkPolicy, a read-only root filesystem, pod extras (priority class, extra volumes,
// image digest, service links), storageClass "-" and a workspace that stays in the home.
// Rendered with the real helm 3 and 4; every rendering is validated like the ci/ matrix.
import { describe, expect, it } from 'vitest';
import { HELM_BINARIES, helmTemplate, helmTemplateRaw, type HelmBinary, type K8sObject } from '../helpers/helm.js';
import { parseCidr, strictSubset, validateObjects } from '../helpers/k8s-validate.js';
import { restrictedViolations } from '../helpers/pod-security.js';
import { PACKAGE_VERSION } from '../helpers/version.js';
import { ciFile, container, envOf, ofKind, one, podSpec, type Obj } from './fixtures.js';

const NAMESPACE = 'team-ns';
type Values = Record<string, unknown>;

async function render(bin: HelmBinary, values: Values, file?: string): Promise<K8sObject[]> {
  const objs = await helmTemplate(bin, { release: 'myproj', namespace: NAMESPACE, valuesFiles: file ? [ciFile(file)] : [], values });
  expect(await validateObjects(objs)).toEqual([]);
  expect(restrictedViolations(podSpec(objs))).toEqual([]);
  return objs;
}

/** helm's stderr for a rendering that must fail (with or without the schema). */
async function refusal(bin: HelmBinary, values: Values, extraArgs: string[] = []): Promise<string> {
  const result = await helmTemplateRaw(bin, { release: 'myproj', namespace: NAMESPACE, values, extraArgs });
  expect(result.exitCode).not.toBe(0);
  expect(result.stdout).toBe('');
  return result.stderr;
}

// ---------------------------------------------------------------- NetworkPolicy

const METADATA_V4 = ['169.254.0.0/16', '100.100.100.200/32'];
const METADATA_V6 = ['fe80::/10', 'fd00:ec2::254/128'];
const PRIVATE_V4 = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10'];
const PRIVATE_V6 = ['fc00::/7'];
const DNS_PORTS = [
  { protocol: 'UDP', port: 53 },
  { protocol: 'TCP', port: 53 },
];
const KUBE_DNS = [{ namespaceSelector: {}, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }];
const dnsRule = { ports: DNS_PORTS, to: KUBE_DNS };
const internetRule = (privateAllowed: boolean) => ({
  to: [
    { ipBlock: { cidr: '0.0.0.0/0', except: privateAllowed ? METADATA_V4 : [...PRIVATE_V4, ...METADATA_V4] } },
    { ipBlock: { cidr: '::/0', except: privateAllowed ? METADATA_V6 : [...PRIVATE_V6, ...METADATA_V6] } },
  ],
});

function cidrOf(text: string) {
  const cidr = parseCidr(text.includes('/') ? text : `${text}/${text.includes(':') ? 128 : 32}`);
  if (typeof cidr === 'string') throw new Error(cidr);
  return cidr;
}
const within = (ip: string, block: string): boolean => {
  const outer = cidrOf(block);
  const inner = cidrOf(ip);
  return (
    inner.family === outer.family &&
    (outer.prefix === 0 || strictSubset(inner, outer) || (inner.prefix === outer.prefix && inner.bits === outer.bits))
  );
};

/**
 * Whether the policy lets the pod open a connection to ip:port/protocol outside the
 * cluster's pods (selector peers match pods, never a bare address): the NetworkPolicy
 * semantics, where rules add up and a rule without `to` or `ports` matches everything.
 */
function egressAllows(policy: Obj, ip: string, port: number, protocol = 'TCP'): boolean {
  return (policy.spec.egress as Obj[]).some((rule) => {
    const ports = (rule.ports ?? []) as Obj[];
    const portOk = ports.length === 0 || ports.some((p) => (p.protocol ?? 'TCP') === protocol && (p.port === undefined || p.port === port));
    const peers = rule.to as Obj[] | undefined;
    const peerOk =
      peers === undefined ||
      peers.length === 0 ||
      peers.some(
        (peer) => peer.ipBlock && within(ip, peer.ipBlock.cidr) && !(peer.ipBlock.except ?? []).some((e: string) => within(ip, e)),
      );
    return portOk && peerOk;
  });
}

describe.each(HELM_BINARIES)('%s NetworkPolicy', (bin) => {
  const policyOf = async (values: Values, file?: string) => one(await render(bin, { project: 'np', ...values }, file), 'NetworkPolicy');

  it('default: DNS to the cluster DNS pods, the internet without private and link-local ranges, no ingress', async () => {
    const policy = await policyOf({});
    expect(policy.spec).toEqual({
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'rgsd', 'app.kubernetes.io/instance': 'myproj', 'rgsd.dev/project': 'np' } },
      policyTypes: ['Ingress', 'Egress'],
      egress: [dnsRule, internetRule(false)],
    });
  });

  it('default: the internet yes; metadata, cluster services and the private network no', async () => {
    const policy = await policyOf({});
    expect(egressAllows(policy, '140.82.112.3', 443)).toBe(true);
    expect(egressAllows(policy, '2606:50c0:8000::153', 443)).toBe(true);
    for (const ip of [
      '169.254.169.254',
      '169.254.170.2',
      '100.100.100.200',
      'fd00:ec2::254',
      'fe80::1',
      '10.96.0.1',
      '172.20.0.10',
      '192.168.1.1',
      '100.64.0.1',
      'fd12:3456::1',
    ]) {
      expect(egressAllows(policy, ip, 80), ip).toBe(false);
      expect(egressAllows(policy, ip, 443), ip).toBe(false);
    }
  });

  it('allowPrivateRanges opens the private ranges only: metadata addresses stay blocked', async () => {
    const policy = await policyOf({ networkPolicy: { allowPrivateRanges: true } });
    expect(policy.spec.egress).toEqual([dnsRule, internetRule(true)]);
    for (const ip of ['10.96.0.1', '172.20.0.10', '192.168.1.1', '100.64.0.1', 'fd12:3456::1'])
      expect(egressAllows(policy, ip, 5432), ip).toBe(true);
    for (const ip of ['169.254.169.254', '100.100.100.200', 'fd00:ec2::254']) expect(egressAllows(policy, ip, 80), ip).toBe(false);
  });

  it('rbac.mode none: the API server is not allowed even when its addresses are given', async () => {
    const policy = await policyOf({ networkPolicy: { apiServerCIDRs: ['10.0.0.1'] } });
    expect(policy.spec.egress).toEqual([dnsRule, internetRule(false)]);
    expect(egressAllows(policy, '10.0.0.1', 443)).toBe(false);
  });

  it.each(['namespace', 'cluster-admin'])(
    'rbac.mode %s: the API server endpoints (IPs become /32, /128) on the API ports only',
    async (mode) => {
      const policy = await policyOf({ rbac: { mode }, networkPolicy: { apiServerCIDRs: ['10.0.0.1', '172.18.0.0/28', 'fd00:10::1'] } });
      expect(policy.spec.egress).toEqual([
        dnsRule,
        internetRule(false),
        {
          to: [{ ipBlock: { cidr: '10.0.0.1/32' } }, { ipBlock: { cidr: '172.18.0.0/28' } }, { ipBlock: { cidr: 'fd00:10::1/128' } }],
          ports: [
            { protocol: 'TCP', port: 443 },
            { protocol: 'TCP', port: 6443 },
          ],
        },
      ]);
      expect(egressAllows(policy, '10.0.0.1', 6443)).toBe(true);
      expect(egressAllows(policy, '172.18.0.5', 443)).toBe(true);
      expect(egressAllows(policy, 'fd00:10::1', 443)).toBe(true);
      expect(egressAllows(policy, '10.0.0.1', 10250), 'the kubelet of the same node').toBe(false);
      expect(egressAllows(policy, '10.0.0.2', 443)).toBe(false);
    },
  );

  it('apiServerPorts [] allows every port of the API server addresses', async () => {
    const policy = await policyOf({ rbac: { mode: 'namespace' }, networkPolicy: { apiServerCIDRs: ['10.0.0.1'], apiServerPorts: [] } });
    expect(policy.spec.egress[2]).toEqual({ to: [{ ipBlock: { cidr: '10.0.0.1/32' } }] });
  });

  it('rbac.mode namespace without apiServerCIDRs: no API rule (NOTES says how to find them)', async () => {
    const policy = await policyOf({ rbac: { mode: 'namespace' } });
    expect(policy.spec.egress).toEqual([dnsRule, internetRule(false)]);
  });

  it('dnsPeers [] allows port 53 to any destination, and only port 53', async () => {
    const policy = await policyOf({ networkPolicy: { dnsPeers: [] } });
    expect(policy.spec.egress[0]).toEqual({ ports: DNS_PORTS });
    expect(egressAllows(policy, '10.96.0.10', 53, 'UDP')).toBe(true);
    expect(egressAllows(policy, '10.96.0.10', 80)).toBe(false);
  });

  it('ci/networkpolicy-values.yaml: custom DNS peers, private ranges, API server, extraEgress appended verbatim', async () => {
    const policy = await policyOf({}, 'networkpolicy-values.yaml');
    expect(policy.spec.egress).toEqual([
      {
        ports: DNS_PORTS,
        to: [
          {
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
            podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
          },
          { ipBlock: { cidr: '169.254.20.10/32' } },
        ],
      },
      internetRule(true),
      {
        to: [{ ipBlock: { cidr: '10.0.0.1/32' } }, { ipBlock: { cidr: '192.168.10.0/28' } }, { ipBlock: { cidr: 'fd00:10::1/128' } }],
        ports: [{ protocol: 'TCP', port: 6443 }],
      },
      { to: [{ podSelector: { matchLabels: { app: 'postgres' } } }], ports: [{ protocol: 'TCP', port: 5432 }] },
    ]);
    expect(egressAllows(policy, '169.254.20.10', 53, 'UDP'), 'NodeLocal DNSCache').toBe(true);
    expect(egressAllows(policy, '169.254.169.254', 80)).toBe(false);
  });

  it('enabled false: no NetworkPolicy', async () => {
    expect(ofKind(await render(bin, { project: 'np', networkPolicy: { enabled: false } }), 'NetworkPolicy')).toEqual([]);
  });

  it('the schema refuses malformed API server addresses, ports and unknown keys', async () => {
    expect(await refusal(bin, { project: 'np', networkPolicy: { apiServerCIDRs: ['10.0.0.256'] } })).toMatch(/apiServerCIDRs/);
    expect(await refusal(bin, { project: 'np', networkPolicy: { apiServerCIDRs: ['kubernetes.default'] } })).toMatch(/apiServerCIDRs/);
    expect(await refusal(bin, { project: 'np', networkPolicy: { apiServerPorts: [0] } })).toMatch(/apiServerPorts/);
    expect(await refusal(bin, { project: 'np', networkPolicy: { allowMetadata: true } })).toMatch(/allowMetadata/);
    expect(await refusal(bin, { project: 'np', networkPolicy: { extraEgress: [{ from: [] }] } })).toMatch(/extraEgress|'from'/);
  });
});

// ---------------------------------------------------------------- ServiceAccount

describe.each(HELM_BINARIES)("%s RBAC binds only the chart's own ServiceAccount", (bin) => {
  it.each(['namespace', 'cluster-admin'])('rbac.mode %s, serviceAccount.create false without a name: rendering fails', async (mode) => {
    const stderr = await refusal(bin, { project: 'sa', rbac: { mode }, serviceAccount: { create: false } });
    expect(stderr).toContain(`serviceAccount.name is required when serviceAccount.create is false and rbac.mode is ${mode}`);
    expect(stderr).toContain('never to the namespace\'s "default" one');
  });

  it.each([true, false])('rbac.mode namespace, serviceAccount.name "default" (create %s): rendering fails', async (create) => {
    const stderr = await refusal(bin, { project: 'sa', rbac: { mode: 'namespace' }, serviceAccount: { create, name: 'default' } });
    expect(stderr).toContain('serviceAccount.name must not be "default" when rbac.mode is namespace');
  });

  it('serviceAccount.create false with a name: the bindings and the pod use that ServiceAccount, none is created', async () => {
    for (const mode of ['namespace', 'cluster-admin']) {
      const objs = await render(bin, { project: 'sa', rbac: { mode }, serviceAccount: { create: false, name: 'ws-agent' } });
      expect(ofKind(objs, 'ServiceAccount')).toEqual([]);
      expect(podSpec(objs).serviceAccountName).toBe('ws-agent');
      const binding = one(objs, mode === 'namespace' ? 'RoleBinding' : 'ClusterRoleBinding');
      expect(binding?.subjects).toEqual([{ kind: 'ServiceAccount', name: 'ws-agent', namespace: NAMESPACE }]);
    }
  });

  it('rbac.mode none with serviceAccount.create false: no binding at all, the token stays unmounted', async () => {
    const objs = await render(bin, { project: 'sa', serviceAccount: { create: false } });
    expect(ofKind(objs, 'RoleBinding')).toEqual([]);
    expect(ofKind(objs, 'ClusterRoleBinding')).toEqual([]);
    expect(podSpec(objs).automountServiceAccountToken).toBe(false);
  });
});

// ---------------------------------------------------------------- read-only root filesystem

describe.each(HELM_BINARIES)('%s readOnlyRootFilesystem', (bin) => {
  it('ci/readonly-root-values.yaml: a size-limited /tmp emptyDir in both containers and TMUX_TMPDIR=/tmp', async () => {
    const objs = await render(bin, {}, 'readonly-root-values.yaml');
    const spec = podSpec(objs);
    expect((spec.volumes as Obj[]).find((v) => v.name === 'tmp')).toEqual({ name: 'tmp', emptyDir: { sizeLimit: '512Mi' } });
    for (const name of ['init-home', 'workstation']) {
      const c = container(objs, name);
      expect(c.securityContext.readOnlyRootFilesystem, name).toBe(true);
      expect(
        (c.volumeMounts as Obj[]).find((m) => m.name === 'tmp'),
        name,
      ).toEqual({ name: 'tmp', mountPath: '/tmp' });
      expect(envOf(c).TMUX_TMPDIR, name).toBe('/tmp');
      // Writable: the home and /tmp; everything else mounted read-only.
      for (const m of c.volumeMounts as Obj[])
        if (!['/home/gsd', '/tmp'].includes(m.mountPath)) expect(m.readOnly, `${name} ${m.mountPath}`).toBe(true);
    }
    expect(envOf(container(objs, 'init-home'))).toEqual(envOf(container(objs, 'workstation')));
  });

  it('tmpSizeLimit defaults to 1Gi; without readOnlyRootFilesystem there is no /tmp volume', async () => {
    const on = await render(bin, { project: 'ro', securityContext: { readOnlyRootFilesystem: true } });
    expect((podSpec(on).volumes as Obj[]).find((v) => v.name === 'tmp')?.emptyDir).toEqual({ sizeLimit: '1Gi' });
    const off = await render(bin, { project: 'ro', securityContext: { readOnlyRootFilesystem: false }, tmpSizeLimit: '2Gi' });
    expect((podSpec(off).volumes as Obj[]).map((v) => v.name)).toEqual(['home', 'secrets']);
    expect(envOf(container(off, 'workstation'))).not.toHaveProperty('TMUX_TMPDIR');
  });

  it('the schema refuses a malformed tmpSizeLimit', async () => {
    expect(await refusal(bin, { project: 'ro', tmpSizeLimit: '1GB' })).toMatch(/tmpSizeLimit/);
  });
});

// ---------------------------------------------------------------- pod extras, storage, workspace

describe.each(HELM_BINARIES)('%s pod extras', (bin) => {
  it('ci/extras-values.yaml: priority class, service links, extra volumes (workstation only), digest, storageClass "-"', async () => {
    const objs = await render(bin, {}, 'extras-values.yaml');
    const spec = podSpec(objs);
    expect(spec.priorityClassName).toBe('workstations');
    expect(spec.enableServiceLinks).toBe(true);
    expect(spec.volumes.slice(-2)).toEqual([
      { name: 'ca-bundle', configMap: { name: 'corporate-ca' } },
      { name: 'scratch', emptyDir: { sizeLimit: '10Gi' } },
    ]);
    const main = container(objs, 'workstation');
    expect((main.volumeMounts as Obj[]).slice(-2)).toEqual([
      { name: 'ca-bundle', mountPath: '/etc/ssl/corporate', readOnly: true },
      { name: 'scratch', mountPath: '/scratch' },
    ]);
    expect((container(objs, 'init-home').volumeMounts as Obj[]).map((m) => m.name)).toEqual(['home', 'secrets']);
    const digest = `sha256:${'0123456789abcdef'.repeat(4)}`;
    for (const name of ['init-home', 'workstation'])
      expect(container(objs, name).image).toBe(`registry.example.com/rgsd/workstation@${digest}`);
    expect(one(objs, 'Deployment').metadata.labels['app.kubernetes.io/version']).toBe(PACKAGE_VERSION);
    const pvc = one(objs, 'PersistentVolumeClaim');
    expect(pvc.spec).toHaveProperty('storageClassName', '');
    expect(envOf(main).RGSD_WORKSPACE).toBe('/home/gsd/src/app');
  });

  it('image.digest wins over image.tag in the reference; the tag stays the version label', async () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    const objs = await render(bin, { project: 'x', image: { tag: '1.2.3', digest } });
    expect(container(objs, 'workstation').image).toBe(`rgsd/workstation@${digest}`);
    expect(one(objs, 'Deployment').metadata.labels['app.kubernetes.io/version']).toBe('1.2.3');
    expect(await refusal(bin, { project: 'x', image: { digest: 'sha256:abc' } })).toMatch(/digest/);
    expect(await refusal(bin, { project: 'x', image: { digest: 'latest' } })).toMatch(/digest/);
  });

  it('storageClass: "-" renders storageClassName "", a name renders it, empty leaves it out', async () => {
    const pvcOf = async (storageClass: string) =>
      one(await render(bin, { project: 's', persistence: { storageClass } }), 'PersistentVolumeClaim').spec as Obj;
    expect(await pvcOf('-')).toHaveProperty('storageClassName', '');
    expect(await pvcOf('fast')).toHaveProperty('storageClassName', 'fast');
    expect(await pvcOf('')).not.toHaveProperty('storageClassName');
  });

  it("extraVolumes may not take the chart's volume names", async () => {
    for (const name of ['home', 'secrets', 'tmp']) {
      const stderr = await refusal(bin, { project: 'x', extraVolumes: [{ name, emptyDir: {} }] });
      expect(stderr).toContain(`extraVolumes: the name "${name}" is the chart's own`);
    }
  });

  it('the schema refuses a volume mount without a mountPath and a malformed priorityClassName', async () => {
    expect(await refusal(bin, { project: 'x', extraVolumeMounts: [{ name: 'a' }] })).toMatch(/mountPath/);
    expect(await refusal(bin, { project: 'x', priorityClassName: 'High Priority' })).toMatch(/priorityClassName/);
    expect(await refusal(bin, { project: 'x', enableServiceLinks: 'sometimes' })).toMatch(/enableServiceLinks/);
  });
});

describe.each(HELM_BINARIES)('%s workspace stays inside the home', (bin) => {
  const BAD = ['../../tmp/w', '..', 'a/../../etc', '/abs/path', '.', 'a/./b', 'a//b', '...'];

  it.each(BAD)('the schema refuses workspace %j', async (workspace) => {
    expect(await refusal(bin, { project: 'w', workspace })).toMatch(/workspace/);
  });

  it.each(BAD.filter((w) => w !== '...' && w !== 'a//b'))(
    'the template refuses workspace %j even without the schema',
    async (workspace) => {
      const stderr = await refusal(bin, { project: 'w', workspace }, ['--skip-schema-validation']);
      expect(stderr).toContain(`workspace ${JSON.stringify(workspace)} must be a relative directory under the home`);
    },
  );

  it.each(['workspace', 'src/app', '.work', 'my..project', 'a.b/c_d-e'])('accepts workspace %j', async (workspace) => {
    const objs = await render(bin, { project: 'w', workspace });
    expect(envOf(container(objs, 'workstation')).RGSD_WORKSPACE).toBe(`/home/gsd/${workspace}`);
  });
});

// ---------------------------------------------------------------- idle sleep

describe.each(HELM_BINARIES)('%s idle sleep', (bin) => {
  const IDLE = { project: 'idl', idle: { sleepAfter: '30m' }, networkPolicy: { apiServerCIDRs: ['10.1.2.3'] } };

  it('off by default: no sidecar, no idle objects, no API server rule, no RGSD_IDLE_DIR', async () => {
    const objs = await render(bin, { project: 'idl', networkPolicy: { apiServerCIDRs: ['10.1.2.3'] } });
    expect((podSpec(objs).containers as Obj[]).map((c) => c.name)).toEqual(['workstation']);
    expect(objs.filter((o) => o.metadata.name.endsWith('-idle'))).toEqual([]);
    expect(JSON.stringify(one(objs, 'NetworkPolicy').spec.egress)).not.toContain('10.1.2.3');
    expect(envOf(container(objs, 'workstation'))).not.toHaveProperty('RGSD_IDLE_DIR');
  });

  it('on: the token only in the idle-watcher (a projected volume), its Role only on this scale and ConfigMap, the API server allowed', async () => {
    const objs = await render(bin, IDLE);
    const spec = podSpec(objs);
    expect(spec.automountServiceAccountToken).toBe(false);
    const main = container(objs, 'workstation');
    const watcher = container(objs, 'idle-watcher');
    expect(watcher.command).toEqual(['/opt/rgsd/idle-watcher']);
    expect(watcher.image).toBe(main.image);
    expect(watcher.securityContext).toEqual(main.securityContext);
    const mounts = (c: Obj) => (c.volumeMounts as Obj[]).map((m) => `${m.name}:${m.mountPath}${m.readOnly ? ':ro' : ''}`);
    expect(mounts(watcher)).toEqual(['idle:/var/run/rgsd/idle:ro', 'idle-token:/var/run/secrets/kubernetes.io/serviceaccount:ro']);
    expect(mounts(main)).toContain('idle:/var/run/rgsd/idle');
    expect(mounts(main).some((m) => m.startsWith('idle-token'))).toBe(false);
    const token = (spec.volumes as Obj[]).find((v) => v.name === 'idle-token');
    expect(token?.projected.sources.map((s: Obj) => Object.keys(s)[0])).toEqual(['serviceAccountToken', 'configMap', 'downwardAPI']);
    expect((spec.volumes as Obj[]).find((v) => v.name === 'idle')?.emptyDir).toEqual({ medium: 'Memory', sizeLimit: '1Mi' });
    expect(envOf(watcher)).toMatchObject({
      RGSD_IDLE_DIR: '/var/run/rgsd/idle',
      RGSD_IDLE_SLEEP_AFTER: '30m',
      RGSD_IDLE_CHECK_EVERY: '10s',
      RGSD_DEPLOYMENT: 'myproj-rgsd',
      RGSD_IDLE_CONFIGMAP: 'myproj-rgsd-idle',
      RGSD_API_SERVERS: '10.1.2.3:443,10.1.2.3:6443',
    });
    expect(envOf(main)).toMatchObject({ RGSD_IDLE_DIR: '/var/run/rgsd/idle' });
    const role = ofKind(objs, 'Role').find((r) => r.metadata.name === 'myproj-rgsd-idle');
    expect(role?.rules).toEqual([
      { apiGroups: ['apps'], resources: ['deployments'], resourceNames: ['myproj-rgsd'], verbs: ['get'] },
      { apiGroups: ['apps'], resources: ['deployments/scale'], resourceNames: ['myproj-rgsd'], verbs: ['get', 'patch'] },
      { apiGroups: [''], resources: ['configmaps'], resourceNames: ['myproj-rgsd-idle'], verbs: ['get', 'patch'] },
    ]);
    const binding = ofKind(objs, 'RoleBinding').find((r) => r.metadata.name === 'myproj-rgsd-idle');
    expect(binding?.subjects).toEqual([{ kind: 'ServiceAccount', name: one(objs, 'ServiceAccount').metadata.name, namespace: NAMESPACE }]);
    // rendered without data: what the watcher writes is never Helm's
    const cm = ofKind(objs, 'ConfigMap').find((c) => c.metadata.name === 'myproj-rgsd-idle');
    expect(cm).not.toHaveProperty('data');
    expect(JSON.stringify(one(objs, 'NetworkPolicy').spec.egress)).toContain('10.1.2.3/32');
  });

  it('with rbac.mode namespace the pod automounts its token: no projected one is added', async () => {
    const objs = await render(bin, { ...IDLE, rbac: { mode: 'namespace' } });
    expect((podSpec(objs).volumes as Obj[]).map((v) => v.name)).not.toContain('idle-token');
    expect(podSpec(objs).automountServiceAccountToken).toBe(true);
  });

  it("refuses to give the namespace's default ServiceAccount the right to scale", async () => {
    const stderr = await refusal(bin, { ...IDLE, serviceAccount: { create: false } });
    expect(stderr).toContain('idle.sleepAfter needs a ServiceAccount of its own');
  });

  it('rejects a sleepAfter that is not a duration', async () => {
    const stderr = await refusal(bin, { project: 'idl', idle: { sleepAfter: 'two hours' } });
    expect(stderr).toContain('sleepAfter');
  });
});
