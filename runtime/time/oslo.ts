// UTC instants to local Norwegian time (Europe/Oslo), as the message wants it:
// `YYYY-MM-DDTHH:MM:SS` with no zone. Since 1996 Norway follows the EU rule (summer time from
// the last Sunday of March 01:00 UTC to the last Sunday of October 01:00 UTC), so for those
// years the offset is computed from two cached instants per year; other years ask Intl, whose
// formatter is built once. Both paths are tested against each other around every transition.

import { civilFromDays, daysIn, num2, num4, pad2 } from './civil.ts';

const INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

const HOUR = 3_600_000;
const transitions = new Map<number, [number, number]>();

function lastSundayAt0100Utc(year: number, month: number): number {
  const lastDay = new Date(Date.UTC(year, month + 1, 0));
  const back = lastDay.getUTCDay(); // 0 = Sunday
  return Date.UTC(year, month, lastDay.getUTCDate() - back, 1, 0, 0);
}

function euTransitions(year: number): [number, number] {
  let t = transitions.get(year);
  if (!t) {
    t = [lastSundayAt0100Utc(year, 2), lastSundayAt0100Utc(year, 9)];
    transitions.set(year, t);
  }
  return t;
}

let intlFormatter: Intl.DateTimeFormat | undefined;

function intlOffset(ms: number): number {
  intlFormatter ??= new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/Oslo',
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
  const parts: Record<string, number> = {};
  for (const p of intlFormatter.formatToParts(new Date(ms))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  const local = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
  return local - Math.floor(ms / 1000) * 1000;
}

// The stretch of constant offset the previous instant fell in: most instants of a run share it.
let cachedOffset = 0;
let cachedFrom = 0;
let cachedTo = 0;

/** Europe/Oslo's offset from UTC, in milliseconds, at the instant `ms`. */
export function osloOffsetMs(ms: number): number {
  if (ms >= cachedFrom && ms < cachedTo) return cachedOffset;
  const year = new Date(ms).getUTCFullYear();
  if (year < 1996 || year > 2099) return intlOffset(ms);
  const [start, end] = euTransitions(year);
  if (ms < start) [cachedFrom, cachedTo, cachedOffset] = [Date.UTC(year, 0, 1), start, HOUR];
  else if (ms < end) [cachedFrom, cachedTo, cachedOffset] = [start, end, 2 * HOUR];
  else [cachedFrom, cachedTo, cachedOffset] = [end, Date.UTC(year + 1, 0, 1), HOUR];
  return cachedOffset;
}

/** Epoch milliseconds of an ISO 8601 instant with a zone (Z or ±HH:MM), or NaN. */
export function parseInstant(s: string): number {
  // The usual `YYYY-MM-DDTHH:MM:SSZ`, read digit by digit; anything else goes the regex way.
  if (
    s.length === 20 &&
    s.charCodeAt(19) === 90 &&
    s.charCodeAt(4) === 45 &&
    s.charCodeAt(7) === 45 &&
    s.charCodeAt(10) === 84 &&
    s.charCodeAt(13) === 58 &&
    s.charCodeAt(16) === 58
  ) {
    const year = num4(s, 0);
    const month = num2(s, 5);
    const day = num2(s, 8);
    const h = num2(s, 11);
    const mi = num2(s, 14);
    const sec = num2(s, 17);
    if (year < 0 || month < 1 || month > 12 || day < 1 || day > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59) return NaN;
    if (day > 28 && day > daysIn(year, month)) return NaN;
    return Date.UTC(year, month - 1, day, h, mi, sec);
  }
  const m = INSTANT.exec(s);
  if (!m) return NaN;
  const [, y, mo, d, h, mi, sec, , zone] = m;
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > 31 || Number(h) > 23 || Number(mi) > 59 || Number(sec ?? 0) > 59) return NaN;
  const year = Number(y);
  if (day > 28 && day > daysIn(year, month)) return NaN; // 2023-02-30 and the like
  let ms = Date.UTC(year, month - 1, day, Number(h), Number(mi), Number(sec ?? 0));
  if (zone !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const z = zone.replace(':', '');
    ms -= sign * (Number(z.slice(1, 3)) * HOUR + Number(z.slice(3, 5)) * 60_000);
  }
  return ms;
}

