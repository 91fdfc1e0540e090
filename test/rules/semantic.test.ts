// The receiver's and a careful sender's rules on a mapped Konsultasjon, table-driven, against
// the generated HST 56.0.0 target (and a small hand-made target for controls HST lacks).
import { describe, expect, it } from 'vitest';
import { loadTarget, targetFromSchema, type Target } from '../../runtime/spec/target.ts';
import { growthKindOf, growthProblem, growthValue } from '../../runtime/rules/growth.ts';
import { fodselsnummerCheckDigits, organisasjonsnummerCheckDigit } from '../../runtime/rules/identifiers.ts';
import { compileSemanticRules, periodProblem } from '../../runtime/rules/semantic.ts';

const hst = loadTarget('hst@56.0.0')!;
const rules = compileSemanticRules(hst, 'Konsultasjon');
const ctx = { extractDate: '2024-12-31' };

/** A synthetic fødselsnummer (month + 80) with valid check digits. */
function fnr(ddmmyy: string, individ = '123', dnr = false): string {
  let first = ddmmyy.slice(0, 2);
  if (dnr) first = String(Number(first[0]) + 4) + first[1];
  for (let i = Number(individ); i < 1000; i++) {
    const nine = first + ddmmyy.slice(2, 4) + ddmmyy.slice(4) + String(i).padStart(3, '0');
    const k = fodselsnummerCheckDigits(nine);
    if (k) return nine + k;
  }
  throw new Error('no number');
}

const CHILD_FNR = fnr('178219', '512'); // born 2019-02-17, synthetic month 82

function konsultasjon(over: Record<string, unknown> = {}, child: Record<string, unknown> = {}) {
  return {
    konsultasjonID: 'K1',
    datoTidStart: '2020-03-01T10:00:00',
    formKonsultasjon: 'I',
    anbefaltTypeKonsultasjon: '12M',
    konsultasjonRegistrertTidspunkt: '2020-03-01T12:00:00',
    amming: '3',
    Barn_ungdom: { pasientGUID: '6f1c1d2e-4b7a-5c3d-9e8f-0a1b2c3d4e5f', barn_ungdomNr: 'P1', kjonn: '1', fodselsar: 2019, fid: CHILD_FNR, typeID: '1', ...child },
    ...over,
  };
}

const rulesOf = (k: Record<string, unknown>, c = ctx) => rules(k, c).map((i) => [i.rule, i.path, i.consequence, i.severity]);

describe('identifiers', () => {
  it('accepts a valid synthetic fødselsnummer', () => {
    expect(rulesOf(konsultasjon())).toEqual([]);
  });

  it.each([
    ['a wrong check digit', { fid: CHILD_FNR.slice(0, 10) + String((Number(CHILD_FNR[10]) + 1) % 10) }, 'REC4001'],
    ['ten digits', { fid: CHILD_FNR.slice(0, 10) }, 'REC4001'],
    ['a D-nummer sent as fødselsnummer', { fid: fnr('178219', '512', true) }, 'REC4002'],
    ['a fødselsnummer sent as D-nummer', { typeID: '2' }, 'REC4002'],
  ])('rejects %s', (_n, child, rule) => {
    expect(rulesOf(konsultasjon({}, child))).toEqual([[rule, '/Barn_ungdom/fid', 'discard-row', 'error']]);
  });

  it('takes a birth date ddmmyy with type 9 (Annet), and warns of anything else ("fødselsdato med format ddmmyy")', () => {
    expect(rulesOf(konsultasjon({}, { fid: '170219', typeID: '9' }))).toEqual([]);
    expect(rulesOf(konsultasjon({}, { fid: '290200', typeID: '9' }))).toEqual([]);
    for (const fid of ['17021', '310419', '2019-02-17', CHILD_FNR])
      expect(rulesOf(konsultasjon({}, { fid, typeID: '9' })), fid).toEqual([['REC3004', '/Barn_ungdom/fid', 'none', 'warning']]);
  });

  it('checks no number of a type that gives no fødselsnummer (IPLOS DUF-nummer, 10)', () => {
    expect(rulesOf(konsultasjon({}, { fid: 'DUF123456789', typeID: '10' }))).toEqual([]);
  });

  it('checks HPR numbers with the published consequence', () => {
    const k = konsultasjon({ Helseperson: [{ polUtforende: '28', helsepersonHPR: '12345678901' }] });
    expect(rulesOf(k)).toEqual([['REC4004', '/Helseperson/0/helsepersonHPR', 'set-minus-one', 'error']]);
  });
});

