// `kpr map`'s engine: streams an NDJSON extract through a mapping, line by line, into two
// outputs, so that every input line ends in exactly one of them: a Konsultasjon (or an
// annulment) in `out`, or a rejection in `rejects`. Nothing is held but the current chunk; a
// line longer than the limit is rejected without being kept; bad JSON, wrong types or a mapping
// that throws reject that line and never stop the run. Outputs are written to temporary files
// and renamed at the end, so a failed run leaves no half file behind.

import { createReadStream, rmSync, type WriteStream } from 'node:fs';
import { renameIntoPlace } from '../io/atomic.ts';
import { privateWriteStream } from '../io/private.ts';
import { decodeLine } from '../sources/lines.ts';
import { rejectionOf, type MapResult, type Rejection } from './apply.ts';
import type { ByteSink, JsonWriter } from './json-writer.ts';
import type { Issue } from '../rules/issue.ts';

export interface MapCounts {
  lines: number;
  konsultasjoner: number;
  annulments: number;
  rejected: number;
  warnings: number;
}

export interface MapStreamOptions {
  apply: (record: unknown) => MapResult;
  input: string;
  out: string;
  rejects: string;
  /** Where warnings go (one line per record with warnings); not written when absent. */
  warnings?: string;
  /** Longest accepted line in bytes; longer lines are rejected unread. Default 1 MiB. */
  maxLineBytes?: number;
}

/** Bytes gathered before they go to the file; the buffer has room for as many again. */
const FLUSH_AT = 1 << 16;

/**
 * A buffered writer to a temporary file that honours backpressure. Lines are encoded straight
 * into a byte buffer, one at a time: cheaper than joining them into one long string and encoding
 * that (which V8 does slowly as soon as one character in it is not ASCII, such as Høyde's ø).
 */
class Output implements ByteSink {
  buf = Buffer.allocUnsafe(2 * FLUSH_AT);
  pos = 0;
  private readonly stream: WriteStream;
  readonly tmp: string;
  private failed?: Error;

  constructor(readonly path: string) {
    this.tmp = `${path}.tmp-${process.pid}`;
    // Consultations and rejects hold personal data: owner-only.
    this.stream = privateWriteStream(this.tmp, { highWaterMark: 1 << 20 });
    this.stream.on('error', (err) => (this.failed = err));
  }

  /** Adds a line; returns a promise only when the buffer went to the file and the file is full. */
  line(s: string): Promise<void> | undefined {
    // At most three bytes per UTF-16 unit (a surrogate pair is four bytes for two units).
    const most = 3 * s.length + 1;
    if (this.pos + most > this.buf.length) this.grow(most);
    this.pos += this.buf.write(s, this.pos, 'utf8');
    return this.endLine();
  }

  /** Adds a line that `write` writes as JSON; as `line`, returns a promise only to wait for the file. */
  json(write: JsonWriter, value: Record<string, unknown>): Promise<void> | undefined {
    const start = this.pos;
    try {
      write(value, this);
    } catch (err) {
      this.pos = start;
      throw err;
    }
    return this.endLine();
  }

  /** Ends the line; once enough is gathered, hands it to the file (and says when to wait). */
  private endLine(): Promise<void> | undefined {
    if (this.pos === this.buf.length) this.grow(1);
    this.buf[this.pos++] = 10;
    if (this.pos < FLUSH_AT) return undefined;
    return this.send() ? undefined : this.drained();
  }

  /** Room for `need` more bytes in the middle of a line: a larger buffer, the line so far copied. */
  grow(need: number): void {
    const bigger = Buffer.allocUnsafe(Math.max(2 * this.buf.length, this.pos + need));
    this.buf.copy(bigger, 0, 0, this.pos);
    this.buf = bigger;
  }

  /** Hands the gathered bytes to the file stream (which keeps them: a new buffer follows). */
  private send(): boolean {
    if (this.failed) throw this.failed;
    if (!this.pos) return true;
    const ok = this.stream.write(this.buf.subarray(0, this.pos));
    this.buf = Buffer.allocUnsafe(2 * FLUSH_AT);
    this.pos = 0;
    return ok;
  }

  private drained(): Promise<void> {
    return new Promise<void>((resolve) => this.stream.once('drain', resolve));
  }

  async flush(): Promise<void> {
    if (!this.send()) await this.drained();
  }

  async close(): Promise<void> {
    await this.flush();
    await new Promise<void>((resolve, reject) => {
      this.stream.once('error', reject);
      this.stream.end(resolve);
    });
    if (this.failed) throw this.failed;
  }

  commit(): void {
    renameIntoPlace(this.tmp, this.path);
  }

  discard(): void {
    this.stream.destroy();
    rmSync(this.tmp, { force: true });
  }
}

