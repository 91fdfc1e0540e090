// An independent judge for our JWT signatures: openssl verifies the client assertion and the
// DPoP proof (RS256 and PS256) over the exact signing input, with the public key taken from the
// JWK (the assertion) or from the proof's own header (DPoP).
import { execFileSync } from 'node:child_process';
import { createPublicKey } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeProtectedHeader, exportJWK, generateKeyPair, type JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { createClientAssertion, createDpopProof, publicPart, signingKeyFromJwk } from '../../../runtime/transport/helseid/index.ts';
import { tmpDir } from '../../sandbox/fixtures.ts';

function opensslVerifies(jwt: string, publicJwk: JWK, alg: 'RS256' | 'PS256'): string {
  const dir = tmpDir('kpr-jwt-');
  const [h, p, s] = jwt.split('.');
  writeFileSync(join(dir, 'input'), `${h}.${p}`);
  writeFileSync(join(dir, 'sig'), Buffer.from(s!, 'base64url'));
  writeFileSync(join(dir, 'pub.pem'), createPublicKey({ key: publicJwk as never, format: 'jwk' }).export({ type: 'spki', format: 'pem' }));
  const pss = alg === 'PS256' ? ['-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:32'] : [];
  return execFileSync('openssl', ['dgst', '-sha256', ...pss, '-verify', join(dir, 'pub.pem'), '-signature', join(dir, 'sig'), join(dir, 'input')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();
}

describe.each(['RS256', 'PS256'] as const)('%s signatures verified by openssl', (alg) => {
  it('client assertion and DPoP proof', async () => {
    const { privateKey } = await generateKeyPair(alg, { extractable: true });
    const jwk = { ...(await exportJWK(privateKey)), alg, kid: `peer-${alg}` };
    const key = await signingKeyFromJwk(jwk);
    const assertion = await createClientAssertion({ clientId: 'c', audience: 'https://sts.example', key });
    expect(opensslVerifies(assertion, publicPart(jwk), alg)).toBe('Verified OK');
    const proof = await createDpopProof({ key, htm: 'POST', htu: 'https://api.example/message/process', accessToken: 'token' });
    const embedded = decodeProtectedHeader(proof).jwk as JWK;
    expect(embedded.d).toBeUndefined();
    expect(opensslVerifies(proof, embedded, alg)).toBe('Verified OK');
    // A changed payload must fail, or the check proves nothing.
    const [h, , s] = proof.split('.');
    const forged = `${h}.${Buffer.from('{"htm":"GET"}').toString('base64url')}.${s}`;
    expect(() => opensslVerifies(forged, embedded, alg)).toThrow();
  });
});
