// The end-to-end demo, small: after the backfill and the daily runs the sandbox holds exactly the
// consultations the EPJ records say it should, in the right state, and every spoiled record is
// listed as rejected with a rule.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { generateRecords } from '../../runtime/demo-data/generate.ts';
import { isAppointmentDeletion } from '../../runtime/demo-data/appointment-record.ts';
import { demoAppointments, runDemo } from '../../runtime/demo/command.ts';
import { awaitingCorrection, expectedHoldings } from '../helpers/expected.ts';
import { loadConfig } from '../../runtime/config/load.ts';
import { errorRowsOf, failures, formatErrors } from '../../runtime/jobs/report.ts';
import { renderReport } from '../../runtime/report/html.ts';
import { asyncStore } from '../../runtime/store/async.ts';
import { openStore } from '../../runtime/store/open.ts';

it('backfill and daily runs leave the receiver holding the EPJ truth', async () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'kpr-demo-')), 'demo');
  const lines: string[] = [];
  const opts = { dir, children: 40, seed: 'demo-test', today: '2026-11-24', dailyRuns: 2, badRate: 0.03 };
  const r = await runDemo({ ...opts, say: (s) => lines.push(s) });

  const records = [...generateRecords({ children: opts.children, from: '2017-01-01', to: opts.today, seed: opts.seed, badRate: opts.badRate })];
  const want = expectedHoldings(records);
  expect(r.active).toBe([...want.values()].filter((s) => s === 'active').length);
  expect(r.annulled).toBe([...want.values()].filter((s) => s === 'annulled').length);
  const defects = awaitingCorrection(records as never[]).length;
  expect(defects).toBeGreaterThan(0);
  expect(Object.values(r.rejectedByRule).reduce((a, b) => a + b, 0)).toBe(defects);
  expect(r.exitCode).toBe(1); // sent, with rejected records
  expect(lines.join('\n')).toMatch(/summary\n {2}2021 channel .*\n {2}notifications sent: +\d+/);

  // SLASH, the same days: the receiver holds every unit's appointments as the extract's latest
  // versions say, deletions marked, and every delivery built was confirmed.
  const latest = new Map<string, boolean>();
  const units = new Set<string>();
  for (const l of demoAppointments(opts)) {
    latest.set(`${l.unit.orgNumber}|${l.appointment.id}`, isAppointmentDeletion(l));
    units.add(l.unit.orgNumber);
  }
  expect(units.size).toBeGreaterThan(3);
  expect([...latest.values()].filter(Boolean).length).toBeGreaterThan(0);
  expect(r.slash.units).toBe(units.size);
  expect(r.slash.deleted).toBe([...latest.values()].filter(Boolean).length);
  expect(r.slash.current).toBe([...latest.values()].filter((d) => !d).length);
  const slashRuns = [r.slash.backfill, ...r.slash.daily];
  expect(slashRuns.reduce((n, s) => n + s.slash.delivered, 0)).toBe(slashRuns.reduce((n, s) => n + s.slash.built, 0));
  expect(lines.join('\n')).toMatch(/SLASH \(FHI's receiver today.*\n {2}deliveries confirmed: +\d+ of \d+ to \d+ units/);

  // The operator's HTML report of the same database: the numbers agree, it is self-contained,
  // it escapes what the data says, and it names no person.
  const config = loadConfig(join(dir, 'kpr.yaml'));
  const store = openStore(config.database);
  const volumes = store.dailyVolumes();
  const months = store.monthlyVolumes();
  const runs = store.runVolumes();
  const rejections = store.rejections();
  const warnings = store.sentWarningsByRule();
  const rows = await errorRowsOf(asyncStore(store));
  store.close();
  const total = (k: 'N' | 'M' | 'C') => volumes.reduce((n, v) => n + v.accepted[k], 0);
  const sent = [r.backfill, ...r.daily].reduce((acc, s) => ({ N: acc.N + s.notifications.N, M: acc.M + s.notifications.M, C: acc.C + s.notifications.C }), { N: 0, M: 0, C: 0 });
  expect({ N: total('N'), M: total('M'), C: total('C') }).toEqual(sent);
  // By consultation month: every N and M (a C carries no date), in the demo's window; by run:
  // what each run sent, and the records it held back.
  expect(months.reduce((n, m) => n + m.accepted, 0)).toBe(sent.N + sent.M);
  // In order, from the obligation's start (a spoiled future date is sent with a warning, so the
  // last month may lie past the extract).
  expect(months.map((m) => m.month)).toEqual(months.map((m) => m.month).sort());
  expect(months[0]!.month >= '2017-01').toBe(true);
  expect(runs.map((v) => v.accepted)).toEqual([r.backfill, ...r.daily].map((s) => s.notifications.N + s.notifications.M + s.notifications.C));
  expect(runs.reduce((n, v) => n + v.heldBack, 0)).toBe(defects);
  // The demo's defects give both kinds: held back, and sent with a warning (a future date, an
  // unknown code whose published consequence is "Ingen handling").
  expect(warnings.length).toBeGreaterThan(0);
  // Held back by consultation month: every held-back record whose datoTidStart could be read.
  const heldWithMonth = new Set(rejections.filter((x) => x.month).map((x) => x.sourceId)).size;
  expect(heldWithMonth).toBeGreaterThan(0);
  expect(months.reduce((n, m) => n + m.heldBack, 0)).toBe(heldWithMonth);
  // kpr errors: held back first, then sent with a warning, exit code by the held back alone.
  const kinds = rows.map((x) => x.kind);
  expect(kinds.indexOf('warning')).toBeGreaterThan(kinds.lastIndexOf('record'));
  expect(failures(rows)).toBe(rows.filter((x) => x.kind !== 'warning').length);
  const text = formatErrors(rows, 'text');
  expect(text).toMatch(/\d+ record\(s\) held back \(not sent\)[\s\S]*\d+ record\(s\) sent with a warning/);
  for (const w of warnings) expect(text).toContain(`${w.rule} `);
  const html = await renderReport(config);
  expect(html).toContain(`<div class="v">${r.active}</div>`);
  for (const rule of Object.keys(r.rejectedByRule)) expect(html).toContain(`<code>${rule}</code>`);
  // The report's sections: held back by rule, by consultation month, and sent with a warning by
  // rule (each rule with its record count), apart from each other.
  const section = (h: string) => html.slice(html.indexOf(`<h2>${h}</h2>`), html.indexOf('<h2>', html.indexOf(`<h2>${h}</h2>`) + 4));
  const warned = section('Sent with a warning, by rule');
  for (const w of warnings) expect(warned).toMatch(new RegExp(`<code>${w.rule}</code>[^<]*</td><td class="num">${w.count}</td>`));
  expect(warned).toMatch(/the receiver's: «Ingen handling»/);
  const byMonth = section('Held back by consultation month');
  const monthRows = [...byMonth.matchAll(/<tr><td>(\d{4}-\d{2})<\/td><td class="num">(\d+)<\/td>/g)].map((m) => [m[1], Number(m[2])]);
  expect(monthRows).toEqual(months.filter((m) => m.heldBack).map((m) => [m.month, m.heldBack]));
  expect(html).toContain('records held back (not sent)');
  expect(html).not.toMatch(/<script|src=|href="http/);
  const fnrs = records.map((x) => (x as { child?: { nationalId?: string } }).child?.nationalId).filter((x): x is string => !!x);
  for (const fnr of fnrs) expect(html).not.toContain(fnr);
});
