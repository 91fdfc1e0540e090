// The work queue in PostgreSQL: daily runs and backfill slices of every tenant as rows of
// work_item, claimed by workers on any machine. A claim is one transaction: expired leases are
// handed back, then the best claimable item is locked with FOR UPDATE SKIP LOCKED (two workers
// never wait on each other's choice) and marked claimed with a lease. The partial unique index
// work_item_one_claim keeps a tenant's queue to one worker at a time whatever the race. Every
// time is the server's (now()), so workers on machines with different clocks agree on leases.
import { hostname } from 'node:os';
import pg from 'pg';
import { checkSchemaName } from '../store/postgres/connect.ts';
import { checkControl } from './schema.ts';

export type ItemKind = 'run' | 'backfill';
export type ItemState = 'queued' | 'claimed' | 'done' | 'failed' | 'attention';

export interface WorkerIdentity {
  id: string;
  host: string;
  pid: number;
}

export function thisWorker(id?: string): WorkerIdentity {
  const host = hostname();
  return { id: id ?? `${host}:${process.pid}`, host, pid: process.pid };
}

export interface BackfillParams {
  from: string;
  to: string;
  restart?: boolean;
}

export interface WorkItem {
  id: number;
  tenant: string;
  kind: ItemKind;
  params: Partial<BackfillParams>;
  state: ItemState;
  attempts: number;
  maxAttempts: number;
  notBefore: Date;
  enqueuedAt: Date;
  claimedBy: string | null;
  claimedHost: string | null;
  claimedPid: number | null;
  leaseUntil: Date | null;
  finishedAt: Date | null;
  lastError: string | null;
  summary: unknown;
}

function item(r: Record<string, unknown>): WorkItem {
  return {
    id: Number(r.id),
    tenant: String(r.tenant),
    kind: r.kind as ItemKind,
    params: (r.params ?? {}) as Partial<BackfillParams>,
    state: r.state as ItemState,
    attempts: Number(r.attempts),
    maxAttempts: Number(r.max_attempts),
    notBefore: r.not_before as Date,
    enqueuedAt: r.enqueued_at as Date,
    claimedBy: (r.claimed_by as string | null) ?? null,
    claimedHost: (r.claimed_host as string | null) ?? null,
    claimedPid: r.claimed_pid === null || r.claimed_pid === undefined ? null : Number(r.claimed_pid),
    leaseUntil: (r.lease_until as Date | null) ?? null,
    finishedAt: (r.finished_at as Date | null) ?? null,
    lastError: (r.last_error as string | null) ?? null,
    summary: r.summary ?? null,
  };
}

/** What an operator sees of one tenant: its items by state, what runs now, when it was last served. */
export interface TenantQueueState {
  tenant: string;
  queued: number;
  claimed: number;
  done: number;
  failed: number;
  attention: number;
  running: string | null;
  lastServed: Date | null;
}

/** Backoff before a failed item's next attempt: 30 s, 2 min, 8 min … at most an hour. */
export function retryDelayMs(attempts: number): number {
  return Math.min(3_600_000, 30_000 * 4 ** Math.max(0, attempts - 1));
}

export class WorkQueue {
  private constructor(
    private readonly client: pg.Client,
    readonly schema: string,
  ) {}

  /** Opens the queue in `schema` (migrated: kpr queue migrate), on a connection of its own. */
  static async open(url: string, schema: string, where = schema): Promise<WorkQueue> {
    checkSchemaName(schema);
    const client = new pg.Client({ connectionString: url, application_name: 'kpr worker queue' });
    // A lost connection is reported by the next query; unheard, the event would end the process.
    client.on('error', () => {});
    await client.connect();
    try {
      await checkControl(client, schema, where);
      await client.query(`SET search_path TO "${schema}"`);
    } catch (err) {
      await client.end().catch(() => {});
      throw err;
    }
    return new WorkQueue(client, schema);
  }

  async close(): Promise<void> {
    await this.client.end();
  }

  private async tx<T>(body: () => Promise<T>): Promise<T> {
    await this.client.query('BEGIN');
    try {
      const out = await body();
      await this.client.query('COMMIT');
      return out;
    } catch (err) {
      await this.client.query('ROLLBACK').catch(() => {});
      throw err;
    }
  }