function reject(rule: string, message: string, line: number, sourceId?: string): Rejection {
  return { sourceId, line, path: '', rule, message, consequence: 'discard-row' };
}

/**
 * Maps one line of text; never throws. The output is `out`, a JSON text, or `value` with the
 * mapping's `write` that writes its JSON text (the same, faster).
 */
export function mapLine(
  apply: (record: unknown) => MapResult,
  text: string,
  line: number,
): { out?: string; value?: Record<string, unknown>; write?: JsonWriter; reject?: Rejection; warnings?: Issue[]; annul?: boolean } {
  let record: unknown;
  try {
    record = JSON.parse(text);
  } catch (err) {
    return { reject: reject('REC1001', `line ${line} is not JSON: ${(err as Error).message}`, line) };
  }
  if (record === null || typeof record !== 'object' || Array.isArray(record)) {
    return { reject: reject('REC1002', `line ${line} is not a JSON object`, line) };
  }
  let r: MapResult;
  try {
    r = apply(record);
  } catch (err) {
    return { reject: reject('REC1005', `the mapping failed on line ${line}: ${(err as Error).message}`, line) };
  }
  if (!r.ok) return { reject: rejectionOf(r.issues, r.sourceId, line) };
  if (r.kind === 'annul') return { out: JSON.stringify({ annul: r.value }), annul: true };
  const warnings = r.warnings.length ? r.warnings : undefined;
  return r.write ? { value: r.value, write: r.write, warnings } : { out: JSON.stringify(r.value), warnings };
}

export async function mapStream(opts: MapStreamOptions): Promise<MapCounts> {
  const max = opts.maxLineBytes ?? 1 << 20;
  const counts: MapCounts = { lines: 0, konsultasjoner: 0, annulments: 0, rejected: 0, warnings: 0 };
  const out = new Output(opts.out);
  const rejects = new Output(opts.rejects);
  const warnings = opts.warnings ? new Output(opts.warnings) : undefined;
  const outputs = [out, rejects, ...(warnings ? [warnings] : [])];

  const handle = async (raw: Buffer | undefined, bytes: number) => {
    const line = ++counts.lines;
    if (raw === undefined) {
      counts.rejected++;
      await rejects.line(JSON.stringify(reject('REC1006', `line ${line} has ${bytes} bytes, more than the limit of ${max}`, line)));
      return;
    }
    // Bytes that are not UTF-8 reject the line; decoding them would put U+FFFD in the output.
    const decoded = decodeLine(raw);
    if (!('text' in decoded)) {
      counts.rejected++;
      await rejects.line(JSON.stringify(reject('REC1007', `line ${line} holds bytes that are not UTF-8 at byte offset ${decoded.badAt} (${decoded.bytes})`, line)));
      return;
    }
    const text = decoded.text;
    const r = mapLine(opts.apply, text, line);
    if (r.reject) {
      counts.rejected++;
      await rejects.line(JSON.stringify(r.reject));
      return;
    }
    if (r.annul) counts.annulments++;
    else counts.konsultasjoner++;
    if (r.write) await out.json(r.write, r.value!);
    else await out.line(r.out!);
    if (r.warnings) {
      counts.warnings += r.warnings.length;
      if (warnings) await warnings.line(JSON.stringify({ line, warnings: r.warnings }));
    }
  };

  try {
    // Split on newline bytes (never inside a UTF-8 sequence), keeping at most one partial line.
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let tooLong = false;
    const input = createReadStream(opts.input, { highWaterMark: 1 << 20 });
    for await (const chunk of input as AsyncIterable<Buffer>) {
      let start = 0;
      for (;;) {
        const nl = chunk.indexOf(10, start);
        if (nl < 0) break;
        const bytes = pendingBytes + (nl - start);
        if (tooLong || bytes > max) await handle(undefined, bytes);
        else if (pending.length) await handle(Buffer.concat([...pending, chunk.subarray(start, nl)]), bytes);
        else await handle(chunk.subarray(start, nl), bytes);
        pending = [];
        pendingBytes = 0;
        tooLong = false;
        start = nl + 1;
      }
      if (start < chunk.length) {
        pendingBytes += chunk.length - start;
        if (pendingBytes > max) {
          tooLong = true;
          pending = [];
        } else pending.push(chunk.subarray(start));
      }
    }
    if (pendingBytes > 0) {
      // The last line had no newline: still a line.
      if (tooLong) await handle(undefined, pendingBytes);
      else await handle(Buffer.concat(pending), pendingBytes);
    }
    for (const o of outputs) await o.close();
  } catch (err) {
    for (const o of outputs) o.discard();
    throw err;
  }
  for (const o of outputs) o.commit();
  return counts;
}
