// Errors the audit found in the specs and defaults (issue 15, item 5), each pinned: the generated
// validators say what the published texts say.
import { expect, it } from 'vitest';
import { validateBarn_ungdom, validateMaleresultat } from '../../generated/hst/56.0.0/validator.js';
import { validateBruker, validateMelding as validateIplosMelding } from '../../generated/iplos/56.0.0/validator.js';

it('maleresultatNr is "Min 1 max 5 siffer": 0 to 99999, not any integer', () => {
  expect(validateMaleresultat({ maleresultatNr: 99999, verdi: '1' })).toBe(true);
  expect(validateMaleresultat({ maleresultatNr: 100000, verdi: '1' })).toBe(false);
  expect(validateMaleresultat({ maleresultatNr: -1, verdi: '1' })).toBe(false);
});

it('refuses integers the XML writer cannot carry exactly (above 2^53 - 1)', () => {
  const child = { pasientGUID: '6f1c1d2e-4b7a-5c3d-9e8f-0a1b2c3d4e5f', barn_ungdomNr: '1', kjonn: '1', fid: '170219', typeID: '9' };
  expect(validateBarn_ungdom({ ...child, fodselsar: 2019 })).toBe(true);
  expect(validateBarn_ungdom({ ...child, fodselsar: Number.MAX_SAFE_INTEGER + 1 })).toBe(false);
});

it('IPLOS: meldingstype is fixed K, and a DUF-nummer (typeID 10) passes schema validation', () => {
  validateIplosMelding({ meldingstype: 'B' });
  expect(validateIplosMelding.errors?.some((e) => e.instancePath === '/meldingstype')).toBe(true);
  validateIplosMelding({ meldingstype: 'K' });
  expect(validateIplosMelding.errors?.some((e) => e.instancePath === '/meldingstype')).toBe(false);
  validateBruker({ typeID: '10' });
  expect(validateBruker.errors?.some((e) => e.instancePath === '/typeID')).toBe(false);
});