describe('dates', () => {
  it('rejects dates after the extract date with the range consequence', () => {
    const k = konsultasjon({ datoTidStart: '2025-01-01T08:00:00', Maling: [{ typeMaling: 'Vekt', malingDatoTid: '2025-01-02T08:00:00' }] });
    expect(rulesOf(k)).toEqual([
      ['REC3001', '/datoTidStart', 'none', 'error'],
      ['REC3001', '/Maling/0/malingDatoTid', 'none', 'error'],
    ]);
  });

  it('accepts the extract date itself', () => {
    expect(rulesOf(konsultasjon({ datoTidStart: '2024-12-31T23:59:59' }))).toEqual([]);
  });

  it('tilDato on or after fraDato', () => {
    expect(periodProblem('2024-01-01', '2024-12-31')).toBeUndefined();
    expect(periodProblem('2024-01-01', '2024-01-01')).toBeUndefined();
    expect(periodProblem('2024-02-01', '2024-01-31')).toMatch(/before/);
  });
});

/** A small target with controls HST does not publish on the Konsultasjon subtree. */
function custom(): Target {
  return targetFromSchema(
    {
      $defs: {
        Periode: {
          type: 'object',
          required: ['fraDato', 'tilDato'],
          properties: {
            fraDato: { type: 'string', pattern: '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$' },
            tilDato: {
              type: 'string',
              pattern: '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$',
              'x-kpr-controls': { range: { from: './@fraDato', consequence: 'discard-message' } },
            },
            orgNr: { type: 'string' },
            datoTidStart: { type: 'string', pattern: '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]$' },
            form: {
              type: 'string',
              enum: ['A', 'B'],
              'x-kpr-controls': { code: { validOn: './@datoTidStart', consequence: 'set-minus-one' } },
              'x-kpr-code-validity': { B: { from: '2021-01-01', to: '2022-12-31' } },
            },
          },
        },
      },
    },
    'test@1.0.0',
    '/nowhere',
  );
}

describe('controls between attributes, organisation numbers, code validity', () => {
  const check = compileSemanticRules(custom(), 'Periode');
  const orgnr = `31234567${organisasjonsnummerCheckDigit('31234567')}`;
  it.each([
    ['a period in order', { fraDato: '2024-01-01', tilDato: '2024-06-30' }, []],
    ['a period backwards', { fraDato: '2024-07-01', tilDato: '2024-06-30' }, [['REC3002', '/tilDato', 'discard-message']]],
    ['a valid orgnr', { orgNr: orgnr }, []],
    ['a bad orgnr', { orgNr: orgnr.slice(0, 8) + ((Number(orgnr[8]) + 1) % 10) }, [['REC4003', '/orgNr', 'none']]],
    ['a ten-digit number the published pattern allows', { orgNr: '1234567890' }, []],
    ['a code inside its validity', { form: 'B', datoTidStart: '2022-12-31T23:00:00' }, []],
    ['a code before its validity', { form: 'B', datoTidStart: '2020-12-31T10:00:00' }, [['REC3003', '/form', 'set-minus-one']]],
    ['a code after its validity', { form: 'B', datoTidStart: '2023-01-01T10:00:00' }, [['REC3003', '/form', 'set-minus-one']]],
    ['a code without a validity period', { form: 'A', datoTidStart: '1999-01-01T10:00:00' }, []],
  ])('%s', (_n, obj, want) => {
    expect(check(obj, ctx).map((i) => [i.rule, i.path, i.consequence])).toEqual(want);
  });
});

