// The SLASH channel's transfer, behind `kpr run`, `kpr backfill` and `kpr resend` (FHI's
// delivery rules, ../shared/reference/fhi-slash/README.md):
//
//   1. units an operator fixed go on: a content refusal discards the unit's unsent deliveries
//      and makes their items pending again (regenerated from the last accepted period); an
//      authentication refusal or a 5xx queues the same delivery again;
//   2. what is queued goes first, one FIFO queue per reporting unit: a unit's next delivery only
//      after the previous one is confirmed;
//   3. the source is read: each line's item decided against its current content and committed,
//      pending, with the source position (one transaction every `recordsPerTransaction` lines);
//   4. the pending items become deliveries, per unit by period (month) oldest first, each at
//      most `maxRequestBytes`, committed before anything is sent; then 2 again.
//
// A delivery's bytes are stored when it is built, so one killed in flight is sent again
// unchanged (the same msg_hash) and counted once, when its answer is recorded. A refused unit
// stops; the others go on.
import type { Logger } from '../../../log.ts';
import type { MapResult } from '../../../mapping/apply.ts';
import type { ReadOptions, Source } from '../../../sources/types.ts';
import type { AsyncStore } from '../../../store/async.ts';
import type { Rejection, SlashAnswered, SlashDeliveryRow, SlashItemRow } from '../../../store/types.ts';
import type { SlashMessage, SlashResult } from '../../../transport/slash/client.ts';
import { emptySummary, settleRun } from '../../transfer/summary.ts';
import type { TransferSummary } from '../../transfer/types.ts';
import { buildDeliveries } from './body.ts';
import { decideLine, type DecideSettings } from './decide.ts';
import type { DeliveryForm } from './form.ts';
import { parseUnitKey } from './unit.ts';

export type SlashFailPoint = 'before-commit' | 'after-commit' | 'after-build' | 'before-send' | 'after-send' | 'after-answer';

export interface SlashDeps {
  store: AsyncStore;
  log: Logger;
  client: { send(msg: SlashMessage): Promise<SlashResult> };
  msgType: string;
  msgVersion: string;
  form: DeliveryForm;
  decide: Omit<DecideSettings, 'form' | 'map'>;
  map?: (record: unknown) => MapResult;
  source?: Source;
  maxRequestBytes: number;
  recordsPerTransaction: number;
  /** The token's parent organisation for a unit; default the unit's orgNr (multi-tenant). */
  parentOf?: (orgNr: string) => string | undefined;
  /** Units sent at the same time (each still strictly in order). */
  concurrency?: number;
  failpoint?: (name: SlashFailPoint) => void;
}

export interface SlashOptions {
  kind: 'run' | 'backfill' | 'resend';
  readSource: boolean;
  read?: ReadOptions;
  /** Items before this day are outside the load (the initial load starts 2017-01-01). */
  from?: string;
  /** Save the source position under this key with every commit (a resumable backfill). */
  checkpointKey?: string;
  /** resend: only these units (keys or organisation numbers); default every stopped one. */
  units?: string[];
}

export interface SlashSummary extends TransferSummary {
  slash: {
    /** Deliveries built in this run, and delivered (confirmed) in this run. */
    built: number;
    delivered: number;
    items: number;
    deletions: number;
    /** Units resumed after a stop, and the deliveries their regeneration discarded. */
    resumed: string[];
    regenerated: number;
    /** Units stopped (4xx) or marked for attention (5xx, network) by this run, with why. */
    stopped: { unit: string; seq: number; state: 'stopped' | 'attention'; reason: string; correlationId: string | null }[];
    /** Units waiting behind a stop from an earlier run (not sent to). */
    waiting: string[];
  };
}

const WATERMARK = 'slash:watermark';

