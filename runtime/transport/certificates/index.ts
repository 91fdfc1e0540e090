// Certificates for transport: loading (PEM, PKCS#12), inspection and fitness checks, and the
// lookup of a receiver's encryption certificate.
export { CertificateError, type CertificateErrorCode } from './errors.ts';
export { loadCredentials, loadPrivateKey, parsePem, parsePkcs12, readCertificates, readPassphraseFile, type LoadedCredentials } from './load.ts';
export { checkCertificate, chainProblems, type CertificateRole } from './check.ts';
export {
  assertFitFor,
  expiryWarning,
  inspectCertificate,
  purposesOf,
  readKeyUsage,
  REQUIRED_KEY_USAGE,
  usageProblems,
  type CertificatePurpose,
  type CertificateReport,
  type KeyUsage,
  type ValidityStatus,
} from './inspect.ts';
export { fileRecipientCertificates, type RecipientCertificates } from './recipients.ts';
