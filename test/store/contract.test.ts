// The store's contract, method by method, judged the same way against SQLite (through the
// AsyncStore adapter) and PostgreSQL: what each method answers after each transition, the
// chain's repair after a rejection (supersede, requeue, renumber), all-or-nothing commits,
// rejections and sent warnings replaced by newer versions, the run lock.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NIL_GUID } from '../../runtime/notify/chain.ts';
import type { Rejection, SentWarning } from '../../runtime/store/types.ts';
import { describePg, type PgServer } from '../helpers/postgres.ts';
import { batch, item, message, observe, opened, pgForFile, postgresKind, snapshotOf, type StoreKind, sqliteKind } from './contract-stores.ts';

const finding = { file: 'epj.ndjson', line: 3, path: 'konsultasjon.datoTidStart', message: 'missing', consequence: 'Avvis melding' };

function rejection(sourceId: string, rule: string, more: Partial<Rejection> = {}): Rejection {
  return { sourceId, konsultasjonId: null, changedAt: '2024-03-01T10:00:00.000Z', rule, ...finding, ...more };
}

function warning(sourceId: string, konsultasjonId: string, rule: string): SentWarning {
  return { sourceId, konsultasjonId, changedAt: '2024-03-01T10:00:00.000Z', rule, action: 'sent', ...finding };
}

