// Interoperability with openssl cms, both ways, for every cipher: openssl signs and encrypts,
// we unseal; we seal, openssl decrypts and verifies against the test CA.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { seal, unseal, type ContentCipher } from '../../../runtime/transport/cms/index.ts';
import { openssl, sharedPki, tempDir } from './helpers.ts';

const OPENSSL_CIPHER: Record<ContentCipher, string> = {
  'aes-256-cbc': '-aes256',
  'aes-192-cbc': '-aes192',
  'aes-128-cbc': '-aes128',
  'des-ede3-cbc': '-des3',
};

describe('openssl cms interop', async () => {
  const pki = await sharedPki();
  const dir = tempDir();
  const recipient = { certPem: pki.receiverEncryption.certPem, keyPem: pki.receiverEncryption.keyPem };
  const signer = { certPem: pki.senderSigning.certPem, keyPem: pki.senderSigning.keyPem };
  // Binary payload with CR/LF and NULs: -binary must keep it as is, and so must we.
  const payload = Buffer.concat([Buffer.from('<Melding versjon="56.0.0">\r\n\u00e6\u00f8\u00e5\n', 'utf8'), Buffer.from([0, 1, 2, 255, 13, 10])]);
  const payloadPath = join(dir, 'payload.bin');
  writeFileSync(payloadPath, payload);

  function opensslSeal(cipher: ContentCipher, stream: boolean): Buffer {
    const signed = join(dir, `signed-${cipher}-${stream}.der`);
    const enveloped = join(dir, `sealed-${cipher}-${stream}.p7m`);
    const s = openssl([
      'cms',
      '-sign',
      '-in',
      payloadPath,
      '-signer',
      pki.senderSigning.certPath,
      '-inkey',
      pki.senderSigning.keyPath,
      '-md',
      'sha256',
      '-binary',
      '-nodetach',
      '-outform',
      'DER',
      '-out',
      signed,
      ...(stream ? ['-stream'] : []),
    ]);
    expect(s.status, s.stderr).toBe(0);
    const e = openssl([
      'cms',
      '-encrypt',
      '-in',
      signed,
      '-binary',
      OPENSSL_CIPHER[cipher],
      '-outform',
      'DER',
      '-out',
      enveloped,
      ...(stream ? ['-stream'] : []),
      pki.receiverEncryption.certPath,
    ]);
    expect(e.status, e.stderr).toBe(0);
    return readFileSync(enveloped);
  }

  describe.each(Object.keys(OPENSSL_CIPHER) as ContentCipher[])('%s', (cipher) => {
    it('openssl sign + encrypt → our unseal', () => {
      const out = unseal(opensslSeal(cipher, false), { recipient, expectSigner: signer.certPem });
      expect(out.content.equals(payload)).toBe(true);
      expect(out.signingTime).toBeInstanceOf(Date);
    });

    it('our seal → openssl decrypt + verify against the CA', () => {
      const msg = join(dir, `ours-${cipher}.p7m`);
      writeFileSync(msg, seal(payload, { signer, recipientCertPem: recipient.certPem, cipher }));
      const dec = openssl(['cms', '-decrypt', '-inform', 'DER', '-in', msg, '-recip', pki.receiverEncryption.certPath, '-inkey', pki.receiverEncryption.keyPath, '-binary']);
      expect(dec.status, dec.stderr).toBe(0);
      const ver = openssl(['cms', '-verify', '-inform', 'DER', '-CAfile', pki.ca.certPath, '-binary'], dec.stdout);
      expect(ver.status, ver.stderr).toBe(0);
      expect(ver.stderr).toMatch(/Verification successful/);
      expect(ver.stdout.equals(payload)).toBe(true);
      // openssl reports which cipher it found.
      const info = openssl(['cms', '-cmsout', '-print', '-inform', 'DER', '-in', msg]);
      expect(info.stdout.toString()).toContain(cipher === 'des-ede3-cbc' ? 'des-ede3-cbc' : cipher);
    });
  });

  it('reads openssl streamed (indefinite-length BER) output', () => {
    const der = opensslSeal('aes-256-cbc', true);
    expect(der[1]).toBe(0x80); // indefinite length at the top
    expect(unseal(der, { recipient, expectSigner: signer.certPem }).content.equals(payload)).toBe(true);
  });
});
