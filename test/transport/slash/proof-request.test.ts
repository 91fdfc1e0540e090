// The message-bound DPoP proof, verified with jose, and the request's five headers.
import { createHash, generateKeyPairSync } from 'node:crypto';
import { EmbeddedJWK, exportJWK, generateKeyPair, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { signingKeyFromJwk } from '../../../runtime/transport/helseid/index.ts';
import {
  bindingsOf,
  checkVendorHeaders,
  createSlashProof,
  describeProof,
  extractionDate,
  isExtractionDate,
  protect,
  slashHeaders,
} from '../../../runtime/transport/slash/index.ts';

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const VENDOR = { vendorName: 'Acme EPJ AS', softwareName: 'Acme Journal', softwareVersion: '4.2.0', exportSoftwareVersion: 'kpr-kit 0.1.0' };

describe('the SLASH proof', () => {
  it('carries htm, htu, ath, jti, iat and the five message bindings, signed by the key in its header', async () => {
    const { privateKey } = await generateKeyPair('PS256', { extractable: true });
    const key = await signingKeyFromJwk({ ...(await exportJWK(privateKey)), alg: 'PS256', kid: 'dpop-1' });
    const json = Buffer.from('[{"orgNr":"999999905"}]');
    const p = protect(json, { id: 'k-7', publicKey: rsa.publicKey });
    const token = 'eyJ.fake.token';
    const jwt = await createSlashProof({ key, url: 'https://mottak.example/message?x=1', accessToken: token, bindings: bindingsOf(p, 'HST_Avtale', '1') });
    const { payload, protectedHeader } = await jwtVerify(jwt, EmbeddedJWK, { typ: 'dpop+jwt' });
    expect(protectedHeader.jwk).toEqual(key.publicJwk);
    expect(payload).toMatchObject({
      htm: 'POST',
      htu: 'https://mottak.example/message',
      ath: createHash('sha256').update(token).digest('base64url'),
      msg_type: 'HST_Avtale',
      msg_version: '1',
      msg_hash: createHash('sha256').update(json).digest('base64url'),
      enc_sym_key: p.encSymKey,
      enc_key_id: 'k-7',
    });
    expect(typeof payload.jti).toBe('string');
    expect(Math.abs((payload.iat as number) - Date.now() / 1000)).toBeLessThan(5);
    expect(describeProof(jwt).missing).toEqual([]);
  });

  it('binding claims cannot override the standard ones, and describeProof names what a proof lacks', async () => {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const key = await signingKeyFromJwk({ ...(await exportJWK(privateKey)), alg: 'ES256', kid: 'dpop-2' });
    const bindings = { msg_type: 'T', msg_version: '1', msg_hash: 'h', enc_sym_key: 'k', enc_key_id: 'i', ath: 'forged', htm: 'GET' } as never;
    const jwt = await createSlashProof({ key, url: 'https://mottak.example/message', accessToken: 'tok', bindings });
    const { payload } = await jwtVerify(jwt, EmbeddedJWK);
    expect(payload.htm).toBe('POST');
    expect(payload.ath).toBe(createHash('sha256').update('tok').digest('base64url'));
    const bare = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"htm":"POST"}').toString('base64url')}.`;
    expect(describeProof(bare).missing).toEqual(expect.arrayContaining(['jwk', 'typ dpop+jwt', 'ath', 'msg_hash', 'enc_key_id']));
    expect(() => describeProof('nonsense')).toThrow(/not a JWT/);
  });
});

describe('the five x- headers', () => {
  it('x-data-extraction-date is the Oslo calendar day, dd.MM.yyyy', () => {
    expect(extractionDate(Date.parse('2026-12-31T22:59:59Z'))).toBe('31.12.2026'); // 23:59:59 in Oslo (winter)
    expect(extractionDate(Date.parse('2026-12-31T23:00:00Z'))).toBe('01.01.2027'); // midnight in Oslo
    expect(extractionDate(Date.parse('2026-06-30T21:59:59Z'))).toBe('30.06.2026'); // summer time: +02:00
    expect(extractionDate(Date.parse('2026-06-30T22:00:00Z'))).toBe('01.07.2026');
    expect(isExtractionDate('29.02.2024')).toBe(true);
    expect(isExtractionDate('29.02.2026')).toBe(false);
    expect(isExtractionDate('2026-02-01')).toBe(false);
  });

  it('all five are sent, with the configured values', () => {
    expect(slashHeaders(VENDOR, Date.parse('2026-03-05T12:00:00Z'))).toEqual({
      'x-vendor-name': 'Acme EPJ AS',
      'x-software-name': 'Acme Journal',
      'x-software-version': '4.2.0',
      'x-export-software-version': 'kpr-kit 0.1.0',
      'x-data-extraction-date': '05.03.2026',
    });
  });

  it('a configuration without them, or with values a header cannot carry, is named setting by setting', () => {
    expect(checkVendorHeaders(undefined, 'kpr.yaml:slash.vendor')).toHaveLength(4);
    const problems = checkVendorHeaders({ ...VENDOR, softwareName: 'Journal ø', softwareVersion: '' }, 'kpr.yaml:slash.vendor');
    expect(problems).toEqual([
      'kpr.yaml:slash.vendor.softwareName "Journal ø" must be printable ASCII without leading or trailing spaces (the x-software-name header)',
      'kpr.yaml:slash.vendor.softwareVersion is missing: SLASH requires the x-software-version header',
    ]);
    expect(() => slashHeaders({ ...VENDOR, vendorName: '' })).toThrow(/x-vendor-name/);
  });
});
