// The one error type of sealing and unsealing, with stable codes that callers, logs and
// tests can name. Messages say what went wrong and what to check, never key material.

export type CmsErrorCode =
  /** Input is not a CMS structure we understand (bad DER, wrong content type, missing parts). */
  | 'malformed'
  /** The message is encrypted for someone else: no RecipientInfo matches our certificate. */
  | 'not-for-recipient'
  /** The content key or the content could not be decrypted (wrong key, tampered ciphertext). */
  | 'decrypt-failed'
  /** The signature does not verify with the signer's certificate. */
  | 'bad-signature'
  /** The messageDigest attribute does not match the signed content. */
  | 'digest-mismatch'
  /** The contentType attribute does not match the encapsulated content type. */
  | 'content-type-mismatch'
  /** The signer's certificate is neither in the message nor the expected one. */
  | 'signer-not-found'
  /** The message is validly signed, but not by the expected certificate. */
  | 'unexpected-signer'
  /** An algorithm we do not accept (SHA-1, RSA-PSS, unknown cipher). */
  | 'unsupported-algorithm'
  /** A certificate or key given to seal/unseal is unusable (unreadable PEM, key does not match). */
  | 'bad-key';

export class CmsError extends Error {
  constructor(
    readonly code: CmsErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'CmsError';
  }
}
