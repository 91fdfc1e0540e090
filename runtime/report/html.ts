// `kpr report --html`: the operator's daily page. Self-contained (inline CSS and SVG, no
// scripts, no external requests) so it can be mailed or archived. Rendered with Handlebars,
// which HTML-escapes every value; only the chart, built here from numbers, goes in unescaped.

import { readFileSync } from 'node:fs';
import Handlebars from 'handlebars';
import type { KprConfig } from '../config/load.ts';
import { statusReport } from '../jobs/report.ts';
import { openStore } from '../store/open.ts';
import type { MonthlyVolume, RunVolume, Store } from '../store/types.ts';
import { monthRange, stackedBars, type Series } from './chart.ts';

const template = Handlebars.compile(readFileSync(new URL('./report.html.hbs', import.meta.url), 'utf8'), { strict: false });

const CONSEQUENCE: Record<string, string> = {
  'discard-message': 'whole message discarded (Slettemerk melding)',
  'discard-row': 'row and children discarded (Slettemerk rad med underelementer)',
  'set-null': 'value set to NULL',
  'set-minus-one': 'value set to -1',
  'set-zero': 'value set to 0',
  none: 'logged only (Ingen handling)',
};

const MONTH_SERIES: Series[] = [
  { name: 'sent and accepted', colour: 'var(--sent)' },
  { name: 'sent, not yet confirmed', colour: 'var(--way)' },
  { name: 'in messages the receiver rejected', colour: 'var(--rej)' },
];
const RUN_SERIES: Series[] = [...MONTH_SERIES, { name: 'records held back (not sent)', colour: 'var(--held)' }];

/** Notifications by consultation month, every month from the first to the last (no gaps). */
export function monthChart(months: MonthlyVolume[]): string {
  if (!months.length) return '';
  const by = new Map(months.map((m) => [m.month, m]));
  const all = monthRange(months[0]!.month, months.at(-1)!.month);
  // Up to two years a label per month; beyond, the years at their Januaries.
  const label = (m: string) => (all.length <= 24 ? m : m.endsWith('-01') || m === all[0] ? m.slice(0, 4) : undefined);
  return stackedBars({
    bars: all.map((m) => {
      const v = by.get(m);
      return { label: label(m), title: m, values: v ? [v.accepted, v.unconfirmed, v.rejected] : [0, 0, 0] };
    }),
    series: MONTH_SERIES,
    xTitle: all.length <= 24 ? 'month of the consultation (datoTidStart)' : 'year of the consultation (datoTidStart), a bar per month',
    yTitle: 'notifications (N, M, C)',
    label: 'notifications by consultation month',
  });
}

/** What each of the last 60 runs sent, and held back. */
export function runChart(runs: RunVolume[]): string {
  if (!runs.length) return '';
  const shown = runs.slice(-60);
  return stackedBars({
    bars: shown.map((r) => ({ label: `#${r.run}`, title: `run ${r.run} (${r.kind}, ${r.startedAt})`, values: [r.accepted, r.unconfirmed, r.rejected, r.heldBack] })),
    series: RUN_SERIES,
    xTitle: runs.length > shown.length ? `run (the last ${shown.length} of ${runs.length})` : 'run',
    yTitle: 'notifications / records',
    label: 'volumes by run',
  });
}

export function renderReport(config: KprConfig, now = new Date()): string {
  const status = statusReport(config, now);
  const store = openStore(config.database);
  let months: MonthlyVolume[];
  let runs: RunVolume[];
  let rejections: ReturnType<Store['rejections']>;
  let rejectedMessages: ReturnType<Store['rejectedMessages']>;
  try {
    months = store.monthlyVolumes();
    runs = store.runVolumes();
    rejections = store.rejections();
    rejectedMessages = store.rejectedMessages();
  } finally {
    store.close();
  }
  const m = status.messages;
  const messages = {
    accepted: m.accepted ?? 0,
    rejected: (m.rejected ?? 0) + (m.requeued ?? 0),
    unconfirmed: (m.built ?? 0) + (m.sent ?? 0) + (m.retrying ?? 0),
  };
  const run = status.lastRun;
  const lastRun = run
    ? { outcome: run.outcome ?? 'running', class: run.exitCode === 0 ? 'ok' : run.exitCode === 1 ? 'warn' : 'bad', detail: `#${run.id} ${run.kind}, ${run.startedAt}, exit ${run.exitCode ?? '–'}` }
    : { outcome: 'never', class: 'warn', detail: 'no run yet' };
  const confirmed = status.chain.acceptedHead === status.chain.builtHead;
  const chain = confirmed
    ? { state: 'complete', class: 'ok', detail: `every notification accepted; notifikasjonLopeNr ${status.chain.notifikasjonLopeNr}` }
    : { state: 'on its way', class: messages.rejected && !messages.unconfirmed ? 'bad' : 'warn', detail: `${messages.unconfirmed} message(s) unconfirmed since ${status.oldestUnconfirmed?.createdAt ?? '?'}` };
  const byRule = new Map<string, { rule: string; count: number; consequence: string; example: string }>();
  for (const r of rejections) {
    const e = byRule.get(r.rule) ?? { rule: r.rule, count: 0, consequence: CONSEQUENCE[r.consequence] ?? r.consequence, example: r.message };
    e.count++;
    byRule.set(r.rule, e);
  }
  return template({
    generatedAt: now.toISOString(),
    generatedDay: now.toISOString().slice(0, 10),
    herId: config.sender?.herId,
    profile: status.profile,
    spec: config.message.spec,
    configFile: config.file,
    lastRun,
    consultations: status.consultations,
    messages,
    rejectedTotal: rejections.length,
    chain,
    certificates: status.certificates.map((c) => ({
      name: c.name,
      days: c.error ? 'unreadable' : `${c.daysLeft} days`,
      // A certificate the next run would refuse (wrong key usage, chain) is bad whatever its days.
      class: c.error || c.problem || (c.daysLeft ?? 0) <= 0 ? 'bad' : c.status === 'valid' ? 'ok' : 'warn',
      detail: c.error ?? c.problem ?? `until ${c.notAfter?.slice(0, 10)} (${c.status})`,
    })),
    monthChart: monthChart(months),
    runChart: runChart(runs),
    monthSeries: MONTH_SERIES,
    runSeries: RUN_SERIES,
    runs: [...runs].reverse().map((r) => ({ ...r, day: r.startedAt.slice(0, 16).replace('T', ' ') })),
    rules: [...byRule.values()].sort((a, b) => b.count - a.count || a.rule.localeCompare(b.rule)),
    rejectedMessages: rejectedMessages.map((x) => ({
      ...x,
      todo: x.state === 'requeued' ? 'its consultations were queued again' : `fix the cause, then npx kpr resend ${x.messageId}`,
    })),
  });
}
