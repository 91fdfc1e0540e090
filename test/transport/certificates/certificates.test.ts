// Certificate loading (PEM, PKCS#12), inspection, fitness for signing/encryption, expiry
// warnings and the file/folder lookup of a receiver's encryption certificate.
import { X509Certificate } from 'node:crypto';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  assertFitFor,
  CertificateError,
  expiryWarning,
  fileRecipientCertificates,
  inspectCertificate,
  loadCredentials,
  usageProblems,
} from '../../../runtime/transport/certificates/index.ts';
import { issueCertificate, TEST_ORG_NUMBERS } from '../../../runtime/transport/pki/index.ts';
import { openssl, sharedPki, tempDir } from '../cms/helpers.ts';

const sameCert = (a: string, b: string) => new X509Certificate(a).raw.equals(new X509Certificate(b).raw);

async function codeOf(fn: () => unknown): Promise<string | undefined> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof CertificateError) return err.code;
    throw err;
  }
  return undefined;
}

describe('certificates', async () => {
  const pki = await sharedPki();
  const dir = tempDir('kpr-cert-');
  const DAY = 86_400_000;

  it('loads a PEM certificate, and a PEM with certificate and key', () => {
    const only = loadCredentials(pki.senderSigning.certPath);
    expect(sameCert(only.certPem, pki.senderSigning.certPem)).toBe(true);
    expect(only.keyPem).toBeUndefined();
    const both = join(dir, 'both.pem');
    // Key first and the CA in between: the key's certificate still comes out first.
    writeFileSync(both, pki.senderSigning.keyPem + pki.ca.certPem + pki.senderSigning.certPem);
    const loaded = loadCredentials(both);
    expect(loaded.certPems).toHaveLength(2);
    expect(sameCert(loaded.certPem, pki.senderSigning.certPem)).toBe(true);
    expect(loaded.keyPem).toMatch(/BEGIN PRIVATE KEY/);
    // A key-only file gives its key; asking it for a certificate is an error.
    const keyOnly = loadCredentials(pki.senderSigning.keyPath);
    expect(keyOnly.keyPem).toMatch(/BEGIN PRIVATE KEY/);
    expect(keyOnly.certPems).toEqual([]);
    expect(() => keyOnly.certPem).toThrow(/holds a key but no certificate/);
  });

  it('loads the PKCS#12 bundle with the passphrase from a file, as openssl does', async () => {
    const loaded = loadCredentials(pki.senderSigning.p12Path, { passphraseFile: pki.p12PassPath });
    expect(sameCert(loaded.certPem, pki.senderSigning.certPem)).toBe(true);
    expect(loaded.certPems.some((c) => sameCert(c, pki.ca.certPem))).toBe(true);
    expect(loaded.keyPem).toMatch(/BEGIN PRIVATE KEY/);
    // The independent reader agrees on the certificate inside.
    const r = openssl(['pkcs12', '-in', pki.senderSigning.p12Path, '-passin', `file:${pki.p12PassPath}`, '-nokeys', '-clcerts']);
    expect(r.status, r.stderr).toBe(0);
    expect(sameCert(r.stdout.toString(), loaded.certPem)).toBe(true);

    const wrong = join(dir, 'wrong-pass.txt');
    writeFileSync(wrong, 'not the passphrase\n');
    expect(await codeOf(() => loadCredentials(pki.senderSigning.p12Path, { passphraseFile: wrong }))).toBe('bad-passphrase');
    expect(await codeOf(() => loadCredentials(pki.senderSigning.p12Path))).toBe('bad-passphrase');
    expect(await codeOf(() => loadCredentials(join(dir, 'missing.p12')))).toBe('not-found');
  });

  it('reports subject, organisation number, serial and key usage', () => {
    const r = inspectCertificate(pki.senderSigning.certPem);
    expect(r.subject).toContain('CN=TEST Avsender signering');
    expect(r.orgNumber).toBe(TEST_ORG_NUMBERS.sender);
    expect(r.keyUsage).toEqual(['nonRepudiation']);
    expect(r.status).toBe('valid');
    const serial = openssl(['x509', '-in', pki.senderSigning.certPath, '-noout', '-serial']).stdout.toString().trim();
    expect(serial).toBe(`serial=${r.serialNumber}`);
    expect(inspectCertificate(pki.receiverEncryption.certPem).keyUsage).toEqual(['keyEncipherment']);
    expect(inspectCertificate(pki.ca.certPem).keyUsage).toEqual(['keyCertSign', 'cRLSign']);
  });

  it('checks key usage for the purpose', async () => {
    expect(usageProblems(inspectCertificate(pki.senderSigning.certPem), 'signing')).toEqual([]);
    expect(await codeOf(() => assertFitFor(pki.senderSigning.certPem, 'encryption'))).toBe('key-usage');
    expect(usageProblems(inspectCertificate(pki.receiverEncryption.certPem), 'encryption')).toEqual([]);
    expect(await codeOf(() => assertFitFor(pki.receiverEncryption.certPem, 'signing'))).toBe('key-usage');
  });

  it('warns ahead of expiry and refuses expired certificates', async () => {
    const soon = issueCertificate({
      commonName: 'TEST utløper snart',
      orgNumber: TEST_ORG_NUMBERS.sender,
      keyUsage: ['nonRepudiation'],
      issuer: pki.ca,
      notAfter: new Date(Date.now() + 10 * DAY),
    });
    const r = inspectCertificate(soon.certPem, { warnDays: 60 });
    expect(r.status).toBe('expiring');
    expect(r.daysLeft).toBeGreaterThanOrEqual(9);
    expect(r.daysLeft).toBeLessThanOrEqual(10);
    expect(expiryWarning(r)).toMatch(/expires in (9|10) day/);
    expect(inspectCertificate(soon.certPem, { warnDays: 5 }).status).toBe('valid');
    expect(expiryWarning(inspectCertificate(soon.certPem, { warnDays: 5 }))).toBeUndefined();
    // Still fit: expiring is a warning, not a refusal.
    expect(assertFitFor(soon.certPem, 'signing').status).toBe('expiring');

    const gone = issueCertificate({
      commonName: 'TEST utløpt',
      keyUsage: ['nonRepudiation'],
      issuer: pki.ca,
      notBefore: new Date(Date.now() - 30 * DAY),
      notAfter: new Date(Date.now() - DAY),
    });
    expect(inspectCertificate(gone.certPem).status).toBe('expired');
    expect(await codeOf(() => assertFitFor(gone.certPem, 'signing'))).toBe('expired');
  });

  it('looks up the receiver certificate from a file or a folder by HER-id', async () => {
    const fromFile = fileRecipientCertificates(pki.receiverEncryption.certPath);
    expect(sameCert(await fromFile.forHerId(8094866), pki.receiverEncryption.certPem)).toBe(true);

    const folder = join(dir, 'recipients');
    mkdirSync(folder);
    copyFileSync(pki.receiverEncryption.certPath, join(folder, '8094866.pem'));
    copyFileSync(pki.senderSigning.certPath, join(folder, '1234.pem'));
    const fromFolder = fileRecipientCertificates(folder);
    expect(sameCert(await fromFolder.forHerId(8094866), pki.receiverEncryption.certPem)).toBe(true);
    expect(await codeOf(() => fromFolder.forHerId(42))).toBe('not-found');
    // A signing certificate is not something to encrypt for.
    expect(await codeOf(() => fromFolder.forHerId(1234))).toBe('key-usage');
  });
});
