// The HelseID client against the sandbox's token endpoint, which verifies what HelseID
// verifies: the client assertion's claims, the DPoP proof and the nonce round, and the cache's
// promise of one token request per cache key however many callers ask at once.
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT, decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../../bin/kpr.ts';
import type { Sandbox } from '../../../runtime/sandbox/index.ts';
import {
  createClientAssertion,
  createDpopProof,
  HelseIdClient,
  HelseIdError,
  loadSigningKey,
  signingKeyFromJwk,
  type SigningKey,
} from '../../../runtime/transport/helseid/index.ts';
import { clientFor, HST_SCOPE, startTestSandbox, tmpDir } from '../../sandbox/fixtures.ts';

let sb: Sandbox;
let key: SigningKey;

beforeAll(async () => {
  sb = await startTestSandbox(tmpDir('kpr-pki-'));
  key = await loadSigningKey(sb.files.clientJwkFile);
});
afterAll(() => sb?.close());

const tokenUrl = () => `${sb.url}/connect/token`;

async function postToken(assertion: string, opts: { dpop?: string; scope?: string; grantType?: string } = {}) {
  const form = new URLSearchParams({
    client_id: sb.clientId,
    grant_type: opts.grantType ?? 'client_credentials',
    client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    client_assertion: assertion,
    scope: opts.scope ?? HST_SCOPE,
  });
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (opts.dpop) headers.DPoP = opts.dpop;
  const res = await fetch(tokenUrl(), { method: 'POST', headers, body: form });
  return { status: res.status, nonce: res.headers.get('dpop-nonce'), body: (await res.json()) as Record<string, string> };
}

const assertion = (over: { audience?: string; key?: SigningKey } = {}) => createClientAssertion({ clientId: sb.clientId, audience: over.audience ?? sb.url, key: over.key ?? key });

/** An assertion built by hand, to break one rule at a time. */
async function handAssertion(o: { typ?: string; lifetime?: number }) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: o.typ ?? 'client-authentication+jwt' })
    .setIssuer(sb.clientId)
    .setSubject(sb.clientId)
    .setAudience(sb.url)
    .setIssuedAt(now)
    .setNotBefore(now)
    .setExpirationTime(now + (o.lifetime ?? 30))
    .setJti(randomUUID())
    .sign(key.privateKey);
}

describe('client assertion', () => {
  it('carries the claims HelseID asks for, a fresh jti each time, and the organisation numbers', async () => {
    const a = await createClientAssertion({ clientId: 'c1', audience: 'https://sts', key, org: { parent: '999999905', child: '999999913' } });
    const b = await createClientAssertion({ clientId: 'c1', audience: 'https://sts', key });
    expect(decodeProtectedHeader(a)).toMatchObject({ typ: 'client-authentication+jwt', alg: key.alg, kid: key.kid });
    const claims = decodeJwt(a);
    expect(claims).toMatchObject({ iss: 'c1', sub: 'c1', aud: 'https://sts' });
    expect(claims.exp! - claims.iat!).toBeLessThanOrEqual(60);
    expect(claims.nbf).toBe(claims.iat);
    expect(claims.jti).not.toBe(decodeJwt(b).jti);
    expect(claims.assertion_details).toEqual([
      {
        type: 'helseid_authorization',
        practitioner_role: { organization: { identifier: { system: 'urn:oid:1.0.6523', type: 'ENH', value: 'NO:ORGNR:999999905:999999913' } } },
      },
    ]);
    expect(decodeJwt(b).assertion_details).toBeUndefined();
  });

  it('is accepted by the sandbox when right', async () => {
    const r = await postToken(await assertion());
    expect(r.status).toBe(200);
    expect(r.body.token_type).toBe('Bearer');
  });

  const cases: Array<[string, () => Promise<string>, string]> = [
    ['wrong audience', () => assertion({ audience: 'https://someone-else' }), 'aud'],
    ['lifetime over 60 s', () => handAssertion({ lifetime: 120 }), 'at most 60'],
    ['wrong typ', () => handAssertion({ typ: 'JWT' }), 'typ'],
    [
      'signed by an unregistered key',
      async () => {
        const { privateKey } = await generateKeyPair('ES256', { extractable: true });
        const other = await signingKeyFromJwk({ ...(await exportJWK(privateKey)), alg: 'ES256', kid: key.kid });
        return assertion({ key: other });
      },
      'signature',
    ],
  ];
  it.each(cases)('is refused with invalid_client: %s', async (_name, make, says) => {
    const r = await postToken(await make());
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('invalid_client');
    expect(r.body.error_description).toContain(says);
  });

  it('is refused when its jti is replayed', async () => {
    const a = await assertion();
    expect((await postToken(a)).status).toBe(200);
    const again = await postToken(a);
    expect(again.body.error).toBe('invalid_client');
    expect(again.body.error_description).toContain('already used');
  });

  it('refuses scopes not granted and grant types other than client_credentials', async () => {
    expect((await postToken(await assertion(), { scope: 'not:granted' })).body.error).toBe('invalid_scope');
    expect((await postToken(await assertion(), { grantType: 'password' })).body.error).toBe('unsupported_grant_type');
  });
});

