// The SLASH stand-in rejects each tampered binding with FHI's code, and accepts the untouched
// request. Every answer carries an X-Correlation-ID.
import { generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../../runtime/sandbox/index.ts';
import { schemaErrorLines } from '../../../runtime/transport/slash/index.ts';
import { HelseIdClient, loadSigningKey } from '../../../runtime/transport/helseid/index.ts';
import { httpRequest } from '../../../runtime/transport/http.ts';
import { tmpDir } from '../fixtures.ts';
import { OTHER_PARENT, PARENT, rawSend, sha256url, startSlashSandbox, unitMessage } from './fixtures.ts';

const pkiDir = tmpDir('kpr-pki-');
let sb: Sandbox;
beforeAll(async () => {
  sb = await startSlashSandbox(pkiDir, {
    slash: {
      messageTypes: {
        'HST_Avtale|1': (m) =>
          Array.isArray(m) && m.every((u) => typeof u === 'object' && u && 'orgNr' in u) ? [] : [{ location: '/0', message: 'Required properties ["orgNr"] are not present' }],
        'HST_Konsultasjon|1': null, // known, but no schema: 2006
        'Forbidden|1': () => [],
      },
      allowed: { [PARENT]: ['HST_Avtale', 'HST_Konsultasjon'], [OTHER_PARENT]: ['HST_Avtale'] },
      // A reading of the public sample's lists, for this test only: the sandbox knows no type.
      contentOf: (_type, _version, unit) => [
        ...((unit.avtale ?? []) as Array<{ avtaleId: string }>).map((a) => ({ id: a.avtaleId, deleted: false, content: a })),
        ...((unit.slettAvtale ?? []) as Array<{ avtaleId: string; erSlettet: boolean }>).filter((d) => d.erSlettet).map((d) => ({ id: d.avtaleId, deleted: true })),
      ],
    },
  });
});
afterAll(() => sb?.close());

const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
const codeOf = (a: { errors: Array<{ errorCode?: number }> }) => a.errors.map((e) => e.errorCode);

describe('SLASH /message', () => {
  it('accepts an untouched message, answers {delivered: true, errors: []} with a correlation id, and records it per unit', async () => {
    const json = unitMessage();
    const a = await rawSend(sb, json);
    expect(a).toMatchObject({ status: 200, delivered: true, errors: [] });
    expect(a.correlationId).toMatch(/^[0-9a-f-]{36}$/);
    const state = sb.slash.state();
    const mine = state.units[PARENT]!.find((d) => d.correlationId === a.correlationId)!;
    expect(mine).toMatchObject({ msgType: 'HST_Avtale', msgVersion: '1', msgHash: sha256url(json), parentOrgNr: PARENT, units: 1 });
    expect(sb.slash.ledger.message(a.correlationId!)).toEqual(JSON.parse(json.toString()));
  });

  it.each([
    ['msg_hash of other bytes', { bindings: (b: any) => ({ ...b, msg_hash: sha256url(Buffer.from('[]')) }) }, 1006],
    ['msg_hash that is not a SHA-256', { bindings: (b: any) => ({ ...b, msg_hash: 'abc' }) }, 1005],
    ['enc_key_id unknown', { bindings: (b: any) => ({ ...b, enc_key_id: 'no-such-key' }) }, 1004],
    ['msg_type unknown', { bindings: (b: any) => ({ ...b, msg_type: 'HST_Ukjent' }) }, 1003],
    ['msg_version unknown', { bindings: (b: any) => ({ ...b, msg_version: '2' }) }, 1003],
    ['enc_sym_key of another message', { bindings: (b: any) => ({ ...b, enc_sym_key: Buffer.alloc(256, 7).toString('base64url') }) }, 1008],
    ['a key wrapped for another receiver key', { wrapKey: { id: 'X', publicKey: other } }, 1004],
    ['a header missing', { after: (r: any) => ({ ...r, headers: { ...r.headers, 'x-software-version': '' } }) }, 1001],
    ['the extraction date as yyyy-MM-dd', { after: (r: any) => ({ ...r, headers: { ...r.headers, 'x-data-extraction-date': '2026-12-02' } }) }, 1002],
    ['Content-Type application/json', { after: (r: any) => ({ ...r, headers: { ...r.headers, 'content-type': 'application/json' } }) }, 1002],
    ['a body cut short', { after: (r: any) => ({ ...r, body: r.body.slice(0, 24) }) }, 1009],
    ['no organisation in the token', { parent: null }, 2002],
    ['a type the organisation may not send', { msgType: 'Forbidden' }, 2001],
  ])('%s → %i', async (_name, tamper, code) => {
    const a = await rawSend(sb, unitMessage(), tamper as never);
    expect(a.status).toBe(400);
    expect(a.delivered).toBe(false);
    expect(codeOf(a)).toEqual([code]);
    expect(a.correlationId).toBeTruthy();
  });

  it('any change to any one binding is refused, never delivered', async () => {
    const names = ['msg_type', 'msg_version', 'msg_hash', 'enc_sym_key', 'enc_key_id'] as const;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...names), fc.string({ minLength: 0, maxLength: 60 }), async (name, value) => {
        let original = '';
        const a = await rawSend(sb, unitMessage(), {
          bindings: (b) => {
            original = b[name];
            return { ...b, [name]: value };
          },
        });
        fc.pre(value !== original);
        expect(a.status).toBe(400);
        expect(a.delivered).toBe(false);
        expect(a.errors).toHaveLength(1);
      }),
      { numRuns: 25 },
    );
  });

  it('a body swapped for another message of the same key: the hash catches what CBC does not (1006)', async () => {
    const a = await rawSend(sb, unitMessage(), {
      after: (r) => {
        const sealed = Buffer.from(r.body.toString(), 'base64');
        sealed[5]! ^= 1; // in the IV: the first block decrypts to other bytes, padding intact
        return { ...r, body: sealed.toString('base64') };
      },
    });
    expect(codeOf(a)).toEqual([1006]);
  });

  it('a Bearer token without DPoP is refused (401): SLASH requires DPoP', async () => {
    const helseid = new HelseIdClient({ authority: sb.url, clientId: sb.clientId, key: await loadSigningKey(sb.files.clientJwkFile), dpop: false });
    const token = await helseid.getToken({ scopes: [sb.connection.slashScope], org: { parent: PARENT } });
    const res = await httpRequest(`${sb.url}/message`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token.accessToken}`, 'content-type': 'text/plain' },
      body: 'AAAA',
      timeoutMs: 10_000,
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('DPoP-bound');
    expect(res.headers.get('x-correlation-id')).toBeTruthy();
  });

  it('ath of another token is refused before anything else (401)', async () => {
    const a = await rawSend(sb, unitMessage(), { proofToken: (t) => `${t}x` });
    expect(a.status).toBe(401);
    expect(a.correlationId).toBeTruthy();
  });

  it("content: not JSON → 2007, no schema → 2006, not valid → 2008 with FHI's errorDetails form", async () => {
    expect(codeOf(await rawSend(sb, Buffer.from('{"not": json')))).toEqual([2007]);
    expect(codeOf(await rawSend(sb, unitMessage(), { msgType: 'HST_Konsultasjon' }))).toEqual([2006]);
    const bad = await rawSend(sb, Buffer.from('[{"kommuneNr":3253}]'));
    expect(codeOf(bad)).toEqual([2008]);
    expect(schemaErrorLines(bad.errors[0]!.errorDetails)).toEqual(['/0: Required properties ["orgNr"] are not present']);
  });

  it('a payload over 15 MB → 2009', async () => {
    const big = Buffer.from(JSON.stringify([{ orgNr: PARENT, pad: 'x'.repeat(12 * 1024 * 1024) }]));
    expect(codeOf(await rawSend(sb, big))).toEqual([2009]);
  });

  it('injected codes answer as FHI would: 2010 with 500, the rest with 400', async () => {
    sb.applyFaults({ slash: { answerCode: { code: 2010, count: 1 } } });
    const a = await rawSend(sb, unitMessage());
    expect(a).toMatchObject({ status: 500, delivered: false });
    expect(codeOf(a)).toEqual([2010]);
    sb.applyFaults({ slash: { answerCode: { code: 2003, count: 1 } } });
    expect((await rawSend(sb, unitMessage())).status).toBe(400);
    expect((await rawSend(sb, unitMessage())).status).toBe(200);
  });
});

describe('SLASH /keys faults', () => {
  it('an expired key answers 1007 while a new one is published; rotation forgets the old id (1004)', async () => {
    const before = sb.slash.keyring.current;
    sb.applyFaults({ slash: { expireKey: true } });
    const wrapped = { id: before.id, publicKey: before.publicKeyPem };
    expect(codeOf(await rawSend(sb, unitMessage(), { wrapKey: wrapped }))).toEqual([1007]);
    expect((sb.slash.keys().body as Array<{ id: string }>).map((k) => k.id)).not.toContain(before.id);
    const current = sb.slash.keyring.current;
    sb.applyFaults({ slash: { rotateKey: true } });
    expect(codeOf(await rawSend(sb, unitMessage(), { wrapKey: { id: current.id, publicKey: current.publicKeyPem } }))).toEqual([1004]);
    expect((await rawSend(sb, unitMessage())).status).toBe(200);
  });
});

describe('SLASH state', () => {
  it('keeps deliveries per unit in order and the current content per id, deleted ones marked', async () => {
    const unit = '999999948';
    const send = (u: object) => rawSend(sb, Buffer.from(JSON.stringify([{ orgNr: unit, ...u }])), { parent: PARENT });
    const first = await send({
      avtale: [
        { avtaleId: 'B1', oppmoteStatus: 1 },
        { avtaleId: 'B2', oppmoteStatus: 1 },
      ],
    });
    const second = await send({ avtale: [{ avtaleId: 'B2', oppmoteStatus: 2 }], slettAvtale: [{ avtaleId: 'B1', erSlettet: true }] });
    expect([first.status, second.status]).toEqual([200, 200]);
    const state = sb.slash.state();
    expect(state.units[unit]!.map((d) => d.correlationId)).toEqual([first.correlationId, second.correlationId]);
    expect(state.units[unit]![0]!.seq).toBeLessThan(state.units[unit]![1]!.seq);
    expect(state.content[unit]!.HST_Avtale).toEqual({
      B1: { deleted: true, content: { avtaleId: 'B1', oppmoteStatus: 1 }, seq: state.units[unit]![1]!.seq },
      B2: { deleted: false, content: { avtaleId: 'B2', oppmoteStatus: 2 }, seq: state.units[unit]![1]!.seq },
    });
    const res = await fetch(`${sb.url}/sandbox/slash/state`);
    expect((await res.json()).content[unit].HST_Avtale.B1.deleted).toBe(true);
  });
});
