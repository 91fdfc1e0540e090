// The pump: sends the outbox in chain order, one message at a time, while the builder makes the
// next ones, so the receiver's work (and the network) overlaps ours. While one message is with
// the receiver, the next is sealed and its request made ready (`Sender.prepare`), so the
// receiver does not wait for us between an answer and the next request.
//
// It never writes to the store itself, because the builder may hold the batch's transaction
// open: what happened is queued as events and applied at the next safe point (right after a
// commit), so an outcome reaches the disk at most one batch later. Until then a crash leaves the
// message unconfirmed, and the next run resends it with the same messageId, which the receiver
// answers as before. The first message that is not accepted halts the pump: later ones would
// break the chain. The builder notices at its next commit and stops too.
import type { Logger } from '../../log.ts';
import type { AsyncStore } from '../../store/async.ts';
import type { OutboxMessage } from '../../store/types.ts';
import type { Sealer, SendOutcome, Sender } from '../sender.ts';
import type { FailPoint, TransferSummary } from './types.ts';
import type { MeldingWriter, Serialised } from './writer.ts';

/** What happened to a message, kept until the store may be written. */
export type PumpEvent =
  | { kind: 'sending'; seq: number }
  | { kind: 'accepted'; seq: number; refId: string | null }
  | { kind: 'retrying'; seq: number; reason: string; refId: string | null }
  | { kind: 'rejected'; seq: number; validationCode: number | null; validationMessage: string; refId: string | null };

export interface PumpDeps {
  store: AsyncStore;
  sender: Sender;
  sealer: Sealer;
  writer: MeldingWriter;
  log: Logger;
  fail: (name: FailPoint) => void;
}

/** The pump's state, in one place. */
interface PumpState {
  /** Unconfirmed messages in chain order; the first is the one being sent. */
  queue: OutboxMessage[];
  /** Outbox seqs ever queued in this run. */
  queued: Set<number>;
  /** Outcomes not yet written to the store. */
  events: PumpEvent[];
  /** The running send loop, if any. */
  running?: Promise<void>;
  /** A message was not accepted (or the pump failed): nothing more is sent. */
  halted: boolean;
  /** What made the pump fail (a failpoint in tests): thrown to the builder at its next commit. */
  error?: unknown;
  /** Resolves what a waiting builder awaits: called each time a message is done (or the pump stops). */
  stepped: () => void;
  /** The next message of this run, sealed while the one before it was with the receiver. */
  presealed?: { messageId: string; xml: Buffer; payload: Buffer };
  /** XML of messages built in this run and not yet sent: no need to read it back. */
  built: Map<string, Serialised>;
}

export class Pump {
  private readonly s: PumpState = { queue: [], queued: new Set(), events: [], halted: false, stepped: () => {}, built: new Map() };

  constructor(
    private readonly deps: PumpDeps,
    private readonly summary: TransferSummary,
  ) {}

  /** Is a message with the receiver (or about to be)? */
  get active(): boolean {
    return this.s.running !== undefined;
  }

  /** Keeps a committed message's XML until it is sent (only committed messages are ever sent). */
  keep(messageId: string, built: Serialised): void {
    this.s.built.set(messageId, built);
  }

  /** Rethrows what made the pump fail, where the builder can handle it. */
  throwIfFailed(): void {
    if (this.s.error) throw this.s.error;
  }

  /**
   * After a commit: hands the new messages to the pump and, when more than `ahead` wait, waits
   * for it (memory stays bounded). False once the pump halted: stop building.
   */
  async send(ahead: number): Promise<boolean> {
    await this.enqueue();
    while (this.s.running && this.s.queue.length > ahead) await this.nextStep();
    await this.applyEvents();
    return !this.s.halted;
  }

  /** Writes the pump's events to the store; only where no batch transaction is open. */
  async applyEvents(): Promise<void> {
    // A crash of the pump (a failpoint in tests) writes nothing more, as a real crash would.
    this.throwIfFailed();
    const { store } = this.deps;
    for (const e of this.s.events.splice(0)) {
      if (e.kind === 'sending') await store.markSending(e.seq);
      else if (e.kind === 'accepted') await store.markAccepted(e.seq, e.refId);
      else if (e.kind === 'retrying') await store.markRetrying(e.seq, e.reason, e.refId);
      else await store.markRejected(e.seq, { validationCode: e.validationCode, validationMessage: e.validationMessage, refId: e.refId });
    }
  }

