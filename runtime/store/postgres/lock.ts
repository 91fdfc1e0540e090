// The single-run lock of a PostgreSQL store: a session advisory lock, plus a row naming its
// holder for `kpr status`. Advisory, not a lease row: the server drops the lock itself when the
// holder's session ends (a killed process's socket closes; a lost machine's once TCP keepalive
// gives up), so there is no stale-lock guess by pid and heartbeat age as SQLite needs, and no
// clock shared between machines. The row is only information: without the advisory lock it
// means nothing, and the next holder overwrites it.
import { hostname } from 'node:os';
import { EXIT, UserError } from '../../cli/program.ts';
import type { LockHolder } from '../types.ts';
import { now } from '../sqlite/rows.ts';
import type { PgSession } from './connect.ts';

/** Heartbeats closer together than this are not written (as SQLite's). */
const BEAT_EVERY_MS = 5_000;
/** The advisory lock's first key ("kpr" again); the second is the schema's hash. */
const LOCK_SPACE = 0x6b7072;

/** The holder row, named as LockHolder (and the kind of run). */
type HolderRow = LockHolder & { kind: string };

export class PgLock {
  private held = false;
  private lastBeat = 0;

  constructor(
    private readonly s: PgSession,
    private readonly where: string,
  ) {}

  get isHeld(): boolean {
    return this.held;
  }

  async acquire(kind: string): Promise<void> {
    const got = await this.s.one<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, hashtext(current_schema())) AS ok', [LOCK_SPACE]);
    if (!got?.ok) {
      const h = await this.holderRow();
      const who = h ? `kpr ${h.kind} (pid ${h.pid}${h.host === hostname() ? '' : ` on ${h.host}`}, started ${h.startedAt})` : 'kpr run';
      throw new UserError(`another ${who} holds ${this.where}; wait for it to finish`, EXIT.failed);
    }
    const t = now();
    await this.s.run(
      'INSERT INTO lock (id, pid, host, kind, started_at, heartbeat_at) VALUES (1, $1, $2, $3, $4, $4) ON CONFLICT (id) DO UPDATE SET pid = excluded.pid, host = excluded.host, kind = excluded.kind, started_at = excluded.started_at, heartbeat_at = excluded.heartbeat_at',
      [process.pid, hostname(), kind, t],
    );
    this.held = true;
    this.lastBeat = Date.now();
  }

  async heartbeat(): Promise<void> {
    if (!this.held || Date.now() - this.lastBeat < BEAT_EVERY_MS) return;
    await this.s.run('UPDATE lock SET heartbeat_at = $1 WHERE id = 1 AND pid = $2 AND host = $3', [now(), process.pid, hostname()]);
    this.lastBeat = Date.now();
  }

  async release(): Promise<void> {
    if (!this.held) return;
    await this.s.run('DELETE FROM lock WHERE id = 1 AND pid = $1 AND host = $2', [process.pid, hostname()]);
    await this.s.run('SELECT pg_advisory_unlock($1, hashtext(current_schema()))', [LOCK_SPACE]);
    this.held = false;
  }

  /** The holder, when some session holds the advisory lock (a dead holder's row is not one). */
  async holder(): Promise<LockHolder | undefined> {
    const live = await this.s.one<{ n: number }>(
      "SELECT COUNT(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid = $1 AND objid = hashtext(current_schema())::oid AND objsubid = 2 AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
      [LOCK_SPACE],
    );
    if (!live?.n) return undefined;
    const h = await this.holderRow();
    return h && { pid: h.pid, host: h.host, startedAt: h.startedAt, heartbeatAt: h.heartbeatAt };
  }

  private holderRow(): Promise<HolderRow | undefined> {
    return this.s.one<HolderRow>('SELECT pid, host, kind, started_at AS "startedAt", heartbeat_at AS "heartbeatAt" FROM lock WHERE id = 1');
  }
}
