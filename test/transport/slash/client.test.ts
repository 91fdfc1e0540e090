// The SLASH client against the sandbox's SLASH stand-in, under each fault: what a protocol step
// fixes is fixed once (keys, token, nonce), what time fixes is retried, the rest is returned
// with the action the delivery rules take. msg_hash never changes between attempts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../../runtime/sandbox/index.ts';
import { HelseIdError, orgClaimsOf, requireOrgClaims, type AccessToken } from '../../../runtime/transport/helseid/index.ts';
import { SlashKeyError, type SlashAttempt } from '../../../runtime/transport/slash/index.ts';
import { tmpDir } from '../../sandbox/fixtures.ts';
import { OTHER_PARENT, PARENT, sha256url, slashClientFor, startSlashSandbox, unitMessage } from '../../sandbox/slash/fixtures.ts';

const pkiDir = tmpDir('kpr-pki-');
let sb: Sandbox;
beforeAll(async () => {
  sb = await startSlashSandbox(pkiDir);
});
afterAll(() => sb?.close());

async function sendWith(fault: Parameters<Sandbox['applyFaults']>[0] | undefined, opts: { parent?: string; timeoutMs?: number } = {}) {
  const attempts: SlashAttempt[] = [];
  const client = await slashClientFor(sb, { onAttempt: (a) => attempts.push(a), timeoutMs: opts.timeoutMs });
  // A first delivery warms the caches (key, token), so the fault meets a client in its stride.
  expect((await client.send({ json: unitMessage(), msgType: 'HST_Avtale', msgVersion: '1', parentOrgNr: PARENT })).outcome).toBe('delivered');
  attempts.length = 0;
  if (fault) sb.applyFaults(fault);
  const json = unitMessage(opts.parent ?? PARENT, { n: Math.random() });
  const result = await client.send({ json, msgType: 'HST_Avtale', msgVersion: '1', parentOrgNr: opts.parent ?? PARENT });
  // Every attempt carried the same message: the same hash.
  for (const a of attempts) if (a.msgHash) expect(a.msgHash).toBe(sha256url(json));
  return { result, attempts: attempts.map((a) => a.result), client };
}

