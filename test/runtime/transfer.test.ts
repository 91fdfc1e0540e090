// The transfer against a fake receiver that applies the sandbox's chain rules: N/M/C decisions,
// the chain across runs, lopenr per year, batching, and recovery after a crash at every step.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { passthroughMapper } from '../../runtime/jobs/mapper.ts';
import type { Sender } from '../../runtime/jobs/sender.ts';
import { transfer, type FailPoint, type TransferDeps } from '../../runtime/jobs/transfer.ts';
import { silentLogger } from '../../runtime/log.ts';
import { FileSource } from '../../runtime/sources/files.ts';
import { NIL_GUID } from '../../runtime/notify/chain.ts';
import { asyncStore } from '../../runtime/store/async.ts';
import { openStore } from '../../runtime/store/open.ts';
import type { Store } from '../../runtime/store/types.ts';
import { del, FakeReceiver, HEADER, identitySealer, rec, STAND_IN_KIT, tmp, writeNdjson, type Rec } from './helpers.ts';

function setup(limits: Partial<TransferDeps['limits']> = {}) {
  const dir = tmp();
  const receiver = new FakeReceiver();
  const file = join(dir, 'epj.ndjson');
  const dbPath = join(dir, 'kpr.db');
  let now = new Date('2024-06-01T12:00:00Z');
  const run = async (records: Rec[], extra: Partial<TransferDeps> = {}) => {
    writeNdjson(file, records);
    const store = openStore(dbPath);
    try {
      return await transfer(
        {
          store: asyncStore(store),
          kit: STAND_IN_KIT,
          header: HEADER,
          // One message per transaction unless a test says otherwise (crash points per message).
          limits: { maxConsultations: 1000, maxBytes: 4_000_000, recordsPerTransaction: limits.maxConsultations ?? 5000, ...limits },
          sender: receiver,
          sealer: identitySealer,
          log: silentLogger,
          mapper: passthroughMapper(STAND_IN_KIT),
          source: new FileSource(file, 'file'),
          now: () => now,
          ...extra,
        },
        { kind: 'run', readSource: true },
      );
    } finally {
      store.close();
    }
  };
  return { dir, receiver, run, dbPath, setNow: (d: string) => (now = new Date(d)) };
}

