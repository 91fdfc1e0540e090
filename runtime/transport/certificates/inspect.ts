// What an operator needs to know about a certificate: who it names, the organisation number
// (subject serialNumber, as Buypass and Commfides issue them), validity and days left, key
// usage, and whether it suits signing (digitalSignature or nonRepudiation) or encryption
// (keyEncipherment).
import { X509Certificate } from 'node:crypto';
import { children, content, expectTag, octetValue, readAll, readOid, TAG } from '../cms/der.ts';
import { CertificateError } from './errors.ts';

export type KeyUsage =
  | 'digitalSignature'
  | 'nonRepudiation'
  | 'keyEncipherment'
  | 'dataEncipherment'
  | 'keyAgreement'
  | 'keyCertSign'
  | 'cRLSign'
  | 'encipherOnly'
  | 'decipherOnly';

/** In bit order of the KeyUsage BIT STRING (RFC 5280 4.2.1.3). */
const KEY_USAGE_BITS: readonly KeyUsage[] = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
];

export type CertificatePurpose = 'signing' | 'encryption';

/**
 * The key usages of which each purpose needs one. Signing: Buypass and Commfides mark the
 * enterprise signing certificate nonRepudiation, other issuers digitalSignature; either makes a
 * CMS signature. Encryption: the content key is wrapped with the certificate's RSA key.
 */
export const REQUIRED_KEY_USAGE: Readonly<Record<CertificatePurpose, readonly KeyUsage[]>> = {
  signing: ['digitalSignature', 'nonRepudiation'],
  encryption: ['keyEncipherment'],
};

export type ValidityStatus = 'valid' | 'expiring' | 'expired' | 'not-yet-valid';

export interface CertificateReport {
  subject: string;
  issuer: string;
  /** Hex, upper case, as openssl prints it. */
  serialNumber: string;
  /** The subject's serialNumber attribute, when it is a 9-digit organisation number. */
  orgNumber?: string;
  notBefore: Date;
  notAfter: Date;
  /** Whole days until notAfter (negative when expired). */
  daysLeft: number;
  /** undefined when the certificate has no keyUsage extension (any use allowed). */
  keyUsage?: KeyUsage[];
  fingerprint256: string;
  status: ValidityStatus;
}

const DAY = 86_400_000;
const KEY_USAGE_OID = '2.5.29.15';

/** The keyUsage extension, read from the DER (node:crypto does not expose it). */
export function readKeyUsage(der: Buffer): KeyUsage[] | undefined {
  const tbs = children(readAll(der))[0];
  const ext = children(tbs).find((f) => f.tag === 0xa3);
  if (!ext) return undefined;
  for (const e of children(expectTag(children(ext)[0], TAG.SEQUENCE, 'extensions'))) {
    const f = children(e);
    if (readOid(f[0], 'extnID') !== KEY_USAGE_OID) continue;
    const value = octetValue(f[f.length - 1]);
    const bits = content(expectTag(readAll(value), TAG.BIT_STRING, 'keyUsage'));
    const out: KeyUsage[] = [];
    KEY_USAGE_BITS.forEach((name, i) => {
      const byte = bits[1 + (i >> 3)];
      if (byte !== undefined && byte & (0x80 >> (i & 7))) out.push(name);
    });
    return out;
  }
  return undefined;
}

function subjectAttr(x: X509Certificate, name: string): string | undefined {
  for (const line of x.subject.split('\n')) {
    const i = line.indexOf('=');
    if (line.slice(0, i) === name) return line.slice(i + 1);
  }
  return undefined;
}

export function inspectCertificate(certPem: string | Buffer, opts: { now?: Date; warnDays?: number } = {}): CertificateReport {
  let x: X509Certificate;
  try {
    x = new X509Certificate(certPem);
  } catch (err) {
    throw new CertificateError('unreadable', `unreadable certificate: ${(err as Error).message}`);
  }
  const now = opts.now ?? new Date();
  const warnDays = opts.warnDays ?? 60;
  const notBefore = new Date(x.validFrom);
  const notAfter = new Date(x.validTo);
  const daysLeft = Math.floor((notAfter.getTime() - now.getTime()) / DAY);
  const status: ValidityStatus = now < notBefore ? 'not-yet-valid' : now > notAfter ? 'expired' : daysLeft < warnDays ? 'expiring' : 'valid';
  const serialAttr = subjectAttr(x, 'serialNumber');
  return {
    subject: x.subject.replace(/\n/g, ', '),
    issuer: x.issuer.replace(/\n/g, ', '),
    serialNumber: x.serialNumber.toUpperCase(),
    orgNumber: serialAttr && /^\d{9}$/.test(serialAttr) ? serialAttr : undefined,
    notBefore,
    notAfter,
    daysLeft,
    keyUsage: readKeyUsage(x.raw),
    fingerprint256: x.fingerprint256,
    status,
  };
}

/** Problems that make the certificate unfit for `purpose` now; empty when fit. */
export function usageProblems(report: CertificateReport, purpose: CertificatePurpose): string[] {
  const problems: string[] = [];
  const need = REQUIRED_KEY_USAGE[purpose];
  if (report.keyUsage && !need.some((k) => report.keyUsage!.includes(k))) {
    problems.push(`key usage ${report.keyUsage.join(', ') || '(none)'} lacks ${need.join(' or ')}, required for ${purpose}`);
  }
  if (report.status === 'expired') problems.push(`expired on ${report.notAfter.toISOString()}`);
  if (report.status === 'not-yet-valid') problems.push(`not valid before ${report.notBefore.toISOString()}`);
  return problems;
}

/** The purposes the certificate's key usage allows (both when it has no keyUsage extension). */
export function purposesOf(report: CertificateReport): CertificatePurpose[] {
  return (Object.keys(REQUIRED_KEY_USAGE) as CertificatePurpose[]).filter((p) => !report.keyUsage || REQUIRED_KEY_USAGE[p].some((k) => report.keyUsage!.includes(k)));
}

/** Throw when the certificate is unfit for `purpose` (expired, wrong key usage). */
export function assertFitFor(certPem: string, purpose: CertificatePurpose, now?: Date): CertificateReport {
  const report = inspectCertificate(certPem, { now });
  const problems = usageProblems(report, purpose);
  if (problems.length > 0) {
    const code = report.status === 'expired' || report.status === 'not-yet-valid' ? 'expired' : 'key-usage';
    throw new CertificateError(code, `certificate ${report.subject} (serial ${report.serialNumber}) is unfit for ${purpose}: ${problems.join('; ')}`);
  }
  return report;
}

/** A one-line warning when the certificate expires within `warnDays`, else undefined. */
export function expiryWarning(report: CertificateReport): string | undefined {
  if (report.status === 'expired') return `certificate ${report.subject} expired ${-report.daysLeft} day(s) ago`;
  if (report.status === 'expiring') {
    return `certificate ${report.subject} expires in ${report.daysLeft} day(s), on ${report.notAfter.toISOString().slice(0, 10)}: renew it`;
  }
  return undefined;
}