function contract(kind: StoreKind): void {
  const { fresh, keep } = opened(kind);

  it('starts empty: nil chain, no messages, no runs, no lock', async () => {
    const s = await fresh();
    expect(await s.counters()).toEqual({ chainHead: NIL_GUID, acceptedHead: NIL_GUID, notifLopeNr: 0 });
    expect(await s.unconfirmed()).toEqual([]);
    expect(await s.countsByState()).toEqual({});
    expect(await s.consultationCounts()).toEqual({ active: 0, annulled: 0, pending: 0 });
    expect(await s.lastRun()).toBeUndefined();
    expect(await s.lockHolder()).toBeUndefined();
    expect(await s.oldestUnconfirmed()).toBeUndefined();
    expect(await s.checkpoint('position')).toBeUndefined();
    expect(await s.lastLopenr(2024)).toBe(0);
    expect(await s.seen('s-x', '2024-01-01')).toBe(false);
    expect(await s.consultation('x')).toBeUndefined();
  });

  it('commits a batch: messages in chain order, items with their JSON, counters, lopenr per year, seen, checkpoints', async () => {
    const s = await fresh();
    const run = await s.startRun('run');
    const m1 = message('m1', 1, [item('a'), item('b')]);
    const m2 = message('m2', 2, [item('c')]);
    const m3 = message('m3', 1, [item('d')], 2025);
    await s.beginBatch();
    expect(await s.seen('s-a', '2024-01-01')).toBe(false);
    await s.commitBatch(batch(run, [m1, m2, m3], { checkpoints: [{ key: 'position', value: '42' }] }));
    const un = await s.unconfirmed();
    expect(un.map((m) => [m.messageId, m.state, m.consultations, m.attempts])).toEqual([
      ['m1', 'built', 2, 0],
      ['m2', 'built', 1, 0],
      ['m3', 'built', 1, 0],
    ]);
    const items = await s.messageItems(un[0]?.seq ?? -1);
    expect(items.map((i) => [i.konsultasjonId, i.guid, i.json !== null])).toEqual([
      ['a', m1.items[0]?.guid, true],
      ['b', m1.items[1]?.guid, true],
    ]);
    expect(await s.counters()).toEqual({ chainHead: m3.items[0]?.guid, acceptedHead: NIL_GUID, notifLopeNr: m3.items[0]?.lopeNr });
    expect([await s.lastLopenr(2024), await s.lastLopenr(2025)]).toEqual([2, 1]);
    expect(await s.seen('s-a', m1.items[0]?.changedAt ?? '')).toBe(true);
    expect(await s.seen('s-a', '2099-01-01')).toBe(false);
    expect((await s.consultation('a'))?.hasPending).toBe(true);
    expect(await s.checkpoint('position')).toBe('42');
    expect(await s.countsByState()).toEqual({ built: 3 });
    expect(await s.consultationCounts()).toEqual({ active: 0, annulled: 0, pending: 4 });
    expect((await s.message('m2'))?.lopenr).toBe(2);
    expect((await s.oldestUnconfirmed())?.messageId).toBe('m1');
  });

  it('moves a message built → sent → retrying → sent → accepted, and drops its JSON once accepted', async () => {
    const s = await fresh();
    const m1 = message('m1', 1, [item('a')]);
    await s.commitBatch(batch(1, [m1]));
    const seq = (await s.message('m1'))?.seq ?? -1;
    await s.markSending(seq);
    await s.markRetrying(seq, 'HTTP 503', 'ref-1');
    expect(await s.message('m1')).toMatchObject({ state: 'retrying', attempts: 1, lastError: 'HTTP 503', refId: 'ref-1' });
    await s.markSending(seq);
    await s.markAccepted(seq, null);
    expect(await s.message('m1')).toMatchObject({ state: 'accepted', attempts: 2, lastError: null, refId: null });
    expect((await s.messageItems(seq)).map((i) => i.json)).toEqual([null]);
    expect((await s.counters()).acceptedHead).toBe(m1.items[0]?.guid);
    expect(await s.consultation('a')).toMatchObject({ accHash: m1.items[0]?.hash, accActive: true, hasPending: false, origGuid: m1.items[0]?.guid });
    expect(await s.consultationCounts()).toEqual({ active: 1, annulled: 0, pending: 0 });
    expect(await s.unconfirmed()).toEqual([]);
  });

  it('a rejection supersedes what was built after it, requeues its consultations, and renumbers from what is kept', async () => {
    const s = await fresh();
    const a1 = item('a');
    const m1 = message('m1', 1, [a1]);
    const m2 = message('m2', 2, [item('b')]);
    const m3 = message('m3', 3, [item('a', { status: 'M', ref: a1.guid }), item('c')]);
    const m4 = message('m4', 4, [item('c', { status: 'M' })]);
    await s.commitBatch(batch(1, [m1, m2, m3, m4]));
    const [s1, s2, s3] = (await s.unconfirmed()).map((m) => m.seq);
    await s.markAccepted(s1 ?? -1, 'r1');
    await s.markRejected(s2 ?? -1, { validationCode: 17, validationMessage: 'ugyldig', refId: 'r2' });
    expect(await s.countsByState()).toEqual({ accepted: 1, rejected: 1, superseded: 2 });
    expect(await s.message('m2')).toMatchObject({ state: 'rejected', validationCode: 17, validationMessage: 'ugyldig', refId: 'r2' });
    // The latest version of each consultation built after it, a and c, not b (rejected itself).
    // (in the order of their versions' changedAt)
    const latest = [m3.items[0], m4.items[0]].sort((x, y) => (x?.changedAt ?? '').localeCompare(y?.changedAt ?? ''));
    expect((await s.requeued()).map((r) => [r.konsultasjonId, r.hash, r.deleted])).toEqual(latest.map((i) => [i?.konsultasjonId, i?.hash, false]));
    // The chain continues from the last accepted notification; numbers from the kept messages (m1, m2).
    expect(await s.counters()).toEqual({ chainHead: a1.guid, acceptedHead: a1.guid, notifLopeNr: m2.items[0]?.lopeNr });
    expect(await s.lastLopenr(2024)).toBe(2);
    // a is back to what the receiver holds; b and c hold nothing on its way.
    expect(await s.consultation('a')).toMatchObject({ accGuid: a1.guid, hasPending: false });
    expect(await s.consultation('c')).toBeUndefined();
    expect(await s.messageItems(s3 ?? -1)).toEqual([]);
    expect((await s.rejectedMessages()).map((m) => m.messageId)).toEqual(['m2']);
    // The requeued consultations are consumed by the batch that builds them again.
    const m5 = message('m5', 3, [item('a', { status: 'M', ref: a1.guid }), item('c')]);
    await s.commitBatch(batch(2, [m5], { requeueDone: ['a', 'c'] }));
    expect(await s.requeued()).toEqual([]);
    expect((await s.unconfirmed()).map((m) => m.messageId)).toEqual(['m5']);
  });

  it('an operator requeues a rejected message: its consultations with nothing newer, once', async () => {
    const s = await fresh();
    const m1 = message('m1', 1, [item('a'), item('b')]);
    const m2 = message('m2', 2, [item('b', { status: 'M' })]);
    await s.commitBatch(batch(1, [m1]));
    const seq = (await s.message('m1'))?.seq ?? -1;
    await s.markRejected(seq, { validationCode: null, validationMessage: 'nei', refId: null });
    // b was built again since (a newer version): only a goes back.
    await s.commitBatch(batch(2, [m2]));
    expect(await s.requeueMessage(seq)).toBe(1);
    expect((await s.requeued()).map((r) => r.konsultasjonId)).toEqual(['a']);
    expect((await s.message('m1'))?.state).toBe('requeued');
    expect((await s.messageItems(seq)).map((i) => i.json)).toEqual([null, null]);
    expect((await s.rejectedMessages()).map((m) => [m.messageId, m.state])).toEqual([['m1', 'requeued']]);
  });

  it('a commit is all or nothing: a duplicate messageId leaves the store as it was', async () => {
    const s = await fresh();
    await s.commitBatch(batch(1, [message('m1', 1, [item('a')])]));
    const before = await observe(s, ['a', 'b']);
    await expect(s.commitBatch(batch(1, [message('m2', 2, [item('b')]), message('m1', 3, [item('b')])], { checkpoints: [{ key: 'position', value: '9' }] }))).rejects.toThrow();
    expect(await observe(s, ['a', 'b'])).toEqual(before);
    // And a batch whose lookups were made and then abandoned leaves nothing either.
    await s.beginBatch();
    expect(await s.seen('s-b', '2024-01-01')).toBe(false);
    await s.rollbackBatch();
    expect(await observe(s, ['a', 'b'])).toEqual(before);
  });

  it('rejections and sent warnings: kept per record, replaced by a newer version, counted by rule', async () => {
    const s = await fresh();
    await s.commitBatch(
      batch(1, [], {
        seen: [
          { sourceId: 's-x', changedAt: '2024-03-01T10:00:00.000Z', rejected: true },
          { sourceId: 's-y', konsultasjonId: 'y', changedAt: '2024-03-01T10:00:00.000Z', rejected: true },
        ],
        rejections: [rejection('s-x', 'REC1001'), rejection('s-x', 'REC1002'), rejection('s-y', 'REC1001', { konsultasjonId: 'y' })],
        warnings: [warning('s-w', 'w', 'REC2001')],
        chainHead: NIL_GUID,
      }),
    );
    expect(await s.rejectionsByRule()).toEqual([
      { rule: 'REC1001', count: 2 },
      { rule: 'REC1002', count: 1 },
    ]);
    expect((await s.rejections()).map((r) => [r.sourceId, r.rule, r.line])).toEqual([
      ['s-x', 'REC1001', 3],
      ['s-x', 'REC1002', 3],
      ['s-y', 'REC1001', 3],
    ]);
    expect((await s.sentWarnings()).map((w) => [w.sourceId, w.konsultasjonId, w.action])).toEqual([['s-w', 'w', 'sent']]);
    // s-x rejected again by a later run replaces the earlier findings; y accepted under a new record id clears s-y's.
    const y = item('y', { sourceId: 's-y2' });
    await s.commitBatch(
      batch(2, [message('m1', 1, [y])], {
        seen: [
          { sourceId: 's-x', changedAt: '2024-03-02T10:00:00.000Z', rejected: true },
          { sourceId: 's-y2', konsultasjonId: 'y', changedAt: y.changedAt, rejected: false },
          { sourceId: 's-w', konsultasjonId: 'w', changedAt: '2024-03-02T10:00:00.000Z', rejected: false },
        ],
        rejections: [rejection('s-x', 'REC1003')],
      }),
    );
    expect((await s.rejections()).map((r) => [r.sourceId, r.rule])).toEqual([['s-x', 'REC1003']]);
    expect(await s.sentWarnings()).toEqual([]);
    expect(await s.sentWarningsByRule()).toEqual([]);
    expect((await s.runVolumes()).map((r) => [r.run, r.heldBack])).toEqual([]);
  });

  it('runs: started, finished with their summary, counted per run', async () => {
    const s = await fresh();
    const r1 = await s.startRun('backfill');
    await s.commitBatch(batch(r1, [message('m1', 1, [item('a'), item('b')])]));
    await s.finishRun(r1, 'done', 0, { records: 2 });
    expect(await s.lastRun()).toMatchObject({ id: r1, kind: 'backfill', outcome: 'done', exitCode: 0, summary: { records: 2 }, pid: process.pid });
    expect((await s.runVolumes()).map(({ startedAt: _t, ...v }) => v)).toEqual([{ run: r1, kind: 'backfill', accepted: 0, unconfirmed: 2, rejected: 0, heldBack: 0 }]);
    expect((await s.monthlyVolumes()).reduce((n, m) => n + m.unconfirmed, 0)).toBe(2);
    expect((await s.dailyVolumes())[0]?.messages).toEqual({ accepted: 0, rejected: 0, unconfirmed: 1 });
  });

  it('the run lock: one holder at a time, shown with its pid, free again once released', async () => {
    const s = await fresh();
    await s.acquireLock('run');
    await s.heartbeat();
    expect(await s.lockHolder()).toMatchObject({ pid: process.pid });
    const other = await kind.same();
    keep(other);
    await expect(other.acquireLock('backfill')).rejects.toThrow(/holds/);
    expect((await other.lockHolder())?.pid).toBe(process.pid);
    await s.releaseLock();
    expect(await other.lockHolder()).toBeUndefined();
    await other.acquireLock('backfill');
    expect((await s.lockHolder())?.pid).toBe(process.pid);
    await other.releaseLock();
  });

  it('a snapshot is a SQLite store with the same observable state', async () => {
    const s = await fresh();
    await s.commitBatch(batch(1, [message('m1', 1, [item('a')]), message('m2', 2, [item('b')])]));
    await s.markAccepted((await s.message('m1'))?.seq ?? -1, 'r');
    const copy = keep(await snapshotOf(s));
    expect(await observe(copy, ['a', 'b'])).toEqual(await observe(s, ['a', 'b']));
  });
}

