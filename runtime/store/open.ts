// The one place that picks the store's implementation: the runtime holds an `AsyncStore`
// (location.ts opens the one a configuration names); `Store` is SQLite's own, synchronous face.
import { type AsyncStore, asyncStore } from './async.ts';
import { SqliteStore } from './sqlite.ts';
import type { FoldOptions } from './sqlite/fold.ts';
import type { Store } from './types.ts';

export type { FoldOptions };

/** Opens (creating if new) the store at `path`. */
export function openStore(path: string, opts: FoldOptions = {}): Store {
  return new SqliteStore(path, opts);
}

/** Where a store is: an embedded SQLite file, or a schema on a PostgreSQL server. */
export type StoreLocation = { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string; schema?: string };

/**
 * Opens a store behind AsyncStore, SQLite or PostgreSQL. PostgreSQL's schema must be migrated
 * first (`kpr store migrate --schema`), unless `migrate` says to apply what is pending.
 */
export async function openAsyncStore(where: StoreLocation, opts: { migrate?: boolean; filterAfter?: number } = {}): Promise<AsyncStore> {
  if (where.kind === 'sqlite') return asyncStore(openStore(where.path));
  const { PgStore } = await import('./postgres.ts');
  return PgStore.open({ url: where.url, schema: where.schema }, opts);
}
