// Benchmark: a vendor's twenty tenants drained by `kpr worker` processes (issue 17, section 4).
// `kpr init --profile sandbox --tenants 20`'s setup (SLASH, the demo appointment books, 30
// children per tenant from 2017 by default), each tenant's backfill enqueued as a work item per
// year, drained by 1, 2 and 4 workers with PostgreSQL tenant stores, and by one worker with
// SQLite tenant stores (the queue still in PostgreSQL), all in one run, each into a fresh
// `kpr sandbox` process without faults (it accepts every delivery) on a copy of the same data
// folder. Figures: deliveries/s (as the receiver counts them) and records/s, each as a ratio
// against the one-worker PostgreSQL run of the same run (the baseline), and the peak RSS of each
// worker (VmHWM from /proc/PID/status, sampled until it exits). Wall time runs from the workers'
// start (their start-up included) until the last exits with --drain.
//
// Also, for docs/workers.md's sizing: the size of one tenant's PostgreSQL schema after its
// backfill (pg_total_relation_size of its tables, indexes and TOAST included) per record, and
// a daily run of every tenant with nothing new (the fixed cost per tenant and day).
//
// The receiver runs on the same two cores as the workers and PostgreSQL; the machine is shared
// with other sessions, so absolute figures move from run to run; compare the ratios.
//
//   node bin/run-ts.mjs bench/run.ts workers
//   KPR_BENCH_CHILDREN=60 node bin/run-ts.mjs bench/run.ts workers
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { initTenantsSetup, type TenantsSetup } from '../runtime/init/tenants-setup.ts';
import { findPgBin, type PgServer, startPg } from '../test/helpers/postgres.ts';
import { round } from './_util.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TENANTS = 20;
const CHILDREN = Number(process.env.KPR_BENCH_CHILDREN ?? 30);
const TODAY = '2026-11-24';
const FROM = '2017-01-01';

interface Ran {
  code: number | null;
  stderr: string;
  stdout: string;
}

function kpr(args: string[], env: NodeJS.ProcessEnv, onStart?: (child: ChildProcess) => void): Promise<Ran> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin/kpr.mjs'), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (b: Buffer) => {
      stdout += b.toString();
    });
    child.stderr!.on('data', (b: Buffer) => {
      stderr += b.toString();
    });
    child.on('exit', (code) => done({ code, stdout, stderr }));
    onStart?.(child);
  });
}

async function ok(args: string[], env: NodeJS.ProcessEnv): Promise<Ran> {
  const r = await kpr(args, env);
  if (r.code !== 0) throw new Error(`kpr ${args.join(' ')} exited ${r.code}: ${r.stderr.slice(-1500)}`);
  return r;
}

/** Peak resident set of a living process in MB (VmHWM), or 0 once it is gone. */
function peakRssMb(pid: number): number {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** Starts `n` workers with --drain; resolves with the wall seconds until the last exits and each one's peak RSS. */
async function drain(n: number, tenantsFile: string, env: NodeJS.ProcessEnv): Promise<{ sec: number; peakRssMb: number[] }> {
  const peaks = Array.from({ length: n }, () => 0);
  const start = performance.now();
  const runs = Array.from({ length: n }, (_, i) =>
    kpr(['worker', '--config', tenantsFile, '--id', `bench-${i}`, '--drain'], env, (child) => {
      const t = setInterval(() => (peaks[i] = Math.max(peaks[i]!, peakRssMb(child.pid!))), 100);
      child.on('exit', () => clearInterval(t));
    }),
  );
  const results = await Promise.all(runs);
  const sec = (performance.now() - start) / 1000;
  for (const [i, r] of results.entries()) if (r.code !== 0) throw new Error(`worker bench-${i} exited ${r.code}: ${r.stderr.slice(-1500)}`);
  return { sec, peakRssMb: peaks.map((p) => round(p)) };
}

/** A `kpr sandbox` process on a copy of the setup's data folder (the port the tenants file names). */
async function sandbox(setup: TenantsSetup, dir: string): Promise<{ delivered(): Promise<number>; stop(): Promise<void> }> {
  cpSync(setup.sandboxDir, dir, { recursive: true });
  const child = spawn(process.execPath, [join(ROOT, 'bin/kpr.mjs'), 'sandbox', '--data', dir], { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] });
  const [first] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
  if (!first.startsWith('http')) throw new Error(`the sandbox said ${first}`);
  return {
    async delivered() {
      const stats = (await (await fetch(`${setup.url}/sandbox/stats`)).json()) as { slash: { delivered: number } };
      return stats.slash.delivered;
    },
    async stop() {
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

async function query<T>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(sql, params)).rows as T[];
  } finally {
    await c.end();
  }
}

