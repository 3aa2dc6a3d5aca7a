// A backup back into the home: `/opt/rgsd/restore` (docker/restore) — `inspect` in the running
// workstation (is the home empty?), then, with the workstation scaled to 0, a short-lived helper
// pod that mounts the home and runs `apply` with the archive on `kubectl exec -i` stdin.
// The helper is built from the Deployment itself (image, security contexts, the image
// contract's environment, scheduling), has no token, and carries labels that select it as
// nothing else: not `rgsd.dev/project` (the workstation's selector) nor
// `app.kubernetes.io/name=rgsd`. ARCHITECTURE.md "Restore".
import { CommandError, RefusedError, RgsdError, TimeoutError } from '../core/errors.js';
import type { ProjectNames } from '../core/names.js';
import { CONTAINER, goDuration, IN_POD } from '../core/vocab.js';
import { classify, isMissingProgram } from './classify.js';
import { type Gateway, kubectl, kubectlArgv, type Target } from './gateway.js';
import { taskExecArgs } from './tasks.js';
import { type K8sObject, notDeployed } from './workload.js';

/** The helper's labels: `rgsd.dev/restore-of=<project>` finds it, nothing selects it as a workstation. */
export const RESTORE_LABEL = 'rgsd.dev/restore-of';
export const RESTORE_CONTAINER = 'restore';
export const restoreSelector = (names: ProjectNames): string => `${RESTORE_LABEL}=${names.release}`;
export const helperPodName = (names: ProjectNames): string => `${names.fullname}-restore`;

/** What `restore inspect` says. */
export interface HomeInspection {
  schemaVersion: number;
  empty: boolean;
  contentCount: number;
  content: string[];
}

/** What `restore apply` says. */
export interface PodRestoreResult {
  schemaVersion: number;
  id: string;
  ok: boolean;
  bytes: number;
  sha256: string;
  files: number;
  kept: string[];
  replaced: number;
}

/** The parts of the Deployment the helper pod copies. */
export interface WorkstationSpec {
  image: string;
  imagePullPolicy?: string;
  replicas: number;
  podSecurityContext?: unknown;
  securityContext?: Record<string, unknown>;
  env: { name: string; value: string }[];
  claimName: string;
  nodeSelector?: unknown;
  tolerations?: unknown;
  affinity?: unknown;
  imagePullSecrets?: unknown;
}

interface DeploymentJson extends K8sObject {
  spec?: {
    replicas?: number;
    template?: {
      spec?: {
        securityContext?: unknown;
        nodeSelector?: unknown;
        tolerations?: unknown;
        affinity?: unknown;
        imagePullSecrets?: unknown;
        containers?: {
          name: string;
          image: string;
          imagePullPolicy?: string;
          securityContext?: Record<string, unknown>;
          env?: { name: string; value?: string; valueFrom?: unknown }[];
        }[];
        volumes?: { name: string; persistentVolumeClaim?: { claimName: string } }[];
      };
    };
  };
}

/** Reads the workstation's Deployment (NotFoundError "not deployed" when there is none). */
export async function getWorkstationSpec(gw: Gateway, t: Target, names: ProjectNames): Promise<WorkstationSpec> {
  let stdout: string;
  try {
    ({ stdout } = await kubectl(gw, t, ['get', `deployment/${names.deployment}`, '-o', 'json']));
  } catch (err) {
    throw notDeployed(err, names, t);
  }
  return workstationSpec(JSON.parse(stdout) as DeploymentJson, names);
}

export function workstationSpec(d: DeploymentJson, names: ProjectNames): WorkstationSpec {
  const pod = d.spec?.template?.spec;
  const c = pod?.containers?.find((x) => x.name === CONTAINER.workstation);
  const claimName = pod?.volumes?.find((v) => v.name === 'home')?.persistentVolumeClaim?.claimName;
  if (!c || !claimName) {
    throw new RgsdError(`deployment/${names.deployment} has no ${CONTAINER.workstation} container with a home volume`, {
      hint: `is it an rgsd workstation? \`rgsd up ${names.release}\` puts it back`,
    });
  }
  return {
    image: c.image,
    ...(c.imagePullPolicy ? { imagePullPolicy: c.imagePullPolicy } : {}),
    replicas: d.spec?.replicas ?? 1,
    podSecurityContext: pod?.securityContext,
    ...(c.securityContext ? { securityContext: c.securityContext } : {}),
    // values only: a valueFrom could name the Secret, which the helper must not see
    env: (c.env ?? []).filter((e): e is { name: string; value: string } => typeof e.value === 'string'),
    claimName,
    nodeSelector: pod?.nodeSelector,
    tolerations: pod?.tolerations,
    affinity: pod?.affinity,
    imagePullSecrets: pod?.imagePullSecrets,
  };
}

/** The helper pod: the workstation's image and security contexts, the home mounted, no token,
 * no network need, gone after `deadlineSeconds` whatever happens to the CLI. */
export function helperPodManifest(spec: WorkstationSpec, names: ProjectNames, deadlineSeconds: number): Record<string, unknown> {
  const readOnlyRoot = spec.securityContext?.readOnlyRootFilesystem === true;
  const defined = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null));
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: helperPodName(names),
      labels: {
        'app.kubernetes.io/managed-by': 'rgsd',
        'app.kubernetes.io/component': 'restore',
        [RESTORE_LABEL]: names.release,
      },
    },
    spec: defined({
      restartPolicy: 'Never',
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      terminationGracePeriodSeconds: 1,
      activeDeadlineSeconds: deadlineSeconds,
      securityContext: spec.podSecurityContext,
      nodeSelector: spec.nodeSelector,
      tolerations: spec.tolerations,
      affinity: spec.affinity,
      imagePullSecrets: spec.imagePullSecrets,
      containers: [
        defined({
          name: RESTORE_CONTAINER,
          image: spec.image,
          imagePullPolicy: spec.imagePullPolicy,
          command: ['sleep', String(deadlineSeconds)],
          env: spec.env,
          securityContext: spec.securityContext,
          resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '1', memory: '512Mi' } },
          volumeMounts: [{ name: 'home', mountPath: IN_POD.home }, ...(readOnlyRoot ? [{ name: 'tmp', mountPath: '/tmp' }] : [])],
        }),
      ],
      volumes: [
        { name: 'home', persistentVolumeClaim: { claimName: spec.claimName } },
        ...(readOnlyRoot ? [{ name: 'tmp', emptyDir: { sizeLimit: '256Mi' } }] : []),
      ],
    }),
  };
}

