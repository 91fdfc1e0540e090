// Issues test certificates: keys from node:crypto (fast, native), certificates built and
// signed with node-forge. For tests and development only; never for production use.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';

export type KeyUsageName = 'digitalSignature' | 'nonRepudiation' | 'keyEncipherment' | 'dataEncipherment' | 'keyCertSign' | 'cRLSign';

export interface KeyPairPem {
  certPem: string;
  keyPem: string;
}

export interface IssueOptions {
  commonName: string;
  organisation?: string;
  /** Organisation number, written to the subject serialNumber like Buypass and Commfides do. */
  orgNumber?: string;
  keyUsage: KeyUsageName[];
  /** Issuer; omit to make a self-signed CA. */
  issuer?: KeyPairPem;
  notBefore?: Date;
  notAfter?: Date;
  modulusLength?: number;
}

const DAY = 86_400_000;

export function generateRsaKeyPem(modulusLength = 2048): { publicKeyPem: string; keyPem: string } {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { publicKeyPem: publicKey, keyPem: privateKey };
}

export function issueCertificate(opts: IssueOptions): KeyPairPem {
  const { publicKeyPem, keyPem } = generateRsaKeyPem(opts.modulusLength);
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKeyPem);
  // Positive 16-byte serial: the first byte's top bit is clear.
  const serial = randomBytes(16);
  serial[0] = (serial[0] & 0x7f) | 0x10;
  cert.serialNumber = serial.toString('hex');
  const now = Date.now();
  cert.validity.notBefore = opts.notBefore ?? new Date(now - DAY);
  cert.validity.notAfter = opts.notAfter ?? new Date(now + 2 * 365 * DAY);

  const subject: forge.pki.CertificateField[] = [{ shortName: 'C', value: 'NO' }];
  if (opts.organisation) subject.push({ shortName: 'O', value: opts.organisation });
  subject.push({ shortName: 'CN', value: opts.commonName });
  if (opts.orgNumber) subject.push({ name: 'serialNumber', value: opts.orgNumber });
  cert.setSubject(subject);

  const isCa = !opts.issuer;
  const issuerCert = opts.issuer ? forge.pki.certificateFromPem(opts.issuer.certPem) : cert;
  cert.setIssuer(issuerCert.subject.attributes);

  const extensions: object[] = [
    { name: 'basicConstraints', cA: isCa, critical: true },
    { name: 'keyUsage', critical: true, ...Object.fromEntries(opts.keyUsage.map((k) => [k, true])) },
    { name: 'subjectKeyIdentifier' },
  ];
  if (!isCa) {
    extensions.push({ name: 'authorityKeyIdentifier', keyIdentifier: issuerCert.generateSubjectKeyIdentifier().getBytes() });
  }
  cert.setExtensions(extensions);

  const signingKey = forge.pki.privateKeyFromPem(opts.issuer ? opts.issuer.keyPem : keyPem);
  cert.sign(signingKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem };
}

/** A PKCS#12 bundle (key, certificate, chain) protected with `password`, as DER. */
export function toPkcs12(pair: KeyPairPem, chainPems: string[], password: string, friendlyName: string): Buffer {
  const p12 = forge.pkcs12.toPkcs12Asn1(
    forge.pki.privateKeyFromPem(pair.keyPem),
    [pair.certPem, ...chainPems].map((p) => forge.pki.certificateFromPem(p)),
    password,
    { algorithm: 'aes256', friendlyName },
  );
  return Buffer.from(forge.asn1.toDer(p12).getBytes(), 'binary');
}
