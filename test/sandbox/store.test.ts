// The sandbox's store appends what a message does and folds it into the tables keyed by GUID and
// konsultasjonID later (store.ts). Judged against a plain in-memory model of the stand-in's rules
// (N creates, M replaces, T supplements, C annuls what it names or what its ref carried; a GUID
// sent again replaces the earlier notification), fed the same seeded random messages while the
// store folds, is reopened without being closed (a killed process) and is read at random points.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { ElementJson, KonsultasjonJson, NotifikasjonJson } from '../../runtime/sandbox/codec.ts';
import { guidHash, SandboxStore, type AcceptedMessage, type NotificationRecord, type PublicState } from '../../runtime/sandbox/store.ts';
import { tmpDir } from './fixtures.ts';
import { prng as random } from '../helpers/prng.ts';

/** What the receiver should hold, applied eagerly, one notification after the other. */
class Model {
  senders: PublicState['senders'] = {};
  heads = new Map<string, { chainHead: string | null; lastLopeNr: number | null }>();
  consultations = new Map<string, { status: string; content: ElementJson }>();
  notes: NotificationRecord[] = [];

  accept(m: AcceptedMessage): void {
    const ns = m.melding.Notifikasjon ?? [];
    for (const n of ns) {
      const ks = n.Konsultasjon ?? [];
      let ids = ks.map((k) => k.konsultasjonID);
      if (n.statusNotifikasjon === 'N' || n.statusNotifikasjon === 'M') for (const k of ks) this.consultations.set(k.konsultasjonID, { status: 'active', content: k });
      if (n.statusNotifikasjon === 'T') {
        for (const k of ks) {
          const prior = this.consultations.get(k.konsultasjonID);
          if (!prior) this.consultations.set(k.konsultasjonID, { status: 'active', content: k });
          else {
            const content: ElementJson = { ...prior.content };
            for (const [name, v] of Object.entries(k)) content[name] = Array.isArray(content[name]) && Array.isArray(v) ? [...(content[name] as unknown[]), ...v] : v;
            prior.content = content;
          }
        }
      }
      if (n.statusNotifikasjon === 'C') {
        if (!ids.length && n.notifikasjonRef) ids = this.notes.find((r) => r.fromHerId === m.fromHerId && r.notifikasjonGUID === n.notifikasjonRef)?.konsultasjonIDs ?? [];
        for (const id of ids) {
          const c = this.consultations.get(id);
          if (c) c.status = 'annulled';
        }
      }
      this.notes = this.notes.filter((r) => !(r.fromHerId === m.fromHerId && r.notifikasjonGUID === n.notifikasjonGUID));
      this.notes.push({
        fromHerId: m.fromHerId,
        notifikasjonGUID: n.notifikasjonGUID,
        statusNotifikasjon: n.statusNotifikasjon,
        notifikasjonForrigeGUID: n.notifikasjonForrigeGUID,
        notifikasjonLopeNr: Number(n.notifikasjonLopeNr),
        konsultasjonIDs: ids,
      });
    }
    const s = (this.senders[m.fromHerId] ??= { chainHead: null, notifications: 0, messages: 0 });
    const last = ns[ns.length - 1];
    if (last) {
      s.chainHead = last.notifikasjonGUID;
      this.heads.set(m.fromHerId, { chainHead: last.notifikasjonGUID, lastLopeNr: Number(last.notifikasjonLopeNr) });
    }
    s.notifications += ns.length;
    s.messages += 1;
  }

  publicState(): PublicState {
    const consultations: PublicState['consultations'] = {};
    for (const [id, c] of this.consultations) consultations[id] = { status: c.status, content: c.content as KonsultasjonJson };
    return { senders: this.senders, consultations };
  }

  statusCounts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const c of this.consultations.values()) out[c.status] = (out[c.status] ?? 0) + 1;
    return out;
  }
}