  /** Lets whatever the pump still does finish (or fail). */
  async settle(): Promise<void> {
    if (this.s.running) await this.s.running;
  }

  private nextStep(): Promise<void> {
    return new Promise<void>((resolve) => (this.s.stepped = resolve));
  }

  /** Queues what the outbox holds unconfirmed and not yet queued, and keeps the pump going. */
  private async enqueue(): Promise<void> {
    const s = this.s;
    for (const m of await this.deps.store.unconfirmed()) {
      if (s.queued.has(m.seq)) continue;
      s.queued.add(m.seq);
      s.queue.push(m);
    }
    if (!s.running && !s.halted && s.queue.length) s.running = this.loop();
  }

  private async loop(): Promise<void> {
    const s = this.s;
    try {
      for (let m = s.queue[0]; m && !s.halted; m = s.queue[0]) {
        if (!(await this.sendOne(m))) s.halted = true;
        s.queue.shift();
        s.stepped();
      }
    } catch (err) {
      s.error = err;
      s.halted = true;
    } finally {
      s.running = undefined;
      s.stepped();
    }
  }

  /** Seals the next message of this run while the one before it is with the receiver. */
  private readonly preseal = (): void => {
    const s = this.s;
    const next = s.queue[1];
    const built = next && s.built.get(next.messageId);
    // (Twice for one message when an answer came before this turn: the first did it.)
    if (!next || !built || s.halted || s.error || s.presealed?.messageId === next.messageId) return;
    try {
      s.presealed = { messageId: next.messageId, xml: built.xml, payload: this.deps.sealer(built.xml) };
      this.deps.sender.prepare?.({ seq: next.seq, lopenr: next.lopenr, ...s.presealed });
    } catch {
      // Sealed again when it is sent, and fails there, where failing is handled.
    }
  };

  private async sendOne(m: OutboxMessage): Promise<boolean> {
    const { s, deps, summary } = this;
    const { log, fail } = deps;
    // A message built in an earlier run is rebuilt from its stored notifications. It is sealed at
    // every attempt with the certificates configured now; a resend carries the same messageId and
    // the same content, which is what the receiver matches.
    let xml: Buffer;
    let payload: Buffer;
    if (s.presealed?.messageId === m.messageId) ({ xml, payload } = s.presealed);
    else {
      xml = (s.built.get(m.messageId) ?? (await deps.writer.rebuild(deps.store, m))).xml;
      payload = deps.sealer(xml);
    }
    s.presealed = undefined;
    s.built.delete(m.messageId);
    s.events.push({ kind: 'sending', seq: m.seq });
    fail('after-sealed');
    let r: SendOutcome;
    try {
      const answer = deps.sender.send({ seq: m.seq, messageId: m.messageId, lopenr: m.lopenr, xml, payload });
      // The receiver's time is the run's critical path (one message at a time, in chain order):
      // seal the next message while this one is with the receiver, a turn of the event loop
      // after its request started (usually out by then; a fresh proof can take longer).
      setImmediate(this.preseal);
      r = await answer;
    } catch (err) {
      r = { outcome: 'retryable' as const, reason: (err as Error).message };
    }
    fail('after-send');
    if (r.outcome === 'accepted') {
      s.events.push({ kind: 'accepted', seq: m.seq, refId: r.refId ?? null });
      summary.messagesAccepted++;
      log.info({ messageId: m.messageId, lopenr: m.lopenr, consultations: m.consultations, refId: r.refId }, 'message accepted');
      fail('after-accept');
      return true;
    }
    if (r.outcome === 'rejected') {
      s.events.push({ kind: 'rejected', seq: m.seq, validationCode: r.validationCode ?? null, validationMessage: r.validationMessage, refId: r.refId ?? null });
      summary.stopped = { messageId: m.messageId, state: 'rejected', reason: `${r.validationCode ?? r.status ?? ''} ${r.validationMessage}`.trim() };
      log.error({ messageId: m.messageId, validationCode: r.validationCode, validationMessage: r.validationMessage, refId: r.refId }, 'message rejected by the receiver');
    } else {
      s.events.push({ kind: 'retrying', seq: m.seq, reason: r.reason, refId: r.refId ?? null });
      summary.stopped = { messageId: m.messageId, state: 'retrying', reason: r.reason };
      log.warn({ messageId: m.messageId, reason: r.reason }, 'message not confirmed; it is resent with the same messageId next time');
    }
    return false;
  }
}
