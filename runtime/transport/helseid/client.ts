// The HelseID machine-to-machine client: client_credentials with a client assertion, DPoP when
// asked, and a token cache per (authority, client, keys, scopes, parent org, child org) that lets
// only one token request per key be in flight: concurrent callers share its promise. A process
// that runs job after job for many tenants passes `processTokenCache`, so each tenant's token
// outlives the job that fetched it and no two tenants ever share one (docs/tenants.md).
import { httpRequest, jsonBody, type HttpResponse } from '../http.ts';
import { createClientAssertion, type OrgNumbers } from './assertion.ts';
import { discover } from './discovery.ts';
import { createDpopProof } from './dpop.ts';
import { HelseIdError, isHelseIdErrorCode } from './errors.ts';
import type { SigningKey } from './keys.ts';

export interface HelseIdClientOptions {
  /** e.g. https://helseid-sts.test.nhn.no */
  authority: string;
  clientId: string;
  /** Signs the client assertion. */
  key: SigningKey;
  /** true: bind tokens to `key` with DPoP; a key: bind to that key instead; false: Bearer tokens. */
  dpop?: boolean | SigningKey;
  timeoutMs?: number;
  /** A cached token is renewed this long before it expires (at most half its lifetime). */
  cacheMarginSec?: number;
  /** Where tokens are kept; default one cache of this client's own. */
  cache?: TokenCache;
}

export interface TokenRequest {
  scopes: string[];
  org?: OrgNumbers;
}

export interface AccessToken {
  accessToken: string;
  tokenType: 'DPoP' | 'Bearer';
  scope?: string;
  /** Epoch ms after which the cache will not hand the token out. */
  renewAt: number;
  expiresInSec: number;
  cacheKey: string;
}

/**
 * Tokens and the fetches in flight, by cache key. The key names everything a token is bound to,
 * so clients built anew for every job can share one cache and still never hand one tenant's
 * token to another. Holds tokens in memory only; nothing here is ever logged.
 */
export class TokenCache {
  readonly tokens = new Map<string, AccessToken>();
  readonly inFlight = new Map<string, Promise<AccessToken>>();

  /** Cached tokens, expired ones included until they are asked for again (tests, stats). */
  get size(): number {
    return this.tokens.size;
  }

  clear(): void {
    this.tokens.clear();
    this.inFlight.clear();
  }
}

/** The one cache of a process: the jobs' HelseID clients keep their tokens here. */
export const processTokenCache = new TokenCache();

const FORM = 'application/x-www-form-urlencoded';
const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

export class HelseIdClient {
  private readonly cache: TokenCache;
  private readonly dpopKey: SigningKey | undefined;
  /** Token requests that reached HelseID with a fresh assertion (for benchmarks). */
  tokenFetches = 0;

  constructor(readonly options: HelseIdClientOptions) {
    this.dpopKey = options.dpop === true ? options.key : options.dpop ? options.dpop : undefined;
    this.cache = options.cache ?? new TokenCache();
  }

  get usesDpop(): boolean {
    return this.dpopKey !== undefined;
  }

  cacheKey(req: TokenRequest): string {
    const o = this.options;
    const scopes = [...new Set(req.scopes)].sort().join(' ');
    // The authority stands for its token endpoint (discovery maps one to the other); the key's
    // thumbprint, not its kid, tells two keys apart; a Bearer and a DPoP token are not the same.
    const authority = o.authority.replace(/\/+$/, '');
    const bound = this.dpopKey ? this.dpopKey.thumbprint : 'bearer';
    return [authority, o.clientId, o.key.thumbprint, bound, scopes, req.org?.parent ?? '', req.org?.child ?? ''].join('|');
  }

  /** A valid token for the request: from the cache, from a fetch in flight, or freshly fetched. */
  getToken(req: TokenRequest): Promise<AccessToken> {
    const key = this.cacheKey(req);
    const { tokens, inFlight } = this.cache;
    const cached = tokens.get(key);
    if (cached && Date.now() < cached.renewAt) return Promise.resolve(cached);
    if (cached) tokens.delete(key);
    let pending = inFlight.get(key);
    if (!pending) {
      pending = this.fetchToken(req, key).then(
        (token) => {
          tokens.set(key, token);
          inFlight.delete(key);
          return token;
        },
        (err) => {
          inFlight.delete(key);
          throw err;
        },
      );
      inFlight.set(key, pending);
    }
    return pending;
  }

