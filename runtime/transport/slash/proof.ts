// The DPoP proof SLASH wants with each message: the usual htm, htu, iat, jti and ath, plus the
// message bindings that tie the proof to this very body: msg_type, msg_version, msg_hash,
// enc_sym_key and enc_key_id. The receiver checks them against what it decrypts.
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { createDpopProof } from '../helseid/dpop.ts';
import type { SigningKey } from '../helseid/keys.ts';
import type { Protected } from './protect.ts';

export interface MessageBindings {
  msg_type: string;
  msg_version: string;
  msg_hash: string;
  enc_sym_key: string;
  enc_key_id: string;
}

export const BINDING_CLAIMS = ['msg_type', 'msg_version', 'msg_hash', 'enc_sym_key', 'enc_key_id'] as const;

export function bindingsOf(p: Protected, msgType: string, msgVersion: string): MessageBindings {
  return { msg_type: msgType, msg_version: msgVersion, msg_hash: p.msgHash, enc_sym_key: p.encSymKey, enc_key_id: p.encKeyId };
}

export interface SlashProofInput {
  key: SigningKey;
  /** `{base}/message` */
  url: string;
  accessToken: string;
  bindings: MessageBindings;
  nonce?: string;
  now?: number;
}

export function createSlashProof(input: SlashProofInput): Promise<string> {
  return createDpopProof({
    key: input.key,
    htm: 'POST',
    htu: input.url,
    accessToken: input.accessToken,
    nonce: input.nonce,
    claims: { ...input.bindings },
    now: input.now,
  });
}

/** A proof's header and claims, decoded without verifying (for `kpr slash proof`). */
export function describeProof(jwt: string): { header: Record<string, unknown>; claims: Record<string, unknown>; missing: string[] } {
  let header: Record<string, unknown>;
  let claims: Record<string, unknown>;
  try {
    header = decodeProtectedHeader(jwt) as Record<string, unknown>;
    claims = decodeJwt(jwt) as Record<string, unknown>;
  } catch (err) {
    throw new Error(`not a JWT: ${(err as Error).message}`);
  }
  const missing = ['htm', 'htu', 'iat', 'jti', 'ath', ...BINDING_CLAIMS].filter((c) => claims[c] === undefined);
  if (header.typ !== 'dpop+jwt') missing.unshift('typ dpop+jwt');
  if (!header.jwk) missing.unshift('jwk');
  return { header, claims, missing };
}
