// Offline validation of rendered Kubernetes objects, reusable by every suite:
//  1. the OpenAPI-derived JSON schemas of `kubernetes-models` (types, required fields,
//     enums, formats), and
//  2. a walk over the known field names, read from the same package's TypeScript
//     declarations with the TypeScript compiler, because those schemas accept unknown
//     fields (a typo like `securityContex` would otherwise pass), and
//  3. for NetworkPolicy, the API server's own rules the schemas cannot express (valid
//     CIDRs, `except` a strict subset of `cidr`, one kind of peer, port ranges), as
//     ValidateNetworkPolicySpec in k8s.io/kubernetes pkg/apis/networking/validation does.
import { isIPv4, isIPv6 } from 'node:net';
import { join } from 'node:path';
import ts from 'typescript';

const ROOT = join(import.meta.dirname, '..', '..');
const ROOTS_FILE = join(ROOT, 'test', 'helpers', '__k8s_models_roots__.mts');

/** Kinds the field walk knows; extend the list when a chart renders something new. */
export const SUPPORTED_KINDS = [
  'v1/ConfigMap',
  'v1/Namespace',
  'v1/PersistentVolumeClaim',
  'v1/Pod',
  'v1/Secret',
  'v1/Service',
  'v1/ServiceAccount',
  'apps/v1/Deployment',
  'apps/v1/StatefulSet',
  'batch/v1/Job',
  'networking.k8s.io/v1/NetworkPolicy',
  'rbac.authorization.k8s.io/v1/ClusterRole',
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding',
  'rbac.authorization.k8s.io/v1/Role',
  'rbac.authorization.k8s.io/v1/RoleBinding',
] as const;

interface Manifest {
  apiVersion?: unknown;
  kind?: unknown;
  metadata?: { name?: unknown };
}

function kindKey(obj: Manifest): string {
  return `${String(obj.apiVersion)}/${String(obj.kind)}`;
}

function describe(obj: Manifest): string {
  return `${String(obj.kind)}/${String(obj.metadata?.name ?? '?')}`;
}

// ---------------------------------------------------------------- schema validation

interface ModelClass {
  new (data: unknown): { validate(): void };
}

async function loadModel(obj: Manifest): Promise<ModelClass> {
  const module = (await import(`kubernetes-models/${String(obj.apiVersion)}/${String(obj.kind)}`)) as Record<string, unknown>;
  const model = module[String(obj.kind)];
  if (typeof model !== 'function') throw new Error(`kubernetes-models has no ${kindKey(obj)}`);
  return model as ModelClass;
}

/** Errors from the kubernetes-models JSON schema of the object's kind ([] when valid). */
export async function schemaErrors(obj: Manifest): Promise<string[]> {
  let Model: ModelClass;
  try {
    Model = await loadModel(obj);
  } catch (error) {
    return [`${describe(obj)}: unknown apiVersion/kind ${kindKey(obj)} (${(error as Error).message})`];
  }
  try {
    new Model(obj).validate();
    return [];
  } catch (error) {
    return [`${describe(obj)}: ${(error as Error).message}`];
  }
}

// ---------------------------------------------------------------- unknown-field walk

interface FieldTypes {
  checker: ts.TypeChecker;
  roots: Map<string, ts.Type>;
}

let fieldTypes: FieldTypes | undefined;

function rootsSource(): string {
  const lines: string[] = [];
  const members: string[] = [];
  SUPPORTED_KINDS.forEach((key, i) => {
    const kind = key.slice(key.lastIndexOf('/') + 1);
    lines.push(`import type { I${kind} as T${i} } from 'kubernetes-models/${key}';`);
    members.push(`  ${JSON.stringify(key)}: T${i};`);
  });
  return `${lines.join('\n')}\nexport interface Roots {\n${members.join('\n')}\n}\n`;
}

function loadFieldTypes(): FieldTypes {
  if (fieldTypes) return fieldTypes;
  const options: ts.CompilerOptions = {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    types: [],
    noEmit: true,
    skipLibCheck: true,
  };
  const host = ts.createCompilerHost(options);
  const source = rootsSource();
  const { getSourceFile, fileExists, readFile } = host;
  host.fileExists = (name) => name === ROOTS_FILE || fileExists.call(host, name);
  host.readFile = (name) => (name === ROOTS_FILE ? source : readFile.call(host, name));
  host.getSourceFile = (name, version, ...rest) =>
    name === ROOTS_FILE ? ts.createSourceFile(name, source, version, true) : getSourceFile.call(host, name, version, ...rest);
  const program = ts.createProgram([ROOTS_FILE], options, host);
  const checker = program.getTypeChecker();
  const file = program.getSourceFile(ROOTS_FILE);
  const problems = ts.getPreEmitDiagnostics(program, file);
  if (!file || problems.length > 0) {
    const text = problems.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')).join('; ');
    throw new Error(`cannot load kubernetes-models declarations: ${text}`);
  }
  const rootsDecl = file.statements.find(ts.isInterfaceDeclaration);
  if (!rootsDecl) throw new Error('roots interface missing');
  const rootsType = checker.getTypeAtLocation(rootsDecl);
  const roots = new Map<string, ts.Type>();
  for (const prop of checker.getPropertiesOfType(rootsType)) roots.set(prop.name, checker.getTypeOfSymbol(prop));
  fieldTypes = { checker, roots };
  return fieldTypes;
}

