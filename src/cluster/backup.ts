// The home as an archive: `/opt/rgsd/backup` (docker/backup) in the workstation, through two
// `kubectl exec deployment/<fullname> -c workstation --pod-running-timeout=10s` calls: `stream`
// (the tar.gz on kubectl's stdout, never a terminal, no stdin) and `result --wait` (the byte
// count and sha256 the pod computed of exactly that stream; started once the stream has
// begun, answered when it ends). ARCHITECTURE.md "Backup".
import { CommandError, RgsdError } from '../core/errors.js';
import type { ProjectNames } from '../core/names.js';
import { type BackupKind, IN_POD } from '../core/vocab.js';
import { classify } from './classify.js';
import { kubectl, kubectlArgv, type Gateway, type Target } from './gateway.js';
import { taskExecArgs } from './tasks.js';
import { notDeployed } from './workload.js';

/** What the pod says about the stream it sent (`backup result`). */
export interface PodBackupResult {
  schemaVersion: number;
  id: string;
  ok: boolean;
  /** compressed bytes written to stdout */
  bytes: number;
  /** sha256 of those bytes */
  sha256: string;
  /** uncompressed tar bytes */
  tarBytes: number;
  estimateBytes: number;
  tarExit: number;
  /** what compressed it (`pigz -p N` or `gzip`; absent from older images) */
  compressor?: string;
  /** tar's words about files that changed or vanished while it read them */
  changed: string[];
  errors: string[];
  sqlite: { path: string; method: 'sqlite-backup' | 'files'; error?: string }[];
  excluded: string[];
  included: string[];
  finished: string;
}

export interface BackupStreamOptions {
  id: string;
  include: readonly BackupKind[];
  exclude: readonly string[];
}

/** `backup stream` arguments. */
export function streamCommand(o: BackupStreamOptions): string[] {
  const args = [IN_POD.backup, 'stream', '--id', o.id];
  for (const k of o.include) args.push('--include', k);
  for (const p of o.exclude) args.push('--exclude', p);
  return args;
}

/** A line the helper writes on stderr (`rgsd-backup: …`). */
export type BackupEvent = { kind: 'estimate' | 'progress'; bytes: number } | { kind: 'warning' | 'error'; text: string };

/** Splits stderr pieces into lines and turns the helper's into events. */
export function stderrParser(onEvent: (e: BackupEvent) => void): (text: string) => void {
  let rest = '';
  return (text) => {
    rest += text;
    let nl = rest.indexOf('\n');
    while (nl >= 0) {
      const line = rest.slice(0, nl);
      rest = rest.slice(nl + 1);
      const m = /^rgsd-backup: (estimate|progress) (\d+)$/.exec(line) ?? /^rgsd-backup: (warning|error): (.*)$/.exec(line);
      if (m?.[1] === 'estimate' || m?.[1] === 'progress') onEvent({ kind: m[1], bytes: Number(m[2]) });
      else if (m?.[1] === 'warning' || m?.[1] === 'error') onEvent({ kind: m[1], text: m[2] ?? '' });
      nl = rest.indexOf('\n');
    }
  };
}

function failure(gw: Gateway, t: Target, names: ProjectNames, args: string[], res: { exitCode: number; stdout: string; stderr: string }) {
  const said = [...res.stderr.matchAll(/^rgsd-backup: error: (.*)$/gm)].map((m) => m[1] ?? '');
  if (said.length) {
    return new RgsdError(`the backup failed in the pod: ${said[0]}`, {
      hint: `see \`rgsd logs ${names.release}\`; nothing was kept`,
      details: said.slice(1),
    });
  }
  const argv = [gw.tools.kubectl, ...kubectlArgv(t, args)];
  return notDeployed(classify(new CommandError(argv, res.exitCode, res.stderr, ''), t), names, t);
}

/** Streams the archive into `sink` (not ended here); `onEvent` gets the helper's lines. */
export async function streamBackup(
  gw: Gateway,
  t: Target,
  names: ProjectNames,
  o: BackupStreamOptions,
  sink: NodeJS.WritableStream,
  onEvent: (e: BackupEvent) => void,
): Promise<void> {
  const args = taskExecArgs(names, streamCommand(o));
  const res = await kubectl(gw, t, args, { allowFailure: true, stdoutTo: sink, onStderr: stderrParser(onEvent) });
  if (res.exitCode !== 0) throw failure(gw, t, names, args, res);
}

/** The pod's count and sha256 of the stream `id` (a second call: the first one's stdout was the archive). */
export async function backupResult(gw: Gateway, t: Target, names: ProjectNames, id: string): Promise<PodBackupResult> {
  const args = taskExecArgs(names, [IN_POD.backup, 'result', '--id', id]);
  const res = await kubectl(gw, t, args, { allowFailure: true, timeoutMs: 60_000 });
  if (res.exitCode !== 0) throw failure(gw, t, names, args, res);
  return parseResult(res.stdout);
}

/**
 * The same second call, started while the stream still runs (`result --wait`: the pod waits
 * for the stream's end), so that its own start overlaps the stream. Ended by `signal` when the
 * stream fails. Null when the pod's helper predates `--wait` (then ask with `backupResult`
 * once the stream is done).
 */
export async function awaitBackupResult(
  gw: Gateway,
  t: Target,
  names: ProjectNames,
  id: string,
  signal: AbortSignal,
): Promise<PodBackupResult | null> {
  const args = taskExecArgs(names, [IN_POD.backup, 'result', '--id', id, '--wait']);
  const res = await kubectl(gw, t, args, { allowFailure: true, signal });
  if (res.exitCode === 2 && /^rgsd-backup: error: unknown option --wait$/m.test(res.stderr)) return null;
  if (res.exitCode !== 0) throw failure(gw, t, names, args, res);
  return parseResult(res.stdout);
}

function parseResult(stdout: string): PodBackupResult {
  try {
    return JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as PodBackupResult;
  } catch {
    throw new RgsdError('the workstation answered with something that is not a backup result', {
      hint: 'is the image older than this rgsd? `rgsd up` updates it',
    });
  }
}