export async function slashTransfer(deps: SlashDeps, opts: SlashOptions): Promise<SlashSummary> {
  const { store, log } = deps;
  const fail = deps.failpoint ?? (() => {});
  const runId = await store.startRun(opts.kind);
  const s: SlashSummary = {
    ...emptySummary(runId, opts.kind),
    slash: { built: 0, delivered: 0, items: 0, deletions: 0, resumed: [], regenerated: 0, stopped: [], waiting: [] },
  };
  log.info({ runId, kind: opts.kind, channel: 'slash' }, 'transfer started');
  let exitError: unknown;
  try {
    await resume(store, opts, s);
    await sendQueue(deps, s, fail);
    // Pending items are built after the source is read: a unit regenerated after a refusal
    // takes the EPJ's corrected content, not the refused one.
    if (opts.readSource && deps.source) await readSource(deps, opts, s, fail);
    await build(deps, s, fail);
    await sendQueue(deps, s, fail);
  } catch (err) {
    exitError = err;
  }
  s.messagesBuilt = s.slash.built;
  s.messagesAccepted = s.slash.delivered;
  try {
    s.slash.waiting = (await store.slashUnits()).filter((u) => u.state !== 'ok' && !s.slash.stopped.some((x) => x.unit === u.unit)).map((u) => u.unit);
  } catch (err) {
    exitError ??= err;
  }
  await settleRun(store, log, s, s.slash.stopped.length > 0 || s.slash.waiting.length > 0, exitError);
  if (exitError) throw exitError;
  return s;
}

/** Step 1: units stopped before go on, as their stop says (see Store.resumeSlashUnit). */
async function resume(store: AsyncStore, opts: SlashOptions, s: SlashSummary): Promise<void> {
  const wanted = opts.units?.length ? new Set(opts.units) : undefined;
  for (const u of await store.slashUnits()) {
    if (u.state === 'ok') continue;
    // A run resumes every unit: the operator's fix is assumed; a unit still wrong stops again.
    if (wanted && !wanted.has(u.unit) && !wanted.has(u.orgNr)) continue;
    s.slash.regenerated += await store.resumeSlashUnit(u.unit);
    s.slash.resumed.push(u.unit);
  }
}

/** Step 3: the source's lines decided and committed as pending items. */
async function readSource(deps: SlashDeps, opts: SlashOptions, s: SlashSummary, fail: (n: SlashFailPoint) => void): Promise<void> {
  const { store } = deps;
  const settings: DecideSettings = { ...deps.decide, form: deps.form, map: deps.map };
  const from = opts.from?.slice(0, 7);
  let items = new Map<string, SlashItemRow>();
  let rejections: Rejection[] = [];
  let lines = 0;
  let position: { file: string; line: number } | undefined;
  let watermark = (await store.checkpoint(WATERMARK)) ?? '';
  const commit = async () => {
    const checkpoints = [{ key: WATERMARK, value: watermark }];
    if (opts.checkpointKey && position) checkpoints.push({ key: opts.checkpointKey, value: JSON.stringify(position) });
    fail('before-commit');
    await store.commitSlash({ runId: s.runId, items: [...items.values()], deliveries: [], pendingDone: [], rejections, checkpoints });
    fail('after-commit');
    items = new Map();
    rejections = [];
    lines = 0;
  };
  for await (const line of deps.source!.read(opts.read ?? {})) {
    s.records++;
    lines++;
    position = { file: line.file, line: line.line };
    const d = decideLine(line, settings);
    if (d.kind === 'rejected') {
      s.rejectedRecords++;
      rejections.push(d.rejection);
    } else {
      const key = `${d.item.unit}\u0000${d.item.id}`;
      const before = items.get(key) ?? (await store.slashItem(d.item.unit, d.item.id));
      if (d.item.changedAt > watermark) watermark = d.item.changedAt;
      if (before && before.changedAt > d.item.changedAt) s.skipped++;
      else if (before && before.hash === d.item.hash) s.unchanged++;
      else if (d.item.json === null && !before)
        s.unchanged++; // deleted before it was ever delivered
      else if (d.item.json !== null && from && d.item.month < from) s.outsideWindow++;
      else {
        items.set(key, d.item.json === null ? { ...d.item, month: before!.month } : d.item);
        if (d.item.json === null) s.slash.deletions++;
        else s.slash.items++;
      }
    }
    if (lines >= deps.recordsPerTransaction) await commit();
  }
  await commit();
}

