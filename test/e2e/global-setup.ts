// e2e global setup: a running docker (the rgsd image is built and kept there), the rgsd
// image, the e2e image (the same plus the fake agents, which every e2e project runs), and
// the local cluster (scripts/local-cluster up, which also loads the default image; the e2e
// image is loaded after it).
// If this setup started the cluster, teardown stops it again (RGSD_E2E_KEEP_CLUSTER=1 keeps
// it for faster re-runs); a cluster that was already up is left as found.
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import type { TestProject } from 'vitest/node';
import { ensureDockerd } from '../helpers/dockerd.js';
import { DEFAULT_IMAGE, E2E_IMAGE } from '../helpers/version.js';

const REPO_ROOT = resolve(import.meta.dirname, '..', '..');
const LOCAL_CLUSTER = join(REPO_ROOT, 'scripts', 'local-cluster');

function log(line: string): void {
  process.stderr.write(`e2e setup: ${line}\n`);
}

async function run(cmd: string, args: string[], what: string): Promise<void> {
  const started = Date.now();
  const res = await execa(cmd, args, { reject: false, all: true, stdin: 'ignore', env: { PATH: process.env.PATH ?? '' } });
  if (res.exitCode !== 0) throw new Error(`${what} failed (exit ${res.exitCode}):\n${String(res.all)}`);
  log(`${what}: done in ${Math.round((Date.now() - started) / 1000)}s`);
}

async function clusterUp(): Promise<boolean> {
  return (await execa(LOCAL_CLUSTER, ['status'], { reject: false, stdin: 'ignore' })).exitCode === 0;
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // dockerd stays up when this setup started it: the images the cluster runs live in it.
  ensureDockerd();
  const ref = DEFAULT_IMAGE; // what scripts/build-image tags by default: rgsd/workstation:<package.json version>
  // The image suite (npm test) builds the full image; when it is missing, build the minimal
  // variant (same contract, no optional downloads). RGSD_E2E_BUILD_IMAGE=1 forces a rebuild.
  const haveImage = (await execa('docker', ['image', 'inspect', ref], { reject: false, stdin: 'ignore' })).exitCode === 0;
  if (!haveImage || process.env.RGSD_E2E_BUILD_IMAGE === '1') {
    await run(join(REPO_ROOT, 'scripts', 'build-image'), ['--quiet', ...(haveImage ? [] : ['--minimal'])], `scripts/build-image (${ref})`);
  }
  // The suite's own image: the same layers plus the fake agents (a small layer on top).
  await run(
    join(REPO_ROOT, 'scripts', 'build-image'),
    ['--quiet', '--minimal', '--fake-agents', '--tag', E2E_IMAGE],
    `scripts/build-image --fake-agents (${E2E_IMAGE})`,
  );
  const wasUp = await clusterUp();
  await run(LOCAL_CLUSTER, ['up'], 'scripts/local-cluster up');
  await run(LOCAL_CLUSTER, ['load-image', E2E_IMAGE], `scripts/local-cluster load-image ${E2E_IMAGE}`);
  const env = await execa(LOCAL_CLUSTER, ['env'], { stdin: 'ignore' });
  const kubeconfig = /^export KUBECONFIG=(.+)$/m.exec(String(env.stdout))?.[1];
  if (!kubeconfig) throw new Error(`scripts/local-cluster env printed no KUBECONFIG: ${String(env.stdout)}`);
  project.provide('kubeconfig', kubeconfig);
  return async () => {
    if (wasUp || process.env.RGSD_E2E_KEEP_CLUSTER === '1') {
      log('leaving the local cluster running');
      return;
    }
    await run(LOCAL_CLUSTER, ['down'], 'scripts/local-cluster down');
  };
}
