// Certificates checked before use: a run must not sign with an expired certificate, sign with an
// encryption certificate, or encrypt for a certificate no trusted CA issued. Each problem is
// told with the setting that names the certificate, its file, and what fixes it, so an operator
// reading the cron mail knows what to change without reading the code.
import { X509Certificate } from 'node:crypto';
import { CertificateError } from './errors.ts';
import { inspectCertificate, REQUIRED_KEY_USAGE, type CertificatePurpose, type CertificateReport } from './inspect.ts';

export interface CertificateRole {
  /** Where the configuration names it, e.g. `certificates.signing.certFile`. */
  setting: string;
  file: string;
  purpose: CertificatePurpose;
  /** The certificate first, then any chain the file holds (issuer after subject). */
  certPems: string[];
}

export interface CaOptions {
  /** Trusted CA certificates the chain must end in; no chain check against a CA when absent. */
  caPems?: string[];
  /** The setting that names them, for the message. */
  caSetting?: string;
}

/**
 * What is wrong with the chain: each certificate in the file must be issued and signed by the
 * next, and, where CAs are given, the last must be one of them or be issued and signed by one.
 */
export function chainProblems(certPems: string[], ca: CaOptions = {}, now = new Date()): string[] {
  const chain = certPems.map((p) => new X509Certificate(p));
  const problems: string[] = [];
  for (let i = 0; i + 1 < chain.length; i++) {
    const [a, b] = [chain[i]!, chain[i + 1]!];
    if (!a.checkIssued(b) || !a.verify(b.publicKey))
      problems.push(`certificate ${i + 1} in the file (${oneLine(a.subject)}) is not issued by the next one (${oneLine(b.subject)})`);
    if (now > new Date(b.validTo)) problems.push(`the chain's ${oneLine(b.subject)} expired on ${new Date(b.validTo).toISOString()}`);
  }
  if (ca.caPems?.length) {
    const last = chain[chain.length - 1]!;
    const cas = ca.caPems.map((p) => new X509Certificate(p));
    const trusted = cas.some((c) => c.fingerprint256 === last.fingerprint256 || (last.checkIssued(c) && last.verify(c.publicKey)));
    if (!trusted) problems.push(`issued by ${oneLine(last.issuer)}, not by a CA in ${ca.caSetting ?? 'the CA file'}`);
  }
  return problems;
}

const oneLine = (dn: string) => dn.replace(/\n/g, ', ');

/** The fix for each kind of problem, in the operator's words. */
function fixFor(code: 'expired' | 'not-yet-valid' | 'key-usage' | 'chain', role: CertificateRole, report: CertificateReport): string {
  switch (code) {
    case 'expired':
      return `order a new ${role.purpose} certificate from the issuer, register it where the old one was, and point ${role.setting} at it`;
    case 'not-yet-valid':
      return `check this machine's clock, or use the certificate from ${report.notBefore.toISOString().slice(0, 10)}`;
    case 'key-usage':
      return `${role.setting} must name a ${role.purpose} certificate (key usage ${REQUIRED_KEY_USAGE[role.purpose].join(' or ')}); an enterprise certificate set has one for signing and one for encryption: were they swapped?`;
    case 'chain':
      return `use the certificate and chain the CA issued (e.g. the PKCS#12 as delivered), or correct the CA file`;
  }
}

/**
 * Checks a certificate for its role before anything is signed or encrypted with it: validity
 * period, key usage for the purpose, and the chain. Throws a CertificateError whose message names
 * the setting, the file, what is wrong and the fix; returns the report (which may say
 * `expiring`: a warning, not a stop).
 */
export function checkCertificate(role: CertificateRole, opts: CaOptions & { now?: Date; warnDays?: number } = {}): CertificateReport {
  const report = inspectCertificate(role.certPems[0]!, { now: opts.now, warnDays: opts.warnDays });
  const fail = (code: 'expired' | 'not-yet-valid' | 'key-usage' | 'chain', what: string): never => {
    throw new CertificateError(
      code === 'not-yet-valid' ? 'expired' : code,
      `${role.setting} (${role.file}): the ${role.purpose} certificate "${report.subject}" ${what}. Fix: ${fixFor(code, role, report)}.`,
    );
  };
  if (report.status === 'expired') fail('expired', `expired on ${report.notAfter.toISOString()}`);
  if (report.status === 'not-yet-valid') fail('not-yet-valid', `is not valid before ${report.notBefore.toISOString()}`);
  const need = REQUIRED_KEY_USAGE[role.purpose];
  if (report.keyUsage && !need.some((k) => report.keyUsage!.includes(k))) {
    fail('key-usage', `has key usage ${report.keyUsage.join(', ') || '(none)'}, without ${need.join(' or ')}, so it cannot be used for ${role.purpose}`);
  }
  const chain = chainProblems(role.certPems, opts, opts.now);
  if (chain.length) fail('chain', chain.join('; '));
  return report;
}