describe('N/M/C decisions across runs', () => {
  it('N, then nothing for unchanged content, M for changed content, C for a deletion', async () => {
    const t = setup();
    const r1 = await t.run([rec('K1', '2024-05-01T08:00:00Z'), rec('K2', '2024-05-01T08:00:00Z')]);
    expect(r1.notifications).toEqual({ N: 2, M: 0, C: 0 });
    expect(r1.exitCode).toBe(0);
    // The same file again: every version was decided already.
    const r2 = await t.run([rec('K1', '2024-05-01T08:00:00Z'), rec('K2', '2024-05-01T08:00:00Z')]);
    expect(r2).toMatchObject({ skipped: 2, notifications: { N: 0, M: 0, C: 0 }, messagesBuilt: 0 });
    // A new version with the same content is unchanged; one with new content is an M.
    const r3 = await t.run([rec('K1', '2024-05-02T08:00:00Z'), rec('K2', '2024-05-02T08:00:00Z', 1)]);
    expect(r3).toMatchObject({ unchanged: 1, notifications: { N: 0, M: 1, C: 0 } });
    const r4 = await t.run([del('K1', '2024-05-03T08:00:00Z')]);
    expect(r4.notifications).toEqual({ N: 0, M: 0, C: 1 });
    expect(t.receiver.holdings()).toEqual({ K1: 'annulled', K2: 'active:2' });
    const m = t.receiver.applied.find((a) => a.status === 'M')!;
    const melding = t.receiver.meldinger.find((x) => x.Notifikasjon?.some((n) => n.notifikasjonGUID === m.guid))!;
    const n = melding.Notifikasjon!.find((x) => x.notifikasjonGUID === m.guid)!;
    const originalN = t.receiver.applied.find((a) => a.status === 'N' && a.ids[0] === 'K2')!;
    expect(n.notifikasjonRef).toBe(originalN.guid);
    // The first notification ever points at the nil GUID; lopeNr strictly increases.
    expect(t.receiver.meldinger[0]!.Notifikasjon![0]!.notifikasjonForrigeGUID).toBe(NIL_GUID);
    const lope = t.receiver.meldinger.flatMap((x) => x.Notifikasjon!.map((y) => Number(y.notifikasjonLopeNr)));
    expect(lope).toEqual([1, 2, 3, 4]);
    expect(t.receiver.meldinger.map((x) => x.lopenr)).toEqual(['1', '2', '3']);
  });

  it('every M and C refers to the original N, not to the M before it ("referansen skal alltid peke på en N \'Original\'")', async () => {
    const t = setup();
    await t.run([rec('K1', '2024-05-01T08:00:00Z')]);
    await t.run([rec('K1', '2024-05-02T08:00:00Z', 1)]);
    await t.run([rec('K1', '2024-05-03T08:00:00Z', 2)]);
    await t.run([del('K1', '2024-05-04T08:00:00Z')]);
    const all = t.receiver.meldinger.flatMap((x) => x.Notifikasjon!);
    expect(all.map((n) => n.statusNotifikasjon)).toEqual(['N', 'M', 'M', 'C']);
    const n = all[0]!.notifikasjonGUID;
    expect(all.slice(1).map((x) => x.notifikasjonRef)).toEqual([n, n, n]);
    // Back after the annulment: a new N, and its M refers to the new one.
    await t.run([rec('K1', '2024-05-05T08:00:00Z')]);
    await t.run([rec('K1', '2024-05-06T08:00:00Z', 1)]);
    const later = t.receiver.meldinger.flatMap((x) => x.Notifikasjon!).slice(4);
    expect(later.map((x) => [x.statusNotifikasjon, x.notifikasjonRef ?? null])).toEqual([
      ['N', null],
      ['M', later[0]!.notifikasjonGUID],
    ]);
  });

  it('an edit of a consultation whose N is not confirmed yet becomes an M referring to that N', async () => {
    const t = setup();
    t.receiver.plan.push('retry');
    const r1 = await t.run([rec('K1', '2024-05-01T08:00:00Z')]);
    expect(r1.exitCode).toBe(2);
    expect(r1.stopped?.state).toBe('retrying');
    const r2 = await t.run([rec('K1', '2024-05-01T08:00:00Z'), rec('K1', '2024-05-02T08:00:00Z', 2)]);
    expect(r2.exitCode).toBe(0);
    expect(t.receiver.applied.map((a) => a.status)).toEqual(['N', 'M']);
    expect(t.receiver.holdings()).toEqual({ K1: 'active:3' });
    // The unconfirmed message was resent with its messageId and bytes.
    expect(t.receiver.calls[1]!.messageId).toBe(t.receiver.calls[0]!.messageId);
    expect(t.receiver.calls[1]!.payload.equals(t.receiver.calls[0]!.payload)).toBe(true);
  });

  it('a consultation deleted before it was ever sent is never sent; one edited twice in a run is sent in its last version', async () => {
    const t = setup();
    const r = await t.run([rec('K1', '2024-05-01T08:00:00Z'), rec('K2', '2024-05-01T08:00:00Z'), rec('K2', '2024-05-01T09:00:00Z', 1)]);
    expect(r.notifications).toEqual({ N: 2, M: 1, C: 0 });
    const r2 = await t.run([del('K3', '2024-05-02T08:00:00Z')]);
    expect(r2.notifications).toEqual({ N: 0, M: 0, C: 0 });
    expect(t.receiver.holdings()).toEqual({ K1: 'active:1', K2: 'active:2' });
  });

  it('a consultation annulled and then registered again comes back as N', async () => {
    const t = setup();
    await t.run([rec('K1', '2024-05-01T08:00:00Z'), del('K1', '2024-05-01T09:00:00Z'), rec('K1', '2024-05-01T10:00:00Z', 1)]);
    // Three versions of one record in one file: each is decided in turn.
    expect(t.receiver.applied.map((a) => a.status)).toEqual(['N', 'C', 'N']);
    await t.run([del('K1', '2024-05-02T09:00:00Z')]);
    await t.run([rec('K1', '2024-05-03T10:00:00Z', 2)]);
    expect(t.receiver.applied.map((a) => a.status)).toEqual(['N', 'C', 'N', 'C', 'N']);
    expect(t.receiver.holdings()).toEqual({ K1: 'active:3' });
  });
});

