// What `kpr status` and `kpr errors` say about SLASH's units: each stopped or waiting unit with
// the refused delivery, FHI's codes with their names and errorDetails (schema errors one per
// line), the correlation id to quote to FHI, and what to do (codes.ts `fix`, and how the unit
// goes on: regenerated from its last accepted period, or the same delivery again).
import type { AsyncStore } from '../../../store/async.ts';
import { schemaErrorLines } from '../../../transport/slash/answer.ts';
import { slashCode } from '../../../transport/slash/codes.ts';

export interface SlashUnitStatus {
  unit: string;
  orgNr: string;
  state: 'ok' | 'stopped' | 'attention';
  delivered: number;
  queued: number;
  lastAcceptedPeriod: string | null;
  /** When stopped or waiting: the delivery that stopped it and why. */
  stop?: {
    seq: number;
    period: string;
    since: string | null;
    status: number | null;
    codes: { code: number; name: string; errorDetails?: string; errorMessage?: string }[];
    reason: string | null;
    correlationId: string | null;
    msgHash: string | null;
    /** What the operator does, and what the next run does then. */
    todo: string;
  };
}

function todo(state: 'stopped' | 'attention', auth: boolean, codes: number[]): string {
  if (state === 'attention') {
    return 'the receiver or the network failed past the retry budget: the next run (or npx kpr resend) sends the same delivery again; tell FHI with the correlation id if it persists';
  }
  const fixes = codes.map((c) => slashCode(c)?.fix).filter((f): f is string => Boolean(f));
  const then = auth
    ? 'then the next run (or npx kpr resend) sends the same delivery unchanged'
    : 'then the next run (or npx kpr resend) regenerates this unit from its last accepted period and goes on';
  return `${fixes.length ? fixes.join('; ') : 'fix the cause FHI names'}; ${then}`;
}

export async function slashStatus(store: AsyncStore): Promise<SlashUnitStatus[]> {
  const out: SlashUnitStatus[] = [];
  for (const u of await store.slashUnits()) {
    const s: SlashUnitStatus = { unit: u.unit, orgNr: u.orgNr, state: u.state, delivered: u.delivered, queued: u.queued, lastAcceptedPeriod: u.lastAcceptedPeriod };
    const d = u.state !== 'ok' && u.seq !== null ? await store.slashDelivery(u.seq) : undefined;
    if (d && u.state !== 'ok') {
      s.stop = {
        seq: d.seq,
        period: d.period,
        since: u.since,
        status: d.status,
        codes: d.codes,
        reason: d.reason,
        correlationId: d.correlationId,
        msgHash: d.msgHash,
        todo: todo(
          u.state,
          u.auth,
          d.codes.map((c) => c.code),
        ),
      };
    }
    out.push(s);
  }
  return out;
}

/** The receiver's codes as lines: `2008 SchemaValidationFailed`, then errorDetails (schema errors one per line). */
export function codeLines(codes: NonNullable<SlashUnitStatus['stop']>['codes']): string[] {
  const lines: string[] = [];
  for (const c of codes) {
    lines.push(`${c.code} ${c.name || slashCode(c.code)?.name || ''}${c.errorMessage && c.errorMessage !== c.name ? `: ${c.errorMessage}` : ''}`.trim());
    const schema = schemaErrorLines(c.errorDetails);
    if (schema) for (const l of schema) lines.push(`  ${l}`);
    else if (c.errorDetails) lines.push(`  ${c.errorDetails}`);
  }
  return lines;
}

/** Lines for `kpr status`: one per unit, and for a stopped one what stopped it and what to do. */
export function formatSlashStatus(units: SlashUnitStatus[]): string[] {
  if (!units.length) return [];
  const lines = [
    `SLASH units ${units.length}: ${units.filter((u) => u.state === 'ok').length} ok, ${units.filter((u) => u.state === 'stopped').length} stopped, ${units.filter((u) => u.state === 'attention').length} for attention`,
  ];
  for (const u of units) {
    lines.push(`unit      ${u.unit} (orgNr ${u.orgNr}): ${u.state}; ${u.delivered} delivered, ${u.queued} queued; last accepted period ${u.lastAcceptedPeriod ?? 'none'}`);
    if (!u.stop) continue;
    const st = u.stop;
    lines.push(`  stopped on delivery ${st.seq} (period ${st.period}${st.status !== null ? `, HTTP ${st.status}` : ''}) since ${st.since ?? '?'}`);
    for (const l of codeLines(st.codes)) lines.push(`  ${l}`);
    if (!st.codes.length && st.reason) lines.push(`  ${st.reason}`);
    lines.push(`  correlation id (quote it to FHI): ${st.correlationId ?? 'none given'}`);
    lines.push(`  what to do: ${st.todo}`);
  }
  return lines;
}
