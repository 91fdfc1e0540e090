// Real `kpr worker` processes draining a PostgreSQL work queue for three tenants (SQLite
// stores) into the sandbox: killed with SIGKILL in the middle of items at seeded moments, the
// receiver must end up holding exactly what one uninterrupted worker leaves, per tenant: every
// consultation in the same version, the same number of notifications per sender (none reported
// twice, none missing; the sandbox refuses a chain with a gap).
import { rmSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { prng } from '../helpers/prng.ts';
import { describePg, type PgServer, startPg } from '../helpers/postgres.ts';
import { FROM, holdings, kpr, makeVendor, startTrial, TODAY, type Vendor } from './fixture.ts';

// Two trials in the suite (the twenty-tenant test in test/reliability/ kills workers too); more with
// KPR_WORKER_TRIALS, or 8 with KPR_RELIABILITY=long as the other reliability tests.
const TRIALS = Number(process.env.KPR_WORKER_TRIALS ?? (process.env.KPR_RELIABILITY === 'long' ? 8 : 2));

describePg('kpr worker against the sandbox, with kill -9', () => {
  let server: PgServer;
  let vendor: Vendor;
  const urls = new Map<string, string>();
  /** Items a worker took over after another's lease ran out. */
  async function handedOn(name: string): Promise<number> {
    const c = new pg.Client({ connectionString: urls.get(name) });
    await c.connect();
    try {
      return Number((await c.query('SELECT count(*) AS n FROM kpr_control.work_item WHERE attempts > 1')).rows[0].n);
    } finally {
      await c.end();
    }
  }
  beforeAll(async () => {
    server = await startPg();
    vendor = await makeVendor(3, 15);
  });
  afterAll(async () => {
    await server?.stop();
    if (vendor) rmSync(vendor.dir, { recursive: true, force: true });
  });

  async function prepared(name: string) {
    const url = await server.newDatabase();
    urls.set(name, url);
    const trial = await startTrial(vendor, name, url, { lease: '5s', maxInFlight: 2 });
    const migrate = await kpr(['queue', 'migrate', '--config', trial.tenantsFile]);
    expect(migrate.code, migrate.stderr).toBe(0);
    const backfill = await kpr(['enqueue', 'backfill', '--config', trial.tenantsFile, '--from', FROM, '--to', TODAY]);
    expect(backfill.code, backfill.stderr).toBe(0);
    expect(backfill.stdout).toMatch(/tenant t0: backfill 2024-01-01\.\.2026-11-24 queued as 3 item\(s\)/);
    const run = await kpr(['enqueue', 'run', '--config', trial.tenantsFile]);
    expect(run.code, run.stderr).toBe(0);
    return trial;
  }

  it(`leaves the receiver as one uninterrupted worker does, after ${TRIALS} trials of kill -9 mid-item`, async () => {
    const reference = await prepared('reference');
    const alone = await kpr(['worker', '--config', reference.tenantsFile, '--id', 'alone', '--drain']);
    expect(alone.code, alone.stderr).toBe(0);
    // The jobs' own log lines say whose they are.
    expect(alone.stderr).toMatch(/"tenant":"t2","item":\d+/);
    const expected = holdings(reference.sandbox);
    await reference.sandbox.close();
    expect(Object.keys(expected.notifications)).toHaveLength(3);
    expect(Object.keys(expected.consultations).length).toBeGreaterThan(30);

    const rnd = prng(20261202);
    let takenOver = 0;
    for (let n = 0; n < TRIALS; n++) {
      const trial = await prepared(`trial-${n}`);
      // Two workers; one is killed once it has claimed its k-th item and logged a few messages after.
      const k = 1 + Math.floor(rnd() * 3);
      const after = Math.floor(rnd() * 400);
      let killedAt = '';
      const victim = kpr(['worker', '--config', trial.tenantsFile, '--id', 'victim', '--drain', '--lease', '5s'], (text, child) => {
        const claims = text.match(/worker victim: tenant \S+ item #\d+ \S+[^\n]*: claimed/g) ?? [];
        if (!killedAt && claims.length >= k) {
          killedAt = claims[claims.length - 1] ?? '';
          setTimeout(() => child.kill('SIGKILL'), after);
        }
      });
      const other = kpr(['worker', '--config', trial.tenantsFile, '--id', 'other', '--drain', '--lease', '5s']);
      const [v, o] = await Promise.all([victim, other]);
      expect(killedAt, `trial ${n}: the victim claimed ${k} item(s)`).not.toBe('');
      expect(v.signal, `trial ${n}: the victim was killed mid-item`).toBe('SIGKILL');
      expect(o.code, o.stderr).toBe(0);
      // What the victim held may have been handed on to "other" already; a last worker drains the rest.
      const last = await kpr(['worker', '--config', trial.tenantsFile, '--id', 'last', '--drain', '--lease', '5s']);
      expect(last.code, last.stderr).toBe(0);
      const list = await kpr(['queue', '--config', trial.tenantsFile, '--format', 'json']);
      const items = (JSON.parse(list.stdout) as { items: { state: string }[] }).items;
      expect(items, `trial ${n}`).toEqual([]);
      expect(holdings(trial.sandbox), `trial ${n} (victim ${v.signal ?? v.code}, killed ${after} ms after ${killedAt})`).toEqual(expected);
      await trial.sandbox.close();
      takenOver += await handedOn(`trial-${n}`);
    }
    // The kills landed while the victim held an item: another worker took it over on lease expiry.
    expect(takenOver).toBeGreaterThanOrEqual(TRIALS);
  }, 300_000);
});
