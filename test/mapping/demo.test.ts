// The example mapping over synthetic demo-EPJ data: no rejection but the deliberately bad
// records, each bad record rejected for what is wrong with it, and every Melding built from the
// output valid against the official XSD (xmllint as the independent judge). Then `kpr map` as a
// user runs it, over an extract with malformed lines: every line ends in exactly one output.
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateRecords } from '../../runtime/demo-data/generate.ts';
import type { DemoRecord } from '../../runtime/demo-data/record.ts';
import { loadMapping, type Mapper, type MapResult } from '../../runtime/mapping/apply.ts';
import { POLICY } from '../../runtime/rules/policy.ts';
import { xsdLevelValidator } from '../../runtime/message/xsd-level.ts';
import { heldBack } from '../helpers/expected.ts';
import { MESSAGES } from '../../generated/index.ts';
import { runKpr, REPO_ROOT } from '../helpers/cli.ts';
import { itOfficial, xmllint } from '../helpers/reference.ts';
import { toXml } from '../../generated/hst/56.0.0/xml.ts';
import type { Konsultasjon, Melding } from '../../generated/hst/56.0.0/types.ts';

const MAPPING = join(REPO_ROOT, 'examples/demo-epj/mapping.yaml');
const OPTS = { children: 120, from: '2019-01-01', to: '2024-12-31', seed: 11, badRate: 0.03 } as const;
const EXTRACT_DATE = '2024-12-31';

/** The rules each kind of deliberate fault must be found by. */
const EXPECTED_RULES: Record<string, string[]> = {
  'invalid-fnr': ['REC4001'],
  'unknown-code': ['REC1101'],
  'future-date': ['REC3001'],
  'missing-field': ['REC2001'],
};

let mapper: Mapper;
let records: DemoRecord[];
let results: MapResult[];

beforeAll(async () => {
  mapper = await loadMapping(MAPPING, { extractDate: EXTRACT_DATE });
  records = [...generateRecords(OPTS)];
  results = records.map((r) => mapper.apply(r));
});

/** A minimal valid Melding around mapped Konsultasjoner: one N notification each. */
function melding(ks: Konsultasjon[], lopenr: number): Melding {
  const units = new Map<string, Set<string>>();
  for (const k of ks)
    for (const r of k.RefEnhet ?? []) {
      const kommune = r.enhetID.split('-')[1];
      units.set(kommune, (units.get(kommune) ?? new Set()).add(r.enhetID));
    }
  let previous = randomUUID();
  return {
    versjon: '56.0.0',
    meldingstype: 'E',
    fraDatoPeriode: OPTS.from,
    tilDatoPeriode: OPTS.to,
    uttakDato: EXTRACT_DATE,
    leverandor: 'kpr-kit',
    navnEPJ: 'Demo EPJ',
    versjonEPJ: '1.0',
    versjonUt: '0.1.0',
    lopenr,
    Notifikasjon: ks.map((k, i) => {
      const guid = randomUUID();
      const n = {
        statusNotifikasjon: 'N' as const,
        notifikasjonTid: '2024-12-31T23:00:00',
        notifikasjonGUID: guid,
        notifikasjonForrigeGUID: previous,
        notifikasjonLopeNr: String(i + 1),
        Konsultasjon: [k],
      };
      previous = guid;
      return n;
    }),
    Kontaktperson: [{ kontPerson: 'Kari Kontakt', meldEpost1: 'kari@example.invalid', typeKontaktperson: '1' }],
    Kommune: [...units].map(([kommuneNr, ids]) => ({ kommuneNr, Enhet: [...ids].map((enhetID) => ({ enhetID })) })),
  } as unknown as Melding;
}

