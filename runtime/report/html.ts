// `kpr report --html`: the operator's daily page. Self-contained (inline CSS and SVG, no
// scripts, no external requests) so it can be mailed or archived. Rendered with Handlebars,
// which HTML-escapes every value; only the chart, built here from numbers, goes in unescaped.

import { readFileSync } from 'node:fs';
import Handlebars from 'handlebars';
import type { KprConfig } from '../config/load.ts';
import { openExisting, type StatusReport, statusOf } from '../jobs/report.ts';
import { ruleOf } from '../rules/catalogue.ts';
import { consequenceWords } from '../rules/policy.ts';
import type { AsyncStore } from '../store/async.ts';
import type { MonthlyVolume, Rejection, RunVolume } from '../store/types.ts';
import { monthRange, stackedBars, type Series } from './chart.ts';

const template = Handlebars.compile(readFileSync(new URL('./report.html.hbs', import.meta.url), 'utf8'), { strict: false });

/** Where a consultation's notifications and records stand; months and runs use the same four. */
const SERIES: Series[] = [
  { name: 'sent and accepted', colour: 'var(--sent)' },
  { name: 'sent, not yet confirmed', colour: 'var(--way)' },
  { name: 'in messages the receiver rejected', colour: 'var(--rej)' },
  { name: 'records held back (not sent)', colour: 'var(--held)' },
];

/**
 * Notifications by consultation month, and the records held back in that month (those whose
 * datoTidStart could be read), every month from the first to the last (no gaps).
 */
export function monthChart(months: MonthlyVolume[]): string {
  if (!months.length) return '';
  const by = new Map(months.map((m) => [m.month, m]));
  const all = monthRange(months[0]!.month, months.at(-1)!.month);
  // Up to two years a label per month; beyond, the years at their Januaries.
  const label = (m: string) => (all.length <= 24 ? m : m.endsWith('-01') || m === all[0] ? m.slice(0, 4) : undefined);
  return stackedBars({
    bars: all.map((m) => {
      const v = by.get(m);
      return { label: label(m), title: m, values: v ? [v.accepted, v.unconfirmed, v.rejected, v.heldBack] : [0, 0, 0, 0] };
    }),
    series: SERIES,
    xTitle: all.length <= 24 ? 'month of the consultation (datoTidStart)' : 'year of the consultation (datoTidStart), a bar per month',
    yTitle: 'notifications (N, M) / records',
    label: 'notifications by consultation month',
  });
}

/** What each of the last 60 runs sent, and held back. */
export function runChart(runs: RunVolume[]): string {
  if (!runs.length) return '';
  const shown = runs.slice(-60);
  return stackedBars({
    bars: shown.map((r) => ({ label: `#${r.run}`, title: `run ${r.run} (${r.kind}, ${r.startedAt})`, values: [r.accepted, r.unconfirmed, r.rejected, r.heldBack] })),
    series: SERIES,
    xTitle: runs.length > shown.length ? `run (the last ${shown.length} of ${runs.length})` : 'run',
    yTitle: 'notifications / records',
    label: 'volumes by run',
  });
}

