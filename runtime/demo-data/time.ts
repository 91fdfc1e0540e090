// Calendar arithmetic for the demo data: days and milliseconds since the epoch in UTC, Norwegian
// local time (CET/CEST) for when consultations happen, and the one timestamp format the export
// uses (UTC with `Z`, whole seconds).

import { civilFromDays } from '../time/civil.ts';
import { osloOffsetMs } from '../time/oslo.ts';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** Day number (days since 1970-01-01) of an ISO date `YYYY-MM-DD`, or NaN. */
export function dayOf(isoDate: string): number {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(isoDate)) return NaN;
  const ms = Date.parse(`${isoDate}T00:00:00Z`);
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== isoDate) return NaN;
  return ms / DAY;
}

const TWO = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));

export function isoDate(day: number): string {
  const [y, m, d] = civilFromDays(day);
  return `${y}-${TWO[m]}-${TWO[d]}`;
}

/** `YYYY-MM-DDTHH:MM:SSZ`: the export's timestamp format (whole seconds, rounded down). */
export function isoTime(ms: number): string {
  const day = Math.floor(ms / DAY);
  const seconds = Math.floor((ms - day * DAY) / 1000);
  const h = Math.floor(seconds / 3600);
  const mi = Math.floor((seconds % 3600) / 60);
  return `${isoDate(day)}T${TWO[h]}:${TWO[mi]}:${TWO[seconds % 60]}Z`;
}

export function yearOfDay(day: number): number {
  return civilFromDays(day)[0];
}

/** Day number of a calendar date (month 1..12). */
export function dayFromParts(year: number, month: number, dayOfMonth: number): number {
  return Date.UTC(year, month - 1, dayOfMonth) / DAY;
}

/** 0 = Sunday … 6 = Saturday. */
export function weekday(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}

/** The next weekday on or after `day`: clinics are closed at weekends. */
export function onWeekday(day: number): number {
  const w = weekday(day);
  return w === 6 ? day + 2 : w === 0 ? day + 1 : day;
}

/**
 * UTC milliseconds of a Norwegian local wall-clock time on `day` (minutes after midnight). The
 * offset is the one in force at noon that day (the EU rule, runtime/time/oslo.ts): on the
 * changeover Sundays the day is already summer time in March and already winter time in October.
 */
export function osloLocalToUtc(day: number, minutesOfDay: number): number {
  return day * DAY + minutesOfDay * MINUTE - osloOffsetMs(day * DAY + 12 * HOUR);
}
