// Signing keys for HelseID: a private JWK (from a file or an object) with its `alg` and `kid`,
// imported once, together with the public half that goes into DPoP headers.
import { readFile } from 'node:fs/promises';
import { calculateJwkThumbprint, importJWK, type CryptoKey, type JWK } from 'jose';

export const SIGNING_ALGS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512'] as const;
export type SigningAlg = (typeof SIGNING_ALGS)[number];

export interface SigningKey {
  alg: SigningAlg;
  kid: string;
  privateKey: CryptoKey;
  /** The public members only: safe to send in a DPoP header. */
  publicJwk: JWK;
  /** RFC 7638 thumbprint of the public key (what `cnf.jkt` binds to). */
  thumbprint: string;
}

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

export function publicPart(jwk: JWK): JWK {
  const pub: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(jwk)) if (!PRIVATE_MEMBERS.includes(name)) pub[name] = value;
  return pub as JWK;
}

export async function signingKeyFromJwk(jwk: JWK, where = 'the JWK'): Promise<SigningKey> {
  if (!jwk || typeof jwk !== 'object') throw new Error(`${where} is not a JSON object`);
  if (!jwk.d) throw new Error(`${where} has no private part ("d"): HelseID needs the private key to sign`);
  const alg = jwk.alg as SigningAlg | undefined;
  if (!alg || !SIGNING_ALGS.includes(alg)) {
    throw new Error(`${where} must say its "alg" (one of ${SIGNING_ALGS.join(', ')}), found ${JSON.stringify(jwk.alg)}`);
  }
  if (!jwk.kid) throw new Error(`${where} must have a "kid" (the key id registered in HelseID)`);
  const privateKey = (await importJWK(jwk, alg)) as CryptoKey;
  const publicJwk = publicPart(jwk);
  const thumbprint = await calculateJwkThumbprint(publicJwk, 'sha256');
  return { alg, kid: jwk.kid, privateKey, publicJwk, thumbprint };
}

export async function loadSigningKey(file: string): Promise<SigningKey> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read the JWK file ${file}: ${(err as Error).message}`);
  }
  let jwk: JWK;
  try {
    jwk = JSON.parse(text) as JWK;
  } catch {
    throw new Error(`the JWK file ${file} is not JSON`);
  }
  return signingKeyFromJwk(jwk, `the JWK file ${file}`);
}
