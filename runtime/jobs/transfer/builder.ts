// The builder: decides N/M/C for each version, links it into the chain, cuts the notifications
// into Meldinger and commits them to the outbox in one transaction with every decision, rejection
// and source position they stem from; then hands them to the pump. What it decided since the
// last commit is the open batch, in one object, emptied by the commit.
import type { Logger } from '../../log.ts';
import { monthOfJson } from '../../model/month.ts';
import { BatchCollector, serialiseWithin } from '../../message/batch.ts';
import { osloDateTime } from '../../time/oslo.ts';
import { ChainBuilder } from '../../notify/chain.ts';
import { afterDecision, decide } from '../../notify/decide.ts';
import type { AsyncStore } from '../../store/async.ts';
import type { ChainCounters, ConsultationState, NewMessage, Rejection, SeenRecord, SentWarning } from '../../store/types.ts';
import { NOT_SENT, unwritableFinding } from '../mapper.ts';
import type { Pump } from './pump.ts';
import type { FailPoint, SourceMark, TransferLimits, TransferOptions, TransferSummary } from './types.ts';
import type { MeldingWriter, Pending, Serialised } from './writer.ts';

/**
 * Committed messages waiting for the pump, at most, beyond those of one commit (a commit holds up
 * to recordsPerTransaction records, several messages): bounds memory without making the builder
 * wait for the receiver after every commit.
 */
export const MESSAGES_AHEAD = 2;

/** Average XML bytes of a Notifikasjon wrapper, added to a consultation's JSON length as estimate. */
const NOTIFIKASJON_BYTES = 330;
const estimate = (json: string | null) => NOTIFIKASJON_BYTES + (json?.length ?? 0);

/** One version of a consultation to decide. */
export interface Version {
  konsultasjonId: string;
  sourceId: string;
  changedAt: string;
  deleted: boolean;
  konsultasjon: Pending['konsultasjon'];
  json: string | null;
  hash: string | null;
  at?: Pending['at'];
}

/** What was decided since the last commit: written by the next one, in one transaction. */
export interface OpenBatch {
  /** Messages cut since the last commit: several go into one transaction (fewer fsyncs). */
  messages: NewMessage[];
  /** The lopenr of the next message cut in this batch (the store knows the first). */
  nextLopenr: number;
  /** The consultations' states as decided in this batch, before the store has them. */
  overlay: Map<string, ConsultationState>;
  seen: Map<string, SeenRecord>;
  rejections: Rejection[];
  /** Per konsultasjonID, the warnings its latest version in this batch was sent with. */
  warnings: Map<string, SentWarning[]>;
  rejectedInBatch: Set<string>;
  requeueDone: string[];
  /** Deleted in the EPJ with nothing to annul at the receiver (see BatchCommit.deletedUnsent). */
  deletedUnsent: string[];
  records: number;
}

const openBatch = (): OpenBatch => ({
  messages: [],
  nextLopenr: 0,
  overlay: new Map(),
  seen: new Map(),
  rejections: [],
  warnings: new Map(),
  rejectedInBatch: new Set(),
  requeueDone: [],
  deletedUnsent: [],
  records: 0,
});

export interface BuilderDeps {
  store: AsyncStore;
  log: Logger;
  limits: TransferLimits;
  writer: MeldingWriter;
  pump: Pump;
  mark: SourceMark;
  runId: number;
  meldingstype: string;
  checkpointKey: TransferOptions['checkpointKey'];
  newMessageId: () => string;
  newGuid?: () => string;
  fail: (name: FailPoint) => void;
  /** Called after each commit the builder makes on its own (progress). */
  onCommit: () => void;
}

export class Builder {
  /** The open batch; a commit starts a new one. */
  batch: OpenBatch = openBatch();
  private readonly year: number;
  private readonly chain: ChainBuilder;
  private readonly collector: BatchCollector<Pending>;
  /** Meldinger that could not be written and had records held back. */
  private held = 0;
  /**
   * The batch's transaction is open in the store (beginBatch is idempotent, but each call is a
   * turn of the event loop, and on PostgreSQL a trip through the store's queue: once per batch).
   */
  batchOpen = false;

  /** A builder continuing the chain where the store has it. */
  static async open(deps: BuilderDeps, summary: TransferSummary): Promise<Builder> {
    return new Builder(deps, summary, await deps.store.counters());
  }

