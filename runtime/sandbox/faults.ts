// Fault injection for the KPR stand-in: the failures a real transfer meets, on demand, so the
// client's retry, timeout and token handling can be shown to work. Set by CLI flags at start
// or by POST /sandbox/faults; counters count down as API requests consume them.
import type { SlashFaultSettings } from './slash/faults.ts';

export interface FaultSettings {
  /** Forget the pending countable faults first. */
  clear?: boolean;
  /** Answer the next N API requests with 500. */
  fail500?: number;
  /** Hold the next `count` API requests for `ms` before handling them (past the client's timeout). */
  delay?: { count: number; ms: number };
  /** Destroy the socket of the next N API requests without answering. */
  drop?: number;
  /** Answer the next `count` API requests with 429 and Retry-After: `retryAfterSec`. */
  rateLimit?: { count: number; retryAfterSec: number };
  /** Make every access token issued so far invalid now. */
  expireTokens?: boolean;
  /** Replace the current DPoP nonce (token endpoint and API). */
  rotateNonce?: boolean;
  /** Lifetime of tokens issued from now on. */
  tokenLifetimeSec?: number;
  /** Issue the next N multi-tenant tokens without their organisation claims (a delegation missing in HelseID). */
  dropOrgClaims?: number;
  /** Make the API demand a DPoP nonce (RFC 9449 §9). */
  requireApiNonce?: boolean;
  /** Faults of the SLASH receiver (`/keys`, `/message`). */
  slash?: SlashFaultSettings;
}

export type FaultAction = { kind: 'none' } | { kind: 'fail500' } | { kind: 'delay'; ms: number } | { kind: 'drop' } | { kind: 'rateLimit'; retryAfterSec: number };

export class Faults {
  fail500 = 0;
  delay = { count: 0, ms: 0 };
  drop = 0;
  rateLimit = { count: 0, retryAfterSec: 1 };

  /** Queues the countable faults; the rest are state changes the caller applies. */
  add(f: FaultSettings): void {
    if (f.fail500) this.fail500 += count(f.fail500, 'fail500');
    if (f.drop) this.drop += count(f.drop, 'drop');
    if (f.delay) this.delay = { count: count(f.delay.count, 'delay.count'), ms: count(f.delay.ms, 'delay.ms') };
    if (f.rateLimit) {
      this.rateLimit = {
        count: count(f.rateLimit.count, 'rateLimit.count'),
        retryAfterSec: count(f.rateLimit.retryAfterSec, 'rateLimit.retryAfterSec'),
      };
    }
  }

  /** The fault the next API request meets, consuming one. Order: drop, delay, 429, 500. */
  next(): FaultAction {
    if (this.drop > 0) {
      this.drop--;
      return { kind: 'drop' };
    }
    if (this.delay.count > 0) {
      this.delay.count--;
      return { kind: 'delay', ms: this.delay.ms };
    }
    if (this.rateLimit.count > 0) {
      this.rateLimit.count--;
      return { kind: 'rateLimit', retryAfterSec: this.rateLimit.retryAfterSec };
    }
    if (this.fail500 > 0) {
      this.fail500--;
      return { kind: 'fail500' };
    }
    return { kind: 'none' };
  }

  clear(): void {
    this.fail500 = 0;
    this.drop = 0;
    this.delay = { count: 0, ms: 0 };
    this.rateLimit = { count: 0, retryAfterSec: 1 };
  }

  pending() {
    return { fail500: this.fail500, delay: { ...this.delay }, drop: this.drop, rateLimit: { ...this.rateLimit } };
  }
}

function count(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new Error(`fault ${name} must be a non-negative integer`);
  }
  return value;
}
