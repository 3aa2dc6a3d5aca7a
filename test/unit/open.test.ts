// Target resolution (src/cli/open.ts): the namespace rule (core/vocab.ts namespaceProblem) on
// -n/--namespace and on the settings' `namespace:`, checked before any cluster call.
import { describe, expect, it } from 'vitest';
import { openNamespace, openProject, openTarget, resolveProject } from '../../src/cli/open.js';
import { loadCommand, type CommandName } from '../../src/commands/index.js';
import { loadProject } from '../../src/core/config.js';
import { ConfigError, ExitCode, UsageError } from '../../src/core/errors.js';
import { projectNames } from '../../src/core/names.js';
import { DEFAULT_NAMESPACE, SYSTEM_NAMESPACES, namespaceProblem } from '../../src/core/vocab.js';
import { argv } from '../helpers/cluster-fixture.js';
import { FakeRunner } from '../helpers/fake-runner.js';
import { writeProject } from '../helpers/project-fixture.js';
import { testApp } from '../helpers/test-app.js';

const ctxRunner = () => new FakeRunner().on(argv.currentContext, { stdout: 'ctx\n' });

describe('namespaceProblem', () => {
  it('accepts DNS-1123 labels, `default` included', () => {
    for (const ns of ['rgsd', 'default', 'team-a', 'a', '0', 'kube', 'kubernetes', 'my-kube-ns', 'x'.repeat(63)]) {
      expect(namespaceProblem(ns), ns).toBeUndefined();
    }
  });

  it('refuses the empty name, invalid names and names longer than 63 characters', () => {
    expect(namespaceProblem('')).toBe('is empty');
    for (const ns of ['Team', 'team_a', '-a', 'a-', 'a.b', 'a b', 'ü', 'a\nb']) {
      expect(namespaceProblem(ns), ns).toMatch(/ is not a valid namespace name \(lowercase letters, digits and "-"/);
    }
    expect(namespaceProblem('a\nb')).toContain('"a\\nb"'); // quoted: one line whatever the value
    expect(namespaceProblem('x'.repeat(64))).toMatch(/is longer than 63 characters$/);
  });

  it("refuses Kubernetes' own namespaces and every other kube-* name, saying why", () => {
    for (const ns of SYSTEM_NAMESPACES) {
      expect(namespaceProblem(ns)).toBe(
        `"${ns}" is one of Kubernetes' own namespaces: rgsd never puts a workstation (its API keys, and with rbac its Role) next to the cluster's system components`,
      );
    }
    expect(namespaceProblem('kube-flannel')).toMatch(/^"kube-flannel" uses the prefix kube-, which Kubernetes reserves for itself: /);
  });
});

describe('-n/--namespace: a usage error (exit 2) before any call', () => {
  const cases: [string, string, RegExp][] = [
    ['', '-n/--namespace is empty', /^name one \(e\.g\. -n rgsd\), or leave -n out/],
    ['kube-system', `-n/--namespace "kube-system" is one of Kubernetes' own namespaces: `, /^use a namespace of your own, e\.g\. -n rgsd/],
    ['kube-public', '-n/--namespace "kube-public" is one of', /README "Namespaces" says why$/],
    ['kube-node-lease', '-n/--namespace "kube-node-lease" is one of', /-n rgsd/],
    ['My_NS', '-n/--namespace "My_NS" is not a valid namespace name', /^a namespace is lowercase letters, digits and "-"/],
  ];
  for (const [ns, message, hint] of cases) {
    it(`-n ${JSON.stringify(ns)}`, async () => {
      const t = await testApp({ runner: ctxRunner(), globals: { namespace: ns } });
      writeProject(t.configDir, 'demo');
      const err = await openProject(t.app, 'demo', { command: 'status', requireSettings: false }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UsageError);
      expect((err as UsageError).exitCode).toBe(ExitCode.usage);
      expect((err as UsageError).message.startsWith(message), (err as UsageError).message).toBe(true);
      expect((err as UsageError).hint).toMatch(hint);
      expect(t.runner.argvs).toEqual([]);
      expect(t.stderr()).toBe(''); // not even the context line
    });
  }

  it('also without a project (openNamespace: status, connect without one)', async () => {
    const t = await testApp({ runner: ctxRunner(), globals: { namespace: '' } });
    await expect(openNamespace(t.app)).rejects.toBeInstanceOf(UsageError);
    expect(t.runner.argvs).toEqual([]);
  });

  it('a dry run, which tolerates a missing context, does not tolerate a bad namespace', async () => {
    const t = await testApp({ runner: new FakeRunner(), globals: { namespace: 'kube-system', dryRun: true } });
    const local = { project: 'demo', cfg: undefined, names: projectNames('demo') };
    await expect(openTarget(t.app, local, { tolerate: true })).rejects.toBeInstanceOf(UsageError);
    expect(t.runner.argvs).toEqual([]);
  });

  it('`default` and ordinary names are used as given', async () => {
    for (const ns of ['default', 'team-a']) {
      const t = await testApp({ runner: ctxRunner(), globals: { namespace: ns } });
      writeProject(t.configDir, 'demo', { settings: 'namespace: other\n' });
      const opened = await openProject(t.app, 'demo', { command: 'status', requireSettings: false });
      expect(opened.target).toEqual({ context: 'ctx', namespace: ns });
      expect(t.stderr()).toBe(`context: ctx  namespace: ${ns}\n`);
    }
  });
});

describe('settings `namespace:`: a configuration error (exit 3) naming the file', () => {
  it('kube-system, an empty or an invalid name in the settings is refused before any call', async () => {
    for (const [value, hint] of [
      [
        'kube-system',
        /^set `namespace:` to a namespace of your own, or remove the key for the default "rgsd"; README "Namespaces" says why$/,
      ],
      ['""', /^set `namespace:` to a name, or remove the key for the default "rgsd"$/],
      ['Team_A', /e\.g\. `namespace: team-a`$/],
    ] as const) {
      const t = await testApp({ runner: ctxRunner() });
      const { settingsFile } = writeProject(t.configDir, 'demo', { settings: `namespace: ${value}\n` });
      const err = await openProject(t.app, 'demo', { command: 'down', requireSettings: false }).catch((e: unknown) => e);
      expect(err, value).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).exitCode).toBe(ExitCode.config);
      expect((err as ConfigError).message.startsWith(`${settingsFile}: namespace `)).toBe(true);
      expect((err as ConfigError).hint).toMatch(hint);
      expect(t.runner.argvs).toEqual([]);
    }
  });

  it('a bad setting is refused even when -n overrides it this time (the file is wrong either way)', async () => {
    const t = await testApp({ runner: ctxRunner(), globals: { namespace: 'team-a' } });
    writeProject(t.configDir, 'demo', { settings: 'namespace: kube-public\n' });
    await expect(openProject(t.app, 'demo', { command: 'status', requireSettings: false })).rejects.toBeInstanceOf(ConfigError);
  });

  it('a bad flag is reported before a bad setting', async () => {
    const t = await testApp({ globals: { namespace: '' } });
    writeProject(t.configDir, 'demo', { settings: 'namespace: kube-system\n' });
    // the settings file itself refuses it (config.ts), but the flag is looked at first
    await expect(loadProject(t.configDir, 'demo')).rejects.toBeInstanceOf(ConfigError);
    await expect(resolveProject(t.app, 'demo', { command: 'up', requireSettings: true })).rejects.toBeInstanceOf(UsageError);
    const noFlag = { ...t.app, globals: { ...t.app.globals, namespace: undefined } };
    await expect(resolveProject(noFlag, 'demo', { command: 'up', requireSettings: true })).rejects.toBeInstanceOf(ConfigError);
  });

  it('resolveProject (the local step every project command starts with) applies the rule', async () => {
    const t = await testApp({ globals: { namespace: 'kube-system' } });
    writeProject(t.configDir, 'demo');
    await expect(resolveProject(t.app, 'demo', { command: 'up', requireSettings: true })).rejects.toBeInstanceOf(UsageError);
  });

  it('no flag and no setting: the default namespace', async () => {
    const t = await testApp({ runner: ctxRunner() });
    writeProject(t.configDir, 'demo');
    expect((await openProject(t.app, 'demo', { command: 'status', requireSettings: false })).target.namespace).toBe(DEFAULT_NAMESPACE);
  });
});

describe('every command that talks to a namespace refuses a bad one before its first call', () => {
  const commands: [CommandName, Record<string, unknown>][] = [
    ['up', { timeout: '5m' }],
    ['down', {}],
    ['status', {}],
    ['nuke', {}],
    ['connect', {}],
    ['logs', {}],
    ['restart', { timeout: '5m' }],
    ['reset-home', { timeout: '5m' }],
  ];
  for (const [name, opts] of commands) {
    it(`rgsd ${name} -n kube-system`, async () => {
      const t = await testApp({ runner: new FakeRunner(), globals: { namespace: 'kube-system', yes: true }, interactive: true });
      writeProject(t.configDir, 'demo');
      const command = await loadCommand(name);
      const err = await command.run(t.app, { project: 'demo' }, opts).catch((e: unknown) => e);
      expect(err, String(err)).toBeInstanceOf(UsageError);
      expect((err as UsageError).message).toMatch(/^-n\/--namespace "kube-system" is one of Kubernetes' own namespaces/);
      expect(t.runner.argvs).toEqual([]);
    });
  }
});