  private constructor(
    private readonly deps: BuilderDeps,
    private readonly summary: TransferSummary,
    counters: ChainCounters,
  ) {
    this.year = Number(deps.writer.today.slice(0, 4));
    this.chain = new ChainBuilder(counters.chainHead, counters.notifLopeNr, deps.newGuid);
    this.collector = new BatchCollector<Pending>({ maxConsultations: deps.limits.maxConsultations, maxBytes: deps.limits.maxBytes }, (p) => estimate(p.row.json));
  }

  /** Opens the batch's transaction, whose lookups share one snapshot; the next commit ends it. */
  async openBatch(): Promise<void> {
    await this.deps.store.beginBatch();
    this.batchOpen = true;
  }

  /** Decides one version and, when something is to be sent, adds its notification. */
  async consider(v: Version): Promise<void> {
    const { store } = this.deps;
    const b = this.batch;
    // The lookups of a batch run inside its transaction (the store's reads see its own writes).
    let state = b.overlay.get(v.konsultasjonId);
    if (!state) {
      if (!this.batchOpen) await this.openBatch();
      state = await store.consultation(v.konsultasjonId);
    }
    const d = decide(state, { deleted: v.deleted, hash: v.hash });
    if (!d) {
      this.summary.unchanged++;
      // Nothing to annul, but a rejected message may still carry an earlier version: an
      // operator's resend must not bring back what the EPJ deleted.
      if (v.deleted) b.deletedUnsent.push(v.konsultasjonId);
      return;
    }
    const json = d.status === 'C' ? null : v.json;
    // Cut the message before this item if it would not fit: everything committed then is
    // complete (its records, its chain head), and this item starts the next message.
    if (!this.collector.fitsSize(estimate(json))) {
      const before = this.held;
      await this.cut();
      // A version held back in cut() changes what the receiver is about to hold: decide again.
      if (this.held !== before) {
        await this.consider(v);
        return;
      }
    }
    const link = this.chain.next();
    const hash = d.status === 'C' ? null : v.hash;
    const item: Pending = {
      row: {
        konsultasjonId: v.konsultasjonId,
        status: d.status,
        guid: link.guid,
        forrigeGuid: link.forrigeGuid,
        ref: d.ref,
        lopeNr: link.lopeNr,
        hash,
        sourceId: v.sourceId,
        changedAt: v.changedAt,
        json,
        notifikasjonTid: osloDateTime(v.changedAt),
      },
      konsultasjon: d.status === 'C' ? undefined : v.konsultasjon,
      at: v.at,
      prior: state,
    };
    this.batch.overlay.set(v.konsultasjonId, afterDecision(state, d.status, link.guid, hash));
    this.summary.notifications[d.status]++;
    this.collector.add(item);
  }

  /** After each source line: cuts a full message, commits a full batch. False: stop building. */
  async maybeCommit(): Promise<boolean> {
    const { limits, pump, store } = this.deps;
    if (this.collector.full) await this.cut();
    // A transaction holds up to recordsPerTransaction records, and at least one full message.
    if (this.batch.records >= limits.recordsPerTransaction || this.batch.messages.length * limits.maxConsultations >= limits.recordsPerTransaction) {
      // A commit holds this thread for a while (thousands of rows, an fsync): first let the pump
      // take an answer that has come and send the next message, so the receiver is not idle.
      if (pump.active) await new Promise<void>((resolve) => setImmediate(resolve));
      await this.commit();
      await store.heartbeat();
      this.deps.onCommit();
      return pump.send(MESSAGES_AHEAD + Math.ceil(limits.recordsPerTransaction / limits.maxConsultations));
    }
    return true;
  }

  /** Cuts what is collected and commits the open batch (one transaction); then a new batch opens. */
  async commit(): Promise<void> {
    const { store, pump, mark, fail, log } = this.deps;
    pump.throwIfFailed();
    await this.cut();
    const b = this.batch;
    const checkpoints = [];
    let watermark: string | undefined;
    for (const r of b.seen.values()) if (!watermark || r.changedAt > watermark) watermark = r.changedAt;
    if (watermark && watermark > ((await store.checkpoint('watermark')) ?? '')) checkpoints.push({ key: 'watermark', value: watermark });
    if (this.deps.checkpointKey && mark.position) checkpoints.push({ key: this.deps.checkpointKey, value: JSON.stringify({ file: mark.position.file, line: mark.position.line }) });
    // Files read to their end: their last lines are handled, so they are decided with this commit.
    checkpoints.push(...mark.filesDone.splice(0));
    fail('before-commit');
    this.batchOpen = false;
    await store.commitBatch({
      runId: this.deps.runId,
      messages: b.messages,
      seen: [...b.seen.values()],
      rejections: b.rejections,
      warnings: [...b.warnings.values()].flat(),
      requeueDone: b.requeueDone,
      ...(b.deletedUnsent.length && { deletedUnsent: b.deletedUnsent }),
      chainHead: this.chain.head.guid,
      notifLopeNr: this.chain.head.lopeNr,
      checkpoints,
    });
    fail('after-commit');
    this.summary.messagesBuilt += b.messages.length;
    for (const m of b.messages) {
      log.info({ messageId: m.messageId, lopenr: m.lopenr, consultations: m.items.length, bytes: m.bytes }, 'message built');
    }
    this.batch = openBatch();
  }