describe('lopenr and batching', () => {
  it('counts lopenr per year and starts again at 1 in a new year', async () => {
    const t = setup({ maxConsultations: 2 });
    t.setNow('2024-12-31T10:00:00Z');
    await t.run([rec('A', '2024-12-01T08:00:00Z'), rec('B', '2024-12-01T08:00:00Z'), rec('C', '2024-12-01T08:00:00Z')]);
    t.setNow('2025-01-01T10:00:00Z');
    await t.run([rec('D', '2024-12-31T08:00:00Z')]);
    expect(t.receiver.meldinger.map((m) => [m.uttakDato, m.lopenr])).toEqual([
      ['2024-12-31', '1'],
      ['2024-12-31', '2'],
      ['2025-01-01', '1'],
    ]);
  });

  it('cuts messages at maxConsultations and at maxBytes', async () => {
    const byCount = setup({ maxConsultations: 3 });
    const recs = Array.from({ length: 7 }, (_, i) => rec(`K${i}`, '2024-05-01T08:00:00Z'));
    await byCount.run(recs);
    expect(byCount.receiver.meldinger.map((m) => m.Notifikasjon!.length)).toEqual([3, 3, 1]);
    const byBytes = setup({ maxBytes: 10_000 });
    await byBytes.run(Array.from({ length: 40 }, (_, i) => rec(`K${i}`, '2024-05-01T08:00:00Z')));
    const sizes = byBytes.receiver.calls.map((c) => c.xml.length);
    expect(byBytes.receiver.meldinger.length).toBeGreaterThan(1);
    for (const s of sizes) expect(s).toBeLessThanOrEqual(10_000);
    expect(byBytes.receiver.meldinger.flatMap((m) => m.Notifikasjon!).length).toBe(40);
  });
});

describe('the receiver rejects a message', () => {
  it('stops the line, rebuilds later messages onto the accepted chain, and resends the rejected content on request', async () => {
    const t = setup({ maxConsultations: 2 });
    t.receiver.plan.push('accept', 'reject');
    const recs = ['A', 'B', 'C', 'D', 'E'].map((id) => rec(id, '2024-05-01T08:00:00Z'));
    const r1 = await t.run(recs);
    expect(r1.exitCode).toBe(2);
    expect(r1.stopped?.state).toBe('rejected');
    expect(Object.keys(t.receiver.holdings())).toEqual(['A', 'B']);
    // Next run: the message after the rejected one (E) was rebuilt and goes out.
    const r2 = await t.run(recs);
    expect(r2.exitCode).toBe(0);
    expect(Object.keys(t.receiver.holdings()).sort()).toEqual(['A', 'B', 'E']);
    // An operator fixed the cause: requeue C and D.
    const store = openStore(t.dbPath);
    const [rejected] = store.rejectedMessages();
    expect(rejected!.validationMessage).toBe('scripted rejection');
    expect(store.requeueMessage(rejected!.seq)).toBe(2);
    store.close();
    const r3 = await t.run([]);
    expect(r3.notifications).toEqual({ N: 2, M: 0, C: 0 });
    expect(Object.keys(t.receiver.holdings()).sort()).toEqual(['A', 'B', 'C', 'D', 'E']);
    expect(Object.values(t.receiver.newCounts())).toEqual([1, 1, 1, 1, 1]);
    // lopenr has no gap among the messages that reached the receiver's door.
    expect(t.receiver.calls.map((c) => c.lopenr)).toEqual([1, 2, 3, 4]);
  });
});

