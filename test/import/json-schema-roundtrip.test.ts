// The JSON Schema importer's round trip, judged by an independent JSON Schema implementation
// (@cfworker/json-schema, not Ajv): import an example schema (written for this test, not an
// FHI schema) → spec YAML → kpr spec build → the generated schema and the generated standalone
// validator accept and refuse exactly the documents the imported schema does, on seeded mutants
// of a valid document. In draft-07 (definitions), 2019-09 and 2020-12 ($defs) form.
//
// The mutants draw values from a pool that avoids what the formats judge beyond their form
// (2024-02-30, a uuid with urn:uuid:, a space for T): the generated schema checks date, date-time
// and uuid by pattern, the form only. docs/spec-import.md says so.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Validator, type SchemaDraft } from '@cfworker/json-schema';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { buildArtefacts } from '../../generator/build.ts';
import { importJsonSchema } from '../../generator/import/json-schema/import.ts';
import { expectGolden } from '../helpers/golden.ts';

const example = JSON.parse(readFileSync('test/fixtures/json-schema/example-besok.schema.json', 'utf8'));
const valid = JSON.parse(readFileSync('test/fixtures/json-schema/example-besok.valid.json', 'utf8'));
const tmp = mkdtempSync(join(tmpdir(), 'kpr-roundtrip-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The same schema as draft-07 writes it: `definitions`, and the draft-07 meta-schema. */
function asDraft07(s: unknown): unknown {
  const text = JSON.stringify(s)
    .replace(/#\/\$defs\//g, '#/definitions/')
    .replace('"$defs":', '"definitions":');
  return { ...JSON.parse(text), $schema: 'http://json-schema.org/draft-07/schema#' };
}

const variants: [string, SchemaDraft, unknown][] = [
  ['2020-12', '2020-12', example],
  ['2019-09', '2019-09', { ...example, $schema: 'https://json-schema.org/draft/2019-09/schema' }],
  ['draft-07', '7', asDraft07(example)],
];

// Values a mutation may put anywhere: near every bound, length, pattern and enum of the example
// (boundary values drawn from the schema's own constants), and values of every JSON type.
function boundaryValues(schema: unknown): unknown[] {
  const out: unknown[] = [];
  const walk = (n: unknown) => {
    if (!n || typeof n !== 'object') return;
    if (Array.isArray(n)) return n.forEach(walk);
    const o = n as Record<string, unknown>;
    for (const k of ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum']) {
      const b = o[k];
      if (typeof b === 'number') out.push(b - 1, b - 0.5, b, b + 0.5, b + 1);
    }
    for (const k of ['minLength', 'maxLength']) {
      const l = o[k];
      if (typeof l === 'number') for (const n of [l - 1, l, l + 1]) if (n >= 0) out.push('a'.repeat(n), '0'.repeat(n));
    }
    for (const v of (o.enum as unknown[] | undefined) ?? []) out.push(v);
    if (o.const !== undefined) out.push(o.const);
    Object.values(o).forEach(walk);
  };
  walk(schema);
  return out;
}

const POOL = [
  ...boundaryValues(example),
  null,
  true,
  false,
  0,
  -1,
  1,
  1.5,
  '',
  'x',
  'sms',
  '0301',
  '301',
  '01017012345',
  '0101701234',
  '1234567890a',
  '2024-05-10',
  '2024-5-10',
  '2024-05-10T17:08:31+02:00',
  '2024-05-10T17:08:31',
  '2024-05-10T17:08:31.5Z',
  '2024-05-10t17:08:31z',
  '0f8fad5b-d9cb-469f-a165-70867728950e',
  '0F8FAD5B-D9CB-469F-A165-70867728950E',
  '0f8fad5b-d9cb-469f-a165-70867728950',
  [],
  {},
  [{}],
  { stedId: 'S' },
];

type Doc = unknown;
/** Every place in a document: the path to each value. */
function places(doc: Doc, path: (string | number)[] = []): (string | number)[][] {
  const out = [path];
  if (Array.isArray(doc)) for (const [i, v] of doc.entries()) out.push(...places(v, [...path, i]));
  else if (doc && typeof doc === 'object') for (const [k, v] of Object.entries(doc)) out.push(...places(v, [...path, k]));
  return out;
}

type Op = { kind: 'set'; value: unknown } | { kind: 'delete' } | { kind: 'add-member'; name: string; value: unknown } | { kind: 'duplicate' } | { kind: 'empty' };
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.constantFrom(...POOL).map((value) => ({ kind: 'set' as const, value })),
  fc.constant({ kind: 'delete' as const }),
  fc.tuple(fc.constantFrom('ukjent', 'navn', 'status', 'person', 'besok'), fc.constantFrom(...POOL)).map(([name, value]) => ({ kind: 'add-member' as const, name, value })),
  fc.constant({ kind: 'duplicate' as const }),
  fc.constant({ kind: 'empty' as const }),
);

function mutate(doc: Doc, mutations: [number, Op][]): Doc {
  let d = structuredClone(doc);
  for (const [pick, op] of mutations) {
    const all = places(d);
    const path = all[pick % all.length];
    const parentPath = path.slice(0, -1);
    let parent: any = d;
    for (const p of parentPath) parent = parent[p];
    const key = path[path.length - 1];
    const here: any = path.length ? parent[key as never] : d;
    if (op.kind === 'set') {
      if (!path.length) d = structuredClone(op.value);
      else parent[key as never] = structuredClone(op.value);
    } else if (op.kind === 'delete' && path.length) {
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete parent[key as never];
    } else if (op.kind === 'add-member' && here && typeof here === 'object' && !Array.isArray(here)) {
      here[op.name] = structuredClone(op.value);
    } else if (op.kind === 'duplicate' && Array.isArray(here) && here.length) {
      for (let i = 0; i < 50; i++) here.push(structuredClone(here[0]));
    } else if (op.kind === 'empty' && Array.isArray(here)) {
      here.length = 0;
    }
  }
  return d;
}

describe.each(variants)('import → build round trip (%s)', async (name, draft, schema) => {
  const root = join(tmp, name, 'spec');
  mkdirSync(root, { recursive: true });
  const schemaFile = join(tmp, name, 'example.schema.json');
  writeFileSync(schemaFile, JSON.stringify(schema, null, 2));
  const imported = importJsonSchema({ schema: schemaFile, messageType: 'EKSEMPEL_Besok', version: '1', out: root });
  const built = await buildArtefacts(root);
  const generated = JSON.parse(built.files.get('eksempel-besok/1/schema.json') ?? '{}');
  const validatorFile = join(tmp, name, 'validator.js');
  writeFileSync(validatorFile, built.files.get('eksempel-besok/1/validator.js') ?? '');
  const { validateMessage } = (await import(pathToFileURL(validatorFile).href)) as { validateMessage: (d: unknown) => boolean };
  const judgeImported = new Validator(schema as object, draft, false);
  const judgeGenerated = new Validator(generated, '2020-12', false);

  it('imports without errors and builds clean; every draft reads the same', () => {
    expect(imported.diagnostics).toEqual([]);
    expect(built.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    // One golden for all three drafts: definitions and $defs, and the meta-schema, change nothing.
    expectGolden('test/import/golden/example-besok.1.yaml', readFileSync(imported.specFile!, 'utf8'));
  });

  it('all three accept the valid document', () => {
    expect(judgeImported.validate(valid).errors).toEqual([]);
    expect(judgeGenerated.validate(valid).errors).toEqual([]);
    expect(validateMessage(valid)).toBe(true);
  });

  it('the generated schema and validator agree with the imported schema on seeded mutants', () => {
    let accepted = 0;
    let refused = 0;
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(), opArb), { minLength: 1, maxLength: 3 }), (muts) => {
        const doc = mutate(valid, muts);
        const want = judgeImported.validate(doc).valid;
        if (want) accepted++;
        else refused++;
        expect(judgeGenerated.validate(doc).valid, JSON.stringify(doc)).toBe(want);
        expect(validateMessage(doc), JSON.stringify(doc)).toBe(want);
      }),
      { seed: 20261202, numRuns: 2000 },
    );
    // Both answers must be exercised, or the agreement proves little.
    expect(accepted).toBeGreaterThan(100);
    expect(refused).toBeGreaterThan(500);
  });
});
