// The HelseID stand-in: discovery, JWKS and a token endpoint that checks what the real one
// checks (client assertion: typ, alg, signature by the registered key, iss = sub = client id,
// aud = issuer, lifetime ≤ 60 s, no replayed jti; DPoP proof and nonce) and issues DPoP-bound
// access tokens signed by the sandbox's own key. It also checks those tokens for the API.
import { randomBytes, randomUUID } from 'node:crypto';
import {
  calculateJwkThumbprint,
  decodeProtectedHeader,
  EmbeddedJWK,
  importJWK,
  jwtVerify,
  SignJWT,
  type CryptoKey,
  type FlattenedJWSInput,
  type JWK,
  type JWSHeaderParameters,
  type JWTPayload,
} from 'jose';
import { accessTokenHash, htuOf } from '../transport/helseid/dpop.ts';
import { publicPart, SIGNING_ALGS } from '../transport/helseid/keys.ts';
import { Recent } from './recent.ts';

export interface RegisteredClient {
  client_id: string;
  /** The client's public JWK, with `alg`. */
  jwk: JWK;
  scopes: string[];
  /** The vendor's organisation number, put in multi-tenant tokens as orgnr_supplier. */
  supplierOrgNr?: string;
}

export interface Answer {
  status: number;
  headers?: Record<string, string>;
  body: unknown;
}

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const MAX_ASSERTION_LIFETIME_SEC = 60;
const PROOF_MAX_AGE_SEC = 60;
/** The audience of tokens for the KPR API stand-in. */
export const API_AUDIENCE = 'kpr-api';
export const ORG_PARENT_CLAIM = 'helseid://claims/client/claims/orgnr_parent';
export const ORG_CHILD_CLAIM = 'helseid://claims/client/claims/orgnr_child';
export const ORG_SUPPLIER_CLAIM = 'helseid://claims/client/claims/orgnr_supplier';
/** The supplier of a client registered without one (valid mod 11, not a real organisation). */
export const SANDBOX_SUPPLIER_ORGNR = '999999921';

class ReplayCache {
  private readonly seen = new Map<string, number>();
  /** False when the id was seen before; remembers it until `untilSec`. */
  add(id: string, untilSec: number): boolean {
    const now = Date.now() / 1000;
    if (this.seen.size > 10_000) for (const [k, exp] of this.seen) if (exp < now) this.seen.delete(k);
    if (this.seen.has(id)) return false;
    this.seen.set(id, untilSec);
    return true;
  }
}

function oauthError(error: string, description: string, headers?: Record<string, string>): Answer {
  return { status: 400, headers, body: { error, error_description: description } };
}

export interface TokenStats {
  tokenRequests: number;
  tokensIssued: number;
  /** Issued tokens per client|scopes|parent|child. */
  tokensIssuedByKey: Record<string, number>;
}

export class HelseIdStandIn {
  readonly clients = new Map<string, RegisteredClient>();
  nonce = randomBytes(16).toString('base64url');
  /** Tokens from an older epoch are treated as expired (the expireTokens fault). */
  epoch = 0;
  tokenLifetimeSec: number;
  /** The next N tokens asked for a parent organisation come without organisation claims (a fault). */
  dropOrgClaims = 0;
  readonly stats: TokenStats = { tokenRequests: 0, tokensIssued: 0, tokensIssuedByKey: {} };
  private readonly assertionJtis = new ReplayCache();
  private readonly proofJtis = new ReplayCache();
  private signingKey!: CryptoKey;
  private verifyKey!: CryptoKey;
  /**
   * Access tokens whose signature was checked, with their claims: a sender uses one token for
   * many requests, and each check is an RSA verification off the event loop and back, on the
   * path of every message. Expiry is still checked at each use.
   */
  private readonly verifiedTokens = new Recent<string, JWTPayload>();
  private publicJwk!: JWK;

  private constructor(
    readonly issuer: string,
    tokenLifetimeSec: number,
  ) {
    this.tokenLifetimeSec = tokenLifetimeSec;
  }

  static async create(issuer: string, signingJwk: JWK, tokenLifetimeSec: number): Promise<HelseIdStandIn> {
    const s = new HelseIdStandIn(issuer, tokenLifetimeSec);
    s.signingKey = (await importJWK(signingJwk, 'RS256')) as CryptoKey;
    s.publicJwk = { ...publicPart(signingJwk), use: 'sig', alg: 'RS256' };
    s.verifyKey = (await importJWK(s.publicJwk, 'RS256')) as CryptoKey;
    return s;
  }

