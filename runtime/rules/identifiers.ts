// Norwegian identifiers a careful sender checks before a record goes to KPR: fødselsnummer with
// its D- and H-number variants and Skatteetaten's synthetic (Tenor) convention, organisasjons-
// nummer, HPR-nummer and kommunenummer. Pure functions: the mapping checks, the rules and the
// demo-data generator all share this one definition of "valid".
//
// Sources (see /work/shared/domain.md §6): fødselsnummer check digits k1 weights 3,7,6,1,8,9,4,5,2
// and k2 weights 5,4,3,2,7,6,5,4,3,2, mod 11, remainder 0 gives 0 and a check digit of 10 makes
// the number invalid; D-nummer adds 4 to the first digit, H-nummer adds 4 to the third digit,
// synthetic test numbers add 80 to the month; organisasjonsnummer weights 3,2,7,6,5,4,3,2 mod 11.
// Not handled: the new fødselsnummer rules from 2032, where k1 may take other values.

import { daysIn, num2, pad2 } from '../time/civil.ts';

export type PersonIdKind = 'fnr' | 'dnr' | 'hnr';

export type PersonIdReason = 'not-11-digits' | 'check-digit-1' | 'check-digit-2' | 'invalid-date' | 'unknown-century' | 'synthetic-not-allowed';

export interface PersonIdInfo {
  ok: true;
  kind: PersonIdKind;
  /** True for Skatteetaten's synthetic test numbers (month + 80): they name no real person. */
  synthetic: boolean;
  /** ISO date `YYYY-MM-DD`, the century taken from the individnummer. */
  birthDate: string;
  /** From the ninth digit: odd is male. (Numbers issued from 2032 will carry no sex.) */
  sex: 'M' | 'F';
}

export interface PersonIdError {
  ok: false;
  reason: PersonIdReason;
}

export interface PersonIdOptions {
  /** Accept synthetic (Tenor) numbers. Default true: test environments need them. */
  allowSynthetic?: boolean;
}

const K1_WEIGHTS = [3, 7, 6, 1, 8, 9, 4, 5, 2] as const;
const K2_WEIGHTS = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2] as const;
const ORGNR_WEIGHTS = [3, 2, 7, 6, 5, 4, 3, 2] as const;

/**
 * The mod-11 check digit over `digits` with `weights`, or -1 when it would be 10 (such a
 * number is never issued). The digits are the string's character codes, read from index 0.
 */
export function mod11CheckDigit(digits: string, weights: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < weights.length; i++) sum += (digits.charCodeAt(i) - 48) * weights[i];
  const r = sum % 11;
  if (r === 0) return 0;
  const k = 11 - r;
  return k === 10 ? -1 : k;
}

/**
 * The two check digits for the first nine digits of a fødselsnummer, as a two-character string,
 * or null when either would be 10. Generators use it to finish a number.
 */
export function fodselsnummerCheckDigits(first9: string): string | null {
  if (!/^\d{9}$/.test(first9)) return null;
  const k1 = mod11CheckDigit(first9, K1_WEIGHTS);
  if (k1 < 0) return null;
  const k2 = mod11CheckDigit(first9 + k1, K2_WEIGHTS);
  if (k2 < 0) return null;
  return `${k1}${k2}`;
}

/** The century-complete birth year from the two-digit year and the three-digit individnummer. */
function fullYear(yy: number, individ: number): number | null {
  if (individ <= 499) return 1900 + yy;
  if (individ <= 749 && yy >= 54) return 1800 + yy;
  if (individ >= 500 && yy <= 39) return 2000 + yy;
  if (individ >= 900 && yy >= 40) return 1900 + yy;
  return null;
}

