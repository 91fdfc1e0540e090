// The KPR API client against every fault the sandbox can inject: each is met as the contract
// says (retried with the same messageId, waited out, refreshed, or returned at once), and the
// sandbox's own counters and state are the judge of what reached it.
import { randomUUID } from 'node:crypto';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Sandbox } from '../../../runtime/sandbox/index.ts';
import { classify, KprClient, retryAfterMs, type AttemptInfo, type KprClientOptions } from '../../../runtime/transport/kpr-client/index.ts';
import type { HelseIdClient } from '../../../runtime/transport/helseid/index.ts';
import { clientFor, guid, HST_SCOPE, meldingXml, partsFor, startTestSandbox, tmpDir } from '../../sandbox/fixtures.ts';

let sb: Sandbox;
let helseid: HelseIdClient;
let lopeNr = 0;
let head = guid(0);

beforeAll(async () => {
  sb = await startTestSandbox(tmpDir('kpr-pki-'));
  helseid = await clientFor(sb);
});
afterAll(() => sb?.close());
beforeEach(() => sb.applyFaults({ clear: true, requireApiNonce: false }));

/** The next message of the default sender's chain; `accepted()` moves the chain on. */
function nextMessage() {
  const g = randomUUID();
  const n = lopeNr + 1;
  const xml = meldingXml([{ status: 'N', guid: g, prev: head, lopeNr: n, konsultasjoner: [{ konsultasjonID: `K-${n}` }] }]);
  return {
    parts: partsFor(sb, xml),
    accepted() {
      head = g;
      lopeNr = n;
    },
  };
}

function makeClient(extra: Partial<KprClientOptions> = {}) {
  const attempts: AttemptInfo[] = [];
  const waits: number[] = [];
  const client = new KprClient({
    baseUrl: sb.url,
    helseid,
    token: { scopes: [HST_SCOPE] },
    timeoutMs: 2_000,
    retry: { maxAttempts: 5, baseDelayMs: 1, maxDelayMs: 8, budgetMs: 60_000 },
    random: () => 1,
    sleep: async (ms) => {
      waits.push(ms);
    },
    onAttempt: (a) => attempts.push(a),
    ...extra,
  });
  return { client, attempts, waits };
}

const stat = (name: string) => sb.stats()[name] as number;
const seenSince = (from: number) => (sb.stats().messageIdsSeen as string[]).slice(from);

