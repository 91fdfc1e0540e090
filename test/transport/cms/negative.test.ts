// What unseal refuses, and with which code: tampering, the wrong recipient, the wrong signer,
// a signature that does not match the included certificate. Where the bad message is built
// by an independent tool (openssl, node-forge), openssl's verdict is checked too.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import forge from 'node-forge';
import { describe, expect, it } from 'vitest';
import { CmsError, seal, unseal, type CmsErrorCode } from '../../../runtime/transport/cms/index.ts';
import { children, readAll } from '../../../runtime/transport/cms/der.ts';
import { openssl, sharedPki, tempDir } from './helpers.ts';

function codeOf(fn: () => unknown): CmsErrorCode | 'ok' {
  try {
    fn();
    return 'ok';
  } catch (err) {
    if (err instanceof CmsError) return err.code;
    throw err;
  }
}

describe('unseal refuses', async () => {
  const pki = await sharedPki();
  const dir = tempDir();
  const signer = { certPem: pki.senderSigning.certPem, keyPem: pki.senderSigning.keyPem };
  const recipient = { certPem: pki.receiverEncryption.certPem, keyPem: pki.receiverEncryption.keyPem };
  const payload = Buffer.from(`${'<Melding>'.padEnd(300, 'x')}</Melding>`);
  const sealed = seal(payload, { signer, recipientCertPem: recipient.certPem });
  const payloadPath = join(dir, 'payload.xml');
  writeFileSync(payloadPath, payload);
  const open = (der: Buffer, expectSigner: string | undefined = signer.certPem) => unseal(der, { recipient, expectSigner });

  /** openssl encrypts a SignedData we hand it, so the envelope itself is sound. */
  function opensslEnvelope(signedDer: Buffer, name: string): Buffer {
    const inPath = join(dir, `${name}.signed.der`);
    const outPath = join(dir, `${name}.p7m`);
    writeFileSync(inPath, signedDer);
    const r = openssl(['cms', '-encrypt', '-in', inPath, '-binary', '-aes256', '-outform', 'DER', '-out', outPath, pki.receiverEncryption.certPath]);
    expect(r.status, r.stderr).toBe(0);
    return readFileSync(outPath);
  }

  function opensslVerifies(signedDer: Buffer): boolean {
    return openssl(['cms', '-verify', '-inform', 'DER', '-CAfile', pki.ca.certPath, '-binary'], signedDer).status === 0;
  }

  it('accepts the untouched message (control)', () => {
    expect(open(sealed).content.equals(payload)).toBe(true);
  });

  it('tampered ciphertext in the last blocks: decrypt-failed', () => {
    const t = Buffer.from(sealed);
    t[t.length - 17] ^= 0xff; // last byte of the second-to-last block → the padding of the last
    expect(codeOf(() => open(t))).toBe('decrypt-failed');
  });

  it('tampered ciphertext in the middle: refused, never returned', () => {
    const t = Buffer.from(sealed);
    t[t.length - 200] ^= 0x01;
    expect(['decrypt-failed', 'malformed', 'digest-mismatch', 'bad-signature']).toContain(codeOf(() => open(t)));
  });

  it('tampered encrypted content key: decrypt-failed', () => {
    // ContentInfo → [0] → EnvelopedData → recipientInfos → first → encryptedKey
    const ed = children(children(children(readAll(sealed))[1])[0]);
    const encryptedKey = children(children(ed[1])[0])[3];
    const t = Buffer.from(sealed);
    t[encryptedKey.contentStart + 5] ^= 0x40;
    expect(codeOf(() => open(t))).toBe('decrypt-failed');
  });

  it('tampered signed content, re-encrypted by openssl: digest-mismatch', () => {
    const signedPath = join(dir, 'signed.der');
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
      signedPath,
    ]);
    expect(s.status, s.stderr).toBe(0);
    const signed = readFileSync(signedPath);
    const at = signed.indexOf(payload);
    expect(at).toBeGreaterThan(0);
    const forged = Buffer.from(signed);
    forged[at + 20] = 'y'.charCodeAt(0);
    expect(opensslVerifies(forged)).toBe(false);
    expect(opensslVerifies(signed)).toBe(true);
    expect(codeOf(() => open(opensslEnvelope(forged, 'forged')))).toBe('digest-mismatch');
  });

  it('a message for someone else: not-for-recipient', () => {
    const other = { certPem: pki.senderEncryption.certPem, keyPem: pki.senderEncryption.keyPem };
    expect(codeOf(() => unseal(sealed, { recipient: other }))).toBe('not-for-recipient');
  });

  it('our certificate with a key that is not ours: bad-key', () => {
    const wrong = { certPem: recipient.certPem, keyPem: pki.senderEncryption.keyPem };
    expect(codeOf(() => unseal(sealed, { recipient: wrong }))).toBe('bad-key');
  });

  it('validly signed by someone else: unexpected-signer', () => {
    const other = seal(payload, { signer: { certPem: pki.receiverSigning.certPem, keyPem: pki.receiverSigning.keyPem }, recipientCertPem: recipient.certPem });
    expect(open(other, pki.receiverSigning.certPem).content.equals(payload)).toBe(true);
    expect(codeOf(() => open(other))).toBe('unexpected-signer');
  });

  it('signed with a key that does not match the included certificate: bad-signature', () => {
    // node-forge does not check that key and certificate belong together; seal() does.
    const p7 = forge.pkcs7.createSignedData();
    p7.content = forge.util.createBuffer(payload.toString('binary'));
    const cert = forge.pki.certificateFromPem(signer.certPem);
    p7.addCertificate(cert);
    p7.addSigner({
      key: forge.pki.privateKeyFromPem(pki.receiverSigning.keyPem),
      certificate: cert,
      digestAlgorithm: forge.pki.oids.sha256,
      authenticatedAttributes: [{ type: forge.pki.oids.contentType, value: forge.pki.oids.data }, { type: forge.pki.oids.signingTime }, { type: forge.pki.oids.messageDigest }],
    });
    p7.sign();
    const signed = Buffer.from(forge.asn1.toDer(p7.toAsn1()).getBytes(), 'binary');
    expect(opensslVerifies(signed)).toBe(false);
    expect(codeOf(() => open(opensslEnvelope(signed, 'wrong-key')))).toBe('bad-signature');
    // seal() refuses to produce such a message at all.
    expect(codeOf(() => seal(payload, { signer: { certPem: signer.certPem, keyPem: pki.receiverSigning.keyPem }, recipientCertPem: recipient.certPem }))).toBe('bad-key');
  });

  it('a signed contentType that differs from the content type: content-type-mismatch', () => {
    const p7 = forge.pkcs7.createSignedData();
    p7.content = forge.util.createBuffer(payload.toString('binary'));
    p7.addCertificate(signer.certPem);
    p7.addSigner({
      key: forge.pki.privateKeyFromPem(signer.keyPem),
      certificate: signer.certPem,
      digestAlgorithm: forge.pki.oids.sha256,
      authenticatedAttributes: [{ type: forge.pki.oids.contentType, value: forge.pki.oids.signedData }, { type: forge.pki.oids.messageDigest }],
    });
    p7.sign();
    const signed = Buffer.from(forge.asn1.toDer(p7.toAsn1()).getBytes(), 'binary');
    expect(codeOf(() => open(opensslEnvelope(signed, 'content-type')))).toBe('content-type-mismatch');
  });

  it('no certificate in the message: signer-not-found, unless the expected signer is given', () => {
    const signedPath = join(dir, 'nocerts.der');
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
      '-nocerts',
      '-outform',
      'DER',
      '-out',
      signedPath,
    ]);
    expect(s.status, s.stderr).toBe(0);
    const msg = opensslEnvelope(readFileSync(signedPath), 'nocerts');
    expect(codeOf(() => unseal(msg, { recipient }))).toBe('signer-not-found');
    expect(open(msg, signer.certPem).content.equals(payload)).toBe(true);
  });

  it('a signed-only message and garbage: malformed', () => {
    const signedPath = join(dir, 'plain-signed.der');
    openssl([
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
      signedPath,
    ]);
    expect(codeOf(() => open(readFileSync(signedPath)))).toBe('malformed');
    expect(codeOf(() => open(Buffer.from('not CMS at all')))).toBe('malformed');
    expect(codeOf(() => open(sealed.subarray(0, sealed.length - 10)))).toBe('malformed');
  });

  it('SHA-1 signatures: unsupported-algorithm', () => {
    const signedPath = join(dir, 'sha1.der');
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
      'sha1',
      '-binary',
      '-nodetach',
      '-outform',
      'DER',
      '-out',
      signedPath,
    ]);
    expect(s.status, s.stderr).toBe(0);
    expect(codeOf(() => open(opensslEnvelope(readFileSync(signedPath), 'sha1')))).toBe('unsupported-algorithm');
  });
});
