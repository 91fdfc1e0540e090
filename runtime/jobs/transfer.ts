// The transfer: the one loop behind `kpr run`, `kpr backfill` and `kpr resend`.
//
//   1. send what is unconfirmed, in chain order, with its original messageId and content;
//   2. decide what an operator or a rejection queued again (requeue);
//   3. stream the source: map, validate, skip versions already decided, decide N/M/C, chain;
//   4. every `maxConsultations` notifications (or bytes, or records): build the Melding(s) and
//      commit them to the outbox together with every decision, rejection and source position
//      they stem from (one transaction), then send them.
//
// Sending only moves outbox states; the receiver's confirmation is what makes a consultation
// "accepted". The first message that is not accepted stops the line: later ones would break
// the chain the receiver checks.
import { randomUUID } from 'node:crypto';
import { EXIT } from '../cli/program.ts';
import type { Logger } from '../log.ts';
import { BatchCollector, serialiseWithin } from '../message/batch.ts';
import { buildMelding, osloDate, osloDateTime, type MeldingHeader, type NotificationInput } from '../message/melding.ts';
import { ChainBuilder } from '../notify/chain.ts';
import { afterDecision, decide } from '../notify/decide.ts';
import { contentHash } from '../notify/hash.ts';
import type { FileIdentity, ReadOptions, Source } from '../sources/types.ts';
import type { ConsultationState, ItemRow, NewMessage, OutboxMessage, Rejection, SeenRecord, SentWarning, Store } from '../store/types.ts';
import { SerialisedElement, Splice } from '../xml/write.ts';
import { inProcessFrontEnd, type FrontEnd, type FrontMapped } from './front-end.ts';
import { VersionMemo } from './versions.ts';
import { NOT_SENT, unwritableFinding, type RecordMapper } from './mapper.ts';
import type { MessageKit } from './message-kit.ts';
import type { Sealer, Sender } from './sender.ts';

export interface TransferDeps {
  store: Store;
  kit: MessageKit;
  header: MeldingHeader;
  limits: { maxConsultations: number; maxBytes: number; recordsPerTransaction: number };
  sender: Sender;
  sealer: Sealer;
  log: Logger;
  mapper?: RecordMapper;
  source?: Source;
  /** Source and mapping together, e.g. in a worker thread (front-end.ts); else source + mapper here. */
  frontEnd?: FrontEnd;
  /** Injected in tests for reproducible chains and dates. */
  newGuid?: () => string;
  newMessageId?: () => string;
  now?: () => Date;
  onProgress?: (p: TransferProgress) => void;
  /** Test hook: called at named points; throwing there simulates a crash at that point. */
  failpoint?: (name: FailPoint) => void;
}

export type FailPoint = 'before-commit' | 'after-commit' | 'after-sealed' | 'after-send' | 'after-accept';

export interface TransferOptions {
  kind: 'run' | 'backfill' | 'resend';
  /** Read the source (false for resend: only the queue and the outbox). */
  readSource: boolean;
  read?: ReadOptions;
  /** Backfill window on the consultation's datoTidStart (dates, inclusive). */
  window?: { from: string; to?: string };
  /** Save the source position under this key with every commit (resumable backfill). */
  checkpointKey?: string;
}

export interface TransferProgress {
  records: number;
  messages: number;
  bytesRead: number;
  bytesTotal?: number;
  elapsedMs: number;
}

export interface TransferSummary {
  runId: number;
  kind: string;
  records: number;
  skipped: number;
  outsideWindow: number;
  unchanged: number;
  rejectedRecords: number;
  notifications: { N: number; M: number; C: number };
  messagesBuilt: number;
  messagesAccepted: number;
  /** Why the line stopped, if it did. */
  stopped?: { messageId: string; state: 'rejected' | 'retrying'; reason: string };
  outcome: 'ok' | 'partial' | 'failed';
  exitCode: number;
}

interface Pending {
  row: ItemRow;
  /** The mapped object, or its element written by the worker; else row.json is parsed for the XML. */
  konsultasjon?: Record<string, unknown> | SerialisedElement;
  /** Where the version was read (none for one queued again). */
  at?: { file: string; line: number };
  /** The consultation's state before this decision: what holding the version back restores. */
  prior?: ConsultationState;
}

interface Serialised {
  /** The Melding's XML, UTF-8. */
  xml: Buffer;
  bytes: number;
}

