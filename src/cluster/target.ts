// Which cluster and namespace a command talks to. Every call carries the resolved context
// explicitly, so a `kubectl config use-context` in another terminal cannot redirect a
// running command.
import { ClusterUnreachableError, ConfigError } from '../core/errors.js';
import { DEFAULT_NAMESPACE } from '../core/vocab.js';
import { kubectl, type Gateway, type Target } from './gateway.js';

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

export function namespaceOf(input: TargetInput): string {
  return input.namespaceFlag || input.settingsNamespace || DEFAULT_NAMESPACE;
}

/** The current kubeconfig context (a local read, not a cluster call), or undefined. */
export async function currentContext(gw: Gateway): Promise<string | undefined> {
  const res = await kubectl(gw, null, ['config', 'current-context'], { allowFailure: true });
  const ctx = res.stdout.trim();
  return res.exitCode === 0 && ctx ? ctx : undefined;
}

/** The pinned-context rule: the problem with `current` for this input, or undefined. */
export function pinnedContextError(input: TargetInput, current: string | undefined): ConfigError | undefined {
  const pinned = input.pinnedContext;
  if (!pinned || input.contextFlag || current === pinned) return undefined;
  const who = input.project ? `project ${input.project}` : 'the project';
  return new ConfigError(`${who} is pinned to context "${pinned}" but the current context is ${current ? `"${current}"` : 'not set'}`, {
    hint: `pass --context ${pinned} (or \`kubectl config use-context ${pinned}\`)`,
  });
}

/** Resolve context + namespace. A pinned context different from the current one is refused
 * unless --context is given. */
export async function resolveTarget(gw: Gateway, input: TargetInput): Promise<Target> {
  const namespace = namespaceOf(input);
  if (input.contextFlag) return { context: input.contextFlag, namespace };
  const current = await currentContext(gw);
  const pinned = pinnedContextError(input, current);
  if (pinned) throw pinned;
  const context = input.pinnedContext ?? current;
  if (!context) {
    throw new ClusterUnreachableError('no current kube context', {
      hint: 'pass --context <name>, or select one with `kubectl config use-context <name>`',
    });
  }
  return { context, namespace };
}

/** The line every cluster-touching command prints (stderr) before it acts. */
export function targetLine(t: Target): string {
  return `context: ${t.context}  namespace: ${t.namespace}`;
}
