// The fast path (node:crypto for digest, signature and bulk cipher) must produce exactly the
// bytes node-forge's pkcs7 would, given the same clock and random stream; and both must be
// accepted by openssl.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONTENT_CIPHERS, seal } from '../../../runtime/transport/cms/index.ts';
import { forgeSeal } from '../../../runtime/transport/cms/forge-reference.ts';
import { deterministicRandom, openssl, sharedPki, tempDir } from './helpers.ts';

describe('fast path is byte-identical to pure node-forge', async () => {
  const pki = await sharedPki();
  const opts = {
    signer: { certPem: pki.senderSigning.certPem, keyPem: pki.senderSigning.keyPem },
    recipientCertPem: pki.receiverEncryption.certPem,
  };
  const signingTime = new Date('2026-03-01T12:34:56.789Z');
  const dir = tempDir();

  it.each(CONTENT_CIPHERS)('%s', (cipher) => {
    // Long enough to need multi-byte lengths, odd-sized to exercise the padding.
    const payload = Buffer.from('Konsultasjon '.repeat(1500) + cipher, 'utf8');
    const fast = seal(payload, { ...opts, cipher }, { signingTime, random: deterministicRandom(cipher) });
    const reference = forgeSeal(payload, { ...opts, cipher }, { signingTime, random: deterministicRandom(cipher) });
    expect(fast.length).toBe(reference.length);
    expect(fast.equals(reference)).toBe(true);

    // And openssl opens and verifies it.
    const msg = join(dir, `${cipher}.p7m`);
    writeFileSync(msg, fast);
    const dec = openssl(['cms', '-decrypt', '-inform', 'DER', '-in', msg, '-recip', pki.receiverEncryption.certPath, '-inkey', pki.receiverEncryption.keyPath, '-binary']);
    expect(dec.status, dec.stderr).toBe(0);
    const ver = openssl(['cms', '-verify', '-inform', 'DER', '-CAfile', pki.ca.certPath, '-binary'], dec.stdout);
    expect(ver.status, ver.stderr).toBe(0);
    expect(ver.stdout.equals(payload)).toBe(true);
  });

  it('a different random stream gives different bytes (the hook is really used)', () => {
    const payload = Buffer.from('x');
    const a = seal(payload, opts, { signingTime, random: deterministicRandom('a') });
    const b = seal(payload, opts, { signingTime, random: deterministicRandom('b') });
    expect(a.equals(b)).toBe(false);
  });
});
