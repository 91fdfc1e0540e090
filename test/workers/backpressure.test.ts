// Backpressure across real `kpr worker` processes: the KPR API's requests go through a proxy
// in front of the sandbox that counts them as the receiver sees them. With workers.maxInFlight 2
// and three workers on three tenants, never more than two requests are in flight at once; and
// when the receiver answers one request 429 with Retry-After, no worker sends it anything until
// the wait is over (the pause row in the queue's database), not only the worker that was told.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describePg, type PgServer, startPg } from '../helpers/postgres.ts';
import { type Counter, countingProxy, FROM, kpr, makeVendor, startTrial, TODAY, type Vendor } from './fixture.ts';

describePg('backpressure per receiver across workers', () => {
  let server: PgServer;
  let vendor: Vendor;
  beforeAll(async () => {
    server = await startPg();
    vendor = await makeVendor(3, 15);
  });
  afterAll(async () => {
    await server?.stop();
    if (vendor) rmSync(vendor.dir, { recursive: true, force: true });
  });

  it('keeps at most maxInFlight requests at the receiver, and a 429 pauses every worker', async () => {
    let proxy: Counter | undefined;
    const RETRY_AFTER_S = 2;
    const trial = await startTrial(vendor, 'gate', await server.newDatabase(), { lease: '10s', maxInFlight: 2 }, async (sandboxUrl) => {
      proxy = await countingProxy(sandboxUrl, 12, RETRY_AFTER_S);
      return proxy.url;
    });
    try {
      const migrated = await kpr(['queue', 'migrate', '--config', trial.tenantsFile]);
      expect(migrated.code, migrated.stderr).toBe(0);
      expect((await kpr(['enqueue', 'backfill', '--config', trial.tenantsFile, '--from', FROM, '--to', TODAY])).code).toBe(0);
      const workers = await Promise.all(['a', 'b', 'c'].map((id) => kpr(['worker', '--config', trial.tenantsFile, '--id', id, '--drain'])));
      for (const w of workers) expect(w.code, w.stderr).toBe(0);
      const p = proxy as Counter;
      expect(p.arrivals.length).toBeGreaterThanOrEqual(15);
      // Three workers did overlap (two at once), and never more than the two slots.
      expect(p.max).toBe(2);
      // The 429: whoever got it wrote the pause; nothing reached the receiver during it (a margin
      // at each end for the request the proxy was already given and the pause row's write).
      const at = p.pausedAt as number;
      const during = p.arrivals.filter((t) => t > at + 300 && t < at + RETRY_AFTER_S * 1000 - 200);
      expect(during).toEqual([]);
      expect(p.arrivals.some((t) => t >= at + RETRY_AFTER_S * 1000 - 200)).toBe(true);
      expect(workers.map((w) => w.stderr).join('')).toMatch(/answered 429: every worker pauses it for 2000 ms/);
      // Every tenant's backfill was delivered all the same.
      expect(Object.keys(trial.sandbox.state().senders)).toHaveLength(3);
    } finally {
      proxy?.close();
      await trial.sandbox.close();
    }
  }, 180_000);
});