describe('DPoP at the token endpoint', () => {
  it('asks for a nonce first, and accepts a proof that carries it', async () => {
    const first = await postToken(await assertion(), { dpop: await createDpopProof({ key, htm: 'POST', htu: tokenUrl() }) });
    expect(first.status).toBe(400);
    expect(first.body.error).toBe('use_dpop_nonce');
    expect(first.nonce).toBeTruthy();
    const second = await postToken(await assertion(), {
      dpop: await createDpopProof({ key, htm: 'POST', htu: tokenUrl(), nonce: first.nonce! }),
    });
    expect(second.status).toBe(200);
    expect(second.body.token_type).toBe('DPoP');
    expect(decodeJwt(second.body.access_token!).cnf).toEqual({ jkt: key.thumbprint });
  });

  it('refuses a proof with a broken signature or for another URL', async () => {
    const nonce = sb.helseid.nonce;
    const good = await createDpopProof({ key, htm: 'POST', htu: tokenUrl(), nonce });
    const [h, p, s] = good.split('.');
    const flipped = s!.slice(0, 10) + (s![10] === 'A' ? 'B' : 'A') + s!.slice(11);
    const bad = await postToken(await assertion(), { dpop: `${h}.${p}.${flipped}` });
    expect(bad.body.error).toBe('invalid_dpop_proof');
    const elsewhere = await postToken(await assertion(), {
      dpop: await createDpopProof({ key, htm: 'POST', htu: `${sb.url}/other`, nonce }),
    });
    expect(elsewhere.body.error).toBe('invalid_dpop_proof');
    expect(elsewhere.body.error_description).toContain('htu');
  });

  it('the client does the nonce round by itself: two requests, one token, bound to its key', async () => {
    const client = await clientFor(sb);
    const before = sb.stats() as { tokenRequests: number; tokensIssued: number };
    const token = await client.getToken({ scopes: [HST_SCOPE], org: { parent: '999999905', child: '999999913' } });
    const after = sb.stats() as { tokenRequests: number; tokensIssued: number };
    expect(after.tokenRequests - before.tokenRequests).toBe(2);
    expect(after.tokensIssued - before.tokensIssued).toBe(1);
    expect(token.tokenType).toBe('DPoP');
    const claims = decodeJwt(token.accessToken);
    expect((claims.cnf as { jkt: string }).jkt).toBe(key.thumbprint);
    expect(claims['helseid://claims/client/claims/orgnr_parent']).toBe('999999905');
    expect(claims['helseid://claims/client/claims/orgnr_child']).toBe('999999913');
  });
});

describe('token cache', () => {
  it('100 concurrent callers per cache key cause exactly one token request per key', async () => {
    const client = await clientFor(sb);
    const before = { ...(sb.stats().tokensIssuedByKey as Record<string, number>) };
    const reqA = { scopes: [HST_SCOPE], org: { parent: '999999905' } };
    const reqB = { scopes: [HST_SCOPE], org: { parent: '999999905', child: '999999913' } };
    const tokens = await Promise.all(Array.from({ length: 200 }, (_, i) => client.getToken(i % 2 ? reqA : reqB)));
    const byKey = sb.stats().tokensIssuedByKey as Record<string, number>;
    const keyA = `${sb.clientId}|${HST_SCOPE}|999999905|`;
    const keyB = `${sb.clientId}|${HST_SCOPE}|999999905|999999913`;
    expect(byKey[keyA]! - (before[keyA] ?? 0)).toBe(1);
    expect(byKey[keyB]! - (before[keyB] ?? 0)).toBe(1);
    expect(new Set(tokens.map((t) => t.accessToken)).size).toBe(2);
    // The next call is served from the cache.
    await client.getToken(reqA);
    expect((sb.stats().tokensIssuedByKey as Record<string, number>)[keyA]! - (before[keyA] ?? 0)).toBe(1);
  });

  it('fetches a new token once the cached one is due for renewal', async () => {
    sb.applyFaults({ tokenLifetimeSec: 1 });
    try {
      const client = await clientFor(sb);
      const first = await client.getToken({ scopes: [HST_SCOPE] });
      expect(first.renewAt - Date.now()).toBeLessThanOrEqual(500);
      await new Promise((r) => setTimeout(r, 600));
      const second = await client.getToken({ scopes: [HST_SCOPE] });
      expect(second.accessToken).not.toBe(first.accessToken);
    } finally {
      sb.applyFaults({ tokenLifetimeSec: 300 });
    }
  });

  it('a failed fetch is not cached and every caller sees the typed error', async () => {
    const client = new HelseIdClient({ authority: sb.url, clientId: 'nobody', key, dpop: true });
    const results = await Promise.allSettled([1, 2, 3].map(() => client.getToken({ scopes: [HST_SCOPE] })));
    for (const r of results) {
      expect(r.status).toBe('rejected');
      const err = (r as PromiseRejectedResult).reason as HelseIdError;
      expect(err).toBeInstanceOf(HelseIdError);
      expect(err.code).toBe('invalid_client');
      expect(err.message).toContain('selvbetjening');
    }
    expect(client.tokenFetches).toBe(1); // an unknown client is refused before the nonce round; one request serves all three
  });
});

