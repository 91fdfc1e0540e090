// CMS sealing for transport: seal = sign, then encrypt (NHN's convention, see
// docs/transport-cms.md); unseal = decrypt, then verify. Bytes in, bytes out: this module
// knows nothing of the messages it carries.
import { DerError, readAll } from './der.ts';
import { buildEnvelopedData } from './envelope.ts';
import { CmsError } from './errors.ts';
import { defaultRandom, type SealHooks } from './hooks.ts';
import { CIPHERS, type ContentCipher } from './oids.ts';
import { openEnvelope } from './open-envelope.ts';
import { cachedCert, cachedKey, cachedKeyMatches } from './cache.ts';
import { derToPem, describeCert } from './pem.ts';
import { buildSignedData } from './sign.ts';
import { verifySignedData } from './verify.ts';

export { CmsError, type CmsErrorCode } from './errors.ts';
export type { ContentCipher } from './oids.ts';

export const CONTENT_CIPHERS: readonly ContentCipher[] = Object.keys(CIPHERS) as ContentCipher[];

export interface SealOptions {
  /** The sender's signing certificate (key usage nonRepudiation) and its private key, PEM. */
  signer: { certPem: string; keyPem: string };
  /** The receiver's encryption certificate, PEM. */
  recipientCertPem: string;
  /** Content cipher; default aes-256-cbc. */
  cipher?: ContentCipher;
}

export interface UnsealOptions {
  /** Our encryption certificate and its private key, PEM. */
  recipient: { certPem: string; keyPem: string };
  /** The certificate the message must be signed with, PEM. Without it any signer is accepted. */
  expectSigner?: string;
}

export interface Unsealed {
  content: Buffer;
  /** The certificate that signed, PEM. */
  signerCertPem: string;
  signingTime?: Date;
}

/**
 * Sign `payload` (SignedData, SHA-256, RSA PKCS#1 v1.5, signer certificate included) and
 * encrypt the SignedData's DER for the recipient (EnvelopedData). Returns DER.
 * `hooks` is for tests (fixed clock and randomness); leave it out.
 */
export function seal(payload: Buffer, opts: SealOptions, hooks: SealHooks = {}): Buffer {
  const cipher = opts.cipher ?? 'aes-256-cbc';
  if (!CIPHERS[cipher]) throw new CmsError('unsupported-algorithm', `unknown cipher ${cipher}; use one of ${CONTENT_CIPHERS.join(', ')}`);
  const signerCert = cachedCert(opts.signer.certPem);
  const key = cachedKey(opts.signer.keyPem);
  if (!cachedKeyMatches(opts.signer.keyPem, opts.signer.certPem)) {
    throw new CmsError('bad-key', `the signing key does not belong to the signing certificate ${describeCert(signerCert)}`);
  }
  const recipient = cachedCert(opts.recipientCertPem);
  if (recipient.publicKey.asymmetricKeyType !== 'rsa') {
    throw new CmsError('bad-key', `the recipient certificate has a ${recipient.publicKey.asymmetricKeyType} key; RSA is required`);
  }
  const signed = buildSignedData(payload, signerCert, key, hooks.signingTime ?? new Date());
  return buildEnvelopedData(signed, recipient, cipher, hooks.random ?? defaultRandom);
}

/**
 * Decrypt a sealed message with our key, then verify its signature, its messageDigest and
 * contentType attributes and, if `expectSigner` is given, that it is the signer.
 * Throws CmsError with a stable code on any failure.
 */
export function unseal(der: Buffer, opts: UnsealOptions): Unsealed {
  const recipient = cachedCert(opts.recipient.certPem);
  const key = cachedKey(opts.recipient.keyPem);
  if (!cachedKeyMatches(opts.recipient.keyPem, opts.recipient.certPem)) {
    throw new CmsError('bad-key', `the recipient key does not belong to the certificate ${describeCert(recipient)}`);
  }
  const expect = opts.expectSigner ? cachedCert(opts.expectSigner) : undefined;
  const inner = guard('the message', () => openEnvelope(der, recipient, key));
  // CBC with a wrong key "succeeds" about once in 256 tries and yields noise; noise is not a
  // DER element spanning the whole plaintext, so report it as the decryption failure it is.
  try {
    readAll(inner);
  } catch {
    throw new CmsError('decrypt-failed', 'the decrypted content is not a CMS structure: wrong key or altered message (or the sender encrypted an unsigned payload)');
  }
  const v = guard('the decrypted SignedData', () => verifySignedData(inner, expect));
  return { content: v.content, signerCertPem: derToPem(v.signer.der, 'CERTIFICATE'), signingTime: v.signingTime };
}

/** Structural failures of any kind become `malformed`. */
function guard<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof CmsError) throw err;
    if (err instanceof DerError || err instanceof TypeError || err instanceof RangeError) {
      throw new CmsError('malformed', `${what} is not valid CMS: ${err.message}`);
    }
    throw err;
  }
}
