// The demo data's calendar arithmetic, judged by independent peers: JavaScript's Date for UTC
// formatting and the ICU time-zone database (Intl, Europe/Oslo) for Norwegian local time.
import { describe, expect, it } from 'vitest';
import { DAY, isoDate, isoTime, onWeekday, osloLocalToUtc, weekday, yearOfDay } from '../../runtime/demo-data/time.ts';

describe('UTC formatting', () => {
  it('matches Date for days from 1890 to 2100 and times within them', () => {
    const wrong: number[] = [];
    for (let day = -29219; day < 47482; day += 3) {
      if (isoDate(day) !== new Date(day * DAY).toISOString().slice(0, 10)) wrong.push(day);
      if (yearOfDay(day) !== new Date(day * DAY).getUTCFullYear()) wrong.push(day);
    }
    for (let ms = Date.UTC(1999, 0, 1); ms < Date.UTC(2031, 0, 1); ms += 7_777_777) {
      if (isoTime(ms) !== `${new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19)}Z`) wrong.push(ms);
    }
    expect(wrong).toEqual([]);
  });
});

describe('Norwegian local time', () => {
  const oslo = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Oslo', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

  it('08:00 to 15:30 local on every day 2015-2030 reads the same on an Oslo clock', () => {
    const wrong: string[] = [];
    for (let day = Date.UTC(2015, 0, 1) / DAY; day < Date.UTC(2031, 0, 1) / DAY; day++) {
      for (const minutes of [8 * 60, 15 * 60 + 30]) {
        const shown = oslo.format(new Date(osloLocalToUtc(day, minutes)));
        const want = `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
        if (shown !== want) wrong.push(`${isoDate(day)} ${want} shown as ${shown}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});

describe('weekdays', () => {
  it('knows the day of the week and moves weekends to Monday', () => {
    const day = Date.UTC(2024, 2, 30) / DAY; // Saturday 30 March 2024
    expect(weekday(day)).toBe(6);
    expect(new Date(day * DAY).getUTCDay()).toBe(6);
    expect(isoDate(onWeekday(day))).toBe('2024-04-01');
    expect(isoDate(onWeekday(day + 1))).toBe('2024-04-01');
    expect(onWeekday(day + 2)).toBe(day + 2);
  });
});
