// UTC instants to local Norwegian time (Europe/Oslo), as the message wants it:
// `YYYY-MM-DDTHH:MM:SS` with no zone. Since 1996 Norway follows the EU rule (summer time from
// the last Sunday of March 01:00 UTC to the last Sunday of October 01:00 UTC), so for those
// years the offset is computed from two cached instants per year; other years ask Intl, whose
// formatter is built once. Both paths are tested against each other around every transition.

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

/** Europe/Oslo's offset from UTC, in milliseconds, at the instant `ms`. */
export function osloOffsetMs(ms: number): number {
  const year = new Date(ms).getUTCFullYear();
  if (year < 1996 || year > 2099) return intlOffset(ms);
  const [start, end] = euTransitions(year);
  return ms >= start && ms < end ? 2 * HOUR : HOUR;
}

/** Epoch milliseconds of an ISO 8601 instant with a zone (Z or ±HH:MM), or NaN. */
export function parseInstant(s: string): number {
  const m = INSTANT.exec(s);
  if (!m) return NaN;
  const [, y, mo, d, h, mi, sec, , zone] = m;
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > 31 || Number(h) > 23 || Number(mi) > 59 || Number(sec ?? 0) > 59) return NaN;
  let ms = Date.UTC(Number(y), month - 1, day, Number(h), Number(mi), Number(sec ?? 0));
  if (new Date(ms).getUTCDate() !== day) return NaN; // 2023-02-30 and the like
  if (zone !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const z = zone.replace(':', '');
    ms -= sign * (Number(z.slice(1, 3)) * HOUR + Number(z.slice(3, 5)) * 60_000);
  }
  return ms;
}

/** `2024-03-31T01:30:00Z` → `2024-03-31T03:30:00`; undefined when `s` is not an instant with a zone. */
export function utcToOslo(s: string): string | undefined {
  const ms = parseInstant(s);
  if (Number.isNaN(ms)) return undefined;
  return new Date(ms + osloOffsetMs(ms)).toISOString().slice(0, 19);
}

/** Today's date in Oslo, `YYYY-MM-DD`: the default extract date (uttakDato). */
export function osloToday(now = Date.now()): string {
  return new Date(now + osloOffsetMs(now)).toISOString().slice(0, 10);
}
