// The tenants file's `workers` section, with its defaults: where the queue lives (its own
// database, or the tenants' PostgreSQL store), the lease, attempts, backfill slices and how
// many requests each receiver takes at once from all workers together.
import { dirname, resolve } from 'node:path';
import { UserError } from '../cli/program.ts';
import { readSecret, type SecretRef } from '../config/secrets.ts';
import { describeTarget } from '../store/postgres/connect.ts';
import { pgTarget } from '../store/location.ts';
import type { TenantsConfig } from '../tenants/load.ts';

export interface WorkerSettings {
  url: string;
  schema: string;
  /** Where, for messages: the URL without a password, and the schema. */
  where: string;
  leaseMs: number;
  maxAttempts: number;
  backfillSlice: 'year' | 'month';
  maxInFlight: number;
}

export const DEFAULT_CONTROL_SCHEMA = 'kpr_control';

/** "30s", "500ms", "2m" as milliseconds. */
export function durationMs(text: string, what: string): number {
  const m = /^(\d+)(ms|s|m)$/.exec(text.trim());
  if (!m) throw new UserError(`${what}: expected a duration such as 30s, 500ms or 2m, got "${text}"`);
  return Number(m[1]) * (m[2] === 'ms' ? 1 : m[2] === 's' ? 1000 : 60_000);
}

interface Section {
  queue?: { url?: string | { file?: string; env?: string }; schema?: string };
  lease?: string;
  maxAttempts?: number;
  backfillSlice?: 'year' | 'month';
  maxInFlight?: number;
}

export function workerSettings(cfg: TenantsConfig, overrides: { lease?: string } = {}): WorkerSettings {
  const w = (cfg.workers ?? {}) as Section;
  const dir = dirname(cfg.file);
  let url: string | undefined;
  const given = w.queue?.url;
  if (typeof given === 'string') url = given;
  else if (given)
    url = readSecret((given.file !== undefined ? { file: resolve(dir, given.file), where: 'workers.queue.url' } : { env: given.env, where: 'workers.queue.url' }) as SecretRef);
  else {
    const store = cfg.tenants[0]?.store;
    if (store?.kind === 'postgres') url = pgTarget(store).url;
  }
  if (!url) throw new UserError(`${cfg.file}: the tenants' store is SQLite, so the work queue needs a PostgreSQL database of its own: set workers.queue.url`);
  const schema = w.queue?.schema ?? DEFAULT_CONTROL_SCHEMA;
  return {
    url,
    schema,
    where: describeTarget({ url, schema }),
    leaseMs: durationMs(overrides.lease ?? w.lease ?? '30s', overrides.lease ? '--lease' : 'workers.lease'),
    maxAttempts: w.maxAttempts ?? 5,
    backfillSlice: w.backfillSlice ?? 'year',
    maxInFlight: w.maxInFlight ?? 4,
  };
}
