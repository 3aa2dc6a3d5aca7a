// The offline validator must itself catch what it claims to catch.
import { describe, expect, it } from 'vitest';
import { restrictedViolations } from '../helpers/pod-security.js';
import { parseCidr, validateObject } from '../helpers/k8s-validate.js';
import type { Obj } from './fixtures.js';

const deployment = () => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'd', labels: { a: 'b' } },
  spec: {
    selector: { matchLabels: { a: 'b' } },
    template: {
      metadata: { labels: { a: 'b' } },
      spec: { containers: [{ name: 'c', image: 'i', resources: { limits: { memory: '1Gi' } } }] },
    },
  },
});

describe('k8s-validate', () => {
  it('accepts a valid object', async () => {
    expect(await validateObject(deployment())).toEqual([]);
  });

  it('reports unknown fields with their path', async () => {
    const d = deployment() as Obj;
    d.spec.template.spec.securityContex = {};
    d.spec.template.spec.containers[0].imagePullPolicyy = 'Always';
    expect((await validateObject(d)).sort()).toEqual([
      'Deployment/d: spec.template.spec.containers[0].imagePullPolicyy: unknown field "imagePullPolicyy"',
      'Deployment/d: spec.template.spec.securityContex: unknown field "securityContex"',
    ]);
  });

  it('reports schema errors: enums, quantities, types, required fields', async () => {
    const d = deployment() as Obj;
    d.spec.template.spec.containers[0].imagePullPolicy = 'Sometimes';
    d.spec.template.spec.containers[0].resources.limits.memory = 'lots';
    d.spec.replicas = '1';
    delete d.spec.selector;
    const [problem] = await validateObject(d);
    expect(problem).toMatch(/imagePullPolicy must be equal to one of the allowed values/);
    expect(problem).toMatch(/limits\/memory/);
    expect(problem).toMatch(/replicas must be integer/);
    expect(problem).toMatch(/spec must have required property '?selector'?/);
  });

  it('reports kinds it cannot check', async () => {
    expect((await validateObject({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } }))[0]).toMatch(
      /unknown apiVersion\/kind/,
    );
  });
});

describe('k8s-validate NetworkPolicy rules (what the API server checks beyond the schema)', () => {
  const policy = (egress: unknown[]) => ({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'np' },
    spec: { podSelector: {}, policyTypes: ['Egress'], egress },
  });

  it('accepts canonical CIDRs with strict-subset excepts, selectors and named ports', async () => {
    const ok = policy([
      {
        to: [
          { ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '169.254.169.254/32'] } },
          { ipBlock: { cidr: '::/0', except: ['fd00:ec2::254/128'] } },
        ],
      },
      {
        to: [{ namespaceSelector: {}, podSelector: { matchLabels: { a: 'b' } } }],
        ports: [{ protocol: 'UDP', port: 53 }, { port: 'https' }, { port: 1000, endPort: 2000 }],
      },
    ]);
    expect(await validateObject(ok)).toEqual([]);
  });

  it('reports bad CIDRs, excepts outside cidr, mixed peers and bad ports', async () => {
    const bad = policy([
      {
        to: [
          { ipBlock: { cidr: '10.0.0.1/8' } },
          { ipBlock: { cidr: '0.0.0.0/0', except: ['::/0', '0.0.0.0/0'] } },
          { ipBlock: { cidr: '10.0.0.0/8' }, podSelector: {} },
          {},
        ],
      },
      {
        ports: [
          { protocol: 'ICMP', port: 0 },
          { port: 'https', endPort: 10 },
        ],
      },
    ]);
    expect(await validateObject(bad)).toEqual([
      'NetworkPolicy/np: data/spec/egress/1/ports/0/protocol must be equal to one of the allowed values',
      'NetworkPolicy/np: spec.egress[0].to[0].ipBlock.cidr: "10.0.0.1/8" has bits set after the prefix (not a network address)',
      'NetworkPolicy/np: spec.egress[0].to[1].ipBlock.except[0]: "::/0" must be a strict subset of cidr "0.0.0.0/0"',
      'NetworkPolicy/np: spec.egress[0].to[1].ipBlock.except[1]: "0.0.0.0/0" must be a strict subset of cidr "0.0.0.0/0"',
      'NetworkPolicy/np: spec.egress[0].to[2]: may not specify both ipBlock and another peer',
      'NetworkPolicy/np: spec.egress[0].to[3]: must specify a peer',
      'NetworkPolicy/np: spec.egress[1].ports[0].protocol: unsupported "ICMP"',
      'NetworkPolicy/np: spec.egress[1].ports[0].port: must be between 1 and 65535',
      'NetworkPolicy/np: spec.egress[1].ports[1].endPort: may not be specified when port is non-numeric',
    ]);
  });

  it('parses IPv4 and IPv6 CIDRs and refuses the forms the API server refuses', () => {
    expect(parseCidr('fd00:ec2::254/128')).toMatchObject({ family: 6, prefix: 128 });
    expect(parseCidr('10.0.0.0/8')).toMatchObject({ family: 4, prefix: 8 });
    for (const bad of ['10.0.0.0', '010.0.0.0/8', '10.0.0.0/33', '::ffff:10.0.0.1/128', 'fe80::/129', 'x/8'])
      expect(typeof parseCidr(bad), bad).toBe('string');
  });
});

describe('pod-security restricted check', () => {
  const good = {
    securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
    containers: [{ name: 'c', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } }],
    volumes: [{ name: 'v', emptyDir: {} }],
  };

  it('accepts a compliant pod', () => {
    expect(restrictedViolations(good)).toEqual([]);
  });

  it('flags a non-compliant init container, hostPath, and root', () => {
    const bad = {
      ...good,
      initContainers: [{ name: 'init', securityContext: { runAsUser: 0 } }],
      volumes: [{ name: 'h', hostPath: { path: '/' } }],
    };
    expect(restrictedViolations(bad)).toEqual([
      'volume h has type hostPath',
      'container init: allowPrivilegeEscalation must be false',
      'container init: capabilities.drop must include ALL',
      'container init: runAsUser is 0',
    ]);
  });
});
