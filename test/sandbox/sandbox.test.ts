// The KPR stand-in's receiving pipeline: envelope, CMS and signer checks, the injected codec,
// the notification chain (gaps, order, references), N/M/T/C applied to consultations, state
// that survives a restart, the admin endpoints, and `kpr sandbox` as a separate process.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { exportJWK, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../runtime/sandbox/index.ts';
import { SandboxStore } from '../../runtime/sandbox/store.ts';
import { seal } from '../../runtime/transport/cms/index.ts';
import { clearDiscoveryCache, HelseIdClient, publicPart, signingKeyFromJwk } from '../../runtime/transport/helseid/index.ts';
import { KprClient, type SendResult } from '../../runtime/transport/kpr-client/index.ts';
import { clientFor, guid, HST_SCOPE, meldingXml, partsFor, startTestSandbox, tmpDir, type NotifSpec } from './fixtures.ts';

const pkiDir = tmpDir('kpr-pki-');
let sb: Sandbox;

beforeAll(async () => {
  sb = await startTestSandbox(pkiDir);
});
afterAll(() => sb?.close());

async function sendTo(target: Sandbox, parts: ReturnType<typeof partsFor>): Promise<SendResult> {
  const client = new KprClient({
    baseUrl: target.url,
    helseid: await clientFor(target),
    token: { scopes: [HST_SCOPE] },
    retry: { maxAttempts: 1 },
  });
  return client.send(parts);
}
const sendXml = (target: Sandbox, notifs: NotifSpec[]) => sendTo(target, partsFor(target, meldingXml(notifs)));

describe('notification chain', () => {
  it('accepts a chain, and refuses gaps, wrong forrigeGUID and a lopeNr that does not rise', async () => {
    const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
    expect(await sendXml(sb, [{ status: 'N', guid: a, prev: guid(0), lopeNr: 1 }])).toMatchObject({ outcome: 'accepted' });
    // b was never sent: c pointing at it is a gap.
    expect(await sendXml(sb, [{ status: 'N', guid: c, prev: b, lopeNr: 3 }])).toMatchObject({ outcome: 'rejected', validationCode: 1030 });
    expect(await sendXml(sb, [{ status: 'N', guid: b, prev: guid(7), lopeNr: 2 }])).toMatchObject({ outcome: 'rejected', validationCode: 1030 });
    expect(await sendXml(sb, [{ status: 'N', guid: b, prev: a, lopeNr: 1 }])).toMatchObject({ outcome: 'rejected', validationCode: 1031 });
    // A message is taken whole or not at all: the good first notification is not kept either.
    const broken = await sendXml(sb, [
      { status: 'N', guid: b, prev: a, lopeNr: 2 },
      { status: 'N', guid: c, prev: a, lopeNr: 3 },
    ]);
    expect(broken).toMatchObject({ outcome: 'rejected', validationCode: 1030 });
    expect(sb.state().senders[sb.senderHerId]).toEqual({ chainHead: a, notifications: 1, messages: 1 });
    expect(
      await sendXml(sb, [
        { status: 'N', guid: b, prev: a, lopeNr: 2 },
        { status: 'N', guid: c, prev: b, lopeNr: 5 },
      ]),
    ).toMatchObject({
      outcome: 'accepted',
    });
    expect(sb.state().senders[sb.senderHerId]).toEqual({ chainHead: c, notifications: 3, messages: 2 });
  });
});

