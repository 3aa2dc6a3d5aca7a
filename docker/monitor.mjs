// rgsd monitor (run by /opt/rgsd/monitor, started and restarted by the entrypoint): every
// RGSD_MONITOR_INTERVAL seconds (default 3) it captures the visible text of every tmux pane
// and keeps $RGSD_RUN_DIR/screen/<n>.json ({pane, hash, changedEpoch, seenEpoch}) up to date,
// so `status` can tell a changing screen (working) from a still one (waiting) even when an
// agent repaints the whole screen. Removes the run-dir files of panes that are gone.
// Survives the tmux server being down (sleeps and retries); exits when its parent (the
// entrypoint) is gone, or on SIGTERM/SIGINT. Dependency-free ESM, Node 20 and 22.
import { capturePanes, config, isoSeconds, listTmux, nowEpoch, pruneRunDir, updateScreen } from './status.mjs';

const log = (msg) => process.stdout.write(`${isoSeconds(nowEpoch())} monitor: ${msg}\n`);

/** One pass: list the panes, capture them, update the screen records, prune the rest. */
export async function tick(cfg) {
  const since = nowEpoch();
  const tmux = await listTmux();
  if (!tmux) {
    pruneRunDir(cfg.runDir, [], null, since);
    return { panes: 0 };
  }
  const ids = tmux.panes.map((p) => p.id);
  const texts = await capturePanes(ids);
  const now = nowEpoch();
  for (const [id, text] of texts) updateScreen(cfg.runDir, id, text, now, tmux.serverStart);
  pruneRunDir(cfg.runDir, ids, tmux.serverStart, since);
  return { panes: ids.length };
}

export async function monitor(cfg = config()) {
  const interval = Math.max(0.2, cfg.monitorInterval) * 1000;
  const parent = process.ppid;
  let stopping = false;
  let lastError = '';
  let timer = null;
  let wake = null;
  const stop = () => {
    stopping = true;
    if (timer) clearTimeout(timer);
    wake?.();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  log(`started (every ${interval / 1000}s, run dir ${cfg.runDir})`);
  while (!stopping) {
    // Orphaned (the entrypoint died without stopping us): end, a new entrypoint starts its own.
    if (process.ppid !== parent) break;
    try {
      await tick(cfg);
      lastError = '';
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      if (msg !== lastError) log(`warning: ${msg}`);
      lastError = msg;
    }
    await new Promise((res) => {
      wake = res;
      timer = setTimeout(res, interval);
    });
  }
  log('stopped');
}

monitor().catch((e) => {
  log(`error: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
