// Renders every ci/ values file with real helm 3 and 4 and checks the chart contract of
// docs/ARCHITECTURE.md on the parsed objects.
import { describe, expect, it } from 'vitest';
import { HELM_BINARIES, helmTemplate, type K8sObject } from '../helpers/helm.js';
import { validateObjects } from '../helpers/k8s-validate.js';
import { restrictedViolations } from '../helpers/pod-security.js';
import { PACKAGE_VERSION } from '../helpers/version.js';
import { CI_VALUES, ciFile, ciValues, container, envOf, ofKind, one, podSpec, SECRET_LOOKING_NAME, type Obj } from './fixtures.js';

const NAMESPACE = 'team-ns';
const render = (bin: (typeof HELM_BINARIES)[number], file: string, values?: Record<string, unknown>) =>
  helmTemplate(bin, { release: 'myproj', namespace: NAMESPACE, valuesFiles: [ciFile(file)], ...(values ? { values } : {}) });

const CLUSTER_SCOPED = new Set(['ClusterRole', 'ClusterRoleBinding', 'Namespace']);

describe.each(HELM_BINARIES)('%s template', (bin) => {
  describe.each(CI_VALUES)('ci/%s', (file) => {
    let docs: K8sObject[];
    const load = async () => (docs ??= await render(bin, file));

    it('renders objects that validate against the Kubernetes schemas, with no unknown fields', async () => {
      const objs = await load();
      expect(objs.length).toBeGreaterThanOrEqual(3);
      expect(await validateObjects(objs)).toEqual([]);
    });

    it('never renders a Namespace; every namespaced object is in the release namespace', async () => {
      const objs = await load();
      expect(ofKind(objs, 'Namespace')).toEqual([]);
      for (const o of objs) {
        if (CLUSTER_SCOPED.has(o.kind)) expect(o.metadata.namespace, `${o.kind}/${o.metadata.name}`).toBeUndefined();
        else expect(o.metadata.namespace, `${o.kind}/${o.metadata.name}`).toBe(NAMESPACE);
      }
    });

    it('labels every object for helm and for the CLI', async () => {
      const objs = await load();
      const project = one(objs, 'Deployment').metadata.labels['rgsd.dev/project'];
      expect(project).toMatch(/^[a-z0-9-]+$/);
      for (const o of objs) {
        expect(o.metadata.labels, `${o.kind}/${o.metadata.name}`).toMatchObject({
          'app.kubernetes.io/name': 'rgsd',
          'app.kubernetes.io/instance': 'myproj',
          'app.kubernetes.io/managed-by': 'Helm',
          'helm.sh/chart': `rgsd-${PACKAGE_VERSION}`,
          'rgsd.dev/project': project,
        });
        expect(o.metadata.labels?.['app.kubernetes.io/version']).toBeTruthy();
      }
    });

    it('runs one Recreate replica whose selector matches its pod labels', async () => {
      const deploy = one(await load(), 'Deployment');
      expect(deploy.metadata.name).toBe('myproj-rgsd');
      // no replicas field: the API server's default (1); idle sleep and the CLI own the count
      expect(deploy.spec).not.toHaveProperty('replicas');
      expect(deploy.spec.strategy).toEqual({ type: 'Recreate' });
      const selector = deploy.spec.selector.matchLabels as Record<string, string>;
      expect(Object.keys(selector).sort()).toEqual(['app.kubernetes.io/instance', 'app.kubernetes.io/name', 'rgsd.dev/project']);
      expect(deploy.spec.template.metadata.labels).toMatchObject(selector);
    });

    it('has a checksum/secrets annotation of 64 hex digits', async () => {
      const deploy = one(await load(), 'Deployment');
      expect(deploy.spec.template.metadata.annotations['checksum/secrets']).toMatch(/^[0-9a-f]{64}$/);
    });

    it('satisfies Pod Security "restricted" for the whole pod, init container included', async () => {
      const spec = podSpec(await load());
      expect(restrictedViolations(spec)).toEqual([]);
      expect(spec.securityContext).toMatchObject({
        runAsNonRoot: true,
        runAsUser: 1000,
        runAsGroup: 1000,
        fsGroup: 1000,
        fsGroupChangePolicy: 'OnRootMismatch',
        seccompProfile: { type: 'RuntimeDefault' },
      });
      for (const name of ['init-home', 'workstation']) {
        expect(container(await load(), name).securityContext).toMatchObject({
          allowPrivilegeEscalation: false,
          capabilities: { drop: ['ALL'] },
        });
      }
    });

    it('runs init-home then the workstation from the same image, Secret only in init-home', async () => {
      const objs = await load();
      const spec = podSpec(objs);
      expect((spec.initContainers as Obj[]).map((c) => c.name)).toEqual(['init-home']);
      const idle = Boolean((ciValues(file).idle as { sleepAfter?: string } | undefined)?.sleepAfter);
      expect((spec.containers as Obj[]).map((c) => c.name)).toEqual(['workstation', ...(idle ? ['idle-watcher'] : [])]);
      const init = container(objs, 'init-home');
      const main = container(objs, 'workstation');
      expect(init.command).toEqual(['/opt/rgsd/init-home']);
      expect(main.command).toEqual(['/opt/rgsd/entrypoint']);
      expect(init.image).toBe(main.image);

      const secretVolume = (spec.volumes as Obj[]).find((v) => v.secret);
      expect(secretVolume?.secret.defaultMode).toBe(0o440);
      const mountsOf = (c: Obj) => (c.volumeMounts as Obj[]).map((m) => m.name);
      expect(mountsOf(init)).toContain(secretVolume?.name);
      expect(mountsOf(main)).not.toContain(secretVolume?.name);
      expect((init.volumeMounts as Obj[]).find((m) => m.name === secretVolume?.name)).toMatchObject({
        mountPath: '/var/run/rgsd/secrets',
        readOnly: true,
      });
      // The main container never gets secrets through env either.
      for (const c of [init, main]) {
        for (const e of c.env as Obj[]) expect(e.valueFrom?.secretKeyRef, e.name).toBeUndefined();
        expect(c.envFrom).toBeUndefined();
      }
      for (const c of [init, main]) {
        expect((c.volumeMounts as Obj[]).find((m) => m.name === 'home')?.mountPath).toBe('/home/gsd');
      }
    });

    it('probes the tmux session and gives a first boot time', async () => {
      const objs = await load();
      const main = container(objs, 'workstation');
      const session = envOf(main).RGSD_TMUX_SESSION;
      const tmuxCheck = { exec: { command: ['tmux', 'has-session', '-t', `=${session}`] } };
      for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe']) expect(main[probe]).toMatchObject(tmuxCheck);
      expect(main.livenessProbe.periodSeconds * main.livenessProbe.failureThreshold).toBeGreaterThanOrEqual(120);
      expect(main.startupProbe.periodSeconds * main.startupProbe.failureThreshold).toBeGreaterThanOrEqual(300);
      expect(podSpec(objs).terminationGracePeriodSeconds).toBeGreaterThan(0);
    });

    it('creates RBAC objects only when rbac.mode asks for them, and mounts the token only then', async () => {
      const objs = await load();
      const mode = (ciValues(file).rbac?.mode as string | undefined) ?? 'none';
      // idle sleep's own Role and RoleBinding (`<fullname>-idle`) are checked in "idle sleep"
      const kinds = objs.filter((o) => !String(o.metadata.name).endsWith('-idle')).map((o) => o.kind);
      expect(kinds.includes('Role') && kinds.includes('RoleBinding')).toBe(mode === 'namespace');
      expect(kinds.includes('RoleBinding')).toBe(mode === 'namespace');
      expect(kinds.includes('ClusterRoleBinding')).toBe(mode === 'cluster-admin');
      expect(kinds).not.toContain('ClusterRole');
      expect(podSpec(objs).automountServiceAccountToken).toBe(mode !== 'none');
      const sa = one(objs, 'ServiceAccount');
      expect(sa.automountServiceAccountToken).toBe(mode !== 'none');
      expect(podSpec(objs).serviceAccountName).toBe(sa.metadata.name);
      for (const binding of [...ofKind(objs, 'RoleBinding'), ...ofKind(objs, 'ClusterRoleBinding')] as Obj[]) {
        // (the idle binding names the same ServiceAccount)
        expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: sa.metadata.name, namespace: NAMESPACE }]);
      }
    });

    it('sets no environment variable whose name looks like a secret (policy engines reject those)', async () => {
      const objs = await load();
      for (const name of ['init-home', 'workstation']) {
        const names = (container(objs, name).env as Obj[]).map((e) => e.name as string);
        expect(
          names.filter((n) => SECRET_LOOKING_NAME.test(n)),
          name,
        ).toEqual([]);
      }
    });

    it('isolates the pod with a NetworkPolicy selecting exactly it: no ingress, egress rules only', async () => {
      const objs = await load();
      const policy = one(objs, 'NetworkPolicy');
      expect(policy.metadata.name).toBe('myproj-rgsd');
      expect(policy.spec.podSelector).toEqual({ matchLabels: one(objs, 'Deployment').spec.selector.matchLabels });
      expect(policy.spec.policyTypes).toEqual(['Ingress', 'Egress']);
      expect(policy.spec.ingress).toBeUndefined();
      expect(policy.spec.egress.length).toBeGreaterThanOrEqual(2);
    });

    it('keeps service links off unless asked and every volume is mounted somewhere', async () => {
      const objs = await load();
      const spec = podSpec(objs);
      expect(spec.enableServiceLinks).toBe(ciValues(file).enableServiceLinks ?? false);
      const mounted = new Set(
        [...(spec.initContainers as Obj[]), ...(spec.containers as Obj[])].flatMap((c) => (c.volumeMounts as Obj[]).map((m) => m.name)),
      );
      expect((spec.volumes as Obj[]).map((v) => v.name).filter((n) => !mounted.has(n))).toEqual([]);
    });
  });

  describe('specific values', () => {
    it('default: PVC <fullname>-home kept on uninstall, cluster-default storage class, workstation resources', async () => {
      const objs = await render(bin, 'default-values.yaml');
      const pvc = one(objs, 'PersistentVolumeClaim');
      expect(pvc.metadata.name).toBe('myproj-rgsd-home');
      expect(pvc.metadata.annotations['helm.sh/resource-policy']).toBe('keep');
      expect(pvc.spec).not.toHaveProperty('storageClassName');
      expect(pvc.spec.accessModes).toEqual(['ReadWriteOnce']);
      expect(pvc.spec.resources.requests.storage).toBe('20Gi');
      expect((podSpec(objs).volumes as Obj[]).find((v) => v.name === 'home')?.persistentVolumeClaim.claimName).toBe('myproj-rgsd-home');
      const main = container(objs, 'workstation');
      expect(main.image).toBe(`rgsd/workstation:${PACKAGE_VERSION}`);
      expect(main.imagePullPolicy).toBe('IfNotPresent');
      expect(main.resources).toEqual({ requests: { cpu: '500m', memory: '2Gi' }, limits: { memory: '8Gi' } });
      expect(envOf(main)).toMatchObject({
        RGSD_HOME: '/home/gsd',
        RGSD_SKEL: '/home/gsd.skel',
        RGSD_INIT_SOURCE_DIR: '/var/run/rgsd/secrets',
        RGSD_WORKSPACE: '/home/gsd/workspace',
        RGSD_REPO_URL: '',
        RGSD_REPO_BRANCH: '',
        RGSD_TMUX_SESSION: 'main',
        RGSD_AGENT: 'gsd',
        RGSD_AGENT_AUTOSTART: 'true',
        RGSD_AGENT_ARGS: '[]',
        RGSD_GIT_USER_NAME: '',
        RGSD_GIT_USER_EMAIL: '',
        RGSD_VSCODE_TUNNEL: 'false',
        RGSD_VSCODE_TUNNEL_NAME: 'demo',
        RGSD_PROJECT: 'demo',
      });
      expect(envOf(container(objs, 'init-home'))).toEqual(envOf(main));
      // Renamed (policy engines flag "SECRET" in env names); tmux's default socket directory.
      expect(envOf(main)).not.toHaveProperty('RGSD_SECRETS_DIR');
      expect(envOf(main)).not.toHaveProperty('TMUX_TMPDIR');
      expect(podSpec(objs).enableServiceLinks).toBe(false);
      expect(podSpec(objs)).not.toHaveProperty('priorityClassName');
      expect((podSpec(objs).volumes as Obj[]).map((v) => v.name)).toEqual(['home', 'secrets']);
      expect(main.securityContext).not.toHaveProperty('readOnlyRootFilesystem');
      const secret = one(objs, 'Secret');
      expect(secret.metadata.name).toBe('myproj-rgsd-secrets');
      expect(secret.data).toEqual({});
    });

    it('storage: class, size, access mode and extra annotations reach the PVC; keep stays', async () => {
      const pvc = one(await render(bin, 'storage-values.yaml'), 'PersistentVolumeClaim');
      expect(pvc.spec).toMatchObject({
        storageClassName: 'fast-ssd',
        accessModes: ['ReadWriteOncePod'],
        resources: { requests: { storage: '100Gi' } },
      });
      expect(pvc.metadata.annotations).toEqual({ 'helm.sh/resource-policy': 'keep', 'example.com/backup': 'daily' });
    });

    it('chart-created secrets: every env and file key, base64 of the value, mounted from <fullname>-secrets', async () => {
      const objs = await render(bin, 'chart-secrets-values.yaml');
      const secret = one(objs, 'Secret');
      expect(secret.metadata.name).toBe('myproj-rgsd-secrets');
      const decoded = Object.fromEntries(
        Object.entries(secret.data as Record<string, string>).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]),
      );
      expect(decoded).toEqual({
        GITHUB_TOKEN: 'ghp_not-a-real-token',
        ANTHROPIC_API_KEY: 'sk-ant-not-a-real-key',
        'models.json': '{"providers": {}}',
        'preferences.md': '# Preferences\n',
        'project.env': 'DATABASE_URL=postgres://localhost/app\n',
      });
      const volume = (podSpec(objs).volumes as Obj[]).find((v) => v.secret);
      expect(volume?.secret.secretName).toBe('myproj-rgsd-secrets');
      const env = envOf(container(objs, 'workstation'));
      expect(env).toMatchObject({
        RGSD_REPO_URL: 'https://github.com/example/app.git',
        RGSD_REPO_BRANCH: 'main',
        RGSD_GIT_USER_NAME: 'Example Dev',
        RGSD_GIT_USER_EMAIL: 'dev@example.com',
      });
      expect(JSON.stringify(container(objs, 'workstation'))).not.toContain('ghp_not-a-real-token');
    });

    it('stringifies numeric and boolean secret env values (KEY=8080 in an env file is common)', async () => {
      const objs = await render(bin, 'default-values.yaml', { secrets: { env: { PORT: 8080, DEBUG: true } } });
      expect(one(objs, 'Secret').data).toEqual({
        PORT: Buffer.from('8080').toString('base64'),
        DEBUG: Buffer.from('true').toString('base64'),
      });
    });

    it('existing secret: no Secret object, mounts the named one, checksum taken from the value', async () => {
      const objs = await render(bin, 'existing-secret-values.yaml');
      expect(ofKind(objs, 'Secret')).toEqual([]);
      const volume = (podSpec(objs).volumes as Obj[]).find((v) => v.secret);
      expect(volume?.secret.secretName).toBe('existing-secret-rgsd-secrets');
      expect(one(objs, 'Deployment').spec.template.metadata.annotations['checksum/secrets']).toBe('0123456789abcdef'.repeat(4));
      expect(envOf(container(objs, 'workstation'))).toMatchObject({
        RGSD_AGENT: 'claude',
        RGSD_AGENT_AUTOSTART: 'false',
        RGSD_REPO_URL: 'git@github.com:example/app.git',
      });
    });

    it('namespace RBAC: Role with the default read-only rules bound to the ServiceAccount', async () => {
      const objs = await render(bin, 'rbac-namespace-values.yaml');
      const role = one(objs, 'Role');
      const binding = one(objs, 'RoleBinding');
      expect(role.rules.length).toBeGreaterThan(0);
      for (const rule of role.rules as Obj[]) expect(rule.verbs).toEqual(['get', 'list', 'watch']);
      expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.metadata.name });
      expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'myproj-rgsd', namespace: NAMESPACE }]);
      expect(one(objs, 'ServiceAccount').metadata.annotations).toEqual({ 'example.com/role': 'workstation' });
    });

    it('namespace RBAC: custom rules replace the default', async () => {
      const rules = [{ apiGroups: [''], resources: ['pods/exec'], verbs: ['create'] }];
      const role = one(await render(bin, 'rbac-namespace-values.yaml', { rbac: { rules } }), 'Role');
      expect(role.rules).toEqual(rules);
    });

    it('cluster-admin: one ClusterRoleBinding to cluster-admin for this ServiceAccount', async () => {
      const objs = await render(bin, 'rbac-cluster-admin-values.yaml');
      const binding = one(objs, 'ClusterRoleBinding');
      expect(binding.metadata.name).toContain(NAMESPACE);
      expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' });
      expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'myproj-rgsd', namespace: NAMESPACE }]);
    });

    it('scheduling: image, pull secrets, existing claim, agent, env, scheduling and pod metadata', async () => {
      const objs = await render(bin, 'scheduling-values.yaml');
      expect(ofKind(objs, 'PersistentVolumeClaim')).toEqual([]);
      const spec = podSpec(objs);
      expect((spec.volumes as Obj[]).find((v) => v.name === 'home')?.persistentVolumeClaim.claimName).toBe('my-home');
      expect(spec.imagePullSecrets).toEqual([{ name: 'regcred' }]);
      expect(spec.nodeSelector).toEqual({ 'kubernetes.io/os': 'linux' });
      expect(spec.tolerations).toEqual([{ key: 'dedicated', operator: 'Equal', value: 'workstations', effect: 'NoSchedule' }]);
      expect(
        spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].values,
      ).toEqual(['amd64', 'arm64']);
      expect(spec.terminationGracePeriodSeconds).toBe(10);
      const template = one(objs, 'Deployment').spec.template;
      expect(template.metadata.annotations['example.com/team']).toBe('platform');
      expect(template.metadata.labels['example.com/tier']).toBe('dev');
      const main = container(objs, 'workstation');
      expect(main.image).toBe('registry.example.com/rgsd/workstation:0.1.0-custom');
      expect(main.imagePullPolicy).toBe('Always');
      expect(main.resources).toEqual({ requests: { cpu: '2', memory: '4Gi' }, limits: { memory: '16Gi' } });
      expect(main.readinessProbe.exec.command).toEqual(['tmux', 'has-session', '-t', '=work']);
      expect(envOf(main)).toMatchObject({
        RGSD_AGENT: 'codex',
        RGSD_AGENT_ARGS: '["--full-auto"]',
        RGSD_TMUX_SESSION: 'work',
        EDITOR: 'nvim',
        RGSD_VSCODE_TUNNEL: 'true',
        RGSD_VSCODE_TUNNEL_NAME: 'sched-ws',
      });
      expect((main.env as Obj[]).find((e) => e.name === 'NODE_NAME')).toEqual({
        name: 'NODE_NAME',
        valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } },
      });
    });

    it('keeps awkward strings intact (quotes, colons, newlines, YAML-looking values)', async () => {
      const userName = `O'Brien "Bob": yes\n# not a comment`;
      const objs = await render(bin, 'default-values.yaml', {
        git: { userName, branch: 'feature/x', repo: 'ssh://git@example.com:2222/a/b.git' },
        agent: { args: ['--model', '"opus" --yes: true', '$(touch /tmp/x); ls'] },
        podAnnotations: { 'example.com/note': 'true' },
      });
      expect(envOf(container(objs, 'workstation'))).toMatchObject({
        RGSD_GIT_USER_NAME: userName,
        RGSD_REPO_BRANCH: 'feature/x',
        RGSD_REPO_URL: 'ssh://git@example.com:2222/a/b.git',
        RGSD_AGENT_ARGS: JSON.stringify(['--model', '"opus" --yes: true', '$(touch /tmp/x); ls']),
      });
      expect(one(objs, 'Deployment').spec.template.metadata.annotations['example.com/note']).toBe('true');
      expect(await validateObjects(objs)).toEqual([]);
    });
  });

  describe('names', () => {
    it('uses the release name alone when it already contains "rgsd"', async () => {
      const objs = await helmTemplate(bin, { release: 'my-rgsd', namespace: NAMESPACE, values: { project: 'p' } });
      expect(one(objs, 'Deployment').metadata.name).toBe('my-rgsd');
      expect(one(objs, 'PersistentVolumeClaim').metadata.name).toBe('my-rgsd-home');
    });

    it('truncates the fullname to 63 characters (53-char project → valid names)', async () => {
      const project = `p${'a'.repeat(51)}z`;
      const objs = await helmTemplate(bin, { release: project, namespace: NAMESPACE, values: { project } });
      const name = one(objs, 'Deployment').metadata.name as string;
      expect(name).toBe(`${project}-rgsd`);
      expect(name.length).toBeLessThanOrEqual(63);
      expect(await validateObjects(objs)).toEqual([]);
    });

    it('honours fullnameOverride', async () => {
      const objs = await helmTemplate(bin, { release: 'r', values: { project: 'p', fullnameOverride: 'ws' } });
      expect(objs.filter((o) => o.kind !== 'Secret' && o.kind !== 'PersistentVolumeClaim').map((o) => o.metadata.name)).toEqual(
        expect.arrayContaining(['ws']),
      );
      expect(one(objs, 'PersistentVolumeClaim').metadata.name).toBe('ws-home');
      expect(one(objs, 'Secret').metadata.name).toBe('ws-secrets');
    });
  });
});
