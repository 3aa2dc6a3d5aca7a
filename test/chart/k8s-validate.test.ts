// The offline validator must itself catch what it claims to catch.
import { describe, expect, it } from 'vitest';
import { restrictedViolations } from '../helpers/pod-security.js';
import { validateObject } from '../helpers/k8s-validate.js';

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
    const d = deployment() as any;
    d.spec.template.spec.securityContex = {};
    d.spec.template.spec.containers[0].imagePullPolicyy = 'Always';
    expect((await validateObject(d)).sort()).toEqual([
      'Deployment/d: spec.template.spec.containers[0].imagePullPolicyy: unknown field "imagePullPolicyy"',
      'Deployment/d: spec.template.spec.securityContex: unknown field "securityContex"',
    ]);
  });

  it('reports schema errors: enums, quantities, types, required fields', async () => {
    const d = deployment() as any;
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
    expect((await validateObject({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } }))[0]).toMatch(/unknown apiVersion\/kind/);
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
