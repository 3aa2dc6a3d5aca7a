// The way to the cluster: the argv the gateway builds (target first), the one classifier of
// helm/kubectl failures (typed errors with exit codes, tested on the tools' real messages),
// the target (context + namespace, pinned context), Helm detection and release recovery.
import { mkdirSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classify } from '../../src/cluster/classify.js';
import { commandHint, helm, helmArgv, kubectl, kubectlArgv, toolsFromEnv, type Target } from '../../src/cluster/gateway.js';
import { apiServerArgs, apiServerEndpoints, parseApiServerEndpoints } from '../../src/cluster/apiserver.js';
import { detectHelm, listArgs, listReleasesAllNamespaces, MIN_HELM3, planRecovery } from '../../src/cluster/release.js';
import { currentContext, kubeconfigFiles, namespaceOf, pinnedContextError, resolveTarget, targetLine } from '../../src/cluster/target.js';
import { scaleDeployment, waitPodsGone, waitRollout } from '../../src/cluster/workload.js';
import {
  AlreadyExistsError,
  ClusterUnreachableError,
  CommandError,
  ConfigError,
  ExitCode,
  ForbiddenError,
  MissingToolError,
  NotFoundError,
  ReleaseBusyError,
  TimeoutError,
} from '../../src/core/errors.js';
import { projectNames } from '../../src/core/names.js';
import { buildValues, restartReasons } from '../../src/ops/values.js';
import { FakeRunner } from '../helpers/fake-runner.js';
import { tempDir } from '../helpers/test-app.js';

const tools = { helm: 'helm', kubectl: 'kubectl' };
const T: Target = { context: 'ctx', namespace: 'rgsd' };
const gw = (runner: FakeRunner, t = tools) => ({ runner, tools: t });

describe('gateway: the argv of every call (target first)', () => {
  it('kubectl: --context C -n NS first; cluster-scoped: --context only; null target: a local call', () => {
    expect(kubectlArgv(T, ['get', 'pods'])).toEqual(['--context', 'ctx', '-n', 'rgsd', 'get', 'pods']);
    expect(kubectlArgv(T, ['get', 'namespace', 'rgsd'], true)).toEqual(['--context', 'ctx', 'get', 'namespace', 'rgsd']);
    expect(kubectlArgv(null, ['config', 'current-context'])).toEqual(['config', 'current-context']);
  });

  it('helm: --kube-context C -n NS first; null target: a local call', () => {
    expect(helmArgv(T, ['list', '-o', 'json'])).toEqual(['--kube-context', 'ctx', '-n', 'rgsd', 'list', '-o', 'json']);
    expect(helmArgv(null, ['version'])).toEqual(['version']);
  });

  it('runs the configured binaries with that argv; clusterScoped is not passed to the runner', async () => {
    const r = new FakeRunner()
      .on(['/opt/kubectl', '--context', 'ctx', 'get', 'namespace', 'rgsd'], { stdout: 'ns' })
      .on(['/opt/kubectl', '--context', 'ctx', '-n', 'rgsd', 'get', 'pods'], { stdout: 'pods' })
      .on(['helm3', '--kube-context', 'ctx', '-n', 'rgsd', 'status', 'demo'], { stdout: 'deployed' })
      .on(['helm3', 'version'], { stdout: 'v3' });
    const g = gw(r, toolsFromEnv({ RGSD_KUBECTL: '/opt/kubectl', RGSD_HELM: 'helm3' }));
    expect((await kubectl(g, T, ['get', 'namespace', 'rgsd'], { clusterScoped: true, timeoutMs: 5000 })).stdout).toBe('ns');
    expect((await kubectl(g, T, ['get', 'pods'])).stdout).toBe('pods');
    expect((await helm(g, T, ['status', 'demo'], { mutates: true })).stdout).toBe('deployed');
    expect((await helm(g, null, ['version'])).stdout).toBe('v3');
    expect(r.calls.map((c) => c.opts)).toEqual([{ timeoutMs: 5000 }, {}, { mutates: true }, {}]);
  });

  it('RGSD_HELM / RGSD_KUBECTL pick the binaries, else PATH', () => {
    expect(toolsFromEnv({ RGSD_HELM: 'helm3', RGSD_KUBECTL: '/x/kubectl' })).toEqual({ helm: 'helm3', kubectl: '/x/kubectl' });
    expect(toolsFromEnv({ RGSD_HELM: '' })).toEqual(tools);
  });

  it('a failure arrives typed; allowFailure returns it instead', async () => {
    const stderr =
      'Error from server (Forbidden): pods is forbidden: User "bob" cannot list resource "pods" in API group "" in the namespace "rgsd"\n';
    const forbidden = { exitCode: 1, stderr };
    const r = new FakeRunner().on(['kubectl', '--context', 'ctx', '-n', 'rgsd', 'get', 'pods'], forbidden);
    await expect(kubectl(gw(r), T, ['get', 'pods'])).rejects.toBeInstanceOf(ForbiddenError);
    expect(await kubectl(gw(r), T, ['get', 'pods'], { allowFailure: true })).toMatchObject({ exitCode: 1, stderr: forbidden.stderr });
  });

  it('commandHint: the shell text of a call, for hints', () => {
    expect(commandHint({ runner: new FakeRunner(), tools }, 'helm', T, ['rollback', 'demo'])).toBe(
      'helm --kube-context ctx -n rgsd rollback demo',
    );
    expect(commandHint({ runner: new FakeRunner(), tools }, 'kubectl', T, ['get', 'pods'])).toBe('kubectl --context ctx -n rgsd get pods');
  });
});

