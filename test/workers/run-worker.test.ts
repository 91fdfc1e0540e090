// The worker's loop on a real PostgreSQL queue, with the job replaced (the real one is judged
// against the sandbox in worker.test.ts): the outcome of each item is recorded as the job ends
// (done, attention for an exit 2, queued again after a throw, failed after the last attempt),
// SIGTERM lets the item under way finish, and --drain's exit code says whether anyone must look.
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { EXIT } from '../../runtime/cli/program.ts';
import type { KprConfig } from '../../runtime/config/load.ts';
import type { TenantsConfig } from '../../runtime/tenants/load.ts';
import { WorkQueue } from '../../runtime/workers/queue.ts';
import { migrateControl } from '../../runtime/workers/schema.ts';
import type { WorkerSettings } from '../../runtime/workers/settings.ts';
import { type Execute, runWorker } from '../../runtime/workers/worker.ts';
import { describePg, type PgServer, startPg } from '../helpers/postgres.ts';

const tenants = (ids: string[]): TenantsConfig => ({
  file: '/vendor/tenants.yaml',
  tenants: ids.map((id) => ({ id, config: {} as KprConfig, store: { kind: 'sqlite', path: `/vendor/state/${id}.db` } })),
});

describePg('the worker loop', () => {
  let server: PgServer;
  beforeAll(async () => {
    server = await startPg();
  });
  afterAll(async () => {
    await server?.stop();
  });

  async function setup(): Promise<{ settings: WorkerSettings; queue: WorkQueue }> {
    const url = await server.newDatabase();
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    await migrateControl(c, 'kpr_control');
    await c.end();
    const settings: WorkerSettings = { url, schema: 'kpr_control', where: 'test', leaseMs: 5000, maxAttempts: 2, backfillSlice: 'year', maxInFlight: 2 };
    return { settings, queue: await WorkQueue.open(url, 'kpr_control') };
  }

  it('records each outcome and exits 2 from --drain when an item needs attention or failed', async () => {
    const { settings, queue } = await setup();
    await queue.enqueueRun('ok', 2);
    await queue.enqueueRun('stopped', 2);
    await queue.enqueueRun('broken', 2);
    await queue.enqueueRun('gone', 2);
    const lines: string[] = [];
    const execute: Execute = async (item) => {
      if (item.tenant === 'broken') throw new Error('the receiver is down');
      if (item.tenant === 'stopped') return { state: 'attention', summary: { exitCode: 2 }, note: 'stopped at M-1: rejected' };
      return { state: 'done', summary: { accepted: 4 } };
    };
    const r = await runWorker({
      tenants: tenants(['ok', 'stopped', 'broken']),
      settings,
      id: 'w1',
      drain: true,
      execute,
      log: (l) => lines.push(l),
      pollMs: 20,
      retryDelayMs: () => 0,
    });
    expect(r.exitCode).toBe(EXIT.failed);
    const byTenant = Object.fromEntries((await queue.items()).map((i) => [i.tenant, i]));
    expect(byTenant.ok).toMatchObject({ state: 'done', attempts: 1, summary: { accepted: 4 } });
    expect(byTenant.stopped).toMatchObject({ state: 'attention', lastError: 'stopped at M-1: rejected' });
    expect(byTenant.broken).toMatchObject({ state: 'failed', attempts: 2, lastError: 'the receiver is down' });
    expect(byTenant.gone).toMatchObject({ state: 'attention', lastError: 'tenant gone is not in /vendor/tenants.yaml' });
    expect(lines).toContain('worker w1: tenant broken item #3 run: failed, retried later: the receiver is down');
    expect(lines).toContain('worker w1: tenant broken item #3 run: failed for good: the receiver is down');
    await queue.close();
  });

  it('finishes the item under way when told to stop, then exits without claiming another', async () => {
    const { settings, queue } = await setup();
    await queue.enqueueRun('a');
    await queue.enqueueRun('b');
    const stop = new AbortController();
    const execute: Execute = async () => {
      stop.abort();
      await new Promise((r) => setTimeout(r, 200));
      return { state: 'done', summary: null };
    };
    const r = await runWorker({ tenants: tenants(['a', 'b']), settings, id: 'w1', signal: stop.signal, execute, log: () => {}, pollMs: 20 });
    expect(r).toEqual({ exitCode: EXIT.ok, processed: 1 });
    expect((await queue.items()).map((i) => i.state)).toEqual(['done', 'queued']);
    await queue.close();
  });
});
