// Golden tests of the spec linter: each case edits the small fixture spec in one way and the
// diagnostics it produces (ids, positions, messages) are compared with a committed golden file.
// UPDATE_GOLDEN=1 rewrites the golden files.

import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintFiles } from '../../generator/cli.ts';
import { DIAGNOSTICS, formatDiagnostic } from '../../generator/diagnostics.ts';
import { expectGolden } from '../helpers/golden.ts';

const fixture = 'test/fixtures/mini/spec';
const original = readFileSync(join(fixture, 'mini/1.0.0.yaml'), 'utf8');
const goldenDir = 'test/generator/golden/lint';

/** [case, text to find, replacement, ids that must be reported] */
const cases: [string, string, string, string[]][] = [
  ['yaml-syntax', '  Konsultasjon:\n    label: Konsultasjon', '  Konsultasjon:\n   label: Konsultasjon\n    children: [', ['KPR1001']],
  [
    'duplicate-key',
    '      lopenr: { label: Løpenummer, type: integer, use: required }',
    '      lopenr: { label: Løpenummer, type: integer, use: required }\n      lopenr: { label: Igjen, type: integer, use: required }',
    ['KPR1002'],
  ],
  ['unknown-key', '    label: Barn/ungdom', '    lable: Barn/ungdom\n    label: Barn/ungdom', ['KPR1003']],
  ['missing-key', '      nr: { label: Nummer, type: nonNegativeInteger, use: optional }', '      nr: { label: Nummer, use: optional }', ['KPR1004']],
  ['bad-value', 'use: obligatory', 'use: mandatory', ['KPR1006']],
  ['bad-date', 'published: 2026-01-15', 'published: 2026-02-30', ['KPR1101']],
  ['bad-version', 'version: 1.0.0\n', 'version: 1.0.1\n', ['KPR1102']],
  ['unknown-class', '      - Barn: 1', '      - Barn: 1\n      - Foreldre: 0..*', ['KPR1201']],
  ['class-cycle', '    label: Barn/ungdom\n', '    label: Barn/ungdom\n    children:\n      - Konsultasjon: 0..1\n', ['KPR1203']],
  ['bad-cardinality', '      - Konsultasjon: 0..*', '      - Konsultasjon: 2..1', ['KPR1206']],
  ['unknown-codelist', 'codelist: "8524"', 'codelist: "9999"', ['KPR1301']],
  ['unknown-code', 'accept: ["1", "9"]', 'accept: ["1", "7"]', ['KPR1302']],
  ['unknown-key-field', 'fields: [konsultasjonID]', 'fields: [konsultasjonId]', ['KPR1401']],
  ['fixed-type-mismatch', 'lopenr: { label: Løpenummer, type: integer, use: required }', 'lopenr: { label: Løpenummer, type: integer, use: required, fixed: "en" }', ['KPR1501']],
  ['control-unknown-xpath', 'to: /Melding/@uttakDato', 'to: ../@innDatoTid', ['KPR1504']],
  ['bad-exactly-one', '    children:\n      - Barn: 1', '    exactlyOne: [Barn, Maling]\n    children:\n      - Barn: 1', ['KPR1207']],
  [
    'duplicate-rule-id',
    '\nclasses:\n',
    '\nrules:\n  - { id: MINI-2.1, chapter: 2. Om melding, title: Én, text: Tekst., notEnforced: Test. }\n  - { id: MINI-2.1, chapter: 2. Om melding, title: To, text: Tekst to., notEnforced: Test. }\nclasses:\n',
    ['KPR1801'],
  ],
  [
    'unknown-kit-rule',
    '\nclasses:\n',
    '\nrules:\n  - { id: MINI-2.1, chapter: 2. Om melding, title: Én, text: Tekst., enforcedBy: [ REC2009, REC9999 ] }\nclasses:\n',
    ['KPR1802'],
  ],
  [
    'control-on-unused',
    'gammel: { label: Gammel, type: string, use: ignored }',
    'gammel: { label: Gammel, type: string, use: ignored, controls: { required: set-null } }',
    ['KPR1506'],
  ],
];

function lintCase(text: string): string {
  const root = mkdtempSync(join(tmpdir(), 'kpr-lint-'));
  mkdirSync(join(root, 'mini'));
  cpSync(join(fixture, 'codelists'), join(root, 'codelists'), { recursive: true });
  const file = join(root, 'mini/1.0.0.yaml');
  writeFileSync(file, text);
  return lintFiles([file], root)
    .map((d) => formatDiagnostic(d).split(root).join('<spec>'))
    .join('\n');
}

describe('spec lint', () => {
  it('reports nothing on the fixture as committed', () => {
    expect(lintCase(original)).toBe('');
  });

  it.each(cases)('%s', (name, find, replace, ids) => {
    expect(original.includes(find), `case ${name}: the text to replace is not in the fixture`).toBe(true);
    const out = lintCase(original.replace(find, replace));
    for (const id of ids) expect(out).toContain(` ${id}: `);
    const golden = join(goldenDir, `${name}.txt`);
    expectGolden(golden, `${out}\n`);
  });

  it('every diagnostic id in the catalogue has a name, summary and hint', () => {
    for (const d of DIAGNOSTICS.values()) {
      expect(d.id).toMatch(/^KPR\d{4}$/);
      expect(d.name).toMatch(/^[a-z]+(-[a-z]+)*$/);
      expect(d.summary.length).toBeGreaterThan(10);
      expect(d.hint.length).toBeGreaterThan(10);
    }
  });
});