function objectLike(checker: ts.TypeChecker, type: ts.Type): ts.Type | undefined {
  const t = checker.getNonNullableType(type);
  if (!t.isUnion()) return t;
  return t.types.find((member) => (member.flags & ts.TypeFlags.Object) !== 0);
}

function walk(checker: ts.TypeChecker, value: unknown, declared: ts.Type, path: string, errors: string[]): void {
  const type = objectLike(checker, declared);
  if (!type || value === null || typeof value !== 'object') return;
  if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return;
  if (Array.isArray(value)) {
    if (!checker.isArrayType(type)) return; // the schema check reports the type mismatch
    const element = checker.getTypeArguments(type as ts.TypeReference)[0];
    if (element) for (const [i, item] of value.entries()) walk(checker, item, element, `${path}[${i}]`, errors);
    return;
  }
  const index = checker.getIndexInfoOfType(type, ts.IndexKind.String);
  for (const [key, child] of Object.entries(value)) {
    const prop = type.getProperty(key);
    const childPath = path ? `${path}.${key}` : key;
    if (prop) walk(checker, child, checker.getTypeOfSymbol(prop), childPath, errors);
    else if (index) walk(checker, child, index.type, childPath, errors);
    else errors.push(`${childPath}: unknown field "${key}"`);
  }
}

/** Fields the Kubernetes API does not know, as "path: unknown field" lines. */
export function unknownFieldErrors(obj: Manifest): string[] {
  const { checker, roots } = loadFieldTypes();
  const root = roots.get(kindKey(obj));
  if (!root) return [`${describe(obj)}: ${kindKey(obj)} is not in SUPPORTED_KINDS of k8s-validate.ts`];
  const errors: string[] = [];
  walk(checker, obj, root, '', errors);
  return errors.map((e) => `${describe(obj)}: ${e}`);
}

// ---------------------------------------------------------------- NetworkPolicy semantics

interface Cidr {
  family: 4 | 6;
  bits: bigint;
  prefix: number;
}

function ipBits(ip: string): { family: 4 | 6; bits: bigint } | undefined {
  if (isIPv4(ip)) {
    // The API server refuses leading zeros ("010.0.0.1") in new values.
    if (ip.split('.').some((o) => o.length > 1 && o.startsWith('0'))) return undefined;
    return { family: 4, bits: ip.split('.').reduce((acc, o) => (acc << 8n) | BigInt(o), 0n) };
  }
  if (!isIPv6(ip) || ip.includes('.')) return undefined; // no IPv4-mapped/embedded forms
  const [head = '', tail = ''] = ip.split('::');
  const left = head ? head.split(':') : [];
  const right = ip.includes('::') ? (tail ? tail.split(':') : []) : [];
  const groups = ip.includes('::') ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right] : left;
  return { family: 6, bits: groups.reduce((acc, g) => (acc << 16n) | BigInt(`0x${g}`), 0n) };
}

/** A CIDR in canonical form (no bits set after the prefix), or a reason it is not one. */
export function parseCidr(text: string): Cidr | string {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(text);
  const ip = m ? ipBits(m[1] ?? '') : undefined;
  if (!m || !ip) return `"${text}" is not a valid CIDR`;
  const prefix = Number(m[2]);
  const width = ip.family === 4 ? 32 : 128;
  if (prefix > width || ((m[2] ?? '').length > 1 && m[2]?.startsWith('0'))) return `"${text}" has an invalid prefix length`;
  const host = (1n << BigInt(width - prefix)) - 1n;
  if ((ip.bits & host) !== 0n) return `"${text}" has bits set after the prefix (not a network address)`;
  return { family: ip.family, bits: ip.bits, prefix };
}

/** Whether `inner` is a strict subset of `outer` (same family, longer prefix, inside it). */
export function strictSubset(inner: Cidr, outer: Cidr): boolean {
  if (inner.family !== outer.family || inner.prefix <= outer.prefix) return false;
  const width = outer.family === 4 ? 32 : 128;
  const shift = BigInt(width - outer.prefix);
  return inner.bits >> shift === outer.bits >> shift;
}

