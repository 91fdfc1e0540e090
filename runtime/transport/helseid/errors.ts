// HelseID's OAuth error codes, each with a sentence an operator can act on. The token endpoint
// answers with `error` and sometimes `error_description`; we keep both and add the advice.

export type HelseIdErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'use_dpop_nonce'
  | 'invalid_dpop_proof'
  | 'discovery_failed'
  | 'unexpected_response'
  | 'missing_org_claims';

const ADVICE: Record<HelseIdErrorCode, string> = {
  invalid_request: 'HelseID found the token request malformed: a parameter is missing or repeated, or the DPoP proof or assertion_details is wrong.',
  invalid_client:
    'HelseID did not accept the client authentication: check the client id, that the JWK is the one registered in HelseID selvbetjening, its kid and alg, and the machine clock (the client assertion lives at most 60 s).',
  invalid_grant:
    'HelseID refused the grant: the client assertion may be expired, reused (same jti) or addressed to the wrong audience, or the organisation numbers in assertion_details are not delegated to this client.',
  unauthorized_client: 'The client is not allowed to use this grant type (client_credentials): check the client configuration in HelseID selvbetjening.',
  unsupported_grant_type: 'HelseID does not support the grant type sent; machine-to-machine clients use client_credentials.',
  invalid_scope: 'A requested scope is unknown or not granted to this client: check the scope setting against what the API owner has granted.',
  use_dpop_nonce: 'HelseID demands a DPoP nonce and did not accept the one sent, even after one retry with the nonce it gave.',
  invalid_dpop_proof: 'HelseID rejected the DPoP proof: check the machine clock and that the DPoP key is a valid signing key.',
  discovery_failed: 'The HelseID discovery document could not be read: check the authority URL and the network path to it.',
  unexpected_response: 'HelseID answered in a way this client does not understand.',
  missing_org_claims:
    'The access token does not name the organisation asked for (helseid://claims/client/claims/orgnr_parent): register the client in HelseID selvbetjening as a multi-tenant client, have the municipality delegate to it, and configure its 9-digit parent organisation number.',
};

/** An error from HelseID or from talking to it, with a stable code and operator advice. */
export class HelseIdError extends Error {
  readonly advice: string;
  constructor(
    readonly code: HelseIdErrorCode,
    readonly description?: string,
    readonly httpStatus?: number,
    options?: { cause?: unknown },
  ) {
    const advice = ADVICE[code];
    super(`HelseID ${code}${description ? `: ${description}` : ''}. ${advice}`, options);
    this.name = 'HelseIdError';
    this.advice = advice;
  }

  /** Errors that will not go away by asking again with the same settings. */
  get permanent(): boolean {
    return this.code !== 'discovery_failed' && this.code !== 'unexpected_response';
  }
}

export function isHelseIdErrorCode(code: unknown): code is HelseIdErrorCode {
  return typeof code === 'string' && code in ADVICE;
}

export function explain(code: HelseIdErrorCode): string {
  return ADVICE[code];
}
