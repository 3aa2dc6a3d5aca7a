// rgsd status collector (run by /opt/rgsd/status; its functions are shared with
// /opt/rgsd/monitor). Dependency-free ESM for Node 20 and 22. Every path comes from the
// environment (the same defaults as lib.sh), so the tests run it outside a container.
//
// Forks per call: two tmux commands (everything listed in one, every pane captured in the
// other) and one `git status` per repository; the rest is read from files.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  accessSync,
  constants,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statfsSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import { basename, delimiter, dirname, isAbsolute, join, relative, resolve } from 'node:path';

// --- configuration (lib.sh's defaults; an empty value means the default) ------------------
const env = (name, dflt) => {
  const v = process.env[name];
  return v === undefined || v === '' ? dflt : v;
};
const num = (name, dflt) => {
  const v = Number(env(name, ''));
  return Number.isFinite(v) && v >= 0 && env(name, '') !== '' ? v : dflt;
};

export function config() {
  const home = env('RGSD_HOME', '/home/gsd');
  return {
    home,
    workspace: env('RGSD_WORKSPACE', join(home, 'workspace')),
    session: env('RGSD_TMUX_SESSION', 'main'),
    runDir: env('RGSD_RUN_DIR', join(home, '.rgsd', 'run')),
    tasksDir: env('RGSD_TASKS_DIR', join(home, '.rgsd', 'tasks')),
    agent: env('RGSD_AGENT', 'gsd'),
    autoStart: isTrue(env('RGSD_AGENT_AUTOSTART', 'false')),
    project: env('RGSD_PROJECT', null),
    codeBin: env('RGSD_CODE_BIN', 'code'),
    tunnelName: env('RGSD_VSCODE_TUNNEL_NAME', ''),
    stallSeconds: num('RGSD_STALL_SECONDS', 30),
    activeSeconds: num('RGSD_ACTIVE_SECONDS', 10),
    monitorInterval: num('RGSD_MONITOR_INTERVAL', 3),
  };
}

const isTrue = (v) => ['true', '1', 'yes', 'on'].includes(String(v).toLowerCase());
export const AGENTS = new Set(['claude', 'codex', 'gsd']);
export const SHELLS = new Set(['zsh', 'bash', 'sh', 'dash', 'fish', 'ksh', 'mksh', 'tcsh', 'csh']);
const PERMISSION = /Do you want to|\bAllow\b|\(y\/n\)|\[y\/N\]|❯ 1\. Yes|approve/i;
const MAX_REPOS = 20;
const MAX_TASKS = 50;

