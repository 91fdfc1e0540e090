// SLASH's hybrid protection of one message, as FHI's receiver expects it: the exact JSON bytes
// are hashed (msg_hash), encrypted with a fresh AES-256-CBC key whose random IV goes in front of
// the ciphertext, and that key is wrapped for the receiver with RSA-OAEP (SHA-256 for the digest
// and MGF1). The body is standard base64; the hash and the wrapped key are base64url, as FHI's
// own sender writes them. Knows nothing of message types.
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createPrivateKey,
  createPublicKey,
  constants,
  privateDecrypt,
  publicEncrypt,
  randomBytes,
  type KeyObject,
} from 'node:crypto';
import { base64Decode } from '../base64.ts';

export const SYMMETRIC_KEY_BYTES = 32;
export const IV_BYTES = 16;
const CIPHER = 'aes-256-cbc';

/** What goes on the wire for one message: the body and the three values the proof binds. */
export interface Protected {
  /** Standard base64 of IV‖ciphertext (the request body). */
  body: string;
  /** base64url (no padding) of SHA-256 over the exact JSON bytes. */
  msgHash: string;
  /** base64url (no padding) of the RSA-OAEP-wrapped symmetric key. */
  encSymKey: string;
  /** The receiver key's id from `/keys`. */
  encKeyId: string;
}

export interface WrappingKey {
  id: string;
  /** The receiver's RSA public key (PEM "PUBLIC KEY" or a KeyObject). */
  publicKey: string | KeyObject;
}

/** Where unprotecting failed: the wrapped key (FHI's 1008) or the payload (1009). */
export class UnprotectError extends Error {
  constructor(
    readonly stage: 'asymmetric' | 'symmetric',
    message: string,
  ) {
    super(message);
    this.name = 'UnprotectError';
  }
}

export function msgHashOf(json: Uint8Array): string {
  return createHash('sha256').update(json).digest('base64url');
}

function publicKeyObject(key: string | KeyObject): KeyObject {
  return typeof key === 'string' ? createPublicKey(key) : key;
}

const OAEP = { padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' } as const;

/**
 * Protects the exact bytes `json` for the receiver's key. `random` is there for tests that need
 * fixed key and IV; production uses the default.
 */
export function protect(json: Uint8Array, key: WrappingKey, random: (n: number) => Buffer = randomBytes): Protected {
  const symKey = random(SYMMETRIC_KEY_BYTES);
  const iv = random(IV_BYTES);
  if (symKey.length !== SYMMETRIC_KEY_BYTES || iv.length !== IV_BYTES) throw new Error('protect: the random source gave the wrong number of bytes');
  const cipher = createCipheriv(CIPHER, symKey, iv); // PKCS#7 padding is Node's default
  const head = cipher.update(json);
  const tail = cipher.final();
  const sealed = Buffer.concat([iv, head, tail], IV_BYTES + head.length + tail.length);
  // Node's own encoder: on Node 20.20 it is faster than runtime/transport/base64.ts's loop.
  const body = sealed.toString('base64');
  const wrapped = publicEncrypt({ key: publicKeyObject(key.publicKey), ...OAEP }, symKey);
  return { body, msgHash: msgHashOf(json), encSymKey: wrapped.toString('base64url'), encKeyId: key.id };
}

const B64_ANY = /^[A-Za-z0-9+/_-]+={0,2}$/;

/**
 * Decodes `enc_sym_key` written either way: FHI's sender writes base64url, its README's prose
 * shows standard base64. Undefined when it is neither.
 */
export function decodeEncSymKey(text: string): Buffer | undefined {
  if (!B64_ANY.test(text)) return undefined;
  const plain = text.replace(/=+$/, '').replace(/-/g, '+').replace(/_/g, '/');
  if (plain.length % 4 === 1) return undefined;
  return Buffer.from(plain, 'base64');
}

function privateKeyObject(key: string | KeyObject): KeyObject {
  return typeof key === 'string' ? createPrivateKey(key) : key;
}

/** Opens the wrapped symmetric key with the receiver's private key. */
export function unwrapKey(encSymKey: string, privateKey: string | KeyObject): Buffer {
  const wrapped = decodeEncSymKey(encSymKey);
  if (!wrapped) throw new UnprotectError('asymmetric', 'enc_sym_key is not base64 or base64url');
  let symKey: Buffer;
  try {
    symKey = privateDecrypt({ key: privateKeyObject(privateKey), ...OAEP }, wrapped);
  } catch {
    throw new UnprotectError('asymmetric', 'enc_sym_key does not open with this private key (RSA-OAEP, SHA-256)');
  }
  if (symKey.length !== SYMMETRIC_KEY_BYTES) throw new UnprotectError('asymmetric', `the unwrapped key has ${symKey.length} bytes, not ${SYMMETRIC_KEY_BYTES}`);
  return symKey;
}

/** Decrypts a body (standard base64 of IV‖ciphertext) with the symmetric key: the exact JSON bytes. */
export function decryptBody(body: Uint8Array | string, symKey: Buffer): Buffer {
  const bytes = typeof body === 'string' ? Buffer.from(body.trim(), 'ascii') : body;
  let end = bytes.length;
  while (end > 0 && (bytes[end - 1] === 0x0a || bytes[end - 1] === 0x0d || bytes[end - 1] === 0x20)) end--;
  const sealed = base64Decode(bytes, 0, end);
  if (!sealed) throw new UnprotectError('symmetric', 'the body is not standard base64');
  if (sealed.length < IV_BYTES * 2 || (sealed.length - IV_BYTES) % 16 !== 0) {
    throw new UnprotectError('symmetric', `the body holds ${sealed.length} bytes: not an IV of 16 bytes followed by whole AES blocks`);
  }
  try {
    const decipher = createDecipheriv(CIPHER, symKey, sealed.subarray(0, IV_BYTES));
    return Buffer.concat([decipher.update(sealed.subarray(IV_BYTES)), decipher.final()]);
  } catch {
    throw new UnprotectError('symmetric', 'the body does not decrypt with the unwrapped key (AES-256-CBC, PKCS#7)');
  }
}

/** Both steps: the JSON bytes a receiver holding `privateKey` reads out of a protected message. */
export function unprotect(body: Uint8Array | string, encSymKey: string, privateKey: string | KeyObject): Buffer {
  return decryptBody(body, unwrapKey(encSymKey, privateKey));
}
