// A job on a store its caller opened (JobOptions.store: what a worker does, one store per
// tenant kept open across jobs): the job takes and releases the run lock, writes where its
// caller's store is, and leaves the store open for the next job.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { loadConfig } from '../../runtime/config/load.ts';
import { generateRecords } from '../../runtime/demo-data/generate.ts';
import { initSandboxSetup, writeRecords } from '../../runtime/init/sandbox-setup.ts';
import { runJob } from '../../runtime/jobs/jobs.ts';
import { silentLogger } from '../../runtime/log.ts';
import { openAsyncStore } from '../../runtime/store/open.ts';
import { FakeReceiver, identitySealer, tmp } from './helpers.ts';

it('runs two jobs on one store the caller opened, and leaves it open and unlocked', async () => {
  const setup = await initSandboxSetup({ dir: join(tmp('kpr-borrowed-'), 's'), seed: 'b', children: 3, today: '2026-11-24', port: 0, extract: 'none' });
  const records = [...generateRecords({ children: 3, from: '2026-01-01', to: '2026-11-24', seed: 'b', editRate: 0, deleteRate: 0, badRate: 0 })] as { changedAt: string }[];
  const half = Math.floor(records.length / 2);
  const elsewhere = join(setup.dir, 'elsewhere.db');
  const store = await openAsyncStore({ kind: 'sqlite', path: elsewhere });
  const receiver = new FakeReceiver();
  const job = () => runJob({ config: loadConfig(setup.configFile), store, log: silentLogger, sender: receiver, sealer: identitySealer });
  try {
    await writeRecords(join(setup.epjDir, 'a.ndjson'), records.slice(0, half));
    const first = await job();
    await writeRecords(join(setup.epjDir, 'b.ndjson'), records.slice(half));
    const second = await job();
    expect(first.exitCode).toBe(0);
    expect(second.exitCode).toBe(0);
    expect(first.notifications.N + second.notifications.N).toBe(Object.keys(receiver.state.consultations).length);
    // The state went to the caller's store, not to kpr.yaml's file.
    expect(existsSync(join(setup.dir, 'kpr.db'))).toBe(false);
    expect((await store.countsByState()).accepted).toBe(first.messagesAccepted + second.messagesAccepted);
    expect((await store.lastRun())?.id).toBe(second.runId);
    // Unlocked: another job (or this caller) can take the lock now.
    expect(await store.lockHolder()).toBeUndefined();
    await store.acquireLock('check');
    await store.releaseLock();
  } finally {
    await store.close();
  }
});
