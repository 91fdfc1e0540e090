// Mappings onto a JSON message type (HST_Avtale 1): rooted at the class one record becomes (one
// `avtale`), checked against the generated schema, applied and validated by the generated
// validator, with the same diagnostics as for HST 56.0.0. The mapping and its source description
// are examples written for the test.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadMapping } from '../../runtime/mapping/apply.ts';
import { compileMappingText } from '../../runtime/mapping/compile.ts';
import { formatMappingDiagnostic } from '../../runtime/mapping/diagnostics.ts';
import { emitMappingModule } from '../../runtime/mapping/emit-ts.ts';
import { REPO_ROOT, runKpr } from '../helpers/cli.ts';

const FILE = join(REPO_ROOT, 'test/fixtures/json-mapping/mapping.yaml');
const mapping = readFileSync(FILE, 'utf8');

const record = {
  id: 'A-1',
  start: '2024-05-10T15:08:31Z',
  journal: 'J-9',
  type: 'PQ',
  status: 'no-show',
  unit: { id: 'HS01', name: 'Helsestasjonen' },
  patient: { fnr: '01017012345', ref: 'P-7' },
};

function check(text: string) {
  return compileMappingText(text, FILE).diagnostics.map((d) => formatMappingDiagnostic(d, false).replace(FILE, 'mapping.yaml'));
}

describe('a mapping onto hst-avtale@1', () => {
  it('compiles, rooted at avtale', () => {
    const r = compileMappingText(mapping, FILE);
    expect(r.diagnostics).toEqual([]);
    expect(r.plan?.rootClass).toBe('avtale');
    expect(r.plan?.target.id).toBe('hst-avtale@1');
  });

  it('maps a record to an avtale the generated validator accepts; a fødselsnummer as a number loses its 0', async () => {
    const m = await loadMapping(FILE, { extractDate: '2024-05-11' });
    const r = m.apply(record);
    expect(r.ok, JSON.stringify(r)).toBe(true);
    expect(r.ok && r.value).toEqual({
      avtaleId: 'A-1',
      datoTid: '2024-05-10T15:08:31Z',
      journalId: 'J-9',
      konsultasjonType: 'PQ',
      oppmoteStatus: 2,
      avdeling: { lokalenhetId: 'HS01', lokalNavn: 'Helsestasjonen' },
      person: { personId: 'P-7', fodselsNr: 1017012345 },
    });
  });

  it('rejects a record whose values the schema refuses, naming the member', async () => {
    const m = await loadMapping(FILE, { extractDate: '2024-05-11' });
    const r = m.apply({ ...record, start: '10.05.2024 17:08' });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.issues.map((i) => i.path)).toContain('/datoTid');
  });

  const mistakes: [string, string, string, RegExp][] = [
    ['unknown member', '  journalId: journal\n', '  journalID: journal\n', /MAP2002.*avtale has no attribute or child "journalID"; did you mean journalId\?/],
    ['a text into a number member', '  oppmoteStatus: { from: status, table: status }\n', '  oppmoteStatus: { const: "1" }\n', /MAP2012.*oppmoteStatus/],
    ['an unknown spec version', 'spec: hst-avtale@1', 'spec: hst-avtale@2', /MAP1004.*hst-avtale@2 has not been generated/],
    [
      'a date where an offset date-time is wanted',
      '  datoTid: start\n',
      '  datoTid: { from: start, transform: local-date }\n',
      /MAP2005: datoTid: a date cannot be sent as a date-time with offset/,
    ],
  ];
  it.each(mistakes)('%s', (_name, from, to, want) => {
    expect(mapping.includes(from)).toBe(true);
    const out = check(mapping.replace(from, to)).join('\n');
    expect(out).toMatch(want);
  });

  it('emits typed TypeScript: mapAvtale returning the generated Avtale type', () => {
    const plan = compileMappingText(mapping, FILE).plan!;
    const ts = emitMappingModule(plan, join(REPO_ROOT, 'test/fixtures/json-mapping/out'));
    expect(ts).toMatch(/import type \{ Avtale \} from "\.\.\/\.\.\/\.\.\/\.\.\/generated\/hst-avtale\/1\/types\.ts";/);
    expect(ts).toContain('export function mapAvtale(record: unknown): Avtale {');
  });

  it('kpr mapping template prints the avtale template', () => {
    const r = runKpr(['mapping', 'template', 'hst-avtale@1']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(readFileSync(join(REPO_ROOT, 'generated/hst-avtale/1/mapping-template.yaml'), 'utf8'));
    expect(r.stdout).toMatch(/^avtale:$/m);
    expect(r.stdout).toContain('# fodselsNr: Fødselsnummer (whole number; as a number this 11-digit identifier loses its leading zeros) 0..1');
  });
});