/** Messages of two senders over a small pool of konsultasjonIDs, so the same ones meet often. */
function* messages(rnd: () => number, count: number): Generator<AcceptedMessage> {
  const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const sent = new Map<string, string[]>([
    ['1', []],
    ['2', []],
  ]);
  let lopeNr = 0;
  for (let m = 0; m < count; m++) {
    const fromHerId = pick(['1', '2']);
    const guids = sent.get(fromHerId)!;
    const Notifikasjon: NotifikasjonJson[] = [];
    const size = Math.floor(rnd() * 6); // 0: a message without notifications
    for (let i = 0; i < size; i++) {
      const status = guids.length ? pick(['N', 'N', 'M', 'T', 'T', 'C', 'C']) : 'N';
      // Now and then a GUID sent before is sent again (the chain check does not refuse it).
      const notifikasjonGUID = guids.length && rnd() < 0.05 ? pick(guids) : randomUUID();
      const n: NotifikasjonJson = { statusNotifikasjon: status, notifikasjonGUID, notifikasjonForrigeGUID: guids[guids.length - 1] ?? 'none', notifikasjonLopeNr: ++lopeNr };
      if (status !== 'N') n.notifikasjonRef = pick(guids);
      const ids = Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => `K${Math.floor(rnd() * 25)}`);
      if (status === 'C') {
        if (rnd() < 0.5) n.Konsultasjon = ids.map((konsultasjonID) => ({ konsultasjonID }));
      } else {
        n.Konsultasjon = ids.map((konsultasjonID) => ({
          konsultasjonID,
          versjon: `${status}${lopeNr}`,
          ...(rnd() < 0.7 ? { Maling: [{ typeMaling: `${status}${lopeNr}` }] } : {}),
        }));
      }
      Notifikasjon.push(n);
      guids.push(notifikasjonGUID);
    }
    yield { messageId: randomUUID(), refId: `r${m}`, fromHerId, toHerId: '9', messageType: 'HST', messageVersion: '56.0.0', melding: { Notifikasjon } };
  }
}

function expectSame(store: SandboxStore, model: Model): void {
  expect(store.publicState()).toEqual(model.publicState());
  expect(store.notifications()).toEqual(model.notes);
  expect(store.statusCounts()).toEqual(model.statusCounts());
  for (const [herId, head] of model.heads) expect(store.sender(herId)).toEqual(head);
}

