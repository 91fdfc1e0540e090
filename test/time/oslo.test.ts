// Local Norwegian time: the EU-rule fast path must agree with Intl's Europe/Oslo (an
// independent implementation, from the ICU time zone database) at and around every transition.
import { describe, expect, it } from 'vitest';
import { osloOffsetMs, osloToday, parseInstant, utcToOslo } from '../../runtime/time/oslo.ts';

const intl = new Intl.DateTimeFormat('sv-SE', {
  timeZone: 'Europe/Oslo',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});
const byIntl = (ms: number) => intl.format(new Date(ms)).replace(' ', 'T');

describe('utcToOslo', () => {
  it.each([
    ['2024-03-31T00:59:59Z', '2024-03-31T01:59:59'], // last second of winter time
    ['2024-03-31T01:00:00Z', '2024-03-31T03:00:00'], // clocks jump 02:00 → 03:00
    ['2024-10-27T00:59:59Z', '2024-10-27T02:59:59'], // last second of summer time
    ['2024-10-27T01:00:00Z', '2024-10-27T02:00:00'], // 02:00 happens twice
    ['2023-12-31T23:30:00Z', '2024-01-01T00:30:00'], // new year in Oslo first
    ['2024-06-15T12:00:00+02:00', '2024-06-15T12:00:00'], // an offset is honoured
    ['2024-02-29T23:00:00Z', '2024-03-01T00:00:00'],
    ['1990-07-01T12:00:00Z', '1990-07-01T14:00:00'], // before the EU rule: Intl path
  ])('%s → %s', (utc, local) => {
    expect(utcToOslo(utc)).toBe(local);
  });

  it('agrees with Intl around every transition from 1996 to 2040', () => {
    for (let y = 1996; y <= 2040; y++) {
      for (const month of [2, 9]) {
        const last = new Date(Date.UTC(y, month + 1, 0));
        const sunday = Date.UTC(y, month, last.getUTCDate() - last.getUTCDay(), 1);
        for (const d of [-3_600_001, -1000, 0, 1000, 3_600_000, 86_400_000 * 3]) {
          const ms = sunday + d;
          const iso = `${new Date(ms).toISOString().slice(0, 19)}Z`;
          expect(utcToOslo(iso), iso).toBe(byIntl(ms));
        }
      }
    }
  });

  it.each(['2024-13-01T00:00:00Z', '2024-02-30T10:00:00Z', '2024-01-01T10:00:00', 'yesterday', '2024-01-01 10:00:00Z'])('refuses %s', (s) => {
    expect(utcToOslo(s)).toBeUndefined();
    expect(Number.isNaN(parseInstant(s))).toBe(true);
  });

  it('knows the offset and today in Oslo', () => {
    expect(osloOffsetMs(Date.UTC(2024, 0, 1))).toBe(3_600_000);
    expect(osloOffsetMs(Date.UTC(2024, 6, 1))).toBe(7_200_000);
    expect(osloToday(Date.UTC(2024, 5, 30, 22, 30))).toBe('2024-07-01');
  });
});