/** A failed call as the runner reports it. */
const failed = (stderr: string, tool = 'kubectl') => new CommandError([tool, '--context', 'ctx', 'get', 'x'], 1, stderr);
const cls = (stderr: string, tool = 'kubectl', t: Target | null = T) => classify(failed(stderr, tool), t);

describe('classify: helm/kubectl messages → typed errors', () => {
  it.each([
    'Unable to connect to the server: dial tcp 10.0.0.1:443: i/o timeout',
    'The connection to the server 127.0.0.1:6443 was refused - did you specify the right host or port?',
    'Error: Kubernetes cluster unreachable: Get "https://x/version": x509: certificate signed by unknown authority',
    'error: You must be logged in to the server (the server has asked for the client to provide credentials)',
    'error: context "gone" does not exist',
  ])('unreachable → ClusterUnreachableError (exit 5): %s', (stderr) => {
    const e = cls(stderr) as ClusterUnreachableError;
    expect(e).toBeInstanceOf(ClusterUnreachableError);
    expect(e.exitCode).toBe(ExitCode.unreachable);
    expect(e.message).toMatch(/^cannot reach the cluster \(context ctx\): /);
    expect(e.hint).toContain('kubectl cluster-info');
    expect(e.cause).toBeInstanceOf(CommandError);
  });

  it("forbidden, kubectl's real message → ForbiddenError (exit 9) naming the verb and the resource", () => {
    const e = cls(
      'Error from server (Forbidden): deployments.apps "x" is forbidden: ' +
        'User "bob" cannot get resource "deployments" in API group "apps" in the namespace "rgsd"',
    ) as ForbiddenError;
    expect(e).toBeInstanceOf(ForbiddenError);
    expect(e.exitCode).toBe(ExitCode.forbidden);
    expect(e.verb).toBe('get');
    expect(e.resource).toBe('deployments.apps');
    expect(e.message).toBe('permission denied: your credentials cannot get deployments.apps in namespace rgsd (context ctx)');
    expect(e.hint).toContain('kubectl auth can-i get deployments.apps -n rgsd');
  });

  it('forbidden on a core, cluster-scoped resource; and a bare "forbidden"', () => {
    const ns = cls(
      'Error from server (Forbidden): namespaces is forbidden: User "bob" cannot create resource "namespaces" in API group "" at the cluster scope',
    ) as ForbiddenError;
    expect(ns).toMatchObject({ verb: 'create', resource: 'namespaces', exitCode: ExitCode.forbidden });
    const bare = cls('Error: query: failed to query with labels: secrets is forbidden', 'helm') as ForbiddenError;
    expect(bare).toBeInstanceOf(ForbiddenError);
    expect(bare.verb).toBeUndefined();
    expect(bare.hint).toContain('kubectl auth can-i --list');
  });

  it('NotFound → NotFoundError (exit 6) with the resource', () => {
    const e = cls('Error from server (NotFound): deployments.apps "demo-rgsd" not found') as NotFoundError;
    expect(e).toBeInstanceOf(NotFoundError);
    expect(e.exitCode).toBe(ExitCode.notFound);
    expect(e.resource).toBe('deployments.apps');
    expect(e.message).toBe('deployments.apps "demo-rgsd" not found in namespace rgsd');
    expect((cls('Error from server (NotFound): namespaces "rgsd" not found') as NotFoundError).resource).toBe('namespaces');
  });

  it.each(['Error: release: not found', 'Error: uninstall: Release not loaded: demo: release: not found'])(
    'helm %j → NotFoundError with resource "release"',
    (stderr) => {
      const e = cls(stderr, 'helm') as NotFoundError;
      expect(e).toBeInstanceOf(NotFoundError);
      expect(e.resource).toBe('release');
      expect(e.exitCode).toBe(ExitCode.notFound);
    },
  );

  it('AlreadyExists → AlreadyExistsError with the resource', () => {
    const e = cls('Error from server (AlreadyExists): error when creating "STDIN": namespaces "rgsd" already exists') as AlreadyExistsError;
    expect(e).toBeInstanceOf(AlreadyExistsError);
    expect(e.exitCode).toBe(ExitCode.failure);
    expect(cls('Error from server (AlreadyExists): namespaces "rgsd" already exists')).toMatchObject({ resource: 'namespaces' });
  });

  it('helm "another operation … in progress" → ReleaseBusyError with a hint', () => {
    const e = cls('Error: UPGRADE FAILED: another operation (install/upgrade/rollback) is in progress', 'helm');
    expect(e).toBeInstanceOf(ReleaseBusyError);
    expect((e as ReleaseBusyError).hint).toContain('rgsd up');
  });

  it.each([
    'error: timed out waiting for the condition',
    'error: deployment "demo-rgsd" exceeded its progress deadline',
    'Error: UPGRADE FAILED: timed out waiting for the condition',
  ])('a rollout that runs out of time → TimeoutError (exit 8): %s', (stderr) => {
    const e = cls(stderr);
    expect(e).toBeInstanceOf(TimeoutError);
    expect((e as TimeoutError).exitCode).toBe(ExitCode.timeout);
  });

  it('anything else stays the CommandError (exit 1); other errors pass untouched', () => {
    const err = failed('error: unknown flag: --bogus');
    expect(classify(err, T)).toBe(err);
    const plain = new Error('x');
    expect(classify(plain, T)).toBe(plain);
    // a local call (no target) is worded without a context
    expect((cls('Unable to connect to the server: x', 'kubectl', null) as Error).message).toMatch(/^cannot reach the cluster: /);
  });

  it('waitRollout: kubectl running out of time becomes "not ready within …" with the status/logs hint', async () => {
    const rollout = ['kubectl', '--context', 'ctx', '-n', 'rgsd', 'rollout', 'status', 'deployment/demo-rgsd', '--timeout=90s'];
    const r = new FakeRunner().on(rollout, { exitCode: 1, stderr: 'error: timed out waiting for the condition\n' });
    const err = await waitRollout(gw(r), T, projectNames('demo'), 90_000).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect(err).toMatchObject({ message: 'the workstation was not ready within 90s' });
    expect((err as TimeoutError).hint).toContain('rgsd status demo');
  });

  const k = ['kubectl', '--context', 'ctx', '-n', 'rgsd'];
  it('scaleDeployment: one mutating `kubectl scale`; a missing Deployment is "not deployed" with the up hint', async () => {
    const scale = [...k, 'scale', 'deployment/demo-rgsd', '--replicas=0'];
    const ok = new FakeRunner().on(scale);
    await scaleDeployment(gw(ok), T, projectNames('demo'), 0);
    expect(ok.calls.map((c) => [c.argv, c.opts.mutates])).toEqual([[scale, true]]);
    const gone = new FakeRunner().on(scale, {
      exitCode: 1,
      stderr: 'Error from server (NotFound): deployments.apps "demo-rgsd" not found\n',
    });
    const err = await scaleDeployment(gw(gone), T, projectNames('demo'), 0).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect(err).toMatchObject({ message: 'demo is not deployed in namespace rgsd (context ctx)' });
    expect((err as NotFoundError).hint).toContain('rgsd up demo');
  });

  it('waitPodsGone: done when kubectl wait says so or finds no pod at all; a timeout says which pods to look at', async () => {
    const wait = [...k, 'wait', '--for=delete', 'pod', '-l', 'rgsd.dev/project=demo', '--timeout=120s'];
    for (const res of [{}, { exitCode: 1, stderr: 'error: no matching resources found\n' }]) {
      const r = new FakeRunner().on(wait, res);
      await expect(waitPodsGone(gw(r), T, 'rgsd.dev/project=demo', 120_000)).resolves.toBeUndefined();
    }
    const slow = new FakeRunner().on(wait, { exitCode: 1, stderr: 'error: timed out waiting for the condition on pods/demo-rgsd-x\n' });
    const err = await waitPodsGone(gw(slow), T, 'rgsd.dev/project=demo', 120_000).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect(err).toMatchObject({ message: 'the workstation pod did not stop within 120s' });
    expect((err as TimeoutError).hint).toContain('kubectl get pods -n rgsd -l rgsd.dev/project=demo');
  });
});