const PORT_NAME = /^(?=.*[a-z])[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

// The parts of a NetworkPolicy these rules read (anything else the schemas check).
interface PolicyPort {
  protocol?: string;
  port?: number | string;
  endPort?: number;
}
interface PolicyPeer {
  podSelector?: unknown;
  namespaceSelector?: unknown;
  ipBlock?: { cidr?: string; except?: string[] };
}
interface PolicyRule {
  ports?: PolicyPort[];
  to?: PolicyPeer[];
  from?: PolicyPeer[];
}
interface PolicySpec {
  policyTypes?: unknown[];
  ingress?: PolicyRule[];
  egress?: PolicyRule[];
}

function portErrors(port: PolicyPort, path: string): string[] {
  const out: string[] = [];
  if (port.protocol !== undefined && !['TCP', 'UDP', 'SCTP'].includes(port.protocol)) {
    out.push(`${path}.protocol: unsupported "${port.protocol}"`);
  }
  if (typeof port.port === 'number') {
    if (!Number.isInteger(port.port) || port.port < 1 || port.port > 65535) out.push(`${path}.port: must be between 1 and 65535`);
    if (port.endPort !== undefined && (port.endPort < port.port || port.endPort > 65535)) {
      out.push(`${path}.endPort: must be >= port and <= 65535`);
    }
  } else if (typeof port.port === 'string') {
    if (port.port.length > 15 || port.port.includes('--') || !PORT_NAME.test(port.port)) {
      out.push(`${path}.port: "${port.port}" is not a valid port name`);
    }
    if (port.endPort !== undefined) out.push(`${path}.endPort: may not be specified when port is non-numeric`);
  } else if (port.endPort !== undefined) {
    out.push(`${path}.endPort: may not be specified when port is not specified`);
  }
  return out;
}

function peerErrors(peer: PolicyPeer, path: string): string[] {
  const kinds = (['podSelector', 'namespaceSelector', 'ipBlock'] as const).filter((k) => peer[k] !== undefined && peer[k] !== null);
  if (kinds.length === 0) return [`${path}: must specify a peer`];
  if (kinds.length > 1 && kinds.includes('ipBlock')) return [`${path}: may not specify both ipBlock and another peer`];
  const block = peer.ipBlock;
  if (!block) return [];
  const cidr = parseCidr(String(block.cidr ?? ''));
  if (typeof cidr === 'string') return [`${path}.ipBlock.cidr: ${cidr}`];
  const out: string[] = [];
  for (const [i, text] of (block.except ?? []).entries()) {
    const except = parseCidr(String(text));
    if (typeof except === 'string') out.push(`${path}.ipBlock.except[${i}]: ${except}`);
    else if (!strictSubset(except, cidr))
      out.push(`${path}.ipBlock.except[${i}]: "${text}" must be a strict subset of cidr "${block.cidr}"`);
  }
  return out;
}

/** The API server's NetworkPolicy rules beyond the JSON schema, as "path: problem" lines. */
export function networkPolicyErrors(obj: Manifest & { spec?: PolicySpec }): string[] {
  if (kindKey(obj) !== 'networking.k8s.io/v1/NetworkPolicy') return [];
  const spec = obj.spec ?? {};
  const out: string[] = [];
  const types = spec.policyTypes ?? [];
  if (types.length > 2) out.push('spec.policyTypes: at most 2 entries');
  for (const [i, t] of types.entries()) {
    if (t !== 'Ingress' && t !== 'Egress') out.push(`spec.policyTypes[${i}]: unsupported "${String(t)}"`);
  }
  const directions = [
    ['ingress', 'from'],
    ['egress', 'to'],
  ] as const;
  for (const [direction, peers] of directions) {
    for (const [i, rule] of (spec[direction] ?? []).entries()) {
      const path = `spec.${direction}[${i}]`;
      for (const [j, port] of (rule.ports ?? []).entries()) out.push(...portErrors(port, `${path}.ports[${j}]`));
      for (const [j, peer] of (rule[peers] ?? []).entries()) out.push(...peerErrors(peer, `${path}.${peers}[${j}]`));
    }
  }
  return out.map((e) => `${describe(obj)}: ${e}`);
}

/** Every problem with one object: schema errors, unknown fields and kind-specific rules. */
export async function validateObject(obj: Manifest): Promise<string[]> {
  return [...(await schemaErrors(obj)), ...unknownFieldErrors(obj), ...networkPolicyErrors(obj)];
}

/** Every problem with a list of objects ([] when all are valid). */
export async function validateObjects(objs: readonly Manifest[]): Promise<string[]> {
  const all = await Promise.all(objs.map((o) => validateObject(o)));
  return all.flat();
}
