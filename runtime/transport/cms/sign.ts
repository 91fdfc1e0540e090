// Builds a CMS SignedData (RFC 5652) over a payload with node:crypto doing the digest and the
// signature: SHA-256, RSA PKCS#1 v1.5, the signing certificate included, signed attributes
// contentType, signingTime, messageDigest (that is their DER SET OF order, which strict
// verifiers such as BouncyCastle insist on). The layout is node-forge's pkcs7.createSignedData
// output, byte for byte (test/transport/cms/forge-identity.test.ts proves it).
import { createHash, sign as rsaSign } from 'node:crypto';
import { NULL_VALUE, node, octets, seq, set, smallInt, TAG, time, toBuffer, type DerNode } from './der.ts';
import { ENCODED } from './oids.ts';
import type { CertInfo } from './pem.ts';
import type { KeyObject } from 'node:crypto';

const SHA256_ALG = seq(ENCODED.sha256, NULL_VALUE);
const RSA_ALG = seq(ENCODED.rsaEncryption, NULL_VALUE);

function attribute(type: Buffer, value: Buffer | DerNode): DerNode {
  return seq(type, set(value));
}

/** A ContentInfo holding the SignedData, as a tree (serialise with toBuffer or chunks). */
export function buildSignedData(payload: Buffer, cert: CertInfo, key: KeyObject, signingTime: Date): DerNode {
  const digest = createHash('sha256').update(payload).digest();
  const attrs = [attribute(ENCODED.contentType, ENCODED.data), attribute(ENCODED.signingTime, time(signingTime)), attribute(ENCODED.messageDigest, octets(digest))];
  // The signature covers the attributes encoded as a SET OF; the SignerInfo carries the same
  // bytes under the [0] IMPLICIT tag.
  const signedAttrs = toBuffer(set(...attrs));
  const signature = rsaSign('sha256', signedAttrs, key);
  const implicitAttrs = Buffer.from(signedAttrs);
  implicitAttrs[0] = TAG.CTX0;

  const signerInfo = seq(smallInt(1), seq(cert.issuer, node(TAG.INTEGER, cert.serial)), SHA256_ALG, implicitAttrs, RSA_ALG, octets(signature));
  const signedData = seq(smallInt(1), set(SHA256_ALG), seq(ENCODED.data, node(TAG.CTX0, octets(payload))), node(TAG.CTX0, cert.der), set(signerInfo));
  return seq(ENCODED.signedData, node(TAG.CTX0, signedData));
}
