// `kpr slash …` as an operator runs it: what encrypt writes, openssl opens; decrypt gives back
// the exact bytes and says whether they match msg_hash; proof shows the bindings.
import { createHash, generateKeyPairSync } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportJWK, generateKeyPair } from 'jose';
import { describe, expect, it } from 'vitest';
import { signingKeyFromJwk } from '../../../runtime/transport/helseid/index.ts';
import { bindingsOf, createSlashProof, protect } from '../../../runtime/transport/slash/index.ts';
import { runKpr } from '../../helpers/cli.ts';
import { tmpDir } from '../../sandbox/fixtures.ts';
import { opensslOpen } from './openssl.ts';

const dir = tmpDir('kpr-slash-cli-');
const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
const pubFile = join(dir, 'pub.pem');
const privFile = join(dir, 'priv.pem');
const privatePem = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
writeFileSync(pubFile, pair.publicKey.export({ type: 'spki', format: 'pem' }));
writeFileSync(privFile, privatePem, { mode: 0o600 });
// Not UTF-8 normalised on purpose: a BOM-less file with a non-ASCII name and a trailing newline.
const json = Buffer.from('[{"orgNr":"999999905","navn":"Ås helsestasjon"}]\n', 'utf8');
const jsonFile = join(dir, 'message.json');
writeFileSync(jsonFile, json);

describe('kpr slash encrypt / decrypt', () => {
  it('encrypt for a PEM key: openssl opens it to the exact bytes; decrypt gives them back and checks msg_hash', () => {
    const out = join(dir, 'protected.json');
    const r = runKpr(['slash', 'encrypt', '--key', pubFile, '--key-id', 'k-1', '--in', jsonFile, '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const m = JSON.parse(readFileSync(out, 'utf8'));
    expect(m).toMatchObject({ enc_key_id: 'k-1', bytes: json.length, msg_hash: createHash('sha256').update(json).digest('base64url') });
    expect(opensslOpen({ body: m.body, encSymKey: m.enc_sym_key }, privatePem).json.equals(json)).toBe(true);

    const plain = join(dir, 'plain.json');
    const d = runKpr(['slash', 'decrypt', '--private-key', privFile, '--message', out, '--out', plain]);
    expect(d.code).toBe(0);
    expect(d.stderr).toContain('msg_hash matches');
    expect(readFileSync(plain).equals(json)).toBe(true);
    expect(statSync(plain).mode & 0o777).toBe(0o600);

    const wrong = runKpr(['slash', 'decrypt', '--private-key', privFile, '--message', out, '--msg-hash', 'A'.repeat(43)]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('FHI code 1006');
    expect(Buffer.from(wrong.stdout).equals(json)).toBe(true); // nothing lost
  });

  it('encrypt for a saved /keys answer picks the latest key; decrypt takes enc_sym_key and the body apart', () => {
    const keysFile = join(dir, 'keys.json');
    const pem = readFileSync(pubFile, 'utf8');
    writeFileSync(
      keysFile,
      JSON.stringify([
        { id: 'old', expirationDate: '2099-01-01T00:00:00Z', publicKey: pem },
        { id: 'new', expirationDate: '2099-06-01T00:00:00Z', publicKey: pem },
      ]),
    );
    const r = runKpr(['slash', 'encrypt', '--key', keysFile, '--in', jsonFile]);
    expect(r.code).toBe(0);
    const m = JSON.parse(r.stdout);
    expect(m.enc_key_id).toBe('new');
    const bodyFile = join(dir, 'body.txt');
    writeFileSync(bodyFile, m.body);
    const std = Buffer.from(m.enc_sym_key, 'base64url').toString('base64'); // the README's prose form
    const d = runKpr(['slash', 'decrypt', '--private-key', privFile, '--enc-sym-key', std, '--in', bodyFile, '--msg-hash', m.msg_hash]);
    expect(d.code).toBe(0);
    expect(Buffer.from(d.stdout).equals(json)).toBe(true);
  });

  it.each([
    [['slash', 'encrypt', '--key', pubFile, '--in', jsonFile], 2, '--key-id'],
    [['slash', 'encrypt', '--key', join(dir, 'nope.pem'), '--key-id', 'k', '--in', jsonFile], 2, 'cannot read the key file'],
    [['slash', 'decrypt', '--private-key', privFile], 2, 'give --message'],
    [['slash', 'keys', '--base-url', 'http://127.0.0.1:1', '--timeout', '2000'], 2, 'keys-unreachable'],
    [['slash', 'keys', '--base-url', 'http://example.org/'], 2, 'refusing http'],
  ])('%j → exit %i naming the problem', (args, code, words) => {
    const r = runKpr(args);
    expect(r.code).toBe(code);
    expect(r.stderr).toContain(words);
    expect(r.stderr).not.toContain('    at '); // no stack trace
  });

  it('encrypt refuses a message that is not JSON (exit 1), decrypt a body for another key (exit 1, code 1008)', () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '[{');
    expect(runKpr(['slash', 'encrypt', '--key', pubFile, '--key-id', 'k', '--in', bad]).code).toBe(1);
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
    const p = protect(json, { id: 'x', publicKey: other });
    const msg = join(dir, 'other.json');
    writeFileSync(msg, JSON.stringify({ body: p.body.toString(), enc_sym_key: p.encSymKey }));
    const r = runKpr(['slash', 'decrypt', '--private-key', privFile, '--message', msg]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('1008');
  });
});

describe('kpr slash proof', () => {
  it('prints header and claims with the bindings; exit 1 and the list when a binding is missing', async () => {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const key = await signingKeyFromJwk({ ...(await exportJWK(privateKey)), alg: 'ES256', kid: 'd' });
    const p = protect(json, { id: 'k-9', publicKey: pair.publicKey });
    const jwt = await createSlashProof({ key, url: 'https://mottak.example/message', accessToken: 'tok', bindings: bindingsOf(p, 'HST_Avtale', '1') });
    const r = runKpr(['slash', 'proof', jwt]);
    expect(r.code).toBe(0);
    const shown = JSON.parse(r.stdout);
    expect(shown.header).toMatchObject({ typ: 'dpop+jwt', alg: 'ES256' });
    expect(shown.claims).toMatchObject({ htm: 'POST', msg_type: 'HST_Avtale', msg_version: '1', enc_key_id: 'k-9', msg_hash: p.msgHash });
    expect(shown.missing).toEqual([]);
    const plain = await createSlashProof({ key, url: 'https://x/message', accessToken: 'tok', bindings: {} as never });
    const m = runKpr(['slash', 'proof'], { input: plain });
    expect(m.code).toBe(1);
    expect(m.stderr).toContain('msg_type, msg_version, msg_hash, enc_sym_key, enc_key_id');
    expect(runKpr(['slash', 'proof', 'garbage']).code).toBe(1);
  });
});
