// rgsd monitor (run by /opt/rgsd/monitor, started and restarted by the entrypoint): every
// RGSD_MONITOR_INTERVAL seconds (default 3) it captures the visible text of every tmux pane
// and keeps $RGSD_RUN_DIR/screen/<n>.json ({pane, hash, changedEpoch, seenEpoch}) up to date,
// so `status` can tell a changing screen (working) from a still one (waiting) even when an
// agent repaints the whole screen. Removes the run-dir files of panes that are gone.
// Survives the tmux server being down (sleeps and retries); exits when its parent (the
// entrypoint) is gone, or on SIGTERM/SIGINT. With idle sleep on (RGSD_IDLE_DIR set) it also
// writes the idle heartbeat there (docker/heartbeat.mjs) on every pass, after the screens.
// Dependency-free ESM, Node 20 and 22.
import { busyReasons, forwardedPorts, heartbeatConfig, listProcesses, writeHeartbeat } from './heartbeat.mjs';
import {
  capturePanes,
  config,
  isoSeconds,
  listTmux,
  nowEpoch,
  paneState,
  pruneRunDir,
  readExitCode,
  readPaneRecord,
  readTasks,
  updateScreen,
} from './status.mjs';

const log = (msg) => process.stdout.write(`${isoSeconds(nowEpoch())} monitor: ${msg}\n`);

/** One pass: list the panes, capture them, update the screen records, prune the rest. */
export async function tick(cfg, hb = heartbeatConfig()) {
  const since = nowEpoch();
  const tmux = await listTmux();
  const panes = [];
  if (!tmux) {
    pruneRunDir(cfg.runDir, [], null, since);
  } else {
    const ids = tmux.panes.map((p) => p.id);
    const texts = await capturePanes(ids);
    const now = nowEpoch();
    for (const p of tmux.panes) {
      if (!texts.has(p.id)) continue;
      const text = texts.get(p.id);
      const screen = updateScreen(cfg.runDir, p.id, text, now, tmux.serverStart);
      if (!hb.idleDir) continue;
      const s = paneState({
        program: p.program,
        rec: readPaneRecord(cfg.runDir, p.id, tmux.serverStart),
        exitCode: readExitCode(cfg.runDir, p.id, tmux.serverStart),
        screen,
        text,
        now,
        cfg,
      });
      panes.push({ session: p.session, window: p.window, agent: s.agent, state: s.state });
    }
    pruneRunDir(cfg.runDir, ids, tmux.serverStart, since);
  }
  if (hb.idleDir) {
    const now = nowEpoch();
    const reasons = busyReasons({
      clients: tmux?.clients ?? [],
      panes,
      tasks: readTasks(cfg.tasksDir),
      procs: listProcesses(hb.procDir),
      ports: forwardedPorts(hb.procDir),
      execMinAge: hb.execMinAge,
      now,
      procDir: hb.procDir,
    });
    return { panes: tmux?.panes.length ?? 0, heartbeat: writeHeartbeat(hb.idleDir, reasons, now) };
  }
  return { panes: tmux?.panes.length ?? 0 };
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
