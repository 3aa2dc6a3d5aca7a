// The one way to the cluster: every helm and kubectl call goes through `kubectl()` or
// `helm()`. They put the target (`--context C -n NS`, `--kube-context C -n NS`) in front of
// the arguments, run the call on the injected runner (argv arrays, SecretGuard, --verbose,
// --dry-run) and turn a failure into a typed error (src/cluster/classify.ts). A `null`
// target is a local call (helm version/template, kubectl version --client).
import type { RunOptions, RunResult, Runner } from '../core/runner.js';
import { classify } from './classify.js';

export interface Tools {
  helm: string;
  kubectl: string;
}

/** helm and kubectl binaries: $RGSD_HELM / $RGSD_KUBECTL or from PATH. */
export function toolsFromEnv(env: NodeJS.ProcessEnv): Tools {
  return { helm: env.RGSD_HELM || 'helm', kubectl: env.RGSD_KUBECTL || 'kubectl' };
}

/** Which cluster and namespace a command talks to (resolved once, see target.ts). */
export interface Target {
  context: string;
  namespace: string;
}

/** What a gateway call needs: the App satisfies it. */
export interface Gateway {
  runner: Runner;
  tools: Tools;
}

export interface CallOptions extends RunOptions {
  /** A cluster-scoped call (namespaces; `helm list -A`): `--context` / `--kube-context` only, no `-n`. */
  clusterScoped?: boolean;
}

/** The full kubectl argv (without the binary) for a call against `t`. */
export function kubectlArgv(t: Target | null, args: readonly string[], clusterScoped = false): string[] {
  if (!t) return [...args];
  return clusterScoped ? ['--context', t.context, ...args] : ['--context', t.context, '-n', t.namespace, ...args];
}

/** The full helm argv (without the binary) for a call against `t`. */
export function helmArgv(t: Target | null, args: readonly string[], clusterScoped = false): string[] {
  if (!t) return [...args];
  return clusterScoped ? ['--kube-context', t.context, ...args] : ['--kube-context', t.context, '-n', t.namespace, ...args];
}

async function call(gw: Gateway, tool: 'helm' | 'kubectl', argv: string[], t: Target | null, opts: CallOptions): Promise<RunResult> {
  const { clusterScoped: _scope, ...runOpts } = opts;
  try {
    return await gw.runner.run(gw.tools[tool], argv, runOpts);
  } catch (err) {
    throw classify(err, t);
  }
}

/** kubectl against `t` (or a local call with `null`). Throws typed errors; with
 * `allowFailure` a non-zero exit is returned instead. */
export function kubectl(gw: Gateway, t: Target | null, args: readonly string[], opts: CallOptions = {}): Promise<RunResult> {
  return call(gw, 'kubectl', kubectlArgv(t, args, opts.clusterScoped), t, opts);
}

/** helm against `t` (or a local call with `null`). */
export function helm(gw: Gateway, t: Target | null, args: readonly string[], opts: CallOptions = {}): Promise<RunResult> {
  return call(gw, 'helm', helmArgv(t, args, opts.clusterScoped), t, opts);
}

/** Shell-ready text of a command for hints (users run it themselves; never executed). */
export function commandHint(gw: Gateway, tool: 'helm' | 'kubectl', t: Target | null, args: readonly string[]): string {
  const argv = tool === 'helm' ? helmArgv(t, args) : kubectlArgv(t, args);
  return [gw.tools[tool], ...argv].join(' ');
}
