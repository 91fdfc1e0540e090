// Calendar dates from day numbers without a Date object: shared by the demo data generator and
// the mapping's time transforms, which both turn millions of timestamps into text.

/**
 * Year, month (1..12) and day of a day number (days since 1970-01-01), by Howard Hinnant's
 * civil-from-days algorithm: several times faster than going through Date and toISOString.
 */
export function civilFromDays(day: number): [year: number, month: number, dayOfMonth: number] {
  const z = day + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

/** The digit at `i` of `s`, or a large negative number when it is none (sums stay negative). */
export function digit(s: string, i: number): number {
  const c = s.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : -1e9;
}
/** Two and four decimal digits at `i`; negative when any is not a digit. */
export const num2 = (s: string, i: number) => digit(s, i) * 10 + digit(s, i + 1);
export const num4 = (s: string, i: number) => num2(s, i) * 100 + num2(s, i + 2);

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
/** Days in a month (1..12) of the proleptic Gregorian calendar. */
export function daysIn(year: number, month: number): number {
  return month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : DAYS[month - 1]!;
}

/** Two digits, zero-padded. */
export const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));
