// Nothing changes until everything is checked, on the real cluster: values the chart's own
// schema refuses (`resources.limits.cpu: -1`, given through the settings' `values:`) end
// `rgsd up` with a configuration error that names the field, and the cluster is unchanged —
// no namespace, no Secret, no release. Before, `up` created the namespace and applied the
// Secret first and then failed in helm with the field on a line it did not show.
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { kubectl } from './helpers/cluster.js';
import { ConfigDir, rgsd } from './helpers/rgsd.js';

describe('check, then change (real cluster)', () => {
  const config = new ConfigDir();
  const project = 'badvalues';
  // a namespace of its own, so "unchanged" is simply "it does not exist"
  const namespace = `rgsd-check-${randomBytes(3).toString('hex')}`;
  afterAll(async () => {
    await kubectl(['delete', 'namespace', namespace, '--ignore-not-found', '--wait=false']);
    config.remove();
  });

  it('values the chart refuses: exit 3 naming the field, and no namespace, Secret or release appears', async () => {
    config.writeSettings(project, { namespace, values: { resources: { limits: { cpu: -1 } } } });
    config.writeSecrets(project, { GITHUB_TOKEN: `ghp_e2e${randomBytes(12).toString('hex')}` });
    const r = await rgsd(config, ['up', project, '--yes']);
    expect(r.exitCode, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/^rgsd: .*/m);
    expect(r.stderr).toMatch(/resources/);
    expect(r.stderr).toMatch(/^hint: /m);
    const ns = await kubectl(['get', 'namespace', namespace, '-o', 'name']);
    expect(ns.exitCode, ns.stdout).not.toBe(0);
    expect(ns.stderr).toMatch(/NotFound|not found/);
    const helm = await rgsd(config, ['status', project, '--json']);
    expect(helm.exitCode, helm.stderr).toBe(0);
    const doc = JSON.parse(helm.stdout) as { projects: { release: unknown; secret: unknown; pod: unknown }[] };
    expect(doc.projects[0]).toMatchObject({ release: null, secret: null, pod: null });
  });
});
