// The chart's NetworkPolicy enforced on the real local cluster (issue 8, item 11): kube-router
// (scripts/cluster/lib/netpol.sh) turns it into iptables rules. With the default values the
// workstation reaches neither a server in another pod nor one on the host's bridge address,
// and no pod can connect to it; with networkPolicy.enabled=false the same connections succeed
// (so this fails when nothing enforces the policy); with rbac.mode namespace it reaches the
// API server's endpoint address:port (the `kubernetes` EndpointSlice, which `rgsd up` passes
// as apiServerCIDRs/Ports) and still nothing else. Only addresses this machine owns are used:
// pod IPs, the bridge address (where the apiserver and a server of this test listen).
import { randomBytes } from 'node:crypto';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { networkInterfaces } from 'node:os';
import { execa } from 'execa';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  diagnoseFailure,
  getObject,
  kubectl,
  kubectlOk,
  LOCAL_CLUSTER,
  NAMESPACE,
  readyPod,
  waitFor,
  type K8sObject,
  type PodObject,
} from './helpers/cluster.js';
import { ConfigDir, rgsdOk } from './helpers/rgsd.js';
import { forceRemove, IMAGE, namesOf, nukeEverything, Sequence, upFromNothing } from './helpers/steps.js';

const PROJECT = 'netpol';
const PEER = 'rgsd-e2e-netpol-peer';
const PEER_PORT = 8080; // python3 -m http.server in the peer pod
const WS_PORT = 8081; // python3 -m http.server started in the workstation container
const BRIDGE = 'rgsd0'; // scripts/cluster/lib/common.sh CNI_BRIDGE
const POLICY_DEADLINE = 120_000; // kube-router syncs a changed policy or pod within seconds

interface Endpoint {
  ip: string;
  port: number;
}
interface NetworkPolicyObject extends K8sObject {
  spec: {
    policyTypes?: string[];
    ingress?: unknown[];
    egress?: { to?: { ipBlock?: { cidr: string } }[]; ports?: { protocol?: string; port?: number }[] }[];
  };
}

/** A pod beside the workstation (not selected by its policy), restricted like the namespace demands. */
function peerManifest(): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: PEER, namespace: NAMESPACE, labels: { 'app.kubernetes.io/name': PEER } },
    spec: {
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      terminationGracePeriodSeconds: 1,
      securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [
        {
          name: 'peer',
          image: IMAGE,
          imagePullPolicy: 'Never',
          command: ['python3', '-m', 'http.server', String(PEER_PORT), '--bind', '0.0.0.0', '--directory', '/tmp'],
          securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
        },
      ],
    },
  });
}

/** Opens a TCP connection from a container (bash /dev/tcp, 5 s limit): true when it connected,
 * false when refused, rejected or timed out. Throws when the probe itself could not run. */
async function canConnect(pod: string, container: string, to: Endpoint): Promise<boolean> {
  const res = await kubectl([
    '-n',
    NAMESPACE,
    'exec',
    pod,
    '-c',
    container,
    '--',
    'bash',
    '-c',
    `if timeout 5 bash -c 'exec 3<>/dev/tcp/${to.ip}/${to.port}' 2>/dev/null; then echo open; else echo closed; fi`,
  ]);
  const out = res.stdout.trim();
  if (res.exitCode !== 0 || (out !== 'open' && out !== 'closed'))
    throw new Error(`probe ${pod} -> ${to.ip}:${to.port} did not run (exit ${res.exitCode}): ${res.stderr.trim()}`);
  return out === 'open';
}

interface Probe {
  what: string;
  pod: string;
  container: string;
  to: Endpoint;
}

/** Polls until every probe gives the expected answer (a changed policy takes kube-router a moment). */
async function expectConnections(probes: Probe[], open: boolean): Promise<void> {
  const last = new Map<string, boolean>();
  await waitFor(
    `${probes.map((p) => p.what).join(', ')} to be ${open ? 'allowed' : 'refused'}`,
    async () => {
      const results = await Promise.all(probes.map((p) => canConnect(p.pod, p.container, p.to)));
      for (const [i, p] of probes.entries()) last.set(p.what, results[i] as boolean);
      return results.every((r) => r === open);
    },
    POLICY_DEADLINE,
    2_000,
  ).catch((err: Error) => {
    throw new Error(`${err.message}; last results: ${[...last].map(([w, r]) => `${w}=${r ? 'open' : 'closed'}`).join(', ')}`);
  });
}

