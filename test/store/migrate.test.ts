// `kpr store migrate` on a store made by a real sandbox run (`kpr demo`: backfill and a daily
// run through HelseID, CMS and the sandbox receiver, with spoiled records held back and findings
// sent with a warning), then rejected and requeued by an operator: PostgreSQL answers every
// question of the store exactly as SQLite does, its sequences continue after the copied ids,
// a non-empty target is refused unless --replace, and schema migrations are applied once.
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
    ).toEqual(['tenant oslo kpr_oslo applied schema versions 1, 2', 'tenant bergen kpr_bergen applied schema versions 1, 2']);
    expect(runKpr(['store', 'migrate', '--from', db, '--config', file], { env }).stderr).toMatch(/give --tenant/);
    const moved = runKpr(['store', 'migrate', '--from', db, '--config', file, '--tenant', 'bergen'], { env });
    expect([moved.code, moved.stderr]).toEqual([0, '']);
    expect(moved.stdout).toMatch(/\(schema kpr_bergen\)/);
    expect(runKpr(['store', 'migrate', '--schema', '--config', file, '--tenant', 'tromso'], { env }).stderr).toMatch(/no tenant tromso; known: oslo, bergen/);
  });

  it('applies schema migrations once, and says what is missing without a stack', () => {
    const env = { KPR_PG_URL: server.url };
    expect(runKpr(['store', 'migrate', '--schema', '--pg-schema', 'fresh'], { env }).stdout).toMatch(/applied schema versions 1, 2\n/);
    expect(runKpr(['store', 'migrate', '--schema', '--pg-schema', 'fresh'], { env }).stdout).toMatch(/schema up to date \(version 2\)/);
    const missing = runKpr(['store', 'migrate', '--from', '/nonexistent/kpr.db'], { env });
    expect([missing.code, missing.stderr.trim()]).toEqual([2, 'kpr: /nonexistent/kpr.db: no such SQLite store']);
    const noTarget = runKpr(['store', 'migrate', '--schema'], { env: { KPR_PG_URL: '' } });
    expect(noTarget.code).toBe(2);
    const badSchema = runKpr(['store', 'migrate', '--schema', '--pg-schema', 'Robert"; DROP'], { env });
    expect([badSchema.code, badSchema.stderr]).toEqual([2, expect.stringMatching(/store schema "Robert"; DROP": use lower-case/)]);
  });
});
