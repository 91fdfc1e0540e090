// Seal with node-forge alone (its pkcs7 builders, its pure-JS SHA-256, RSA and AES). Slow on
// MB payloads, so production uses the node:crypto path in sign.ts/envelope.ts; this one is kept
// as the reference that the fast path must match byte for byte (see the forge-identity test).
import forge from 'node-forge';
import type { ContentCipher } from './oids.ts';
import { CIPHERS } from './oids.ts';
import { defaultRandom, type SealHooks } from './hooks.ts';

export interface ForgeSealOptions {
  signer: { certPem: string; keyPem: string };
  recipientCertPem: string;
  cipher?: ContentCipher;
}

const bin = (b: Buffer) => b.toString('binary');

/** forge.random draws through the hook while `fn` runs, so both paths see the same bytes. */
function withRandom<T>(random: (n: number) => Buffer, fn: () => T): T {
  const r = forge.random as unknown as Record<string, unknown>;
  const saved = { getBytes: r.getBytes, getBytesSync: r.getBytesSync };
  const draw = (n: number) => bin(random(n));
  r.getBytes = draw;
  r.getBytesSync = draw;
  try {
    return fn();
  } finally {
    r.getBytes = saved.getBytes;
    r.getBytesSync = saved.getBytesSync;
  }
}

export function forgeSeal(payload: Buffer, opts: ForgeSealOptions, hooks: SealHooks = {}): Buffer {
  const cert = forge.pki.certificateFromPem(opts.signer.certPem);
  const p7 = forge.pkcs7.createSignedData();
  p7.content = forge.util.createBuffer(bin(payload));
  p7.addCertificate(cert);
  p7.addSigner({
    key: forge.pki.privateKeyFromPem(opts.signer.keyPem),
    certificate: cert,
    digestAlgorithm: forge.pki.oids.sha256,
    authenticatedAttributes: [
      { type: forge.pki.oids.contentType, value: forge.pki.oids.data },
      // forge's typings want a string; its encoder takes a Date as well.
      { type: forge.pki.oids.signingTime, value: (hooks.signingTime ?? new Date()) as unknown as string },
      { type: forge.pki.oids.messageDigest },
    ],
  });
  p7.sign();
  const signedDer = forge.asn1.toDer(p7.toAsn1()).getBytes();

  const env = forge.pkcs7.createEnvelopedData();
  env.addRecipient(forge.pki.certificateFromPem(opts.recipientCertPem));
  env.content = forge.util.createBuffer(signedDer);
  const cipherOid = CIPHERS[opts.cipher ?? 'aes-256-cbc'].oid;
  withRandom(hooks.random ?? defaultRandom, () => env.encrypt(undefined, cipherOid));
  return Buffer.from(forge.asn1.toDer(env.toAsn1()).getBytes(), 'binary');
}
