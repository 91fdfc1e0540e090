// Backpressure across workers: at most N requests in flight per receiver, whatever the number
// of workers and machines, and a 429 with Retry-After pauses that receiver for every worker.
//
// The N slots are session advisory locks, keyed by the receiver (its base URL) and a slot
// number 0..N-1, taken around each HTTP attempt on a connection of the worker's own. Why locks
// and not a counter row: the server drops a dead worker's locks with its session, so a worker
// killed mid-request can never leave a slot taken (a counter would need leases and clocks). The
// pause is a row (receiver_pause) every worker reads before it takes a slot, in the server's time.
import { AsyncLocalStorage } from 'node:async_hooks';
import pg from 'pg';
import { checkSchemaName } from '../store/postgres/connect.ts';

export interface Slot {
  receiver: string;
  n: number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class ReceiverGate {
  private readonly held = new Set<string>();
  /** pg.Client runs one query at a time; this keeps try-lock and the local bookkeeping together. */
  private turn: Promise<unknown> = Promise.resolve();
  /** The slot of the attempt running in this async context (SLASH sends several units at once). */
  readonly current = new AsyncLocalStorage<{ slot?: Slot }>();
  private closed = false;

  private constructor(
    private readonly client: pg.Client,
    private readonly schema: string,
    readonly maxInFlight: number,
    private readonly pollMs: number,
  ) {}

  static async open(url: string, schema: string, maxInFlight: number, pollMs = 25): Promise<ReceiverGate> {
    checkSchemaName(schema);
    if (!Number.isInteger(maxInFlight) || maxInFlight < 1) throw new Error(`maxInFlight must be a whole number of at least 1, got ${maxInFlight}`);
    const client = new pg.Client({ connectionString: url, application_name: 'kpr worker receiver slots' });
    client.on('error', () => {});
    await client.connect();
    return new ReceiverGate(client, schema, maxInFlight, pollMs);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.client.end();
  }

  private serial<T>(body: () => Promise<T>): Promise<T> {
    const next = this.turn.then(body, body);
    this.turn = next.catch(() => {});
    return next;
  }

  private key(receiver: string): string {
    return `kpr-receiver:${this.schema}:${receiver}`;
  }

  /** Milliseconds until `receiver`'s pause ends (0: not paused), in the server's clock. */
  async pausedFor(receiver: string): Promise<number> {
    const r = await this.serial(() =>
      this.client.query(`SELECT greatest(0, extract(epoch FROM (until - now())) * 1000) AS ms FROM "${this.schema}".receiver_pause WHERE receiver = $1`, [receiver]),
    );
    return r.rowCount ? Math.ceil(Number(r.rows[0].ms)) : 0;
  }

  /** Every worker holds back from `receiver` for `ms` (a later end is kept if one is already set). */
  async pause(receiver: string, ms: number, reason: string): Promise<void> {
    await this.serial(() =>
      this.client.query(
        `INSERT INTO "${this.schema}".receiver_pause (receiver, until, reason) VALUES ($1, now() + $2 * interval '1 millisecond', $3)
         ON CONFLICT (receiver) DO UPDATE SET until = greatest(receiver_pause.until, EXCLUDED.until), reason = EXCLUDED.reason`,
        [receiver, ms, reason],
      ),
    );
  }

  /** Waits out a pause, then for a free slot of `receiver`'s N. */
  async acquire(receiver: string): Promise<Slot> {
    for (;;) {
      if (this.closed) throw new Error('the receiver gate is closed');
      const paused = await this.pausedFor(receiver);
      if (paused > 0) {
        await sleep(Math.min(paused, 5_000));
        continue;
      }
      const got = await this.serial(async () => {
        for (let n = 0; n < this.maxInFlight; n++) {
          const id = `${receiver}#${n}`;
          if (this.held.has(id)) continue;
          const r = await this.client.query('SELECT pg_try_advisory_lock(hashtext($1), $2) AS ok', [this.key(receiver), n]);
          if (r.rows[0].ok) {
            this.held.add(id);
            return { receiver, n };
          }
        }
        return undefined;
      });
      if (got) return got;
      await sleep(this.pollMs * (0.5 + Math.random()));
    }
  }

  async release(slot: Slot): Promise<void> {
    await this.serial(async () => {
      this.held.delete(`${slot.receiver}#${slot.n}`);
      if (!this.closed) await this.client.query('SELECT pg_advisory_unlock(hashtext($1), $2)', [this.key(slot.receiver), slot.n]);
    });
  }

  /**
   * Runs one send (which may make several attempts) holding a slot; `sleep` below gives the slot
   * back while the client waits between attempts, so a receiver that answers 503s does not keep
   * N slots idle.
   */
  async around<T>(receiver: string, send: () => Promise<T>): Promise<T> {
    const ctx: { slot?: Slot } = { slot: await this.acquire(receiver) };
    try {
      return await this.current.run(ctx, send);
    } finally {
      if (ctx.slot) await this.release(ctx.slot);
    }
  }

  /** The clients' `sleep` between attempts: the slot is freed meanwhile, and a pause is waited out. */
  sleepFor(receiver: string): (ms: number) => Promise<void> {
    return async (ms) => {
      const ctx = this.current.getStore();
      if (ctx?.slot) {
        await this.release(ctx.slot);
        ctx.slot = undefined;
      }
      await sleep(ms);
      if (ctx) ctx.slot = await this.acquire(receiver);
    };
  }

  /** The clients' `onAttempt`: a 429 with its wait pauses the receiver for every worker. */
  onAttemptFor(receiver: string, log?: (msg: string) => void): (info: { result: string; waitMs?: number }) => void {
    return (info) => {
      if (!/^HTTP 429\b/.test(info.result) || !info.waitMs) return;
      log?.(`receiver ${receiver} answered 429: every worker pauses it for ${info.waitMs} ms`);
      this.pause(receiver, info.waitMs, info.result.slice(0, 200)).catch(() => {});
    };
  }
}
