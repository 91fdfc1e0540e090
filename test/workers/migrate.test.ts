// The queue's control schema, created by `kpr queue migrate` in the tenants' PostgreSQL store
// (no workers.queue.url of its own); then `kpr enqueue` and `kpr queue` work on it.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.ts';
import { describePg, type PgServer, startPg } from '../helpers/postgres.ts';
import { kpr } from './fixture.ts';

describePg('the queue migrations from the command line', () => {
  let server: PgServer;
  beforeAll(async () => {
    server = await startPg();
  });
  afterAll(async () => {
    await server?.stop();
  });

  function tenantsOn(url: string): string {
    const dir = mkdtempSync(join(tmpdir(), 'kpr-workers-migrate-'));
    cpSync(join(REPO_ROOT, 'examples/tenants'), dir, { recursive: true });
    const file = join(dir, 'tenants.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('url: postgresql://kpr@db.example/kpr', `url: "${url}"`));
    return file;
  }

  it('kpr queue migrate makes the queue once; kpr enqueue and kpr queue work on it', async () => {
    const file = tenantsOn(await server.newDatabase());
    const before = await kpr(['enqueue', 'run', '--config', file]);
    expect(before.code).toBe(2);
    expect(before.stderr).toMatch(/schema version 0, this kpr-kit needs 1: run kpr queue migrate/);
    const first = await kpr(['queue', 'migrate', '--config', file]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/work queue .*\(schema kpr_control\): applied control schema version\(s\) 1/);
    const again = await kpr(['queue', 'migrate', '--config', file]);
    expect(again.stdout).toMatch(/work queue .*: up to date \(version 1\)/);
    const enq = await kpr(['enqueue', 'run', '--config', file]);
    expect(enq.stdout).toBe('tenant oslo: run queued as item #1\ntenant bergen: run queued as item #2\n');
    expect((await kpr(['enqueue', 'run', '--config', file, '--tenant', 'oslo'])).stdout).toBe('tenant oslo: a run is already queued\n');
    const list = await kpr(['queue', '--config', file]);
    expect(list.stdout).toMatch(/ {2}oslo {2}queued 1 {2}running - {2}done 0/);
    expect(list.stdout).toMatch(/#2 bergen run: queued, attempt 0\/5 not before /);
  });

  it('a worker whose queue connection is cut exits 2 with one line naming the queue, no stack', async () => {
    const url = await server.newDatabase();
    const file = tenantsOn(url);
    expect((await kpr(['queue', 'migrate', '--config', file])).code).toBe(0);
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      // No items: the worker polls the queue until its connection is cut under it.
      const worker = kpr(['worker', '--config', file, '--id', 'cut']);
      let cut = 0;
      for (let i = 0; i < 100 && cut === 0; i++) {
        await new Promise((r) => setTimeout(r, 100));
        const r = await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'kpr worker queue'");
        cut = r.rowCount ?? 0;
      }
      expect(cut).toBe(1);
      const ended = await worker;
      expect(ended.code).toBe(2);
      expect(ended.stderr).toMatch(/worker cut: the work queue at postgresql:\/\/.*\(schema kpr_control\): /);
      expect(ended.stderr).not.toMatch(/\n\s+at /);
    } finally {
      await admin.end();
    }
  });
});
