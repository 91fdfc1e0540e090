// The chain's policy (runtime/notify/: decide, ChainBuilder, planRejection, countersAfterRejection)
// judged by a model of the receiver, not by itself. Random histories of EPJ edits, batches built,
// messages accepted or rejected and rejected messages queued again run against the real store;
// the receiver model checks every message it accepts the way KPR does (forrigeGUID is its last
// notification, lopeNr and each year's lopenr only grow, an N only for a consultation it does
// not hold active, an M or C only for one it does, referring to its original N). Once everything
// is sent, it must hold exactly the EPJ's latest versions (but those of a rejected message no one
// queued again, which wait for the operator or their next change).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChainBuilder, chainBreak, NIL_GUID } from '../../runtime/notify/chain.ts';
import { decide } from '../../runtime/notify/decide.ts';
import { countersAfterRejection, planRejection } from '../../runtime/notify/rejection.ts';
import { openStore } from '../../runtime/store/open.ts';
import type { ItemRow, OutboxMessage, Store } from '../../runtime/store/types.ts';

const YEAR = 2024;
const KEYS = ['k1', 'k2', 'k3', 'k4', 'k5'];

type Command = { kind: 'edit'; key: string; content: number | null } | { kind: 'build' } | { kind: 'send'; accept: boolean; resend: boolean };

const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('edit' as const), key: fc.constantFrom(...KEYS), content: fc.option(fc.integer({ min: 0, max: 3 }), { freq: 4 }) }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'build' as const }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('send' as const), accept: fc.boolean(), resend: fc.boolean() }) },
);

/** What KPR holds, and the checks it makes on each message it accepts. */
class Receiver {
  head = NIL_GUID;
  lopeNr = 0;
  lopenr = 0;
  readonly held = new Map<string, { active: boolean; hash: string | null; original: string }>();

  accept(m: OutboxMessage, items: ItemRow[]): void {
    expect(m.lopenr, 'lopenr grows').toBeGreaterThan(this.lopenr);
    this.lopenr = m.lopenr;
    for (const i of items) {
      expect(i.forrigeGuid, 'forrigeGUID is the last notification received').toBe(this.head);
      expect(i.lopeNr, 'notifikasjonLopeNr grows').toBeGreaterThan(this.lopeNr);
      const h = this.held.get(i.konsultasjonId);
      if (i.status === 'N') {
        expect(h?.active ?? false, `N for ${i.konsultasjonId}, which is not active`).toBe(false);
        this.held.set(i.konsultasjonId, { active: true, hash: i.hash, original: i.guid });
      } else {
        expect(h?.active, `${i.status} for ${i.konsultasjonId}, which is active`).toBe(true);
        expect(i.ref, 'the reference is the original N').toBe(h?.original);
        this.held.set(i.konsultasjonId, { active: i.status === 'M', hash: i.status === 'M' ? i.hash : null, original: h?.original ?? '' });
      }
      this.head = i.guid;
      this.lopeNr = i.lopeNr;
    }
  }

  /** A rejected message: nothing of it is held, but its numbers were seen (never handed out again). */
  reject(m: OutboxMessage, items: ItemRow[]): void {
    this.lopenr = Math.max(this.lopenr, m.lopenr);
    for (const i of items) this.lopeNr = Math.max(this.lopeNr, i.lopeNr);
  }
}

/** The EPJ (latest version per consultation) and a sender deciding against the store. */
class World {
  readonly epj = new Map<string, { content: number | null; changedAt: string }>();
  readonly dirty = new Set<string>();
  /** Consultations whose latest version sits in a rejected message no one queued again. */
  readonly stuck = new Set<string>();
  readonly receiver = new Receiver();
  private clock = 0;
  private guids = 0;
  private messages = 0;

  constructor(readonly store: Store) {}

  edit(key: string, content: number | null): void {
    this.epj.set(key, { content, changedAt: new Date(Date.UTC(YEAR, 0, 1, 0, 0, ++this.clock)).toISOString() });
    this.dirty.add(key);
    this.stuck.delete(key);
  }

