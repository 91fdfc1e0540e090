// The single-run lock: one row, taken in a transaction, kept alive by a heartbeat. A run killed
// with kill -9 leaves its row behind; the next run takes over once the holder is gone.
import { hostname } from 'node:os';
import type Database from 'better-sqlite3';
import { EXIT, UserError } from '../../cli/program.ts';
import { lockAlive } from '../liveness.ts';
import type { LockHolder } from '../types.ts';
import { now } from './rows.ts';

/** Heartbeats closer together than this are not written. */
const BEAT_EVERY_MS = 5_000;

interface LockDbRow {
  pid: number;
  host: string;
  kind: string;
  started_at: string;
  heartbeat_at: string;
}

export class SqliteLock {
  private held = false;
  private lastBeat = 0;
  private readonly st;

  constructor(
    private readonly db: Database.Database,
    private readonly path: string,
  ) {
    this.st = {
      get: db.prepare<[], LockDbRow>('SELECT pid, host, kind, started_at, heartbeat_at FROM lock WHERE id = 1'),
      set: db.prepare<[number, string, string, string, string]>('INSERT OR REPLACE INTO lock (id, pid, host, kind, started_at, heartbeat_at) VALUES (1, ?, ?, ?, ?, ?)'),
      beat: db.prepare<[string, number, string]>('UPDATE lock SET heartbeat_at = ? WHERE id = 1 AND pid = ? AND host = ?'),
      delete: db.prepare<[number, string]>('DELETE FROM lock WHERE id = 1 AND pid = ? AND host = ?'),
    };
  }

  get isHeld(): boolean {
    return this.held;
  }

  acquire(kind: string): void {
    const host = hostname();
    const take = this.db.transaction(() => {
      const h = this.st.get.get();
      if (h && lockAlive(h.heartbeat_at, h.host, h.pid)) {
        throw new UserError(
          `another kpr ${h.kind} (pid ${h.pid}${h.host === host ? '' : ` on ${h.host}`}, started ${h.started_at}) holds ${this.path}; wait for it to finish`,
          EXIT.failed,
        );
      }
      const t = now();
      this.st.set.run(process.pid, host, kind, t, t);
    });
    take.immediate();
    this.held = true;
    this.lastBeat = Date.now();
  }

  /**
   * Notes that the lock's holder is alive: written at most every few seconds, since each write is
   * a transaction of its own (an fsync), and the transfer calls this at every commit.
   */
  heartbeat(): void {
    if (!this.held || Date.now() - this.lastBeat < BEAT_EVERY_MS) return;
    this.st.beat.run(now(), process.pid, hostname());
    this.lastBeat = Date.now();
  }

  release(): void {
    this.st.delete.run(process.pid, hostname());
    this.held = false;
  }

  holder(): LockHolder | undefined {
    const h = this.st.get.get();
    return h && { pid: h.pid, host: h.host, startedAt: h.started_at, heartbeatAt: h.heartbeat_at };
  }

  /** True when a run other than a dead one holds the lock. */
  liveHolder(): boolean {
    const h = this.holder();
    return h !== undefined && lockAlive(h.heartbeatAt, h.host, h.pid);
  }
}
