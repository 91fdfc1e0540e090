// The generated JSON writer of kpr map against the judge it must equal byte for byte:
// JSON.stringify, then UTF-8. Demo records (defects included), objects of the mapping's shapes
// holding arbitrary values, texts of any UTF-16 units (lone surrogates, control characters),
// every kind of number, and a whole kpr map run whose lines outgrow the output buffer.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateRecords } from '../../runtime/demo-data/generate.ts';
import { loadMapping, type MapResult } from '../../runtime/mapping/apply.ts';
import { compileMappingFile } from '../../runtime/mapping/compile.ts';
import { generateJsonWriter, writeJsonNumber, writeJsonString, type ByteSink } from '../../runtime/mapping/json-writer.ts';
import { mapStream } from '../../runtime/mapping/stream.ts';
import { REPO_ROOT } from '../helpers/cli.ts';

const MAPPING = join(REPO_ROOT, 'examples/demo-epj/mapping.yaml');
const { plan } = compileMappingFile(MAPPING);
const { write } = generateJsonWriter(plan!);

/** A sink that starts small, so that growing in the middle of an object is exercised too. */
function sink(size = 8): ByteSink {
  return {
    buf: Buffer.alloc(size),
    pos: 0,
    grow(need) {
      const b = Buffer.alloc(Math.max(2 * this.buf.length, this.pos + need));
      this.buf.copy(b, 0, 0, this.pos);
      this.buf = b;
    },
  };
}

const written = (value: Record<string, unknown>, s = sink()) => {
  write(value, s);
  return s.buf.toString('utf8', 0, s.pos);
};

describe('generated JSON writer', () => {
  it('writes every mapped demo record as JSON.stringify does', async () => {
    const mapper = await loadMapping(MAPPING, { extractDate: '2024-12-31' });
    let n = 0;
    for (const r of generateRecords({ children: 60, from: '2017-01-01', to: '2024-12-31', seed: 'writer', badRate: 0.2 })) {
      const res = mapper.apply(r);
      const value = res.ok || res.value ? res.value! : undefined;
      if (!value || (res.ok && res.kind === 'annul')) continue;
      expect(written(value)).toBe(JSON.stringify(value));
      n++;
    }
    expect(n).toBeGreaterThan(300);
  });

  // Objects of the Konsultasjon shape (keys in the spec's order, some left out) holding any
  // values, also ones the mapping never makes. An object where a child is, is always one of
  // that class (the only objects the mapping puts there); anything else may stand there too.
  const text = fc.string({ unit: 'binary', maxLength: 12 });
  const notObject = fc.oneof(
    text,
    fc.double(),
    fc.integer(),
    fc.constant(undefined),
    fc.constant(null),
    fc.boolean(),
    fc.array(fc.oneof(text, fc.constant(undefined)), { maxLength: 2 }),
  );
  const anyValue = fc.oneof(notObject, fc.dictionary(text, text, { maxKeys: 2 }));
  const shape = <T extends Record<string, fc.Arbitrary<unknown>>>(keys: T) => fc.record(keys, { requiredKeys: [] });
  const maleresultat = shape({ maleresultatNr: anyValue, verdi: anyValue, enhet: anyValue });
  const maling = shape({ typeMaling: anyValue, malingDatoTid: anyValue, Maleresultat: fc.oneof(fc.array(fc.oneof(maleresultat, notObject), { maxLength: 2 }), notObject) });
  const konsultasjon = shape({
    konsultasjonID: anyValue,
    datoTidStart: anyValue,
    amming: anyValue,
    Barn_ungdom: fc.oneof(shape({ pasientGUID: anyValue, kjonn: anyValue, fodselsar: anyValue, fid: anyValue }), notObject),
    Helseperson: fc.oneof(fc.array(fc.oneof(shape({ polUtforende: anyValue, helsepersonHPR: anyValue }), notObject), { maxLength: 3 }), notObject),
    Maling: fc.oneof(fc.array(maling, { maxLength: 3 }), notObject),
  });

  it('writes arbitrary values in the mapping’s shapes as JSON.stringify does', () => {
    fc.assert(
      fc.property(konsultasjon, (k) => {
        expect(written(k as Record<string, unknown>)).toBe(JSON.stringify(k));
      }),
      { numRuns: 2000 },
    );
  });

  it('writes any text and any number as JSON.stringify does', () => {
    const b = Buffer.alloc(1024);
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 100 }), (s) => {
        expect(b.subarray(0, writeJsonString(b, 0, s)).equals(Buffer.from(JSON.stringify(s), 'utf8'))).toBe(true);
      }),
      { numRuns: 5000 },
    );
    for (const s of ['\u0000\u001f\u007f"\\\b\f\n\r\t/', '\ud800', '\udc00x', 'x\ud83d', '\ud83d\ude00', 'Høyde', '\u2028\u2029', '\uffff']) {
      expect(b.subarray(0, writeJsonString(b, 0, s)).toString('utf8')).toBe(JSON.stringify(s));
    }
    fc.assert(
      fc.property(fc.oneof(fc.double(), fc.integer(), fc.constantFrom(-0, 0.1 + 0.2, 1e21, 1e-7, 5e-324, Number.MAX_VALUE)), (v) => {
        expect(b.toString('utf8', 0, writeJsonNumber(b, 0, v))).toBe(JSON.stringify(v));
      }),
      { numRuns: 5000 },
    );
  });

  it('streams lines longer than the output buffer whole (kpr map)', async () => {
    const mapper = await loadMapping(MAPPING, { extractDate: '2024-12-31' });
    const dir = mkdtempSync(join(tmpdir(), 'kpr-writer-'));
    const records = [...generateRecords({ children: 3, from: '2020-01-01', to: '2024-12-31', seed: 'long', editRate: 0, deleteRate: 0 })];
    writeFileSync(join(dir, 'in'), `${records.map((r) => JSON.stringify(r)).join('\n')}\n`);
    // Every third result carries a konsultasjonID of 300 000 characters, some of them ø.
    let i = 0;
    const apply = (record: unknown): MapResult => {
      const r = mapper.apply(record);
      if (r.ok && r.kind === 'konsultasjon' && i++ % 3 === 0) r.value.konsultasjonID = 'øx'.repeat(150_000);
      return r;
    };
    const values: string[] = [];
    const counts = await mapStream({
      apply: (record) => {
        const r = apply(record);
        if (r.ok) {
          expect(r.kind === 'annul' || r.write).toBeTruthy();
          values.push(JSON.stringify(r.kind === 'annul' ? { annul: r.value } : r.value));
        }
        return r;
      },
      input: join(dir, 'in'),
      out: join(dir, 'out'),
      rejects: join(dir, 'rej'),
    });
    expect(counts.rejected).toBe(0);
    expect(readFileSync(join(dir, 'out'), 'utf8')).toBe(values.map((v) => `${v}\n`).join(''));
  });
});
