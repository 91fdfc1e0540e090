// Where a configuration's store is, resolved for opening: kpr.yaml's `store:` (or a tenant's,
// set by the tenants file) with its URL's secret read now, not when the file was loaded.
import type { ConfigStore, KprConfig } from '../config/load.ts';
import { readSecret } from '../config/secrets.ts';
import type { AsyncStore } from './async.ts';
import { openAsyncStore, type StoreLocation } from './open.ts';

/** The store's location; a PostgreSQL URL given as a secret is read here. */
export function storeLocation(config: Pick<KprConfig, 'store'>): StoreLocation {
  const s = config.store;
  if (s.kind === 'sqlite') return { kind: 'sqlite', path: s.path };
  return { kind: 'postgres', ...pgTarget(s) };
}

/** A PostgreSQL store's server and schema, its URL's secret read now. */
export function pgTarget(s: Extract<ConfigStore, { kind: 'postgres' }>): { url: string; schema: string } {
  return { url: typeof s.url === 'string' ? s.url : readSecret(s.url), schema: s.schema };
}

/** For messages and `kpr status`: the file, or the server, database and schema (never a password). */
export function describeStore(config: Pick<KprConfig, 'store'>): string {
  const s = config.store;
  if (s.kind === 'sqlite') return s.path;
  if (typeof s.url !== 'string') return `PostgreSQL schema ${s.schema} (URL from ${s.url.env !== undefined ? `$${s.url.env}` : s.url.file})`;
  return `PostgreSQL schema ${s.schema} at ${safeUrl(s.url)}`;
}

/** A URL without its password or query (a socket folder in the query says nothing to an operator). */
function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.username ? `${u.username}@` : ''}${u.host}${u.pathname}`;
  } catch {
    return 'postgresql://…';
  }
}

/** Opens the configuration's store. */
export function openConfigStore(config: Pick<KprConfig, 'store'>): Promise<AsyncStore> {
  return openAsyncStore(storeLocation(config));
}
