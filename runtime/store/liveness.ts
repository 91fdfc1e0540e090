// Whether the run holding a store's lock is alive: a policy of any store, not of SQLite's.
import { hostname } from 'node:os';

/** A lock counts as abandoned after this long without heartbeat (every 5–30 s while running). */
export const STALE_LOCK_MS = 10 * 60_000;

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A lock's holder is alive when its heartbeat is recent and (on this host) the process exists.
 * A pid alone could have been reused after a kill -9 and a reboot; a heartbeat alone could lag.
 */
export function lockAlive(heartbeatAt: string, host: string, pid: number): boolean {
  const fresh = Date.now() - Date.parse(heartbeatAt) < STALE_LOCK_MS;
  return fresh && (host !== hostname() || pidAlive(pid));
}
