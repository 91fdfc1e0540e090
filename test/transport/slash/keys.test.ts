// The `/keys` client against a loopback server whose answer each test sets.
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseKey, parseExpiration, SlashKeyError, SlashKeys } from '../../../runtime/transport/slash/keys.ts';

const pem = () => generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
const PEM_A = pem();
const PEM_B = pem();
const NOW = Date.parse('2026-12-02T10:00:00Z');

let answer: { status: number; body: string } = { status: 200, body: '[]' };
let server: Server;
let base: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url !== '/keys') return res.writeHead(404).end();
    res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

const list = (...entries: Array<[string, string, string]>) => JSON.stringify(entries.map(([id, expirationDate, publicKey]) => ({ id, expirationDate, publicKey })));

describe('chooseKey', () => {
  it('takes the key with the latest expiry, whatever the order', () => {
    const l = JSON.parse(list(['old', '2027-01-01T00:00:00Z', PEM_A], ['new', '2027-06-01T00:00:00', PEM_B], ['mid', '2027-03-01T00:00:00+01:00', PEM_A]));
    const k = chooseKey(l, 'keys', NOW);
    expect(k.id).toBe('new');
    expect(k.expiresAt).toBe(Date.parse('2027-06-01T00:00:00Z')); // no zone: read as UTC
  });

  it.each([
    ['not an array', { id: 'x' }, 'keys-malformed', 'is not a JSON array'],
    ['empty', [], 'keys-empty', 'empty list'],
    ['an entry without publicKey', [{ id: 'a', expirationDate: '2027-01-01T00:00:00Z' }], 'keys-malformed', 'keys[0].publicKey'],
    ['a bad date', [{ id: 'a', expirationDate: 'soon', publicKey: PEM_A }], 'keys-malformed', 'keys[0].expirationDate'],
    ['a key that is not PEM', [{ id: 'a', expirationDate: '2027-01-01T00:00:00Z', publicKey: 'MIIB...' }], 'keys-malformed', 'not a PEM public key'],
    ['only expired keys', [{ id: 'a', expirationDate: '2026-12-01T00:00:00Z', publicKey: PEM_A }], 'keys-expired', 'the latest key (a) expired'],
  ])('%s is a clear error', (_n, body, code, words) => {
    let err: unknown;
    try {
      chooseKey(body, 'keys', NOW);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SlashKeyError);
    expect((err as SlashKeyError).code).toBe(code);
    expect((err as Error).message).toContain(words);
  });

  it('parseExpiration refuses what is not a date-time', () => {
    expect(parseExpiration('2027-01-01')).toBeNaN();
    expect(parseExpiration('2027-01-01T00:00:00.1234567+02:00')).toBe(Date.parse('2026-12-31T22:00:00.123Z'));
  });
});

describe('SlashKeys', () => {
  it('caches the key, shares one fetch among concurrent callers, and refreshes on demand', async () => {
    answer = { status: 200, body: list(['k1', '2027-01-01T00:00:00Z', PEM_A]) };
    const keys = new SlashKeys({ baseUrl: base, now: () => NOW });
    const [a, b] = await Promise.all([keys.current(), keys.current()]);
    expect(a.id).toBe('k1');
    expect(b).toBe(a);
    expect((await keys.current()).id).toBe('k1');
    expect(keys.fetches).toBe(1);
    answer = { status: 200, body: list(['k1', '2027-01-01T00:00:00Z', PEM_A], ['k2', '2027-02-01T00:00:00Z', PEM_B]) };
    expect((await keys.refresh()).id).toBe('k2'); // what the client does on 1004 / 1007
    expect(keys.fetches).toBe(2);
  });

  it('fetches again when the cached key expires', async () => {
    let now = NOW;
    answer = { status: 200, body: list(['k1', '2026-12-02T10:05:00Z', PEM_A]) };
    const keys = new SlashKeys({ baseUrl: base, now: () => now });
    expect((await keys.current()).id).toBe('k1');
    answer = { status: 200, body: list(['k2', '2027-01-01T00:00:00Z', PEM_B]) };
    expect((await keys.current()).id).toBe('k1');
    now = Date.parse('2026-12-02T10:05:00Z');
    expect((await keys.current()).id).toBe('k2');
    expect(keys.fetches).toBe(2);
  });

  it('HTTP errors, non-JSON and an unreachable receiver are SlashKeyErrors, retryable or not', async () => {
    const keys = new SlashKeys({ baseUrl: base, now: () => NOW });
    answer = { status: 503, body: '' };
    await expect(keys.current()).rejects.toMatchObject({ code: 'keys-http', retryable: true });
    answer = { status: 200, body: '<html>' };
    await expect(keys.current()).rejects.toMatchObject({ code: 'keys-malformed', retryable: false });
    const gone = new SlashKeys({ baseUrl: 'http://127.0.0.1:1', timeoutMs: 2000 });
    await expect(gone.current()).rejects.toMatchObject({ code: 'keys-unreachable', retryable: true });
  });
});