describe('sending while building', () => {
  it('seals each message once, the next while the receiver holds the one before, and sends each its own payload', async () => {
    const t = setup({ maxConsultations: 2, recordsPerTransaction: 2 });
    t.receiver.latencyMs = 20;
    const sealed: string[] = [];
    let inFlight = 0;
    const sealedWhileBusy: boolean[] = [];
    const send = t.receiver.send.bind(t.receiver);
    // A sender that makes requests ready is told of each next message, with the payload it gets.
    const prepared = new Map<string, Buffer>();
    (t.receiver as Sender).prepare = (m) => void prepared.set(m.messageId, m.payload);
    t.receiver.send = async (m) => {
      inFlight++;
      try {
        // The payload is what was sealed from this message's own XML, and what was prepared.
        expect(m.payload.equals(m.xml)).toBe(true);
        if (prepared.has(m.messageId)) expect(prepared.get(m.messageId)).toBe(m.payload);
        return await send(m);
      } finally {
        inFlight--;
      }
    };
    const recs = Array.from({ length: 24 }, (_, i) => rec(`S${String(i).padStart(2, '0')}`, '2024-05-01T08:00:00Z'));
    const r = await t.run(recs, {
      sealer: (xml) => {
        sealed.push(xml.toString('utf8'));
        sealedWhileBusy.push(inFlight > 0);
        return Buffer.from(xml);
      },
    });
    expect(r.exitCode).toBe(0);
    expect(r.messagesAccepted).toBe(12);
    // Once per message, in the order sent.
    expect(sealed).toEqual(t.receiver.calls.map((c) => c.xml.toString('utf8')));
    expect(sealedWhileBusy.filter(Boolean).length).toBeGreaterThan(5);
    expect(prepared.size).toBeGreaterThan(5);
    expect(Object.keys(t.receiver.newCounts()).length).toBe(24);
  });

  it('builds the next messages while the receiver works, at most a few ahead, and stops building when one is rejected', async () => {
    // One message per transaction; a receiver slow enough that the builder gets ahead of it.
    const t = setup({ maxConsultations: 2, recordsPerTransaction: 2 });
    t.receiver.latencyMs = 30;
    t.receiver.plan.push('accept', 'accept', 'reject');
    const recs = Array.from({ length: 40 }, (_, i) => rec(`K${String(i).padStart(2, '0')}`, '2024-05-01T08:00:00Z'));
    const r1 = await t.run(recs);
    expect(r1.stopped?.state).toBe('rejected');
    // Nothing after the rejected message reached the receiver ...
    expect(t.receiver.calls.length).toBe(3);
    expect(r1.messagesAccepted).toBe(2);
    // ... but more than three were built meanwhile (overlap), and never many more (bounded memory).
    expect(r1.messagesBuilt).toBeGreaterThan(3);
    expect(r1.messagesBuilt).toBeLessThanOrEqual(3 + 3);
    let store = openStore(t.dbPath);
    // Built on top of the rejected one: superseded, their consultations queued to be decided again.
    expect(store.countsByState()).toEqual({ accepted: 2, rejected: 1, superseded: r1.messagesBuilt - 3 });
    const [rejected] = store.rejectedMessages();
    store.requeueMessage(rejected!.seq);
    store.close();
    t.receiver.latencyMs = 1;
    const r2 = await t.run(recs);
    expect(r2.exitCode).toBe(0);
    // Every consultation exactly once as N, on one unbroken chain.
    expect(Object.keys(t.receiver.newCounts()).length).toBe(40);
    expect(new Set(Object.values(t.receiver.newCounts()))).toEqual(new Set([1]));
    const lope = t.receiver.meldinger.flatMap((x) => x.Notifikasjon!.map((y) => Number(y.notifikasjonLopeNr)));
    expect(lope).toEqual([...lope].sort((a, b) => a - b));
    store = openStore(t.dbPath);
    expect(store.unconfirmed()).toEqual([]);
    store.close();
  });
});