  /** Turns the collected notifications into one Melding (or more, if it came out too large). */
  private async cut(): Promise<void> {
    const { store, limits, writer } = this.deps;
    const b = this.batch;
    let items = this.collector.take();
    if (!items.length) return;
    const first = b.messages.length ? b.nextLopenr : (await store.lastLopenr(this.year)) + 1;
    let parts: ReturnType<typeof serialiseWithin<Pending, Serialised>>;
    try {
      parts = serialiseWithin(items, limits.maxBytes, (p) => writer.write(p, first));
    } catch (err) {
      items = this.holdUnwritable(items, err);
      if (!items.length) return;
      parts = serialiseWithin(items, limits.maxBytes, (p) => writer.write(p, first));
    }
    parts.forEach(({ part, result }, i) => {
      const lopenr = first + i;
      const built = i === 0 ? result : writer.write(part, lopenr);
      const messageId = this.deps.newMessageId();
      b.messages.push({ messageId, year: this.year, lopenr, meldingstype: this.deps.meldingstype, bytes: built.bytes, uttakDato: writer.today, items: part.map((p) => p.row) });
      this.deps.pump.keep(messageId, built);
    });
    b.nextLopenr = first + parts.length;
  }

  /**
   * A Melding could not be written: each record is tried alone, and those it cannot be written
   * with are held as rejected (with a later version of the same consultation in the batch, which
   * refers to them); the chain is linked again over the rest, which are sent. When no record
   * alone explains the failure (none fails alone, or all do and so does a Melding holding only
   * an annulment, which has no record content), it is not the records' fault: the run stops.
   */
  private holdUnwritable(items: Pending[], failure: unknown): Pending[] {
    const { writer, log } = this.deps;
    const b = this.batch;
    const [head] = items;
    if (!head) return items;
    const culprits = new Map<Pending, unknown>();
    for (const p of items) {
      try {
        writer.write([p], 1);
      } catch (err) {
        culprits.set(p, err);
      }
    }
    if (!culprits.size) throw failure;
    if (culprits.size === items.length) {
      const shell: Pending = { row: { ...head.row, status: 'C', json: null, hash: null, ref: head.row.guid } };
      try {
        writer.write([shell], 1);
      } catch {
        throw failure;
      }
    }
    this.held++;
    const heldIds = new Set<string>();
    const kept: Pending[] = [];
    for (const p of items) {
      const id = p.row.konsultasjonId;
      if (!culprits.has(p) && !heldIds.has(id)) {
        kept.push(p);
        continue;
      }
      if (!heldIds.has(id)) {
        heldIds.add(id);
        if (p.prior) b.overlay.set(id, p.prior);
        else b.overlay.delete(id);
      }
      const err = culprits.get(p);
      const finding = err
        ? unwritableFinding(err)
        : { path: '/', rule: 'REC5004', message: 'held with the earlier version of the same consultation, which could not be written', consequence: NOT_SENT };
      this.summary.notifications[p.row.status]--;
      this.summary.rejectedRecords++;
      b.seen.set(p.row.sourceId, { sourceId: p.row.sourceId, changedAt: p.row.changedAt, rejected: true });
      b.rejectedInBatch.add(id);
      b.rejections.push({
        sourceId: p.row.sourceId,
        konsultasjonId: id,
        changedAt: p.row.changedAt,
        month: monthOfJson(p.row.json),
        file: p.at?.file ?? null,
        line: p.at?.line ?? null,
        ...finding,
      });
      log.warn({ sourceId: p.row.sourceId, file: p.at?.file, line: p.at?.line, rule: finding.rule }, 'record held: the Melding could not be written with it');
    }
    // Link again: the first kept takes the first item's place in the chain, the rest follow it.
    let link = { guid: head.row.forrigeGuid, lopeNr: head.row.lopeNr - 1 };
    for (const p of kept) {
      p.row.forrigeGuid = link.guid;
      p.row.lopeNr = link.lopeNr + 1;
      link = { guid: p.row.guid, lopeNr: p.row.lopeNr };
    }
    this.chain.rewind(link);
    return kept;
  }
}
