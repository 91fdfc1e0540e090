// kpr.yaml's certificates, loaded (PEM, DER or PKCS#12) and checked for their roles before a job
// signs or encrypts anything: an expired or wrong certificate stops the run before the first
// message, with the setting, the file and the fix, rather than at the receiver's door.
import { createPublicKey, X509Certificate } from 'node:crypto';
import { UserError } from '../cli/program.ts';
import type { KprConfig } from '../config/load.ts';
import { readSecret } from '../config/secrets.ts';
import {
  CertificateError,
  checkCertificate,
  loadCredentials,
  loadPrivateKey,
  readCertificates,
  type CertificateReport,
  type CertificateRole,
} from '../transport/certificates/index.ts';

/** Names the setting in a loader's error (which names only the file). */
function at<T>(setting: string, load: () => T): T {
  try {
    return load();
  } catch (err) {
    if (err instanceof CertificateError) throw new CertificateError(err.code, `${setting}: ${err.message}`);
    throw err;
  }
}

export interface SigningMaterial {
  certPem: string;
  keyPem: string;
  role: CertificateRole;
}

export function signingMaterial(config: KprConfig): SigningMaterial {
  const c = config.certificates;
  if (!c) throw new UserError('kpr.yaml has no certificates section: sealing needs certificates.signing');
  const s = c.signing;
  if ('p12File' in s) {
    const setting = 'certificates.signing.p12File';
    const creds = at(setting, () => loadCredentials(s.p12File, { passphrase: s.passphrase ? readSecret(s.passphrase) : '' }));
    if (!creds.keyPem) throw new UserError(`${setting} (${s.p12File}) holds no private key`);
    const certPem = at(setting, () => creds.certPem);
    return { certPem, keyPem: creds.keyPem, role: { setting, file: s.p12File, purpose: 'signing', certPems: creds.certPems } };
  }
  const certPems = at('certificates.signing.certFile', () => readCertificates(s.certFile));
  const keyPem = at('certificates.signing.keyFile', () => loadPrivateKey(s.keyFile));
  const spki = (k: Parameters<typeof createPublicKey>[0]) => createPublicKey(k).export({ type: 'spki', format: 'der' });
  if (!spki(keyPem).equals(new X509Certificate(certPems[0]!).publicKey.export({ type: 'spki', format: 'der' }))) {
    throw new CertificateError(
      'unreadable',
      `certificates.signing.keyFile (${s.keyFile}): the key does not belong to the certificate in certificates.signing.certFile (${s.certFile}). Fix: give the key that was issued with that certificate`,
    );
  }
  return { certPem: certPems[0]!, keyPem, role: { setting: 'certificates.signing.certFile', file: s.certFile, purpose: 'signing', certPems } };
}

export function recipientRole(config: KprConfig): CertificateRole {
  const file = config.certificates!.receiverEncryptionCertFile;
  const setting = 'certificates.receiverEncryptionCertFile';
  return { setting, file, purpose: 'encryption', certPems: at(setting, () => readCertificates(file)) };
}

function caOptions(config: KprConfig): { caPems?: string[]; caSetting?: string } {
  const file = config.certificates?.caCertFile;
  if (!file) return {};
  return { caPems: at('certificates.caCertFile', () => readCertificates(file)), caSetting: `certificates.caCertFile (${file})` };
}

export interface CheckedCertificates {
  signer: { certPem: string; keyPem: string };
  recipientCertPem: string;
  reports: { signing: CertificateReport; encryption: CertificateReport };
}

/** Loads and checks both certificates; throws a CertificateError at the first unfit one. */
export function checkedCertificates(config: KprConfig, now = new Date()): CheckedCertificates {
  const c = config.certificates;
  if (!c) throw new UserError('kpr.yaml has no certificates section: sealing needs certificates.signing and receiverEncryptionCertFile');
  const ca = caOptions(config);
  const signer = signingMaterial(config);
  const signing = checkCertificate(signer.role, { ...ca, now, warnDays: c.warnDays });
  const recipient = recipientRole(config);
  const encryption = checkCertificate(recipient, { ...ca, now, warnDays: c.warnDays });
  return { signer: { certPem: signer.certPem, keyPem: signer.keyPem }, recipientCertPem: recipient.certPems[0]!, reports: { signing, encryption } };
}

/** The problem that would stop a run, for `kpr status` (undefined when fit). */
export function certificateProblem(config: KprConfig, role: () => CertificateRole, now: Date): string | undefined {
  try {
    checkCertificate(role(), { ...caOptions(config), now, warnDays: config.certificates?.warnDays });
    return undefined;
  } catch (err) {
    if (err instanceof CertificateError || err instanceof UserError) return err.message;
    throw err;
  }
}