/** `kubectl create -f -` of the helper pod. */
export async function createHelperPod(gw: Gateway, t: Target, manifest: Record<string, unknown>): Promise<void> {
  try {
    await kubectl(gw, t, ['create', '-f', '-'], { stdin: JSON.stringify(manifest), mutates: true, timeoutMs: 60_000 });
  } catch (err) {
    throw classify(err, t);
  }
}

/** Waits for the helper to be Ready (its image pulled, the home mounted). */
export async function waitHelperReady(gw: Gateway, t: Target, names: ProjectNames, timeoutMs: number): Promise<void> {
  const pod = helperPodName(names);
  const res = await kubectl(gw, t, ['wait', '--for=condition=Ready', `pod/${pod}`, `--timeout=${goDuration(timeoutMs)}`], {
    allowFailure: true,
    timeoutMs: timeoutMs + 30_000,
  });
  if (res.exitCode === 0) return;
  throw new TimeoutError(`the restore helper pod ${pod} was not ready within ${goDuration(timeoutMs)}`, {
    hint: `see why with \`kubectl describe pod ${pod} -n ${t.namespace}\` (the home volume may still be attached elsewhere); re-run with a longer --timeout`,
  });
}

/** Deletes every restore helper of the project and waits until they are gone. */
export async function deleteHelperPods(gw: Gateway, t: Target, names: ProjectNames): Promise<void> {
  await kubectl(
    gw,
    t,
    ['delete', 'pod', '-l', restoreSelector(names), '--ignore-not-found', '--grace-period=1', '--wait=true', '--timeout=120s'],
    {
      mutates: true,
      timeoutMs: 150_000,
    },
  );
}

function restoreFailure(
  gw: Gateway,
  t: Target,
  names: ProjectNames,
  args: string[],
  res: { exitCode: number; stdout: string; stderr: string },
) {
  if (isMissingProgram(res.stderr)) {
    return new RgsdError(`the image of ${names.release} has no ${IN_POD.restore}`, {
      hint: `it is older than this rgsd: \`rgsd up ${names.release}\` updates it, then re-run`,
    });
  }
  const refused = /^rgsd-restore: refused: (.*)$/m.exec(res.stderr);
  if (refused) return new RefusedError(refused[1] ?? 'the home is not empty');
  const said = [...res.stderr.matchAll(/^rgsd-restore: error: (.*)$/gm)].map((m) => m[1] ?? '');
  if (said.length) return new RgsdError(`the restore failed in the pod: ${said[0]}`, { details: said.slice(1) });
  const argv = [gw.tools.kubectl, ...kubectlArgv(t, args)];
  return notDeployed(classify(new CommandError(argv, res.exitCode, res.stderr, res.stdout), t), names, t);
}

function lastJson<T>(stdout: string, what: string): T {
  try {
    return JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as T;
  } catch {
    throw new RgsdError(`the pod answered with something that is not ${what}`, {
      hint: 'is the image older than this rgsd? `rgsd up` updates it',
    });
  }
}

/** `restore inspect` in the running workstation, or in the helper pod (`inHelper`); what the
 * restore keeps (`keep`) is not counted. */
export async function inspectHome(
  gw: Gateway,
  t: Target,
  names: ProjectNames,
  keep: readonly string[],
  inHelper = false,
): Promise<HomeInspection> {
  const command = [IN_POD.restore, 'inspect', ...keep.flatMap((k) => ['--keep', k])];
  const args = inHelper ? ['exec', helperPodName(names), '-c', RESTORE_CONTAINER, '--', ...command] : taskExecArgs(names, command);
  const res = await kubectl(gw, t, args, { allowFailure: true, timeoutMs: 120_000 });
  if (res.exitCode !== 0) throw restoreFailure(gw, t, names, args, res);
  return lastJson<HomeInspection>(res.stdout, 'a home inspection');
}

export interface ApplyOptions {
  id: string;
  bytes: number;
  sha256: string;
  keep: readonly string[];
  force: boolean;
}

export function applyCommand(o: ApplyOptions): string[] {
  const args = [IN_POD.restore, 'apply', '--id', o.id, '--bytes', String(o.bytes), '--sha256', o.sha256];
  for (const k of o.keep) args.push('--keep', k);
  if (o.force) args.push('--force');
  return args;
}

/** `restore apply` in the helper pod, the archive streamed into `kubectl exec -i` (never a terminal). */
export async function applyRestore(
  gw: Gateway,
  t: Target,
  names: ProjectNames,
  o: ApplyOptions,
  archive: NodeJS.ReadableStream,
): Promise<PodRestoreResult> {
  const args = ['exec', '-i', helperPodName(names), '-c', RESTORE_CONTAINER, '--', ...applyCommand(o)];
  const res = await kubectl(gw, t, args, { allowFailure: true, mutates: true, stdinFrom: archive });
  if (res.exitCode !== 0) throw restoreFailure(gw, t, names, args, res);
  return lastJson<PodRestoreResult>(res.stdout, 'a restore result');
}
