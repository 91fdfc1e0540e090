// A throwaway PostgreSQL for the tests: a cluster of its own (initdb into a temporary folder,
// trust authentication, listening on a Unix socket in that folder only, so no port is taken and
// nothing outside the machine can reach it), stopped and removed after. KPR_PG_URL uses an
// existing server instead (each test still gets a database of its own).
//
// Without the binaries the tests skip (test/helpers/postgres-setup.ts says so in one line);
// with CI set they fail instead, since .ci/run installs PostgreSQL.
import pg from 'pg';
import { findPgBin, startCluster } from '../../runtime/demo/postgres.ts';

export { findPgBin };
import { describe } from 'vitest';
import { inCi } from './reference-locate.ts';

export const PG_HINT = 'no PostgreSQL: install it (Debian: apt-get install postgresql-15) or set KPR_PG_URL to a server the tests may create databases on';

/** KPR_PG_URL, unless unset or empty. */
export function existingServer(): string | undefined {
  return process.env.KPR_PG_URL || undefined;
}

const AVAILABLE = existingServer() !== undefined || findPgBin() !== undefined;

/** describe() for tests that need PostgreSQL: skipped without it, failing in CI (which installs it). */
export const describePg = describe.skipIf(!AVAILABLE && !inCi());

export interface PgServer {
  /** A URL of a fresh, empty database of this server. */
  url: string;
  /** Another fresh, empty database on the same server. */
  newDatabase(): Promise<string>;
  stop(): Promise<void>;
}

let databases = 0;

/** Starts a throwaway cluster (or uses KPR_PG_URL's server) and gives a fresh database on it. */
export async function startPg(): Promise<PgServer> {
  const existing = existingServer();
  if (existing !== undefined) return onServer(existing, true, async () => {});
  const bin = findPgBin();
  if (bin === undefined) throw new Error(PG_HINT);
  const cluster = startCluster(bin, { prefix: 'kpr-pg-', settings: ['full_page_writes=off'], stopMode: 'immediate' });
  return onServer(cluster.url, false, async () => cluster.stop());
}

async function onServer(adminUrl: string, shared: boolean, stop: () => Promise<void>): Promise<PgServer> {
  const created: string[] = [];
  const newDatabase = async () => {
    const name = `kpr_test_${process.pid}_${++databases}_${Date.now().toString(36)}`;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE ${name}`);
    } finally {
      await admin.end();
    }
    created.push(name);
    return withDatabase(adminUrl, name);
  };
  const url = await newDatabase();
  return {
    url,
    newDatabase,
    async stop() {
      // A server of someone else's keeps running: leave it as it was found.
      if (shared) {
        const admin = new pg.Client({ connectionString: adminUrl });
        await admin.connect();
        try {
          for (const name of created) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        } finally {
          await admin.end();
        }
      }
      await stop();
    },
  };
}

/** `url` with its database replaced by `name` (the query, such as a socket's host, kept). */
function withDatabase(url: string, name: string): string {
  const m = /^(postgres(?:ql)?:\/\/[^/?]*)(?:\/[^?]*)?(\?.*)?$/.exec(url);
  if (!m) throw new Error('KPR_PG_URL: expected postgresql://user@host[:port]/database');
  return `${m[1]}/${name}${m[2] ?? ''}`;
}
