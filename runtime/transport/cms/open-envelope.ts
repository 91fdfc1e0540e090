// Opens a CMS EnvelopedData addressed to us: finds our KeyTransRecipientInfo by issuer and
// serial, recovers the content key with RSA PKCS#1 v1.5 and decrypts the content with
// node:crypto. Node refuses PKCS#1 v1.5 private decryption (CVE-2023-46809), so the padding is
// removed here, with implicit rejection: a bad padding yields a random key, and the failure
// surfaces later as one uniform `decrypt-failed`, not as a padding oracle.
import { constants, createDecipheriv, privateDecrypt, randomBytes, type KeyObject } from 'node:crypto';
import { children, content, encoding, expectTag, octetValue, readAll, readOctets, readOid, TAG, type Tlv } from './der.ts';
import { CmsError } from './errors.ts';
import { CIPHER_BY_OID, OID } from './oids.ts';
import type { CertInfo } from './pem.ts';

const DECRYPT_FAILED = 'could not decrypt the message: it was altered in transit or is not encrypted for this key';

function rsaPkcs1Decrypt(key: KeyObject, encrypted: Buffer, keyLength: number): Buffer {
  const fallback = randomBytes(keyLength);
  let em: Buffer;
  try {
    em = privateDecrypt({ key, padding: constants.RSA_NO_PADDING }, encrypted);
  } catch {
    return fallback;
  }
  // EM = 00 02 PS(>= 8 non-zero bytes) 00 M; scan the whole block without early exit.
  let separator = 0;
  for (let i = 2; i < em.length; i++) {
    if (separator === 0 && em[i] === 0) separator = i;
  }
  const ok = em[0] === 0 && em[1] === 2 && separator >= 10 && em.length - separator - 1 === keyLength;
  return ok ? em.subarray(separator + 1) : fallback;
}

interface RecipientEntry {
  issuer?: Buffer;
  serial?: Buffer;
  keyAlgorithm: string;
  encryptedKey: Buffer;
}

function readRecipients(set: Tlv): RecipientEntry[] {
  const out: RecipientEntry[] = [];
  for (const ri of children(expectTag(set, TAG.SET, 'recipientInfos'))) {
    // Only KeyTransRecipientInfo is a bare SEQUENCE; the other kinds are tagged [1]..[4].
    if (ri.tag !== TAG.SEQUENCE) continue;
    const f = children(ri);
    const rid = f[1];
    const entry: RecipientEntry = {
      keyAlgorithm: readOid(children(expectTag(f[2], TAG.SEQUENCE, 'keyEncryptionAlgorithm'))[0], 'algorithm'),
      encryptedKey: readOctets(f[3], 'encryptedKey'),
    };
    if (rid?.tag === TAG.SEQUENCE) {
      const ias = children(rid);
      entry.issuer = encoding(expectTag(ias[0], TAG.SEQUENCE, 'issuer'));
      entry.serial = content(expectTag(ias[1], TAG.INTEGER, 'serialNumber'));
    }
    out.push(entry);
  }
  return out;
}

/** The decrypted content (for a sealed message: the DER of the SignedData). */
export function openEnvelope(der: Buffer, recipient: CertInfo, key: KeyObject): Buffer {
  const ci = children(expectTag(readAll(der), TAG.SEQUENCE, 'ContentInfo'));
  const type = readOid(ci[0], 'contentType');
  if (type === OID.signedData) throw new CmsError('malformed', 'the message is signed but not encrypted');
  if (type !== OID.envelopedData) throw new CmsError('malformed', `not an EnvelopedData (content type ${type})`);
  const ed = children(expectTag(children(expectTag(ci[1], TAG.CTX0, 'content'))[0], TAG.SEQUENCE, 'EnvelopedData'));
  let i = 1;
  if (ed[i]?.tag === TAG.CTX0) i++; // originatorInfo
  const recipients = readRecipients(ed[i]);
  const eci = children(expectTag(ed[i + 1], TAG.SEQUENCE, 'EncryptedContentInfo'));

  const mine = recipients.find((r) => r.issuer?.equals(recipient.issuer) && r.serial?.equals(recipient.serial));
  if (!mine) {
    throw new CmsError(
      'not-for-recipient',
      `the message is not encrypted for certificate serial ${recipient.x509.serialNumber} ` +
        `(${recipients.length} recipient(s) in the message, serials: ${
          recipients.map((r) => r.serial?.toString('hex').toUpperCase() ?? 'by key identifier').join(', ') || 'none'
        })`,
    );
  }
  if (mine.keyAlgorithm !== OID.rsaEncryption) {
    throw new CmsError('unsupported-algorithm', `key transport ${mine.keyAlgorithm} is not supported (RSA PKCS#1 v1.5 only)`);
  }

  const alg = children(expectTag(eci[1], TAG.SEQUENCE, 'contentEncryptionAlgorithm'));
  const cipherOid = readOid(alg[0], 'algorithm');
  const cipher = CIPHER_BY_OID.get(cipherOid);
  if (!cipher) throw new CmsError('unsupported-algorithm', `content cipher ${cipherOid} is not supported`);
  const iv = readOctets(alg[1], 'IV');
  if (iv.length !== cipher.ivLength) throw new CmsError('malformed', `IV of ${iv.length} bytes for ${cipher.name}`);
  const body = eci[2];
  if (!body || (body.tag !== TAG.CTX0_PRIMITIVE && body.tag !== TAG.CTX0)) {
    throw new CmsError('malformed', 'the EnvelopedData has no encrypted content');
  }
  const encrypted = octetValue(body);

  const cek = rsaPkcs1Decrypt(key, mine.encryptedKey, cipher.keyLength);
  try {
    const d = createDecipheriv(cipher.name, cek, iv);
    return Buffer.concat([d.update(encrypted), d.final()]);
  } catch {
    throw new CmsError('decrypt-failed', DECRYPT_FAILED);
  }
}
