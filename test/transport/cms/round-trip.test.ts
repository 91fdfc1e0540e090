// seal → unseal round trips for every cipher, and what unseal reports about the signer.
import { describe, expect, it } from 'vitest';
import { CONTENT_CIPHERS, seal, unseal } from '../../../runtime/transport/cms/index.ts';
import { sharedPki } from './helpers.ts';

describe('seal/unseal round trip', async () => {
  const pki = await sharedPki();
  const signer = { certPem: pki.senderSigning.certPem, keyPem: pki.senderSigning.keyPem };
  const recipient = { certPem: pki.receiverEncryption.certPem, keyPem: pki.receiverEncryption.keyPem };

  it.each(CONTENT_CIPHERS)('%s', (cipher) => {
    const payload = Buffer.from(`<Melding>æøå ${cipher}</Melding>`, 'utf8');
    const sealed = seal(payload, { signer, recipientCertPem: recipient.certPem, cipher });
    expect(sealed.includes(payload)).toBe(false);
    const before = new Date(Date.now() - 2000);
    const out = unseal(sealed, { recipient, expectSigner: signer.certPem });
    expect(out.content.equals(payload)).toBe(true);
    expect(out.signerCertPem.replace(/\s/g, '')).toBe(signer.certPem.replace(/\s/g, ''));
    expect(out.signingTime!.getTime()).toBeGreaterThanOrEqual(before.getTime());
  });

  it('handles empty and 1 MB payloads', () => {
    for (const payload of [Buffer.alloc(0), Buffer.alloc(1024 * 1024, 7)]) {
      const sealed = seal(payload, { signer, recipientCertPem: recipient.certPem });
      expect(unseal(sealed, { recipient }).content.equals(payload)).toBe(true);
    }
  });

  it('two seals of the same payload differ (fresh content key and IV)', () => {
    const payload = Buffer.from('same');
    const a = seal(payload, { signer, recipientCertPem: recipient.certPem });
    const b = seal(payload, { signer, recipientCertPem: recipient.certPem });
    expect(a.equals(b)).toBe(false);
  });
});