describe('store contract: SQLite', () => contract(sqliteKind()));

describePg('store contract: PostgreSQL', () => {
  let server: PgServer | undefined;
  beforeAll(async () => {
    server = await pgForFile();
  });
  afterAll(async () => {
    await server?.stop();
  });
  contract(postgresKind(() => server as PgServer));

  it('a holder that dies (its connection gone) leaves the lock to the next', async () => {
    const kind = postgresKind(() => server as PgServer);
    const dying = await kind.fresh();
    await dying.acquireLock('run');
    // No release: the session ends as a killed process's would.
    await (dying as unknown as { session: { end(): Promise<void> } }).session.end();
    const next = await kind.same();
    await next.acquireLock('run');
    expect((await next.lockHolder())?.pid).toBe(process.pid);
    await next.close();
  });

  it("a server that ends the session is the operator's to see, not a stack trace", async () => {
    const kind = postgresKind(() => server as PgServer);
    const victim = await kind.fresh();
    const admin = await kind.same();
    type WithSession = { session: { client: { query(sql: string): Promise<{ rows: { pid: number }[] }> } } };
    const pid = (await (victim as unknown as WithSession).session.client.query('SELECT pg_backend_pid() AS pid')).rows[0]?.pid;
    await (admin as unknown as WithSession).session.client.query(`SELECT pg_terminate_backend(${pid})`);
    const { UserError } = await import('../../runtime/cli/program.ts');
    const err = await victim.counters().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect(String((err as Error).message)).toMatch(/^the store postgresql:.*\(schema contract_\w+\): .*(SQLSTATE 57P01|connection)/);
    await admin.close();
  });

  it('refuses a schema that is not migrated, saying what to run', async () => {
    const { openAsyncStore } = await import('../../runtime/store/open.ts');
    await expect(openAsyncStore({ kind: 'postgres', url: (server as PgServer).url, schema: 'never_migrated' })).rejects.toThrow(/kpr store migrate --schema/);
  });
});
