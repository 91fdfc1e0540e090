// The differential test: seeded mutants of valid HST Meldinger, judged three ways: the generated
// validator, an independent JSON Schema implementation (@cfworker/json-schema) over the same
// schema.json, and xmllint against the official XSD. Whatever the generated validator accepts,
// the XSD must take (else the kit would send what the receiver refuses); the two JSON Schema
// judges agree, but for what the generated validator adds beyond JSON Schema (identity
// constraints, dates that exist), which only ever refuses more.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Validator } from '@cfworker/json-schema';
import { expect } from 'vitest';
import { validateMelding } from '../../generated/hst/56.0.0/validator.js';
import { toXml } from '../../generated/hst/56.0.0/xml.ts';
import { itOfficial, officialXsd } from '../helpers/reference.ts';
import { prng } from '../helpers/prng.ts';

type Obj = Record<string, any>;
const SEED = 20261202;
const MUTANTS = 600;
const EXTRA_KEYWORDS = new Set(['unique', 'keyref', 'date']);

const example: Obj = JSON.parse(readFileSync('examples/hst/melding.json', 'utf8'));

/** A second valid Melding: two notifications, two kommuner, two results per measurement. */
function second(): Obj {
  const m = structuredClone(example);
  const n2 = structuredClone(m.Notifikasjon[0]);
  n2.notifikasjonGUID = '7d1e2f30-4a5b-4c6d-8e9f-0a1b2c3d4e5f';
  n2.notifikasjonForrigeGUID = m.Notifikasjon[0].notifikasjonGUID;
  n2.notifikasjonLopeNr = '2';
  n2.Konsultasjon[0].konsultasjonID = 'DEMO-K-000002';
  m.Notifikasjon.push(n2);
  m.Kommune.push({ kommuneNr: '4602', Enhet: [{ enhetID: '2' }] });
  m.Notifikasjon[0].Konsultasjon[0].Maling[0].Maleresultat.push({ maleresultatNr: 2, verdi: '5.3', enhet: 'kg' });
  return m;
}

/** Every [object, key] holding a scalar, for mutation. */
function slots(o: unknown, out: [Obj, string][] = []): [Obj, string][] {
  if (Array.isArray(o)) for (const x of o) slots(x, out);
  else if (o && typeof o === 'object') for (const [k, v] of Object.entries(o)) v && typeof v === 'object' ? slots(v, out) : out.push([o as Obj, k]);
  return out;
}

/** Every array of objects, for duplication. */
function lists(o: unknown, out: unknown[][] = []): unknown[][] {
  if (Array.isArray(o)) {
    if (o.length && typeof o[0] === 'object') out.push(o);
    for (const x of o) lists(x, out);
  } else if (o && typeof o === 'object') for (const v of Object.values(o)) lists(v, out);
  return out;
}

const VALUES = [
  '2017-02-30',
  '2017-02-29',
  '2017-04-31',
  '0000-01-01',
  '1899-12-31',
  '9999-12-31',
  '2017-02-29T10:00:00',
  '0000-01-01T00:00:00',
  '2016-02-29T10:00:00+01:00',
  '2016-02-29T10:00:00.5',
  2 ** 53,
  -1,
  100000,
  0,
  '-1',
  'ZZ',
  '',
  'x'.repeat(101),
  '𝔥'.repeat(100),
  ' ',
  'A',
];

function mutate(base: Obj, rnd: () => number): Obj {
  const m = structuredClone(base);
  const pick = <T>(xs: T[]) => xs[Math.floor(rnd() * xs.length)]!;
  const kind = rnd();
  if (kind < 0.3) {
    // Duplicate an element of a list: identity constraints.
    const list = pick(lists(m));
    list.push(structuredClone(pick(list)));
  } else if (kind < 0.45) {
    const [o, k] = pick(slots(m));
    delete o[k];
  } else {
    const [o, k] = pick(slots(m));
    o[k] = pick(VALUES);
  }
  return m;
}

function astralOnly(m: Obj, pointer: string, limit: number): boolean {
  let v: any = m;
  for (const p of pointer.split('/').slice(1)) v = v?.[p];
  return typeof v === 'string' && v.length > limit && [...v].length <= limit;
}

itOfficial(
  `${MUTANTS} seeded mutants (seed ${SEED}): the XSD takes all the generated validator accepts, and the JSON Schema judges agree`,
  () => {
    const schema = JSON.parse(readFileSync('generated/hst/56.0.0/schema.json', 'utf8'));
    const independent = new Validator(schema, '2020-12', false);
    const rnd = prng(SEED);
    const bases = [example, second()];
    for (const b of bases) expect(validateMelding(b), JSON.stringify(validateMelding.errors)).toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'kpr-diff-'));
    const accepted: { file: string; m: Obj }[] = [];
    const disagreements: string[] = [];
    let refusedByKit = 0;
    for (let i = 0; i < MUTANTS; i++) {
      const m = mutate(bases[i % bases.length]!, rnd);
      const kit = validateMelding(m);
      const other = independent.validate(m).valid;
      // The generated validator counts maxLength in UTF-16 units (no run-time helper), the other
      // judge in characters: a text of astral characters is refused by one only. The rule stage
      // counts characters, as the published "max N tegn" does (docs/consequences.md).
      const extras = (validateMelding.errors ?? []).every(
        (e) => EXTRA_KEYWORDS.has(e.keyword) || (e.keyword === 'maxLength' && astralOnly(m, e.instancePath, e.params.limit as number)),
      );
      // Beyond JSON Schema the generated validator only refuses more, never less.
      if (kit && !other) disagreements.push(`#${i}: the generated validator accepts what @cfworker/json-schema refuses`);
      if (!kit && other && !extras) disagreements.push(`#${i}: refused for ${JSON.stringify(validateMelding.errors?.[0])}, which @cfworker/json-schema accepts`);
      if (!kit) {
        refusedByKit++;
        continue;
      }
      let xml: string;
      try {
        xml = toXml(m as never, { declaration: true });
      } catch (err) {
        disagreements.push(`#${i}: valid, but the XML writer refuses it: ${(err as Error).message}`);
        continue;
      }
      const file = join(dir, `m${i}.xml`);
      writeFileSync(file, xml);
      accepted.push({ file, m });
    }
    expect(disagreements).toEqual([]);
    // Both outcomes are exercised: the mutants are neither all valid nor all refused.
    expect(refusedByKit).toBeGreaterThan(MUTANTS / 4);
    expect(accepted.length).toBeGreaterThan(MUTANTS / 10);
    const r = spawnSync('xmllint', ['--noout', '--schema', officialXsd('hst'), ...accepted.map((a) => a.file)], { encoding: 'utf8', maxBuffer: 64 << 20 });
    if (r.error) throw r.error;
    const refused = r.stderr.split('\n').filter((l) => l.endsWith('fails to validate'));
    expect(
      refused,
      r.stderr
        .split('\n')
        .filter((l) => !l.endsWith(' validates'))
        .slice(0, 6)
        .join('\n'),
    ).toEqual([]);
  },
  120_000,
);