/**
 * Committed messages waiting for the pump, at most, beyond those of one commit (a commit holds up
 * to recordsPerTransaction records, several messages): bounds memory without making the builder
 * wait for the receiver after every commit.
 */
const MESSAGES_AHEAD = 2;

/**
 * Records between two turns of the event loop while the pump is sending. An answer takes the
 * HTTP client several turns to come through, and each turn waits for this many records to be
 * built: at 32 that was about a millisecond a turn, on the run's critical path. A turn costs
 * about 2 µs, against some 50 µs of building a record. At 500 consultations per message,
 * 200k records took 19.2–23.3 s at 4 (median 23.0) and 20.8–27.9 s at 32 (median 25.4), in
 * interleaved runs on a machine whose speed drifted by a third.
 */
const YIELD_EVERY = 4;

/** Average XML bytes of a Notifikasjon wrapper, added to a consultation's JSON length as estimate. */
const NOTIFIKASJON_BYTES = 330;

export async function transfer(deps: TransferDeps, opts: TransferOptions): Promise<TransferSummary> {
  const { store, log } = deps;
  const now = deps.now ?? (() => new Date());
  const newMessageId = deps.newMessageId ?? randomUUID;
  const fail = deps.failpoint ?? (() => {});
  const runId = store.startRun(opts.kind);
  const started = Date.now();
  const s: TransferSummary = {
    runId,
    kind: opts.kind,
    records: 0,
    skipped: 0,
    outsideWindow: 0,
    unchanged: 0,
    rejectedRecords: 0,
    notifications: { N: 0, M: 0, C: 0 },
    messagesBuilt: 0,
    messagesAccepted: 0,
    outcome: 'ok',
    exitCode: EXIT.ok,
  };
  log.info({ runId, kind: opts.kind }, 'transfer started');

  // --- sending ----------------------------------------------------------------------------
  // A pump sends the outbox in chain order, one message at a time, while the next messages are
  // being built: the receiver's work (and the network) overlaps ours. It never writes to the
  // store itself, because the builder may hold the batch's transaction open; what happened is
  // queued as events and applied at the next safe point (right after a commit), so an outcome
  // reaches the disk at most one batch later. Until then a crash leaves the message
  // unconfirmed, and the next run resends it with the same messageId, which the receiver answers
  // as before. The first message that is not accepted halts the pump: later ones would break
  // the chain. The builder notices at its next commit and stops too.
  type PumpEvent =
    | { kind: 'sending'; seq: number }
    | { kind: 'accepted'; seq: number; refId: string | null }
    | { kind: 'retrying'; seq: number; reason: string; refId: string | null }
    | { kind: 'rejected'; seq: number; validationCode: number | null; validationMessage: string; refId: string | null };
  const queue: OutboxMessage[] = [];
  const queued = new Set<number>();
  const events: PumpEvent[] = [];
  let pumping: Promise<void> | undefined;
  let halted = false;
  let pumpError: unknown;
  /** Resolved each time the pump finishes a message (or stops): what a waiting builder awaits. */
  let stepped: () => void = () => {};
  const nextStep = () => new Promise<void>((resolve) => (stepped = resolve));

  /** The next message of this run, sealed while the one before it was with the receiver. */
  let presealed: { messageId: string; xml: Buffer; payload: Buffer } | undefined;
  const preseal = () => {
    const next = queue[1];
    const built = next && justBuilt.get(next.messageId);
    // (Twice for one message when an answer came before this turn: the first did it.)
    if (!built || halted || pumpError || presealed?.messageId === next.messageId) return;
    try {
      presealed = { messageId: next.messageId, xml: built.xml, payload: deps.sealer(built.xml) };
      deps.sender.prepare?.({ seq: next.seq, lopenr: next.lopenr, ...presealed });
    } catch {
      // Sealed again when it is sent, and fails there, where failing is handled.
    }
  };

  const sendOne = async (m: OutboxMessage): Promise<boolean> => {
    // A message built in an earlier run is rebuilt from its stored notifications (same GUIDs,
    // lopenr, uttakDato, content): one copy of each consultation is kept, not two. It is
    // sealed at every attempt with the certificates configured now; a resend carries the same
    // messageId and the same content, which is what the receiver matches.
    let xml: Buffer;
    let payload: Buffer;
    if (presealed?.messageId === m.messageId) ({ xml, payload } = presealed);
    else {
      xml = (justBuilt.get(m.messageId) ?? rebuild(m.seq, m.lopenr, m.uttakDato, m.meldingstype)).xml;
      payload = deps.sealer(xml);
    }
    presealed = undefined;
    justBuilt.delete(m.messageId);
    events.push({ kind: 'sending', seq: m.seq });
    fail('after-sealed');
    let r;
    try {
      const answer = deps.sender.send({ seq: m.seq, messageId: m.messageId, lopenr: m.lopenr, xml, payload });
      // The receiver's time is the run's critical path (one message at a time, in chain order):
      // seal the next message while this one is with the receiver, a turn of the event loop
      // after its request started (usually out by then; a fresh proof can take longer).
      setImmediate(preseal);
      r = await answer;
    } catch (err) {
      r = { outcome: 'retryable' as const, reason: (err as Error).message };
    }
    fail('after-send');
    if (r.outcome === 'accepted') {
      events.push({ kind: 'accepted', seq: m.seq, refId: r.refId ?? null });
      s.messagesAccepted++;
      log.info({ messageId: m.messageId, lopenr: m.lopenr, consultations: m.consultations, refId: r.refId }, 'message accepted');
      fail('after-accept');
      return true;
    }
    if (r.outcome === 'rejected') {
      events.push({ kind: 'rejected', seq: m.seq, validationCode: r.validationCode ?? null, validationMessage: r.validationMessage, refId: r.refId ?? null });
      s.stopped = { messageId: m.messageId, state: 'rejected', reason: `${r.validationCode ?? r.status ?? ''} ${r.validationMessage}`.trim() };
      log.error({ messageId: m.messageId, validationCode: r.validationCode, validationMessage: r.validationMessage, refId: r.refId }, 'message rejected by the receiver');
    } else {
      events.push({ kind: 'retrying', seq: m.seq, reason: r.reason, refId: r.refId ?? null });
      s.stopped = { messageId: m.messageId, state: 'retrying', reason: r.reason };
      log.warn({ messageId: m.messageId, reason: r.reason }, 'message not confirmed; it is resent with the same messageId next time');
    }
    return false;
  };

  const pumpLoop = async () => {
    try {
      while (queue.length && !halted) {
        if (!(await sendOne(queue[0]!))) halted = true;
        queue.shift();
        stepped();
      }
    } catch (err) {
      pumpError = err;
      halted = true;
    } finally {
      pumping = undefined;
      stepped();
    }
  };

  /** Queues what the outbox holds unconfirmed and not yet queued, and keeps the pump going. */
  const enqueue = () => {
    for (const m of store.unconfirmed()) {
      if (queued.has(m.seq)) continue;
      queued.add(m.seq);
      queue.push(m);
    }
    if (!pumping && !halted && queue.length) pumping = pumpLoop();
  };

  /** Writes the pump's events to the store; only where no batch transaction is open. */
  const applyEvents = () => {
    // A crash of the pump (a failpoint in tests) writes nothing more, as a real crash would.
    if (pumpError) throw pumpError;
    for (const e of events.splice(0)) {
      if (e.kind === 'sending') store.markSending(e.seq);
      else if (e.kind === 'accepted') store.markAccepted(e.seq, e.refId);
      else if (e.kind === 'retrying') store.markRetrying(e.seq, e.reason, e.refId);
      else store.markRejected(e.seq, { validationCode: e.validationCode, validationMessage: e.validationMessage, refId: e.refId });
    }
  };

  /**
   * After a commit: hands the new messages to the pump and, when more than `ahead` wait, waits
   * for it (memory stays bounded). False once the pump halted: stop building.
   */
  const send = async (ahead: number): Promise<boolean> => {
    enqueue();
    while (pumping && queue.length > ahead) await nextStep();
    applyEvents();
    return !halted;
  };

  // --- building -------------------------------------------------------------------------
  const today = osloDate(now());
  const year = Number(today.slice(0, 4));
  const counters = store.counters();
  const chain = new ChainBuilder(counters.chainHead, counters.notifLopeNr, deps.newGuid);
  const overlay = new Map<string, ConsultationState>();
  /** XML of messages built in this run and not yet sent: no need to read it back. */
  const justBuilt = new Map<string, Serialised>();
  const batchSeen = new Map<string, SeenRecord>();
  const versions = new VersionMemo();
  let rejections: Rejection[] = [];
  /** Per konsultasjonID, the warnings its latest version in this batch was sent with. */
  const warnings = new Map<string, SentWarning[]>();
  const rejectedInBatch = new Set<string>();
  let requeueDone: string[] = [];
  let position: { file: string; line: number } | undefined;
  const front = deps.frontEnd ?? (deps.source && deps.mapper ? inProcessFrontEnd(deps.source, deps.mapper) : undefined);
  const filesDone: { key: string; value: string }[] = [];
  const fileKey = (f: FileIdentity) => ({ key: `file:${f.path}`, value: `${f.size}:${f.mtimeMs}` });
  // A daily run skips files it read to the end before, unchanged since: an export folder grows
  // for years, and every line in those files was decided. A backfill window reads everything
  // (lines outside the window stay undecided, so a file is only "done" for a run without one).
  const readOpts: ReadOptions = opts.window
    ? { ...opts.read }
    : {
        ...opts.read,
        skipFile: (f) => store.checkpoint(fileKey(f).key) === fileKey(f).value,
        onFileDone: (f) => filesDone.push(fileKey(f)),
      };
  let recordsSinceCommit = 0;
  const collector = new BatchCollector<Pending>(
    { maxConsultations: deps.limits.maxConsultations, maxBytes: deps.limits.maxBytes },
    (p) => NOTIFIKASJON_BYTES + (p.row.json?.length ?? 0),
  );

  const serialise = (items: Pending[], lopenr: number, uttakDato = today, meldingstype = deps.header.meldingstype): Serialised => {
    // Konsultasjon elements the worker wrote are spliced in as bytes, not written into the text.
    const splice = new Splice();
    const notifications: NotificationInput[] = items.map((p) => ({
      status: p.row.status,
      guid: p.row.guid,
      forrigeGuid: p.row.forrigeGuid,
      lopeNr: p.row.lopeNr,
      ref: p.row.ref,
      notifikasjonTid: p.row.notifikasjonTid,
      konsultasjon: (p.konsultasjon instanceof SerialisedElement ? splice.hold(p.konsultasjon) : (p.konsultasjon ?? (p.row.json === null ? undefined : JSON.parse(p.row.json)))) as
        | Record<string, unknown>
        | undefined,
    }));
    // Encoded once, here: the size check and the sealer both need the bytes.
    const xml = splice.bytes(deps.kit.toXml(buildMelding({ ...deps.header, meldingstype }, { lopenr, uttakDato, notifications })));
    return { xml, bytes: xml.length };
  };

  const rebuild = (seq: number, lopenr: number, uttakDato: string, meldingstype: string) =>
    serialise(
      store.messageItems(seq).map((row) => ({ row, konsultasjon: row.json ? (JSON.parse(row.json) as Record<string, unknown>) : undefined })),
      lopenr,
      uttakDato,
      meldingstype,
    );

  /** Messages cut since the last commit: several go into one transaction (fewer fsyncs). */
  let messages: NewMessage[] = [];
  let nextLopenr = 0;

  /**
   * A Melding could not be written: each record is tried alone, and those it cannot be written
   * with are held as rejected (with a later version of the same consultation in the batch, which
   * refers to them); the chain is linked again over the rest, which are sent. When no record
   * alone explains the failure (none fails alone, or all do and so does a Melding holding only
   * an annulment, which has no record content), it is not the records' fault: the run stops.
   */
  let held = 0;
  const holdUnwritable = (items: Pending[], failure: unknown): Pending[] => {
    const culprits = new Map<Pending, unknown>();
    for (const p of items) {
      try {
        serialise([p], 1);
      } catch (err) {
        culprits.set(p, err);
      }
    }
    if (!culprits.size) throw failure;
    if (culprits.size === items.length) {
      const shell: Pending = { row: { ...items[0]!.row, status: 'C', json: null, hash: null, ref: items[0]!.row.guid } };
      try {
        serialise([shell], 1);
      } catch {
        throw failure;
      }
    }
    held++;
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
        if (p.prior) overlay.set(id, p.prior);
        else overlay.delete(id);
      }
      const err = culprits.get(p);
      const finding = err ? unwritableFinding(err) : { path: '/', rule: 'REC5004', message: 'held with the earlier version of the same consultation, which could not be written', consequence: NOT_SENT };
      s.notifications[p.row.status]--;
      s.rejectedRecords++;
      batchSeen.set(p.row.sourceId, { sourceId: p.row.sourceId, changedAt: p.row.changedAt, rejected: true });
      rejectedInBatch.add(id);
      rejections.push({ sourceId: p.row.sourceId, konsultasjonId: id, changedAt: p.row.changedAt, file: p.at?.file ?? null, line: p.at?.line ?? null, ...finding });
      log.warn({ sourceId: p.row.sourceId, file: p.at?.file, line: p.at?.line, rule: finding.rule }, 'record held: the Melding could not be written with it');
    }
    // Link again: the first kept takes the first item's place in the chain, the rest follow it.
    let link = { guid: items[0]!.row.forrigeGuid, lopeNr: items[0]!.row.lopeNr - 1 };
    for (const p of kept) {
      p.row.forrigeGuid = link.guid;
      p.row.lopeNr = link.lopeNr + 1;
      link = { guid: p.row.guid, lopeNr: p.row.lopeNr };
    }
    chain.rewind(link);
    return kept;
  };

  /** Turns the collected notifications into one Melding (or more, if it came out too large). */
  const cut = () => {
    let items = collector.take();
    if (!items.length) return;
    const first = messages.length ? nextLopenr : store.lastLopenr(year) + 1;
    let parts: ReturnType<typeof serialiseWithin<Pending, Serialised>>;
    try {
      parts = serialiseWithin(items, deps.limits.maxBytes, (p) => serialise(p, first));
    } catch (err) {
      items = holdUnwritable(items, err);
      if (!items.length) return;
      parts = serialiseWithin(items, deps.limits.maxBytes, (p) => serialise(p, first));
    }
    parts.forEach(({ part, result }, i) => {
      const lopenr = first + i;
      const built = i === 0 ? result : serialise(part, lopenr);
      const messageId = newMessageId();
      messages.push({ messageId, year, lopenr, meldingstype: deps.header.meldingstype, bytes: built.bytes, uttakDato: today, items: part.map((p) => p.row) });
      // Kept for the pump until sent (only committed messages are ever sent).
      justBuilt.set(messageId, built);
    });
    nextLopenr = first + parts.length;
  };

  const commit = () => {
    if (pumpError) throw pumpError;
    cut();
    const checkpoints = [];
    let watermark: string | undefined;
    for (const r of batchSeen.values()) if (!watermark || r.changedAt > watermark) watermark = r.changedAt;
    if (watermark && watermark > (store.checkpoint('watermark') ?? '')) checkpoints.push({ key: 'watermark', value: watermark });
    if (opts.checkpointKey && position) checkpoints.push({ key: opts.checkpointKey, value: JSON.stringify({ file: position.file, line: position.line }) });
    // Files read to their end: their last lines are handled, so they are decided with this commit.
    checkpoints.push(...filesDone.splice(0));
    fail('before-commit');
    store.commitBatch({
      runId,
      messages,
      seen: [...batchSeen.values()],
      rejections,
      warnings: [...warnings.values()].flat(),
      requeueDone,
      chainHead: chain.head.guid,
      notifLopeNr: chain.head.lopeNr,
      checkpoints,
    });
    fail('after-commit');
    s.messagesBuilt += messages.length;
    for (const m of messages) {
      log.info({ messageId: m.messageId, lopenr: m.lopenr, consultations: m.items.length, bytes: m.bytes }, 'message built');
    }
    messages = [];
    overlay.clear();
    batchSeen.clear();
    rejections = [];
    warnings.clear();
    rejectedInBatch.clear();
    requeueDone = [];
    recordsSinceCommit = 0;
  };

  const stateOf = (id: string) => overlay.get(id) ?? (store.beginBatch(), store.consultation(id));

  /** Decides one version; returns false when nothing is to be sent. */
  const consider = (konsultasjonId: string, sourceId: string, changedAt: string, deleted: boolean, konsultasjon: Pending['konsultasjon'], json: string | null, hash: string | null, at?: Pending['at']) => {
    const state = stateOf(konsultasjonId);
    const d = decide(state, { deleted, hash });
    if (!d) {
      s.unchanged++;
      return;
    }
    const item: Pending = { row: undefined as unknown as ItemRow, konsultasjon: d.status === 'C' ? undefined : konsultasjon, at, prior: state };
    const json_ = d.status === 'C' ? null : json;
    // Cut the message before this item if it would not fit: everything committed then is
    // complete (its records, its chain head), and this item starts the next message.
    if (!collector.fits({ row: { json: json_ } as ItemRow })) {
      const before = held;
      cut();
      // A version held back in cut() changes what the receiver is about to hold: decide again.
      if (held !== before) return consider(konsultasjonId, sourceId, changedAt, deleted, konsultasjon, json, hash, at);
    }
    const link = chain.next();
    item.row = {
      konsultasjonId,
      status: d.status,
      guid: link.guid,
      forrigeGuid: link.forrigeGuid,
      ref: d.ref,
      lopeNr: link.lopeNr,
      hash: d.status === 'C' ? null : hash,
      sourceId,
      changedAt,
      json: json_,
      notifikasjonTid: osloDateTime(changedAt),
    };
    overlay.set(konsultasjonId, afterDecision(state, d.status, link.guid, item.row.hash));
    s.notifications[d.status]++;
    collector.add(item);
  };

  const maybeCommit = async (): Promise<boolean> => {
    if (collector.full) cut();
    // A transaction holds up to recordsPerTransaction records, and at least one full message.
    if (recordsSinceCommit >= deps.limits.recordsPerTransaction || messages.length * deps.limits.maxConsultations >= deps.limits.recordsPerTransaction) {
      // A commit holds this thread for a while (thousands of rows, an fsync): first let the pump
      // take an answer that has come and send the next message, so the receiver is not idle.
      if (pumping) await new Promise<void>((resolve) => setImmediate(resolve));
      commit();
      store.heartbeat();
      deps.onProgress?.(progress());
      return send(MESSAGES_AHEAD + Math.ceil(deps.limits.recordsPerTransaction / deps.limits.maxConsultations));
    }
    return true;
  };

  const progress = (): TransferProgress => ({
    records: s.records,
    messages: s.messagesBuilt,
    ...(front?.progress() ?? { bytesRead: 0 }),
    elapsedMs: Date.now() - started,
  });

  const handle = (m: FrontMapped, line: { file: string; line: number }) => {
    const hash = m.kind === 'konsultasjon' ? m.hash : m.kind === 'deleted' ? 'deleted' : undefined;
    if (m.kind !== 'rejected' || m.changedAt) {
      const changedAt = m.changedAt!;
      const prior = batchSeen.get(m.sourceId);
      store.beginBatch();
      if ((prior && prior.changedAt >= changedAt) || store.seen(m.sourceId, changedAt)) {
        s.skipped++;
        const first = hash === undefined ? undefined : versions.conflict(m.sourceId, changedAt, hash);
        if (first) {
          s.rejectedRecords++;
          const both = `${first.file}:${first.line} and ${line.file}:${line.line}`;
          rejections.push({ sourceId: m.sourceId, konsultasjonId: (m as { konsultasjonId?: string }).konsultasjonId ?? null, changedAt, file: line.file, line: line.line, path: '/', rule: 'REC5003', message: `record ${m.sourceId} changedAt ${changedAt} is given twice with different content: ${both}; the first was taken`, consequence: 'this line is not sent: give the changed record a later changedAt' });
          log.warn({ sourceId: m.sourceId, first, second: line, rule: 'REC5003' }, 'one record version given twice with different content');
        }
        return;
      }
    }
    if (hash !== undefined) versions.remember(m.sourceId, m.changedAt!, hash, line);
    if (m.kind === 'konsultasjon' && opts.window) {
      if (m.day < opts.window.from || (opts.window.to && m.day > opts.window.to)) {
        // Not marked as seen: a later run (or another window) still takes it.
        s.outsideWindow++;
        return;
      }
    }
    if (m.kind === 'rejected') {
      s.rejectedRecords++;
      if (m.changedAt) batchSeen.set(m.sourceId, { sourceId: m.sourceId, changedAt: m.changedAt, rejected: true });
      if (m.konsultasjonId) rejectedInBatch.add(m.konsultasjonId);
      for (const f of m.findings) {
        rejections.push({ sourceId: m.sourceId, konsultasjonId: m.konsultasjonId ?? null, changedAt: m.changedAt, file: line.file, line: line.line, path: f.path, rule: f.rule, message: f.message, consequence: f.consequence });
      }
      log.debug({ sourceId: m.sourceId, file: line.file, line: line.line, rules: m.findings.map((f) => f.rule) }, 'record rejected');
      return;
    }
    if (m.kind === 'deleted') {
      consider(m.konsultasjonId, m.sourceId, m.changedAt, true, undefined, null, null, { file: line.file, line: line.line });
    } else {
      consider(m.konsultasjonId, m.sourceId, m.changedAt, false, m.konsultasjon ?? (m.xml === undefined ? undefined : new SerialisedElement('Konsultasjon', m.xml)), m.json, m.hash, { file: line.file, line: line.line });
    }
    // Only now: a commit inside consider() must not mark this record before its notification.
    batchSeen.set(m.sourceId, { sourceId: m.sourceId, konsultasjonId: m.konsultasjonId, changedAt: m.changedAt, rejected: false });
    if (m.kind === 'konsultasjon' && m.warnings) {
      const at = { sourceId: m.sourceId, konsultasjonId: m.konsultasjonId, changedAt: m.changedAt, file: line.file, line: line.line };
      warnings.set(m.konsultasjonId, m.warnings.map((f) => ({ ...at, path: f.path, rule: f.rule, message: f.message, consequence: f.consequence, action: f.action === 'substituted' ? 'substituted' : 'sent' })));
    } else if (warnings.size) warnings.delete(m.konsultasjonId);
    // A corrected version in the same batch as the rejected one: the rejection is void.
    if (rejectedInBatch.has(m.konsultasjonId)) {
      rejections = rejections.filter((r) => r.konsultasjonId !== m.konsultasjonId);
      rejectedInBatch.delete(m.konsultasjonId);
    }
  };

  let exitError: unknown;
  try {
    let flowing = await send(0);
    if (flowing) {
      for (const q of store.requeued()) {
        const k = q.json ? (JSON.parse(q.json) as Record<string, unknown>) : undefined;
        consider(q.konsultasjonId, q.sourceId, q.changedAt, q.deleted, k, q.json, q.hash ?? (k ? contentHash(k) : null));
        requeueDone.push(q.konsultasjonId);
      }
      if (requeueDone.length) {
        commit();
        flowing = await send(0);
      }
    }
    if (flowing && opts.readSource && front) {
      let sinceYield = 0;
      for await (const line of front.read(readOpts)) {
        s.records++;
        recordsSinceCommit++;
        // Lines come from a buffer without a turn of the event loop in between: give the pump
        // one now and then, so that an answer is taken and the next message goes out while we
        // build, instead of the receiver waiting for us.
        if (pumping && ++sinceYield >= YIELD_EVERY) {
          sinceYield = 0;
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
        if (line.parseError !== undefined) {
          const sourceId = `${line.file}:${line.line}`;
          s.rejectedRecords++;
          const rule = line.parseRule ?? 'REC1001';
          rejections.push({ sourceId, changedAt: null, file: line.file, line: line.line, path: '/', rule, message: rule === 'REC1001' ? `not JSON: ${line.parseError}` : line.parseError, consequence: 'not sent' });
        } else {
          handle(line.mapped!, line);
        }
        // The position a commit saves is that of the last line fully handled.
        position = line;
        if (!(await maybeCommit())) {
          flowing = false;
          break;
        }
      }
    }
    if (flowing) {
      commit();
      flowing = await send(0);
    }
  } catch (err) {
    exitError = err;
    store.rollbackBatch();
  }
  // Whatever the pump still does finishes (or fails) before the run is recorded; its outcomes
  // are kept even when the builder failed.
  if (pumping) await pumping;
  try {
    applyEvents();
  } catch (err) {
    exitError ??= err;
  }

  if (exitError || s.stopped) {
    s.outcome = 'failed';
    s.exitCode = EXIT.failed;
  } else if (s.rejectedRecords > 0) {
    s.outcome = 'partial';
    s.exitCode = EXIT.partial;
  }
  deps.onProgress?.(progress());
  const summary = { ...s, error: exitError ? String((exitError as Error).message ?? exitError) : undefined };
  try {
    store.finishRun(runId, s.outcome, s.exitCode, summary);
  } catch {
    // The store itself failed; the error below says why.
  }
  log.info({ ...summary }, 'transfer finished');
  if (exitError) throw exitError;
  return s;
}
