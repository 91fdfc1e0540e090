// `kpr demo --tenants N`: a vendor's deployment in one go, when PostgreSQL's binaries are
// installed. A throwaway cluster (runtime/demo/postgres.ts), `kpr init --profile sandbox
// --tenants N --store postgres`'s setup, the sandbox in-process, the tenants' schemas and the work
// queue migrated, every tenant's backfill (a work item per year) and daily run enqueued, two
// `kpr worker --drain` processes draining them, then the overview: the queue as `kpr queue`
// shows it and per tenant what the receiver holds for its organisation. The cluster is stopped
// and removed after, whatever happened.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { EXIT } from '../cli/program.ts';
import { initTenantsSetup } from '../init/tenants-setup.ts';
import { startSandbox } from '../sandbox/index.ts';
import { findPgBin, startCluster } from './postgres.ts';
import { demoSlashStandIn } from './slash-stand-in.ts';

const KPR = fileURLToPath(new URL('../../bin/kpr.mjs', import.meta.url));
const WORKERS = 2;

export interface TenantsDemoOptions {
  dir: string;
  tenants: number;
  children: number;
  seed: string;
  today: string;
  say: (line: string) => void;
  /** The PostgreSQL binaries' folder; default the newest installed one (under `pgRoot`, default /usr/lib/postgresql). */
  pgBin?: string;
  pgRoot?: string;
}

export interface TenantsDemoResult {
  exitCode: number;
  /** Per tenant id: its units and deliveries at the receiver, items current and deleted. */
  tenants: Record<string, { units: number; deliveries: number; current: number; deleted: number }>;
}

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

function kpr(args: string[], pgUrl: string): Promise<Ran> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [KPR, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, KPR_PG_URL: pgUrl } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => {
      stdout += b.toString();
    });
    child.stderr.on('data', (b: Buffer) => {
      stderr += b.toString();
    });
    child.on('exit', (code) => done({ code, stdout, stderr }));
  });
}

/** Runs the multi-tenant demo; without PostgreSQL's binaries says so in one line and gives exit code 1. */
export async function runTenantsDemo(o: TenantsDemoOptions): Promise<TenantsDemoResult> {
  const bin = o.pgBin ?? findPgBin(o.pgRoot);
  if (bin === undefined) {
    o.say(
      'kpr demo --tenants needs PostgreSQL installed (Debian: apt-get install postgresql-15; not found in /usr/lib/postgresql); the default demo (without --tenants) needs nothing',
    );
    // 1: a setup the command needs is missing, as for a usage or configuration problem.
    return { exitCode: EXIT.partial, tenants: {} };
  }
  const started = performance.now();
  const say = o.say;
  const setup = await initTenantsSetup({ dir: o.dir, seed: o.seed, children: o.children, today: o.today, port: 0, tenants: o.tenants, store: 'postgres', channel: 'slash' });
  const records = setup.tenants.reduce((n, t) => n + t.records, 0);
  say(`1. kpr init --profile sandbox --tenants ${o.tenants} --store postgres: ${setup.tenantsFile} (${records} appointment lines in ${o.tenants} EPJ extracts)`);
  const cluster = startCluster(bin);
  say(`2. a throwaway PostgreSQL cluster on a Unix socket (${bin}): the tenants' schemas and the work queue`);
  const sandbox = await startSandbox({
    dataDir: setup.sandboxDir,
    port: setup.port,
    host: '127.0.0.1',
    slash: demoSlashStandIn(),
  });
  try {
    say(`3. the sandbox at ${sandbox.url}: HelseID's multi-tenant client and FHI's SLASH stand-in for every tenant's organisation`);
    const file = setup.tenantsFile;
    for (const [step, args] of [
      ['the schemas', ['store', 'migrate', '--schema', '--config', file]],
      ['the queue', ['queue', 'migrate', '--config', file]],
      ['backfills', ['enqueue', 'backfill', '--config', file, '--to', o.today]],
      ['daily runs', ['enqueue', 'run', '--config', file]],
    ] as const) {
      const r = await kpr([...args], cluster.url);
      if (r.code !== 0) {
        say(`kpr ${args.join(' ')} failed (${step}): ${r.stderr.trim()}`);
        return { exitCode: EXIT.failed, tenants: {} };
      }
    }
    say("4. enqueued every tenant's backfill (a work item per year) and daily run (kpr enqueue backfill, kpr enqueue run)");
    const workers = await Promise.all(Array.from({ length: WORKERS }, (_, i) => kpr(['worker', '--config', file, '--id', `demo-${i + 1}`, '--drain'], cluster.url)));
    for (const [i, w] of workers.entries()) {
      const done = (w.stderr.match(/: done$/gm) ?? []).length;
      say(`5.${i + 1} worker demo-${i + 1}: ${done} item(s) done, exit ${w.code}`);
    }
    const queue = await kpr(['queue', '--config', file], cluster.url);
    say('summary');
    say('the work queue (kpr queue):');
    for (const l of queue.stdout.trimEnd().split('\n')) say(`  ${l}`);
    say('what the receiver holds per tenant (GET /sandbox/slash/state?parent=<organisation>):');
    const tenants: TenantsDemoResult['tenants'] = {};
    for (const t of setup.tenants) {
      const s = sandbox.slash.state(t.orgNr);
      const items = Object.values(s.content).flatMap((types) => Object.values(types.HST_Avtale ?? {}));
      tenants[t.id] = {
        units: Object.keys(s.units).length,
        deliveries: s.deliveries,
        current: items.filter((i) => !i.deleted).length,
        deleted: items.filter((i) => i.deleted).length,
      };
      const x = tenants[t.id]!;
      say(
        `  ${t.id.padEnd(14)} ${t.municipality.name.padEnd(14)} ${t.orgNr}: ${x.units} unit(s), ${x.deliveries} deliveries, ${x.current} appointments current, ${x.deleted} deleted`,
      );
    }
    const empty = Object.entries(tenants).filter(([, x]) => x.deliveries === 0);
    const failed = workers.some((w) => w.code !== 0) || queue.code !== 0 || empty.length > 0;
    say(
      failed
        ? `not everything arrived: ${empty.length ? `no deliveries for ${empty.map(([id]) => id).join(', ')}; ` : ''}see the workers' exit codes above and kpr queue`
        : `${o.tenants} tenants, ${WORKERS} workers, one PostgreSQL: done in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    return { exitCode: failed ? EXIT.failed : EXIT.ok, tenants };
  } finally {
    await sandbox.close();
    cluster.stop();
    say('the PostgreSQL cluster is stopped and removed');
  }
}