describe('SlashClient under faults', () => {
  it('delivers and keeps the correlation id', async () => {
    const { result } = await sendWith(undefined);
    expect(result).toMatchObject({ outcome: 'delivered', attempts: 1 });
    expect(result.outcome === 'delivered' && result.correlationId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it.each([
    ['key rotation (1004)', { slash: { rotateKey: true } }, ['keys', 'delivered']],
    ['an expired key (1007)', { slash: { expireKey: true } }, ['keys', 'delivered']],
    ['token expiry (401)', { expireTokens: true }, ['token', 'delivered']],
    ['a demanded and rotated DPoP nonce', { requireApiNonce: true, rotateNonce: true }, ['nonce', 'delivered']],
    ['two 5xx', { slash: { fail500: 2 } }, [expect.stringMatching(/^HTTP 500/), expect.stringMatching(/^HTTP 500/), 'delivered']],
    ['a dropped connection', { slash: { drop: 1 } }, [expect.stringContaining('could not reach'), 'delivered']],
    ['a storage error (2010)', { slash: { answerCode: { code: 2010, count: 1 } } }, [expect.stringContaining('2010 StorageError'), 'delivered']],
    ['a signature claim refused once (2004)', { slash: { answerCode: { code: 2004, count: 1 } } }, ['token', 'delivered']],
  ])('%s: recovers', async (_n, fault, want) => {
    const { result, attempts } = await sendWith(fault as never);
    sb.applyFaults({ requireApiNonce: false });
    expect(result.outcome).toBe('delivered');
    expect(attempts).toEqual(want);
  });

  it('a request held past the timeout is retried', async () => {
    const { result, attempts } = await sendWith({ slash: { delay: { count: 1, ms: 1500 } } }, { timeoutMs: 500 });
    expect(result.outcome).toBe('delivered');
    expect(attempts[0]).toMatch(/within 500 ms/);
  });

  it.each([
    ['2009 → split', 2009, 'split', 'PayloadSizeLimitExceeded'],
    ['2008 → stop the unit', 2008, 'stop-unit', 'SchemaValidationFailed'],
    ['1001 → stop the unit', 1001, 'stop-unit', 'HttpHeaderMissing'],
    ['1004 twice → stop the unit', 1004, 'stop-unit', 'InvalidKeyId'],
    ['2005 twice → stop the unit', 2005, 'stop-unit', 'HelseIdSignatureDoesNotMatchHeaderValues'],
  ])('%s', async (_n, code, action, name) => {
    const { result } = await sendWith({ slash: { answerCode: { code, count: 2 } } });
    sb.applyFaults({ slash: { clear: true } });
    expect(result).toMatchObject({ outcome: 'refused', action });
    if (result.outcome !== 'refused') return;
    expect(result.codes.map((c) => c.name)).toEqual([name]);
    expect(result.correlationId).toBeTruthy();
    expect(result.reason).toContain(`${code} ${name}`);
  });

  it('5xx that persists: retry-later once the attempts are spent', async () => {
    const { result, attempts } = await sendWith({ slash: { fail500: 10 } });
    sb.applyFaults({ slash: { clear: true } });
    expect(result).toMatchObject({ outcome: 'refused', action: 'retry-later', status: 500, attempts: 4 });
    expect(attempts).toHaveLength(4);
  });

  it('/keys empty, malformed or expired: a SlashKeyError naming it, nothing sent', async () => {
    for (const fault of ['empty', 'malformed', 'expired'] as const) {
      sb.applyFaults({ slash: { keys: fault } });
      const client = await slashClientFor(sb);
      const before = sb.slash.stats.messages;
      const err = await client.send({ json: unitMessage(), msgType: 'HST_Avtale', msgVersion: '1', parentOrgNr: PARENT }).then(
        () => undefined,
        (e) => e,
      );
      expect(err).toBeInstanceOf(SlashKeyError);
      expect(err.code).toBe(`keys-${fault}`);
      expect(sb.slash.stats.messages).toBe(before);
    }
    sb.applyFaults({ slash: { keys: null } });
  });
});

describe('multi-tenant HelseID for SLASH', () => {
  it('tokens carry orgnr_parent and orgnr_supplier and are cached per parent organisation', async () => {
    const client = await slashClientFor(sb);
    const before = { ...(sb.stats().tokensIssuedByKey as Record<string, number>) };
    for (const parent of [PARENT, OTHER_PARENT, PARENT, OTHER_PARENT]) {
      expect((await client.send({ json: unitMessage(parent), msgType: 'HST_Avtale', msgVersion: '1', parentOrgNr: parent })).outcome).toBe('delivered');
    }
    const after = sb.stats().tokensIssuedByKey as Record<string, number>;
    const issued = Object.entries(after)
      .filter(([k, n]) => n > (before[k] ?? 0))
      .map(([k, n]) => [k.split('|')[2], n - (before[k] ?? 0)]);
    expect(issued.sort()).toEqual(
      [
        [PARENT, 1],
        [OTHER_PARENT, 1],
      ].sort(),
    );
    expect(sb.slash.state().units[OTHER_PARENT]!.every((d) => d.parentOrgNr === OTHER_PARENT)).toBe(true);
  });

  it('without a parent organisation the receiver answers 2002 and the unit stops', async () => {
    const client = await slashClientFor(sb);
    const r = await client.send({ json: unitMessage(), msgType: 'HST_Avtale', msgVersion: '1' });
    expect(r).toMatchObject({ outcome: 'refused', action: 'stop-unit' });
    expect(r.outcome === 'refused' && r.codes[0]?.name).toBe('MissingOrganizationNumberClaimFromHelseIdToken');
  });

  it('a token without org claims, or naming another parent, is an error that says what to set up', async () => {
    const client = await slashClientFor(sb);
    const token = await (client as any).options.helseid.getToken({ scopes: [sb.connection.slashScope], org: { parent: PARENT } });
    expect(orgClaimsOf(token.accessToken)).toEqual({ parent: PARENT, supplier: '999999921', child: undefined });
    const unsigned = (claims: object): AccessToken => ({
      ...token,
      accessToken: `${Buffer.from('{"alg":"RS256"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`,
    });
    for (const [claims, words] of [
      [{ client_id: 'c' }, 'carries no orgnr_parent'],
      [{ 'helseid://claims/client/claims/orgnr_parent': OTHER_PARENT }, `the token names ${OTHER_PARENT}`],
    ] as const) {
      let err: unknown;
      try {
        requireOrgClaims(unsigned(claims), PARENT);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(HelseIdError);
      expect((err as HelseIdError).code).toBe('missing_org_claims');
      expect((err as Error).message).toContain(words);
      expect((err as Error).message).toContain('multi-tenant');
    }
    expect(requireOrgClaims({ ...token, accessToken: 'opaque-reference-token' }, PARENT)).toBeUndefined();
    await expect(client.send({ json: unitMessage(), msgType: 'HST_Avtale', msgVersion: '1', parentOrgNr: '12345' })).rejects.toThrow(/9-digit/);
  });

  it("reads a cached token's org claims once, yet refuses that token for another parent", async () => {
    const client = await slashClientFor(sb);
    const helseid = (client as any).options.helseid;
    const token: AccessToken = await helseid.getToken({ scopes: [sb.connection.slashScope], org: { parent: PARENT } });
    // A token provider that hands the same token out whatever parent is asked for.
    const getToken = helseid.getToken;
    helseid.getToken = async () => token;
    try {
      for (let i = 0; i < 2; i++) {
        expect((await client.send({ json: unitMessage(PARENT, { i }), msgType: 'HST_Avtale', msgVersion: '1', parentOrgNr: PARENT })).outcome).toBe('delivered');
      }
      await expect(client.send({ json: unitMessage(OTHER_PARENT), msgType: 'HST_Avtale', msgVersion: '1', parentOrgNr: OTHER_PARENT })).rejects.toThrow(
        `asked for parent organisation ${OTHER_PARENT}, the token names ${PARENT}`,
      );
    } finally {
      helseid.getToken = getToken;
    }
  });
});