/** True when `s` is exactly `n` ASCII digits (what /^\d{n}$/ says, without a regex). */
function allDigits(s: string, n: number): boolean {
  if (s.length !== n) return false;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** A person number read into its parts: `readPersonId` fills one without allocating. */
export interface PersonIdParts {
  kind: PersonIdKind;
  synthetic: boolean;
  /** Birth date, the century taken from the individnummer; month 1 to 12. */
  year: number;
  month: number;
  day: number;
}

/**
 * Reads a person number into `out`; returns why it is not a valid one, or undefined when it is.
 * For checks that run once per record (the semantic rules): no regex, no slices, no objects.
 */
export function readPersonId(s: string, out: PersonIdParts, options: PersonIdOptions = {}): PersonIdReason | undefined {
  if (typeof s !== 'string' || !allDigits(s, 11)) return 'not-11-digits';
  const k1 = mod11CheckDigit(s, K1_WEIGHTS);
  if (k1 < 0 || k1 !== s.charCodeAt(9) - 48) return 'check-digit-1';
  const k2 = mod11CheckDigit(s, K2_WEIGHTS);
  if (k2 < 0 || k2 !== s.charCodeAt(10) - 48) return 'check-digit-2';

  let day = num2(s, 0);
  let month = num2(s, 2);
  const yy = num2(s, 4);
  const individ = (s.charCodeAt(6) - 48) * 100 + num2(s, 7);

  let kind: PersonIdKind = 'fnr';
  let synthetic = false;
  if (day > 40) {
    kind = 'dnr';
    day -= 40;
  }
  if (month > 80) {
    synthetic = true;
    month -= 80;
  } else if (month > 40) {
    // Month + 40 and month + 80 cannot both fit in two digits: an H-number is never synthetic.
    if (kind === 'dnr') return 'invalid-date';
    kind = 'hnr';
    month -= 40;
  }
  if (synthetic && options.allowSynthetic === false) return 'synthetic-not-allowed';
  const year = fullYear(yy, individ);
  if (year === null) return 'unknown-century';
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return 'invalid-date';
  out.kind = kind;
  out.synthetic = synthetic;
  out.year = year;
  out.month = month;
  out.day = day;
  return undefined;
}

/** What kind of person number `s` is, whether it is synthetic, and its birth date; or why not. */
export function classifyPersonId(s: string, options: PersonIdOptions = {}): PersonIdInfo | PersonIdError {
  const p: PersonIdParts = { kind: 'fnr', synthetic: false, year: 0, month: 0, day: 0 };
  const reason = readPersonId(s, p, options);
  if (reason) return { ok: false, reason };
  return {
    ok: true,
    kind: p.kind,
    synthetic: p.synthetic,
    birthDate: `${p.year}-${pad2(p.month)}-${pad2(p.day)}`,
    sex: (s.charCodeAt(8) - 48) % 2 === 1 ? 'M' : 'F',
  };
}

/** True for a well-formed fødselsnummer, D-nummer or H-nummer (synthetic ones included by default). */
export function isValidFodselsnummer(s: string, options: PersonIdOptions = {}): boolean {
  return classifyPersonId(s, options).ok;
}

/** True for nine digits with a valid mod-11 check digit (weights 3,2,7,6,5,4,3,2). */
export function isValidOrganisasjonsnummer(s: string): boolean {
  if (typeof s !== 'string' || !/^\d{9}$/.test(s)) return false;
  const k = mod11CheckDigit(s, ORGNR_WEIGHTS);
  return k >= 0 && k === s.charCodeAt(8) - 48;
}

/** The check digit for the first eight digits of an organisasjonsnummer, or null when it would be 10. */
export function organisasjonsnummerCheckDigit(first8: string): string | null {
  if (!/^\d{8}$/.test(first8)) return null;
  const k = mod11CheckDigit(first8, ORGNR_WEIGHTS);
  return k < 0 ? null : String(k);
}

/** HPR-nummer as the HST message takes it (helsepersonHPR): one to nine digits. */
export function isValidHprNummer(s: string): boolean {
  return typeof s === 'string' && s.length >= 1 && s.length <= 9 && allDigits(s, s.length);
}

/** Kommunenummer: exactly four digits, the county's two first (so never 00xx). */
export function isValidKommunenummer(s: string): boolean {
  return typeof s === 'string' && /^\d{4}$/.test(s) && !s.startsWith('00');
}
