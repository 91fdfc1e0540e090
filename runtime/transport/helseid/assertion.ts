// The client assertion (private_key_jwt, RFC 7523) HelseID wants instead of a client secret,
// with the multi-tenant organisation numbers in `assertion_details` when they are given.
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import type { SigningKey } from './keys.ts';

/** HelseID rejects assertions that live longer than this. */
export const MAX_ASSERTION_LIFETIME_SEC = 60;

export interface OrgNumbers {
  /** The parent organisation (the municipality or the vendor's customer). */
  parent?: string;
  /** The child organisation (the unit), optional. */
  child?: string;
}

export interface AssertionInput {
  clientId: string;
  /** The issuer from the authority's discovery document. */
  audience: string;
  key: SigningKey;
  org?: OrgNumbers;
  lifetimeSec?: number;
  now?: number;
}

export function assertionDetails(org: OrgNumbers | undefined): unknown[] | undefined {
  if (!org?.parent) return undefined;
  const value = org.child ? `NO:ORGNR:${org.parent}:${org.child}` : `NO:ORGNR:${org.parent}`;
  return [
    {
      type: 'helseid_authorization',
      practitioner_role: {
        organization: { identifier: { system: 'urn:oid:1.0.6523', type: 'ENH', value } },
      },
    },
  ];
}

export async function createClientAssertion(input: AssertionInput): Promise<string> {
  const now = input.now ?? Math.floor(Date.now() / 1000);
  const lifetime = Math.min(input.lifetimeSec ?? MAX_ASSERTION_LIFETIME_SEC, MAX_ASSERTION_LIFETIME_SEC);
  const claims: Record<string, unknown> = {};
  const details = assertionDetails(input.org);
  if (details) claims.assertion_details = details;
  return new SignJWT(claims)
    .setProtectedHeader({ alg: input.key.alg, kid: input.key.kid, typ: 'client-authentication+jwt' })
    .setIssuer(input.clientId)
    .setSubject(input.clientId)
    .setAudience(input.audience)
    .setIssuedAt(now)
    .setNotBefore(now)
    .setExpirationTime(now + lifetime)
    .setJti(randomUUID())
    .sign(input.key.privateKey);
}
