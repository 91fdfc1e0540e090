// Public face of the HelseID client: keys, assertion, DPoP, the caching client and its errors.
export { HelseIdClient, TokenCache, processTokenCache, type AccessToken, type HelseIdClientOptions, type TokenRequest } from './client.ts';
export { createClientAssertion, assertionDetails, MAX_ASSERTION_LIFETIME_SEC, type OrgNumbers } from './assertion.ts';
export { createDpopProof, accessTokenHash, htuOf } from './dpop.ts';
export { discover, clearDiscoveryCache, type Discovery } from './discovery.ts';
export { HelseIdError, explain, isHelseIdErrorCode, type HelseIdErrorCode } from './errors.ts';
export { loadSigningKey, signingKeyFromJwk, publicPart, SIGNING_ALGS, type SigningAlg, type SigningKey } from './keys.ts';
export { orgClaimsOf, requireOrgClaims, normaliseOrgNr, ORG_PARENT_CLAIM, ORG_SUPPLIER_CLAIM, ORG_CHILD_CLAIM, type OrgClaims } from './org-claims.ts';
