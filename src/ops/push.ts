// `rgsd push`: local agent state (~/.gsd, ~/.claude, Codex's config) or given paths into the
// pod's home at the same place, as ONE tar stream built here (core/tar.ts) on the stdin of
// one `kubectl exec -i` (cluster/push.ts). The plan is made first, locally: what each source
// holds, what is left out (per-machine state, caches, logins — each login with the way to log
// in inside the pod instead) and warnings about hooks and MCP servers whose commands name
// paths of this machine. ARCHITECTURE.md "Push and pull".
import { randomBytes } from 'node:crypto';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { streamPush } from '../cluster/push.js';
import type { Target } from '../cluster/gateway.js';
import type { App } from '../core/app.js';
import { UsageError } from '../core/errors.js';
import type { ProjectNames } from '../core/names.js';
import { IN_POD } from '../core/vocab.js';

export const PUSH_AGENTS = ['gsd', 'claude', 'codex'] as const;
export type PushAgent = (typeof PUSH_AGENTS)[number];

export interface PushItem {
  /** relative to the home, `/`-separated: the same place here and in the pod */
  path: string;
  type: 'file' | 'dir' | 'symlink';
  mode: number;
  /** seconds */
  mtime: number;
  size: number;
  link?: string;
  /** where it is read (a followed symlink's target) */
  local: string;
}

export interface PushSource {
  /** an agent, or `path` for a path given */
  kind: PushAgent | 'path';
  /** `~/.claude` */
  path: string;
  /** the real place when the path is a symlink (followed) */
  followed?: string;
  files: number;
  dirs: number;
  symlinks: number;
  bytes: number;
}

export interface LeftOut {
  path: string;
  why: 'state' | 'login' | 'credential';
  /** for a login: how to log in inside the pod instead */
  hint?: string;
}

export interface PushPlan {
  sources: PushSource[];
  items: PushItem[];
  files: number;
  bytes: number;
  leftOut: LeftOut[];
  /** hooks and MCP servers that name paths of this machine: `<file> <key>: …` */
  warnings: string[];
  /** things worth knowing that are not problems (~/.claude.json not pushed) */
  notes: string[];
  /** the archive's last entry, a file at the top of the home that the pod checks and removes */
  marker: string;
}

export interface PushOptions {
  /** the local home ($HOME) */
  home: string;
  project: string;
  agents: PushAgent[];
  paths: string[];
}

const AGENT_DIR: Record<PushAgent, string> = { gsd: '.gsd', claude: '.claude', codex: '.codex' };
/** What of ~/.codex is pushed: its configuration, not its state. */
const CODEX_PARTS = ['config.toml', 'AGENTS.md', 'prompts'];

/** Per-machine state and caches, by path relative to the home (a directory: all under it). */
const STATE = new Set([
  '.claude/projects',
  '.claude/todos',
  '.claude/shell-snapshots',
  '.claude/statsig',
  '.claude/ide',
  '.claude/debug',
  '.claude/file-history',
  '.claude/history.jsonl',
  '.claude/session-env',
  '.claude/paste-cache',
  '.codex/sessions',
  '.codex/log',
  '.codex/history.jsonl',
]);
/** Under ~/.gsd: sessions and caches wherever they are. */
const GSD_STATE_NAMES = new Set(['sessions', 'cache', 'caches', '.cache', 'logs']);

/** How to log in inside the pod instead of copying a login (checked against each tool's docs). */
export function loginHint(agent: PushAgent, project: string): string {
  if (agent === 'claude') {
    return (
      `log in inside the pod instead: \`claude setup-token\` (here) prints a long-lived token: put it in the project's ` +
      `secrets file as CLAUDE_CODE_OAUTH_TOKEN and run \`rgsd up ${project}\`; or /login in Claude Code inside \`rgsd connect ${project}\``
    );
  }
  if (agent === 'codex') {
    return (
      `log in inside the pod instead: \`codex login --device-auth\` in \`rgsd connect ${project}\` ` +
      '(a login copied to a second machine fails when either refreshes it)'
    );
  }
  return (
    `log in inside the pod instead: ANTHROPIC_API_KEY / OPENAI_API_KEY in the project's secrets file (init-home writes them ` +
    `into ~/.gsd/agent/auth.json), or log in inside gsd in \`rgsd connect ${project}\``
  );
}

const LOGINS: Record<string, PushAgent> = {
  '.claude/.credentials.json': 'claude',
  '.codex/auth.json': 'codex',
  '.gsd/agent/auth.json': 'gsd',
};