  get tokenEndpoint(): string {
    return `${this.issuer}/connect/token`;
  }

  discovery() {
    return {
      issuer: this.issuer,
      token_endpoint: this.tokenEndpoint,
      jwks_uri: `${this.issuer}/.well-known/openid-configuration/jwks`,
      grant_types_supported: ['client_credentials'],
      token_endpoint_auth_methods_supported: ['private_key_jwt'],
      token_endpoint_auth_signing_alg_values_supported: [...SIGNING_ALGS],
      dpop_signing_alg_values_supported: [...SIGNING_ALGS],
    };
  }

  jwks() {
    return { keys: [this.publicJwk] };
  }

  registerClient(client: RegisteredClient): void {
    if (!client.client_id || typeof client.client_id !== 'string') throw new Error('client_id is required');
    if (!client.jwk || typeof client.jwk !== 'object' || !client.jwk.alg) throw new Error('jwk with alg is required');
    if ('d' in client.jwk) throw new Error('register the public JWK only');
    if (!Array.isArray(client.scopes)) throw new Error('scopes must be a list');
    if (client.supplierOrgNr !== undefined && !/^\d{9}$/.test(client.supplierOrgNr)) throw new Error('supplierOrgNr must be 9 digits');
    this.clients.set(client.client_id, client);
  }

  rotateNonce(): void {
    this.nonce = randomBytes(16).toString('base64url');
  }