export const isoSeconds = (epochSeconds) => new Date(Math.floor(epochSeconds) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
export const nowEpoch = () => Date.now() / 1000;

// --- small helpers -----------------------------------------------------------------------
function run(file, args, opts = {}) {
  return new Promise((res) => {
    execFile(file, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 10_000, ...opts }, (error, stdout, stderr) =>
      res({ ok: !error, code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return null;
  }
}

function mtime(path) {
  try {
    return statSync(path).mtimeMs / 1000;
  } catch {
    return null;
  }
}

/** Writes a file atomically (temp file in the same directory + rename), mode 0600. */
export function writeAtomic(path, text) {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  writeFileSync(tmp, text, { mode: 0o600 });
  renameSync(tmp, path);
}

/** Whether `name` (a command name or a path) is an executable, like `command -v`. */
export function onPath(name) {
  const candidates = name.includes('/')
    ? [name]
    : (process.env.PATH ?? '')
        .split(delimiter)
        .filter(Boolean)
        .map((d) => join(d, name));
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      if (statSync(c).isFile()) return true;
    } catch {}
  }
  return false;
}

/** Visible text → printable lines: escape sequences and control characters removed. */
export function cleanLine(line) {
  return line
    .replace(/\x1b\[[0-?]*[ -/]*[@-~]/g, '')
    .replace(/\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?/g, '')
    .replace(/\x1b[@-_]?/g, '')
    .replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '')
    .trimEnd();
}

export function lastLines(text, n) {
  if (n <= 0) return [];
  const lines = text
    .split('\n')
    .map(cleanLine)
    .filter((l) => l.trim() !== '');
  return lines.slice(-n).map((l) => Array.from(l).slice(0, 200).join(''));
}

// --- tmux --------------------------------------------------------------------------------
const NO_SERVER = /no server running|error connecting to|No such file or directory|server exited unexpectedly/;
const F = {
  S: ['#{session_name}', '#{session_windows}', '#{session_attached}', '#{session_created}'],
  C: ['#{client_session}', '#{client_tty}', '#{client_created}'],
  P: [
    '#{pane_id}',
    '#{session_name}',
    '#{window_index}',
    '#{pane_index}',
    '#{pane_active}',
    '#{pane_current_command}',
    '#{pid}',
    '#{start_time}',
    '#{window_name}',
  ],
};

/** Sessions, clients and panes of the default tmux server, in one tmux call. null: no server. */
export async function listTmux() {
  const args = [];
  for (const [tag, cmd] of [
    ['S', 'list-sessions'],
    ['C', 'list-clients'],
    ['P', 'list-panes'],
  ]) {
    if (args.length) args.push(';');
    args.push(cmd);
    if (tag === 'P') args.push('-a');
    args.push('-F', [tag, ...F[tag]].join('\t'));
  }
  const r = await run('tmux', args);
  if (!r.ok) {
    if (NO_SERVER.test(r.stderr) || r.stderr.trim() === '') return null;
    throw new Error(`tmux: ${r.stderr.trim()}`);
  }
  const out = { sessions: [], clients: [], panes: [], serverPid: null, serverStart: null };
  for (const line of r.stdout.split('\n')) {
    const f = line.split('\t');
    if (f[0] === 'S' && f.length >= 5) {
      out.sessions.push({ name: f[1], windows: Number(f[2]), attached: Number(f[3]), created: isoSeconds(Number(f[4])) });
    } else if (f[0] === 'C' && f.length >= 4) {
      out.clients.push({ session: f[1], tty: f[2], since: isoSeconds(Number(f[3])) });
    } else if (f[0] === 'P' && f.length >= 10) {
      out.serverPid = Number(f[7]);
      out.serverStart = Number(f[8]);
      out.panes.push({
        id: f[1],
        session: f[2],
        window: Number(f[3]),
        windowName: f.slice(9).join('\t'),
        pane: Number(f[4]),
        active: f[5] === '1',
        program: basename(f[6].replace(/^-/, '')),
      });
    }
  }
  return out;
}

/** The visible text of each pane (Map id → text), one tmux call; per pane again on a failure
 * (a pane that closed in between stops tmux's command sequence). */
export async function capturePanes(ids) {
  const texts = new Map();
  if (ids.length === 0) return texts;
  const mark = `\u0001rgsd-${process.pid}-${Date.now()}\u0001`;
  const args = [];
  for (const id of ids) {
    if (args.length) args.push(';');
    args.push('capture-pane', '-p', '-t', id, ';', 'display-message', '-p', `${mark}${id}`);
  }
  const r = await run('tmux', args);
  const parts = r.stdout.split('\n');
  let cur = [];
  for (const line of parts) {
    if (line.startsWith(mark)) {
      texts.set(line.slice(mark.length), cur.join('\n'));
      cur = [];
    } else cur.push(line);
  }
  if (!r.ok) {
    await Promise.all(
      ids
        .filter((id) => !texts.has(id))
        .map(async (id) => {
          const one = await run('tmux', ['capture-pane', '-p', '-t', id]);
          if (one.ok) texts.set(id, one.stdout);
        }),
    );
  }
  return texts;
}

// --- run dir: pane records, exit codes, screen hashes --------------------------------------
const paneNo = (id) => id.replace(/^%/, '');

/** A run-dir file of this tmux server (older ones belong to a server that ended: its pane
 * ids are reused by the new one). */
function fresh(path, serverStart) {
  const m = mtime(path);
  return m !== null && (serverStart === null || m >= serverStart - 1);
}

export function readPaneRecord(runDir, id, serverStart) {
  const path = join(runDir, 'panes', `${paneNo(id)}.json`);
  return fresh(path, serverStart) ? readJson(path) : null;
}

export function readExitCode(runDir, id, serverStart) {
  const path = join(runDir, 'panes', `${paneNo(id)}.exit`);
  if (!fresh(path, serverStart)) return null;
  try {
    const n = Number.parseInt(readFileSync(path, 'utf8').trim(), 10);
    return Number.isInteger(n) ? n : null;
  } catch {
    return null;
  }
}

/** Updates screen/<n>.json with the pane's visible text; returns the record. changedEpoch
 * moves only when the text's hash changes (a full-screen redraw of the same text is no
 * activity). */
export function updateScreen(runDir, id, text, now, serverStart) {
  const path = join(runDir, 'screen', `${paneNo(id)}.json`);
  const hash = createHash('sha1').update(text).digest('hex');
  const old = fresh(path, serverStart) ? readJson(path) : null;
  const rec = {
    pane: id,
    hash,
    changedEpoch: old && old.hash === hash && Number.isFinite(old.changedEpoch) ? old.changedEpoch : Math.floor(now),
    seenEpoch: Math.floor(now),
  };
  try {
    writeAtomic(path, `${JSON.stringify(rec)}\n`);
  } catch {}
  return rec;
}

/** Removes the run-dir files of panes that no longer exist, and any file older than the
 * tmux server (serverStart null: no server, every pane file goes). Files written after
 * `since` are kept (a pane created after the listing). */
export function pruneRunDir(runDir, liveIds, serverStart, since) {
  const live = new Set(liveIds.map(paneNo));
  for (const sub of ['panes', 'screen']) {
    let names = [];
    try {
      names = readdirSync(join(runDir, sub));
    } catch {
      continue;
    }
    for (const name of names) {
      const m = /^(\d+)\.(json|exit)$/.exec(name);
      if (!m) continue;
      const path = join(runDir, sub, name);
      const t = mtime(path);
      if (t === null || t >= since) continue;
      if (live.has(m[1]) && serverStart !== null && t >= serverStart - 1) continue;
      try {
        unlinkSync(path);
      } catch {}
    }
  }
}

// --- state rules (docs/ARCHITECTURE.md "Agent state") -------------------------------------
export function paneState({ program, rec, exitCode, screen, text, now, cfg }) {
  const shell = SHELLS.has(program);
  const agent = rec && AGENTS.has(rec.agent) ? rec.agent : AGENTS.has(program) ? program : null;
  const hook = rec && (rec.source === 'hook' || rec.source === 'notify') && Number.isFinite(rec.epoch) ? rec : null;
  const changed = screen?.changedEpoch ?? null;
  const last = Math.max(changed ?? 0, hook?.epoch ?? 0) || null;
  const out = (state, source, extra = {}) => ({
    agent,
    state,
    waitingFor: null,
    exitCode: null,
    source,
    since: last === null ? 0 : Math.max(0, Math.floor(now - last)),
    lastActivity: last === null ? null : isoSeconds(last),
    task: typeof rec?.task === 'string' ? rec.task : null,
    ...extra,
  });
  const screenRule = () => {
    if (changed !== null && now - changed < cfg.activeSeconds) return out('working', 'screen');
    const tail = lastLines(text ?? '', 10).join('\n');
    return out('waiting', 'screen', { waitingFor: PERMISSION.test(tail) ? 'permission' : 'input' });
  };

  if (exitCode !== null && shell) return out('exited', 'process', { exitCode });
  if (rec?.state === 'missing' && shell) return out('missing', 'process');
  // The task runner's record: its agent runs headless until the runner says otherwise.
  if (rec?.source === 'process' && rec.state === 'working' && !shell) return out('working', 'process');
  if (hook) {
    if (hook.state === 'working') {
      if (now - Math.max(hook.epoch, changed ?? 0) < cfg.stallSeconds) return out('working', hook.source);
      return out('waiting', 'screen', { waitingFor: 'input' });
    }
    // A hook wins over a screen change the monitor saw up to one interval after it.
    const grace = cfg.monitorInterval + 1;
    if (['waiting', 'idle', 'exited'].includes(hook.state) && (changed === null || hook.epoch + grace >= changed)) {
      const waitingFor = hook.state === 'waiting' ? (hook.waitingFor === 'permission' ? 'permission' : 'input') : null;
      return out(hook.state, hook.source, { waitingFor });
    }
    if (agent && !shell) return screenRule();
  }
  if (agent && !shell) return screenRule();
  if (agent && shell && rec?.state === 'starting' && exitCode === null) return out('unknown', 'process');
  if (shell) return out('idle', 'process');
  return out('working', 'process');
}

// --- repositories --------------------------------------------------------------------------
const SKIP = new Set(['node_modules', '.git', 'vendor']);

/** Resolves a work tree's git dir and common dir from its `.git` (directory or file). */
function gitDirs(dir) {
  const dotgit = join(dir, '.git');
  let st;
  try {
    st = statSync(dotgit);
  } catch {
    return null;
  }
  if (st.isDirectory()) return { gitDir: dotgit, commonDir: dotgit, linked: false };
  try {
    const m = /^gitdir:\s*(.+?)\s*$/m.exec(readFileSync(dotgit, 'utf8'));
    if (!m) return null;
    const gitDir = resolve(dir, m[1]);
    let commonDir = gitDir;
    let linked = false;
    try {
      commonDir = resolve(gitDir, readFileSync(join(gitDir, 'commondir'), 'utf8').trim());
      linked = true;
    } catch {}
    return { gitDir, commonDir, linked };
  } catch {
    return null;
  }
}

export function findRepos(workspace) {
  const found = [];
  const seen = new Set();
  const add = (dir) => {
    if (found.length >= MAX_REPOS) return;
    const key = resolve(dir);
    if (seen.has(key)) return;
    const dirs = gitDirs(key);
    if (!dirs) return;
    seen.add(key);
    found.push({ dir: key, ...dirs });
  };
  add(workspace);
  const walk = (dir, depth) => {
    if (depth > 2 || found.length >= MAX_REPOS) return;
    let entries = [];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (!e.isDirectory() || SKIP.has(e.name)) continue;
      const sub = join(dir, e.name);
      add(sub);
      walk(sub, depth + 1);
    }
  };
  walk(workspace, 1);
  // Each repository's linked worktrees (what `git worktree list` reads).
  for (const repo of [...found]) {
    let names = [];
    try {
      names = readdirSync(join(repo.commonDir, 'worktrees'));
    } catch {
      continue;
    }
    for (const name of names.sort()) {
      try {
        const dotgit = readFileSync(join(repo.commonDir, 'worktrees', name, 'gitdir'), 'utf8').trim();
        add(dirname(resolve(repo.commonDir, 'worktrees', name, dotgit)));
      } catch {}
    }
  }
  return found;
}

function countStashes(commonDir) {
  try {
    return readFileSync(join(commonDir, 'logs', 'refs', 'stash'), 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '').length;
  } catch {
    return 0;
  }
}

export function parseStatus(text) {
  const r = { branch: null, head: null, upstream: null, ahead: 0, behind: 0, staged: 0, modified: 0, untracked: 0, conflicts: 0 };
  for (const line of text.split('\n')) {
    if (line.startsWith('# branch.oid ')) {
      const oid = line.slice(13).trim();
      r.head = oid === '(initial)' ? null : oid.slice(0, 7);
    } else if (line.startsWith('# branch.head ')) {
      const h = line.slice(14).trim();
      r.branch = h === '(detached)' ? null : h;
    } else if (line.startsWith('# branch.upstream ')) r.upstream = line.slice(18).trim();
    else if (line.startsWith('# branch.ab ')) {
      const m = /\+(\d+) -(\d+)/.exec(line);
      if (m) {
        r.ahead = Number(m[1]);
        r.behind = Number(m[2]);
      }
    } else if (line.startsWith('1 ') || line.startsWith('2 ')) {
      const xy = line.slice(2, 4);
      if (xy[0] !== '.') r.staged++;
      if (xy[1] !== '.') r.modified++;
    } else if (line.startsWith('u ')) r.conflicts++;
    else if (line.startsWith('? ')) r.untracked++;
  }
  return r;
}

export async function repoStatus(repo, home) {
  const rel = relative(home, repo.dir);
  const path = rel === '' ? '.' : !rel.startsWith('..') && !isAbsolute(rel) ? rel : repo.dir;
  const r = await run('git', ['--no-optional-locks', '-C', repo.dir, 'status', '--porcelain=v2', '--branch'], {
    env: { ...process.env, GIT_OPTIONAL_LOCKS: '0', LC_ALL: 'C' },
  });
  const base = { path, worktree: repo.linked, ...parseStatus(r.ok ? r.stdout : ''), stashes: countStashes(repo.commonDir) };
  if (!r.ok) base.error = (r.stderr.trim().split('\n').pop() ?? 'git status failed').slice(0, 200);
  return base;
}

// --- the rest: tunnel, home, warnings, tasks ------------------------------------------------
export function tunnelState(cfg, tmux) {
  let name = (cfg.tunnelName || cfg.project || hostname()).slice(0, 20);
  if (name.endsWith('-')) name = name.slice(0, -1);
  if (!onPath(cfg.codeBin)) return { state: 'not-installed', name, url: null };
  const win =
    tmux?.sessions.some((s) => s.name === cfg.session) &&
    tmux.panes.some((p) => p.session === cfg.session && p.windowName === 'vscode-tunnel');
  if (!win) return { state: 'stopped', name, url: null };
  let log = null;
  try {
    log = readFileSync(join(cfg.home, '.cache', 'rgsd', 'vscode-tunnel.log'), 'utf8');
  } catch {}
  if (log !== null) {
    const running = log.match(/https:\/\/vscode\.dev\/tunnel\/[^\s]+/g);
    if (running) return { state: 'running', name, url: running[running.length - 1] };
    if (/https:\/\/github\.com\/login\/device/.test(log)) return { state: 'needs-login', name, url: 'https://github.com/login/device' };
  }
  return { state: 'starting', name, url: null };
}

export function homeUsage(path) {
  try {
    const s = statfsSync(path, { bigint: true });
    const b = s.bsize;
    return { path, sizeBytes: Number(s.blocks * b), usedBytes: Number((s.blocks - s.bfree) * b), availableBytes: Number(s.bavail * b) };
  } catch {
    return null;
  }
}

export function readWarnings(runDir) {
  let text = '';
  try {
    text = readFileSync(join(runDir, 'warnings.jsonl'), 'utf8');
  } catch {
    return [];
  }
  const byKey = new Map();
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const w = JSON.parse(line);
      if (typeof w.code !== 'string') continue;
      const key = `${w.code}\n${w.message}`;
      byKey.delete(key); // a repeated warning (a recreated session) keeps its latest time
      byKey.set(key, { code: w.code, message: String(w.message ?? ''), time: String(w.time ?? '') });
    } catch {}
  }
  return [...byKey.values()];
}