/** Why `rel` (relative to the home) stays here, or undefined when it is pushed. */
export function leftOutReason(rel: string, project: string): Omit<LeftOut, 'path'> | undefined {
  const login = LOGINS[rel];
  if (login) return { why: 'login', hint: loginHint(login, project) };
  const base = rel.slice(rel.lastIndexOf('/') + 1);
  if (/credentials/i.test(base) || /\.pem$/i.test(base) || /^id_/.test(base)) return { why: 'credential' };
  if (STATE.has(rel)) return { why: 'state' };
  if (rel.startsWith('.gsd/') && rel.split('/').some((s) => GSD_STATE_NAMES.has(s))) return { why: 'state' };
  return undefined;
}

const shown = (rel: string): string => `~/${rel}`;

interface Walker {
  items: PushItem[];
  seen: Set<string>;
  leftOut: LeftOut[];
  project: string;
}

/** Walks `abs` (read there) as `rel` (its place in the home), leaving out what must stay. */
async function walk(fs: typeof import('node:fs'), w: Walker, src: PushSource, abs: string, rel: string, top: boolean): Promise<void> {
  const why = leftOutReason(rel, w.project);
  // state named on the command line is pushed (logins and credentials never: refused before)
  if (why && !(top && src.kind === 'path' && why.why === 'state')) {
    if (!w.leftOut.some((l) => l.path === shown(rel))) w.leftOut.push({ path: shown(rel), ...why });
    return;
  }
  let st = fs.lstatSync(abs);
  let from = abs;
  if (st.isSymbolicLink() && top) {
    // the source itself is a symlink (~/.gsd often is): what it points at, under its name
    try {
      from = fs.realpathSync(abs);
      st = fs.statSync(from);
    } catch {
      throw new UsageError(`${shown(rel)} is a symlink to ${fs.readlinkSync(abs)}, which does not exist`, {
        hint: 'fix the link, or leave it out',
      });
    }
    src.followed = from;
  }
  if (w.seen.has(rel)) return;
  const base = { path: rel, mode: st.mode & 0o7777, mtime: Math.floor(st.mtimeMs / 1000), local: from };
  if (st.isSymbolicLink()) {
    w.seen.add(rel);
    w.items.push({ ...base, type: 'symlink', size: 0, link: fs.readlinkSync(from) });
    src.symlinks++;
  } else if (st.isDirectory()) {
    w.seen.add(rel);
    w.items.push({ ...base, type: 'dir', size: 0 });
    src.dirs++;
    let names: string[];
    try {
      names = fs.readdirSync(from).sort();
    } catch (err) {
      throw new UsageError(`cannot read ${shown(rel)}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`, {
        hint: 'fix its permissions, or leave it out',
      });
    }
    for (const n of names) await walk(fs, w, src, join(from, n), `${rel}/${n}`, false);
  } else if (st.isFile()) {
    try {
      fs.accessSync(from, fs.constants.R_OK);
    } catch {
      throw new UsageError(`cannot read ${shown(rel)}`, { hint: 'fix its permissions, or leave it out' });
    }
    w.seen.add(rel);
    w.items.push({ ...base, type: 'file', size: st.size });
    src.files++;
    src.bytes += st.size;
  }
  // sockets, fifos, devices: nothing to copy
}

/** A path given on the command line → its place relative to the home (checked, not read). */
export function homeRelative(home: string, given: string): string {
  if (given.trim() === '' || given.includes('\0')) throw new UsageError('an empty path', { hint: 'rgsd push <project> .config/foo' });
  const expanded = given === '~' ? home : given.startsWith('~/') ? join(home, given.slice(2)) : given;
  const abs = isAbsolute(expanded) ? resolve(expanded) : resolve(home, expanded);
  const rel = relative(home, abs);
  if (rel === '') {
    throw new UsageError(`${given} is your whole home; rgsd push copies parts of it`, {
      hint: 'name what to push (rgsd push <project> .config/foo), or copy a home with rgsd backup / rgsd restore',
    });
  }
  if (rel.startsWith('..') || isAbsolute(rel)) {
    throw new UsageError(`${given} is outside your home (${home}); rgsd push puts a path at the same place under the pod's home`, {
      hint: `copy it under ${home} first, or send one file: rgsd exec <project> -i -- sh -c 'cat > file' < ${given}`,
    });
  }
  return rel.split(sep).join('/');
}

