import { describe, expect, it } from 'vitest';
import { HELM_BINARIES, helmLint } from '../helpers/helm.js';
import { CI_VALUES, ciFile } from './fixtures.js';

describe.each(HELM_BINARIES)('%s lint --strict', (bin) => {
  it('finds the ci/ values matrix', () => {
    expect(CI_VALUES).toEqual(
      expect.arrayContaining([
        'default-values.yaml',
        'chart-secrets-values.yaml',
        'existing-secret-values.yaml',
        'rbac-namespace-values.yaml',
        'rbac-cluster-admin-values.yaml',
        'networkpolicy-values.yaml',
        'readonly-root-values.yaml',
        'extras-values.yaml',
      ]),
    );
  });

  it.each(CI_VALUES)('passes with ci/%s', async (file) => {
    const result = await helmLint(bin, { valuesFiles: [ciFile(file)] });
    expect(result.stderr + result.stdout).toContain('1 chart(s) linted, 0 chart(s) failed');
    expect(result.exitCode).toBe(0);
  });

  it('fails without the required project value', async () => {
    const result = await helmLint(bin, {});
    expect(result.exitCode).not.toBe(0);
    expect(result.stdout + result.stderr).toMatch(/project/);
  });
});