/** `YYYY-MM-DDTHH:MM:SS` of epoch milliseconds read as UTC, without a Date object (civil-from-days). */
function formatLocal(ms: number): string {
  const secs = Math.floor(ms / 1000);
  const days = Math.floor(secs / 86400);
  let rem = secs - days * 86400;
  const h = Math.floor(rem / 3600);
  rem -= h * 3600;
  const mi = Math.floor(rem / 60);
  const se = rem - mi * 60;
  const [y, m, d] = civilFromDays(days);
  if (y < 1000 || y > 9999) return new Date(ms).toISOString().slice(0, 19);
  return `${y}-${pad2(m)}-${pad2(d)}T${pad2(h)}:${pad2(mi)}:${pad2(se)}`;
}

/**
 * The first 19 characters of `s` with characters 11 and 12 set to `hour`: made in one piece, as
 * slices joined would make a rope that the validator's regex and the JSON writer flatten again.
 */
function withHour(s: string, hour: number): string {
  // (No helper closure for charCodeAt: tsx would name each one with a defineProperty per call.)
  return String.fromCharCode(
    s.charCodeAt(0),
    s.charCodeAt(1),
    s.charCodeAt(2),
    s.charCodeAt(3),
    s.charCodeAt(4),
    s.charCodeAt(5),
    s.charCodeAt(6),
    s.charCodeAt(7),
    s.charCodeAt(8),
    s.charCodeAt(9),
    s.charCodeAt(10),
    48 + ((hour / 10) | 0),
    48 + (hour % 10),
    s.charCodeAt(13),
    s.charCodeAt(14),
    s.charCodeAt(15),
    s.charCodeAt(16),
    s.charCodeAt(17),
    s.charCodeAt(18),
  );
}

// Records often carry the same instant several times (measurements taken together): remember one.
let lastIn = '';
let lastOut: string | undefined;

/** `2024-03-31T01:30:00Z` → `2024-03-31T03:30:00`; undefined when `s` is not an instant with a zone. */
export function utcToOslo(s: string): string | undefined {
  if (s === lastIn) return lastOut;
  const ms = parseInstant(s);
  let out: string | undefined;
  if (!Number.isNaN(ms)) {
    const offset = osloOffsetMs(ms);
    // The usual `YYYY-MM-DDTHH:MM:SSZ` whose local time is on the same day, a whole number of
    // hours later: only the hour changes, so the text is spliced rather than formatted anew.
    // (Years before 1000 go the long way: Date.UTC reads years below 100 as 19xx.)
    const hour = s.length === 20 && offset % HOUR === 0 && s.charCodeAt(0) !== 48 ? num2(s, 11) + offset / HOUR : -1;
    out = hour >= 0 && hour < 24 ? withHour(s, hour) : formatLocal(ms + offset);
  }
  lastIn = s;
  lastOut = out;
  return out;
}

/** Today's date in Oslo, `YYYY-MM-DD`: the default extract date (uttakDato). */
export function osloToday(now = Date.now()): string {
  return new Date(now + osloOffsetMs(now)).toISOString().slice(0, 10);
}

/** `YYYY-MM-DDTHH:MM:SS` in Norwegian local time for an instant (a Date, epoch ms or ISO text with zone). */
export function osloDateTime(t: Date | number | string): string {
  const ms = typeof t === 'number' ? t : typeof t === 'string' ? Date.parse(t) : t.getTime();
  if (Number.isNaN(ms)) throw new Error(`not a point in time: ${String(t)}`);
  return new Date(ms + osloOffsetMs(ms)).toISOString().slice(0, 19);
}

/** The date in Norway of an instant, `YYYY-MM-DD`. */
export function osloDate(t: Date | number | string): string {
  return osloDateTime(t).slice(0, 10);
}
