// The Pod Security Standards "restricted" profile (v1.25+), checked offline on a pod spec.
// Mirrors k8s.io/pod-security-admission's checks for the fields a pod spec can carry.
// Returns one line per violation; [] means the pod would be admitted into a namespace
// labelled pod-security.kubernetes.io/enforce=restricted.

type Obj = Record<string, unknown>;
const ALLOWED_VOLUMES = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret'];
const OK_SECCOMP = ['RuntimeDefault', 'Localhost'];

function obj(value: unknown): Obj {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Obj) : {};
}
function list(value: unknown): Obj[] {
  return Array.isArray(value) ? value.map(obj) : [];
}

export function restrictedViolations(podSpecInput: unknown): string[] {
  const spec = obj(podSpecInput);
  const podSc = obj(spec.securityContext);
  const out: string[] = [];
  for (const field of ['hostNetwork', 'hostPID', 'hostIPC']) if (spec[field] === true) out.push(`${field} is true`);
  for (const volume of list(spec.volumes)) {
    const types = Object.keys(volume).filter((k) => k !== 'name');
    for (const t of types) if (!ALLOWED_VOLUMES.includes(t)) out.push(`volume ${String(volume.name)} has type ${t}`);
  }
  if (podSc.runAsUser === 0) out.push('pod runAsUser is 0');
  const podSeccomp = obj(podSc.seccompProfile).type;
  if (podSeccomp !== undefined && !OK_SECCOMP.includes(String(podSeccomp))) out.push(`pod seccompProfile ${String(podSeccomp)}`);

  const containers = [...list(spec.initContainers), ...list(spec.containers), ...list(spec.ephemeralContainers)];
  for (const c of containers) {
    const name = `container ${String(c.name)}`;
    const sc = obj(c.securityContext);
    if (sc.privileged === true) out.push(`${name}: privileged`);
    if (sc.allowPrivilegeEscalation !== false) out.push(`${name}: allowPrivilegeEscalation must be false`);
    const caps = obj(sc.capabilities);
    const drop = Array.isArray(caps.drop) ? caps.drop.map(String) : [];
    if (!drop.includes('ALL')) out.push(`${name}: capabilities.drop must include ALL`);
    const add = Array.isArray(caps.add) ? caps.add.map(String) : [];
    for (const cap of add) if (cap !== 'NET_BIND_SERVICE') out.push(`${name}: adds capability ${cap}`);
    const nonRoot = sc.runAsNonRoot ?? podSc.runAsNonRoot;
    if (sc.runAsNonRoot === false || nonRoot !== true) out.push(`${name}: runAsNonRoot must be true`);
    if (sc.runAsUser === 0) out.push(`${name}: runAsUser is 0`);
    const seccomp = obj(sc.seccompProfile).type ?? podSeccomp;
    if (seccomp === undefined || !OK_SECCOMP.includes(String(seccomp)))
      out.push(`${name}: seccompProfile must be RuntimeDefault or Localhost`);
    for (const port of list(c.ports)) if (port.hostPort !== undefined && port.hostPort !== 0) out.push(`${name}: hostPort`);
  }
  return out;
}
