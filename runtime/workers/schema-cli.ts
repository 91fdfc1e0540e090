// The work queue's migrations as `kpr queue migrate` and `kpr store migrate --schema --config`
// apply them: in the queue's database (workers.queue.url, or the tenants' PostgreSQL store).
import pg from 'pg';
import { loadTenants } from '../tenants/load.ts';
import { CONTROL_LATEST, migrateControl } from './schema.ts';
import { workerSettings } from './settings.ts';

/** Applies the queue's pending migrations; the line to print. */
export async function migrateQueue(configFile: string): Promise<string> {
  const s = workerSettings(loadTenants(configFile));
  const client = new pg.Client({ connectionString: s.url });
  await client.connect();
  try {
    const applied = await migrateControl(client, s.schema);
    return applied.length ? `work queue ${s.where}: applied control schema version(s) ${applied.join(', ')}` : `work queue ${s.where}: up to date (version ${CONTROL_LATEST})`;
  } finally {
    await client.end();
  }
}

/**
 * For `kpr store migrate --schema --config`: the queue as well when it lives in the tenants'
 * PostgreSQL store (no workers.queue.url of its own); a queue elsewhere is `kpr queue migrate`'s.
 */
export async function migrateQueueOf(configFile: string): Promise<string | undefined> {
  const cfg = loadTenants(configFile);
  const own = (cfg.workers as { queue?: { url?: unknown } } | undefined)?.queue?.url;
  if (own !== undefined || cfg.tenants[0]?.store.kind !== 'postgres') return undefined;
  return migrateQueue(configFile);
}
