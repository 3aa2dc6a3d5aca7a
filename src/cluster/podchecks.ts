// The checks `rgsd up` runs in the workstation after the rollout (the seed's post-deploy
// checks), all in one `kubectl exec` of a small `sh -c` script, and only the ones that apply:
//   models  — a models.json is configured: ~/.gsd/agent/models.json is there and valid JSON
//             (jq, whose messages give a position, never the file's text);
//   kubectl — rbac.mode is not none: the pod's own kubectl reaches the API server and may
//             list pods (`kubectl auth can-i get pods`).
// Each prints one line, `<check> <result> [detail]`; none fails `up` (the command warns).
import { CONTAINER, IN_POD } from '../core/vocab.js';
import { kubectl, type Gateway, type Target } from './gateway.js';

export type PodCheckName = 'models' | 'kubectl';

export interface PodCheck {
  check: PodCheckName;
  ok: boolean;
  /** one line: what was found (never a file's content) */
  detail: string;
}

/** The script: each argument names a check; one line per check on stdout; always exit 0. */
export const POD_CHECK_SCRIPT = [
  'for c in "$@"; do',
  '  case $c in',
  '    models)',
  `      f="\${RGSD_HOME:-${IN_POD.home}}/.gsd/agent/models.json"`,
  '      if [ ! -f "$f" ]; then echo "models missing"',
  '      elif e=$(jq empty "$f" 2>&1); then echo "models ok"',
  '      else echo "models invalid $(printf "%s\\n" "$e" | head -n 1)"; fi ;;',
  '    kubectl)',
  '      if ! command -v kubectl >/dev/null 2>&1; then echo "kubectl missing"',
  '      elif o=$(kubectl --request-timeout=10s auth can-i get pods 2>&1); then echo "kubectl ok $(printf "%s\\n" "$o" | tail -n 1)"',
  '      else echo "kubectl failed $(printf "%s\\n" "$o" | tail -n 1)"; fi ;;',
  '  esac',
  'done',
].join('\n');

const WAIT = '10s';

/** `kubectl exec` arguments of the checks (in this order) in the workstation container. */
export function podCheckArgs(podOrRef: string, checks: PodCheckName[], podWait = WAIT): string[] {
  const wait = podOrRef.includes('/') ? [`--pod-running-timeout=${podWait}`] : [];
  return ['exec', podOrRef, '-c', CONTAINER.workstation, ...wait, '--', 'sh', '-c', POD_CHECK_SCRIPT, 'rgsd-checks', ...checks];
}

/** The script's lines as results; a check it did not answer is a failed one. */
export function parsePodChecks(stdout: string, checks: PodCheckName[]): PodCheck[] {
  const lines = new Map<string, string[]>();
  for (const line of stdout.split('\n')) {
    const [name, ...rest] = line.trim().split(' ');
    if (name && !lines.has(name)) lines.set(name, rest);
  }
  return checks.map((check): PodCheck => {
    const words = lines.get(check);
    if (!words) return { check, ok: false, detail: 'the check printed nothing (an older image?)' };
    const [result = '', ...more] = words;
    const detail = more.join(' ').trim();
    if (check === 'models') {
      if (result === 'ok') return { check, ok: true, detail: '' };
      if (result === 'missing') return { check, ok: false, detail: 'not found' };
      return { check, ok: false, detail: detail || 'not valid JSON' };
    }
    if (result === 'ok' && detail === 'yes') return { check, ok: true, detail: '' };
    if (result === 'missing') return { check, ok: false, detail: 'kubectl is not installed in the image' };
    // `can-i` answers "no" with exit 1: the API answered, the role does not allow it
    if (detail === 'no') return { check, ok: false, detail: 'the API server answered, but the ServiceAccount may not get pods' };
    return { check, ok: false, detail: detail || 'no answer' };
  });
}

/** One exec of the checks. */
export async function runPodChecks(
  gw: Gateway,
  t: Target,
  podOrRef: string,
  checks: PodCheckName[],
  podWait?: string,
): Promise<PodCheck[]> {
  const res = await kubectl(gw, t, podCheckArgs(podOrRef, checks, podWait), { timeoutMs: 30_000 });
  return parsePodChecks(res.stdout, checks);
}
