// Checks shared by the e2e files: what "up from nothing", "down keeps the home" and "nuke
// removes everything" mean on the real cluster (lifecycle.test.ts runs them with the default
// Helm, helm-majors.test.ts once per Helm major).
import { execa } from 'execa';
import { expect } from 'vitest';
import {
  getObject,
  kubeconfig,
  kubectl,
  livePods,
  NAMESPACE,
  podExec,
  readyPod,
  waitFor,
  type K8sObject,
  type PodObject,
} from './cluster.js';
import { E2E_IMAGE } from '../../helpers/version.js';
import { rgsd, rgsdOk, type ConfigDir, type HelmBinary } from './rgsd.js';

/** Object names of a project (ARCHITECTURE.md: fullname = <project>-rgsd unless it contains rgsd). */
export function namesOf(project: string): { deployment: string; pvc: string; secret: string } {
  const fullname = project.includes('rgsd') ? project : `${project}-rgsd`;
  return { deployment: fullname, pvc: `${fullname}-home`, secret: `${fullname}-secrets` };
}

/** What every e2e project runs (ConfigDir.writeSettings): the minimal image plus the fake agents. */
export const IMAGE = E2E_IMAGE;
export const HOME = '/home/gsd';

/** A flag the steps of one file share: once a step fails, the later ones are skipped. */
export class Sequence {
  failed = false;
  guard(ctx: { skip: (note?: string) => never; onTestFailed: (fn: () => void) => void }): void {
    if (this.failed) ctx.skip('an earlier step of this sequence failed');
    ctx.onTestFailed(() => {
      this.failed = true;
    });
  }
}

export async function dockerImageId(ref = IMAGE): Promise<string> {
  return String((await execa('docker', ['image', 'inspect', '--format', '{{.Id}}', ref], { stdin: 'ignore' })).stdout).trim();
}

export async function secretValue(name: string, key: string): Promise<string | null> {
  const s = await getObject<K8sObject & { data?: Record<string, string> }>('secret', name);
  const v = s?.data?.[key];
  return v === undefined ? null : Buffer.from(v, 'base64').toString('utf8');
}

/** Step 1: `rgsd up` from nothing, and everything it must have produced. */
export async function upFromNothing(
  config: ConfigDir,
  project: string,
  token: string,
  helm: HelmBinary,
): Promise<{ pod: PodObject; output: string }> {
  const n = namesOf(project);
  expect(await getObject('namespace', NAMESPACE, null), `namespace ${NAMESPACE} must not exist before the first up`).toBeNull();
  const res = await rgsdOk(config, ['up', project], { helm });
  const output = `${res.stdout}\n${res.stderr}`;
  expect(output).not.toContain(token);

  // Namespace: created by the CLI, restricted, not owned by the release.
  const ns = await getObject('namespace', NAMESPACE, null);
  expect(ns?.metadata.labels).toMatchObject({
    'app.kubernetes.io/managed-by': 'rgsd',
    'pod-security.kubernetes.io/enforce': 'restricted',
  });
  expect(ns?.metadata.annotations?.['meta.helm.sh/release-name']).toBeUndefined();
  const helmList = await execa(helm, ['list', '-n', NAMESPACE, '-o', 'json'], { env: { KUBECONFIG: kubeconfig() }, stdin: 'ignore' });
  const releases = JSON.parse(String(helmList.stdout)) as { name: string; status: string }[];
  expect(releases).toEqual([expect.objectContaining({ name: project, status: 'deployed' })]);
  const manifest = String(
    (await execa(helm, ['get', 'manifest', project, '-n', NAMESPACE], { env: { KUBECONFIG: kubeconfig() }, stdin: 'ignore' })).stdout,
  );
  expect(manifest).not.toMatch(/^kind: Namespace$/m);

  // Secret applied by the CLI with the value from secrets/<project>.env.
  expect(await secretValue(n.secret, 'GITHUB_TOKEN')).toBe(token);

  // Pod: Running and ready, the real image (same id as in docker), init container done.
  const pod = await readyPod(project);
  const main = pod.status.containerStatuses?.find((c) => c.name === 'workstation');
  expect(pod.spec.containers.find((c) => c.name === 'workstation')?.image).toBe(IMAGE);
  expect(main?.imageID).toContain(await dockerImageId());
  const init = pod.status.initContainerStatuses?.find((c) => c.name === 'init-home');
  expect(init?.state.terminated?.exitCode).toBe(0);

  // Home on a real local volume, seeded by init-home; tmux session "main" up.
  const pvc = await getObject<K8sObject & { spec: { volumeName?: string }; status: { phase?: string } }>('pvc', n.pvc);
  expect(pvc?.status.phase).toBe('Bound');
  const pv = await getObject<K8sObject & { spec: { local?: { path: string } } }>('pv', pvc?.spec.volumeName ?? '', null);
  expect(pv?.spec.local?.path).toMatch(/\/volumes\/pv\d+$/);
  expect(pod.spec.volumes?.some((v) => v.persistentVolumeClaim?.claimName === n.pvc)).toBe(true);
  const seeded = await podExec(
    pod.metadata.name,
    `test -f ${HOME}/.home-initialized && stat -c '%u' ${HOME}/.home-initialized && tmux has-session -t main && echo tmux-main-up`,
  );
  expect(seeded.stderr).toBe('');
  expect(seeded.stdout.trim().split('\n')).toEqual(['1000', 'tmux-main-up']);
  return { pod, output };
}