  /**
   * A daily run for `tenant`, unless one is already queued (a cron that fires twice, or while
   * the last is still waiting, adds nothing). Gives the new item's id, or undefined.
   */
  async enqueueRun(tenant: string, maxAttempts = 5): Promise<number | undefined> {
    return this.tx(async () => {
      await this.client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`kpr-enqueue:${this.schema}:${tenant}`]);
      const waiting = await this.client.query("SELECT 1 FROM work_item WHERE tenant = $1 AND kind = 'run' AND state = 'queued'", [tenant]);
      if (waiting.rowCount) return undefined;
      const r = await this.client.query("INSERT INTO work_item (tenant, kind, max_attempts) VALUES ($1, 'run', $2) RETURNING id", [tenant, maxAttempts]);
      return Number(r.rows[0].id);
    });
  }

  /** A backfill's slices for `tenant`, all in one transaction, oldest first (ids in that order). */
  async enqueueBackfill(tenant: string, slices: BackfillParams[], maxAttempts = 5): Promise<number[]> {
    return this.tx(async () => {
      const ids: number[] = [];
      for (const s of slices) {
        const r = await this.client.query("INSERT INTO work_item (tenant, kind, params, max_attempts) VALUES ($1, 'backfill', $2, $3) RETURNING id", [
          tenant,
          JSON.stringify(s),
          maxAttempts,
        ]);
        ids.push(Number(r.rows[0].id));
      }
      return ids;
    });
  }

  /**
   * Claims the next item for `worker`, or undefined when nothing is claimable. Only a tenant's
   * oldest queued item (its head) is a candidate, so a tenant's items run in order; a tenant with
   * an item claimed has none. Among heads: daily runs before backfill slices, then the tenant
   * served least recently, then the oldest item. Leases that ran out are handed back first.
   */
  async claim(worker: WorkerIdentity, leaseMs: number): Promise<WorkItem | undefined> {
    for (let tries = 0; ; tries++) {
      try {
        return await this.tx(async () => {
          await this.expireLeases();
          const r = await this.client.query(
            `WITH heads AS (
               SELECT DISTINCT ON (tenant) id, tenant, kind, not_before, enqueued_at
               FROM work_item WHERE state = 'queued' ORDER BY tenant, id)
             SELECT w.id FROM heads h
               JOIN work_item w ON w.id = h.id
               LEFT JOIN tenant_served s ON s.tenant = h.tenant
             WHERE h.not_before <= now()
               AND NOT EXISTS (SELECT 1 FROM work_item c WHERE c.tenant = h.tenant AND c.state = 'claimed')
             ORDER BY (h.kind = 'run') DESC, s.last_served ASC NULLS FIRST, h.enqueued_at, h.id
             LIMIT 1
             FOR UPDATE OF w SKIP LOCKED`,
          );
          if (!r.rowCount) return undefined;
          const claimed = await this.client.query(
            `UPDATE work_item SET state = 'claimed', attempts = attempts + 1, claimed_by = $2, claimed_host = $3, claimed_pid = $4,
               claimed_at = now(), lease_until = now() + $5 * interval '1 millisecond'
             WHERE id = $1 AND state = 'queued' RETURNING *`,
            [r.rows[0].id, worker.id, worker.host, worker.pid, leaseMs],
          );
          if (!claimed.rowCount) return undefined;
          const got = item(claimed.rows[0]);
          await this.client.query('INSERT INTO tenant_served (tenant, last_served) VALUES ($1, now()) ON CONFLICT (tenant) DO UPDATE SET last_served = EXCLUDED.last_served', [
            got.tenant,
          ]);
          return got;
        });
      } catch (err) {
        // Another worker claimed this tenant's head between our snapshot and our update (the
        // one-claim index refused ours), or the two transactions crossed: choose again.
        const code = (err as { code?: string }).code;
        if ((code === '23505' || code === '40001' || code === '40P01') && tries < 5) continue;
        throw err;
      }
    }
  }

  /**
   * Claims whose lease ran out (their worker died or lost the database) go back to the queue,
   * or fail when they have had every attempt. Runs inside claim's transaction; gives the items.
   */
  async expireLeases(): Promise<WorkItem[]> {
    const r = await this.client.query(
      `UPDATE work_item SET
         state = CASE WHEN attempts >= max_attempts THEN 'failed' ELSE 'queued' END,
         finished_at = CASE WHEN attempts >= max_attempts THEN now() END,
         last_error = 'the lease of worker ' || claimed_by || ' on ' || coalesce(claimed_host, '?') || ' (pid ' || coalesce(claimed_pid::text, '?') || ') ran out',
         not_before = now(), lease_until = NULL
       WHERE state = 'claimed' AND lease_until < now() RETURNING *`,
    );
    return r.rows.map(item);
  }

  /** The heartbeat: extends the lease. False when the claim is no longer this worker's. */
  async renew(id: number, worker: WorkerIdentity, leaseMs: number): Promise<boolean> {
    const r = await this.client.query(`UPDATE work_item SET lease_until = now() + $3 * interval '1 millisecond' WHERE id = $1 AND state = 'claimed' AND claimed_by = $2`, [
      id,
      worker.id,
      leaseMs,
    ]);
    return r.rowCount === 1;
  }

  /** The job ended: done, or attention (it exited 2: the operator must look). False when the claim was lost. */
  async finish(id: number, worker: WorkerIdentity, state: 'done' | 'attention', summary: unknown, error?: string): Promise<boolean> {
    const r = await this.client.query(
      `UPDATE work_item SET state = $3, summary = $4, last_error = $5, finished_at = now(), lease_until = NULL
       WHERE id = $1 AND state = 'claimed' AND claimed_by = $2`,
      [id, worker.id, state, JSON.stringify(summary ?? null), error ?? null],
    );
    return r.rowCount === 1;
  }

  /**
   * The job threw: queued again after a backoff while attempts remain, failed after the last.
   * Gives the new state, or undefined when the claim was lost.
   */
  async fail(id: number, worker: WorkerIdentity, error: string, delayMs: (attempts: number) => number = retryDelayMs): Promise<ItemState | undefined> {
    return this.tx(async () => {
      const cur = await this.client.query("SELECT attempts, max_attempts FROM work_item WHERE id = $1 AND state = 'claimed' AND claimed_by = $2 FOR UPDATE", [id, worker.id]);
      if (!cur.rowCount) return undefined;
      const attempts = Number(cur.rows[0].attempts);
      const last = attempts >= Number(cur.rows[0].max_attempts);
      await this.client.query(
        `UPDATE work_item SET state = $2, last_error = $3, lease_until = NULL,
           finished_at = CASE WHEN $2 = 'failed' THEN now() END,
           not_before = now() + $4 * interval '1 millisecond'
         WHERE id = $1`,
        [id, last ? 'failed' : 'queued', error, last ? 0 : delayMs(attempts)],
      );
      return last ? 'failed' : 'queued';
    });
  }

  async items(opts: { tenant?: string; states?: ItemState[] } = {}): Promise<WorkItem[]> {
    const r = await this.client.query('SELECT * FROM work_item WHERE ($1::text IS NULL OR tenant = $1) AND ($2::text[] IS NULL OR state = ANY($2)) ORDER BY tenant, id', [
      opts.tenant ?? null,
      opts.states ?? null,
    ]);
    return r.rows.map(item);
  }

  async tenants(): Promise<TenantQueueState[]> {
    const r = await this.client.query(
      `SELECT w.tenant,
         count(*) FILTER (WHERE w.state = 'queued') AS queued, count(*) FILTER (WHERE w.state = 'claimed') AS claimed,
         count(*) FILTER (WHERE w.state = 'done') AS done, count(*) FILTER (WHERE w.state = 'failed') AS failed,
         count(*) FILTER (WHERE w.state = 'attention') AS attention,
         max(w.kind || ' #' || w.id || ' by ' || w.claimed_by) FILTER (WHERE w.state = 'claimed') AS running,
         max(s.last_served) AS last_served
       FROM work_item w LEFT JOIN tenant_served s ON s.tenant = w.tenant
       GROUP BY w.tenant ORDER BY w.tenant`,
    );
    return r.rows.map((x) => ({
      tenant: String(x.tenant),
      queued: Number(x.queued),
      claimed: Number(x.claimed),
      done: Number(x.done),
      failed: Number(x.failed),
      attention: Number(x.attention),
      running: (x.running as string | null) ?? null,
      lastServed: (x.last_served as Date | null) ?? null,
    }));
  }

  /** Is anything claimable now or later (queued, or claimed by someone)? For --drain. */
  async pending(): Promise<{ queued: number; claimed: number; attention: number; failed: number }> {
    const r = await this.client.query(
      `SELECT count(*) FILTER (WHERE state = 'queued') AS queued, count(*) FILTER (WHERE state = 'claimed') AS claimed,
         count(*) FILTER (WHERE state = 'attention') AS attention, count(*) FILTER (WHERE state = 'failed') AS failed FROM work_item`,
    );
    const x = r.rows[0];
    return { queued: Number(x.queued), claimed: Number(x.claimed), attention: Number(x.attention), failed: Number(x.failed) };
  }
}

/**
 * A backfill window in slices of a calendar year (or month), oldest first: each slice is a
 * bounded piece of work, so other tenants' daily runs are claimed between them.
 */
export function backfillSlices(from: string, to: string, by: 'year' | 'month' = 'year', restart = false): BackfillParams[] {
  const out: BackfillParams[] = [];
  let start = from;
  while (start <= to) {
    const [y, m] = start.split('-').map(Number) as [number, number];
    const end = by === 'year' ? `${y}-12-31` : new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
    const sliceEnd = end < to ? end : to;
    out.push({ from: start, to: sliceEnd, ...(restart && { restart }) });
    const next = new Date(`${sliceEnd}T00:00:00Z`);
    next.setUTCDate(next.getUTCDate() + 1);
    start = next.toISOString().slice(0, 10);
  }
  return out;
}
