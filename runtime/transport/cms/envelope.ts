// Builds a CMS EnvelopedData (RFC 5652) around bytes, with node:crypto doing the bulk
// encryption: one KeyTransRecipientInfo (RSA PKCS#1 v1.5, recipient by issuer and serial),
// content type id-data, CBC cipher with the IV as parameter. The layout is node-forge's
// pkcs7.createEnvelopedData output byte for byte, including its constructed [0] around the
// encrypted content (BER that openssl, BouncyCastle and .NET read).
import { constants, createCipheriv, publicEncrypt, type KeyObject } from 'node:crypto';
import { chunks, NULL_VALUE, node, oid, octets, seq, set, smallInt, TAG, toBuffer, type DerNode } from './der.ts';
import { CIPHERS, ENCODED, type ContentCipher } from './oids.ts';
import type { CertInfo } from './pem.ts';

/**
 * RSAES-PKCS1-v1_5 encryption (RFC 8017 7.2.1). The padding is built here so the random
 * bytes can come from the test hook; node:crypto does the modular exponentiation. Zero bytes
 * drawn for the padding are dropped and redrawn, as node-forge does.
 */
export function rsaPkcs1Encrypt(publicKey: KeyObject, message: Buffer, random: (n: number) => Buffer): Buffer {
  const k = Math.ceil((publicKey.asymmetricKeyDetails?.modulusLength ?? 0) / 8);
  if (message.length > k - 11) throw new RangeError('message too long for RSA key');
  const padding: Buffer[] = [];
  let need = k - 3 - message.length;
  while (need > 0) {
    const drawn = random(need);
    const nonZero = drawn.filter((b) => b !== 0);
    padding.push(Buffer.from(nonZero));
    need -= nonZero.length;
  }
  const em = Buffer.concat([Buffer.from([0x00, 0x02]), ...padding, Buffer.from([0x00]), message]);
  return publicEncrypt({ key: publicKey, padding: constants.RSA_NO_PADDING }, em);
}

/** The encoding of a ContentInfo holding the EnvelopedData. */
export function buildEnvelopedData(inner: Buffer | DerNode, recipient: CertInfo, cipherName: ContentCipher, random: (n: number) => Buffer): Buffer {
  const cipher = CIPHERS[cipherName];
  const key = random(cipher.keyLength);
  const iv = random(cipher.ivLength);
  const encryptedKey = rsaPkcs1Encrypt(recipient.publicKey, key, random);
  // The inner structure is fed to the cipher chunk by chunk and the ciphertext pieces go into
  // the tree as they are: the payload is copied once, into the final buffer.
  const c = createCipheriv(cipher.name, key, iv);
  const encrypted: Buffer[] = [];
  for (const chunk of chunks(inner)) encrypted.push(c.update(chunk));
  encrypted.push(c.final());

  const recipientInfo = seq(smallInt(0), seq(recipient.issuer, node(TAG.INTEGER, recipient.serial)), seq(ENCODED.rsaEncryption, NULL_VALUE), octets(encryptedKey));
  const encryptedContentInfo = seq(ENCODED.data, seq(oid(cipher.oid), octets(iv)), node(TAG.CTX0, node(TAG.OCTET_STRING, ...encrypted)));
  const envelopedData = seq(smallInt(0), set(recipientInfo), encryptedContentInfo);
  return toBuffer(seq(ENCODED.envelopedData, node(TAG.CTX0, envelopedData)));
}