  /** One run's decisions: the EPJ's changes and what was queued again, in one message. */
  build(): void {
    const s = this.store;
    const requeued = s.requeued();
    // What was queued again is rebuilt from what the store kept (the EPJ does not send an
    // unchanged record twice); a newer edit in the EPJ replaces it.
    const versions = new Map<string, { hash: string | null; changedAt: string }>(
      requeued.map((r) => [r.konsultasjonId, { hash: r.deleted ? null : r.hash, changedAt: r.changedAt }]),
    );
    for (const k of this.dirty) {
      const v = this.epj.get(k);
      if (v) versions.set(k, { hash: v.content === null ? null : `h${v.content}`, changedAt: v.changedAt });
    }
    if (!versions.size) return;
    const counters = s.counters();
    const chain = new ChainBuilder(counters.chainHead, counters.notifLopeNr, () => `g${++this.guids}`);
    const items: ItemRow[] = [];
    for (const [k, v] of versions) {
      const hash = v.hash;
      const d = decide(s.consultation(k), { deleted: hash === null, hash });
      if (!d) continue;
      const link = chain.next();
      const json = hash && JSON.stringify({ k, hash });
      items.push({
        konsultasjonId: k,
        status: d.status,
        ref: d.ref,
        ...link,
        hash: d.status === 'C' ? null : hash,
        sourceId: k,
        changedAt: v.changedAt,
        json: d.status === 'C' ? null : json,
        notifikasjonTid: v.changedAt,
      });
    }
    const lopenr = s.lastLopenr(YEAR) + 1;
    const messages = items.length ? [{ messageId: `m${++this.messages}`, year: YEAR, lopenr, meldingstype: 'B', bytes: 1, uttakDato: `${YEAR}-01-02`, items }] : [];
    const seen = [...this.dirty].map((k) => ({ sourceId: k, konsultasjonId: k, changedAt: this.epj.get(k)?.changedAt ?? '', rejected: false }));
    s.commitBatch({ runId: 1, messages, seen, rejections: [], requeueDone: requeued.map((r) => r.konsultasjonId), chainHead: chain.head.guid, notifLopeNr: chain.head.lopeNr });
    this.dirty.clear();
  }

  /** The receiver answers the first unconfirmed message; an operator may queue a rejected one again. */
  send(accept: boolean, resend: boolean): boolean {
    const m = this.store.unconfirmed()[0];
    if (!m) return false;
    this.store.markSending(m.seq);
    if (accept) {
      this.receiver.accept(m, this.store.messageItems(m.seq));
      this.store.markAccepted(m.seq, null);
    } else {
      const items = this.store.messageItems(m.seq);
      this.receiver.reject(m, items);
      this.store.markRejected(m.seq, { validationCode: 1, validationMessage: 'no', refId: null });
      // The operator's `kpr resend`, before the EPJ changes again: otherwise those records wait
      // for their next change.
      if (resend) this.store.requeueMessage(m.seq);
      else for (const i of items) this.stuck.add(i.konsultasjonId);
    }
    return true;
  }

  /** Everything sent and accepted. */
  drain(): void {
    for (let guard = 0; guard < 100; guard++) {
      this.build();
      if (!this.send(true, false) && !this.store.requeued().length && !this.dirty.size) return;
    }
    throw new Error('the transfer did not settle');
  }
}

describe('the chain policy, judged by a model of the receiver', () => {
  it('keeps every accepted message valid through rejections, and ends with the EPJ’s latest versions', () => {
    fc.assert(
      fc.property(fc.array(command, { maxLength: 40 }), (commands) => {
        const world = new World(openStore(':memory:'));
        try {
          for (const c of commands) {
            if (c.kind === 'edit') world.edit(c.key, c.content);
            else if (c.kind === 'build') world.build();
            else world.send(c.accept, c.resend);
          }
          world.drain();
          for (const [k, v] of world.epj) {
            if (world.stuck.has(k)) continue;
            const held = world.receiver.held.get(k);
            if (v.content === null) expect(held?.active ?? false, `${k} deleted`).toBe(false);
            else expect(held, `${k} held`).toEqual({ active: true, hash: `h${v.content}`, original: held?.original });
          }
          // The store's counters are the receiver's: nothing built is left over.
          const counters = world.store.counters();
          expect(counters.chainHead).toBe(world.receiver.head);
          expect(counters.notifLopeNr).toBe(world.receiver.lopeNr);
        } finally {
          world.store.close();
        }
      }),
      { numRuns: 150 },
    );
  });
});

