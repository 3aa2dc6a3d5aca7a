// values.schema.json rejects bad values with a readable message, on helm 3 and helm 4.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CHART_DIR, HELM_BINARIES, helmTemplateRaw } from '../helpers/helm.js';
import type { Obj } from './fixtures.js';

interface BadCase {
  name: string;
  values: Record<string, unknown>;
  /** Must appear in stderr on both helm majors. */
  path: RegExp;
  /** What the message says; helm 3 (gojsonschema) and helm 4 (jsonschema/v6) word it differently. */
  says: RegExp;
}

const CASES: BadCase[] = [
  { name: 'missing project', values: {}, path: /project/, says: /required|missing property/ },
  { name: 'invalid project name', values: { project: 'My_Project' }, path: /project/, says: /does not match pattern/i },
  { name: 'project longer than 53', values: { project: 'a'.repeat(54) }, path: /project/, says: /length|characters|maxLength|or less/i },
  { name: 'unknown rbac mode', values: { project: 'p', rbac: { mode: 'admin' } }, path: /rbac(\.|\/)mode/, says: /one of/ },
  {
    name: 'malformed size',
    values: { project: 'p', persistence: { size: '20GB' } },
    path: /persistence(\.|\/)size/,
    says: /does not match pattern/i,
  },
  {
    name: 'existing secret without checksum',
    values: { project: 'p', secrets: { existingSecret: 'mine' } },
    path: /checksum/,
    says: /does not match pattern/i,
  },
  {
    name: 'malformed checksum',
    values: { project: 'p', secrets: { existingSecret: 'mine', checksum: 'abc' } },
    path: /checksum/,
    says: /does not match pattern/i,
  },
  { name: 'unknown agent', values: { project: 'p', agent: { name: 'copilot' } }, path: /agent(\.|\/)name/, says: /one of/ },
  { name: 'unknown top-level value', values: { project: 'p', replicas: 2 }, path: /replicas/, says: /additional propert/i },
  { name: 'unknown nested value', values: { project: 'p', persistence: { sise: '1Gi' } }, path: /sise/, says: /additional propert/i },
  {
    name: 'lower-case env secret key',
    values: { project: 'p', secrets: { env: { github_token: 'x' } } },
    path: /github_token|secrets/,
    says: /pattern|propert/i,
  },
  {
    name: 'non-https repo URL',
    values: { project: 'p', git: { repo: 'http://example.com/x.git' } },
    path: /git(\.|\/)repo/,
    says: /does not match pattern/i,
  },
  { name: 'bad access mode', values: { project: 'p', persistence: { accessMode: 'ReadOnlyMany' } }, path: /accessMode/, says: /one of/ },
];

describe.each(HELM_BINARIES)('%s values.schema.json', (bin) => {
  it.each(CASES)('rejects $name', async ({ values, path, says }) => {
    const result = await helmTemplateRaw(bin, { values });
    expect(result.exitCode).not.toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain("values don't meet the specifications of the schema");
    expect(result.stderr).toMatch(path);
    expect(result.stderr).toMatch(says);
  });

  it('accepts a 64-hex checksum with an existing secret', async () => {
    const result = await helmTemplateRaw(bin, { values: { project: 'p', secrets: { existingSecret: 'mine', checksum: 'f'.repeat(64) } } });
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
  });
});

describe('values.yaml and values.schema.json agree', () => {
  const schema = JSON.parse(readFileSync(join(CHART_DIR, 'values.schema.json'), 'utf8')) as Obj;
  const values = parse(readFileSync(join(CHART_DIR, 'values.yaml'), 'utf8')) as Record<string, unknown>;

  function objectsWithoutAdditionalFalse(node: unknown, path: string, out: string[]): string[] {
    if (node && typeof node === 'object') {
      const n = node as Obj;
      if (n.type === 'object' && n.properties && n.additionalProperties !== false) out.push(path);
      for (const [k, v] of Object.entries(n)) objectsWithoutAdditionalFalse(v, `${path}/${k}`, out);
    }
    return out;
  }

  it('closes every object with declared properties (additionalProperties: false)', () => {
    expect(objectsWithoutAdditionalFalse(schema, '#', [])).toEqual([]);
  });

  it('declares every value of values.yaml and documents each with a comment', () => {
    const text = readFileSync(join(CHART_DIR, 'values.yaml'), 'utf8');
    const lines = text.split('\n');
    const undocumented: string[] = [];
    const undeclared: string[] = [];
    const visit = (obj: Record<string, unknown>, props: Obj, prefix: string) => {
      for (const [key, value] of Object.entries(obj)) {
        const prop = props[key];
        if (!prop) undeclared.push(prefix + key);
        if (value && typeof value === 'object' && !Array.isArray(value) && prop?.properties)
          visit(value as Record<string, unknown>, prop.properties, `${prefix}${key}.`);
      }
    };
    visit(values, schema.properties, '');
    // helm-docs convention: a key is documented by the comment right above it, or above
    // one of its parent keys (e.g. resources.requests.cpu by the comment on resources).
    const stack: { indent: number; documented: boolean }[] = [];
    lines.forEach((line, i) => {
      const m = /^(\s*)([A-Za-z][\w]*):/.exec(line);
      if (!m) return;
      const indent = (m[1] ?? '').length;
      while (stack.length > 0 && (stack.at(-1)?.indent ?? 0) >= indent) stack.pop();
      const documented = /^\s*#/.test(lines[i - 1] ?? '') || stack.some((s) => s.documented);
      const isParent = (lines[i + 1] ?? '').search(/\S/) > indent;
      if (!documented && !isParent) undocumented.push(`${i + 1}: ${line.trim()}`);
      stack.push({ indent, documented });
    });
    expect(undeclared).toEqual([]);
    expect(undocumented).toEqual([]);
    expect(schema.required).toEqual(['project']);
    expect(text).toMatch(/^# project: myproj$/m);
  });

  it('lists every value in the chart README values table', () => {
    const readme = readFileSync(join(CHART_DIR, 'README.md'), 'utf8');
    const missing: string[] = [];
    const visit = (obj: Record<string, unknown>, props: Obj, prefix: string) => {
      for (const [key, value] of Object.entries(obj)) {
        const prop = props[key];
        const path = prefix + key;
        if (
          value &&
          typeof value === 'object' &&
          !Array.isArray(value) &&
          prop?.properties &&
          !['resources', 'initResources', 'idle.resources', 'podSecurityContext', 'securityContext'].includes(path)
        ) {
          visit(value as Record<string, unknown>, prop.properties, `${path}.`);
        } else if (!readme.includes(`| \`${path}\` |`)) missing.push(path);
      }
    };
    visit({ project: 'x', ...values }, schema.properties, '');
    expect(missing).toEqual([]);
  });
});