/** Step 6: `rgsd down` keeps the home; `rgsd up` reattaches it without re-seeding. */
export async function downKeepsHome(
  config: ConfigDir,
  project: string,
  helm: HelmBinary,
  fileInHome: { path: string; content: string },
): Promise<void> {
  const n = namesOf(project);
  const before = await readyPod(project);
  const pvcBefore = await getObject('pvc', n.pvc);
  const sentinelBefore = (await podExec(before.metadata.name, `stat -c %Y ${HOME}/.home-initialized`)).stdout.trim();
  expect(sentinelBefore).toMatch(/^\d+$/);

  await rgsdOk(config, ['down', project], { helm });
  expect(await getObject('deployment', n.deployment)).toBeNull();
  expect(await getObject('secret', n.secret)).toBeNull();
  const pvcAfterDown = await getObject<K8sObject & { status: { phase?: string } }>('pvc', n.pvc);
  expect(pvcAfterDown?.metadata.uid).toBe(pvcBefore?.metadata.uid);
  expect(pvcAfterDown?.status.phase).toBe('Bound');
  await waitFor(`the pods of ${project} to go`, async () => (await livePods(project)).length === 0, 90_000);

  await rgsdOk(config, ['up', project], { helm });
  const after = await readyPod(project);
  expect(after.metadata.uid).not.toBe(before.metadata.uid);
  expect((await getObject('pvc', n.pvc))?.metadata.uid).toBe(pvcBefore?.metadata.uid);
  const check = await podExec(after.metadata.name, `cat ${fileInHome.path}; stat -c %Y ${HOME}/.home-initialized`);
  expect(check.stdout.trim().split('\n')).toEqual([fileInHome.content, sentinelBefore]);
}

/** Step 8: nuke refuses without a terminal or --confirm, then removes everything, twice. */
export async function nukeEverything(config: ConfigDir, project: string, helm: HelmBinary): Promise<void> {
  const n = namesOf(project);
  const refused = await rgsd(config, ['nuke', project], { helm });
  expect(refused.exitCode).not.toBe(0);
  expect(refused.stderr).toMatch(/--confirm/);
  expect(await getObject('deployment', n.deployment)).not.toBeNull();
  expect(await getObject('pvc', n.pvc)).not.toBeNull();
  expect(await getObject('secret', n.secret)).not.toBeNull();
  expect(await getObject('namespace', NAMESPACE, null)).not.toBeNull();

  await rgsdOk(config, ['nuke', project, '--confirm', project], { helm });
  const helmList = await execa(helm, ['list', '-a', '-n', NAMESPACE, '-o', 'json'], {
    env: { KUBECONFIG: kubeconfig() },
    stdin: 'ignore',
    reject: false,
  });
  expect(helmList.exitCode === 0 ? (JSON.parse(String(helmList.stdout) || '[]') as unknown[]) : []).toEqual([]);
  for (const [kind, name] of [
    ['deployment', n.deployment],
    ['pvc', n.pvc],
    ['secret', n.secret],
  ] as const) {
    const o = await getObject(kind, name);
    expect(o === null || Boolean(o.metadata.deletionTimestamp), `${kind}/${name} must be gone or going`).toBe(true);
  }
  const ns = await getObject('namespace', NAMESPACE, null);
  expect(ns === null || Boolean(ns.metadata.deletionTimestamp), `namespace ${NAMESPACE} must be gone or going`).toBe(true);

  const again = await rgsdOk(config, ['nuke', project, '--confirm', project], { helm });
  expect(`${again.stdout}\n${again.stderr}`).toMatch(/nothing (left|to (delete|destroy|remove))/i);
  await namespaceGone();
}

/** Waits until the namespace is fully deleted, so the next test starts from nothing. */
export async function namespaceGone(): Promise<void> {
  await waitFor(`namespace ${NAMESPACE} to be deleted`, async () => (await getObject('namespace', NAMESPACE, null)) === null, 180_000);
}

/** Best-effort removal of a project when a test failed half-way (nuke, then raw kubectl/helm). */
export async function forceRemove(config: ConfigDir, projects: string[]): Promise<void> {
  for (const p of projects) {
    // best effort: the work guard would refuse a home with work in it (the tests leave some)
    const res = await rgsd(config, ['nuke', p, '--confirm', p, '--discard-work']);
    if (res.exitCode === 0) continue;
    process.stderr.write(`e2e cleanup: rgsd nuke ${p} exited ${res.exitCode}: ${res.stderr.trim()}; removing with helm/kubectl\n`);
    await execa('helm', ['uninstall', p, '-n', NAMESPACE], { env: { KUBECONFIG: kubeconfig() }, reject: false, stdin: 'ignore' });
    await kubectl([
      '-n',
      NAMESPACE,
      'delete',
      'deployment,pvc,secret',
      '-l',
      `rgsd.dev/project=${p}`,
      '--ignore-not-found',
      '--wait=false',
    ]);
  }
  const left = await kubectl(['-n', NAMESPACE, 'get', 'deployment,pvc,secret', '-l', 'app.kubernetes.io/name=rgsd', '-o', 'name']);
  const ns = await getObject('namespace', NAMESPACE, null);
  if (ns && left.stdout.trim() === '' && ns.metadata.labels?.['app.kubernetes.io/managed-by'] === 'rgsd') {
    await kubectl(['delete', 'namespace', NAMESPACE, '--wait=false']);
  }
  if (ns) await namespaceGone().catch((err: Error) => process.stderr.write(`e2e cleanup: ${err.message}\n`));
}
