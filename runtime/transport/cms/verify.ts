// Verifies a CMS SignedData with node:crypto (node-forge cannot): the signature over the DER of
// the signed attributes (re-tagged as SET OF), the messageDigest attribute against the content,
// the contentType attribute against the encapsulated type, and, when asked, that the signer is
// exactly the expected certificate.
import { createHash, timingSafeEqual, verify as rsaVerify, constants } from 'node:crypto';
import { children, content, encoding, expectTag, readOctets, readAll, readOid, readTime, TAG, type Tlv } from './der.ts';
import { CmsError } from './errors.ts';
import { DIGEST_BY_OID, OID, RSA_SIGNATURE_OIDS } from './oids.ts';
import { certFromDer, describeCert, type CertInfo } from './pem.ts';

export interface Verified {
  content: Buffer;
  signer: CertInfo;
  signingTime?: Date;
}

interface Attribute {
  type: string;
  values: Tlv[];
}

function readAttributes(tlv: Tlv): Map<string, Attribute> {
  const map = new Map<string, Attribute>();
  for (const a of children(tlv)) {
    const f = children(expectTag(a, TAG.SEQUENCE, 'Attribute'));
    const type = readOid(f[0], 'attrType');
    if (map.has(type)) throw new CmsError('malformed', `signed attribute ${type} appears twice`);
    map.set(type, { type, values: children(expectTag(f[1], TAG.SET, 'attrValues')) });
  }
  return map;
}

function single(attrs: Map<string, Attribute>, type: string, name: string): Tlv | undefined {
  const a = attrs.get(type);
  if (!a) return undefined;
  if (a.values.length !== 1) throw new CmsError('malformed', `the ${name} attribute must have exactly one value`);
  return a.values[0];
}

export function verifySignedData(der: Buffer, expectSigner?: CertInfo): Verified {
  const ci = children(expectTag(readAll(der), TAG.SEQUENCE, 'ContentInfo'));
  const type = readOid(ci[0], 'contentType');
  if (type !== OID.signedData) throw new CmsError('malformed', `the decrypted content is not a SignedData (content type ${type})`);
  const sd = children(expectTag(children(expectTag(ci[1], TAG.CTX0, 'content'))[0], TAG.SEQUENCE, 'SignedData'));

  const encap = children(expectTag(sd[2], TAG.SEQUENCE, 'encapContentInfo'));
  const eContentType = readOid(encap[0], 'eContentType');
  if (!encap[1]) throw new CmsError('malformed', 'the SignedData is detached: it carries no content');
  const payload = readOctets(children(expectTag(encap[1], TAG.CTX0, 'eContent'))[0], 'eContent');

  let i = 3;
  const certs: CertInfo[] = [];
  if (sd[i]?.tag === TAG.CTX0) {
    for (const c of children(sd[i])) {
      if (c.tag !== TAG.SEQUENCE) continue; // other CertificateChoices are not used for signing
      try {
        certs.push(certFromDer(Buffer.from(encoding(c))));
      } catch (err) {
        throw new CmsError('malformed', `an included certificate is unreadable: ${(err as Error).message}`);
      }
    }
    i++;
  }
  if (sd[i]?.tag === TAG.CTX1) i++; // crls
  const signerInfos = children(expectTag(sd[i], TAG.SET, 'signerInfos'));
  if (signerInfos.length !== 1) {
    throw new CmsError('malformed', `expected exactly one signer, found ${signerInfos.length}`);
  }
  const si = children(expectTag(signerInfos[0], TAG.SEQUENCE, 'SignerInfo'));

  // Signer: by issuer and serial among the included certificates, else the expected one.
  let signer: CertInfo | undefined;
  const sid = si[1];
  if (sid?.tag === TAG.SEQUENCE) {
    const ias = children(sid);
    const issuer = encoding(expectTag(ias[0], TAG.SEQUENCE, 'issuer'));
    const serial = content(expectTag(ias[1], TAG.INTEGER, 'serialNumber'));
    const candidates = expectSigner ? [...certs, expectSigner] : certs;
    signer = candidates.find((c) => c.issuer.equals(issuer) && c.serial.equals(serial));
  } else if (expectSigner) {
    signer = expectSigner; // subjectKeyIdentifier: let the signature decide
  }
  if (!signer) throw new CmsError('signer-not-found', "the signer's certificate is not in the message");

  const digestOid = readOid(children(expectTag(si[2], TAG.SEQUENCE, 'digestAlgorithm'))[0], 'algorithm');
  const digestName = DIGEST_BY_OID.get(digestOid);
  if (!digestName) throw new CmsError('unsupported-algorithm', `digest ${digestOid} is not accepted (SHA-256/384/512 only)`);

  let j = 3;
  const signedAttrs = si[j]?.tag === TAG.CTX0 ? si[j++] : undefined;
  const sigOid = readOid(children(expectTag(si[j], TAG.SEQUENCE, 'signatureAlgorithm'))[0], 'algorithm');
  if (!RSA_SIGNATURE_OIDS.has(sigOid)) throw new CmsError('unsupported-algorithm', `signature algorithm ${sigOid} is not supported`);
  const impliedDigest = RSA_SIGNATURE_OIDS.get(sigOid);
  if (impliedDigest && impliedDigest !== digestName) {
    throw new CmsError('malformed', `signature algorithm ${sigOid} does not match digest ${digestName}`);
  }
  const signature = readOctets(si[j + 1], 'signature');
  if (signer.publicKey.asymmetricKeyType !== 'rsa') {
    throw new CmsError('unsupported-algorithm', `signer key type ${signer.publicKey.asymmetricKeyType} is not supported`);
  }

  let signedBytes: Buffer;
  let signingTime: Date | undefined;
  if (signedAttrs) {
    const attrs = readAttributes(signedAttrs);
    const md = single(attrs, OID.messageDigest, 'messageDigest');
    if (!md) throw new CmsError('malformed', 'the signed attributes lack messageDigest');
    const ct = single(attrs, OID.contentType, 'contentType');
    if (!ct) throw new CmsError('malformed', 'the signed attributes lack contentType');
    const expected = readOctets(md, 'messageDigest');
    const actual = createHash(digestName).update(payload).digest();
    if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) {
      throw new CmsError('digest-mismatch', 'the content does not match the signed digest: it was altered after signing');
    }
    const ctValue = readOid(ct, 'contentType');
    if (ctValue !== eContentType) {
      throw new CmsError('content-type-mismatch', `signed contentType ${ctValue} differs from the content's type ${eContentType}`);
    }
    const st = single(attrs, OID.signingTime, 'signingTime');
    if (st) signingTime = readTime(st);
    // The signature covers the attributes with the SET OF tag, not the [0] IMPLICIT one.
    signedBytes = Buffer.from(encoding(signedAttrs));
    signedBytes[0] = TAG.SET;
  } else {
    if (eContentType !== OID.data) throw new CmsError('malformed', 'signed attributes are required for non-data content');
    signedBytes = payload;
  }

  const ok = rsaVerify(digestName, signedBytes, { key: signer.publicKey, padding: constants.RSA_PKCS1_PADDING }, signature);
  if (!ok) {
    throw new CmsError('bad-signature', `the signature does not verify with the certificate of ${describeCert(signer)}`);
  }
  if (expectSigner && !signer.der.equals(expectSigner.der)) {
    throw new CmsError('unexpected-signer', `signed by ${describeCert(signer)}, expected ${describeCert(expectSigner)}`);
  }
  return { content: payload, signer, signingTime };
}