function bridgeAddress(): string {
  const ip = networkInterfaces()[BRIDGE]?.find((a) => a.family === 'IPv4')?.address;
  if (!ip) throw new Error(`the pod bridge ${BRIDGE} has no IPv4 address (is a pod running?)`);
  return ip;
}

/** The `kubernetes` Service's endpoint, as `rgsd up` reads it for networkPolicy.apiServerCIDRs. */
async function apiServerEndpoint(): Promise<Endpoint> {
  const slices = JSON.parse(
    await kubectlOk(['-n', 'default', 'get', 'endpointslices', '-l', 'kubernetes.io/service-name=kubernetes', '-o', 'json']),
  ) as { items: { endpoints?: { addresses?: string[] }[]; ports?: { port?: number }[] }[] };
  const ip = slices.items[0]?.endpoints?.[0]?.addresses?.[0];
  const port = slices.items[0]?.ports?.[0]?.port;
  if (!ip || !port) throw new Error(`no address/port in the kubernetes EndpointSlice: ${JSON.stringify(slices.items)}`);
  return { ip, port };
}

function isPrivate(ip: string): boolean {
  const [a = 0, b = 0] = ip.split('.').map(Number);
  return a === 10 || (a === 172 && b >= 16 && b < 32) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b < 128);
}

