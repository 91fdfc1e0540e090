// The test PKI: generated once with the documented names, reused afterwards, keys private,
// every certificate chaining to the CA in openssl's eyes and marked TEST.
import { createPublicKey, X509Certificate } from 'node:crypto';
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureTestPki, PKI_FILES } from '../../../runtime/transport/pki/index.ts';
import { openssl, tempDir } from '../cms/helpers.ts';

describe('ensureTestPki', () => {
  it('generates the documented files once and reuses them', async () => {
    const dir = join(tempDir('kpr-pki-'), 'pki');
    const a = await ensureTestPki(dir);
    expect(readdirSync(dir).sort()).toEqual(
      [
        'ca.key',
        'ca.pem',
        'p12-pass.txt',
        'pki.json',
        'receiver-enc.key',
        'receiver-enc.pem',
        'receiver-sign.key',
        'receiver-sign.pem',
        'sender-enc.key',
        'sender-enc.p12',
        'sender-enc.pem',
        'sender-sign.key',
        'sender-sign.p12',
        'sender-sign.pem',
      ].sort(),
    );
    expect(statSync(a.senderSigning.keyPath).mode & 0o077).toBe(0);
    const b = await ensureTestPki(dir);
    expect(b.senderSigning.certPem).toBe(a.senderSigning.certPem);

    for (const party of [a.senderSigning, a.senderEncryption, a.receiverEncryption, a.receiverSigning]) {
      const x = new X509Certificate(party.certPem);
      expect(x.subject).toMatch(/TEST/);
      expect(x.publicKey.export({ type: 'spki', format: 'der' }).equals(createPublicKey(party.keyPem).export({ type: 'spki', format: 'der' }))).toBe(true);
      const v = openssl(['verify', '-CAfile', a.ca.certPath, party.certPath]);
      expect(v.status, v.stderr).toBe(0);
    }
  });

  it('fills a folder that already holds other files, manifest last', async () => {
    const dir = tempDir('kpr-pki-busy-');
    writeFileSync(join(dir, 'README'), 'other things live here\n');
    const pki = await ensureTestPki(dir);
    expect(readdirSync(dir)).toContain(PKI_FILES.manifest);
    expect(readdirSync(dir)).toContain('README');
    expect(new X509Certificate(pki.receiverEncryption.certPem).subject).toMatch(/Mottaker kryptering/);
  });
});