describe('crash recovery', () => {
  const points: FailPoint[] = ['before-commit', 'after-commit', 'after-sealed', 'after-send', 'after-accept'];
  for (const point of points) {
    it(`a crash at ${point} followed by a new run loses nothing and sends nothing twice as new`, async () => {
      const t = setup({ maxConsultations: 2 });
      const day1 = ['A', 'B', 'C'].map((id) => rec(id, '2024-05-01T08:00:00Z'));
      let hits = 0;
      const crash = (name: FailPoint) => {
        if (name === point && ++hits === 2) throw new Error(`simulated crash at ${name}`);
      };
      await expect(t.run(day1, { failpoint: crash })).rejects.toThrow('simulated crash');
      const day2 = [...day1, rec('B', '2024-05-02T08:00:00Z', 1), del('C', '2024-05-02T09:00:00Z'), rec('D', '2024-05-02T08:00:00Z')];
      const r = await t.run(day2);
      expect(r.exitCode).toBe(0);
      expect(t.receiver.holdings()).toEqual({ A: 'active:1', B: 'active:2', C: 'annulled', D: 'active:1' });
      expect(t.receiver.newCounts()).toEqual({ A: 1, B: 1, C: 1, D: 1 });
      // Every call with a messageId the receiver had seen repeated it byte for byte.
      const first = new Map<string, Buffer>();
      for (const c of t.receiver.calls) {
        const prior = first.get(c.messageId);
        if (prior) expect(c.payload.equals(prior)).toBe(true);
        else first.set(c.messageId, c.payload);
      }
      const store = openStore(t.dbPath);
      expect(store.unconfirmed()).toEqual([]);
      store.close();
    });
  }

  it('an answer lost after the receiver stored the message: the resend gets the same refId, nothing is new twice', async () => {
    const t = setup();
    t.receiver.plan.push('lose-answer');
    const r1 = await t.run([rec('A', '2024-05-01T08:00:00Z')]);
    expect(r1.stopped?.state).toBe('retrying');
    const r2 = await t.run([rec('A', '2024-05-01T08:00:00Z')]);
    expect(r2.messagesAccepted).toBe(1);
    expect(t.receiver.calls.map((c) => c.messageId)).toEqual([t.receiver.calls[0]!.messageId, t.receiver.calls[0]!.messageId]);
    expect(t.receiver.newCounts()).toEqual({ A: 1 });
  });
});

describe('rejected records', () => {
  const kit = {
    ...STAND_IN_KIT,
    validateKonsultasjon: Object.assign(
      function validate(k: unknown): boolean {
        const ok = ['1', '2', '3'].includes(String((k as { amming?: unknown }).amming));
        (validate as { errors?: unknown }).errors = ok
          ? null
          : [{ instancePath: '/amming', keyword: 'enum', params: { allowedValues: ['1', '2', '3'] }, schemaPath: '', message: '' }];
        return ok;
      },
      { errors: null },
    ),
  };
  const bad = (id: string, changedAt: string): Rec => ({ id, changedAt, Konsultasjon: { ...rec(id, changedAt).Konsultasjon, amming: '7' } });

  it('wait for correction: listed with path, rule and consequence, cleared by a corrected version (per-version record ids too)', async () => {
    const t = setup();
    const mapper = passthroughMapper(kit);
    const r1 = await t.run([rec('A', '2024-05-01T08:00:00Z'), bad('B', '2024-05-01T08:00:00Z'), { ...bad('C', '2024-05-01T08:00:00Z'), id: 'C/1' }], { kit, mapper });
    expect(r1).toMatchObject({ exitCode: 1, outcome: 'partial', rejectedRecords: 2, notifications: { N: 1, M: 0, C: 0 } });
    let store = openStore(t.dbPath);
    expect(store.rejections().map((r) => [r.sourceId, r.path, r.rule, r.consequence])).toEqual([
      ['B', '/Konsultasjon/amming', 'REC2005', 'not sent; waits for a corrected version from the EPJ'],
      ['C/1', '/Konsultasjon/amming', 'REC2005', 'not sent; waits for a corrected version from the EPJ'],
    ]);
    store.close();
    // Corrected in the EPJ: B under the same id, C as a new version with its own record id.
    const r2 = await t.run([rec('B', '2024-05-02T08:00:00Z'), { ...rec('C', '2024-05-02T08:00:00Z'), id: 'C/2' }], { kit, mapper });
    expect(r2).toMatchObject({ exitCode: 0, notifications: { N: 2, M: 0, C: 0 } });
    store = openStore(t.dbPath);
    expect(store.rejections()).toEqual([]);
    store.close();
    expect(Object.keys(t.receiver.holdings()).sort()).toEqual(['A', 'B', 'C']);
  });
});

