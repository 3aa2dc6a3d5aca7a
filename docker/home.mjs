// What rgsd knows about the home's contents, shared by /opt/rgsd/backup and /opt/rgsd/restore:
// its places (from the image contract's environment) and the kinds of files a backup leaves
// out unless asked for (ARCHITECTURE.md "Backup"). Dependency-free ESM for Node 20 and 22.
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** The home's places, each overridable through the environment (tests use a temp home). */
export function places(env = process.env) {
  const home = env.RGSD_HOME || '/home/gsd';
  return {
    home,
    runDir: env.RGSD_RUN_DIR || join(home, '.rgsd', 'run'),
    stateDir: join(home, '.config', 'rgsd'),
    workspace: env.RGSD_WORKSPACE || join(home, 'workspace'),
    skel: env.RGSD_SKEL || '/home/gsd.skel',
  };
}

export const KINDS = ['caches', 'secrets', 'logins', 'transcripts'];

/** Paths relative to the home, per kind (directories or files; a missing one is harmless). */
export function kindPaths(p = places()) {
  const managed = [];
  try {
    for (const line of readFileSync(join(p.stateDir, 'managed-files'), 'utf8').split('\n')) {
      const rel = line.slice(line.indexOf(' ') + 1).trim();
      if (line.includes(' ') && rel) managed.push(rel);
    }
  } catch {
    // no manifest: the fixed list below
  }
  const ws = relative(p.home, p.workspace);
  const inHome = (x) => x && !x.startsWith('..') && !x.startsWith('/');
  return {
    caches: ['.cache', '.npm/_cacache', '.npm/_npx', '.npm/_logs', '.local/share/pnpm/store', '.bun/install/cache', 'go/pkg/mod', '.cargo/registry'],
    secrets: [
      ...new Set([
        ...managed,
        '.config/rgsd/secrets.env',
        '.config/rgsd/project.env',
        '.git-credentials',
        '.ssh/rgsd_deploy_key',
        '.ssh/config.d/rgsd',
        '.gsd/agent/models.json',
        '.gsd/PREFERENCES.md',
        ...(inHome(ws) ? [`${ws}/.env`] : []),
      ]),
    ].filter(inHome),
    logins: ['.claude/.credentials.json', '.codex/auth.json', '.gsd/agent/auth.json', '.config/gh/hosts.yml'],
    transcripts: ['.rgsd/transcripts', '.claude/projects', '.codex/sessions', '.codex/archived_sessions'],
  };
}

/** The run directory relative to the home ('' when it is elsewhere). */
export function runDirInHome(p = places()) {
  const rel = relative(p.home, p.runDir);
  return rel && !rel.startsWith('..') && !rel.startsWith('/') ? rel : '';
}
