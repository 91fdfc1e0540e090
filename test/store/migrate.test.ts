// `kpr store migrate` on a store made by a real sandbox run (`kpr demo`: backfill and a daily
// run through HelseID, CMS and the sandbox receiver, with spoiled records held back and findings
// sent with a warning), then rejected and requeued by an operator: PostgreSQL answers every
// question of the store exactly as SQLite does, its sequences continue after the copied ids,
// a non-empty target is refused unless --replace, and schema migrations are applied once. The
// demo's SLASH store, with a unit stopped and one waiting, moves its per-unit queue as it is.
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openAsyncStore, openStore } from '../../runtime/store/open.ts';
import { runKpr } from '../helpers/cli.ts';
import { describePg, type PgServer } from '../helpers/postgres.ts';
import { batch, item, message, observe, pgForFile } from './contract-stores.ts';

describePg('kpr store migrate', () => {
  let server: PgServer;
  let db: string;
  let keys: string[];
  let slashDb: string;
  beforeAll(async () => {
    server = await pgForFile();
    const dir = mkdtempSync(join(tmpdir(), 'kpr-migrate-'));
    const demo = runKpr(['demo', '--dir', join(dir, 'demo'), '--children', '30', '--days', '1', '--bad-rate', '0.2', '--quiet']);
    expect(demo.code, demo.stderr).toBe(0);
    db = join(dir, 'kpr.db');
    copyFileSync(join(dir, 'demo', 'kpr.db'), db);
    // An operator's morning after: two more messages, the first rejected (the second superseded,
    // its consultations requeued), and the rejected one queued again.
    const s = openStore(db);
    const year = new Date().getFullYear();
    const next = s.lastLopenr(year) + 1;
    s.commitBatch(batch(99, [message('op-1', next, [item('X1'), item('X2')], year), message('op-2', next + 1, [item('X3')], year)]));
    const seq = s.message('op-1')?.seq ?? -1;
    s.markRejected(seq, { validationCode: 1012, validationMessage: 'ukjent avsender', refId: null });
    expect(s.requeueMessage(seq)).toBe(2);
    keys = [
      ...new Set(s.rejections().map((r) => r.sourceId)),
      ...s
        .sentWarnings()
        .slice(0, 20)
        .map((w) => w.konsultasjonId),
      'X1',
      'X2',
      'X3',
    ];
    expect(s.rejections().length).toBeGreaterThan(0);
    expect(s.sentWarnings().length).toBeGreaterThan(0);
    s.close();
    // The demo's SLASH store (FIFO per unit, everything delivered), then an operator's morning
    // after: one unit stopped by a content refusal with a later delivery queued behind it, one
    // waiting for attention after a 5xx with an attempt counted, and items not yet delivered.
    slashDb = join(dir, 'slash.db');
    copyFileSync(join(dir, 'demo', 'slash', 'kpr.db'), slashDb);
    const sl = openStore(slashDb);
    const [u1, u2] = sl.slashUnits().map((u) => u.unit);
    expect([u1, u2].every(Boolean)).toBe(true);
    for (const [n, unit] of [u1, u2, u1].entries()) {
      const id = `late-${n}`;
      const period = `2030-0${n + 1}`;
      const body = JSON.stringify({ period, avtale: [{ avtaleId: id, sted: 'Tromsø' }] });
      sl.commitSlash({
        runId: 99,
        items: [{ unit: unit ?? '', id, month: period, hash: `h${n}`, json: body, changedAt: '2030-01-01T00:00:00Z' }],
        deliveries: [],
        pendingDone: [],
        rejections: [],
      });
      sl.commitSlash({
        runId: 99,
        items: [],
        deliveries: [{ unit: unit ?? '', orgNr: (unit ?? '').split('|')[0] ?? '', period, body, ids: [id], items: 1, deletes: 0 }],
        pendingDone: [{ unit: unit ?? '', id }],
        rejections: [],
      });
    }
    const [q1, q2] = sl.slashQueue();
    if (!q1 || !q2) throw new Error('no SLASH deliveries queued');
    const codes = [{ code: 2008, name: 'Ugyldig verdi', errorDetails: 'avtale[0].oppmoteStatus' }];
    sl.markSlashSending(q1.seq);
    sl.slashAnswered(q1.seq, { outcome: 'refused', msgHash: 'mh-1', correlationId: 'c-1', status: 400, codes, reason: 'innhold', auth: false });
    sl.markSlashSending(q2.seq);
    sl.slashAnswered(q2.seq, { outcome: 'attention', msgHash: 'mh-2', correlationId: null, status: 503, codes: [], reason: 'HTTP 503', auth: false });
    sl.commitSlash({
      runId: 99,
      items: [{ unit: u2 ?? '', id: 'pending-1', month: '2030-04', hash: 'hp', json: '{}', changedAt: '2030-04-01T00:00:00Z' }],
      deliveries: [],
      pendingDone: [],
      rejections: [],
    });
    expect(
      sl
        .slashUnits()
        .filter((u) => u.state !== 'ok')
        .map((u) => u.state)
        .sort(),
    ).toEqual(['attention', 'stopped']);
    sl.close();
  }, 180_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('moves the chain, outbox, rejected records and sent warnings; PostgreSQL answers as SQLite does', async () => {
    const r = runKpr(['store', 'migrate', '--from', db, '--pg-schema', 'unit_0301'], { env: { KPR_PG_URL: server.url } });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ {2}rejection +(\d+) +\1$/m);
    expect(r.stdout).toMatch(/^ {2}sent_warning +(\d+) +\1$/m);
    expect(r.stdout).toMatch(/every count and the chain .* agree/);
    const sqlite = await openAsyncStore({ kind: 'sqlite', path: db });
    const pg = await openAsyncStore({ kind: 'postgres', url: server.url, schema: 'unit_0301' });
    try {
      const want = await observe(sqlite, keys);
      expect(await observe(pg, keys)).toEqual(want);
      expect((want as { rejected: unknown[] }).rejected).toHaveLength(1);
      expect((await pg.rejections()).map((x) => [x.sourceId, x.rule, x.line, x.createdAt])).toEqual(
        (await sqlite.rejections()).map((x) => [x.sourceId, x.rule, x.line, x.createdAt]),
      );
      expect(await pg.sentWarnings()).toEqual(await sqlite.sentWarnings());
      // The next message continues after the copied ones: the sequences moved past them.
      const last = Math.max(...(await sqlite.rejectedMessages()).map((m) => m.seq), ...(await sqlite.unconfirmed()).map((m) => m.seq));
      await pg.commitBatch(batch(100, [message('after', 900, [item('X9')], 2030)]));
      expect((await pg.message('after'))?.seq).toBeGreaterThan(last);
    } finally {
      await sqlite.close();
      await pg.close();
    }
  });

  it("moves SLASH's per-unit queue of a SLASH run: delivered, stopped, waiting units and their exact bytes, answered alike", async () => {
    const r = runKpr(['store', 'migrate', '--from', slashDb, '--pg-schema', 'slash_units'], { env: { KPR_PG_URL: server.url } });
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toMatch(/^ {2}slash_delivery +(\d+) +\1$/m);
    expect(r.stdout).toMatch(/^ {2}slash_item +(\d+) +\1$/m);
    expect(r.stdout).toMatch(/^ {2}slash_unit +([1-9]\d*) +\1$/m);
    const sqlite = await openAsyncStore({ kind: 'sqlite', path: slashDb });
    const pg = await openAsyncStore({ kind: 'postgres', url: server.url, schema: 'slash_units' });
    try {
      expect(await observe(pg, [])).toEqual(await observe(sqlite, []));
      // Beyond the answers: each delivery as kept, its body byte for byte, its seq unchanged.
      const queue = await sqlite.slashQueue();
      expect(queue.map((d) => d.state)).toEqual(['refused', 'queued', 'queued']);
      expect(await pg.slashQueue()).toEqual(queue);
      expect((await sqlite.slashUnits()).find((u) => u.state === 'ok')?.delivered).toBeGreaterThan(0);
      const delivered = (await sqlite.slashUnits()).reduce((n, u) => n + u.delivered, 0);
      for (let seq = 1; seq <= delivered; seq++) expect(await pg.slashDelivery(seq)).toEqual(await sqlite.slashDelivery(seq));
      // Both go on alike: the stopped unit regenerated, the next delivery numbered after the copied ones.
      const stopped = (await sqlite.slashUnits()).find((u) => u.state === 'stopped')?.unit ?? '';
      expect(await pg.resumeSlashUnit(stopped)).toBe(2);
      expect((await pg.slashPending()).filter((i) => i.unit === stopped).map((i) => i.id)).toEqual(['late-0', 'late-2']);
      await pg.commitSlash({
        runId: 100,
        items: [],
        deliveries: [{ unit: stopped, orgNr: '1', period: '2030-01', body: '{}', ids: ['late-0'], items: 1, deletes: 0 }],
        pendingDone: [],
        rejections: [],
      });
      const last = Math.max(...queue.map((d) => d.seq));
      expect((await pg.slashQueue()).at(-1)?.seq).toBeGreaterThan(last);
    } finally {
      await sqlite.close();
      await pg.close();
    }
  });

  it('refuses a target that holds a store unless --replace, which replaces it', () => {
    const env = { KPR_PG_URL: server.url };
    expect(runKpr(['store', 'migrate', '--from', db, '--pg-schema', 'twice'], { env }).code).toBe(0);
    const again = runKpr(['store', 'migrate', '--from', db, '--pg-schema', 'twice'], { env });
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already holds a store .*--replace/);
    expect(again.stderr).not.toMatch(/\n\s+at /);
    expect(runKpr(['store', 'migrate', '--from', db, '--pg-schema', 'twice', '--replace'], { env }).code).toBe(0);
  });

  it("a tenants file names the store: each tenant's schema migrated, a SQLite store moved into one tenant", () => {
    const dir = mkdtempSync(join(tmpdir(), 'kpr-migrate-tenants-'));
    const tenant = (id: string, kommune: string) =>
      `  - { id: ${id}, sender: { herId: 1, orgNr: "974770000", Kommune: [{ kommuneNr: "${kommune}" }], Kontaktperson: [{ kontPerson: K, meldEpost1: k@example.invalid, typeKontaktperson: "1" }, { kontPerson: K, meldEpost1: k@example.invalid, typeKontaktperson: "15" }] } }\n`;
    const file = join(dir, 'tenants.yaml');
    writeFileSync(
      file,
      `store: { kind: postgres, url: { env: KPR_PG_URL } }\ndefaults: { profile: sandbox, epj: { leverandor: T, navnEPJ: T, versjonEPJ: "1" }, message: { spec: hst@56.0.0 }, source: { type: folder, path: epj } }\ntenants:\n${tenant('oslo', '0301')}${tenant('bergen', '4601')}`,
    );
    const env = { KPR_PG_URL: server.url };
    const schema = runKpr(['store', 'migrate', '--schema', '--config', file], { env });
    expect(
      schema.stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => l.replace(/: postgresql:.*\(schema (\w+)\): /, ' $1 ')),
    ).toEqual(['tenant oslo kpr_oslo applied schema versions 1, 2, 3', 'tenant bergen kpr_bergen applied schema versions 1, 2, 3']);
    expect(runKpr(['store', 'migrate', '--from', db, '--config', file], { env }).stderr).toMatch(/give --tenant/);
    const moved = runKpr(['store', 'migrate', '--from', db, '--config', file, '--tenant', 'bergen'], { env });
    expect([moved.code, moved.stderr]).toEqual([0, '']);
    expect(moved.stdout).toMatch(/\(schema kpr_bergen\)/);
    expect(runKpr(['store', 'migrate', '--schema', '--config', file, '--tenant', 'tromso'], { env }).stderr).toMatch(/no tenant tromso in .*tenants\.yaml; known: oslo, bergen/);
  });

  it('applies schema migrations once, and says what is missing without a stack', () => {
    const env = { KPR_PG_URL: server.url };
    expect(runKpr(['store', 'migrate', '--schema', '--pg-schema', 'fresh'], { env }).stdout).toMatch(/applied schema versions 1, 2, 3\n/);
    expect(runKpr(['store', 'migrate', '--schema', '--pg-schema', 'fresh'], { env }).stdout).toMatch(/schema up to date \(version 3\)/);
    const missing = runKpr(['store', 'migrate', '--from', '/nonexistent/kpr.db'], { env });
    expect([missing.code, missing.stderr.trim()]).toEqual([2, 'kpr: /nonexistent/kpr.db: no such SQLite store']);
    const noTarget = runKpr(['store', 'migrate', '--schema'], { env: { KPR_PG_URL: '' } });
    expect(noTarget.code).toBe(2);
    const badSchema = runKpr(['store', 'migrate', '--schema', '--pg-schema', 'Robert"; DROP'], { env });
    expect([badSchema.code, badSchema.stderr]).toEqual([2, expect.stringMatching(/store schema "Robert"; DROP": use lower-case/)]);
  });
});
