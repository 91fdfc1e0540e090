import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { JSON_MESSAGES } from '../../generated/index.ts';
import { initTenantsSetup, type TenantsSetup } from '../../runtime/init/tenants-setup.ts';
import { deliveryForm, itemsOfUnit } from '../../runtime/jobs/channels/slash/form.ts';
import type { SlashLedgerState } from '../../runtime/sandbox/slash/ledger.ts';
import { type Sandbox, startSandbox } from '../../runtime/sandbox/index.ts';
import { generatedMessageTypes } from '../../runtime/sandbox/slash/index.ts';
import { type Ran, spawnKpr } from '../helpers/cli.ts';
import { prng } from '../helpers/prng.ts';
import { describePg, type PgServer, startPg } from '../helpers/postgres.ts';
import { type Counter, countingProxy } from '../workers/fixture.ts';

const TRIALS = Number(process.env.KPR_RELIABILITY_TRIALS ?? (process.env.KPR_RELIABILITY === 'long' ? 8 : 2));
const SEED = Number(process.env.KPR_RELIABILITY_SEED ?? 20261217);
const TODAY = '2026-11-24';
const FROM = '2025-01-01';
const WORKERS = 3;

const slashOptions = {
  messageTypes: generatedMessageTypes(JSON_MESSAGES),
  contentOf: (type: string, version: string, unit: Record<string, unknown>) => (type === 'HST_Avtale' ? itemsOfUnit(deliveryForm(type, version), unit) : []),
};

/** `kpr <args>` with the trial's database as KPR_PG_URL; `started` gets the child (to kill it). */
function kpr(args: string[], pgUrl: string, started?: (kill: () => void) => void): Promise<Ran> {
  return spawnKpr(args, { env: { KPR_PG_URL: pgUrl }, started: (child) => started?.(() => child.kill('SIGKILL')) });
}

/** One tenant's part of the receiver, read over HTTP as an operator would. */
async function stateOf(sandbox: Sandbox, parent: string): Promise<SlashLedgerState> {
  const res = await fetch(`${sandbox.url}/sandbox/slash/state?parent=${parent}`);
  expect(res.status).toBe(200);
  return (await res.json()) as SlashLedgerState;
}

/**
 * What two correct runs agree on: per unit the deliveries in the order they first arrived (a
 * repeat of the same bytes is not new: a resend after a lost answer, or a request held past the
 * client's timeout arriving after the resend), and each item's current content, which a stale
 * repeat applied late would change.
 */
function judged(s: SlashLedgerState) {
  const order = Object.fromEntries(Object.entries(s.units).map(([org, ds]) => [org, [...new Set(ds.map((d) => d.msgHash))]]));
  const content = Object.fromEntries(
    Object.entries(s.content).map(([org, types]) => [org, Object.fromEntries(Object.entries(types.HST_Avtale ?? {}).map(([id, st]) => [id, st.deleted ? 'deleted' : st.content]))]),
  );
  return { order, content };
}

