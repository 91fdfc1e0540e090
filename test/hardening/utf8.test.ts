// Bytes that are not UTF-8 reject their line with the byte offset; nothing is replaced with
// U+FFFD. The offset finder is judged against the WHATWG decoder in fatal mode (an independent
// implementation) on random bytes; the sources, `kpr run` and `kpr map` on the bytes.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { passthroughMapper } from '../../runtime/jobs/mapper.ts';
import { transfer } from '../../runtime/jobs/transfer.ts';
import { silentLogger } from '../../runtime/log.ts';
import { mapStream } from '../../runtime/mapping/stream.ts';
import { CommandSource } from '../../runtime/sources/command.ts';
import { FileSource } from '../../runtime/sources/files.ts';
import { byteLines, firstInvalid } from '../../runtime/sources/lines.ts';
import type { SourceLine } from '../../runtime/sources/types.ts';
import { asyncStore } from '../../runtime/store/async.ts';
import { openStore } from '../../runtime/store/open.ts';
import { FakeReceiver, HEADER, identitySealer, rec, STAND_IN_KIT, tmp } from '../runtime/helpers.ts';

const fatal = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const valid = (b: Uint8Array) => {
  try {
    fatal.decode(b);
    return true;
  } catch {
    return false;
  }
};

/** The bytes inside a JSON string: `\xff\xfe\xc3(`. */
const BAD = Buffer.from([0xff, 0xfe, 0xc3, 0x28]);

function lineWith(bytes: Buffer, id: string): Buffer {
  const text = JSON.stringify(rec(id, '2024-05-01T08:00:00Z')).replace('"amming":"1"', '"amming":"1X"');
  const at = text.indexOf('1X') + 1;
  return Buffer.concat([Buffer.from(text.slice(0, at)), bytes, Buffer.from(text.slice(at + 1))]);
}

async function all<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe('finding where bytes stop being UTF-8', () => {
  it('agrees with a fatal WHATWG decoder on random bytes (and on mostly-valid text)', () => {
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 40 }),
      fc
        .tuple(fc.string({ unit: 'grapheme', maxLength: 12 }), fc.uint8Array({ maxLength: 3 }), fc.string({ maxLength: 6 }))
        .map(([a, b, c]) => new Uint8Array(Buffer.concat([Buffer.from(a), b, Buffer.from(c)]))),
    );
    fc.assert(
      fc.property(bytes, (b) => {
        const at = firstInvalid(b);
        expect(at === -1).toBe(valid(b));
        if (at >= 0) {
          // Everything before the offset is UTF-8, and no valid sequence starts at the offset.
          expect(valid(b.subarray(0, at))).toBe(true);
          for (let n = 1; n <= 4 && at + n <= b.length; n++) expect(valid(b.subarray(at, at + n))).toBe(false);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('splits lines on LF only, drops a CR before it, keeps a last line without LF', async () => {
    async function* chunks() {
      yield Buffer.from('a\r\nb');
      yield Buffer.from('c\n\nd');
    }
    expect((await all(byteLines(chunks()))).map((b) => b.toString())).toEqual(['a', 'bc', '', 'd']);
  });
});

describe('a source line that is not UTF-8', () => {
  it('is rejected by the file source with its byte offset; the lines around it are read', async () => {
    const dir = tmp('kpr-utf8-');
    const file = join(dir, 'epj.ndjson');
    const bad = lineWith(BAD, 'K2');
    writeFileSync(
      file,
      Buffer.concat([Buffer.from(`${JSON.stringify(rec('K1', '2024-05-01T08:00:00Z'))}\r\n`), bad, Buffer.from(`\n${JSON.stringify(rec('K3', '2024-05-01T08:00:00Z'))}\n`)]),
    );
    const lines: SourceLine[] = await all(new FileSource(file, 'file').read());
    expect(lines.map((l) => [l.line, l.parseRule ?? 'ok'])).toEqual([
      [1, 'ok'],
      [2, 'REC1007'],
      [3, 'ok'],
    ]);
    expect(lines[1]!.parseError).toBe(`line 2 holds bytes that are not UTF-8 at byte offset ${bad.indexOf(0xff)} (\\xff\\xfe\\xc3\\x28); nothing was read from it`);
  });

  it('is rejected by a command source too', async () => {
    const script = `process.stdout.write(Buffer.from([0x7b,0x22,0x61,0x22,0x3a,0x22,0xc3,0x28,0x22,0x7d,0x0a,0x7b,0x7d,0x0a]))`;
    const lines = await all(new CommandSource([process.execPath, '-e', script], {}, 30, tmp()).read());
    expect(lines.map((l) => [l.line, l.parseRule ?? 'ok'])).toEqual([
      [1, 'REC1007'],
      [2, 'ok'],
    ]);
    expect(lines[0]!.parseError).toMatch(/byte offset 6 \(\\xc3\\x28\\x22\\x7d\)/);
  });

  it('kpr run: the line is held (REC1007), the others are sent, no U+FFFD reaches the receiver, exit 1', async () => {
    const dir = tmp('kpr-utf8-');
    const file = join(dir, 'epj.ndjson');
    writeFileSync(file, Buffer.concat([Buffer.from(`${JSON.stringify(rec('K1', '2024-05-01T08:00:00Z'))}\n`), lineWith(BAD, 'K2'), Buffer.from('\n')]));
    const receiver = new FakeReceiver();
    const store = openStore(join(dir, 'kpr.db'));
    try {
      const s = await transfer(
        {
          store: asyncStore(store),
          kit: STAND_IN_KIT,
          header: HEADER,
          limits: { maxConsultations: 100, maxBytes: 4_000_000, recordsPerTransaction: 100 },
          sender: receiver,
          sealer: identitySealer,
          log: silentLogger,
          mapper: passthroughMapper(STAND_IN_KIT),
          source: new FileSource(file, 'file'),
        },
        { kind: 'run', readSource: true },
      );
      expect(s).toMatchObject({ exitCode: 1, rejectedRecords: 1, notifications: { N: 1 } });
      expect(store.rejections().map((r) => [r.line, r.rule])).toEqual([[2, 'REC1007']]);
    } finally {
      store.close();
    }
    expect(receiver.holdings()).toEqual({ K1: 'active:1' });
    expect(receiver.calls.some((c) => c.xml.toString('utf8').includes('\ufffd'))).toBe(false);
  });

  it('kpr map: the line goes to the rejects with REC1007', async () => {
    const dir = tmp('kpr-utf8-');
    const input = join(dir, 'in.ndjson');
    writeFileSync(input, Buffer.concat([Buffer.from('{"a":1}\n'), Buffer.from('{"a":"'), BAD, Buffer.from('"}\n')]));
    const counts = await mapStream({
      apply: (r) => ({ ok: true, kind: 'konsultasjon', value: r as Record<string, unknown>, warnings: [] }),
      input,
      out: join(dir, 'out'),
      rejects: join(dir, 'rej'),
    });
    expect(counts).toMatchObject({ lines: 2, konsultasjoner: 1, rejected: 1 });
    expect(JSON.parse(readFileSync(join(dir, 'rej'), 'utf8'))).toMatchObject({
      line: 2,
      rule: 'REC1007',
      message: 'line 2 holds bytes that are not UTF-8 at byte offset 6 (\\xff\\xfe\\xc3\\x28)',
    });
    expect(readFileSync(join(dir, 'out'), 'utf8')).toBe('{"a":1}\n');
  });
});