/** The plan: every source read (not their content), left-outs, warnings. No cluster call. */
export async function planPush(o: PushOptions): Promise<PushPlan> {
  const fs = await import('node:fs');
  const { home, project } = o;
  if (!home || !isAbsolute(home)) throw new UsageError('$HOME is not set', { hint: 'rgsd push reads your agents from $HOME' });
  const exists = (rel: string): boolean => {
    try {
      fs.lstatSync(join(home, rel));
      return true;
    } catch {
      return false;
    }
  };
  const rels = o.paths.map((p) => homeRelative(home, p));
  let agents = [...new Set(o.agents)];
  if (agents.length === 0 && rels.length === 0) {
    agents = PUSH_AGENTS.filter((a) => exists(AGENT_DIR[a]));
    if (agents.length === 0) {
      throw new UsageError('nothing to push: none of ~/.gsd, ~/.claude, ~/.codex exists here', {
        hint: `name what to push: rgsd push ${project} .config/foo`,
      });
    }
  }
  for (const a of agents) {
    if (!exists(AGENT_DIR[a])) {
      throw new UsageError(`--${a}: ${shown(AGENT_DIR[a])} does not exist here`, {
        hint: `drop --${a}, or run \`rgsd push ${project}\` to push the agents you have`,
      });
    }
  }
  for (const [i, rel] of rels.entries()) {
    if (!exists(rel)) throw new UsageError(`${o.paths[i]} does not exist (${shown(rel)})`, { hint: 'paths are relative to your home' });
    const why = leftOutReason(rel, project);
    if (why && why.why !== 'state') {
      throw new UsageError(`${shown(rel)} is a ${why.why === 'login' ? 'login' : 'credential'}; rgsd push never copies one`, {
        hint: why.hint ?? "put secrets in the project's secrets file (rgsd up sends them as a Secret)",
      });
    }
  }
  const w: Walker = { items: [], seen: new Set(), leftOut: [], project };
  const sources: PushSource[] = [];
  const source = (kind: PushSource['kind'], rel: string): PushSource => {
    const s: PushSource = { kind, path: shown(rel), files: 0, dirs: 0, symlinks: 0, bytes: 0 };
    sources.push(s);
    return s;
  };
  for (const a of agents) {
    const dir = AGENT_DIR[a];
    if (a !== 'codex') {
      await walk(fs, w, source(a, dir), join(home, dir), dir, true);
      continue;
    }
    const s = source('codex', dir);
    const parts = CODEX_PARTS.filter((p) => exists(`${dir}/${p}`));
    if (parts.length === 0) {
      throw new UsageError(`--codex: ${shown(dir)} has none of ${CODEX_PARTS.join(', ')}`, { hint: 'drop --codex' });
    }
    for (const p of parts) await walk(fs, w, s, join(home, dir, p), `${dir}/${p}`, true);
    for (const p of ['auth.json', 'sessions', 'log', 'history.jsonl']) {
      const why = leftOutReason(`${dir}/${p}`, project);
      if (why && exists(`${dir}/${p}`)) w.leftOut.push({ path: shown(`${dir}/${p}`), ...why });
    }
  }
  for (const rel of rels) await walk(fs, w, source('path', rel), join(home, rel), rel, true);
  const files = w.items.filter((i) => i.type === 'file');
  if (w.items.length === 0) {
    throw new UsageError('nothing to push: everything named is left out (state, caches or logins)', {
      hint: 'see `rgsd push --help` for what stays here',
    });
  }
  const { warnings, notes } = await laptopPaths(fs, home, w.items, agents.includes('claude'), rels);
  return {
    sources,
    items: w.items,
    files: files.length,
    bytes: files.reduce((n, i) => n + i.size, 0),
    leftOut: w.leftOut,
    warnings,
    notes,
    marker: `.rgsd-push-${randomBytes(6).toString('hex')}`,
  };
}

// ---- commands that name this machine's paths ----------------------------------------------

/** The first path in `text` that exists only on this machine: under the local home (when it is
 * not the pod's), /Users/…, /opt/homebrew/…. */
