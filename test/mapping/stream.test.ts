// mapStream at the edges a line splitter gets wrong: lines longer than a read chunk, multi-byte
// characters across chunk boundaries, CRLF, and a missing final newline. The apply here is the
// identity, so the test is about the streaming alone.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { MapResult } from '../../runtime/mapping/apply.ts';
import { mapStream } from '../../runtime/mapping/stream.ts';

const identity = (record: unknown): MapResult => ({ ok: true, kind: 'konsultasjon', value: record as Record<string, unknown>, warnings: [] });

async function run(lines: string, maxLineBytes?: number) {
  const dir = mkdtempSync(join(tmpdir(), 'kpr-stream-'));
  const input = join(dir, 'in.ndjson');
  writeFileSync(input, lines);
  const counts = await mapStream({ apply: identity, input, out: join(dir, 'out'), rejects: join(dir, 'rej'), maxLineBytes });
  const read = (f: string) => readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean);
  return { counts, out: read('out').map((l) => JSON.parse(l)), rejects: read('rej').map((l) => JSON.parse(l)) };
}

describe('mapStream', () => {
  it('keeps multi-byte characters whole across 1 MiB read chunks', async () => {
    // "ø" is two bytes in UTF-8; the prefixes put one of them across the chunk boundary.
    const long = `xx${'ø'.repeat(700_000)}`; // the first ø at byte 19: one straddles byte 1 048 576
    const r = await run(`${JSON.stringify({ a: 1 })}\n${JSON.stringify({ text: long })}\r\n${JSON.stringify({ b: 2 })}`, 4 << 20);
    expect(r.counts).toMatchObject({ lines: 3, konsultasjoner: 3, rejected: 0 });
    expect(r.out[1].text).toBe(long);
    expect(r.out[2]).toEqual({ b: 2 });
  });

  it('rejects a line longer than the limit without keeping it, also across chunks', async () => {
    const huge = JSON.stringify({ text: 'y'.repeat(3 << 20) });
    const r = await run(`{"a":1}\n${huge}\n{"c":3}\n${huge}`, 1 << 20);
    expect(r.counts).toMatchObject({ lines: 4, konsultasjoner: 2, rejected: 2 });
    expect(r.rejects.map((x) => [x.line, x.rule])).toEqual([
      [2, 'REC1006'],
      [4, 'REC1006'],
    ]);
    expect(r.out).toEqual([{ a: 1 }, { c: 3 }]);
  });

  it('counts a blank line as a rejected line, and a trailing newline as none', async () => {
    const r = await run('{"a":1}\n\n{"b":2}\n');
    expect(r.counts).toMatchObject({ lines: 3, konsultasjoner: 2, rejected: 1 });
    expect(r.rejects[0]).toMatchObject({ line: 2, rule: 'REC1001' });
  });

  it('turns a mapping that throws into a rejection of that line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kpr-stream-'));
    writeFileSync(join(dir, 'in'), '{"a":1}\n{"boom":true}\n');
    const counts = await mapStream({
      apply: (r) => {
        if ((r as { boom?: boolean }).boom) throw new Error('kaboom');
        return identity(r);
      },
      input: join(dir, 'in'),
      out: join(dir, 'out'),
      rejects: join(dir, 'rej'),
    });
    expect(counts).toMatchObject({ lines: 2, konsultasjoner: 1, rejected: 1 });
    expect(JSON.parse(readFileSync(join(dir, 'rej'), 'utf8'))).toMatchObject({ line: 2, rule: 'REC1005' });
  });
});
