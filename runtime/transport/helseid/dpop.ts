// DPoP proofs (RFC 9449): one fresh signed JWT per HTTP request, binding the request's method
// and URL, and at the API the access token itself (`ath`), to the client's key.
import { createHash, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import type { SigningKey } from './keys.ts';

export interface ProofInput {
  key: SigningKey;
  htm: string;
  htu: string;
  nonce?: string;
  /** The access token the proof accompanies (API calls only). */
  accessToken?: string;
  /** Further claims a receiver binds to the request (SLASH's message bindings); the standard ones win. */
  claims?: Record<string, string>;
  now?: number;
}

/** base64url(SHA-256(access token)), the `ath` claim. */
export function accessTokenHash(accessToken: string): string {
  return createHash('sha256').update(accessToken, 'ascii').digest('base64url');
}

/** `htu` is the URL without query and fragment (RFC 9449 §4.2). */
export function htuOf(url: string): string {
  const u = new URL(url);
  return `${u.origin}${u.pathname}`;
}

export async function createDpopProof(input: ProofInput): Promise<string> {
  const claims: Record<string, unknown> = { ...input.claims, htm: input.htm, htu: htuOf(input.htu) };
  for (const name of ['jti', 'iat', 'nonce', 'ath']) delete claims[name];
  if (input.nonce) claims.nonce = input.nonce;
  if (input.accessToken) claims.ath = accessTokenHash(input.accessToken);
  return new SignJWT(claims)
    .setProtectedHeader({ alg: input.key.alg, typ: 'dpop+jwt', jwk: input.key.publicJwk })
    .setIssuedAt(input.now ?? Math.floor(Date.now() / 1000))
    .setJti(randomUUID())
    .sign(input.key.privateKey);
}
