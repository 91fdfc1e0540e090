// Progress of a long transfer (backfill, run): on a terminal one line redrawn in place (records,
// messages, rate, ETA), which log lines never break into: a log line clears the bar, is written,
// and the bar is drawn again below it. Elsewhere (cron, systemd, a pipe) a plain line every
// `everyMs`, so logs stay readable. The last line is the final state, not the last redraw.
import type { TransferProgress } from './transfer.ts';

function duration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '?';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export function describeProgress(p: TransferProgress, finished = false): string {
  const rate = p.elapsedMs > 0 ? (p.records * 1000) / p.elapsedMs : 0;
  let line = `records ${p.records.toLocaleString('en-US')} | messages ${p.messages.toLocaleString('en-US')} | ${Math.round(rate).toLocaleString('en-US')} rec/s`;
  if (finished) return `${line} | done in ${duration(p.elapsedMs)}`;
  if (p.bytesTotal) {
    const frac = Math.min(1, p.bytesRead / p.bytesTotal);
    const eta = frac > 0 ? (p.elapsedMs * (1 - frac)) / frac : Number.NaN;
    line += ` | ${(frac * 100).toFixed(1)} % | ETA ${duration(eta)}`;
  }
  return line;
}

const CLEAR = '\r\x1b[2K';

export interface ProgressReporter {
  update(p: TransferProgress, force?: boolean): void;
  /** Ends the bar with the final state (when given) on its own line. */
  done(final?: TransferProgress): void;
  /** The latest progress seen, drawn or not (for the Ctrl-C message). */
  readonly last: TransferProgress | undefined;
  /** A stream for log lines that keeps them from breaking into the bar (give it to the logger). */
  readonly logs: { write(line: string): boolean };
  /** Whether a bar is redrawn in place (a terminal) rather than plain lines. */
  readonly tty: boolean;
}

export function progressReporter(out: NodeJS.WriteStream | NodeJS.WritableStream, opts: { tty?: boolean; everyMs?: number; quiet?: boolean } = {}): ProgressReporter {
  const tty = opts.tty ?? Boolean((out as NodeJS.WriteStream).isTTY);
  const every = opts.everyMs ?? (tty ? 200 : 10_000);
  let lastDraw = 0;
  let bar = '';
  let last: TransferProgress | undefined;
  return {
    tty,
    get last() {
      return last;
    },
    update(p, force = false) {
      last = p;
      if (opts.quiet) return;
      const t = Date.now();
      if (!force && t - lastDraw < every) return;
      lastDraw = t;
      if (tty) {
        bar = describeProgress(p);
        out.write(`${CLEAR}${bar}`);
      } else out.write(`progress: ${describeProgress(p)}\n`);
    },
    done(final) {
      const end = final ?? last;
      if (tty && bar) out.write(end && !opts.quiet ? `${CLEAR}${describeProgress(end, true)}\n` : CLEAR);
      bar = '';
    },
    logs: {
      write(line: string) {
        if (tty && bar) out.write(`${CLEAR}${line}${line.endsWith('\n') ? '' : '\n'}${bar}`);
        else out.write(line);
        return true;
      },
    },
  };
}