describe('NetworkPolicy enforced on a real cluster (kube-router)', () => {
  const config = new ConfigDir();
  const seq = new Sequence();
  const token = `ghp_e2e${randomBytes(12).toString('hex')}`;
  const policyName = namesOf(PROJECT).deployment;
  let hostServer: Server | undefined;
  let ws = ''; // workstation pod
  let wsIp = '';
  let peerIp = '';
  let host: Endpoint = { ip: '', port: 0 }; // this test's server on the bridge address
  let api: Endpoint = { ip: '', port: 0 };

  const peerEndpoint = (): Endpoint => ({ ip: peerIp, port: PEER_PORT });
  const wsEndpoint = (): Endpoint => ({ ip: wsIp, port: WS_PORT });
  const fromWs = (what: string, to: Endpoint): Probe => ({ what, pod: ws, container: 'workstation', to });
  const fromPeer = (what: string, to: Endpoint): Probe => ({ what, pod: PEER, container: 'peer', to });

  /** The current workstation pod, with a server on WS_PORT (started again when the pod was replaced). */
  async function workstationWithServer(): Promise<void> {
    const pod: PodObject = await readyPod(PROJECT);
    ws = pod.metadata.name;
    wsIp = String((pod.status as { podIP?: string }).podIP ?? '');
    expect(wsIp).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    if (await canConnect(ws, 'workstation', { ip: '127.0.0.1', port: WS_PORT })) return;
    const start = await kubectl([
      '-n',
      NAMESPACE,
      'exec',
      ws,
      '-c',
      'workstation',
      '--',
      'sh',
      '-c',
      `setsid -f python3 -m http.server ${WS_PORT} --bind 0.0.0.0 --directory /tmp >/dev/null 2>&1 </dev/null`,
    ]);
    expect(start.exitCode, start.stderr).toBe(0);
    await waitFor(`the server in ${ws} to listen`, () => canConnect(ws, 'workstation', { ip: '127.0.0.1', port: WS_PORT }), 30_000);
  }

  async function policy(): Promise<NetworkPolicyObject | null> {
    return getObject<NetworkPolicyObject>('networkpolicy', policyName);
  }

  beforeAll(async () => {
    config.writeSettings(PROJECT);
    config.writeSecrets(PROJECT, { GITHUB_TOKEN: token });
    await kubectl(['-n', NAMESPACE, 'delete', 'pod', PEER, '--ignore-not-found', '--wait=true']);
    await forceRemove(config, [PROJECT]); // leftovers of an aborted earlier run
  });
  afterAll(async () => {
    hostServer?.close();
    await kubectl(['-n', NAMESPACE, 'delete', 'pod', PEER, '--ignore-not-found', '--wait=true']);
    await forceRemove(config, [PROJECT]);
    config.remove();
  });
  beforeEach((ctx) => seq.guard(ctx));
  afterEach((ctx) => diagnoseFailure(ctx));

  it('1. the local cluster runs kube-router, enforcing NetworkPolicy', async () => {
    const status = await execa(LOCAL_CLUSTER, ['status'], { reject: false, stdin: 'ignore' });
    expect(status.exitCode, String(status.stdout)).toBe(0);
    expect(String(status.stdout)).toMatch(/^\s+kube-router\s+running, pid \d+ \(enforcing NetworkPolicy\)$/m);
  });

  it('2. up with the default values: the pod gets a NetworkPolicy with no ingress; a peer pod and a host server listen', async () => {
    await upFromNothing(config, PROJECT, token, 'helm');
    const np = await policy();
    expect(np?.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(np?.spec.ingress ?? []).toEqual([]);

    await kubectlOk(['apply', '-f', '-'], { input: peerManifest() });
    await waitFor(
      'the peer pod to run and listen',
      async () => {
        const p = await getObject<PodObject>('pod', PEER);
        peerIp = String((p?.status as { podIP?: string } | undefined)?.podIP ?? '');
        return p?.status.phase === 'Running' && peerIp !== '' && (await canConnect(PEER, 'peer', { ip: '127.0.0.1', port: PEER_PORT }));
      },
      120_000,
    );
    await workstationWithServer();

    const address = bridgeAddress();
    hostServer = createServer((socket) => {
      socket.on('error', () => {}); // the probes hang up at once
      socket.end('host\n');
    });
    await new Promise<void>((resolve, reject) => {
      hostServer?.once('error', reject);
      hostServer?.listen(0, address, () => resolve());
    });
    host = { ip: address, port: (hostServer.address() as AddressInfo).port };

    api = await apiServerEndpoint();
    // The local cluster advertises the bridge address: a private address, which the policy
    // refuses unless its API server rule admits it.
    expect(api.ip).toBe(address);
    expect(isPrivate(api.ip)).toBe(true);
  });

  it('3. with the policy: the workstation reaches no pod, not the host, not the API server; no pod reaches it', async () => {
    // Controls: the same servers answer a pod that no policy selects.
    await expectConnections(
      [fromPeer('peer -> host server', host), fromPeer('peer -> apiserver endpoint', api), fromPeer('peer -> peer', peerEndpoint())],
      true,
    );
    await expectConnections(
      [
        fromWs('workstation -> peer pod', peerEndpoint()),
        fromWs('workstation -> host server', host),
        fromWs('workstation -> apiserver endpoint (rbac.mode none)', api),
        fromPeer('peer -> workstation', wsEndpoint()),
      ],
      false,
    );
  });

  it('4. networkPolicy.enabled=false: the policy goes and the same connections succeed', async () => {
    config.writeSettings(PROJECT, { values: { networkPolicy: { enabled: false } } });
    await rgsdOk(config, ['up', PROJECT]);
    expect(await policy()).toBeNull();
    await workstationWithServer();
    await expectConnections(
      [
        fromWs('workstation -> peer pod', peerEndpoint()),
        fromWs('workstation -> host server', host),
        fromWs('workstation -> apiserver endpoint', api),
        fromPeer('peer -> workstation', wsEndpoint()),
      ],
      true,
    );
  });

  it('5. rbac.mode namespace: the policy admits the API server endpoint address:port, and still nothing else', async () => {
    config.writeSettings(PROJECT, { values: { rbac: { mode: 'namespace' } } });
    await rgsdOk(config, ['up', PROJECT, '--yes']); // the pod restarts (a token is mounted now)
    const np = await policy();
    const apiRule = np?.spec.egress?.find((r) => r.to?.some((t) => t.ipBlock?.cidr === `${api.ip}/32`));
    expect(apiRule, JSON.stringify(np?.spec.egress)).toBeDefined();
    expect(apiRule?.ports).toEqual([{ protocol: 'TCP', port: api.port }]);
    await workstationWithServer();
    await expectConnections([fromWs('workstation -> apiserver endpoint', api)], true);
    await expectConnections(
      [
        fromWs('workstation -> peer pod', peerEndpoint()),
        fromWs('workstation -> host server (same address, other port)', host),
        fromPeer('peer -> workstation', wsEndpoint()),
      ],
      false,
    );
  });

  it('6. nuke: everything goes', async () => {
    await kubectlOk(['-n', NAMESPACE, 'delete', 'pod', PEER, '--wait=true'], { timeoutMs: 120_000 });
    await nukeEverything(config, PROJECT, 'helm');
  });
});
