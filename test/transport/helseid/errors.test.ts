// Every HelseID error code becomes a typed HelseIdError with its own advice; the nonce round is
// tried once only; server trouble is marked as worth retrying; discovery is read once per
// authority. A scripted fake STS on loopback plays HelseID's part.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { clearDiscoveryCache, explain, HelseIdClient, HelseIdError, signingKeyFromJwk, type HelseIdErrorCode, type SigningKey } from '../../../runtime/transport/helseid/index.ts';

let server: Server;
let url: string;
let key: SigningKey;
/** What the token endpoint answers next. */
let answer: { status: number; body: unknown; headers?: Record<string, string> };
const seen = { discovery: 0, token: 0, dpopNonces: [] as Array<string | undefined> };

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/.well-known/openid-configuration') {
      seen.discovery++;
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ issuer: url, token_endpoint: `${url}/connect/token` }));
    }
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      seen.token++;
      const proof = req.headers.dpop as string | undefined;
      seen.dpopNonces.push(proof ? (JSON.parse(Buffer.from(proof.split('.')[1]!, 'base64url').toString()).nonce as string | undefined) : undefined);
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      res.end(typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  key = await signingKeyFromJwk({ ...(await exportJWK(privateKey)), alg: 'ES256', kid: 'k1' });
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
  clearDiscoveryCache();
  seen.discovery = 0;
  seen.token = 0;
  seen.dpopNonces = [];
});

const client = (dpop = false) => new HelseIdClient({ authority: url, clientId: 'c1', key, dpop, timeoutMs: 5_000 });
const fail = (p: Promise<unknown>) =>
  p.then(
    () => expect.unreachable('expected a HelseIdError'),
    (e) => e as HelseIdError,
  );

describe('HelseID errors', () => {
  const codes: HelseIdErrorCode[] = ['invalid_request', 'invalid_client', 'invalid_grant', 'unauthorized_client', 'unsupported_grant_type', 'invalid_scope'];
  it.each(codes)('%s becomes a typed, permanent error with its advice', async (code) => {
    answer = { status: 400, body: { error: code, error_description: 'told by the STS' } };
    const err = await fail(client().getToken({ scopes: ['s'] }));
    expect(err).toBeInstanceOf(HelseIdError);
    expect(err.code).toBe(code);
    expect(err.permanent).toBe(true);
    expect(err.message).toContain('told by the STS');
    expect(err.message).toContain(explain(code));
  });

  it('answers use_dpop_nonce once, then gives up with use_dpop_nonce', async () => {
    answer = { status: 400, body: { error: 'use_dpop_nonce' }, headers: { 'DPoP-Nonce': 'n-1' } };
    const err = await fail(client(true).getToken({ scopes: ['s'] }));
    expect(err.code).toBe('use_dpop_nonce');
    expect(seen.dpopNonces).toEqual([undefined, 'n-1']);
  });

  it('marks server trouble and a bad discovery document as worth retrying', async () => {
    answer = { status: 503, body: '<html>maintenance</html>' };
    const err = await fail(client().getToken({ scopes: ['s'] }));
    expect(err.code).toBe('unexpected_response');
    expect(err.permanent).toBe(false);
    const noSts = new HelseIdClient({ authority: `${url}/nothing-here`, clientId: 'c1', key });
    const d = await fail(noSts.getToken({ scopes: ['s'] }));
    expect(d.code).toBe('discovery_failed');
    expect(d.permanent).toBe(false);
  });

  it('reads discovery once per authority, for every client and cache key', async () => {
    answer = { status: 200, body: { access_token: 'opaque', token_type: 'Bearer', expires_in: 600 } };
    await client().getToken({ scopes: ['a'] });
    await client().getToken({ scopes: ['b'] });
    expect(seen.discovery).toBe(1);
    expect(seen.token).toBe(2);
  });

  it('refuses a Bearer token when DPoP was asked for', async () => {
    answer = { status: 200, body: { access_token: 'opaque', token_type: 'Bearer', expires_in: 600 } };
    const err = await fail(client(true).getToken({ scopes: ['s'] }));
    expect(err.code).toBe('unexpected_response');
    expect(err.message).toContain('DPoP-bound');
  });
});
