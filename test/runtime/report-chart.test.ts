// The report's charts read the same for one month and for ten years: a y axis with round ticks
// above the tallest bar, a bar for every month (no gaps), x labels that never overlap, and
// every value in a tooltip.
import { describe, expect, it } from 'vitest';
import { monthChart, runChart } from '../../runtime/report/html.ts';
import { monthRange, niceStep } from '../../runtime/report/chart.ts';

const texts = (svg: string) => [...svg.matchAll(/<text x="([\d.]+)"[^>]*>([^<]*)<\/text>/g)].map((m) => ({ x: Number(m[1]), text: m[2]! }));
const bars = (svg: string) => [...svg.matchAll(/<rect [^>]*><title>([^<]*)<\/title>/g)].map((m) => m[1]!);

describe('report charts', () => {
  it('rounds the y axis to 1, 2 or 5 times a power of ten', () => {
    expect([niceStep(4), niceStep(37), niceStep(4523), niceStep(1)]).toEqual([1, 10, 1000, 1]);
  });

  it('one month: one bar with its month under it and its total above it', () => {
    const svg = monthChart([{ month: '2026-11', accepted: 7, unconfirmed: 2, rejected: 0, heldBack: 0 }]);
    expect(bars(svg)).toEqual(['2026-11: 7 sent and accepted', '2026-11: 2 sent, not yet confirmed']);
    const t = texts(svg).map((x) => x.text);
    expect(t).toContain('2026-11');
    expect(t).toContain('9');
    expect(t).toContain('10'); // the top tick is above the bar
    expect(svg).toContain('month of the consultation');
  });

  it('ten years: a bar per month with no gaps, years as labels, none overlapping', () => {
    const months = monthRange('2017-01', '2026-12')
      .filter((_, i) => i % 7 !== 3)
      .map((month, i) => ({ month, accepted: 10 + (i % 5), unconfirmed: 0, rejected: i === 5 ? 1 : 0, heldBack: i === 9 ? 3 : 0 }));
    const svg = monthChart(months);
    expect(monthRange('2017-01', '2026-12')).toHaveLength(120);
    expect(bars(svg).filter((b) => b.includes('sent and accepted'))).toHaveLength(months.length);
    // Held-back records stand in their consultation's month, apart from what was sent.
    expect(bars(svg).filter((b) => b.includes('held back'))).toEqual([`${months[9]!.month}: 3 records held back (not sent)`]);
    const labels = texts(svg).filter((x) => /^\d{4}$/.test(x.text));
    expect(labels.map((l) => l.text)).toEqual(['2017', '2018', '2019', '2020', '2021', '2022', '2023', '2024', '2025', '2026']);
    for (let i = 1; i < labels.length; i++) expect(labels[i]!.x - labels[i - 1]!.x).toBeGreaterThan(4 * 6.6);
  });

  it('runs: held-back records apart from what was sent', () => {
    const svg = runChart([
      { run: 1, kind: 'backfill', startedAt: '2026-11-21T10:00:00Z', accepted: 4523, unconfirmed: 0, rejected: 0, heldBack: 37 },
      { run: 2, kind: 'run', startedAt: '2026-11-22T10:00:00Z', accepted: 1, unconfirmed: 0, rejected: 3, heldBack: 0 },
    ]);
    expect(bars(svg)).toEqual([
      'run 1 (backfill, 2026-11-21T10:00:00Z): 4,523 sent and accepted',
      'run 1 (backfill, 2026-11-21T10:00:00Z): 37 records held back (not sent)',
      'run 2 (run, 2026-11-22T10:00:00Z): 1 sent and accepted',
      'run 2 (run, 2026-11-22T10:00:00Z): 3 in messages the receiver rejected',
    ]);
    expect(texts(svg).map((x) => x.text)).toEqual(expect.arrayContaining(['#1', '#2', '4,560', '4', '5,000']));
  });
});