describe('kpr token', () => {
  async function run(args: string[]) {
    let out = '';
    let err = '';
    const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
    const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
    try {
      const code = await main(['node', 'kpr', 'token', '--authority', sb.url, '--client-id', sb.clientId, '--jwk', sb.files.clientJwkFile, ...args]);
      return { code, out, err };
    } finally {
      o.mockRestore();
      e.mockRestore();
    }
  }

  it('prints the claims, not the token', async () => {
    const r = await run(['--scope', HST_SCOPE, '--dpop', '--org-parent', '999999905']);
    expect(r.code).toBe(0);
    const shown = JSON.parse(r.out);
    expect(shown.token_type).toBe('DPoP');
    expect(shown.claims.cnf.jkt).toBe(key.thumbprint);
    expect(shown.claims['helseid://claims/client/claims/orgnr_parent']).toBe('999999905');
    expect(r.out).not.toMatch(/eyJ[\w-]+\.eyJ/);
  });

  it('prints the token itself only with --raw', async () => {
    const r = await run(['--scope', HST_SCOPE, '--raw']);
    expect(r.code).toBe(0);
    expect(decodeJwt(r.out.trim()).client_id).toBe(sb.clientId);
  });

  it('refuses plain http to anything but loopback', async () => {
    let err = '';
    const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
    try {
      const code = await main(['node', 'kpr', 'token', '--authority', 'http://helseid.example', '--client-id', 'c', '--jwk', sb.files.clientJwkFile, '--scope', HST_SCOPE]);
      expect(code).toBe(2);
      expect(err).toContain('refusing http:');
    } finally {
      e.mockRestore();
    }
  });

  it('exits 2 with the HelseID error explained', async () => {
    const r = await run(['--scope', 'not:granted']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('invalid_scope');
    expect(r.err).toContain('granted');
  });
});

describe('kpr token --config', () => {
  it("takes authority, client, key, scopes and DPoP from kpr.yaml's helseid section, and shows times as ISO instants", async () => {
    const dir = tmpDir('kpr-token-config-');
    writeFileSync(
      join(dir, 'kpr.yaml'),
      `profile: sandbox
api: { baseUrl: ${sb.url}, helseidAuthority: ${sb.url}, receiverHerId: 8139520 }
helseid: { clientId: ${sb.clientId}, jwkFile: ${sb.files.clientJwkFile}, scopes: [${HST_SCOPE}], dpop: true }
sender:
  herId: 8139519
  orgNr: "974770000"
  Kommune: [{ kommuneNr: "0301", Enhet: [{ enhetID: E1 }] }]
  Kontaktperson: [{ kontPerson: Kari, meldEpost1: kari@example.invalid, typeKontaktperson: "1" }, { kontPerson: Kari, meldEpost1: kari@example.invalid, typeKontaktperson: "15" }]
epj: { leverandor: Test AS, navnEPJ: TestEPJ, versjonEPJ: "1.0" }
message: { spec: hst@56.0.0 }
source: { type: file, path: epj.ndjson }
`,
    );
    let out = '';
    let err = '';
    const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
    const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
    const before = Date.now();
    let code: number;
    try {
      code = await main(['node', 'kpr', 'token', '--config', join(dir, 'kpr.yaml')]);
    } finally {
      o.mockRestore();
      e.mockRestore();
    }
    expect(code, err).toBe(0);
    const shown = JSON.parse(out);
    expect(shown.token_type).toBe('DPoP');
    expect(shown.claims.cnf.jkt).toBe(key.thumbprint);
    expect(shown.claims.exp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(Date.parse(shown.claims.exp) - Date.parse(shown.claims.iat)).toBe(shown.expires_in * 1000);
    expect(Math.abs(Date.parse(shown.claims.iat) - before)).toBeLessThan(60_000);
  });
});
