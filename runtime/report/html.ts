// `kpr report --html`: the operator's daily page. Self-contained (inline CSS and SVG, no
// scripts, no external requests) so it can be mailed or archived. Rendered with Handlebars,
// which HTML-escapes every value; only the chart, built here from numbers, goes in unescaped.

import { readFileSync } from 'node:fs';
import Handlebars from 'handlebars';
import type { KprConfig } from '../config/load.ts';
import { statusReport } from '../jobs/report.ts';
import { openStore } from '../store/open.ts';
import type { DailyVolume, Store } from '../store/types.ts';

const template = Handlebars.compile(readFileSync(new URL('./report.html.hbs', import.meta.url), 'utf8'), { strict: false });

const CONSEQUENCE: Record<string, string> = {
  'discard-message': 'whole message discarded (Slettemerk melding)',
  'discard-row': 'row and children discarded (Slettemerk rad med underelementer)',
  'set-null': 'value set to NULL',
  'set-minus-one': 'value set to -1',
  'set-zero': 'value set to 0',
  none: 'logged only (Ingen handling)',
};

/** A stacked bar per day: accepted N/M/C upwards, rejected records in red on top. */
export function volumeChart(days: DailyVolume[]): string {
  if (!days.length) return '';
  const shown = days.slice(-60);
  const W = 1000, H = 180, pad = 28;
  const total = (d: DailyVolume) => d.accepted.N + d.accepted.M + d.accepted.C + d.rejectedRecords;
  const max = Math.max(1, ...shown.map(total));
  // At most 40 px a bar, so a few days do not become slabs.
  const bw = Math.min(40, Math.max(2, Math.floor((W - pad) / shown.length) - 2));
  const y = (v: number) => (v / max) * (H - 20);
  const bars: string[] = [];
  shown.forEach((d, i) => {
    let top = H;
    const x = pad + i * (bw + 2);
    for (const [v, colour] of [[d.accepted.N, 'var(--n)'], [d.accepted.M, 'var(--m)'], [d.accepted.C, 'var(--c)'], [d.rejectedRecords, 'var(--rej)']] as const) {
      if (!v) continue;
      const h = Math.max(1, y(v));
      top -= h;
      bars.push(`<rect x="${x}" y="${top.toFixed(1)}" width="${bw}" height="${h.toFixed(1)}" fill="${colour}"><title>${d.day}: ${v}</title></rect>`);
    }
  });
  const label = (i: number) => `<text x="${pad + i * (bw + 2)}" y="${H + 14}" font-size="11" fill="#57606a">${shown[i].day}</text>`;
  return `<svg viewBox="0 0 ${W} ${H + 20}" width="100%" role="img" aria-label="volumes per day">` +
    `<text x="0" y="12" font-size="11" fill="#57606a">${max}</text>${bars.join('')}${label(0)}${shown.length > 1 ? label(shown.length - 1) : ''}</svg>`;
}

export function renderReport(config: KprConfig, now = new Date()): string {
  const status = statusReport(config, now);
  const store = openStore(config.database);
  let days: DailyVolume[];
  let rejections: ReturnType<Store['rejections']>;
  let rejectedMessages: ReturnType<Store['rejectedMessages']>;
  try {
    days = store.dailyVolumes();
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
    herId: config.sender.herId,
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
    chart: volumeChart(days),
    days: [...days].reverse(),
    rules: [...byRule.values()].sort((a, b) => b.count - a.count || a.rule.localeCompare(b.rule)),
    rejectedMessages: rejectedMessages.map((x) => ({
      ...x,
      todo: x.state === 'requeued' ? 'its consultations were queued again' : `fix the cause, then kpr resend ${x.messageId}`,
    })),
  });
}
