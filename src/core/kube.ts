// Which cluster and namespace a command talks to, and kubectl helpers. Every kubectl/helm
// call carries the resolved context explicitly, so a `kubectl config use-context` in
// another terminal cannot redirect a running command.
import { ClusterUnreachableError, CommandError, ConfigError, RgsdError } from './errors.js';
import { DEFAULT_NAMESPACE } from './names.js';
import type { Runner } from './runner.js';

export interface Tools {
  helm: string;
  kubectl: string;
}

/** helm and kubectl binaries: $RGSD_HELM / $RGSD_KUBECTL or from PATH. */
export function toolsFromEnv(env: NodeJS.ProcessEnv): Tools {
  return { helm: env.RGSD_HELM || 'helm', kubectl: env.RGSD_KUBECTL || 'kubectl' };
}

export interface Target {
  context: string;
  namespace: string;
}

export interface TargetInput {
  /** --context */
  contextFlag?: string | undefined;
  /** -n/--namespace */
  namespaceFlag?: string | undefined;
  /** settings.context (a pinned context) */
  pinnedContext?: string | undefined;
  /** settings.namespace */
  settingsNamespace?: string | undefined;
  project?: string | undefined;
}

/** The current kubeconfig context (a local read, not a cluster call), or undefined. */
export async function currentContext(runner: Runner, tools: Tools): Promise<string | undefined> {
  const res = await runner.run(tools.kubectl, ['config', 'current-context'], { allowFailure: true });
  const ctx = res.stdout.trim();
  return res.exitCode === 0 && ctx ? ctx : undefined;
}

/** Resolve context + namespace. A pinned context different from the current one is refused
 * unless --context is given. */
export async function resolveTarget(runner: Runner, tools: Tools, input: TargetInput): Promise<Target> {
  const namespace = input.namespaceFlag || input.settingsNamespace || DEFAULT_NAMESPACE;
  if (input.contextFlag) return { context: input.contextFlag, namespace };
  const current = await currentContext(runner, tools);
  if (input.pinnedContext) {
    if (current !== input.pinnedContext) {
      throw new ConfigError(
        `project ${input.project ?? ''} is pinned to context "${input.pinnedContext}" but the current context is ${current ? `"${current}"` : 'not set'}`.replace('  ', ' '),
        { hint: `pass --context ${input.pinnedContext} (or \`kubectl config use-context ${input.pinnedContext}\`)` },
      );
    }
    return { context: input.pinnedContext, namespace };
  }
  if (!current) {
    throw new ClusterUnreachableError('no current kube context', {
      hint: 'pass --context <name>, or select one with `kubectl config use-context <name>`',
    });
  }
  return { context: current, namespace };
}

/** The line every cluster-touching command prints (stderr) before it acts. */
export function targetLine(t: Target): string {
  return `context: ${t.context}  namespace: ${t.namespace}`;
}

/** `kubectl --context C -n NS <args>` argv (without the binary). */
export function kubectlArgs(t: Target, ...args: string[]): string[] {
  return ['--context', t.context, '-n', t.namespace, ...args];
}

const UNREACHABLE_RE =
  /unable to connect to the server|connection refused|the connection to the server .* was refused|no such host|i\/o timeout|tls handshake timeout|context deadline exceeded|dial tcp|the server has asked for the client to provide credentials|unauthorized|no configuration has been provided|kubernetes cluster unreachable|context ".*" does not exist|x509/i;

/** Turn a failed kubectl/helm call into a typed error (unreachable cluster, not found). */
export function classifyClusterError(err: unknown, t?: Target): unknown {
  if (!(err instanceof CommandError)) return err;
  const text = `${err.stderr}\n${err.stdout}`;
  if (UNREACHABLE_RE.test(text)) {
    return new ClusterUnreachableError(
      `cannot reach the cluster${t ? ` (context ${t.context})` : ''}: ${err.message.replace(/^\S+ failed: /, '')}`,
      { hint: 'check `kubectl cluster-info`, your VPN and credentials, or pick another context with --context', cause: err },
    );
  }
  if (/forbidden/i.test(text)) {
    return new RgsdError(`permission denied: ${err.message.replace(/^\S+ failed: /, '')}`, {
      hint: `your credentials cannot do this in namespace ${t?.namespace ?? '(unknown)'}; ask a cluster admin for access`,
      cause: err,
    });
  }
  return err;
}

export function isNotFound(err: unknown): boolean {
  return err instanceof CommandError && /\bnot ?found\b/i.test(err.stderr);
}

/** Run kubectl against the target; cluster errors become typed errors. */
export async function kubectl(
  runner: Runner,
  tools: Tools,
  t: Target,
  args: string[],
  opts: Parameters<Runner['run']>[2] = {},
): Promise<string> {
  try {
    return (await runner.run(tools.kubectl, kubectlArgs(t, ...args), opts)).stdout;
  } catch (err) {
    throw classifyClusterError(err, t);
  }
}

export interface NamespaceState {
  exists: boolean;
  labels: Record<string, string>;
  /** set (true) only while the namespace is being deleted */
  terminating?: boolean;
}

/** One call that both checks reachability and reads the namespace. */
export async function getNamespace(runner: Runner, tools: Tools, t: Target): Promise<NamespaceState> {
  try {
    const out = await runner.run(tools.kubectl, ['--context', t.context, 'get', 'namespace', t.namespace, '-o', 'json']);
    const obj = JSON.parse(out.stdout) as { metadata?: { labels?: Record<string, string> }; status?: { phase?: string } };
    return { exists: true, labels: obj.metadata?.labels ?? {}, ...(obj.status?.phase === 'Terminating' ? { terminating: true } : {}) };
  } catch (err) {
    if (isNotFound(err)) return { exists: false, labels: {} };
    // Namespace-scoped users often may not read Namespace objects: the API server answered
    // (so it is reachable); assume the namespace exists and let the next call tell.
    if (err instanceof CommandError && /\(Forbidden\)|forbidden/.test(err.stderr)) return { exists: true, labels: {} };
    throw classifyClusterError(err, t);
  }
}

export function namespaceManifest(name: string): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name,
      labels: {
        'app.kubernetes.io/managed-by': 'rgsd',
        'pod-security.kubernetes.io/enforce': 'restricted',
      },
    },
  };
}

/** Create the namespace (never owned by a Helm release). AlreadyExists counts as success. */
export async function createNamespace(runner: Runner, tools: Tools, t: Target): Promise<void> {
  const res = await runner.run(tools.kubectl, ['--context', t.context, 'create', '-f', '-'], {
    stdin: JSON.stringify(namespaceManifest(t.namespace)),
    mutates: true,
    allowFailure: true,
  });
  if (res.exitCode !== 0 && !/AlreadyExists/i.test(res.stderr)) {
    throw classifyClusterError(new CommandError([tools.kubectl, 'create', 'namespace'], res.exitCode, res.stderr), t);
  }
}

