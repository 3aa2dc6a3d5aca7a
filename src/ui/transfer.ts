// The progress line of a transfer (`rgsd backup`): a bar over the size estimate, the bytes
// read and received, the rate and the time left.
import { bytes } from './podstate.js';

export interface TransferState {
  /** bytes the pod has read (uncompressed) */
  read: number;
  /** the pod's estimate of what it will read (0: unknown) */
  estimate: number;
  /** compressed bytes written to the local file */
  received: number;
  elapsedSeconds: number;
}

function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** e.g. `[######------] 52%  312 MiB of ~600 MiB read, 41 MiB received, 18 MiB/s, 0:16 left` */
export function transferLine(s: TransferState, width = 20): string {
  const rate = s.elapsedSeconds > 0 ? s.read / s.elapsedSeconds : 0;
  const parts: string[] = [];
  if (s.estimate > 0) {
    const frac = Math.min(1, s.read / s.estimate);
    const full = Math.round(frac * width);
    parts.push(`[${'#'.repeat(full)}${'-'.repeat(width - full)}] ${String(Math.floor(frac * 100)).padStart(3)}%`);
    parts.push(`${bytes(s.read)} of ~${bytes(s.estimate)} read`);
  } else parts.push(`${bytes(s.read)} read`);
  const tail = [`${bytes(s.received)} received`];
  if (rate > 0) tail.push(`${bytes(rate)}/s`);
  if (rate > 0 && s.estimate > s.read) tail.push(`${clock((s.estimate - s.read) / rate)} left`);
  return `${parts.join('  ')}, ${tail.join(', ')}`;
}