export function readTasks(tasksDir) {
  let names = [];
  try {
    names = readdirSync(tasksDir).filter((n) => n.endsWith('.json') && !n.startsWith('.'));
  } catch {
    return [];
  }
  const tasks = names.map((n) => readJson(join(tasksDir, n))).filter((t) => t && typeof t === 'object');
  tasks.sort((a, b) => String(a.started ?? '').localeCompare(String(b.started ?? '')));
  return tasks.slice(-MAX_TASKS);
}

// --- the document --------------------------------------------------------------------------
export async function collect({ lines = 5, cfg = config(), brief = false } = {}) {
  const now = nowEpoch();
  if (brief) {
    // what `rgsd up` reports: the sessions and the boot warnings; no pane capture, no
    // repositories, tasks, home or tunnel (half the time of the whole document)
    const tmux = await listTmux();
    return {
      schemaVersion: 2,
      brief: true,
      time: isoSeconds(now),
      project: cfg.project,
      sessions: tmux?.sessions ?? [],
      warnings: readWarnings(cfg.runDir),
    };
  }
  const reposP = Promise.all(findRepos(cfg.workspace).map((r) => repoStatus(r, cfg.home)));
  const tmux = await listTmux();
  const texts = tmux ? await capturePanes(tmux.panes.map((p) => p.id)) : new Map();
  const serverStart = tmux?.serverStart ?? null;
  const panes = (tmux?.panes ?? []).map((p) => {
    const text = texts.get(p.id) ?? '';
    const screen = texts.has(p.id) ? updateScreen(cfg.runDir, p.id, text, now, serverStart) : null;
    const s = paneState({
      program: p.program,
      rec: readPaneRecord(cfg.runDir, p.id, serverStart),
      exitCode: readExitCode(cfg.runDir, p.id, serverStart),
      screen,
      text,
      now,
      cfg,
    });
    return {
      id: p.id,
      session: p.session,
      window: p.window,
      windowName: p.windowName,
      pane: p.pane,
      active: p.active,
      program: p.program,
      agent: s.agent,
      state: s.state,
      waitingFor: s.waitingFor,
      exitCode: s.exitCode,
      source: s.source,
      since: s.since,
      lastActivity: s.lastActivity,
      lines: lastLines(text, lines),
      task: s.task,
    };
  });
  const tunnel = tunnelState(cfg, tmux);
  const warnings = readWarnings(cfg.runDir);
  if (tunnel.state === 'needs-login' && !warnings.some((w) => w.code === 'tunnel-needs-login')) {
    const t = mtime(join(cfg.home, '.cache', 'rgsd', 'vscode-tunnel.log')) ?? now;
    warnings.push({
      code: 'tunnel-needs-login',
      message: `the VS Code tunnel '${tunnel.name}' waits for a GitHub device login (${tunnel.url}); run /opt/rgsd/vscode-tunnel status in the pod for the code`,
      time: isoSeconds(t),
    });
  }
  return {
    schemaVersion: 2,
    time: isoSeconds(now),
    project: cfg.project,
    agent: { name: cfg.agent, autoStart: cfg.autoStart, installed: AGENTS.has(cfg.agent) && onPath(cfg.agent) },
    sessions: tmux?.sessions ?? [],
    clients: tmux?.clients ?? [],
    panes,
    tasks: readTasks(cfg.tasksDir),
    repos: await reposP,
    home: homeUsage(cfg.home),
    warnings,
    terminating: mtime(join(cfg.runDir, 'terminating')) !== null,
    tunnel,
  };
}

