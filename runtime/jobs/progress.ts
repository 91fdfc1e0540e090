// Progress of a long transfer (backfill): on a terminal one line redrawn in place (records,
// messages, rate, ETA); elsewhere (cron, systemd, a pipe) a plain line every `everyMs`, so
// logs stay readable.
import type { TransferProgress } from './transfer.ts';

function duration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '?';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export function describeProgress(p: TransferProgress): string {
  const rate = p.elapsedMs > 0 ? (p.records * 1000) / p.elapsedMs : 0;
  let line = `records ${p.records.toLocaleString('en-US')} | messages ${p.messages.toLocaleString('en-US')} | ${Math.round(rate).toLocaleString('en-US')} rec/s`;
  if (p.bytesTotal) {
    const frac = Math.min(1, p.bytesRead / p.bytesTotal);
    const eta = frac > 0 ? (p.elapsedMs * (1 - frac)) / frac : Number.NaN;
    line += ` | ${(frac * 100).toFixed(1)} % | ETA ${duration(eta)}`;
  }
  return line;
}

export function progressReporter(out: NodeJS.WriteStream | NodeJS.WritableStream, opts: { tty?: boolean; everyMs?: number } = {}) {
  const tty = opts.tty ?? Boolean((out as NodeJS.WriteStream).isTTY);
  const every = opts.everyMs ?? (tty ? 200 : 10_000);
  let last = 0;
  return {
    update(p: TransferProgress, force = false) {
      const t = Date.now();
      if (!force && t - last < every) return;
      last = t;
      if (tty) out.write(`\r\x1b[2K${describeProgress(p)}`);
      else out.write(`progress: ${describeProgress(p)}\n`);
    },
    done() {
      if (tty) out.write('\n');
    },
  };
}