describe('statuses N, M, T, C', () => {
  it('create, replace, supplement and annul consultations', async () => {
    const s = await startTestSandbox(pkiDir);
    try {
      const [n1, m1, t1, c1, c2] = [randomUUID(), randomUUID(), randomUUID(), randomUUID(), randomUUID()];
      const r1 = await sendXml(s, [
        { status: 'N', guid: n1, prev: guid(0), lopeNr: 1, konsultasjoner: [{ konsultasjonID: 'KA', formKonsultasjon: '1' }, { konsultasjonID: 'KB' }] },
      ]);
      expect(r1.outcome).toBe('accepted');
      expect(Object.keys(s.state().consultations).sort()).toEqual(['KA', 'KB']);

      // M and T without notifikasjonRef, or naming an unknown one, are refused.
      expect(await sendXml(s, [{ status: 'M', guid: m1, prev: n1, lopeNr: 2, konsultasjoner: [{ konsultasjonID: 'KA' }] }])).toMatchObject({
        validationCode: 1032,
      });
      expect(await sendXml(s, [{ status: 'M', guid: m1, prev: n1, lopeNr: 2, ref: guid(5), konsultasjoner: [{ konsultasjonID: 'KA' }] }])).toMatchObject({
        validationCode: 1032,
      });

      expect(await sendXml(s, [{ status: 'M', guid: m1, prev: n1, lopeNr: 2, ref: n1, konsultasjoner: [{ konsultasjonID: 'KA', formKonsultasjon: '2' }] }])).toMatchObject({
        outcome: 'accepted',
      });
      expect(s.state().consultations.KA?.content.formKonsultasjon).toBe('2');

      const tXml = meldingXml([{ status: 'T', guid: t1, prev: m1, lopeNr: 3, ref: n1 }]).replace(
        '</Notifikasjon>',
        '<Konsultasjon konsultasjonID="KB" amming="1"><Helseperson rolle="1"/></Konsultasjon></Notifikasjon>',
      );
      expect(await sendTo(s, partsFor(s, tXml))).toMatchObject({ outcome: 'accepted' });
      expect(s.state().consultations.KB?.content).toEqual({
        konsultasjonID: 'KB',
        amming: '1',
        Barn_ungdom: [{ kjonn: '1' }],
        Helseperson: [{ rolle: '1' }],
      });

      // C naming the consultation, then C with no Konsultasjon: it annuls what its reference carried.
      expect(await sendXml(s, [{ status: 'C', guid: c1, prev: t1, lopeNr: 4, ref: n1, konsultasjoner: [{ konsultasjonID: 'KA' }] }])).toMatchObject({
        outcome: 'accepted',
      });
      expect(s.state().consultations.KA?.status).toBe('annulled');
      expect(s.state().consultations.KB?.status).toBe('active');
      expect(await sendXml(s, [{ status: 'C', guid: c2, prev: c1, lopeNr: 5, ref: n1 }])).toMatchObject({ outcome: 'accepted' });
      expect(s.state().consultations.KB?.status).toBe('annulled');
      expect(s.state().senders[s.senderHerId]).toEqual({ chainHead: c2, notifications: 5, messages: 5 });
    } finally {
      await s.close();
    }
  });
});

