// Which cluster and namespace a command talks to. Every call carries the resolved context
// explicitly, so a `kubectl config use-context` in another terminal cannot redirect a
// running command.
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { ClusterUnreachableError, ConfigError } from '../core/errors.js';
import { DEFAULT_NAMESPACE } from '../core/vocab.js';
import type { Target } from './gateway.js';

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

/** What the kubeconfig is read from: the environment (KUBECONFIG, HOME). The App satisfies it. */
export interface KubeconfigSource {
  env: NodeJS.ProcessEnv;
}

/** The kubeconfig files kubectl reads, in its order: the $KUBECONFIG list (empty entries
 * skipped), else ~/.kube/config. */
export function kubeconfigFiles(env: NodeJS.ProcessEnv): string[] {
  const list = (env.KUBECONFIG ?? '').split(delimiter).filter((f) => f !== '');
  return list.length > 0 ? list : [join(env.HOME || homedir(), '.kube', 'config')];
}

/** The current kubeconfig context, read by rgsd itself (no kubectl process): `current-context`
 * of the first file that sets it, as kubectl merges them; missing files are skipped, as kubectl
 * does. Undefined when none sets it. A file that is not a kubeconfig is a ConfigError. */
export async function currentContext(src: KubeconfigSource): Promise<string | undefined> {
  for (const file of kubeconfigFiles(src.env)) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') continue;
      throw new ConfigError(`cannot read the kubeconfig ${file}: ${(err as Error).message}`, { hint: 'fix the file or KUBECONFIG' });
    }
    // what kubectl writes: a top-level `current-context: name` line (no YAML parser to load)
    const plain = /^current-context:[ \t]*([A-Za-z0-9][^\s#'"]*)?[ \t]*$/m.exec(text);
    if (plain && !/^\s*[{[]/.test(text)) {
      if (plain[1]) return plain[1];
      continue;
    }
    let doc: unknown;
    try {
      doc = await parseKubeconfig(text);
    } catch (err) {
      throw new ConfigError(`the kubeconfig ${file} is not valid YAML: ${(err as Error).message.split('\n')[0]}`, {
        hint: 'fix the file, or point KUBECONFIG at a good one',
      });
    }
    const ctx = doc && typeof doc === 'object' ? (doc as Record<string, unknown>)['current-context'] : undefined;
    if (typeof ctx === 'string' && ctx !== '') return ctx;
  }
  return undefined;
}

/** A kubeconfig in JSON (what `kubectl config view -o json` writes) needs no YAML parser
 * (about 20 ms to load); anything else, or JSON that JSON.parse refuses, goes to it. */
async function parseKubeconfig(text: string): Promise<unknown> {
  if (/^\s*\{/.test(text)) {
    try {
      return JSON.parse(text);
    } catch {
      // YAML's flow style starts with { too
    }
  }
  return (await import('yaml')).parse(text);
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
export async function resolveTarget(src: KubeconfigSource, input: TargetInput): Promise<Target> {
  const namespace = namespaceOf(input);
  if (input.contextFlag) return { context: input.contextFlag, namespace };
  const current = await currentContext(src);
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