describe('growth', () => {
  it.each([
    ['height', 75, 1, false],
    ['height', 530, 1, true], // millimetres sent as centimetres
    ['weight', 4.2, 0.05, false],
    ['weight', 4200, 0.05, true], // grams sent as kilograms
    ['weight', 30, 10, false],
    ['height', 50, 12, true],
  ] as const)('%s %d at %d years → implausible: %s', (kind, value, age, bad) => {
    expect(growthProblem(kind, value, age) !== undefined).toBe(bad);
  });

  it('reads kind and unit from Maling and Maleresultat', () => {
    expect(growthKindOf('Høyde')).toBe('height');
    expect(growthKindOf('Vekt')).toBe('weight');
    expect(growthKindOf('CGAS')).toBeUndefined();
    expect(growthValue('weight', '4160', 'g')).toBeCloseTo(4.16);
    expect(growthValue('height', '0,75', 'm')).toBeCloseTo(75);
  });

  it('warns, never rejects, about an implausible weight for the age (from the fødselsnummer)', () => {
    const k = konsultasjon({ Maling: [{ typeMaling: 'Vekt', malingDatoTid: '2020-03-01T10:05:00', Maleresultat: [{ maleresultatNr: 1, verdi: '10500', enhet: 'kg' }] }] });
    expect(rulesOf(k)).toEqual([['REC4006', '/Maling/0/Maleresultat/0/verdi', 'none', 'warning']]);
    const fine = konsultasjon({ Maling: [{ typeMaling: 'Vekt', malingDatoTid: '2020-03-01T10:05:00', Maleresultat: [{ maleresultatNr: 1, verdi: '10.5', enhet: 'kg' }] }] });
    expect(rulesOf(fine)).toEqual([]);
  });
});

describe('maleresultatNr numbering ("Angi 1 for første måleresultat, 2 for neste osv.")', () => {
  const maling = (nrs: number[]) => ({
    Maling: [{ typeMaling: 'Hodeomkrets', malingDatoTid: '2020-03-01T10:00:00', Maleresultat: nrs.map((n) => ({ maleresultatNr: n, verdi: '40' })) }],
  });
  it('takes 1, 2, 3 and warns of a gap or another start', () => {
    expect(rulesOf(konsultasjon(maling([1, 2, 3])))).toEqual([]);
    expect(rulesOf(konsultasjon(maling([1, 3])))).toEqual([['REC3005', '/Maling/0/Maleresultat/1/maleresultatNr', 'none', 'warning']]);
    expect(rulesOf(konsultasjon(maling([0])))).toEqual([['REC3005', '/Maling/0/Maleresultat/0/maleresultatNr', 'none', 'warning']]);
  });
});

describe('RefEnhet names an Enhet the Melding reports (the keyref RefEnhet_IDREF0 as meant)', () => {
  it('warns of an enhetID that kpr.yaml does not report, and checks nothing when the list is unknown', () => {
    const k = konsultasjon({ RefEnhet: [{ enhetID: 'E9', typeEnhet: '1' }] });
    expect(rules(k, { ...ctx, enhetIds: new Set(['E1']) }).map((i) => [i.rule, i.path, i.consequence, i.severity])).toEqual([
      ['REC4008', '/RefEnhet/0/enhetID', 'none', 'warning'],
    ]);
    expect(rules(k, { ...ctx, enhetIds: new Set(['E9']) })).toEqual([]);
    expect(rules(k, ctx)).toEqual([]);
  });
});

describe('only real patients in production', () => {
  it('holds a synthetic (Tenor) fødselsnummer in a production profile, and takes it elsewhere', () => {
    const k = konsultasjon();
    expect(rules(k, { ...ctx, production: true }).map((i) => [i.rule, i.path, i.consequence])).toEqual([['REC4007', '/Barn_ungdom/fid', 'discard-row']]);
    expect(rules(k, ctx)).toEqual([]);
  });
});

describe('fodselsar (no published control: the kit warns, and sends)', () => {
  it.each([
    ['a year the person number gives', 2019, []],
    ['0, the code for an unknown year', 0, []],
    ['1899, before any year the register means', 1899, [['REC4009', '/Barn_ungdom/fodselsar', 'none', 'warning']]],
    ['a year after the extract', 2025, [['REC4009', '/Barn_ungdom/fodselsar', 'none', 'warning']]],
    ['another year than the person number', 2018, [['REC4009', '/Barn_ungdom/fodselsar', 'none', 'warning']]],
  ] as const)('%s (%d)', (_what, year, want) => {
    expect(rulesOf(konsultasjon({}, { fodselsar: year }))).toEqual(want);
  });

  it('compares with the person number only when it is one (typeID 9 has a ddmmyy birth date)', () => {
    expect(rulesOf(konsultasjon({}, { fodselsar: 2018, typeID: '9', fid: '170219' }))).toEqual([]);
  });
});