// --- human output --------------------------------------------------------------------------
export function human(doc) {
  const out = [];
  if (doc.sessions.length === 0) out.push('tmux: no sessions');
  for (const s of doc.sessions)
    out.push(`tmux session ${s.name}: ${s.windows} window(s), ${s.attached} client(s) attached, created ${s.created}`);
  for (const p of doc.panes) {
    const state = p.state + (p.waitingFor ? ` (${p.waitingFor})` : '') + (p.exitCode !== null ? ` (exit ${p.exitCode})` : '');
    const last = p.lines.length ? `  ${p.lines[p.lines.length - 1]}` : '';
    out.push(
      `  ${p.session}:${p.window}.${p.pane} ${p.windowName} [${p.agent ?? p.program}] ${state}, ${p.since}s ago (${p.source})${last}`,
    );
  }
  for (const r of doc.repos) {
    const where = r.branch ?? `detached at ${r.head ?? '?'}`;
    const up = r.upstream ? ` ↑${r.ahead} ↓${r.behind} ${r.upstream}` : '';
    out.push(
      `repo ${r.path}${r.worktree ? ' (worktree)' : ''}: ${where}${up}, ${r.staged} staged, ${r.modified} modified, ${r.untracked} untracked, ${r.conflicts} conflicts, ${r.stashes} stash(es)${r.error ? ` — ${r.error}` : ''}`,
    );
  }
  if (doc.home) {
    const gib = (n) => `${(n / 2 ** 30).toFixed(1)} GiB`;
    out.push(`home ${doc.home.path}: ${gib(doc.home.usedBytes)} used of ${gib(doc.home.sizeBytes)}, ${gib(doc.home.availableBytes)} free`);
  }
  for (const w of doc.warnings) out.push(`warning (${w.code}, ${w.time}): ${w.message}`);
  if (doc.terminating) out.push('the workstation is shutting down');
  out.push(`VS Code tunnel ${doc.tunnel.name}: ${doc.tunnel.state}${doc.tunnel.url ? ` ${doc.tunnel.url}` : ''}`);
  return `${out.join('\n')}\n`;
}

// --- main ----------------------------------------------------------------------------------
const USAGE = 'usage: status [--json] [--lines N | --brief]';

function die(message, hint) {
  process.stderr.write(`status: error: ${message}\n${hint ? `hint: ${hint}\n` : ''}`);
  process.exit(1);
}

export async function main(argv) {
  let json = false;
  let lines = 5;
  let brief = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--json') json = true;
    else if (a === '--brief') brief = true;
    else if (a === '--lines' || a.startsWith('--lines=')) {
      const v = a === '--lines' ? argv[++i] : a.slice(8);
      if (v === undefined || !/^\d+$/.test(v) || Number(v) > 200) die(USAGE, `--lines takes a number from 0 to 200 (got '${v ?? ''}')`);
      lines = Number(v);
    } else die(USAGE, `got '${a}'`);
  }
  if (brief && !json) die(USAGE, '--brief goes with --json');
  const doc = await collect({ lines, brief });
  process.stdout.write(json ? `${JSON.stringify(doc)}\n` : human(doc));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((e) => die(e instanceof Error ? e.message : String(e)));
}
