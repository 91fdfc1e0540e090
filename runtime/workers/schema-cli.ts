// The work queue's migrations as `kpr queue migrate` applies them: in the queue's database
// (workers.queue.url, or the tenants' PostgreSQL store).
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
