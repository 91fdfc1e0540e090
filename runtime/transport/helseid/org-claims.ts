// Multi-tenant tokens (an EPJ vendor's client sending for many municipalities): HelseID puts the
// vendor's and the reporting unit's organisation numbers into the token when the client
// assertion asks for a parent organisation. A receiver that needs them (FHI's SLASH answers 2002
// without) is better served by an error here, before sending, that says what to set up.
import { decodeJwt } from 'jose';
import type { AccessToken } from './client.ts';
import { HelseIdError } from './errors.ts';

export const ORG_PARENT_CLAIM = 'helseid://claims/client/claims/orgnr_parent';
export const ORG_SUPPLIER_CLAIM = 'helseid://claims/client/claims/orgnr_supplier';
export const ORG_CHILD_CLAIM = 'helseid://claims/client/claims/orgnr_child';

const ORGNR = /^\d{9}$/;

export interface OrgClaims {
  parent?: string;
  supplier?: string;
  child?: string;
}

/** The organisation claims of a JWT access token; undefined for a reference (opaque) token. */
export function orgClaimsOf(accessToken: string): OrgClaims | undefined {
  let claims: Record<string, unknown>;
  try {
    claims = decodeJwt(accessToken);
  } catch {
    return undefined;
  }
  const read = (name: string) => (typeof claims[name] === 'string' || typeof claims[name] === 'number' ? String(claims[name]) : undefined);
  return { parent: read(ORG_PARENT_CLAIM), supplier: read(ORG_SUPPLIER_CLAIM), child: read(ORG_CHILD_CLAIM) };
}

/** A parent organisation number as FHI's sender accepts it: nine digits, surrounding blanks dropped. */
export function normaliseOrgNr(value: string, where: string): string {
  const v = value.trim();
  if (!ORGNR.test(v)) throw new Error(`${where} must be a 9-digit organisation number, got ${JSON.stringify(value)}`);
  return v;
}

/**
 * Throws `missing_org_claims` unless the token names `parent` as its parent organisation. An
 * opaque token cannot be read here and passes: the receiver will judge it.
 */
export function requireOrgClaims(token: AccessToken, parent: string): OrgClaims | undefined {
  const org = orgClaimsOf(token.accessToken);
  if (!org) return undefined;
  if (!org.parent) throw new HelseIdError('missing_org_claims', `asked for parent organisation ${parent}, the token carries no orgnr_parent`);
  if (org.parent !== parent) throw new HelseIdError('missing_org_claims', `asked for parent organisation ${parent}, the token names ${org.parent}`);
  return org;
}
