// Golden tests of the spec linter on JSON message types (kind: json): each case edits the small
// example fixture in one way; the diagnostics (ids, positions, messages) are compared with a
// committed golden file. The XML fixture must not take the JSON-only keys either.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintFiles } from '../../generator/cli.ts';
import { formatDiagnostic } from '../../generator/diagnostics.ts';
import { expectGolden } from '../helpers/golden.ts';

const jsonFile = 'test/fixtures/json-mini/spec/ekko/1.yaml';
const json = readFileSync(jsonFile, 'utf8');
const xml = readFileSync('test/fixtures/mini/spec/mini/1.0.0.yaml', 'utf8');
const goldenDir = 'test/generator/golden/lint-json';

/** [case, which fixture, text to find, replacement, ids that must be reported] */
const cases: [string, 'json' | 'xml', string, string, string[]][] = [
  [
    'missing-provenance',
    'json',
    'aktiv: { label: Aktiv, type: boolean, use: optional, provenance: { status: inferred, source: eksempel } }',
    'aktiv: { label: Aktiv, type: boolean, use: optional }',
    ['KPR1601'],
  ],
  ['missing-class-provenance', 'json', '    label: Merknad\n    provenance: { status: inferred, source: eksempel }\n', '    label: Merknad\n', ['KPR1601']],
  [
    'unknown-source',
    'json',
    'aktiv: { label: Aktiv, type: boolean, use: optional, provenance: { status: inferred, source: eksempel } }',
    'aktiv: { label: Aktiv, type: boolean, use: optional, provenance: { status: inferred, source: swagger } }',
    ['KPR1602'],
  ],
  ['bad-provenance-status', 'json', '{ status: inferred, source: eksempel } }\n  merknad', '{ status: guessed, source: eksempel } }\n  merknad', ['KPR1006']],
  ['json-without-message-type', 'json', 'messageType: EKKO_Test\n', '', ['KPR1004']],
  ['json-with-namespace', 'json', 'body: array\n', 'body: array\nnamespace: http://example.org/ekko\n', ['KPR1603']],
  ['json-with-controls', 'json', 'dag: { label: Dag, type: date, use: optional,', 'dag: { label: Dag, type: date, use: optional, controls: { required: none },', ['KPR1603']],
  ['digits-not-integer', 'json', 'navn: { label: Navn, type: string,', 'navn: { label: Navn, type: string, digits: 4,', ['KPR1604']],
  ['bad-range', 'json', 'minimum: 0, exclusiveMaximum: 1', 'minimum: 2, exclusiveMaximum: 1', ['KPR1605']],
  ['range-on-text', 'json', 'maxLength: 40,', 'maxLength: 40, maximum: 3,', ['KPR1605']],
  ['enum-type-mismatch', 'json', 'enum: [1, 2, 3]', 'enum: [1, "to", 3]', ['KPR1606']],
  ['xml-with-json-type', 'xml', 'lopenr: { label: Løpenummer, type: integer, use: required }', 'lopenr: { label: Løpenummer, type: number, use: required }', ['KPR1603']],
  [
    'xml-with-provenance',
    'xml',
    'lopenr: { label: Løpenummer, type: integer, use: required }',
    'lopenr: { label: Løpenummer, type: integer, use: required, provenance: { status: inferred, source: x } }',
    ['KPR1603'],
  ],
  ['xml-version-form', 'xml', 'version: 1.0.0\n', 'version: "1"\n', ['KPR1006']],
];

function lintCase(kind: 'json' | 'xml', text: string): string {
  const root = mkdtempSync(join(tmpdir(), 'kpr-lint-json-'));
  const file = kind === 'json' ? join(root, 'ekko/1.yaml') : join(root, 'mini/1.0.0.yaml');
  mkdirSync(join(file, '..'));
  if (kind === 'xml') cpSync('test/fixtures/mini/spec/codelists', join(root, 'codelists'), { recursive: true });
  writeFileSync(file, text);
  return lintFiles([file], root)
    .map((d) => formatDiagnostic(d).split(root).join('<spec>'))
    .join('\n');
}

describe('spec lint on JSON message types', () => {
  it('reports nothing on the example fixture as committed', () => {
    expect(lintCase('json', json)).toBe('');
  });

  it.each(cases)('%s', (name, kind, find, replace, ids) => {
    const original = kind === 'json' ? json : xml;
    expect(original.includes(find), `case ${name}: the text to replace is not in the fixture`).toBe(true);
    const out = lintCase(kind, original.replace(find, replace));
    for (const id of ids) expect(out).toContain(` ${id}: `);
    const golden = join(goldenDir, `${name}.txt`);
    expectGolden(golden, `${out}\n`);
  });
});