export function laptopPath(text: string, home: string): string | undefined {
  const roots = ['/Users/', '/opt/homebrew/'];
  if (home !== IN_POD.home) roots.push(`${home.replace(/\/+$/, '')}/`);
  for (const m of text.matchAll(/(?:^|[\s"'=:(])(\/[^\s"';:)]+)/g)) {
    const p = m[1] ?? '';
    if (roots.some((r) => p.startsWith(r))) return p;
  }
  return undefined;
}

function warnLine(file: string, key: string, path: string): string {
  return `${file} ${key}: ${path} exists only on this machine (the pod's home is ${IN_POD.home}); use $HOME/… or a command on the pod's PATH`;
}

function readJson(fs: typeof import('node:fs'), file: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const obj = (v: unknown): Record<string, unknown> =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
const words = (v: unknown): string =>
  typeof v === 'string' ? v : Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string').join(' ') : '';

/** Claude Code's hooks and status line (~/.claude/settings.json), its user-level MCP servers
 * (~/.claude.json: outside ~/.claude, pushed only when given), Codex's MCP servers and notify
 * (~/.codex/config.toml): each command that names a path of this machine is a warning. */
async function laptopPaths(
  fs: typeof import('node:fs'),
  home: string,
  items: PushItem[],
  claude: boolean,
  rels: string[],
): Promise<{ warnings: string[]; notes: string[] }> {
  const warnings: string[] = [];
  const notes: string[] = [];
  const pushed = (rel: string) => items.find((i) => i.path === rel && i.type === 'file');
  const check = (file: string, key: string, text: string) => {
    const p = laptopPath(text, home);
    if (p) warnings.push(warnLine(file, key, p));
  };
  const settings = pushed('.claude/settings.json');
  const doc = settings && readJson(fs, settings.local);
  if (doc) {
    for (const [event, list] of Object.entries(obj(doc.hooks))) {
      (Array.isArray(list) ? list : []).forEach((m, i) => {
        (Array.isArray(obj(m).hooks) ? (obj(m).hooks as unknown[]) : []).forEach((h, j) => {
          check('~/.claude/settings.json', `hooks.${event}[${i}].hooks[${j}].command`, words(obj(h).command));
        });
      });
    }
    check('~/.claude/settings.json', 'statusLine.command', words(obj(doc.statusLine).command));
  }
  const claudeJson = join(home, '.claude.json');
  const cj = readJson(fs, claudeJson);
  const servers = Object.entries(obj(cj?.mcpServers));
  if (pushed('.claude.json')) {
    for (const [name, s] of servers)
      check('~/.claude.json', `mcpServers.${name}.command`, `${words(obj(s).command)} ${words(obj(s).args)}`);
  } else if (claude && servers.length && !rels.includes('.claude.json')) {
    notes.push(
      `~/.claude.json holds Claude Code's user-level MCP servers (${servers.map(([n]) => n).join(', ')}); it is outside ~/.claude ` +
        'and not pushed: add it as a path (rgsd push <project> --claude .claude.json)',
    );
  }
  const codex = pushed('.codex/config.toml');
  if (codex) {
    let table = '';
    for (const line of fs.readFileSync(codex.local, 'utf8').split('\n')) {
      const t = line.trim();
      const header = /^\[([^\]]+)\]$/.exec(t);
      if (header) {
        table = (header[1] ?? '').replace(/"/g, '');
        continue;
      }
      const kv = /^([\w-]+)\s*=\s*(.*)$/.exec(t);
      if (!kv) continue;
      const key = table ? `${table}.${kv[1]}` : (kv[1] ?? '');
      if ((table.startsWith('mcp_servers.') && (kv[1] === 'command' || kv[1] === 'args')) || key === 'notify') {
        check('~/.codex/config.toml', key, kv[2] ?? '');
      }
    }
  }
  return { warnings, notes };
}

// ---- the stream -------------------------------------------------------------------------

/** The archive of a plan as a byte stream: each item read as it is sent (its size is what was
 * read), the marker, the end blocks. A file that cannot be read ends the stream early (no
 * marker: the pod refuses it) and is kept in `state.error`. */
export function pushArchive(plan: PushPlan): { stream: Readable; state: { bytes: number; files: number; error?: Error } } {
  const state: { bytes: number; files: number; error?: Error } = { bytes: 0, files: 0 };
  async function* gen(): AsyncGenerator<Buffer> {
    const { readFileSync } = await import('node:fs');
    const { tarEnd, tarHeader, tarPadding } = await import('../core/tar.js');
    const out = (b: Buffer): Buffer => {
      state.bytes += b.length;
      return b;
    };
    for (const item of plan.items) {
      try {
        if (item.type === 'file') {
          const data = readFileSync(item.local);
          yield out(tarHeader({ path: item.path, type: 'file', mode: item.mode, mtime: item.mtime, size: data.length }));
          yield out(data);
          yield out(tarPadding(data.length));
          state.files++;
        } else {
          yield out(
            tarHeader({ path: item.path, type: item.type, mode: item.mode, mtime: item.mtime, ...(item.link ? { link: item.link } : {}) }),
          );
        }
      } catch (err) {
        state.error = new UsageError(`cannot read ${shown(item.path)} any more: ${(err as NodeJS.ErrnoException).code ?? 'error'}`, {
          hint: 'nothing was confirmed in the pod; run rgsd push again',
        });
        return;
      }
    }
    yield out(tarHeader({ path: plan.marker, type: 'file', mode: 0o600, mtime: Math.floor(Date.now() / 1000), size: 0 }));
    yield out(tarEnd());
  }
  return { stream: Readable.from(gen(), { objectMode: false }), state };
}

export interface PushResult {
  files: number;
  bytes: number;
  seconds: number;
  warnings: string[];
}

/** The one call. */
export async function runPush(app: App, t: Target, names: ProjectNames, plan: PushPlan): Promise<PushResult> {
  const started = Date.now();
  const archive = pushArchive(plan);
  let pod: { warnings: string[] };
  try {
    pod = await streamPush(app, t, names, plan.marker, archive.stream);
  } catch (err) {
    throw archive.state.error ?? err;
  }
  if (archive.state.error) throw archive.state.error;
  return { files: archive.state.files, bytes: archive.state.bytes, seconds: (Date.now() - started) / 1000, warnings: pod.warnings };
}
