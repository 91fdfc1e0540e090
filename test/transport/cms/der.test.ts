// The DER writer and reader agree with each other and with node-forge's ASN.1 on lengths at
// every boundary, and streaming a tree in chunks gives the same bytes as serialising it whole.
import fc from 'fast-check';
import forge from 'node-forge';
import { describe, expect, it } from 'vitest';
import { children, chunks, content, node, octets, octetValue, oid, oidToString, readAll, seq, TAG, toBuffer } from '../../../runtime/transport/cms/der.ts';

const forgeOctets = (b: Buffer) =>
  Buffer.from(forge.asn1.toDer(forge.asn1.create(forge.asn1.Class.UNIVERSAL, forge.asn1.Type.OCTETSTRING, false, b.toString('binary'))).getBytes(), 'binary');

describe('der', () => {
  it.each([0, 1, 127, 128, 255, 256, 65535, 65536, 70000])('octet string of %i bytes matches node-forge', (n) => {
    const b = Buffer.alloc(n, 0xab);
    const ours = toBuffer(octets(b));
    expect(ours.equals(forgeOctets(b))).toBe(true);
    expect(content(readAll(ours)).equals(b)).toBe(true);
  });

  it('chunks() concatenated equals toBuffer(), for any tree shape', () => {
    const leaf = fc.uint8Array({ maxLength: 40_000 }).map((a) => octets(Buffer.from(a)));
    const tree = fc.letrec<{ t: ReturnType<typeof seq> }>((tie) => ({
      t: fc.oneof(
        { depthSize: 'small' },
        leaf,
        fc.array(tie('t'), { maxLength: 4 }).map((xs) => seq(...xs)),
      ),
    })).t;
    fc.assert(
      fc.property(tree, fc.integer({ min: 1, max: 50_000 }), (t, coalesce) => {
        expect(Buffer.concat([...chunks(t, coalesce)]).equals(toBuffer(t))).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it('OIDs round-trip', () => {
    for (const o of ['1.2.840.113549.1.7.3', '2.16.840.1.101.3.4.1.42', '2.5.29.15', '1.2.840.113549.3.7']) {
      expect(oidToString(content(readAll(oid(o))))).toBe(o);
    }
  });

  it('reads indefinite lengths and constructed octet strings (BER)', () => {
    // SEQUENCE (indefinite) { OCTET STRING (constructed, indefinite) { "ab", "cd" } }
    const ber = Buffer.from([0x30, 0x80, 0x24, 0x80, 0x04, 0x02, 0x61, 0x62, 0x04, 0x02, 0x63, 0x64, 0x00, 0x00, 0x00, 0x00]);
    const outer = readAll(ber);
    expect(outer.end).toBe(ber.length);
    expect(octetValue(children(outer)[0]).toString()).toBe('abcd');
    expect(() => readAll(ber.subarray(0, ber.length - 1))).toThrow();
    expect(() => readAll(Buffer.concat([toBuffer(node(TAG.SEQUENCE)), Buffer.from([0])]))).toThrow(/trailing/);
  });
});
