// The mapping checker against the generated HST 56.0.0 and the demo EPJ's source description:
// one case per kind of mistake, each naming its diagnostic id and the line and column it points at.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileMappingText } from '../../runtime/mapping/compile.ts';
import { formatMappingDiagnostic, MAPPING_DIAGNOSTICS } from '../../runtime/mapping/diagnostics.ts';
import { REPO_ROOT } from '../helpers/cli.ts';

const EXAMPLE = join(REPO_ROOT, 'examples/demo-epj/mapping.yaml');
const example = readFileSync(EXAMPLE, 'utf8');
// Diagnostics name the file as given; a file beside the example finds ./source.schema.json.
const FILE = join(REPO_ROOT, 'examples/demo-epj/case.yaml');

function check(text: string) {
  return compileMappingText(text, FILE).diagnostics.map((d) => ({ ...d, text: formatMappingDiagnostic(d, false).replace(FILE, 'case.yaml') }));
}

/** The example with one substring replaced (which must occur exactly once). */
function edit(from: string, to: string): string {
  expect(example.split(from).length, `"${from}" occurs once`).toBe(2);
  return example.replace(from, to);
}

const lineOf = (text: string, needle: string) => text.slice(0, text.indexOf(needle)).split('\n').length;

describe('the example mapping', () => {
  it('compiles without diagnostics', () => {
    const r = compileMappingText(example, EXAMPLE);
    expect(r.diagnostics).toEqual([]);
    expect(r.plan?.rootClass).toBe('Konsultasjon');
  });
});

describe('mistakes', () => {
  const cases: [string, string, string, string, string][] = [
    // [name, replace this, with this, id, the line (found by this text in the edited file)]
    ['required attribute not mapped', '  konsultasjonID: consultation.id\n  datoTidStart', '  datoTidStart', 'MAP2001', 'Konsultasjon:'],
    [
      'unknown target attribute',
      'konsultasjonID: consultation.id\n  datoTidStart',
      'konsultasjonID: consultation.id\n  konsultasjonsId: consultation.id\n  datoTidStart',
      'MAP2002',
      'konsultasjonsId',
    ],
    ['code not in the target list', "    none: '3'", "    none: '4'", 'MAP2003', "none: '4'"],
    ['table not total over the source enum', '    school: I\n', '', 'MAP2004', 'table: form }'],
    ['UTC time without utc-to-local', '{ from: consultation.startTime, transform: utc-to-local }', 'consultation.startTime', 'MAP2005', 'datoTidStart:'],
    [
      'number into a text',
      "{ from: valueCm, transform: string }\n            enhet: { const: cm }\n    - each: measurements\n      where: type == 'weight'",
      "valueCm\n            enhet: { const: cm }\n    - each: measurements\n      where: type == 'weight'",
      'MAP2005',
      'verdi: valueCm',
    ],
    ['unknown source path', 'barn_ungdomNr: child.patientId', 'barn_ungdomNr: child.patientID', 'MAP2006', 'child.patientID'],
    ['record path inside each without $', 'helsepersonHPR: hpr', 'helsepersonHPR: consultation.unitId', 'MAP2006', 'helsepersonHPR: consultation'],
    ['unknown table', 'table: role }', 'table: roles }', 'MAP2007', 'table: roles'],
    ['unknown transform', 'transform: year }', 'transform: years }', 'MAP2008', 'transform: years'],
    ['bad condition', "where: type == 'height'", "where: type = 'height'", 'MAP2009', "type = 'height'"],
    ['required child not mapped', '  Barn_ungdom:\n    pasientGUID', '  Barn_ungdomX:\n    pasientGUID', 'MAP2010', 'Konsultasjon:'],
    [
      'each on a single child',
      '  Barn_ungdom:\n    pasientGUID: { from: child.patientId, transform: uuid5 }',
      '  Barn_ungdom:\n    each: personnel\n    map:\n      pasientGUID: { from: child.patientId, transform: uuid5 }',
      'MAP2011',
      'each: personnel',
    ],
    ['constant of the wrong type', "typeEnhet: { const: '9' }", 'typeEnhet: { const: 99 }', 'MAP2003', 'const: 99'],
    [
      'whole number constant wanted',
      'maleresultatNr: { const: 1 }\n            verdi: { from: valueGrams',
      "maleresultatNr: { const: 'one' }\n            verdi: { from: valueGrams",
      'MAP2012',
      "'one'",
    ],
    ['unknown rule key', 'amming: { from: breastfeeding, table: breastfeeding', 'amming: { from: breastfeeding, tabel: breastfeeding', 'MAP1005', 'tabel'],
    ['a bare number is not a rule', "typeEnhet: { const: '9' }", 'typeEnhet: 9', 'MAP1006', 'typeEnhet: 9'],
    ['unknown spec version', 'spec: hst@56.0.0', 'spec: hst@99.0.0', 'MAP1004', 'hst@99'],
    ['malformed spec ref', 'spec: hst@56.0.0', 'spec: hst-56', 'MAP1003', 'hst-56'],
    ['YAML syntax', "    M: '1'", "    M: '1\n", 'MAP1001', ''],
  ];

  it.each(cases)('%s → %s', (_name, from, to, id) => {
    const text = edit(from, to);
    const ds = check(text);
    const hit = ds.find((d) => d.id === id);
    expect(hit, ds.map((d) => d.text).join('\n')).toBeDefined();
  });

  it.each(cases.filter((c) => c[4]))('%s points at the line', (_name, from, to, id, needle) => {
    const text = edit(from, to);
    const hit = check(text).find((d) => d.id === id)!;
    expect(hit.line).toBe(lineOf(text, needle));
    expect(hit.col).toBeGreaterThan(0);
  });

  it('prints file:line:col: error id: message, with a hint', () => {
    const text = edit('barn_ungdomNr: child.patientId', 'barn_ungdomNr: child.patientID');
    const d = compileMappingText(text, FILE).diagnostics[0];
    const line = lineOf(text, 'child.patientID');
    expect(formatMappingDiagnostic(d)).toBe(
      `${FILE}:${line}:20: error MAP2006: source path "child.patientID" does not exist in the source description\n  hint: ${MAPPING_DIAGNOSTICS.get('MAP2006')!.hint}`,
    );
  });

  it('warns about an unused table and a required attribute under a condition', () => {
    const text = edit('  role:                            # 8456 Rolle', '  unused: { a: b }\n  role:                            # 8456 Rolle').replace(
      '  konsultasjonID: consultation.id\n',
      "  konsultasjonID: { from: consultation.id, when: 'version == 1' }\n",
    );
    const ds = check(text);
    expect(ds.map((d) => d.id).sort()).toEqual(['MAP2013', 'MAP2014']);
    expect(ds.every((d) => d.severity === 'warning')).toBe(true);
    expect(compileMappingText(text, FILE).plan).toBeDefined();
  });

  it('every catalogued id has a hint and a kebab-case name', () => {
    for (const d of MAPPING_DIAGNOSTICS.values()) {
      expect(d.hint.length).toBeGreaterThan(10);
      expect(d.name).toMatch(/^[a-z]+(-[a-z]+)*$/);
    }
  });
});
