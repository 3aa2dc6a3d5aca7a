// The one classifier: a failed helm/kubectl call (CommandError, with the tool's stderr) becomes
// a typed error with its exit code and hint. Nothing else in rgsd reads helm's or kubectl's
// messages with a regular expression; callers test the error's type (and `resource`).
import {
  AlreadyExistsError,
  ClusterUnreachableError,
  CommandError,
  ForbiddenError,
  NotFoundError,
  ReleaseBusyError,
  TimeoutError,
} from '../core/errors.js';
import type { Target } from './gateway.js';

const UNREACHABLE_RE =
  /unable to connect to the server|connection refused|the connection to the server .* was refused|no such host|i\/o timeout|tls handshake timeout|context deadline exceeded|dial tcp|the server has asked for the client to provide credentials|unauthorized|no configuration has been provided|kubernetes cluster unreachable|context ".*" does not exist|x509/i;

/** `User "u" cannot <verb> resource "<resource>" in API group "<g>" in the namespace "<ns>"` */
const FORBIDDEN_RE = /cannot (\S+) resource "([^"]+)"(?: in API group "([^"]*)")?(?: in the namespace "([^"]+)")?/;
/** `Error from server (NotFound): deployments.apps "x" not found` */
const NOT_FOUND_RE = /\(NotFound\)(?:: (\S+) "([^"]+)" not found)?/;
/** Helm: `release: not found`, `Release not loaded: x: release: not found` */
const HELM_RELEASE_NOT_FOUND_RE = /release: not found/i;
const TIMED_OUT_RE = /timed out waiting for the condition|exceeded its progress deadline|timed out waiting/i;
const BUSY_RE = /another operation \(install\/upgrade\/rollback\) is in progress/;
const EXISTS_RE = /\(AlreadyExists\)(?:: (\S+) "([^"]+)" already exists)?/;

/** The tool's own message, without its "Error: " prefix. */
function detail(err: CommandError): string {
  return err.message.replace(/^\S+ failed: /, '');
}

/** The line of the tool's output that says what `re` recognised (kubectl often prints log
 * lines such as `E1123 memcache.go:265] …` before the one that matters). */
function lineMatching(text: string, re: RegExp, fallback: string): string {
  const line = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => re.test(l))
    .at(-1);
  return line ? line.replace(/^(Error|error):\s*/, '') : fallback;
}

/** A typed error for a failed cluster call; anything that is not a CommandError is returned as is. */
export function classify(err: unknown, t: Target | null): unknown {
  if (!(err instanceof CommandError)) return err;
  const text = `${err.stderr}\n${err.stdout}`;
  const where = t ? ` (context ${t.context})` : '';
  if (UNREACHABLE_RE.test(text)) {
    return new ClusterUnreachableError(`cannot reach the cluster${where}: ${lineMatching(text, UNREACHABLE_RE, detail(err))}`, {
      hint: 'check `kubectl cluster-info`, your VPN and credentials, or pick another context with --context',
      cause: err,
    });
  }
  const forbidden = FORBIDDEN_RE.exec(text);
  if (forbidden || /\(Forbidden\)|\bforbidden\b/i.test(text)) {
    const [, verb, resource, group, ns] = forbidden ?? [];
    const kind = resource ? `${resource}${group ? `.${group}` : ''}` : undefined;
    const scope = ns ?? t?.namespace;
    const what = verb && kind ? `${verb} ${kind}` : 'do this';
    return new ForbiddenError(`permission denied: your credentials cannot ${what}${scope ? ` in namespace ${scope}` : ''}${where}`, {
      hint:
        verb && kind
          ? `ask a cluster admin for a Role that allows "${verb}" on ${kind}${scope ? ` in ${scope}` : ''} (check: kubectl auth can-i ${verb} ${kind}${scope ? ` -n ${scope}` : ''})`
          : 'ask a cluster admin for access (check: kubectl auth can-i --list)',
      verb,
      resource: kind,
      cause: err,
    });
  }
  const notFound = NOT_FOUND_RE.exec(text);
  if (notFound) {
    const [, resource, name] = notFound;
    return new NotFoundError(resource && name ? `${resource} "${name}" not found${t ? ` in namespace ${t.namespace}` : ''}` : detail(err), {
      resource,
      cause: err,
    });
  }
  if (HELM_RELEASE_NOT_FOUND_RE.test(text)) return new NotFoundError(detail(err), { resource: 'release', cause: err });
  if (BUSY_RE.test(text)) {
    return new ReleaseBusyError('helm: another operation (install/upgrade/rollback) is in progress on this release', {
      hint: 'wait a minute and re-run `rgsd up` (it recovers a stale pending release itself)',
      cause: err,
    });
  }
  const exists = EXISTS_RE.exec(text);
  if (exists) return new AlreadyExistsError(detail(err), { resource: exists[1], cause: err });
  if (TIMED_OUT_RE.test(text)) return new TimeoutError(`${err.command[0] ?? 'command'} timed out: ${detail(err)}`, { cause: err });
  return err;
}

/** `kubectl exec` of a program the image does not have (runc: `exec: "/opt/rgsd/x": stat …: no such file or directory`). */
const MISSING_PROGRAM_RE = /exec: "[^"]+": (?:stat [^:]+: no such file or directory|executable file not found)/;

export function isMissingProgram(stderr: string): boolean {
  return MISSING_PROGRAM_RE.test(stderr);
}
