// Identifier rules: table cases whose check digits were computed by a separate Python script
// (not by this module), plus properties over generated numbers. Person numbers here are synthetic
// (month + 80), H-numbers (never in the population register) or from the 1800s.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  classifyPersonId,
  fodselsnummerCheckDigits,
  isValidFodselsnummer,
  isValidHprNummer,
  isValidKommunenummer,
  isValidOrganisasjonsnummer,
  organisasjonsnummerCheckDigit,
} from '../../runtime/rules/identifiers.ts';

describe('classifyPersonId', () => {
  const valid: Array<[string, { kind: string; synthetic: boolean; birthDate: string; sex: string }]> = [
    ['15819212314', { kind: 'fnr', synthetic: true, birthDate: '1992-01-15', sex: 'M' }],
    ['01812060038', { kind: 'fnr', synthetic: true, birthDate: '2020-01-01', sex: 'F' }],
    ['29880051200', { kind: 'fnr', synthetic: true, birthDate: '2000-08-29', sex: 'F' }],
    ['29820051260', { kind: 'fnr', synthetic: true, birthDate: '2000-02-29', sex: 'F' }],
    ['01817060079', { kind: 'fnr', synthetic: true, birthDate: '1870-01-01', sex: 'F' }],
    ['01015560041', { kind: 'fnr', synthetic: false, birthDate: '1855-01-01', sex: 'F' }],
    ['55819212308', { kind: 'dnr', synthetic: true, birthDate: '1992-01-15', sex: 'M' }],
    ['15459212482', { kind: 'hnr', synthetic: false, birthDate: '1992-05-15', sex: 'F' }],
  ];
  it.each(valid)('%s is valid', (s, want) => {
    expect(classifyPersonId(s)).toEqual({ ok: true, ...want });
    expect(isValidFodselsnummer(s)).toBe(true);
  });

  const invalid: Array<[string, string]> = [
    ['', 'not-11-digits'],
    ['1581921231', 'not-11-digits'],
    ['158192123145', 'not-11-digits'],
    ['1581921231a', 'not-11-digits'],
    ['15819212324', 'check-digit-1'],
    ['15819212315', 'check-digit-2'],
    ['15459212392', 'check-digit-1'], // 154592123 has check digit 10 for k1
    ['29028150014', 'invalid-date'], // 1881 was no leap year
    ['31208050098', 'invalid-date'], // month 20
    ['31098050283', 'invalid-date'], // 31 September
    ['01016080000', 'unknown-century'], // individnummer 800 with year 60
  ];
  it.each(invalid)('%j is invalid (%s)', (s, reason) => {
    expect(classifyPersonId(s)).toEqual({ ok: false, reason });
    expect(isValidFodselsnummer(s)).toBe(false);
  });

  it('rejects synthetic numbers when asked to', () => {
    expect(classifyPersonId('15819212314', { allowSynthetic: false })).toEqual({
      ok: false,
      reason: 'synthetic-not-allowed',
    });
    expect(isValidFodselsnummer('01015560041', { allowSynthetic: false })).toBe(true);
  });

  it('rejects non-strings without throwing', () => {
    expect(isValidFodselsnummer(15819212314 as unknown as string)).toBe(false);
    expect(isValidFodselsnummer(undefined as unknown as string)).toBe(false);
  });
});

/** A synthetic person number from its parts, or null when the check digits would be 10. */
function build(day: number, month: number, yy: number, individ: number, kind: 'fnr' | 'dnr' | 'hnr', synthetic: boolean): string | null {
  const d = kind === 'dnr' ? day + 40 : day;
  const m = kind === 'hnr' ? month + 40 : synthetic ? month + 80 : month;
  const first9 = `${String(d).padStart(2, '0')}${String(m).padStart(2, '0')}${String(yy).padStart(2, '0')}${String(individ).padStart(3, '0')}`;
  const k = fodselsnummerCheckDigits(first9);
  return k === null ? null : first9 + k;
}

const parts = fc.record({
  // Day 1..28 is valid in every month of every year.
  day: fc.integer({ min: 1, max: 28 }),
  month: fc.integer({ min: 1, max: 12 }),
  yy: fc.integer({ min: 0, max: 39 }),
  individ: fc.integer({ min: 500, max: 999 }),
  kind: fc.constantFrom('fnr' as const, 'dnr' as const, 'hnr' as const),
});

describe('person number properties', () => {
  it('every generated number validates and classifies back to its parts', () => {
    fc.assert(
      fc.property(parts, (p) => {
        const synthetic = p.kind !== 'hnr';
        const s = build(p.day, p.month, p.yy, p.individ, p.kind, synthetic);
        fc.pre(s !== null);
        const info = classifyPersonId(s!);
        expect(info).toEqual({
          ok: true,
          kind: p.kind,
          synthetic,
          birthDate: `${2000 + p.yy}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`,
          sex: p.individ % 2 === 1 ? 'M' : 'F',
        });
      }),
      { numRuns: 500 },
    );
  });

  it('changing any one digit of a valid number makes it invalid', () => {
    fc.assert(
      fc.property(parts, fc.integer({ min: 0, max: 10 }), fc.integer({ min: 1, max: 9 }), (p, pos, delta) => {
        const s = build(p.day, p.month, p.yy, p.individ, p.kind, p.kind !== 'hnr');
        fc.pre(s !== null);
        const flipped = s!.slice(0, pos) + String((Number(s![pos]) + delta) % 10) + s!.slice(pos + 1);
        expect(isValidFodselsnummer(flipped)).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('organisasjonsnummer', () => {
  it.each([
    ['974760673', true], // Brønnøysundregistrene
    ['983544622', true], // Helsedirektoratet
    ['994598759', true], // Norsk helsenett
    ['123456785', true],
    ['974760674', false],
    ['310000001', false],
    ['97476067', false],
    ['9747606730', false],
    ['97476067a', false],
  ])('%s → %s', (s, want) => {
    expect(isValidOrganisasjonsnummer(s)).toBe(want);
  });

  it('generated numbers validate and every one-digit change invalidates', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9]{8}$/), fc.integer({ min: 0, max: 8 }), fc.integer({ min: 1, max: 9 }), (first8, pos, delta) => {
        const k = organisasjonsnummerCheckDigit(first8);
        fc.pre(k !== null);
        const s = first8 + k;
        expect(isValidOrganisasjonsnummer(s)).toBe(true);
        const flipped = s.slice(0, pos) + String((Number(s[pos]) + delta) % 10) + s.slice(pos + 1);
        expect(isValidOrganisasjonsnummer(flipped)).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('HPR-nummer and kommunenummer', () => {
  it.each([
    ['1', true],
    ['912345678', true],
    ['', false],
    ['1234567890', false],
    ['12a4', false],
  ])('HPR %j → %s', (s, want) => expect(isValidHprNummer(s)).toBe(want));

  it.each([
    ['0301', true],
    ['4601', true],
    ['5501', true],
    ['301', false],
    ['03010', false],
    ['0001', false],
    ['o301', false],
  ])('kommunenummer %j → %s', (s, want) => expect(isValidKommunenummer(s)).toBe(want));
});
