// SLASH protection judged by openssl (both directions) and by property tests of the round trip.
import { createHash, generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeEncSymKey, msgHashOf, protect, unprotect, UnprotectError, unwrapKey } from '../../../runtime/transport/slash/protect.ts';
import { opensslOpen, opensslProtect } from './openssl.ts';

const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
const publicPem = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const privatePem = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
const KEY = { id: 'key-2026-12', publicKey: publicPem };

const sample = Buffer.from(JSON.stringify([{ orgNr: 481831253, kommuneNr: 3253, avtale: [{ avtaleId: 'A1', note: 'æøå – «»' }] }]), 'utf8');

describe('protect, judged by openssl', () => {
  it('openssl opens the wrapped key, decrypts the exact JSON, and its SHA-256 is msg_hash', () => {
    const p = protect(sample, KEY);
    expect(p.encKeyId).toBe('key-2026-12');
    expect(p.msgHash).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(p.encSymKey).toMatch(/^[A-Za-z0-9_-]+$/); // base64url, no padding
    expect(p.body).toMatch(/^[A-Za-z0-9+/]+={0,2}$/); // standard base64
    const opened = opensslOpen(p, privatePem);
    expect(opened.symKey).toHaveLength(32);
    expect(opened.json.equals(sample)).toBe(true);
    expect(opened.sha256.toString('base64url')).toBe(p.msgHash);
  });

  it('the IV is in front: the first 16 bytes differ between two protections of the same JSON', () => {
    const a = Buffer.from(protect(sample, KEY).body.toString(), 'base64');
    const b = Buffer.from(protect(sample, KEY).body.toString(), 'base64');
    expect(a.subarray(0, 16).equals(b.subarray(0, 16))).toBe(false);
    expect(a.length).toBe(16 + Math.ceil((sample.length + 1) / 16) * 16); // PKCS#7 always pads
  });

  it('openssl protects, our receiver opens (enc_sym_key in standard base64 and in base64url)', () => {
    const o = opensslProtect(sample, publicPem);
    expect(unprotect(o.body, o.encSymKeyStd, privatePem).equals(sample)).toBe(true);
    const url = Buffer.from(o.encSymKeyStd, 'base64').toString('base64url');
    expect(unprotect(o.body, url, privatePem).equals(sample)).toBe(true);
    expect(msgHashOf(sample)).toBe(o.msgHash);
  });
});

describe('protect, properties', () => {
  it('unprotect(protect(x)) = x, and msg_hash is SHA-256 of x, for any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), (bytes) => {
        const p = protect(bytes, KEY);
        expect(unprotect(p.body, p.encSymKey, pair.privateKey).equals(Buffer.from(bytes))).toBe(true);
        expect(p.msgHash).toBe(createHash('sha256').update(bytes).digest('base64url'));
      }),
      { numRuns: 60 },
    );
  });

  it('enc_sym_key decodes the same from base64url, standard base64, with or without padding', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 600 }), (bytes) => {
        const b = Buffer.from(bytes);
        for (const text of [b.toString('base64url'), b.toString('base64'), b.toString('base64').replace(/=+$/, '')]) {
          expect(decodeEncSymKey(text)?.equals(b)).toBe(true);
        }
      }),
    );
  });

  it('a flipped bit in the body never gives back the original JSON silently', () => {
    const p = protect(sample, KEY);
    const sealed = Buffer.from(p.body.toString(), 'base64');
    fc.assert(
      fc.property(fc.nat(sealed.length * 8 - 1), (bit) => {
        const t = Buffer.from(sealed);
        t[bit >> 3]! ^= 1 << (bit & 7);
        let out: Buffer | undefined;
        try {
          out = unprotect(t.toString('base64'), p.encSymKey, pair.privateKey);
        } catch (err) {
          expect(err).toBeInstanceOf(UnprotectError);
          return;
        }
        // CBC has no integrity of its own: msg_hash is what catches this.
        expect(msgHashOf(out)).not.toBe(p.msgHash);
      }),
      { numRuns: 80 },
    );
  });
});

describe('unprotect errors say which stage failed', () => {
  it.each([
    ['a wrapped key for another private key', (p: ReturnType<typeof protect>) => unwrapKey(p.encSymKey, other), 'asymmetric'],
    ['enc_sym_key that is not base64', () => unwrapKey('not base64!', pair.privateKey), 'asymmetric'],
    ['a body that is not base64', (p: ReturnType<typeof protect>) => unprotect('%%%', p.encSymKey, pair.privateKey), 'symmetric'],
    ['a body cut short', (p: ReturnType<typeof protect>) => unprotect(p.body.slice(0, 20), p.encSymKey, pair.privateKey), 'symmetric'],
  ])('%s', (_name, act, stage) => {
    const p = protect(sample, KEY);
    let caught: unknown;
    try {
      act(p);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(UnprotectError);
    expect((caught as UnprotectError).stage).toBe(stage);
  });
});
