// The SLASH stand-in's own RSA keys, published at `/keys`: one current key, and the faults a
// sender meets when FHI rotates (the old id is forgotten: 1004) or a key runs out (1007 while
// a newer key is already published). `/keys` itself can be made to answer an empty, malformed
// or expired-only list.
import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';

export interface ReceiverKey {
  id: string;
  expiresAt: number;
  publicKeyPem: string;
  privateKey: KeyObject;
}

export type KeysAnswerFault = 'empty' | 'malformed' | 'expired';

const DAY = 86_400_000;

export function newReceiverKey(expiresAt: number): ReceiverKey {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { id: randomUUID(), expiresAt, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(), privateKey };
}

export class Keyring {
  /** Every key the receiver still knows, newest last; only unexpired ones are published. */
  private readonly store: ReceiverKey[] = [];
  keysFault: KeysAnswerFault | undefined;

  constructor(
    first?: ReceiverKey,
    private readonly now: () => number = Date.now,
    readonly lifetimeMs = 90 * DAY,
  ) {
    if (first) this.store.push(first);
  }

  /** The first key is made when SLASH is first used: a sandbox serving only the 2021 API never pays for it. */
  private get keys(): ReceiverKey[] {
    if (!this.store.length) this.store.push(newReceiverKey(this.now() + this.lifetimeMs));
    return this.store;
  }

  get current(): ReceiverKey {
    return this.keys[this.keys.length - 1]!;
  }

  find(id: string): ReceiverKey | undefined {
    return this.keys.find((k) => k.id === id);
  }

  /** FHI replaces its key: a new one is published and the old id becomes unknown (1004). */
  rotate(next = newReceiverKey(this.now() + this.lifetimeMs)): void {
    this.keys.splice(0, this.keys.length, next);
  }

  /** The current key runs out now (1007 for messages wrapped with it); a new one is published. */
  expireCurrent(next = newReceiverKey(this.now() + this.lifetimeMs)): void {
    this.current.expiresAt = this.now() - 1000;
    this.keys.push(next);
  }

  /** The body of `GET /keys`, as FHI's sender reads it: `[{id, expirationDate, publicKey}]`. */
  published(): unknown {
    switch (this.keysFault) {
      case 'empty':
        return [];
      case 'malformed':
        return [{ id: this.current.id, expirationDate: 'tomorrow', publicKey: 'not a key' }];
      case 'expired':
        return this.keys.map((k) => ({ id: k.id, expirationDate: new Date(Math.min(k.expiresAt, this.now() - DAY)).toISOString(), publicKey: k.publicKeyPem }));
    }
    return this.keys.filter((k) => k.expiresAt > this.now()).map((k) => ({ id: k.id, expirationDate: new Date(k.expiresAt).toISOString(), publicKey: k.publicKeyPem }));
  }
}
