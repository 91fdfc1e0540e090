// The end-to-end demo, small: after the backfill and the daily runs the sandbox holds exactly the
// consultations the EPJ records say it should, in the right state, and every spoiled record is
// listed as rejected with a rule.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { generateRecords } from '../../runtime/demo-data/generate.ts';
import { runDemo } from '../../runtime/demo/command.ts';
import { expectedHoldings } from '../helpers/expected.ts';

it('backfill and daily runs leave the receiver holding the EPJ truth', async () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'kpr-demo-')), 'demo');
  const lines: string[] = [];
  const opts = { dir, children: 40, seed: 'demo-test', today: '2026-11-24', dailyRuns: 2, badRate: 0.03 };
  const r = await runDemo({ ...opts, say: (s) => lines.push(s) });

  const records = [...generateRecords({ children: opts.children, from: '2017-01-01', to: opts.today, seed: opts.seed, badRate: opts.badRate })];
  const want = expectedHoldings(records);
  expect(r.active).toBe([...want.values()].filter((s) => s === 'active').length);
  expect(r.annulled).toBe([...want.values()].filter((s) => s === 'annulled').length);
  const defects = records.filter((x) => (x as { _defect?: string })._defect).length;
  expect(defects).toBeGreaterThan(0);
  expect(Object.values(r.rejectedByRule).reduce((a, b) => a + b, 0)).toBe(defects);
  expect(r.exitCode).toBe(1); // sent, with rejected records
  expect(lines.join('\n')).toMatch(/summary\n {2}notifications sent: +\d+/);
});