describe('KPR client', () => {
  it('sends the envelope and keeps messageId and refId of an accepted message', async () => {
    const m = nextMessage();
    const { client } = makeClient();
    const r = await client.send(m.parts);
    expect(r).toMatchObject({ outcome: 'accepted', messageId: m.parts.messageId, attempts: 1 });
    expect(r.outcome === 'accepted' && r.refId).toMatch(/^[0-9a-f-]{36}$/);
    m.accepted();
    expect(sb.state().senders[sb.senderHerId]?.chainHead).toBe(head);
    expect(sb.state().consultations[`K-${lopeNr}`]?.status).toBe('active');
  });

  it('retries 500 with backoff and the same messageId', async () => {
    const m = nextMessage();
    const { client, waits } = makeClient();
    sb.applyFaults({ fail500: 2 });
    const from = (sb.stats().messageIdsSeen as string[]).length;
    const r = await client.send(m.parts);
    expect(r).toMatchObject({ outcome: 'accepted', attempts: 3 });
    m.accepted();
    expect(waits).toEqual([1, 2]); // base·2ⁿ with jitter pinned at its ceiling
    expect(seenSince(from)).toEqual([m.parts.messageId, m.parts.messageId, m.parts.messageId]);
  });

  it('gives up as retryable when the attempts run out', async () => {
    const m = nextMessage();
    const { client } = makeClient({ retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 8, budgetMs: 60_000 } });
    sb.applyFaults({ fail500: 3 });
    const r = await client.send(m.parts);
    expect(r).toMatchObject({ outcome: 'retryable', status: 500, errorCode: 1002, attempts: 3, messageId: m.parts.messageId });
  });

  it('retries a request that timed out; the late original is recognised as the same message', async () => {
    const m = nextMessage();
    // Generous margins: the retry must be answered within the timeout even on a busy machine.
    const { client, attempts } = makeClient({ timeoutMs: 1_000 });
    sb.applyFaults({ delay: { count: 1, ms: 2_500 } });
    const accepted = stat('accepted');
    const r = await client.send(m.parts);
    expect(r).toMatchObject({ outcome: 'accepted', attempts: 2 });
    m.accepted();
    expect(attempts[0]!.result).toContain('within 1000 ms');
    // Wait for the held original to be answered: it must not be stored a second time.
    await new Promise((res) => setTimeout(res, 2_500));
    expect(stat('accepted') - accepted).toBe(2);
    expect(sb.state().senders[sb.senderHerId]?.messages).toBe(lopeNr);
  });

  it('retries a dropped connection', async () => {
    const m = nextMessage();
    const { client, attempts } = makeClient();
    sb.applyFaults({ drop: 1 });
    const r = await client.send(m.parts);
    expect(r).toMatchObject({ outcome: 'accepted', attempts: 2 });
    m.accepted();
    expect(attempts[0]!.result).toContain('could not reach');
  });

  it('waits as long as Retry-After says after a 429', async () => {
    const m = nextMessage();
    const { client, waits } = makeClient();
    sb.applyFaults({ rateLimit: { count: 1, retryAfterSec: 7 } });
    const r = await client.send(m.parts);
    expect(r).toMatchObject({ outcome: 'accepted', attempts: 2 });
    m.accepted();
    expect(waits).toEqual([7000]);
  });

  it('gives up rather than wait past its budget', async () => {
    const m = nextMessage();
    const { client, waits } = makeClient({ retry: { maxAttempts: 5, baseDelayMs: 1, maxDelayMs: 8, budgetMs: 5_000 } });
    sb.applyFaults({ rateLimit: { count: 1, retryAfterSec: 7 } });
    const r = await client.send(m.parts);
    expect(r).toMatchObject({ outcome: 'retryable', status: 429, attempts: 1 });
    expect(waits).toEqual([]);
  });

  it('fetches a new token once when the API says the token expired', async () => {
    const m = nextMessage();
    const { client, attempts } = makeClient();
    await helseid.getToken({ scopes: [HST_SCOPE] });
    const issued = stat('tokensIssued');
    sb.applyFaults({ expireTokens: true });
    const r = await client.send(m.parts);
    expect(r).toMatchObject({ outcome: 'accepted', attempts: 2 });
    m.accepted();
    expect(attempts.map((a) => a.result)).toEqual(['token refresh', 'accepted']);
    expect(stat('tokensIssued') - issued).toBe(1);
  });

  it('refuses an access token once its exp has passed, though it was accepted before', async () => {
    // The sandbox remembers tokens whose signature it checked: that must not outlive their exp.
    const m = nextMessage();
    const { client } = makeClient();
    expect(await client.send(m.parts)).toMatchObject({ outcome: 'accepted' });
    m.accepted();
    const token = await helseid.getToken({ scopes: [HST_SCOPE] });
    const url = `${sb.url}/message/process`;
    const post = async () =>
      fetch(url, {
        method: 'POST',
        headers: { authorization: `DPoP ${token.accessToken}`, DPoP: await helseid.apiProof('POST', url, token, undefined), 'content-type': 'application/json' },
        body: '{}',
      });
    // Still valid: past authorisation, the empty envelope is what is refused.
    expect((await post()).status).toBe(400);
    vi.useFakeTimers({ toFake: ['Date'], now: (decodeJwt(token.accessToken).exp! + 5) * 1000 });
    try {
      const res = await post();
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toContain('access token rejected');
    } finally {
      vi.useRealTimers();
    }
  });

  it('sends a prepared request as it was prepared: one proof per message', async () => {
    const { client, attempts } = makeClient();
    const proofs = vi.spyOn(helseid, 'apiProof');
    try {
      for (let i = 0; i < 3; i++) {
        const m = nextMessage();
        client.prepare({ ...m.parts, messageId: m.parts.messageId! });
        expect(await client.send(m.parts)).toMatchObject({ outcome: 'accepted', attempts: 1 });
        m.accepted();
      }
      expect(proofs).toHaveBeenCalledTimes(3);
      expect(attempts.map((a) => a.result)).toEqual(['accepted', 'accepted', 'accepted']);
    } finally {
      proofs.mockRestore();
    }
  });

  it('makes a fresh request instead of a prepared one for other bytes, another token, or after 10 s', async () => {
    const { client, attempts } = makeClient();
    const proofs = vi.spyOn(helseid, 'apiProof');
    const seen = () => seenSince(0).length;
    try {
      type Msg = ReturnType<typeof nextMessage>;
      const cases: Array<[string, (m: Msg) => Promise<Msg['parts']>]> = [
        ['other bytes (a copy of the seal)', async (m) => ({ ...m.parts, payload: Buffer.from(m.parts.payload) })],
        ['another token', async (m) => (helseid.invalidate(await helseid.getToken({ scopes: [HST_SCOPE] })), m.parts)],
        ['after 10 s', async (m) => (vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 11_000 }), m.parts)],
      ];
      for (const [name, meanwhile] of cases) {
        const m = nextMessage();
        client.prepare({ ...m.parts, messageId: m.parts.messageId! });
        const before = proofs.mock.calls.length;
        const requests = seen();
        const parts = await meanwhile(m);
        try {
          expect(await client.send(parts), name).toMatchObject({ outcome: 'accepted', attempts: 1 });
        } finally {
          vi.useRealTimers();
        }
        m.accepted();
        // One proof prepared, one made for the request itself; one request.
        expect(proofs.mock.calls.length - before, name).toBe(2);
        expect(seen() - requests, name).toBe(1);
      }
      expect(attempts.every((a) => a.result === 'accepted')).toBe(true);
    } finally {
      proofs.mockRestore();
    }
  });

  it('does not send a prepared proof whose nonce the API has replaced since', async () => {
    const { client, attempts } = makeClient();
    sb.applyFaults({ requireApiNonce: true });
    const m0 = nextMessage();
    expect(await client.send(m0.parts)).toMatchObject({ outcome: 'accepted' });
    m0.accepted();
    const m = nextMessage();
    client.prepare({ ...m.parts, messageId: m.parts.messageId! });
    // Another message meanwhile learns a new nonce (and is refused for its chain: nothing moves).
    sb.applyFaults({ rotateNonce: true });
    const off = partsFor(sb, meldingXml([{ status: 'N', guid: randomUUID(), prev: guid(998), lopeNr: lopeNr + 1 }]));
    expect(await client.send(off)).toMatchObject({ outcome: 'rejected', attempts: 2 });
    attempts.length = 0;
    expect(await client.send(m.parts)).toMatchObject({ outcome: 'accepted', attempts: 1 });
    m.accepted();
    expect(attempts.map((a) => a.result)).toEqual(['accepted']);
  });

  it('answers the API nonce challenge, and again after the nonce rotates', async () => {
    const { client, attempts } = makeClient();
    sb.applyFaults({ requireApiNonce: true });
    const m1 = nextMessage();
    expect(await client.send(m1.parts)).toMatchObject({ outcome: 'accepted' });
    m1.accepted();
    const m2 = nextMessage();
    expect(await client.send(m2.parts)).toMatchObject({ outcome: 'accepted', attempts: 1 }); // nonce remembered
    m2.accepted();
    sb.applyFaults({ rotateNonce: true });
    const m3 = nextMessage();
    expect(await client.send(m3.parts)).toMatchObject({ outcome: 'accepted', attempts: 2 });
    m3.accepted();
    expect(attempts.map((a) => a.result)).toEqual(['nonce', 'accepted', 'accepted', 'nonce', 'accepted']);
  });

  it('returns a 400 at once as rejected, without retrying', async () => {
    const { client } = makeClient();
    const xml = meldingXml([{ status: 'N', guid: randomUUID(), prev: guid(999), lopeNr: lopeNr + 1 }]);
    const requests = stat('apiRequests');
    const r = await client.send(partsFor(sb, xml));
    expect(r).toMatchObject({ outcome: 'rejected', status: 400, validationCode: 1030, attempts: 1 });
    expect(r.outcome === 'rejected' && r.validationMessage).toContain('notifikasjonForrigeGUID');
    expect(stat('apiRequests') - requests).toBe(1);
  });

  it('sends Bearer tokens when DPoP is not configured', async () => {
    const m = nextMessage();
    const { client } = makeClient({ helseid: await clientFor(sb, false) });
    expect(await client.send(m.parts)).toMatchObject({ outcome: 'accepted' });
    m.accepted();
  });
});