describe('planRejection', () => {
  const item = (k: string, status: 'N' | 'M' | 'C', changedAt: string) => ({
    konsultasjonId: k,
    status,
    hash: status === 'C' ? null : `h-${changedAt}`,
    sourceId: k,
    changedAt,
    json: null,
  });

  it('supersedes the unconfirmed messages after the rejected one and queues each consultation’s latest version', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            state: fc.constantFrom('built', 'sent', 'retrying', 'accepted', 'rejected' as const),
            items: fc.array(fc.record({ k: fc.constantFrom('a', 'b', 'c'), status: fc.constantFrom('N', 'M', 'C' as const) }), { maxLength: 4 }),
          }),
          { maxLength: 8 },
        ),
        fc.nat(8),
        (spec, rejected) => {
          let t = 0;
          const messages = spec.map((m, n) => ({ seq: n + 1, state: m.state, items: m.items.map((i) => item(i.k, i.status, String(++t).padStart(3, '0'))) }));
          const plan = planRejection(rejected, messages, 'head');
          const superseded = messages.filter((m) => m.seq > rejected && ['built', 'sent', 'retrying'].includes(m.state));
          expect(plan.supersede).toEqual(superseded.map((m) => m.seq));
          expect(plan.chainHead).toBe('head');
          const latest = new Map<string, ReturnType<typeof item>>();
          for (const m of superseded) for (const i of m.items) latest.set(i.konsultasjonId, i);
          expect(new Map(plan.requeue.map((r) => [r.konsultasjonId, r]))).toEqual(
            new Map([...latest].map(([k, i]) => [k, { konsultasjonId: k, sourceId: k, changedAt: i.changedAt, deleted: i.status === 'C', hash: i.hash, json: null }])),
          );
        },
      ),
    );
  });
});

describe('countersAfterRejection', () => {
  it('continues each counter from the highest number left, 0 where none is', () => {
    const c = countersAfterRejection(
      [2023, 2024, 2025],
      [
        { year: 2024, lopenr: 3, lastLopeNr: 40 },
        { year: 2024, lopenr: 5, lastLopeNr: null },
        { year: 2023, lopenr: 9, lastLopeNr: 12 },
      ],
    );
    expect(c.notifLopeNr).toBe(40);
    expect([...c.lopenr]).toEqual([
      [2023, 9],
      [2024, 5],
      [2025, 0],
    ]);
  });
});

describe('chainBreak (the receiver’s side of ChainBuilder)', () => {
  it('accepts every link a ChainBuilder hands out, and nothing that skips back or points elsewhere', () => {
    fc.assert(
      fc.property(fc.nat(1000), fc.integer({ min: 1, max: 20 }), fc.nat(5), (start, count, lower) => {
        let n = 0;
        const chain = new ChainBuilder('g0', start, () => `g${++n}`);
        let head: { guid: string | null; lopeNr: number | null } = { guid: 'g0', lopeNr: start };
        for (let i = 0; i < count; i++) {
          const link = chain.next();
          expect(chainBreak(head, link)).toBeUndefined();
          expect(chainBreak(head, { ...link, forrigeGuid: 'elsewhere' })).toBe('forrigeGuid');
          expect(chainBreak(head, { ...link, lopeNr: (head.lopeNr ?? 0) - lower })).toBe('lopeNr');
          head = { guid: link.guid, lopeNr: link.lopeNr };
        }
        // The first notification a sender ever sends is checked for its number only.
        expect(chainBreak({ guid: null, lopeNr: null }, { forrigeGuid: NIL_GUID, lopeNr: 1 })).toBeUndefined();
      }),
    );
  });
});
