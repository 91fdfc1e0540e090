// Reads a HelseID authority's OpenID discovery document, once per authority per process:
// the issuer (the client assertion's audience) and the token endpoint come from here.
import { httpRequest, jsonBody } from '../http.ts';
import { HelseIdError } from './errors.ts';

export interface Discovery {
  issuer: string;
  token_endpoint: string;
  jwks_uri?: string;
  dpop_signing_alg_values_supported?: string[];
}

const cache = new Map<string, Promise<Discovery>>();

export function discover(authority: string, timeoutMs = 10_000): Promise<Discovery> {
  const key = authority.replace(/\/+$/, '');
  let pending = cache.get(key);
  if (!pending) {
    pending = fetchDiscovery(key, timeoutMs);
    cache.set(key, pending);
    // A failure is not cached: the next caller tries again.
    pending.catch(() => cache.delete(key));
  }
  return pending;
}

async function fetchDiscovery(authority: string, timeoutMs: number): Promise<Discovery> {
  const url = `${authority}/.well-known/openid-configuration`;
  let res: Awaited<ReturnType<typeof httpRequest>>;
  try {
    res = await httpRequest(url, { method: 'GET', timeoutMs, headers: { accept: 'application/json' } });
  } catch (err) {
    throw new HelseIdError('discovery_failed', (err as Error).message, undefined, { cause: err });
  }
  const doc = jsonBody(res) as Partial<Discovery> | undefined;
  if (res.status !== 200 || !doc || typeof doc.issuer !== 'string' || typeof doc.token_endpoint !== 'string') {
    throw new HelseIdError('discovery_failed', `${url} answered ${res.status} without issuer and token_endpoint`, res.status);
  }
  return doc as Discovery;
}

/** Forgets cached discovery documents (tests start new sandboxes on new ports). */
export function clearDiscoveryCache(): void {
  cache.clear();
}
