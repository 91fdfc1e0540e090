// Property-based round trips: for random valid Meldinger derived from the HST and IPLOS specs,
// fromXml(toXml(m)) equals m; every generated Melding is valid by the emitted JSON Schema (so the
// property is about valid input), and a sample of the XML is valid by xmllint and the official XSD.

import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emitJsonSchema } from '../../generator/emit/json-schema.ts';
import { Splice, type SerialisedElement } from '../../runtime/xml/write.ts';
import { itOfficial, officialXsd } from '../helpers/reference.ts';
import { meldingArb } from './arbitrary.ts';
import { emitTree, importCodec, loadSpec, REPO, requireXmllint, xmllint, type Codec } from './helpers.ts';

const MESSAGES = [
  { message: 'hst' as const, yaml: join(REPO, 'spec/hst/56.0.0.yaml') },
  { message: 'iplos' as const, yaml: join(REPO, 'spec/iplos/56.0.0.yaml') },
];
// Fixed seed: a failure is reproducible; the runs still cover new ground when the spec changes.
const SEED = 20260201;

for (const { message, yaml } of MESSAGES) {
  describe(`${message} 56.0.0 property-based round trips`, () => {
    const spec = loadSpec(join(REPO, 'spec'), yaml);
    const arb = meldingArb(spec);
    let codec: Codec;
    let root: string;
    const work = mkdtempSync(join(tmpdir(), `kpr-xml-prop-${message}-`));
    beforeAll(async () => {
      const t = await emitTree(spec);
      root = t.root;
      codec = await importCodec(t.dir);
    });
    afterAll(() => {
      rmSync(root, { recursive: true, force: true });
      rmSync(work, { recursive: true, force: true });
    });

    it('generated Meldinger are valid by the JSON Schema', () => {
      const ajv = new Ajv2020.default({ allErrors: true, strict: false });
      addFormats.default(ajv);
      const validate = ajv.compile(emitJsonSchema(spec));
      fc.assert(
        fc.property(arb, (m) => {
          if (!validate(m)) throw new Error(JSON.stringify(validate.errors?.slice(0, 3)));
        }),
        { numRuns: 50, seed: SEED },
      );
    });

    it('an element written on its own (elementToXml) stands in for its object, and only where it belongs', () => {
      // Every element two levels below the root (e.g. each Konsultasjon of each Notifikasjon) is
      // replaced by its written form: the Melding's XML must not change.
      const written = (m: Record<string, unknown>) => {
        let replaced = 0;
        const copy = structuredClone(m);
        const isElement = (x: unknown) => typeof x === 'object' && x !== null && !Array.isArray(x);
        const write = (key: string, x: unknown) => (replaced++, codec.elementToXml(key, x));
        for (const children of Object.values(copy)) {
          for (const child of (Array.isArray(children) ? children : [children]).filter(isElement) as Record<string, unknown>[]) {
            for (const [key, value] of Object.entries(child)) {
              if (Array.isArray(value)) child[key] = value.map((x) => write(key, x));
              else if (isElement(value)) child[key] = write(key, value);
            }
          }
        }
        return { copy, replaced };
      };
      let total = 0;
      fc.assert(
        fc.property(arb, (m) => {
          const { copy, replaced } = written(m as Record<string, unknown>);
          total += replaced;
          expect(codec.toXml(copy)).toBe(codec.toXml(m));
        }),
        { numRuns: 100, seed: SEED },
      );
      expect(total).toBeGreaterThan(0);
      // A written element where another belongs is an error, not XML in the wrong place.
      const sample = fc.sample(arb, { numRuns: 20, seed: SEED }).find((m) => Object.values(m as object).some((v) => Array.isArray(v) && v.length)) as Record<string, unknown>;
      const [key, list] = Object.entries(sample).find(([, v]) => Array.isArray(v) && v.length) as [string, unknown[]];
      const other = codec.ELEMENT_ORDER[spec.root]!.find((k) => k !== key)!;
      expect(() => codec.elementToXml(key, 42)).toThrow(codec.XmlCodecError);
      expect(() => codec.toXml({ ...sample, [other]: [codec.elementToXml(key, list[0])] })).toThrow(/stands where/);
    });

    it('elements spliced in as bytes (Splice) give the bytes of the Melding written whole', () => {
      // Every element two levels below the root is held by a Splice (in JSON order, which is not
      // always the writer's order); the spliced bytes must be the UTF-8 of toXml(m).
      let held = 0;
      fc.assert(
        fc.property(arb, (m) => {
          const splice = new Splice();
          const copy = structuredClone(m) as Record<string, unknown>;
          const isElement = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
          const hold = (key: string, x: unknown) => (held++, splice.hold(codec.elementToXml(key, x) as SerialisedElement));
          for (const children of Object.values(copy)) {
            for (const child of (Array.isArray(children) ? children : [children]).filter(isElement)) {
              for (const [key, value] of Object.entries(child)) {
                if (Array.isArray(value)) child[key] = value.map((x) => hold(key, x));
                else if (isElement(value)) child[key] = hold(key, value);
              }
            }
          }
          expect(splice.bytes(codec.toXml(copy)).equals(Buffer.from(codec.toXml(m), 'utf8'))).toBe(true);
        }),
        { numRuns: 100, seed: SEED },
      );
      expect(held).toBeGreaterThan(0);
    });

    it('fromXml(toXml(m)) equals m', () => {
      fc.assert(
        fc.property(arb, (m) => {
          expect(codec.fromXml(codec.toXml(m))).toEqual(m);
        }),
        { numRuns: 150, seed: SEED },
      );
    });

    it('the XML does not depend on the order of the JSON keys', () => {
      // Rebuild every object with its keys in an order drawn from `seed`.
      const shuffle = (v: unknown, seed: number): unknown => {
        if (Array.isArray(v)) return v.map((x, i) => shuffle(x, seed + i));
        if (!v || typeof v !== 'object') return v;
        const entries = Object.entries(v);
        let r = seed;
        for (let i = entries.length - 1; i > 0; i--) {
          r = (r * 1103515245 + 12345) >>> 0;
          const j = r % (i + 1);
          [entries[i], entries[j]] = [entries[j], entries[i]];
        }
        return Object.fromEntries(entries.map(([k, x]) => [k, shuffle(x, r + k.length)]));
      };
      fc.assert(
        fc.property(arb, fc.nat(), (m, seed) => {
          expect(codec.toXml(shuffle(m, seed))).toBe(codec.toXml(m));
        }),
        { numRuns: 50, seed: SEED },
      );
    });

    itOfficial('a sample of the generated XML is valid by xmllint and the official XSD', () => {
      requireXmllint();
      const sample = fc.sample(arb, { numRuns: 25, seed: SEED + 1 });
      const files = sample.map((m, i) => {
        const file = join(work, `sample-${i}.xml`);
        writeFileSync(file, codec.toXml(m as never));
        return file;
      });
      expect(xmllint(officialXsd(message), files)).toBe('');
    });
  });
}
