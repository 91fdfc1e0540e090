// Dates that exist. The published "Dato" control takes years 1900-2999 (its regex
// `^((19\d{2}|2\d{3})-…`), and its month/day regex lets 2017-02-30 through; the official XSD's
// xs:date and xs:dateTime refuse days a month does not have and year 0000 but take any year
// 0001-9999, a time zone and fractional seconds. The kit checks the calendar and the published
// years; `xsd` asks only what the XSD asks.

import { daysIn, num2, num4 } from '../time/civil.ts';

/** The years the published "Dato" and "Dato og Tid" controls take. */
export const PUBLISHED_YEARS = { from: 1900, to: 2999 } as const;

function dayExists(s: string, xsd: boolean): boolean {
  if (s.length < 10 || s[4] !== '-' || s[7] !== '-') return false;
  const y = num4(s, 0);
  const m = num2(s, 5);
  const d = num2(s, 8);
  if (y < 0 || m < 1 || m > 12 || d < 1 || d > daysIn(y, m)) return false;
  return xsd ? y >= 1 : y >= PUBLISHED_YEARS.from && y <= PUBLISHED_YEARS.to;
}

const ZONE = /^(Z|[+-](0\d|1[0-3]):[0-5]\d|[+-]14:00)?$/;

/** `YYYY-MM-DD` that exists (with `xsd`, an optional time zone too, and any year from 0001). */
export function isRealDate(s: string, xsd = false): boolean {
  return dayExists(s, xsd) && (s.length === 10 || (xsd && ZONE.test(s.slice(10))));
}

/** `YYYY-MM-DDThh:mm:ss`, optionally with fractional seconds and a time zone, on a day that exists. */
export function isRealDateTime(s: string, xsd = false): boolean {
  if (!dayExists(s, xsd) || s[10] !== 'T' || s[13] !== ':' || s[16] !== ':') return false;
  const h = num2(s, 11);
  const mi = num2(s, 14);
  const se = num2(s, 17);
  if (h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 || se > 59) return false;
  let rest = s.slice(19);
  const frac = /^\.\d+/.exec(rest);
  if (frac) rest = rest.slice(frac[0].length);
  return ZONE.test(rest);
}