describe('SandboxStore folding', () => {
  for (const seed of [1, 2, 3, 4, 5, 6]) {
    it(`holds what eager application holds, whenever it folds, reopens or is read (seed ${seed})`, () => {
      const rnd = random(seed);
      const dataDir = tmpDir();
      const foldAfter = 1 + Math.floor(rnd() * 40);
      const opened: SandboxStore[] = [];
      const open = () => {
        const s = new SandboxStore(dataDir, { foldAfter });
        opened.push(s);
        return s;
      };
      let store = open();
      const model = new Model();
      const guids = new Set<string>();
      try {
        for (const m of messages(rnd, 400)) {
          store.accept(m);
          model.accept(m);
          for (const n of m.melding.Notifikasjon ?? []) guids.add(`${m.fromHerId}\n${n.notifikasjonGUID}`);
          // Unfolded or folded, every accepted GUID is found, and no other.
          for (const g of [...guids].slice(-5)) expect(store.hasNotification(...(g.split('\n') as [string, string]))).toBe(true);
          expect(store.hasNotification(m.fromHerId, randomUUID())).toBe(false);
          expect(store.answered(m.messageId)).toEqual({ refId: m.refId, fromHerId: m.fromHerId });
          const r = rnd();
          if (r < 0.03) store.fold();
          else if (r < 0.06)
            store = open(); // the one before is never closed: a killed process
          else if (r < 0.08) expectSame(store, model);
        }
        expectSame(store, model);
        store = open();
        expectSame(store, model);
      } finally {
        for (const s of opened) s.close();
      }
    });
  }

  it('a C that names only its ref finds a notification not yet folded, in an earlier message or its own', () => {
    const store = new SandboxStore(tmpDir(), { foldAfter: 1_000_000 });
    const n = (status: string, guid: string, lopeNr: number, more: Partial<NotifikasjonJson> = {}): NotifikasjonJson => ({
      statusNotifikasjon: status,
      notifikasjonGUID: guid,
      notifikasjonForrigeGUID: 'x',
      notifikasjonLopeNr: lopeNr,
      ...more,
    });
    const msg = (Notifikasjon: NotifikasjonJson[]): AcceptedMessage => ({
      messageId: randomUUID(),
      refId: 'r',
      fromHerId: '1',
      toHerId: '2',
      messageType: 'HST',
      messageVersion: '56.0.0',
      melding: { Notifikasjon },
    });
    store.accept(msg([n('N', 'g1', 1, { Konsultasjon: [{ konsultasjonID: 'K1' }, { konsultasjonID: 'K2' }] })]));
    expect(store.hasNotification('1', 'g1')).toBe(true);
    expect(store.hasNotification('2', 'g1')).toBe(false); // GUIDs are per sender
    store.accept(msg([n('C', 'g2', 2, { notifikasjonRef: 'g1' }), n('N', 'g3', 3, { Konsultasjon: [{ konsultasjonID: 'K3' }] }), n('C', 'g4', 4, { notifikasjonRef: 'g3' })]));
    expect(store.statusCounts()).toEqual({ annulled: 3 });
    expect(store.notifications().map((r) => r.konsultasjonIDs)).toEqual([['K1', 'K2'], ['K1', 'K2'], ['K3'], ['K3']]);
    store.close();
  });

  it('keeps what was accepted but never folded when the process is killed, and folds it on opening', () => {
    const dataDir = tmpDir();
    const killed = new SandboxStore(dataDir, { foldAfter: 1_000_000 });
    const model = new Model();
    for (const m of messages(random(42), 200)) {
      killed.accept(m);
      model.accept(m);
    }
    // Nothing was folded: the derived tables are empty on disk.
    const peek = new Database(join(dataDir, 'sandbox.db'), { readonly: true });
    expect(peek.prepare('SELECT COUNT(*) FROM consultation').pluck().get()).toBe(0);
    peek.close();
    const reopened = new SandboxStore(dataDir);
    expectSame(reopened, model);
    for (const r of model.notes) expect(reopened.hasNotification(r.fromHerId, r.notifikasjonGUID)).toBe(true);
    reopened.close();
    killed.close();
  });

  it('looks GUIDs up by a hash that is kept on disk, and a colliding hash finds nothing it should not', () => {
    // Pinned: sandbox.db holds these hashes, so the function may never change.
    expect([guidHash('7', 'g1'), guidHash('8139519', '1d17d049-7775-51fd-8c26-0930073f2201')]).toEqual([3591274905329538, 6483226582484504]);
    const dataDir = tmpDir();
    const store = new SandboxStore(dataDir);
    const note = (guid: string, lopeNr: number, ids: string[]): AcceptedMessage => ({
      messageId: randomUUID(),
      refId: 'r',
      fromHerId: '1',
      toHerId: '2',
      messageType: 'HST',
      messageVersion: '56.0.0',
      melding: {
        Notifikasjon: [
          {
            statusNotifikasjon: 'N',
            notifikasjonGUID: guid,
            notifikasjonForrigeGUID: 'x',
            notifikasjonLopeNr: lopeNr,
            Konsultasjon: ids.map((konsultasjonID) => ({ konsultasjonID })),
          },
        ],
      },
    });
    store.accept(note('g1', 1, ['K1']));
    store.accept(note('gX', 2, ['K2']));
    store.accept(note('g3', 3, ['K3']));
    store.fold();
    // Forge collisions: gY's hash naming g1's notification, gX's hash also naming g3's (a later one).
    const db = new Database(join(dataDir, 'sandbox.db'));
    db.prepare('INSERT INTO notification_guid (h, seq) VALUES (?, 1), (?, 3)').run(guidHash('1', 'gY'), guidHash('1', 'gX'));
    db.close();
    expect(store.hasNotification('1', 'gY')).toBe(false);
    expect(store.hasNotification('1', 'gX')).toBe(true);
    store.accept({
      ...note('g4', 4, []),
      melding: { Notifikasjon: [{ statusNotifikasjon: 'C', notifikasjonGUID: 'g4', notifikasjonForrigeGUID: 'g3', notifikasjonLopeNr: 4, notifikasjonRef: 'gX' }] },
    });
    expect(store.statusCounts()).toEqual({ active: 2, annulled: 1 });
    expect(store.publicState().consultations.K2!.status).toBe('annulled');
    expect(store.notifications().map((r) => r.notifikasjonGUID)).toEqual(['g1', 'gX', 'g3', 'g4']);
    store.close();
  });

  it('opens a sandbox.db of the layout before folding and goes on from it', () => {
    const dataDir = tmpDir();
    // The layout kpr-kit wrote before (user_version 0), with what it would have held.
    const old = new Database(join(dataDir, 'sandbox.db'));
    old.exec(`
      CREATE TABLE sender (her_id TEXT PRIMARY KEY, chain_head TEXT, last_lope_nr INTEGER, notifications INTEGER NOT NULL, messages INTEGER NOT NULL) WITHOUT ROWID;
      CREATE TABLE notification (seq INTEGER PRIMARY KEY, her_id TEXT NOT NULL, guid TEXT NOT NULL, status TEXT NOT NULL, forrige_guid TEXT NOT NULL, lope_nr INTEGER NOT NULL, ids TEXT NOT NULL);
      CREATE UNIQUE INDEX notification_guid ON notification(her_id, guid);
      CREATE TABLE consultation (id TEXT PRIMARY KEY, status TEXT NOT NULL, from_her_id TEXT NOT NULL, content TEXT NOT NULL);
      CREATE TABLE message (seq INTEGER PRIMARY KEY, message_id TEXT NOT NULL UNIQUE, ref_id TEXT NOT NULL, from_her_id TEXT NOT NULL, to_her_id TEXT NOT NULL,
        message_type TEXT NOT NULL, message_version TEXT NOT NULL, notifications INTEGER NOT NULL, received_at TEXT NOT NULL);
      INSERT INTO sender VALUES ('7', 'g3', 3, 3, 2);
      INSERT INTO notification (her_id, guid, status, forrige_guid, lope_nr, ids) VALUES ('7', 'g1', 'N', 'x', 1, '["K1","K2"]'), ('7', 'g2', 'T', 'g1', 2, '["K1"]'), ('7', 'g3', 'C', 'g2', 3, '["K2"]');
      INSERT INTO consultation VALUES ('K2', 'annulled', '7', '{"konsultasjonID":"K2"}'), ('K1', 'active', '7', '{"konsultasjonID":"K1","Maling":[1,2]}');
      INSERT INTO message (message_id, ref_id, from_her_id, to_her_id, message_type, message_version, notifications, received_at) VALUES ('m1', 'r1', '7', '8', 'HST', '56.0.0', 1, ''), ('m2', 'r2', '7', '8', 'HST', '56.0.0', 2, '');
    `);
    old.close();
    const store = new SandboxStore(dataDir);
    expect(store.publicState()).toEqual({
      senders: { '7': { chainHead: 'g3', notifications: 3, messages: 2 } },
      consultations: { K1: { status: 'active', content: { konsultasjonID: 'K1', Maling: [1, 2] } }, K2: { status: 'annulled', content: { konsultasjonID: 'K2' } } },
    });
    expect(store.notifications().map((r) => r.notifikasjonGUID)).toEqual(['g1', 'g2', 'g3']);
    expect(store.hasNotification('7', 'g2')).toBe(true);
    expect(store.answered('m2')).toEqual({ refId: 'r2', fromHerId: '7' });
    // It goes on: a T supplements migrated content, a C by ref annuls what a migrated notification carried.
    const melding = {
      Notifikasjon: [
        {
          statusNotifikasjon: 'T',
          notifikasjonGUID: 'g4',
          notifikasjonForrigeGUID: 'g3',
          notifikasjonLopeNr: 4,
          notifikasjonRef: 'g1',
          Konsultasjon: [{ konsultasjonID: 'K1', Maling: [3] }],
        },
        { statusNotifikasjon: 'C', notifikasjonGUID: 'g5', notifikasjonForrigeGUID: 'g4', notifikasjonLopeNr: 5, notifikasjonRef: 'g1' },
      ],
    };
    store.accept({ messageId: 'm3', refId: 'r3', fromHerId: '7', toHerId: '8', messageType: 'HST', messageVersion: '56.0.0', melding });
    expect(store.publicState().consultations).toEqual({
      K1: { status: 'annulled', content: { konsultasjonID: 'K1', Maling: [1, 2, 3] } },
      K2: { status: 'annulled', content: { konsultasjonID: 'K2' } },
    });
    store.close();
    const again = new SandboxStore(dataDir);
    expect(again.statusCounts()).toEqual({ annulled: 2 });
    again.close();
  });
});