describe('the example mapping over demo data', () => {
  it('holds back exactly the bad records the receiver would discard, and sends the rest with a warning', () => {
    expect(records.length).toBeGreaterThan(500);
    const defects = records.filter((r) => '_defect' in r && r._defect) as (DemoRecord & { _defect: string })[];
    expect(defects.length).toBeGreaterThan(10);
    const outcomes = new Set<string>();
    for (let i = 0; i < records.length; i++) {
      const r = records[i] as DemoRecord & { _defect?: string };
      const res = results[i];
      if (!r._defect) {
        expect(res.ok, `${r.recordId}: ${JSON.stringify(!res.ok && res.issues)}`).toBe(true);
        if (res.ok)
          expect(
            res.warnings.filter((w) => w.rule !== 'REC4006'),
            r.recordId,
          ).toEqual([]);
        continue;
      }
      const found = res.ok ? res.warnings : res.issues;
      expect(
        found.some((x) => EXPECTED_RULES[r._defect!].includes(x.rule)),
        `${r._defect}: ${JSON.stringify(found)}`,
      ).toBe(true);
      expect(res.ok, `${r.recordId} (${r._defect}) ${res.ok ? 'was sent' : 'was held back'}: ${JSON.stringify(found)}`).toBe(!heldBack(r as never));
      if (res.ok) {
        // Sent: every finding is one the receiver logs or overwrites, and says which.
        for (const w of res.warnings) {
          expect(w.severity).toBe('warning');
          expect(POLICY[w.consequence].action, JSON.stringify(w)).not.toBe('held');
          expect(w.action).toBe(POLICY[w.consequence].action);
        }
        outcomes.add(res.warnings.some((w) => w.action === 'substituted') ? 'substituted' : 'sent');
      } else {
        expect(res.issues.some((x) => x.action === 'held')).toBe(true);
        outcomes.add('held');
      }
    }
    expect(outcomes.has('held') && outcomes.has('sent')).toBe(true);
  });

  it('sends the value the receiver would set, naming the original, and the XSD takes it', () => {
    const i = records.findIndex((r) => !('deleted' in r) && !('_defect' in r && r._defect) && (r as any).personnel?.length);
    const spoiled = structuredClone(records[i]) as any;
    spoiled.personnel[0].profession = 'SOSIONOM'; // polUtforende: "Sett verdi til -1" for an unknown code
    const res = mapper.apply(spoiled);
    expect(res.ok, JSON.stringify(res)).toBe(true);
    if (!res.ok || res.kind !== 'konsultasjon') return;
    expect((res.value.Helseperson as any[])[0].polUtforende).toBe('-1');
    expect(res.warnings).toMatchObject([{ path: '/Helseperson/0/polUtforende', rule: 'REC1101', consequence: 'set-minus-one', action: 'substituted', original: 'SOSIONOM' }]);
    expect(res.warnings[0].message).toContain('sent as "-1" instead of "SOSIONOM" (Sett verdi til -1)');
    const file = join(mkdtempSync(join(tmpdir(), 'kpr-subst-')), 'm.xml');
    writeFileSync(file, toXml(melding([res.value as unknown as Konsultasjon], 1), { declaration: true }));
    expect(xmllint(file, 'hst')).toBe('');
  });

  it('maps tombstones to annulments naming the consultation', () => {
    const annuls = results.filter((r) => r.ok && r.kind === 'annul');
    expect(annuls.length).toBeGreaterThan(0);
    for (const a of annuls) expect(Object.keys(a.ok ? a.value : {})).toEqual(['konsultasjonID']);
  });

  it('turns UTC times into Oslo time and vendor codes into KPR codes', () => {
    const i = records.findIndex((r) => !('deleted' in r) && !('_defect' in r && r._defect));
    const src = records[i] as any;
    const k = (results[i] as any).value as Konsultasjon;
    expect(k.konsultasjonID).toBe(src.consultation.id);
    const utc = new Date(src.consultation.startTime);
    const local = new Date(`${k.datoTidStart}Z`);
    expect([3_600_000, 7_200_000]).toContain(local.getTime() - utc.getTime());
    expect(k.Barn_ungdom.fodselsar).toBe(Number(src.child.birthDate.slice(0, 4)));
    expect(k.Barn_ungdom.kjonn).toBe({ M: '1', F: '2' }[src.child.sex as 'M' | 'F']);
    expect(k.Helseperson?.length).toBe(src.personnel.length);
  });

  itOfficial('produces Meldinger that validate against the official XSD, the records sent with a warning too', () => {
    const validateMelding = xsdLevelValidator(MESSAGES['hst@56.0.0']!.schemaFile);
    const ks = results.flatMap((r) => (r.ok && r.kind === 'konsultasjon' ? [r.value as unknown as Konsultasjon] : []));
    const dir = mkdtempSync(join(tmpdir(), 'kpr-map-xsd-'));
    const size = Math.ceil(ks.length / 3);
    for (let b = 0; b * size < ks.length; b++) {
      const m = melding(ks.slice(b * size, (b + 1) * size), b + 1);
      expect(validateMelding(m), JSON.stringify(validateMelding.errors?.slice(0, 3))).toBe(true);
      const file = join(dir, `melding-${b}.xml`);
      writeFileSync(file, toXml(m, { declaration: true }));
      expect(xmllint(file, 'hst')).toBe('');
    }
  });
});