  /** Drops a token the API refused, so that the next getToken fetches a new one. */
  invalidate(token: AccessToken): void {
    const cached = this.cache.tokens.get(token.cacheKey);
    if (cached && cached.accessToken === token.accessToken) this.cache.tokens.delete(token.cacheKey);
  }

  /** A DPoP proof for one API request carrying `token`; `claims` are a receiver's own bindings. */
  apiProof(method: string, url: string, token: AccessToken, nonce?: string, claims?: Record<string, string>): Promise<string> {
    if (!this.dpopKey) throw new Error('this HelseID client was not configured for DPoP');
    return createDpopProof({ key: this.dpopKey, htm: method, htu: url, accessToken: token.accessToken, nonce, claims });
  }

  private async fetchToken(req: TokenRequest, cacheKey: string): Promise<AccessToken> {
    const timeoutMs = this.options.timeoutMs ?? 10_000;
    const discovery = await discover(this.options.authority, timeoutMs);
    // HelseID hands out a nonce on the first DPoP request; we answer it once.
    let nonce: string | undefined;
    for (let attempt = 0; ; attempt++) {
      const res = await this.post(discovery.issuer, discovery.token_endpoint, req, timeoutMs, nonce);
      const body = jsonBody(res) as Record<string, unknown> | undefined;
      if (res.status === 200 && body && typeof body.access_token === 'string') {
        return this.toAccessToken(body, cacheKey);
      }
      const code = body?.error;
      const description = typeof body?.error_description === 'string' ? body.error_description : undefined;
      const offered = res.headers.get('dpop-nonce') ?? undefined;
      if (code === 'use_dpop_nonce' && this.dpopKey && offered && attempt === 0) {
        nonce = offered;
        continue;
      }
      if (isHelseIdErrorCode(code)) throw new HelseIdError(code, description, res.status);
      throw new HelseIdError('unexpected_response', `token endpoint answered HTTP ${res.status}${description ? `: ${description}` : ''}`, res.status);
    }
  }

  private async post(audience: string, tokenEndpoint: string, req: TokenRequest, timeoutMs: number, nonce: string | undefined): Promise<HttpResponse> {
    const o = this.options;
    // A fresh assertion every time: HelseID refuses a jti it has seen.
    const assertion = await createClientAssertion({ clientId: o.clientId, audience, key: o.key, org: req.org });
    const form = new URLSearchParams({
      client_id: o.clientId,
      grant_type: 'client_credentials',
      client_assertion_type: ASSERTION_TYPE,
      client_assertion: assertion,
      scope: [...new Set(req.scopes)].join(' '),
    });
    const headers: Record<string, string> = { 'content-type': FORM, accept: 'application/json' };
    if (this.dpopKey) {
      headers.DPoP = await createDpopProof({ key: this.dpopKey, htm: 'POST', htu: tokenEndpoint, nonce });
    }
    this.tokenFetches++;
    return httpRequest(tokenEndpoint, { method: 'POST', headers, body: form.toString(), timeoutMs });
  }

  private toAccessToken(body: Record<string, unknown>, cacheKey: string): AccessToken {
    const expiresIn = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 60;
    const type = String(body.token_type ?? 'Bearer');
    const tokenType = type.toLowerCase() === 'dpop' ? 'DPoP' : 'Bearer';
    if (this.dpopKey && tokenType !== 'DPoP') {
      throw new HelseIdError('unexpected_response', `asked for a DPoP-bound token but got token_type ${type}`);
    }
    const margin = Math.min(this.options.cacheMarginSec ?? 30, expiresIn / 2);
    return {
      accessToken: body.access_token as string,
      tokenType,
      scope: typeof body.scope === 'string' ? body.scope : undefined,
      expiresInSec: expiresIn,
      renewAt: Date.now() + (expiresIn - margin) * 1000,
      cacheKey,
    };
  }
}