/** Step 4: pending items become deliveries, one transaction per unit. */
async function build(deps: SlashDeps, s: SlashSummary, fail: (n: SlashFailPoint) => void): Promise<void> {
  const byUnit = new Map<string, SlashItemRow[]>();
  for (const it of await deps.store.slashPending()) {
    let list = byUnit.get(it.unit);
    if (!list) {
      list = [];
      byUnit.set(it.unit, list);
    }
    list.push(it);
  }
  for (const [unit, items] of byUnit) {
    const deliveries = buildDeliveries(unit, items, deps.form, deps.maxRequestBytes);
    await deps.store.commitSlash({ runId: s.runId, items: [], deliveries, pendingDone: items.map((i) => ({ unit, id: i.id })), rejections: [] });
    s.slash.built += deliveries.length;
    fail('after-build');
  }
}

/** Steps 2 and 5: every unit's queue in order; units side by side. */
async function sendQueue(deps: SlashDeps, s: SlashSummary, fail: (n: SlashFailPoint) => void): Promise<void> {
  const { store } = deps;
  const standing = new Map((await store.slashUnits()).map((u) => [u.unit, u.state]));
  const queues = new Map<string, SlashDeliveryRow[]>();
  for (const d of await store.slashQueue()) {
    let q = queues.get(d.unit);
    if (!q) {
      q = [];
      queues.set(d.unit, q);
    }
    q.push(d);
  }
  const units = [...queues.keys()].filter((u) => standing.get(u) === 'ok');
  let next = 0;
  const worker = async () => {
    while (next < units.length) {
      const unit = units[next++]!;
      for (const d of queues.get(unit)!) if (!(await sendOne(deps, s, d, fail))) break;
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(deps.concurrency ?? 4, units.length)) }, worker));
}

async function sendOne(deps: SlashDeps, s: SlashSummary, d: SlashDeliveryRow, fail: (n: SlashFailPoint) => void): Promise<boolean> {
  const { store, log } = deps;
  const orgNr = parseUnitKey(d.unit).orgNr;
  await store.markSlashSending(d.seq);
  fail('before-send');
  const r = await deps.client.send({ json: Buffer.from(d.body, 'utf8'), msgType: deps.msgType, msgVersion: deps.msgVersion, parentOrgNr: deps.parentOf?.(orgNr) ?? orgNr });
  fail('after-send');
  let answer: SlashAnswered;
  if (r.outcome === 'delivered') {
    answer = { outcome: 'delivered', msgHash: r.msgHash, correlationId: r.correlationId ?? null };
  } else {
    const codes = (r.answer?.errors ?? []).map((e) => ({
      code: e.errorCode ?? 0,
      name: r.codes.find((c) => c.code === e.errorCode)?.name ?? '',
      ...(e.errorDetails !== undefined && { errorDetails: e.errorDetails }),
      ...(e.errorMessage !== undefined && { errorMessage: e.errorMessage }),
    }));
    const auth = r.status === 401 || r.status === 403 || r.codes.some((c) => c.action === 'new-token');
    answer = {
      outcome: r.action === 'retry-later' ? 'attention' : 'refused',
      msgHash: r.msgHash,
      correlationId: r.correlationId ?? null,
      status: r.status ?? null,
      codes,
      reason: r.reason,
      auth,
    };
  }
  await store.slashAnswered(d.seq, answer);
  fail('after-answer');
  if (answer.outcome === 'delivered') {
    s.slash.delivered++;
    log.info({ unit: d.unit, seq: d.seq, period: d.period, correlationId: answer.correlationId, msgHash: answer.msgHash }, 'SLASH delivery confirmed');
    return true;
  }
  s.slash.stopped.push({ unit: d.unit, seq: d.seq, state: answer.outcome === 'refused' ? 'stopped' : 'attention', reason: answer.reason, correlationId: answer.correlationId });
  log.warn(
    { unit: d.unit, seq: d.seq, period: d.period, status: answer.status, codes: answer.codes.map((c) => c.code), correlationId: answer.correlationId },
    `SLASH unit ${answer.outcome === 'refused' ? 'stopped' : 'marked for attention'}: ${answer.reason}`,
  );
  return false;
}