describe('lines that are not JSON', () => {
  it('are rejected once per line, not once more with every run', async () => {
    const t = setup();
    const file = join(t.dir, 'broken.ndjson');
    writeFileSync(file, `${JSON.stringify(rec('A', '2024-05-01T08:00:00Z'))}\n{oops\n`);
    for (let i = 0; i < 2; i++) {
      // Touched (a blank line more), so the second run reads the file again.
      if (i === 1) writeFileSync(file, `${JSON.stringify(rec('A', '2024-05-01T08:00:00Z'))}\n{oops\n\n`);
      const store = openStore(t.dbPath);
      const r = await transfer(
        {
          store: asyncStore(store),
          kit: STAND_IN_KIT,
          header: HEADER,
          limits: { maxConsultations: 10, maxBytes: 1e6, recordsPerTransaction: 10 },
          sender: t.receiver,
          sealer: identitySealer,
          log: silentLogger,
          mapper: passthroughMapper(STAND_IN_KIT),
          source: new FileSource(file, 'file'),
        },
        { kind: 'run', readSource: true },
      );
      store.close();
      expect(r).toMatchObject({ exitCode: 1, rejectedRecords: 1, notifications: { N: i === 0 ? 1 : 0, M: 0, C: 0 } });
    }
    const store = openStore(t.dbPath);
    expect(store.rejections().map((r) => [r.sourceId, r.line, r.rule])).toEqual([['broken.ndjson:2', 2, 'REC1001']]);
    store.close();
  });
});

describe('a folder of daily exports', () => {
  it('is not read again file by file: a file read to its end and unchanged since is skipped', async () => {
    const dir = tmp();
    const { mkdirSync } = await import('node:fs');
    const folder = join(dir, 'exports');
    mkdirSync(folder);
    const receiver = new FakeReceiver();
    const once = async () => {
      const store = openStore(join(dir, 'kpr.db'));
      try {
        return await transfer(
          {
            store: asyncStore(store),
            kit: STAND_IN_KIT,
            header: HEADER,
            limits: { maxConsultations: 10, maxBytes: 1e6, recordsPerTransaction: 10 },
            sender: receiver,
            sealer: identitySealer,
            log: silentLogger,
            mapper: passthroughMapper(STAND_IN_KIT),
            source: new FileSource(folder, 'folder'),
          },
          { kind: 'run', readSource: true },
        );
      } finally {
        store.close();
      }
    };
    writeNdjson(join(folder, '2024-05-01.ndjson'), [rec('A', '2024-05-01T08:00:00Z'), rec('B', '2024-05-01T08:00:00Z')]);
    expect((await once()).records).toBe(2);
    expect((await once()).records).toBe(0);
    writeNdjson(join(folder, '2024-05-02.ndjson'), [rec('B', '2024-05-02T08:00:00Z', 1)]);
    expect(await once()).toMatchObject({ records: 1, notifications: { N: 0, M: 1, C: 0 } });
    // A file that changed (appended to) is read again; what was decided is skipped.
    writeNdjson(join(folder, '2024-05-01.ndjson'), [rec('A', '2024-05-01T08:00:00Z'), rec('B', '2024-05-01T08:00:00Z'), rec('C', '2024-05-01T09:00:00Z')]);
    expect(await once()).toMatchObject({ records: 3, skipped: 2, notifications: { N: 1, M: 0, C: 0 } });
    expect(receiver.holdings()).toEqual({ A: 'active:1', B: 'active:2', C: 'active:1' });
  });
});

