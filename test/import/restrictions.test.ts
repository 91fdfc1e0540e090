// What the importer reads out of prose: restrictions from the receiver's datatype check names
// and `accept` from usage notes. Only clearly stated forms count; everything else stays text.
import { describe, expect, it } from 'vitest';
import { acceptFromNotes, restrictionFromCheck } from '../../generator/import/restrictions.ts';

describe('restrictionFromCheck', () => {
  const cases: [string, { check: string; coded: boolean }, object][] = [
    ['string max length', { check: 'Streng max 100 tegn', coded: false }, { maxLength: 100 }],
    ['length applies to coded too', { check: 'Streng max 4 tegn', coded: true }, { maxLength: 4 }],
    ['alphanumeric min and max', { check: 'Alfanumerisk min 1 max 5 tegn', coded: false }, { minLength: 1, maxLength: 5 }],
    ['digits range', { check: 'Min 1 max 9 siffer', coded: false }, { pattern: '^[0-9]{1,9}$' }],
    ['exact digits', { check: '4 siffer', coded: false }, { pattern: '^[0-9]{4}$' }],
    ['digits on a coded attribute are left to the code list', { check: 'Min 1 max 2 siffer', coded: true }, {}],
    ['unbounded string', { check: 'Streng', coded: false }, {}],
    ['named checks stay text', { check: 'Kommunenummer', coded: false }, {}],
  ];
  it.each(cases)('%s', (_, given, want) => {
    expect(restrictionFromCheck(given.check, given.coded)).toEqual(want);
  });
});

describe('acceptFromNotes', () => {
  const published9032 = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '12'];
  it('reads "Kun de tre første kodene og kode 9 er gyldige"', () => {
    const r = acceptFromNotes(['', 'Kun de tre første kodene og kode 9 er gyldige. NPR tilrettelegger nå for å kunne ta imot DUF-nummer (10)'], published9032);
    expect(r?.accept).toEqual(['1', '2', '3', '9']);
  });
  it('reads "Foreløpig skal ikke kode T \'KorrigerSuppler\' benyttes"', () => {
    const r = acceptFromNotes(["Angivelsen gir føringer. Foreløpig skal ikke kode T 'KorrigerSuppler' benyttes."], ['N', 'M', 'T', 'C']);
    expect(r?.accept).toEqual(['N', 'M', 'C']);
  });
  it('leaves conditional notes alone', () => {
    expect(acceptFromNotes(['Kode E og K skal kun benyttes dersom det på forhånd er inngått avtale om overgang til endringsmelding.'], ['E', 'B', 'K'])).toBeUndefined();
  });
  it('ignores a code the list does not publish', () => {
    expect(acceptFromNotes(["Foreløpig skal ikke kode X 'Noe' benyttes."], ['N', 'M'])).toBeUndefined();
  });
});