describe('target: context and namespace', () => {
  /** A kubeconfig file (and the environment pointing at it); null: no current-context line. */
  const kubeconfigWith = (ctx: string | null, name = 'config'): string => {
    const f = join(tempDir('rgsd-kube-'), name);
    writeFileSync(
      f,
      `apiVersion: v1\nkind: Config\ncontexts: [{name: a, context: {cluster: c}}]\n${ctx === null ? '' : `current-context: ${ctx}\n`}`,
    );
    return f;
  };
  const cur = (ctx: string | null) => ({ env: { KUBECONFIG: kubeconfigWith(ctx), HOME: '/nonexistent' } });

  it('flag > pin (must match current) > current; namespace flag > settings > rgsd', async () => {
    expect(await resolveTarget(cur('a'), { contextFlag: 'z', pinnedContext: 'p', namespaceFlag: 'n' })).toEqual({
      context: 'z',
      namespace: 'n',
    });
    expect(await resolveTarget(cur('p'), { pinnedContext: 'p', settingsNamespace: 's' })).toEqual({ context: 'p', namespace: 's' });
    expect(await resolveTarget(cur('a'), {})).toEqual({ context: 'a', namespace: 'rgsd' });
    expect(namespaceOf({ namespaceFlag: 'f', settingsNamespace: 's' })).toBe('f');
  });

  it('--context needs no kubeconfig read', async () => {
    expect(await resolveTarget({ env: { KUBECONFIG: kubeconfigWith(null) } }, { contextFlag: 'z' })).toEqual({
      context: 'z',
      namespace: 'rgsd',
    });
  });

  it('a pinned context that is not current is a ConfigError (exit 3) naming both, with the --context hint', async () => {
    const err = await resolveTarget(cur('a'), { pinnedContext: 'p', project: 'x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect(err).toMatchObject({ exitCode: ExitCode.config, message: 'project x is pinned to context "p" but the current context is "a"' });
    expect((err as ConfigError).hint).toBe('pass --context p (or `kubectl config use-context p`)');
    await expect(resolveTarget(cur(null), { pinnedContext: 'p' })).rejects.toThrow(
      'the project is pinned to context "p" but the current context is not set',
    );
    expect(pinnedContextError({ pinnedContext: 'p', contextFlag: 'q' }, 'a')).toBeUndefined();
  });

  it('no current context at all → ClusterUnreachableError (exit 5) with the --context hint', async () => {
    const err = await resolveTarget(cur(null), {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClusterUnreachableError);
    expect((err as ClusterUnreachableError).hint).toContain('--context');
    expect(await currentContext(cur(null))).toBeUndefined();
  });

  it('the kubeconfig is read like kubectl merges it: the first file of $KUBECONFIG that sets current-context', async () => {
    const none = kubeconfigWith(null);
    const b = kubeconfigWith('b');
    const quoted = kubeconfigWith('"c d"');
    const list = (...files: string[]) => ({ env: { KUBECONFIG: files.join(delimiter), HOME: '/nonexistent' } });
    expect(await currentContext(list(none, b, kubeconfigWith('later')))).toBe('b');
    // a missing file in the list is skipped, as kubectl skips it; empty entries too
    expect(await currentContext(list('/nonexistent/config', '', b))).toBe('b');
    expect(await currentContext(list(quoted))).toBe('c d');
    expect(await currentContext(list('/nonexistent/config'))).toBeUndefined();
    expect(await currentContext({ env: { KUBECONFIG: kubeconfigWith('""') } })).toBeUndefined();
    // kubectl's own block style is read without a YAML parser; JSON, comments, odd names with one
    const json = join(tempDir(), 'json');
    writeFileSync(json, '{"apiVersion":"v1","current-context":"from-json"}');
    expect(await currentContext(list(json))).toBe('from-json');
    expect(await currentContext(list(kubeconfigWith('arn:aws:eks:eu-west-1:1:cluster/x # prod')))).toBe(
      'arn:aws:eks:eu-west-1:1:cluster/x',
    );
    expect(await currentContext(list(kubeconfigWith('_odd')))).toBe('_odd');
    expect(await currentContext(list(kubeconfigWith('')))).toBeUndefined();
    // an empty file, or one holding only comments, sets nothing
    const empty = join(tempDir(), 'empty');
    writeFileSync(empty, '# nothing\n');
    expect(await currentContext(list(empty, b))).toBe('b');
  });

  it('without $KUBECONFIG (or with it empty): ~/.kube/config of $HOME', async () => {
    const home = tempDir();
    expect(await currentContext({ env: { HOME: home } })).toBeUndefined(); // no file: not set
    mkdirSync(join(home, '.kube'));
    writeFileSync(join(home, '.kube', 'config'), 'current-context: home-ctx\n');
    expect(await currentContext({ env: { HOME: home } })).toBe('home-ctx');
    expect(await currentContext({ env: { HOME: home, KUBECONFIG: '' } })).toBe('home-ctx');
    expect(kubeconfigFiles({ HOME: home })).toEqual([join(home, '.kube', 'config')]);
    expect(kubeconfigFiles({ HOME: home, KUBECONFIG: `a${delimiter}${delimiter}b` })).toEqual(['a', 'b']);
  });

  it('a kubeconfig that is not YAML, or not readable, is a ConfigError (exit 3) naming the file', async () => {
    const bad = join(tempDir(), 'bad');
    writeFileSync(bad, 'current-context: [unclosed\n');
    await expect(currentContext({ env: { KUBECONFIG: bad } })).rejects.toMatchObject({
      exitCode: ExitCode.config,
      message: expect.stringContaining(`the kubeconfig ${bad} is not valid YAML`),
    });
    const dir = tempDir();
    await expect(currentContext({ env: { KUBECONFIG: dir } })).rejects.toMatchObject({
      exitCode: ExitCode.config,
      message: expect.stringContaining(`cannot read the kubeconfig ${dir}`),
    });
  });

  it('the line every cluster command prints first', () => {
    expect(targetLine(T)).toBe('context: ctx  namespace: rgsd');
  });
});

describe('helm detection', () => {
  const version = ['helm', 'version', '--template', '{{.Version}}'];
  it.each([
    ['v3.18.0', 3],
    ['v3.7.0', 3],
    ['v3.10.1', 3],
    ['v4.1.4', 4],
    ['v4.0.0', 4],
  ])('%s → major %i', async (v, major) => {
    expect((await detectHelm(gw(new FakeRunner().on(version, { stdout: v })))).major).toBe(major);
  });
  it.each([['what'], ['v2.17.0'], ['v5.0.0']])('%s → exit 4', async (v) => {
    await expect(detectHelm(gw(new FakeRunner().on(version, { stdout: v })))).rejects.toMatchObject({ exitCode: ExitCode.missingTool });
  });
  it.each([['v3.1.3'], ['v3.6.3'], ['3.0.0']])('%s: older than the oldest Helm with every flag rgsd uses (3.7.0) → exit 4', async (v) => {
    const err = await detectHelm(gw(new FakeRunner().on(version, { stdout: v }))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MissingToolError);
    expect(err).toMatchObject({
      message: `Helm ${v} is too old: rgsd needs Helm ${MIN_HELM3.version} or newer (for \`helm uninstall --wait\`)`,
    });
    expect((err as MissingToolError).hint).toContain('RGSD_HELM');
  });
});

describe('releases in every namespace; the API server addresses', () => {
  it('helm list -A: cluster-scoped (no -n), the same states and filter', async () => {
    const argvAll = ['helm', '--kube-context', 'ctx', 'list', '-A', ...listArgs('p').slice(1)];
    const r = new FakeRunner().on(argvAll, {
      stdout: JSON.stringify([{ name: 'p', namespace: 'team', status: 'deployed', revision: '2' }]),
    });
    expect(await listReleasesAllNamespaces(gw(r), T, 'p')).toMatchObject([
      { name: 'p', namespace: 'team', status: 'deployed', revision: 2 },
    ]);
    expect(helmArgv(T, ['list', '-A'], true)).toEqual(['--kube-context', 'ctx', 'list', '-A']);
  });

  it('EndpointSlices of the kubernetes Service in default: addresses (IPs only) and TCP ports', async () => {
    const slices = {
      items: [
        {
          addressType: 'IPv4',
          endpoints: [{ addresses: ['10.0.0.2'] }, { addresses: ['10.0.0.1', 'host.example'] }],
          ports: [{ port: 443 }],
        },
        {
          addressType: 'IPv6',
          endpoints: [{ addresses: ['fd00::1'] }],
          ports: [
            { port: 6443, protocol: 'TCP' },
            { port: 53, protocol: 'UDP' },
          ],
        },
      ],
    };
    const r = new FakeRunner().on(['kubectl', '--context', 'ctx', '-n', 'default', ...apiServerArgs()], { stdout: JSON.stringify(slices) });
    expect(await apiServerEndpoints(gw(r), T)).toEqual({ addresses: ['10.0.0.1', '10.0.0.2', 'fd00::1'], ports: [443, 6443] });
    expect(parseApiServerEndpoints('{"items":[]}')).toEqual({ addresses: [], ports: [] });
  });

  it('not allowed to read them → ForbiddenError (up turns it into a warning)', async () => {
    const r = new FakeRunner().on(['kubectl', '--context', 'ctx', '-n', 'default', ...apiServerArgs()], {
      exitCode: 1,
      stderr:
        'Error from server (Forbidden): endpointslices.discovery.k8s.io is forbidden: User "dev" cannot list resource "endpointslices" in API group "discovery.k8s.io" in the namespace "default"\n',
    });
    await expect(apiServerEndpoints(gw(r), T)).rejects.toBeInstanceOf(ForbiddenError);
  });
});

describe('recovery plan', () => {
  const now = new Date('2026-01-01T01:00:00Z');
  const rel = (status: string, updated = '2026-01-01T00:00:00Z') => ({
    name: 'p',
    namespace: 'rgsd',
    revision: 2,
    updated,
    status: status as never,
    chart: 'rgsd-0.1.0',
    appVersion: '0.1.0',
  });
  const g = gw(new FakeRunner());
  it.each([
    [undefined, 'install'],
    ['deployed', 'upgrade'],
    ['failed', 'upgrade'],
    ['pending-install', 'uninstall-then-install'],
    ['pending-upgrade', 'rollback-then-upgrade'],
    ['pending-rollback', 'rollback-then-upgrade'],
  ])('%s → %s', (status, kind) => {
    expect(planRecovery(status ? rel(status) : undefined, g, T, now).kind).toBe(kind);
  });
  it('a pending release younger than a minute may be another run: refused with the recovery command', () => {
    expect(() => planRecovery(rel('pending-upgrade', '2026-01-01T00:59:30Z'), g, T, now)).toThrow(
      /another helm operation may still be running/,
    );
  });
  it('uninstalling is refused with the exact command (target first)', () => {
    expect(() => planRecovery(rel('uninstalling'), g, T, now)).toThrow(/being uninstalled/);
    try {
      planRecovery(rel('uninstalling'), g, T, now);
    } catch (e) {
      expect((e as { hint: string }).hint).toContain('helm --kube-context ctx -n rgsd uninstall p');
    }
  });
});

// ops/values.ts (moved here from the former kube.test.ts; belongs with the `up` tests)
describe('values', () => {
  it('maps settings to chart values; settings.values merge last', () => {
    const v = buildValues(
      'p',
      {
        project: 'p',
        configDir: '',
        settingsFile: '',
        secretsFile: '',
        settings: {
          agent: 'codex',
          autoStart: false,
          tmuxSession: 'w',
          storage: { size: '5Gi' },
          extraEnv: { A: '1' },
          rbac: { mode: 'namespace' },
          image: { repository: 'r' },
          values: { image: { tag: 't' }, nodeSelector: { a: 'b' } },
        },
      },
      projectNames('p'),
      'c'.repeat(64),
    );
    expect(v).toEqual({
      project: 'p',
      image: { repository: 'r', tag: 't' },
      agent: { name: 'codex', autoStart: false },
      tmux: { session: 'w' },
      persistence: { size: '5Gi' },
      secrets: { existingSecret: 'p-rgsd-secrets', checksum: 'c'.repeat(64) },
      extraEnv: [{ name: 'A', value: '1' }],
      rbac: { mode: 'namespace' },
      nodeSelector: { a: 'b' },
    });
  });
  it('restartReasons ignores key order and the paths outside the pod template', () => {
    expect(
      restartReasons({ a: { x: 1, y: 2 }, persistence: { size: '1Gi' } }, { a: { y: 2, x: 1 }, persistence: { size: '2Gi' } }),
    ).toEqual([]);
    expect(
      restartReasons({ rbac: { mode: 'namespace', rules: [] } }, { rbac: { mode: 'namespace', rules: [{ verbs: ['get'] }] } }),
    ).toEqual([]);
  });
  it('restartReasons names pod-template changes: rbac mode, service account, existing claim', () => {
    expect(restartReasons({ rbac: { mode: 'none' } }, { rbac: { mode: 'namespace' } })).toEqual(['rbac changed']);
    expect(restartReasons({}, { serviceAccount: { name: 'other' } })).toEqual(['serviceAccount changed']);
    expect(restartReasons({ persistence: { size: '1Gi' } }, { persistence: { size: '1Gi', existingClaim: 'old-home' } })).toEqual([
      'persistence changed',
    ]);
    expect(restartReasons({ secrets: { checksum: 'a' } }, { secrets: { checksum: 'b' } })).toEqual(['the secrets changed']);
  });
});
