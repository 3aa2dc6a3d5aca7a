// `rgsd transcript [project] [target] [-f] [--since 1h] [--raw]`
import { defineCommand, projectArg } from '../cli/spec.js';
import { ChildExitError, UsageError } from '../core/errors.js';
import { durationMs } from '../core/vocab.js';

interface TranscriptFlags {
  follow?: boolean;
  since?: string;
  raw?: boolean;
}

/** A pane id (%3), a window (main:0) or a task id. */
export const TRANSCRIPT_TARGET_RE = /^(%\d+|[A-Za-z0-9_-]{1,64}:\d+|[A-Za-z0-9][A-Za-z0-9_.-]{0,63})$/;

/** In-pod exit code: no such pane, window, task or transcript (the pod said which). */
const NOT_FOUND = 3;

export default defineCommand<TranscriptFlags>(
  {
    name: 'transcript',
    summary: "what an agent did: its own session log as text, or the pane's screen log",
    description:
      'One exec in the pod. Claude Code and Codex keep session logs (Claude names its log in every hook call; Codex ' +
      'keeps ~/.codex/sessions): shown as readable text (prompts, answers, tool calls and results). Shells and agents ' +
      'without a log: the screen log tmux records of every pane (rotated at 10 MiB; escape codes stripped unless --raw). ' +
      'A task: its log. Transcripts can hold secrets that were echoed: they are private files (0600) in the home.',
    args: [
      projectArg(),
      { name: 'target', required: false, description: 'a pane (%3), a window (main:0) or a task id (default: the agent window)' },
    ],
    options: [
      { flags: '-f, --follow', description: 'keep printing new output until Ctrl-C' },
      { flags: '--since <duration>', description: 'only what happened in the last 90s, 10m, 1h…' },
      { flags: '--raw', description: 'as recorded: JSON lines of a session log, escape codes of a screen log' },
    ],
    examples: ['rgsd transcript myproj', 'rgsd transcript myproj main:1 --since 10m', 'rgsd transcript myproj t20261203-0615-ab12 -f'],
  },
  async (app, { project, target }, opts) => {
    if (target !== undefined && !TRANSCRIPT_TARGET_RE.test(target)) {
      throw new UsageError(`"${target}" is not a pane, window or task`, {
        hint: 'use a pane id (%3), a window (main:0) or a task id from `rgsd tasks`',
      });
    }
    let sinceSeconds: number | undefined;
    if (opts.since !== undefined) {
      const ms = durationMs(opts.since);
      if (ms === undefined) throw new UsageError(`--since "${opts.since}" is not a duration`, { hint: 'e.g. --since 10m or --since 2h' });
      sinceSeconds = Math.ceil(ms / 1000);
    }
    const { openProject } = await import('../cli/open.js');
    const { streamTranscript } = await import('../ops/transcript.js');
    const { names, target: cluster } = await openProject(app, project, { command: 'transcript', requireSettings: false });
    if (opts.follow) app.progress.stopsOnInterrupt('stopped following the transcript');
    const code = await streamTranscript(app, cluster, names, {
      target,
      sinceSeconds,
      follow: Boolean(opts.follow),
      raw: Boolean(opts.raw),
    });
    // the pod (or kubectl) already said why on stderr
    if (code !== 0) throw new ChildExitError(code === NOT_FOUND ? 'transcript' : 'kubectl exec', code === NOT_FOUND ? 6 : code);
  },
);
