// The HelseID machine-to-machine client: client_credentials with a client assertion, DPoP when
// asked, and a token cache per (key id, scopes, parent org, child org) that lets only one
// token request per key be in flight: concurrent callers share its promise.
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

interface CacheEntry {
  token: AccessToken;
}

const FORM = 'application/x-www-form-urlencoded';
const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

export class HelseIdClient {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly inFlight = new Map<string, Promise<AccessToken>>();
  private readonly dpopKey: SigningKey | undefined;
  /** Token requests that reached HelseID with a fresh assertion (for benchmarks). */
  tokenFetches = 0;

  constructor(readonly options: HelseIdClientOptions) {
    this.dpopKey = options.dpop === true ? options.key : options.dpop ? options.dpop : undefined;
  }

  get usesDpop(): boolean {
    return this.dpopKey !== undefined;
  }

  cacheKey(req: TokenRequest): string {
    const scopes = [...new Set(req.scopes)].sort().join(' ');
    return [this.options.key.kid, scopes, req.org?.parent ?? '', req.org?.child ?? ''].join('|');
  }

  /** A valid token for the request: from the cache, from a fetch in flight, or freshly fetched. */
  getToken(req: TokenRequest): Promise<AccessToken> {
    const key = this.cacheKey(req);
    const cached = this.cache.get(key);
    if (cached && Date.now() < cached.token.renewAt) return Promise.resolve(cached.token);
    let pending = this.inFlight.get(key);
    if (!pending) {
      pending = this.fetchToken(req, key).then(
        (token) => {
          this.cache.set(key, { token });
          this.inFlight.delete(key);
          return token;
        },
        (err) => {
          this.inFlight.delete(key);
          throw err;
        },
      );
      this.inFlight.set(key, pending);
    }
    return pending;
  }

  /** Drops a token the API refused, so that the next getToken fetches a new one. */
  invalidate(token: AccessToken): void {
    const entry = this.cache.get(token.cacheKey);
    if (entry && entry.token.accessToken === token.accessToken) this.cache.delete(token.cacheKey);
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