/** `tenant`: the page is one tenant's of a tenants file's report, `overview` the page across them. */
export async function renderReport(config: KprConfig, now = new Date(), of: { tenant?: string; overview?: string } = {}): Promise<string> {
  const store = await openExisting(config);
  let status: StatusReport;
  let months: MonthlyVolume[];
  let runs: RunVolume[];
  let rejections: Awaited<ReturnType<AsyncStore['rejections']>>;
  let rejectedMessages: Awaited<ReturnType<AsyncStore['rejectedMessages']>>;
  let warnings: Awaited<ReturnType<AsyncStore['sentWarnings']>>;
  try {
    status = await statusOf(store, config, now);
    months = await store.monthlyVolumes();
    runs = await store.runVolumes();
    rejections = await store.rejections();
    rejectedMessages = await store.rejectedMessages();
    warnings = await store.sentWarnings();
  } finally {
    await store.close();
  }
  const m = status.messages;
  const messages = {
    accepted: m.accepted ?? 0,
    rejected: (m.rejected ?? 0) + (m.requeued ?? 0),
    unconfirmed: (m.built ?? 0) + (m.sent ?? 0) + (m.retrying ?? 0),
  };
  const run = status.lastRun;
  const lastRun = run
    ? {
        outcome: run.outcome ?? 'running',
        class: run.exitCode === 0 ? 'ok' : run.exitCode === 1 ? 'warn' : 'bad',
        detail: `#${run.id} ${run.kind}, ${run.startedAt}, exit ${run.exitCode ?? '–'}`,
      }
    : { outcome: 'never', class: 'warn', detail: 'no run yet' };
  const confirmed = status.chain.acceptedHead === status.chain.builtHead;
  const chain = confirmed
    ? { state: 'complete', class: 'ok', detail: `every notification accepted; notifikasjonLopeNr ${status.chain.notifikasjonLopeNr}` }
    : {
        state: 'on its way',
        class: messages.rejected && !messages.unconfirmed ? 'bad' : 'warn',
        detail: `${messages.unconfirmed} message(s) unconfirmed since ${status.oldestUnconfirmed?.createdAt ?? '?'}`,
      };
  const rules = byRule(rejections);
  const warned = byRule(warnings);
  return template({
    generatedAt: now.toISOString(),
    generatedDay: now.toISOString().slice(0, 10),
    herId: config.sender?.herId,
    tenant: of.tenant,
    overview: of.overview,
    profile: status.profile,
    spec: config.message.spec,
    configFile: config.file,
    lastRun,
    consultations: status.consultations,
    messages,
    rejectedTotal: distinct(rejections),
    warnedTotal: distinct(warnings),
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
    series: SERIES,
    runs: [...runs].reverse().map((r) => ({ ...r, day: r.startedAt.slice(0, 16).replace('T', ' ') })),
    rules,
    warned,
    heldMonths: heldByMonth(rejections),
    heldNoMonth: distinct(rejections.filter((r) => !r.month)),
    rejectedMessages: rejectedMessages.map((x) => ({
      ...x,
      todo: x.state === 'requeued' ? 'its consultations were queued again' : `fix the cause, then npx kpr resend ${x.messageId}`,
    })),
  });
}

const distinct = (findings: { sourceId: string }[]) => new Set(findings.map((f) => f.sourceId)).size;

interface RuleRow {
  rule: string;
  name: string;
  /** Distinct records. */
  count: number;
  /** The consequence in the receiver's words, or the kit's. */
  consequence: string;
  receivers: boolean;
  kit: string;
  example: string;
}

/** Findings by rule, most records first, with the consequence and whose it is. */
function byRule(findings: { sourceId: string; rule: string; consequence: string; message: string }[]): RuleRow[] {
  const by = new Map<string, { row: RuleRow; ids: Set<string> }>();
  for (const f of findings) {
    let e = by.get(f.rule);
    if (!e) {
      const c = consequenceWords(f.rule, f.consequence);
      e = {
        row: { rule: f.rule, name: ruleOf(f.rule)?.name ?? '', count: 0, consequence: c.words, receivers: c.whose === 'receiver', kit: c.kit, example: f.message },
        ids: new Set(),
      };
      by.set(f.rule, e);
    }
    e.ids.add(f.sourceId);
  }
  return [...by.values()].map((e) => ({ ...e.row, count: e.ids.size })).sort((a, b) => b.count - a.count || a.rule.localeCompare(b.rule));
}

/** Held-back records by consultation month: how many, and under which rules. */
function heldByMonth(rejections: Rejection[]): { month: string; count: number; rules: string }[] {
  const by = new Map<string, Rejection[]>();
  for (const r of rejections) if (r.month) (by.get(r.month) ?? by.set(r.month, []).get(r.month)!).push(r);
  return [...by]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([month, list]) => ({
      month,
      count: distinct(list),
      rules: byRule(list)
        .map((x) => `${x.rule} ${x.count}`)
        .join(', '),
    }));
}
