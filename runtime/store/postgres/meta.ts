// The key/value table `meta` of a PostgreSQL store: the chain's head and counters.
import type { PgSession } from './connect.ts';

export class PgMeta {
  constructor(private readonly s: PgSession) {}

  async get(key: string): Promise<string | undefined> {
    return (await this.s.one<{ value: string }>('SELECT value FROM meta WHERE key = $1', [key]))?.value;
  }

  async set(key: string, value: string): Promise<void> {
    await this.s.run('INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [key, value]);
  }
}
