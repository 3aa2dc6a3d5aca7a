// The Kubernetes API server's own addresses: the endpoints behind the `kubernetes` Service in
// `default` (EndpointSlices, labelled kubernetes.io/service-name=kubernetes). A NetworkPolicy
// sees these, not the Service's ClusterIP, so the chart's networkPolicy.apiServerCIDRs and
// apiServerPorts are filled from here when the workstation may use the API (rbac.mode).
import { isIP } from 'node:net';
import { kubectl, type Gateway, type Target } from './gateway.js';
import { listItems } from './workload.js';

export interface ApiServerEndpoints {
  /** IPv4/IPv6 addresses, sorted, no duplicates */
  addresses: string[];
  /** TCP ports, sorted, no duplicates */
  ports: number[];
}

export const API_SERVER_NAMESPACE = 'default';
export const API_SERVER_SELECTOR = 'kubernetes.io/service-name=kubernetes';

export function apiServerArgs(): string[] {
  return ['get', 'endpointslices', '-l', API_SERVER_SELECTOR, '-o', 'json'];
}

interface EndpointSlice {
  addressType?: string;
  endpoints?: { addresses?: string[] }[];
  ports?: { port?: number; protocol?: string }[];
}

/** Parse the EndpointSlices of the `kubernetes` Service (anything not an IP is skipped). */
export function parseApiServerEndpoints(json: string): ApiServerEndpoints {
  const addresses = new Set<string>();
  const ports = new Set<number>();
  for (const slice of listItems<EndpointSlice>(json)) {
    for (const ep of slice.endpoints ?? []) for (const a of ep.addresses ?? []) if (isIP(a)) addresses.add(a);
    for (const p of slice.ports ?? []) {
      if ((p.protocol ?? 'TCP') === 'TCP' && Number.isInteger(p.port) && (p.port ?? 0) > 0 && (p.port ?? 0) < 65536)
        ports.add(p.port as number);
    }
  }
  return { addresses: [...addresses].sort(), ports: [...ports].sort((a, b) => a - b) };
}

/** `kubectl --context C -n default get endpointslices -l kubernetes.io/service-name=kubernetes`:
 * a ForbiddenError when the credentials may not read them in `default`. */
export async function apiServerEndpoints(gw: Gateway, t: Target): Promise<ApiServerEndpoints> {
  const { stdout } = await kubectl(gw, { context: t.context, namespace: API_SERVER_NAMESPACE }, apiServerArgs());
  return parseApiServerEndpoints(stdout);
}
