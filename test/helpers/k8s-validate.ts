// Offline validation of rendered Kubernetes objects, reusable by every suite:
//  1. the OpenAPI-derived JSON schemas of `kubernetes-models` (types, required fields,
//     enums, formats), and
//  2. a walk over the known field names, read from the same package's TypeScript
//     declarations with the TypeScript compiler, because those schemas accept unknown
//     fields (a typo like `securityContex` would otherwise pass).
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
    name === ROOTS_FILE
      ? ts.createSourceFile(name, source, version, true)
      : getSourceFile.call(host, name, version, ...rest);
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
    if (element) value.forEach((item, i) => walk(checker, item, element, `${path}[${i}]`, errors));
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

/** Every problem with one object: schema errors plus unknown fields. */
export async function validateObject(obj: Manifest): Promise<string[]> {
  return [...(await schemaErrors(obj)), ...unknownFieldErrors(obj)];
}

/** Every problem with a list of objects ([] when all are valid). */
export async function validateObjects(objs: readonly Manifest[]): Promise<string[]> {
  const all = await Promise.all(objs.map((o) => validateObject(o)));
  return all.flat();
}