describe('classify', () => {
  const res = (status: number, body: unknown, headers: Record<string, string> = {}) => ({
    status,
    headers: new Headers(headers),
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const cases: Array<[string, ReturnType<typeof res>, string]> = [
    ['200', res(200, { messageId: 'm', refId: 'r' }), 'accepted'],
    ['400', res(400, { validationCode: 1234, validationMessage: 'Feil signeringssertifikat', refId: 'r' }), 'rejected'],
    ['403 scope', res(403, { error: 'insufficient_scope' }), 'rejected'],
    ['500', res(500, { errorCode: 1002, errorMessage: 'Teknisk feil', refId: 'r' }), 'retryable'],
    ['502 html', res(502, '<html>bad gateway</html>'), 'retryable'],
    ['429', res(429, '', { 'retry-after': '3' }), 'retryable'],
    ['401', res(401, '', { 'www-authenticate': 'DPoP error="invalid_token"' }), 'unauthorized'],
  ];
  it.each(cases)('%s', (_name, r, kind) => {
    expect(classify(r).kind).toBe(kind);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterMs('3', now)).toBe(3000);
    expect(retryAfterMs('Thu, 01 Jan 2026 00:00:10 GMT', now)).toBe(10_000);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(null, now)).toBeUndefined();
  });
});
