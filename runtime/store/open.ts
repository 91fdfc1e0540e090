// The one place that picks the Store's implementation: everything else holds a `Store`.
import { SqliteStore } from './sqlite.ts';
import type { FoldOptions } from './sqlite/fold.ts';
import type { Store } from './types.ts';

export type { FoldOptions };

/** Opens (creating if new) the store at `path`. */
export function openStore(path: string, opts: FoldOptions = {}): Store {
  return new SqliteStore(path, opts);
}