describe('envelope, CMS and content checks', () => {
  const oneN = () => meldingXml([{ status: 'N', guid: randomUUID(), prev: guid(0), lopeNr: 1 }]);

  it('refuses a signing certificate not registered for fromHerId, until it is registered', async () => {
    const s = await startTestSandbox(pkiDir);
    try {
      const other = s.pki.test.receiverSigning; // a valid certificate, but not this sender's
      const parts = { ...partsFor(s, oneN()), payload: seal(Buffer.from(oneN()), { signer: other, recipientCertPem: s.pki.receiver.certPem }) };
      const r = await sendTo(s, parts);
      expect(r).toMatchObject({ outcome: 'rejected', validationCode: 1012 });
      expect(r.outcome === 'rejected' && r.validationMessage).toContain('Feil signeringssertifikat');
      const reg = await fetch(`${s.url}/sandbox/senders`, { method: 'POST', body: JSON.stringify({ herId: s.senderHerId, certPem: other.certPem }) });
      expect(reg.status).toBe(200);
      expect(await sendTo(s, { ...parts, messageId: randomUUID() })).toMatchObject({ outcome: 'accepted' });
      expect(JSON.parse(readFileSync(s.files.sendersFile, 'utf8'))[s.senderHerId]).toHaveLength(2);
    } finally {
      await s.close();
    }
  });

  it('refuses a wrong receiver, a payload it cannot decrypt, and content the codec rejects', async () => {
    expect(await sendTo(sb, { ...partsFor(sb, oneN()), toHerId: 159000 })).toMatchObject({ validationCode: 1002 });
    const wrongRecipient = seal(Buffer.from(oneN()), { signer: sb.pki.sender, recipientCertPem: sb.pki.test.senderEncryption.certPem });
    expect(await sendTo(sb, { ...partsFor(sb, oneN()), payload: wrongRecipient })).toMatchObject({ validationCode: 1010 });
    const tampered = partsFor(sb, oneN());
    tampered.payload[tampered.payload.length - 5]! ^= 0xff;
    expect(await sendTo(sb, tampered)).toMatchObject({ outcome: 'rejected' });
    const r = await sendTo(sb, { ...partsFor(sb, oneN()), messageType: 'IPLOS' });
    expect(r).toMatchObject({ validationCode: 1020 });
    expect(r.outcome === 'rejected' && r.validationMessage).toContain('unknown message IPLOS');
  });

  it('answers 400 with validationCode to a body that is no envelope, and 401 without a token', async () => {
    const helseid = await clientFor(sb);
    const token = await helseid.getToken({ scopes: [HST_SCOPE] });
    const url = `${sb.url}/message/process`;
    const res = await fetch(url, {
      method: 'POST',
      headers: { authorization: `DPoP ${token.accessToken}`, DPoP: await helseid.apiProof('POST', url, token) },
      body: JSON.stringify({ messageHeader: { fromHerId: 'x' } }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ validationCode: 1001, refId: expect.any(String) });
    // The payload must be base64 in full: Node's decoder would skip the odd character silently.
    const header = { fromHerId: Number(sb.senderHerId), toHerId: Number(sb.receiverHerId), messageType: 'HST', messageVersion: '56.0.0' };
    const post = async (payload: string) => {
      const t = await helseid.getToken({ scopes: [HST_SCOPE] });
      const r = await fetch(url, {
        method: 'POST',
        headers: { authorization: `DPoP ${t.accessToken}`, DPoP: await helseid.apiProof('POST', url, t) },
        body: JSON.stringify({ messageHeader: { ...header, messageId: randomUUID() }, payload }),
      });
      return (await r.json()) as { validationCode?: number; validationMessage?: string };
    };
    const good = partsFor(sb, oneN()).payload.toString('base64');
    for (const bad of ['', 'not base64!', `${good.slice(0, 100)}*${good.slice(101)}`, `${good}=`]) {
      expect(await post(bad), JSON.stringify(bad.slice(0, 20))).toMatchObject({ validationCode: 1001, validationMessage: 'payload must be base64' });
    }
    // Padding left out is still base64: such a payload gets past the envelope check.
    const unpadded = good.replace(/=+$/, '');
    expect((await post(unpadded)).validationCode).not.toBe(1001);
    const anon = await fetch(url, { method: 'POST', body: '{}' });
    expect(anon.status).toBe(401);
    expect(anon.headers.get('www-authenticate')).toContain('invalid_token');
  });
});

describe('admin endpoints', () => {
  it('injects faults over HTTP and registers clients with RS, PS and ES keys', async () => {
    const f = await fetch(`${sb.url}/sandbox/faults`, { method: 'POST', body: JSON.stringify({ fail500: 1 }) });
    expect((await f.json()).pending.fail500).toBe(1);
    const r = await sendTo(sb, partsFor(sb, meldingXml([])));
    expect(r).toMatchObject({ outcome: 'retryable', status: 500 });

    for (const alg of ['RS384', 'PS256', 'ES512'] as const) {
      const { privateKey } = await generateKeyPair(alg, { extractable: true });
      const jwk = { ...(await exportJWK(privateKey)), alg, kid: `k-${alg}` };
      const clientId = `client-${alg}`;
      const reg = await fetch(`${sb.url}/sandbox/clients`, {
        method: 'POST',
        body: JSON.stringify({ client_id: clientId, jwk: publicPart(jwk), scopes: [HST_SCOPE] }),
      });
      expect(reg.status).toBe(200);
      clearDiscoveryCache();
      const client = new HelseIdClient({ authority: sb.url, clientId, key: await signingKeyFromJwk(jwk), dpop: true });
      expect((await client.getToken({ scopes: [HST_SCOPE] })).tokenType).toBe('DPoP');
    }
    const refused = await fetch(`${sb.url}/sandbox/clients`, {
      method: 'POST',
      body: JSON.stringify({ client_id: 'x', jwk: { kty: 'EC', d: 'secret', alg: 'ES256' }, scopes: [] }),
    });
    expect(refused.status).toBe(400);
  });
});

describe('persistence', () => {
  it('keeps state across a restart and recognises resends', async () => {
    const dataDir = tmpDir();
    const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
    let s = await startTestSandbox(pkiDir, { dataDir });
    const first = await sendXml(s, [{ status: 'N', guid: a, prev: guid(0), lopeNr: 1, konsultasjoner: [{ konsultasjonID: 'K1' }] }]);
    const secondParts = partsFor(s, meldingXml([{ status: 'N', guid: b, prev: a, lopeNr: 2, konsultasjoner: [{ konsultasjonID: 'K2' }] }]));
    const second = await sendTo(s, secondParts);
    expect([first.outcome, second.outcome]).toEqual(['accepted', 'accepted']);
    const before = s.state();
    expect(Object.keys(before.consultations)).toEqual(['K1', 'K2']);
    await s.close();

    s = await startTestSandbox(pkiDir, { dataDir });
    expect(s.state()).toEqual(before);
    // A resend of an accepted message gets its first refId back and changes nothing.
    const again = await sendTo(s, secondParts);
    expect(again).toMatchObject({ outcome: 'accepted', refId: second.outcome === 'accepted' ? second.refId : 'x' });
    expect(s.state()).toEqual(before);
    // The chain goes on from where it was: a notification pointing at an older one is refused.
    expect(await sendXml(s, [{ status: 'N', guid: c, prev: a, lopeNr: 3 }])).toMatchObject({ validationCode: 1030 });
    expect(await sendXml(s, [{ status: 'N', guid: c, prev: b, lopeNr: 3 }])).toMatchObject({ outcome: 'accepted' });
    await s.close();
  });

  it('an accepted message survives a process that never closed its store (kill -9)', () => {
    const dataDir = tmpDir();
    const crashed = new SandboxStore(dataDir);
    const k = { konsultasjonID: 'K1', amming: '1' };
    crashed.accept({
      messageId: randomUUID(),
      refId: 'r1',
      fromHerId: '1',
      toHerId: '2',
      messageType: 'HST',
      messageVersion: '56.0.0',
      melding: { Notifikasjon: [{ statusNotifikasjon: 'N', notifikasjonGUID: 'g1', notifikasjonForrigeGUID: guid(0), notifikasjonLopeNr: 1, Konsultasjon: [k] }] },
    });
    // No close(): what a killed process leaves behind (the commit is in the write-ahead log).
    const reopened = new SandboxStore(dataDir);
    expect(reopened.publicState()).toEqual({ senders: { '1': { chainHead: 'g1', notifications: 1, messages: 1 } }, consultations: { K1: { status: 'active', content: k } } });
    expect(reopened.sender('1')).toEqual({ chainHead: 'g1', lastLopeNr: 1 });
    expect(reopened.notifications()).toEqual([
      { fromHerId: '1', notifikasjonGUID: 'g1', statusNotifikasjon: 'N', notifikasjonForrigeGUID: guid(0), notifikasjonLopeNr: 1, konsultasjonIDs: ['K1'] },
    ]);
    reopened.close();
    crashed.close();
  });

  it('imports a data directory of an earlier version (state.json and a journal newer than it) once', () => {
    const dataDir = tmpDir();
    const n = (guidN: string, prev: string, lopeNr: number, konsultasjonID: string, status = 'N', ref?: string) => ({
      statusNotifikasjon: status,
      notifikasjonGUID: guidN,
      notifikasjonForrigeGUID: prev,
      notifikasjonLopeNr: lopeNr,
      ...(ref ? { notifikasjonRef: ref } : {}),
      ...(status === 'C' ? {} : { Konsultasjon: [{ konsultasjonID, amming: String(lopeNr) }] }),
    });
    const state = {
      seq: 1,
      senders: { '7': { chainHead: 'g1', lastLopeNr: 1, notifications: 1, messages: 1, notificationConsultations: { g1: ['K1'] } } },
      consultations: { K1: { status: 'active', fromHerId: '7', content: { konsultasjonID: 'K1', amming: '1' } } },
      messages: { m1: { refId: 'r1', fromHerId: '7' } },
    };
    writeFileSync(join(dataDir, 'state.json'), JSON.stringify(state));
    const entry = (seq: number, messageId: string, notifs: unknown[]) =>
      JSON.stringify({
        seq,
        receivedAt: '2026-01-01T00:00:00Z',
        messageId,
        refId: `r${seq}`,
        fromHerId: '7',
        toHerId: '8',
        messageType: 'HST',
        messageVersion: '56.0.0',
        melding: { Notifikasjon: notifs },
      });
    // Entry 1 is in the snapshot already; entry 2 (an M and a C by reference) came after it; a torn line last.
    writeFileSync(
      join(dataDir, 'journal.jsonl'),
      `${entry(1, 'm1', [n('g1', guid(0), 1, 'K1')])}
${entry(2, 'm2', [n('g2', 'g1', 2, 'K2'), n('g3', 'g2', 3, '', 'C', 'g1')])}
{"seq":3,"mess`,
    );
    const store = new SandboxStore(dataDir);
    expect(store.publicState()).toEqual({
      senders: { '7': { chainHead: 'g3', notifications: 3, messages: 2 } },
      consultations: { K1: { status: 'annulled', content: { konsultasjonID: 'K1', amming: '1' } }, K2: { status: 'active', content: { konsultasjonID: 'K2', amming: '2' } } },
    });
    expect(store.answered('m2')).toEqual({ refId: 'r2', fromHerId: '7' });
    store.close();
    expect(existsSync(join(dataDir, 'state.json'))).toBe(false);
    expect(existsSync(join(dataDir, 'journal.jsonl.imported'))).toBe(true);
    // Opened again: nothing is imported twice.
    const again = new SandboxStore(dataDir);
    expect(again.publicState().senders['7']!.notifications).toBe(3);
    again.close();
  });
});

describe('kpr sandbox', () => {
  it('prints its URL as the first line, serves its state there, and takes faults as flags', async () => {
    const dataDir = tmpDir();
    const child = spawn(process.execPath, ['bin/kpr.mjs', 'sandbox', '--port', '0', '--data', dataDir, '--pki', pkiDir, '--fail-500', '1'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const lines = createInterface({ input: child.stdout! });
      const first = await new Promise<string>((resolve, reject) => {
        lines.once('line', resolve);
        child.once('exit', (code) => reject(new Error(`kpr sandbox exited with ${code}`)));
      });
      expect(first).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const res = await fetch(`${first}/sandbox/state`);
      expect(await res.json()).toEqual({ senders: {}, consultations: {} });
      const disco = await (await fetch(`${first}/.well-known/openid-configuration`)).json();
      expect(disco.issuer).toBe(first);
      const conn = JSON.parse(readFileSync(join(dataDir, 'connection.json'), 'utf8'));
      expect(conn).toMatchObject({ url: first, fromHerId: 8139519, toHerId: 8139520 });
      for (const f of [conn.jwkFile, conn.signerCertFile, conn.signerKeyFile, conn.recipientCertFile]) expect(existsSync(f)).toBe(true);
      // --fail-500 1: the first API request fails whatever it holds, the next one is judged.
      const post = () => fetch(`${first}/message/process`, { method: 'POST', body: '{}' }).then((r) => r.status);
      expect(await post()).toBe(500);
      expect(await post()).toBe(401);
    } finally {
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
  });
});
