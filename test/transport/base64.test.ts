// The payload's base64 (runtime/transport/base64.ts) against Node's own encoder, and the request
// body built around it against JSON.stringify of the envelope.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base64Decode, base64Into, base64Length } from '../../runtime/transport/base64.ts';
import { isBase64 } from './base64-oracle.ts';
import { buildEnvelope, envelopeBody } from '../../runtime/transport/kpr-client/envelope.ts';

const encode = (bytes: Uint8Array) => {
  const out = Buffer.alloc(base64Length(bytes.length) + 3);
  const end = base64Into(bytes, out, 3);
  return out.subarray(3, end).toString('latin1');
};

describe('base64Into', () => {
  it('writes what Buffer#toString("base64") gives, for every length and offset', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        expect(encode(bytes)).toBe(Buffer.from(bytes).toString('base64'));
      }),
      { numRuns: 500 },
    );
    const big = Buffer.from(Array.from({ length: 200_003 }, (_, i) => (i * 7919) & 255));
    expect(encode(big)).toBe(big.toString('base64'));
  });

  it('refuses an output too small for the text', () => {
    expect(() => base64Into(Buffer.from('abcd'), Buffer.alloc(7), 0)).toThrow(RangeError);
  });
});

describe('isBase64', () => {
  it('accepts what Node encodes, with or without its padding', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 200 }), fc.boolean(), (bytes, unpadded) => {
        const text = Buffer.from(bytes).toString('base64');
        expect(isBase64(unpadded ? text.replace(/=+$/, '') : text)).toBe(true);
      }),
    );
  });

  it('refuses a foreign character, padding in the middle, too much padding, and a length that is no whole byte', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 3, maxLength: 200 }), fc.nat(), fc.constantFrom('!', ' ', '\n', '-', '_', 'é', '=', '.'), (bytes, at, bad) => {
        const text = Buffer.from(bytes).toString('base64').replace(/=+$/, '');
        const i = at % text.length; // inside the text: '=' there is padding in the middle
        expect(isBase64(text.slice(0, i) + bad + text.slice(i))).toBe(false);
      }),
    );
    expect(isBase64('')).toBe(false);
    expect(isBase64('QQ===')).toBe(false);
    expect(isBase64('QUJDRA=')).toBe(false); // padded, but not to a multiple of four
    expect(isBase64('QUJDR')).toBe(false); // five characters: 30 bits, not whole bytes
    expect(isBase64('QUJDRA')).toBe(true);
  });
});

describe('base64Decode', () => {
  it('gives back the bytes, as Node decodes them, from padded and unpadded text inside a larger buffer', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 300 }), fc.boolean(), (bytes, unpadded) => {
        let text = Buffer.from(bytes).toString('base64');
        if (unpadded) text = text.replace(/=+$/, '');
        const body = Buffer.from(`{"payload":"${text}"}`, 'latin1');
        const decoded = base64Decode(body, 12, 12 + text.length);
        expect(decoded && Buffer.from(decoded).equals(Buffer.from(bytes))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('decodes exactly what isBase64 accepts', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=!-_ ';
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...alphabet), maxLength: 24 }), (text) => {
        const decoded = base64Decode(Buffer.from(text, 'latin1'));
        expect(decoded !== undefined).toBe(isBase64(text));
        if (decoded) expect(decoded.equals(Buffer.from(text, 'base64'))).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('envelopeBody', () => {
  it('is JSON.stringify of the envelope, byte for byte, also with non-ASCII in the header', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 500 }), fc.string(), fc.integer({ min: 1, max: 99_999_999 }), (payload, messageType, herId) => {
        const parts = {
          fromHerId: herId,
          toHerId: 8139520,
          messageType,
          messageVersion: '56.0.0',
          messageId: 'b8c6f0d2-8f57-4a1e-9a57-1f6f0b9e2c11',
          payload: Buffer.from(payload),
        };
        expect(envelopeBody(parts).equals(Buffer.from(JSON.stringify(buildEnvelope(parts)), 'utf8'))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
