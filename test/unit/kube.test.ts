import { describe, expect, it } from 'vitest';
import { ClusterUnreachableError, CommandError, ConfigError } from '../../src/core/errors.js';
import { classifyClusterError, resolveTarget, toolsFromEnv } from '../../src/core/kube.js';
import { detectHelm } from '../../src/core/helm.js';
import { planRecovery } from '../../src/ops/release.js';
import { buildValues, restartReasons } from '../../src/ops/values.js';
import { projectNames } from '../../src/core/names.js';
import { FakeRunner } from '../helpers/fake-runner.js';

const tools = { helm: 'helm', kubectl: 'kubectl' };
const cur = (ctx: string | null) => new FakeRunner().on(['kubectl', 'config', 'current-context'], ctx ? { stdout: `${ctx}\n` } : { exitCode: 1, stderr: 'error: current-context is not set' });

describe('context resolution', () => {
  it('flag > pin (must match current) > current; namespace flag > settings > rgsd', async () => {
    expect(await resolveTarget(cur('a'), tools, { contextFlag: 'z', pinnedContext: 'p', namespaceFlag: 'n' })).toEqual({ context: 'z', namespace: 'n' });
    expect(await resolveTarget(cur('p'), tools, { pinnedContext: 'p', settingsNamespace: 's' })).toEqual({ context: 'p', namespace: 's' });
    expect(await resolveTarget(cur('a'), tools, {})).toEqual({ context: 'a', namespace: 'rgsd' });
    await expect(resolveTarget(cur('a'), tools, { pinnedContext: 'p', project: 'x' })).rejects.toBeInstanceOf(ConfigError);
    await expect(resolveTarget(cur(null), tools, { pinnedContext: 'p' })).rejects.toThrow(/current context is not set/);
    await expect(resolveTarget(cur(null), tools, {})).rejects.toBeInstanceOf(ClusterUnreachableError);
  });
  it('RGSD_HELM / RGSD_KUBECTL pick the binaries', () => {
    expect(toolsFromEnv({ RGSD_HELM: 'helm3', RGSD_KUBECTL: '/x/kubectl' })).toEqual({ helm: 'helm3', kubectl: '/x/kubectl' });
    expect(toolsFromEnv({})).toEqual(tools);
  });
  it('classifies unreachable and forbidden errors', () => {
    const e = (stderr: string) => classifyClusterError(new CommandError(['kubectl'], 1, stderr), { context: 'c', namespace: 'n' });
    expect(e('Unable to connect to the server: dial tcp 10.0.0.1:443: i/o timeout')).toBeInstanceOf(ClusterUnreachableError);
    expect(e('Error: Kubernetes cluster unreachable: Get "https://x/version": x509: certificate signed by unknown authority')).toBeInstanceOf(ClusterUnreachableError);
    expect(String((e('Error from server (Forbidden): pods is forbidden: User "u" cannot list') as Error).message)).toMatch(/^permission denied/);
    expect(e('Error from server (NotFound): x')).toBeInstanceOf(CommandError);
  });
});

describe('helm detection', () => {
  it.each([['v3.18.0', 3], ['v4.1.4', 4]])('%s → major %i', async (v, major) => {
    const r = new FakeRunner().on(['helm', 'version', '--template', '{{.Version}}'], { stdout: v });
    expect((await detectHelm(r, tools)).major).toBe(major);
  });
  it('garbage output → exit 4', async () => {
    const r = new FakeRunner().on(['helm', 'version', '--template', '{{.Version}}'], { stdout: 'what', exitCode: 0 });
    await expect(detectHelm(r, tools)).rejects.toMatchObject({ exitCode: 4 });
  });
});

describe('recovery plan', () => {
  const t = { context: 'c', namespace: 'n' };
  const now = new Date('2026-01-01T01:00:00Z');
  const rel = (status: string, updated = '2026-01-01T00:00:00Z') => ({ name: 'p', namespace: 'n', revision: 2, updated, status: status as never, chart: 'rgsd-0.1.0', appVersion: '0.1.0' });
  it.each([
    [undefined, 'install'], ['deployed', 'upgrade'], ['failed', 'upgrade'],
    ['pending-install', 'uninstall-then-install'], ['pending-upgrade', 'rollback-then-upgrade'], ['pending-rollback', 'rollback-then-upgrade'],
  ])('%s → %s', (status, kind) => {
    expect(planRecovery(status ? rel(status) : undefined, t, tools, now).kind).toBe(kind);
  });
  it('uninstalling is refused with the exact command', () => {
    expect(() => planRecovery(rel('uninstalling'), t, tools, now)).toThrow(/being uninstalled/);
  });
});

describe('values', () => {
  it('maps settings to chart values; settings.values merge last', () => {
    const v = buildValues('p', {
      project: 'p', configDir: '', settingsFile: '', secretsFile: '',
      settings: { agent: 'codex', autoStart: false, tmuxSession: 'w', storage: { size: '5Gi' }, extraEnv: { A: '1' }, rbac: { mode: 'namespace' }, image: { repository: 'r' }, values: { image: { tag: 't' }, nodeSelector: { a: 'b' } } },
    }, projectNames('p'), 'c'.repeat(64));
    expect(v).toEqual({
      project: 'p', image: { repository: 'r', tag: 't' }, agent: { name: 'codex', autoStart: false }, tmux: { session: 'w' },
      persistence: { size: '5Gi' }, secrets: { existingSecret: 'p-rgsd-secrets', checksum: 'c'.repeat(64) },
      extraEnv: [{ name: 'A', value: '1' }], rbac: { mode: 'namespace' }, nodeSelector: { a: 'b' },
    });
  });
  it('restartReasons ignores key order and the paths outside the pod template', () => {
    expect(restartReasons({ a: { x: 1, y: 2 }, persistence: { size: '1Gi' } }, { a: { y: 2, x: 1 }, persistence: { size: '2Gi' } })).toEqual([]);
    expect(restartReasons({ rbac: { mode: 'namespace', rules: [] } }, { rbac: { mode: 'namespace', rules: [{ verbs: ['get'] }] } })).toEqual([]);
  });
  it('restartReasons names pod-template changes: rbac mode, service account, existing claim', () => {
    expect(restartReasons({ rbac: { mode: 'none' } }, { rbac: { mode: 'namespace' } })).toEqual(['rbac changed']);
    expect(restartReasons({}, { serviceAccount: { name: 'other' } })).toEqual(['serviceAccount changed']);
    expect(restartReasons({ persistence: { size: '1Gi' } }, { persistence: { size: '1Gi', existingClaim: 'old-home' } })).toEqual(['persistence changed']);
    expect(restartReasons({ secrets: { checksum: 'a' } }, { secrets: { checksum: 'b' } })).toEqual(['the secrets changed']);
  });
});