describePg('twenty tenants, three workers, kill -9, receiver faults', () => {
  let server: PgServer;
  let base: string;
  let setup: TenantsSetup;

  beforeAll(async () => {
    server = await startPg();
    base = mkdtempSync(join(tmpdir(), 'kpr-workers-kill9-'));
    setup = await initTenantsSetup({
      dir: join(base, 'vendor'),
      seed: 'workers-kill9',
      children: 2,
      today: TODAY,
      from: FROM,
      port: 0,
      tenants: 20,
      store: 'postgres',
      channel: 'slash',
    });
    // Small requests: many deliveries per unit, many points to be killed between.
    writeFileSync(setup.tenantsFile, readFileSync(setup.tenantsFile, 'utf8').replace('maxRequestBytes: 2000000', 'maxRequestBytes: 1500'));
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    if (base) rmSync(base, { recursive: true, force: true });
  });

  /** A sandbox on a copy of the pristine one, an empty database, the queue filled. */
  async function prepared(name: string, proxyAt?: number) {
    cpSync(setup.sandboxDir, join(base, name), { recursive: true });
    const sandbox = await startSandbox({ dataDir: join(base, name), port: 0, host: '127.0.0.1', slash: slashOptions });
    // The KPR side's requests through a proxy that answers the `proxyAt`-th /message with 429.
    const proxy: Counter | undefined = proxyAt === undefined ? undefined : await countingProxy(sandbox.url, proxyAt, 1, (m, p) => m === 'POST' && p.endsWith('/message'));
    const text = readFileSync(setup.tenantsFile, 'utf8').replace(
      /^ {2}api: .*$/m,
      `  api: { baseUrl: ${proxy?.url ?? sandbox.url}, helseidAuthority: ${sandbox.url} }\n  batch: { recordsPerTransaction: 20 }`,
    );
    // The tenants file beside the setup's own (its relative paths stay right); the helseid
    // timeout short, so a held request is resent soon. Lease 4 s: a killed worker's item waits that long.
    const tenantsFile = join(setup.dir, `${name}.yaml`);
    writeFileSync(tenantsFile, `${text.replace(/^( {2}helseid:.*\n)/m, '$1    timeoutMs: 2000\n')}workers: { lease: 4s, maxInFlight: 4 }\n`);
    const pgUrl = await server.newDatabase();
    for (const args of [
      ['store', 'migrate', '--schema', '--config', tenantsFile],
      ['queue', 'migrate', '--config', tenantsFile],
      ['enqueue', 'backfill', '--config', tenantsFile, '--from', FROM, '--to', TODAY],
      ['enqueue', 'run', '--config', tenantsFile],
    ]) {
      const r = await kpr(args, pgUrl);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    }
    return { sandbox, proxy, tenantsFile, pgUrl };
  }

  it(
    `ends per tenant as one uninterrupted worker does, after ${TRIALS} trials`,
    async () => {
      const orgs = setup.tenants.map((t) => t.orgNr);
      const reference = await prepared('reference');
      const alone = await kpr(['worker', '--config', reference.tenantsFile, '--id', 'alone', '--drain'], reference.pgUrl);
      expect(alone.code, alone.stderr.slice(-2000)).toBe(0);
      const expected = new Map<string, ReturnType<typeof judged>>();
      for (const org of orgs) expected.set(org, judged(await stateOf(reference.sandbox, org)));
      await reference.sandbox.close();
      // Every tenant delivered, for several units, several times.
      for (const [org, e] of expected) {
        expect(Object.keys(e.order).length, `tenant ${org}`).toBeGreaterThan(0);
        expect(Object.values(e.order).flat().length, `tenant ${org}`).toBeGreaterThan(2);
      }

      const rnd = prng(SEED);
      let kills = 0;
      let repeats = 0;
      let reclaimed = 0;
      for (let n = 0; n < TRIALS; n++) {
        const where = `trial ${n} of seed ${SEED} (KPR_RELIABILITY_SEED=${SEED})`;
        const trial = await prepared(`trial-${n}`, 5 + Math.floor(rnd() * 60));
        trial.sandbox.applyFaults({ slash: { fail500: 1 + Math.floor(rnd() * 4), drop: 1 + Math.floor(rnd() * 3), delay: { count: 1, ms: 2500 } } });
        // Kill moments from the trial's start, seeded; each kills one of the running workers and starts another.
        const moments = Array.from({ length: 2 + Math.floor(rnd() * 3) }, () => 500 + Math.floor(rnd() * 12_000)).sort((a, b) => a - b);
        const victims = moments.map(() => Math.floor(rnd() * WORKERS));
        const running: { kill?: () => void; ran: Promise<Ran>; id: string }[] = [];
        const outcomes: { id: string; r: Ran }[] = [];
        let started = 0;
        const start = (slot: number) => {
          const id = `w${slot}-${started++}`;
          const w: (typeof running)[number] = { id, ran: undefined as never };
          w.ran = kpr(['worker', '--config', trial.tenantsFile, '--id', id, '--drain'], trial.pgUrl, (kill) => {
            w.kill = kill;
          });
          running[slot] = w;
        };
        for (let s = 0; s < WORKERS; s++) start(s);
        const t0 = Date.now();
        for (const [i, at] of moments.entries()) {
          await new Promise((r) => setTimeout(r, Math.max(0, t0 + at - Date.now())));
          const w = running[victims[i]!]!;
          const finished = await Promise.race([w.ran.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 0))]);
          if (finished) continue; // it had drained already
          w.kill?.();
          const r = await w.ran;
          outcomes.push({ id: w.id, r });
          if (r.signal === 'SIGKILL') kills++;
          start(victims[i]!);
        }
        for (const w of running) {
          const r = await w.ran;
          if (!outcomes.some((o) => o.id === w.id)) outcomes.push({ id: w.id, r });
        }
        for (const { id, r } of outcomes) if (r.signal !== 'SIGKILL') expect(r.code, `${where}: worker ${id}: ${r.stderr.slice(-2000)}`).toBe(0);
        // Nothing left: no item queued, claimed, failed or waiting for a person.
        const list = await kpr(['queue', '--config', trial.tenantsFile, '--format', 'json'], trial.pgUrl);
        expect((JSON.parse(list.stdout) as { items: unknown[] }).items, where).toEqual([]);
        if (trial.proxy) expect(trial.proxy.pausedAt, `${where}: the 429 was answered`).toBeDefined();

        // Per tenant what the uninterrupted worker left, and no delivery accepted twice as new.
        for (const org of orgs) {
          const state = await stateOf(trial.sandbox, org);
          for (const ds of Object.values(state.units)) repeats += ds.length - new Set(ds.map((d) => d.msgHash)).size;
          const got = judged(state);
          expect(got, `${where}: tenant ${setup.tenants.find((t) => t.orgNr === org)?.id} (${org})`).toEqual(expected.get(org));
        }
        // Items claimed more than once: a killed worker's item handed on after its lease (or retried).
        const db = new pg.Client({ connectionString: trial.pgUrl });
        await db.connect();
        try {
          reclaimed += Number((await db.query('SELECT count(*) AS n FROM kpr_control.work_item WHERE attempts > 1')).rows[0].n);
        } finally {
          await db.end();
        }
        trial.proxy?.close();
        await trial.sandbox.close();
      }
      expect(kills, `seed ${SEED}: some workers were killed mid-drain`).toBeGreaterThan(0);
      expect(reclaimed, `seed ${SEED}: a killed worker's item was taken over`).toBeGreaterThan(0);
      if (process.env.KPR_RELIABILITY_REPORT)
        process.stdout.write(
          `workers kill -9: seed ${SEED}, ${TRIALS} trials, ${kills} workers killed, ${reclaimed} items claimed again, ${repeats} deliveries received again (same msg_hash)\n`,
        );
    },
    180_000 + TRIALS * 90_000,
  );
});
