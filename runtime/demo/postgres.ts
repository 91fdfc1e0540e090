// A throwaway PostgreSQL for `kpr demo --tenants` and the tests (test/helpers/postgres.ts):
// initdb into a temporary folder, trust authentication, listening on a Unix socket in that
// folder only (no TCP port, nothing outside the machine can reach it), fsync off (nothing in it
// outlives it); stopped and removed after.
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

/** The newest PostgreSQL's bin folder (Debian: /usr/lib/postgresql/<major>/bin), or undefined. */
export function findPgBin(root = '/usr/lib/postgresql'): string | undefined {
  if (!existsSync(root)) return undefined;
  const majors = readdirSync(root)
    .filter((d) => /^\d+$/.test(d) && existsSync(join(root, d, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return majors[0] === undefined ? undefined : join(root, majors[0], 'bin');
}

export interface Cluster {
  /** The cluster's `postgres` database over its socket. */
  url: string;
  stop(): void;
}

export interface ClusterOptions {
  /** The temporary folder's name starts so (its socket's path must stay short: about 100 bytes). */
  prefix?: string;
  /** More server settings (`-c name=value`), e.g. full_page_writes=off for tests. */
  settings?: string[];
  /** How `stop` shuts the server down: `fast` (a demo) or `immediate` (a test's, about to be removed). */
  stopMode?: 'fast' | 'immediate';
}

/** Starts a cluster of its own with the binaries in `bin`. */
export function startCluster(bin: string, opts: ClusterOptions = {}): Cluster {
  const dir = mkdtempSync(join(tmpdir(), opts.prefix ?? 'kpr-demo-pg-'));
  // initdb refuses to run as root: the cluster then belongs to the postgres user.
  const asRoot = userInfo().uid === 0;
  const run = (cmd: string, args: string[]) => {
    const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args]] : [join(bin, cmd), args];
    execFileSync(file, argv, { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir });
  };
  const data = join(dir, 'data');
  try {
    if (asRoot) {
      const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
      chownSync(dir, id('-u'), id('-g'));
    }
    run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C']);
    const settings = ['fsync=off', ...(opts.settings ?? [])].map((c) => `-c ${c}`).join(' ');
    run('pg_ctl', ['-D', data, '-l', join(dir, 'log'), '-w', '-o', `-c listen_addresses= -k ${dir} ${settings}`, 'start']);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`could not start a PostgreSQL cluster with ${bin}: ${(err as { stderr?: Buffer }).stderr?.toString().trim() || (err as Error).message}`);
  }
  return {
    url: `postgresql://postgres@/postgres?host=${encodeURIComponent(dir)}`,
    stop() {
      try {
        run('pg_ctl', ['-D', data, '-m', opts.stopMode ?? 'fast', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