describe('a failure inside a store transaction', () => {
  it('rolls the whole batch back: the next run decides the same records again, once', async () => {
    const t = setup({ maxConsultations: 3 });
    const recs = ['A', 'B', 'C', 'D', 'E'].map((id) => rec(id, '2024-05-01T08:00:00Z'));
    let calls = 0;
    // Break the disk in the middle of the second batch's item inserts.
    const breakStore = (store: Store) => {
      // The SQLite store's batch of decisions (runtime/store/sqlite/batch.ts) holds the statement.
      const st = (store as unknown as { batch: { st: Record<string, { run: (...a: unknown[]) => unknown }> } }).batch.st;
      const insert = st.insertItem!;
      const original = insert.run.bind(insert);
      st.insertItem = {
        run: (...a: unknown[]) => {
          if (++calls === 5) throw Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR' });
          return original(...a);
        },
      };
    };
    const store = openStore(t.dbPath);
    breakStore(store);
    await expect(
      transfer(
        {
          store: asyncStore(store),
          kit: STAND_IN_KIT,
          header: HEADER,
          limits: { maxConsultations: 3, maxBytes: 1e6, recordsPerTransaction: 3 },
          sender: t.receiver,
          sealer: identitySealer,
          log: silentLogger,
          mapper: passthroughMapper(STAND_IN_KIT),
          source: (() => {
            writeNdjson(join(t.dir, 'epj.ndjson'), recs);
            return new FileSource(join(t.dir, 'epj.ndjson'), 'file');
          })(),
        },
        { kind: 'run', readSource: true },
      ),
    ).rejects.toThrow('disk I/O error');
    store.close();
    expect(Object.keys(t.receiver.holdings())).toEqual(['A', 'B', 'C']);
    const r = await t.run(recs);
    expect(r).toMatchObject({ exitCode: 0, skipped: 3, notifications: { N: 2, M: 0, C: 0 } });
    expect(t.receiver.newCounts()).toEqual({ A: 1, B: 1, C: 1, D: 1, E: 1 });
    const check = openStore(t.dbPath);
    expect(check.countsByState()).toEqual({ accepted: 2 });
    check.close();
  });
});

describe('several messages in one transaction', () => {
  it('are committed together and sent in order; a crash before the commit loses none of them', async () => {
    const t = setup({ maxConsultations: 2, recordsPerTransaction: 6 });
    const recs = ['A', 'B', 'C', 'D', 'E', 'F', 'G'].map((id) => rec(id, '2024-05-01T08:00:00Z'));
    await expect(
      t.run(recs, {
        failpoint: (p) => {
          if (p === 'before-commit') throw new Error('crash');
        },
      }),
    ).rejects.toThrow('crash');
    expect(t.receiver.calls).toHaveLength(0);
    const r = await t.run(recs);
    expect(r).toMatchObject({ messagesBuilt: 4, messagesAccepted: 4 });
    expect(t.receiver.meldinger.map((m) => [m.lopenr, m.Notifikasjon!.length])).toEqual([
      ['1', 2],
      ['2', 2],
      ['3', 2],
      ['4', 1],
    ]);
    expect(Object.values(t.receiver.newCounts())).toEqual([1, 1, 1, 1, 1, 1, 1]);
  });
});
