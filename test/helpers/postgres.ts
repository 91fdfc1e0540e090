// A throwaway PostgreSQL for the tests: a cluster of its own (initdb into a temporary folder,
// trust authentication, listening on a Unix socket in that folder only, so no port is taken and
// nothing outside the machine can reach it), stopped and removed after. KPR_PG_URL uses an
// existing server instead (each test still gets a database of its own).
//
// Without the binaries the tests skip (test/helpers/postgres-setup.ts says so in one line);
// with CI set they fail instead, since .ci/run installs PostgreSQL.
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describe } from 'vitest';
import { inCi } from './reference-locate.ts';

/** The newest PostgreSQL's bin folder (Debian: /usr/lib/postgresql/<major>/bin), or undefined. */
export function findPgBin(root = '/usr/lib/postgresql'): string | undefined {
  if (!existsSync(root)) return undefined;
  const majors = readdirSync(root)
    .filter((d) => /^\d+$/.test(d) && existsSync(join(root, d, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return majors[0] === undefined ? undefined : join(root, majors[0], 'bin');
}

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
  const dir = mkdtempSync(join(tmpdir(), 'kpr-pg-'));
  // initdb refuses to run as root: the cluster then belongs to the postgres user.
  const asRoot = userInfo().uid === 0;
  const run = (cmd: string, args: string[]) => {
    const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args]] : [join(bin, cmd), args];
    execFileSync(file, argv, { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir });
  };
  if (asRoot) chownSync(dir, userId('postgres'), groupId('postgres'));
  const data = join(dir, 'data');
  run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C']);
  // No TCP at all: the socket in our folder is the only way in. fsync off: a test cluster.
  run('pg_ctl', ['-D', data, '-l', join(dir, 'log'), '-w', '-o', `-c listen_addresses= -k ${dir} -c fsync=off -c full_page_writes=off`, 'start']);
  const url = `postgresql://postgres@/postgres?host=${encodeURIComponent(dir)}`;
  return onServer(url, false, async () => {
    try {
      run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
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

function userId(name: string): number {
  return Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
}

function groupId(name: string): number {
  return Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim());
}
