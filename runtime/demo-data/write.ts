// Writes records as NDJSON to a file or stdout with backpressure: lines are gathered into chunks
// of about 64 KiB and the writer waits for 'drain' whenever the stream's buffer is full, so
// memory stays flat however many records come. A regular file is written to a temporary name
// and renamed at the end, so a reader never sees half an extract.

import { createWriteStream, statSync, unlinkSync, type WriteStream } from 'node:fs';
import { renameIntoPlace } from '../io/atomic.ts';
import { privateWriteStream } from '../io/private.ts';
import { once } from 'node:events';
import { basename, dirname, join } from 'node:path';
import type { Writable } from 'node:stream';

const CHUNK = 64 * 1024;

export interface WriteResult {
  written: number;
  /** True when the reader went away early (e.g. `| head`): not an error for a generator. */
  closedEarly: boolean;
}

/** Where `out` leads: stdout for undefined or '-', the path itself for devices and pipes, else a temp file renamed on success. */
function openTarget(out: string | undefined): { stream: Writable; commit: () => void; abort: () => void } {
  if (out === undefined || out === '-') return { stream: process.stdout, commit: () => {}, abort: () => {} };
  let special = false;
  try {
    special = !statSync(out).isFile();
  } catch {
    special = false; // does not exist yet: a new regular file
  }
  if (special) {
    const stream = createWriteStream(out);
    return { stream, commit: () => {}, abort: () => {} };
  }
  const temp = join(dirname(out), `.${basename(out)}.${process.pid}.tmp`);
  // An extract has the form of personal data (identity numbers, health data): owner-only.
  const stream: WriteStream = privateWriteStream(temp);
  return {
    stream,
    commit: () => renameIntoPlace(temp, out),
    abort: () => {
      try {
        unlinkSync(temp);
      } catch {
        // already gone
      }
    },
  };
}

/** Writes every item as one JSON line. `onRecord` sees each item (for counting and progress). */
export async function writeNdjson<T>(items: Iterable<T>, out: string | undefined, onRecord?: (item: T) => void): Promise<WriteResult> {
  const { stream, commit, abort } = openTarget(out);
  let failure: Error | undefined;
  let closedEarly = false;
  const onError = (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') closedEarly = true;
    else failure = err;
  };
  stream.on('error', onError);
  let written = 0;
  let buffer = '';
  const flush = async () => {
    const ok = stream.write(buffer);
    buffer = '';
    if (!ok && !failure && !closedEarly) {
      // Wait for room, or for the stream to close on an error (which onError has recorded).
      await new Promise<void>((resolve) => {
        const done = () => {
          stream.off('drain', done);
          stream.off('close', done);
          resolve();
        };
        stream.on('drain', done);
        stream.on('close', done);
      });
    }
  };
  try {
    for (const item of items) {
      buffer += `${JSON.stringify(item)}\n`;
      written++;
      onRecord?.(item);
      if (buffer.length >= CHUNK) await flush();
      if (failure) throw failure;
      if (closedEarly) break;
    }
    if (buffer.length > 0 && !closedEarly) await flush();
    if (stream !== process.stdout) {
      stream.end();
      await once(stream, 'close');
    }
    if (failure) throw failure;
    commit();
    return { written, closedEarly };
  } catch (err) {
    if (stream !== process.stdout) stream.destroy();
    abort();
    throw err;
  } finally {
    // stdout stays open after us: keep swallowing a late EPIPE there rather than crash.
    if (stream !== process.stdout) stream.off('error', onError);
  }
}