  async token(form: URLSearchParams, dpopProof: string | undefined): Promise<Answer> {
    this.stats.tokenRequests++;
    if (form.get('grant_type') !== 'client_credentials') {
      return oauthError('unsupported_grant_type', `grant_type ${form.get('grant_type')} is not supported`);
    }
    const clientId = form.get('client_id');
    const assertion = form.get('client_assertion');
    if (!clientId || !assertion) return oauthError('invalid_request', 'client_id and client_assertion are required');
    if (form.get('client_assertion_type') !== ASSERTION_TYPE) {
      return oauthError('invalid_request', `client_assertion_type must be ${ASSERTION_TYPE}`);
    }
    const client = this.clients.get(clientId);
    if (!client) return oauthError('invalid_client', `unknown client ${clientId}`);

    let jkt: string | undefined;
    if (dpopProof !== undefined) {
      const proof = await this.checkProof(dpopProof, 'POST', this.tokenEndpoint);
      if ('error' in proof) return oauthError('invalid_dpop_proof', proof.error);
      // The nonce is checked before the assertion so that the nonce round spends no jti.
      if (proof.payload.nonce !== this.nonce) {
        return oauthError('use_dpop_nonce', 'a DPoP nonce is required', { 'DPoP-Nonce': this.nonce });
      }
      jkt = proof.jkt;
    }

    const checked = await this.checkAssertion(assertion, client);
    if ('error' in checked) return oauthError(checked.error, checked.description);

    const requested = (form.get('scope') ?? '').split(' ').filter(Boolean);
    if (!requested.length) return oauthError('invalid_scope', 'no scope requested');
    const refused = requested.filter((s) => !client.scopes.includes(s));
    if (refused.length) return oauthError('invalid_scope', `scope not granted to ${clientId}: ${refused.join(' ')}`);

    const asked = readOrg(checked.payload.assertion_details);
    if (asked && 'error' in asked) return oauthError('invalid_request', asked.error);
    let org = asked;
    if (org?.parent && this.dropOrgClaims > 0) {
      this.dropOrgClaims--;
      org = undefined;
    }

    const now = Math.floor(Date.now() / 1000);
    const claims: JWTPayload = { client_id: clientId, scope: requested.join(' '), sbx_epoch: this.epoch };
    if (jkt) claims.cnf = { jkt };
    if (org?.parent) claims[ORG_PARENT_CLAIM] = org.parent;
    if (org?.child) claims[ORG_CHILD_CLAIM] = org.child;
    if (org?.parent) claims[ORG_SUPPLIER_CLAIM] = client.supplierOrgNr ?? SANDBOX_SUPPLIER_ORGNR;
    const accessToken = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: this.publicJwk.kid })
      .setIssuer(this.issuer)
      .setAudience(API_AUDIENCE)
      .setSubject(clientId)
      .setIssuedAt(now)
      .setNotBefore(now)
      .setExpirationTime(now + this.tokenLifetimeSec)
      .setJti(randomUUID())
      .sign(this.signingKey);
    const key = [clientId, [...requested].sort().join(' '), org?.parent ?? '', org?.child ?? ''].join('|');
    this.stats.tokensIssued++;
    this.stats.tokensIssuedByKey[key] = (this.stats.tokensIssuedByKey[key] ?? 0) + 1;
    return {
      status: 200,
      headers: { 'cache-control': 'no-store' },
      body: { access_token: accessToken, token_type: jkt ? 'DPoP' : 'Bearer', expires_in: this.tokenLifetimeSec, scope: requested.join(' ') },
    };
  }

  private async checkAssertion(assertion: string, client: RegisteredClient): Promise<{ payload: JWTPayload } | { error: string; description: string }> {
    const bad = (description: string) => ({ error: 'invalid_client', description });
    let header: ReturnType<typeof decodeProtectedHeader>;
    try {
      header = decodeProtectedHeader(assertion);
    } catch {
      return bad('client_assertion is not a JWT');
    }
    if (header.typ !== 'client-authentication+jwt') return bad(`client_assertion typ must be client-authentication+jwt, got ${header.typ}`);
    if (!header.alg || !(SIGNING_ALGS as readonly string[]).includes(header.alg)) return bad(`alg ${header.alg} not allowed`);
    if (client.jwk.alg && header.alg !== client.jwk.alg) return bad(`alg ${header.alg} does not match the registered key (${client.jwk.alg})`);
    let payload: JWTPayload;
    try {
      const key = await importJWK(client.jwk, header.alg);
      ({ payload } = await jwtVerify(assertion, key, {
        typ: 'client-authentication+jwt',
        issuer: client.client_id,
        subject: client.client_id,
        audience: this.issuer,
        requiredClaims: ['iat', 'nbf', 'exp', 'jti'],
        clockTolerance: 5,
      }));
    } catch (err) {
      return bad(`client_assertion rejected: ${(err as Error).message}`);
    }
    if (payload.exp! - payload.iat! > MAX_ASSERTION_LIFETIME_SEC) {
      return bad(`client_assertion lives ${payload.exp! - payload.iat!} s, at most ${MAX_ASSERTION_LIFETIME_SEC} s allowed`);
    }
    if (!this.assertionJtis.add(`${client.client_id}|${payload.jti}`, payload.exp! + 5)) {
      return bad(`client_assertion jti ${payload.jti} was already used`);
    }
    return { payload };
  }

  /** Verifies a DPoP proof's signature, typ, htm, htu, age and jti; returns its key thumbprint. */
  async checkProof(proof: string, htm: string, htu: string): Promise<{ payload: JWTPayload; jkt: string } | { error: string }> {
    let payload: JWTPayload;
    let jwk: JWK;
    try {
      const header = decodeProtectedHeader(proof);
      if (!header.alg || !(SIGNING_ALGS as readonly string[]).includes(header.alg)) return { error: `DPoP alg ${header.alg} not allowed` };
      const verified = await jwtVerify(proof, this.proofKey, { typ: 'dpop+jwt', requiredClaims: ['iat', 'jti', 'htm', 'htu'] });
      payload = verified.payload;
      jwk = verified.protectedHeader.jwk as JWK;
    } catch (err) {
      return { error: `DPoP proof rejected: ${(err as Error).message}` };
    }
    if ('d' in jwk) return { error: 'DPoP header jwk must not hold a private key' };
    if (payload.htm !== htm) return { error: `DPoP htm ${payload.htm} is not ${htm}` };
    if (typeof payload.htu !== 'string' || htuOf(payload.htu) !== htuOf(htu)) return { error: `DPoP htu ${payload.htu} is not ${htuOf(htu)}` };
    const now = Date.now() / 1000;
    if (Math.abs(now - payload.iat!) > PROOF_MAX_AGE_SEC) return { error: 'DPoP proof iat is too far from now' };
    if (!this.proofJtis.add(String(payload.jti), payload.iat! + PROOF_MAX_AGE_SEC * 2)) return { error: `DPoP jti ${payload.jti} was already used` };
    const id = JSON.stringify(jwk);
    let jkt = this.thumbprints.get(id);
    if (jkt === undefined) {
      jkt = await calculateJwkThumbprint(jwk, 'sha256');
      this.thumbprints.set(id, jkt);
    }
    return { payload, jkt };
  }

  // A sender signs every proof with the same key: importing it and its thumbprint are computed
  // once, not per request (each was a trip off the event loop and back, on the message's path).
  private readonly proofKeys = new Recent<string, Promise<CryptoKey>>();
  private readonly thumbprints = new Recent<string, string>();

  /** EmbeddedJWK (which checks the key: public, for signing, of the header's alg), remembered per key and alg. */
  private readonly proofKey = (header: JWSHeaderParameters, token: FlattenedJWSInput): Promise<CryptoKey> => {
    const id = `${header.alg}\n${JSON.stringify(header.jwk)}`;
    let key = this.proofKeys.get(id);
    if (!key) {
      key = EmbeddedJWK(header, token) as Promise<CryptoKey>;
      this.proofKeys.set(id, key);
      key.catch(() => this.proofKeys.delete(id));
    }
    return key;
  };

  /**
   * Checks an API request's access token and proof. Returns the token's claims, or the 401/403
   * answer with the WWW-Authenticate challenge RFC 9449 describes.
   */
  async checkApiRequest(input: {
    authorization: string | undefined;
    dpop: string | undefined;
    method: string;
    url: string;
    acceptedScopes: string[];
    requireNonce: boolean;
  }): Promise<{ claims: JWTPayload } | Answer> {
    const deny = (error: string, description: string, status = 401, extra?: Record<string, string>): Answer => ({
      status,
      headers: { 'WWW-Authenticate': `DPoP error="${error}", error_description="${description.replace(/"/g, "'")}"`, ...extra },
      body: { error, error_description: description },
    });
    const m = /^(DPoP|Bearer) (\S+)$/i.exec(input.authorization ?? '');
    if (!m) return deny('invalid_token', 'Authorization: DPoP <token> is required');
    const scheme = m[1]!.toLowerCase();
    const token = m[2]!;
    let claims: JWTPayload;
    const known = this.verifiedTokens.get(token);
    if (known && typeof known.exp === 'number' && known.exp > Date.now() / 1000) claims = known;
    else {
      try {
        ({ payload: claims } = await jwtVerify(token, this.verifyKey, { issuer: this.issuer, audience: API_AUDIENCE, typ: 'at+jwt' }));
      } catch (err) {
        this.verifiedTokens.delete(token);
        return deny('invalid_token', `access token rejected: ${(err as Error).message}`);
      }
      this.verifiedTokens.set(token, claims);
    }
    if (claims.sbx_epoch !== this.epoch) return deny('invalid_token', 'access token expired');
    const scopes = String(claims.scope ?? '').split(' ');
    if (!scopes.some((s) => input.acceptedScopes.includes(s))) {
      return deny('insufficient_scope', `token has none of the scopes ${input.acceptedScopes.join(' ')}`, 403);
    }
    const cnf = claims.cnf as { jkt?: string } | undefined;
    if (cnf?.jkt) {
      if (scheme !== 'dpop') return deny('invalid_token', 'a DPoP-bound token must be sent with the DPoP scheme');
      if (!input.dpop) return deny('invalid_dpop_proof', 'DPoP header missing');
      const proof = await this.checkProof(input.dpop, input.method, input.url);
      if ('error' in proof) return deny('invalid_dpop_proof', proof.error);
      if (proof.jkt !== cnf.jkt) return deny('invalid_dpop_proof', 'DPoP proof key does not match the token (cnf.jkt)');
      if (proof.payload.ath !== accessTokenHash(token)) return deny('invalid_dpop_proof', 'DPoP ath does not match the access token');
      if (input.requireNonce && proof.payload.nonce !== this.nonce) {
        return deny('use_dpop_nonce', 'a DPoP nonce is required', 401, { 'DPoP-Nonce': this.nonce });
      }
    }
    return { claims };
  }
}

function readOrg(details: unknown): { parent?: string; child?: string } | { error: string } | undefined {
  if (details === undefined) return undefined;
  const list = Array.isArray(details) ? details : [details];
  // biome-ignore lint/suspicious/noExplicitAny: a client's assertion_details, checked member by member below
  for (const d of list as Array<Record<string, any>>) {
    if (d?.type !== 'helseid_authorization') continue;
    const id = d.practitioner_role?.organization?.identifier;
    if (id?.system !== 'urn:oid:1.0.6523' || id?.type !== 'ENH' || typeof id?.value !== 'string') {
      return { error: 'assertion_details: identifier must have system urn:oid:1.0.6523, type ENH and a value' };
    }
    const m = /^NO:ORGNR:(\d{9})(?::(\d{9}))?$/.exec(id.value);
    if (!m) return { error: `assertion_details: value ${id.value} is not NO:ORGNR:<parent>[:<child>]` };
    return { parent: m[1], child: m[2] };
  }
  return { error: 'assertion_details holds no helseid_authorization' };
}
