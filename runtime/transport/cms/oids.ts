// Object identifiers used by CMS sealing (RFC 5652, RFC 3565, RFC 8017), dotted and encoded.
import { oid } from './der.ts';

export const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  envelopedData: '1.2.840.113549.1.7.3',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  rsaEncryption: '1.2.840.113549.1.1.1',
  sha256WithRSAEncryption: '1.2.840.113549.1.1.11',
  sha384WithRSAEncryption: '1.2.840.113549.1.1.12',
  sha512WithRSAEncryption: '1.2.840.113549.1.1.13',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
  aes128Cbc: '2.16.840.1.101.3.4.1.2',
  aes192Cbc: '2.16.840.1.101.3.4.1.22',
  aes256Cbc: '2.16.840.1.101.3.4.1.42',
  desEde3Cbc: '1.2.840.113549.3.7',
} as const;

/** The content ciphers a sender may choose; AES-256-CBC is NHN's convention. */
export type ContentCipher = 'aes-256-cbc' | 'aes-192-cbc' | 'aes-128-cbc' | 'des-ede3-cbc';

export interface CipherInfo {
  readonly name: ContentCipher;
  readonly oid: string;
  readonly keyLength: number;
  readonly ivLength: number;
}

export const CIPHERS: Readonly<Record<ContentCipher, CipherInfo>> = {
  'aes-256-cbc': { name: 'aes-256-cbc', oid: OID.aes256Cbc, keyLength: 32, ivLength: 16 },
  'aes-192-cbc': { name: 'aes-192-cbc', oid: OID.aes192Cbc, keyLength: 24, ivLength: 16 },
  'aes-128-cbc': { name: 'aes-128-cbc', oid: OID.aes128Cbc, keyLength: 16, ivLength: 16 },
  'des-ede3-cbc': { name: 'des-ede3-cbc', oid: OID.desEde3Cbc, keyLength: 24, ivLength: 8 },
};

export const CIPHER_BY_OID: ReadonlyMap<string, CipherInfo> = new Map(Object.values(CIPHERS).map((c) => [c.oid, c]));

/** Digests accepted on unseal, by OID, as node:crypto names. SHA-1 and MD5 are refused. */
export const DIGEST_BY_OID: ReadonlyMap<string, string> = new Map([
  [OID.sha256, 'sha256'],
  [OID.sha384, 'sha384'],
  [OID.sha512, 'sha512'],
]);

/** Signature algorithms accepted on unseal: plain rsaEncryption or RSA with a named digest. */
export const RSA_SIGNATURE_OIDS: ReadonlyMap<string, string | undefined> = new Map<string, string | undefined>([
  [OID.rsaEncryption, undefined],
  [OID.sha256WithRSAEncryption, 'sha256'],
  [OID.sha384WithRSAEncryption, 'sha384'],
  [OID.sha512WithRSAEncryption, 'sha512'],
]);

/** Encoded OIDs, computed once. */
export const ENCODED = Object.fromEntries(Object.entries(OID).map(([k, v]) => [k, oid(v)])) as Record<keyof typeof OID, Buffer>;
