// checksum/secrets rolls the pod exactly when a secret value changes.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { HELM_BINARIES, helmTemplate } from '../helpers/helm.js';
import { secretChecksum } from '../../src/core/secrets.js';
import { checksum, one } from './fixtures.js';

const base = {
  project: 'sums',
  secrets: { env: { GITHUB_TOKEN: 'tok-1', OPENAI_API_KEY: 'sk-1' }, files: { 'models.json': '{}' } },
};
type Values = Record<string, unknown>;
const withSecrets = (env: Record<string, string>, files: Record<string, string>): Values => ({ ...base, secrets: { env, files } });

describe.each(HELM_BINARIES)('%s checksum/secrets', (bin) => {
  const sum = async (values: Values) => checksum(await helmTemplate(bin, { release: 'sums', values }));

  it('is stable: same values, same checksum; unrelated values do not change it', async () => {
    const first = await sum(base);
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(await sum(base)).toBe(first);
    expect(await sum({ ...base, agent: { name: 'claude' }, git: { repo: 'https://example.com/x.git' }, podAnnotations: { a: 'b' } })).toBe(
      first,
    );
  });

  it('changes when any env value, file content, or key set changes', async () => {
    const first = await sum(base);
    const variants: Values[] = [
      withSecrets({ GITHUB_TOKEN: 'tok-2', OPENAI_API_KEY: 'sk-1' }, { 'models.json': '{}' }),
      withSecrets({ GITHUB_TOKEN: 'tok-1', OPENAI_API_KEY: 'sk-2' }, { 'models.json': '{}' }),
      withSecrets({ GITHUB_TOKEN: 'tok-1', OPENAI_API_KEY: 'sk-1' }, { 'models.json': '{"a":1}' }),
      withSecrets({ GITHUB_TOKEN: 'tok-1' }, { 'models.json': '{}' }),
      withSecrets({ GITHUB_TOKEN: 'tok-1', OPENAI_API_KEY: 'sk-1' }, {}),
      withSecrets({ GITHUB_TOKEN: 'tok-1', OPENAI_API_KEY: 'sk-1', ANTHROPIC_API_KEY: 'a' }, { 'models.json': '{}' }),
    ];
    const sums = await Promise.all(variants.map(sum));
    for (const s of sums) expect(s).not.toBe(first);
    expect(new Set(sums).size).toBe(sums.length);
  });

  it('existing-secret mode: the annotation is exactly the given checksum and follows it', async () => {
    const a = 'a'.repeat(64);
    const b = 'b'.repeat(64);
    const values = (c: string): Values => ({ project: 'sums', secrets: { existingSecret: 'mine', checksum: c } });
    expect(await sum(values(a))).toBe(a);
    expect(await sum(values(b))).toBe(b);
  });

  it('chart mode uses the CLI formula: sha256 of the sorted base64 data as JSON', async () => {
    const docs = await helmTemplate(bin, { release: 'sums', values: base });
    const data = one(docs, 'Secret').data as Record<string, string>;
    const sorted = Object.fromEntries(
      Object.keys(data)
        .sort()
        .map((k) => [k, data[k]]),
    );
    expect(Object.keys(sorted)).toEqual(['GITHUB_TOKEN', 'OPENAI_API_KEY', 'models.json']);
    expect(checksum(docs)).toBe(createHash('sha256').update(JSON.stringify(sorted)).digest('hex'));
  });

  it('ignores everything but the data: image tag, labels, names', async () => {
    const first = await sum(base);
    expect(await sum({ ...base, image: { tag: '9.9.9' }, fullnameOverride: 'other' })).toBe(first);
  });

  it('matches the checksum the CLI computes for the same data (switching modes does not roll the pod)', async () => {
    const docs = await helmTemplate(bin, { release: 'sums', values: base });
    const data = { GITHUB_TOKEN: 'tok-1', OPENAI_API_KEY: 'sk-1', 'models.json': '{}' };
    const cli = secretChecksum(Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v)])));
    expect(checksum(docs)).toBe(cli);
  });
});
