// Faults of the SLASH stand-in, set at start or by POST /sandbox/faults under `slash`: answers
// with any FHI code, 5xx, held or dropped requests, and the key faults. Token expiry and DPoP
// nonce rotation are the HelseID stand-in's, shared with the 2021 API.
import type { KeysAnswerFault } from './keyring.ts';

export interface SlashFaultSettings {
  clear?: boolean;
  /** Answer the next `count` messages with this FHI code (400, or 500 for 2010). */
  answerCode?: { code: number; count: number };
  /** Answer the next N messages with 500. */
  fail500?: number;
  /** Destroy the socket of the next N messages without answering. */
  drop?: number;
  /** Hold the next `count` messages for `ms` first (past the client's timeout). */
  delay?: { count: number; ms: number };
  /** Publish a new key and forget the old one. */
  rotateKey?: boolean;
  /** Let the current key expire now and publish a new one. */
  expireKey?: boolean;
  /** Make `/keys` answer badly until set to null. */
  keys?: KeysAnswerFault | null;
}

export type SlashFault = { kind: 'none' } | { kind: 'drop' } | { kind: 'delay'; ms: number } | { kind: 'fail500' } | { kind: 'code'; code: number };

function count(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw new Error(`fault slash.${name} must be a non-negative integer`);
  return value;
}

export class SlashFaults {
  private drop = 0;
  private fail500 = 0;
  private delay = { count: 0, ms: 0 };
  private code = { code: 0, count: 0 };

  add(f: SlashFaultSettings): void {
    if (f.clear) this.clear();
    if (f.drop) this.drop += count(f.drop, 'drop');
    if (f.fail500) this.fail500 += count(f.fail500, 'fail500');
    if (f.delay) this.delay = { count: count(f.delay.count, 'delay.count'), ms: count(f.delay.ms, 'delay.ms') };
    if (f.answerCode) {
      const c = count(f.answerCode.code, 'answerCode.code');
      if (c < 1001 || c > 2999) throw new Error('fault slash.answerCode.code must be an FHI code (1001-2010)');
      this.code = { code: c, count: count(f.answerCode.count, 'answerCode.count') };
    }
  }

  /** The fault the next message meets. Order: drop, delay, 500, code. */
  next(): SlashFault {
    if (this.drop > 0) {
      this.drop--;
      return { kind: 'drop' };
    }
    if (this.delay.count > 0) {
      this.delay.count--;
      return { kind: 'delay', ms: this.delay.ms };
    }
    if (this.fail500 > 0) {
      this.fail500--;
      return { kind: 'fail500' };
    }
    if (this.code.count > 0) {
      this.code.count--;
      return { kind: 'code', code: this.code.code };
    }
    return { kind: 'none' };
  }

  clear(): void {
    this.drop = 0;
    this.fail500 = 0;
    this.delay = { count: 0, ms: 0 };
    this.code = { code: 0, count: 0 };
  }

  pending() {
    return { drop: this.drop, fail500: this.fail500, delay: { ...this.delay }, answerCode: { ...this.code } };
  }
}