describe('kpr map', () => {
  it('puts every line in exactly one output, rejects malformed lines by number, and never crashes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kpr-map-cli-'));
    const good = records
      .filter((r) => !('_defect' in r && r._defect))
      .slice(0, 40)
      .map((r) => JSON.stringify(r));
    const bad = JSON.stringify({ ...(records.find((r) => '_defect' in r && r._defect === 'invalid-fnr') as object) });
    const lines = [
      ...good.slice(0, 10),
      '{"recordId": "broken", ', //                         11: bad JSON
      '[1, 2, 3]', //                                       12: not an object
      JSON.stringify({ recordId: 'R-types', consultation: 'x', child: 7, personnel: { a: 1 }, measurements: 'many' }), // 13: wrong types
      'x'.repeat(5000), //                                  14: too long
      '', //                                                15: blank
      bad, //                                               16: a defective record
      ...good.slice(10), //                                 17..46
    ];
    const input = join(dir, 'epj.ndjson');
    writeFileSync(input, lines.join('\n')); // no newline after the last line: still a line
    const out = join(dir, 'k.ndjson');
    const rejects = join(dir, 'rejects.ndjson');
    const r = runKpr(['map', '--mapping', MAPPING, '--in', input, '--out', out, '--rejects', rejects, '--extract-date', EXTRACT_DATE, '--max-line-bytes', '4096']);
    expect(r.code, r.stderr).toBe(1);
    const outLines = readFileSync(out, 'utf8').split('\n').filter(Boolean);
    const rejLines = readFileSync(rejects, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    expect(outLines.length + rejLines.length).toBe(lines.length);
    expect(rejLines.map((x) => [x.line, x.rule])).toEqual([
      [11, 'REC1001'],
      [12, 'REC1002'],
      [13, expect.stringMatching(/^(REC2|REC1101|REC1103)/)],
      [14, 'REC1006'],
      [15, 'REC1001'],
      [16, 'REC4001'],
    ]);
    expect(rejLines[2].sourceId).toBe('R-types');
    expect(rejLines[5].consequence).toBeDefined();
    expect(r.stderr).toMatch(new RegExp(`${lines.length} lines: ${outLines.length - 0} konsultasjoner, 0 annulments, 6 rejected`));
    // The fødselsnummer of the rejected record is not echoed anywhere on the terminal.
    expect(r.stderr).not.toContain(JSON.parse(bad).child.nationalId);
  });

  it('exits 0 when nothing was rejected, and 2 on a broken mapping with nothing written', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kpr-map-cli-'));
    const input = join(dir, 'epj.ndjson');
    writeFileSync(
      input,
      records
        .filter((r) => !('_defect' in r && r._defect))
        .slice(0, 5)
        .map((r) => `${JSON.stringify(r)}\n`)
        .join(''),
    );
    const ok = runKpr(['map', '--mapping', MAPPING, '--in', input, '--out', join(dir, 'k'), '--rejects', join(dir, 'r'), '--extract-date', EXTRACT_DATE]);
    expect(ok.code, ok.stderr).toBe(0);
    const broken = join(dir, 'broken.yaml');
    writeFileSync(
      broken,
      readFileSync(MAPPING, 'utf8').replace('table: role }', 'table: roles }').replace('./source.schema.json', join(REPO_ROOT, 'examples/demo-epj/source.schema.json')),
    );
    const bad = runKpr(['map', '--mapping', broken, '--in', input, '--out', join(dir, 'k2'), '--rejects', join(dir, 'r2')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/broken\.yaml:\d+:\d+: error MAP2007/);
    expect(existsSync(join(dir, 'k2')) || existsSync(join(dir, 'r2'))).toBe(false);
  });
});
