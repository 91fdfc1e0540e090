// PEM and certificate helpers for CMS: the bits of an X.509 certificate a SignerInfo or a
// RecipientInfo names (issuer Name as encoded, serial number bytes), read from the original
// DER so that the identifiers match the certificate exactly.
import { createPrivateKey, createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import { children, content, encoding, expectTag, readAll, TAG } from './der.ts';
import { CmsError } from './errors.ts';

/** The DER of the first block of the given PEM label. */
export function pemToDer(pem: string, label: string): Buffer {
  const re = new RegExp(`-----BEGIN ${label}-----([A-Za-z0-9+/=\\s]+?)-----END ${label}-----`);
  const m = re.exec(pem);
  if (!m) throw new CmsError('bad-key', `no "${label}" PEM block found`);
  return Buffer.from(m[1].replace(/\s+/g, ''), 'base64');
}

export function derToPem(der: Buffer, label: string): string {
  const b64 = der
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

/** A certificate as CMS needs it. */
export interface CertInfo {
  readonly der: Buffer;
  /** The issuer Name, complete encoding as in the certificate. */
  readonly issuer: Buffer;
  /** The serial number INTEGER's content bytes, as in the certificate. */
  readonly serial: Buffer;
  readonly publicKey: KeyObject;
  readonly x509: X509Certificate;
}

export function certFromDer(der: Buffer): CertInfo {
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(der);
  } catch (err) {
    throw new CmsError('bad-key', `unreadable certificate: ${(err as Error).message}`);
  }
  // Certificate ::= SEQUENCE { tbsCertificate SEQUENCE { [0] version OPTIONAL, serial, sigAlg, issuer, ... } }
  const cert = readAll(der);
  const tbs = children(cert)[0];
  const fields = children(expectTag(tbs, TAG.SEQUENCE, 'tbsCertificate'));
  const i = fields[0]?.tag === TAG.CTX0 ? 1 : 0;
  const serial = content(expectTag(fields[i], TAG.INTEGER, 'serialNumber'));
  const issuer = encoding(expectTag(fields[i + 2], TAG.SEQUENCE, 'issuer'));
  return { der, issuer, serial, publicKey: x509.publicKey, x509 };
}

export function certFromPem(pem: string): CertInfo {
  return certFromDer(pemToDer(pem, 'CERTIFICATE'));
}

export function privateKeyFromPem(pem: string): KeyObject {
  try {
    const key = createPrivateKey(pem);
    if (key.asymmetricKeyType !== 'rsa') {
      throw new CmsError('bad-key', `the private key is ${key.asymmetricKeyType}, RSA is required`);
    }
    return key;
  } catch (err) {
    if (err instanceof CmsError) throw err;
    throw new CmsError('bad-key', `unreadable private key: ${(err as Error).message}`);
  }
}

/** True when the private key belongs to the certificate. */
export function keyMatchesCert(key: KeyObject, cert: CertInfo): boolean {
  const a = createPublicKey(key).export({ type: 'spki', format: 'der' });
  const b = cert.publicKey.export({ type: 'spki', format: 'der' });
  return a.equals(b);
}

/** "CN=…, serial 0a1b…" for messages. */
export function describeCert(cert: CertInfo): string {
  return `${cert.x509.subject.replace(/\n/g, ', ')} (serial ${cert.x509.serialNumber})`;
}