export async function run(): Promise<Record<string, unknown>> {
  if (!process.env.KPR_PG_URL && !findPgBin()) return { skipped: 'no PostgreSQL (apt-get install postgresql-15, or KPR_PG_URL)' };
  const base = mkdtempSync(join(tmpdir(), 'kpr-bench-workers-'));
  let server: PgServer | undefined;
  try {
    server = await startPg();
    const setup = await initTenantsSetup({
      dir: join(base, 'vendor'),
      seed: 'bench-workers',
      children: CHILDREN,
      today: TODAY,
      from: FROM,
      port: 0,
      tenants: TENANTS,
      store: 'postgres',
      channel: 'slash',
    });
    const records = setup.tenants.reduce((n, t) => n + t.records, 0);
    const pgText = readFileSync(setup.tenantsFile, 'utf8');

    const variants = [
      { name: 'postgres-1', store: 'postgres', workers: 1 },
      { name: 'postgres-2', store: 'postgres', workers: 2 },
      { name: 'postgres-4', store: 'postgres', workers: 4 },
      { name: 'sqlite-1', store: 'sqlite', workers: 1 },
    ] as const;
    const figures: Record<string, { sec: number; deliveries: number; peakRssMb: number[] }> = {};
    let sizing: Record<string, unknown> = {};
    for (const v of variants) {
      const url = await server.newDatabase();
      const env = { KPR_PG_URL: url };
      const text =
        v.store === 'postgres'
          ? pgText
          : pgText.replace(/^store:\n(?: {2}.*\n)+/m, `store: { kind: sqlite, dir: state-${v.name} }\nworkers: { queue: { url: { env: KPR_PG_URL } } }\n`);
      const tenantsFile = join(setup.dir, `${v.name}.yaml`);
      writeFileSync(tenantsFile, text);
      if (v.store === 'postgres') await ok(['store', 'migrate', '--schema', '--config', tenantsFile], env);
      await ok(['queue', 'migrate', '--config', tenantsFile], env);
      await ok(['enqueue', 'backfill', '--config', tenantsFile, '--from', FROM, '--to', TODAY], env);
      const schemasBytes = async (schemas: string[]) =>
        Number(
          (
            await query<{ bytes: string }>(
              url,
              `SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) AS bytes FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ANY($1) AND c.relkind = 'r'`,
              [schemas],
            )
          )[0]!.bytes,
        );
      const schemas = setup.tenants.map((t) => `kpr_${t.id}`);
      const emptyBytes = v.store === 'postgres' ? await schemasBytes(schemas) : 0;
      const receiver = await sandbox(setup, join(base, `sandbox-${v.name}`));
      try {
        const d = await drain(v.workers, tenantsFile, env);
        figures[v.name] = { ...d, deliveries: await receiver.delivered() };
        if (v.name === 'postgres-1') {
          // One tenant's schema after its backfill, and a daily run of every tenant with nothing new.
          const biggest = [...setup.tenants].sort((a, b) => b.records - a.records)[0]!;
          const big = await schemasBytes([`kpr_${biggest.id}`]);
          const all = await schemasBytes(schemas);
          const [db] = await query<{ bytes: string }>(url, 'SELECT pg_database_size(current_database()) AS bytes');
          await ok(['enqueue', 'run', '--config', tenantsFile], env);
          const daily = await drain(1, tenantsFile, env);
          sizing = {
            tenantSchema: `kpr_${biggest.id}`,
            tenantRecords: biggest.records,
            tenantSchemaBytes: big,
            bytesPerRecord: round(big / biggest.records),
            // What a record adds: every tenant's schema after its backfill less the same schemas
            // empty (the pages of empty tables and indexes each schema has from its migration).
            emptySchemaBytes: round(emptyBytes / schemas.length),
            allSchemasBytes: all,
            marginalBytesPerRecord: round((all - emptyBytes) / records),
            databaseBytesAllTenants: Number(db!.bytes),
            dailyRunNothingNew: { tenants: TENANTS, workers: 1, sec: round(daily.sec, 1), secPerTenant: round(daily.sec / TENANTS, 2) },
          };
        }
      } finally {
        await receiver.stop();
      }
    }
    const baseline = figures['postgres-1']!;
    const out: Record<string, unknown> = {};
    for (const [name, f] of Object.entries(figures)) {
      out[name] = {
        sec: round(f.sec, 1),
        deliveries: f.deliveries,
        deliveriesPerSec: round(f.deliveries / f.sec, 1),
        recordsPerSec: round(records / f.sec),
        deliveriesPerSecVsPostgres1: round(f.deliveries / f.sec / (baseline.deliveries / baseline.sec), 2),
        recordsPerSecVsPostgres1: round(baseline.sec / f.sec, 2),
        peakRssMbPerWorker: f.peakRssMb,
      };
    }
    return {
      tenants: TENANTS,
      records,
      childrenPerTenant: CHILDREN,
      from: FROM,
      to: TODAY,
      ...out,
      sizing,
      note: 'shared 2-core machine: receiver, PostgreSQL and workers on the same cores; ratios against postgres-1 of this run',
    };
  } finally {
    await server?.stop();
    rmSync(base, { recursive: true, force: true });
  }
}
