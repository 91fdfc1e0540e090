// Errors of certificate loading and checking, with stable codes.

export type CertificateErrorCode =
  /** No such file, or no certificate in it. */
  | 'not-found'
  /** The file is neither PEM nor a readable PKCS#12. */
  | 'unreadable'
  /** The PKCS#12 passphrase is wrong or missing. */
  | 'bad-passphrase'
  /** The certificate is outside its validity period. */
  | 'expired'
  /** The certificate lacks the key usage its purpose needs. */
  | 'key-usage'
  /** The certificate is not issued by the next in its file, or by none of the trusted CAs. */
  | 'chain';

export class CertificateError extends Error {
  constructor(
    readonly code: CertificateErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'CertificateError';
  }
}
