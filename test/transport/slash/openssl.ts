// openssl as the independent judge of SLASH protection: it opens our wrapped key and decrypts
// our body with no code of ours in the path, and it protects messages our receiver must open.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpDir } from '../../sandbox/fixtures.ts';

const OAEP = ['-pkeyopt', 'rsa_padding_mode:oaep', '-pkeyopt', 'rsa_oaep_md:sha256', '-pkeyopt', 'rsa_mgf1_md:sha256'];

function openssl(args: string[]): Buffer {
  return execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Opens a protected message as FHI would, with openssl only: the symmetric key and the JSON bytes. */
export function opensslOpen(msg: { body: Buffer | string; encSymKey: string }, privateKeyPem: string): { symKey: Buffer; json: Buffer; sha256: Buffer } {
  const dir = tmpDir('kpr-slash-openssl-');
  writeFileSync(join(dir, 'key.pem'), privateKeyPem, { mode: 0o600 });
  writeFileSync(join(dir, 'wrapped.bin'), Buffer.from(msg.encSymKey.replace(/-/g, '+').replace(/_/g, '/'), 'base64'));
  openssl(['pkeyutl', '-decrypt', '-inkey', join(dir, 'key.pem'), '-in', join(dir, 'wrapped.bin'), '-out', join(dir, 'sym.bin'), ...OAEP]);
  const symKey = readFileSync(join(dir, 'sym.bin'));
  const sealed = Buffer.from(msg.body.toString(), 'base64');
  writeFileSync(join(dir, 'ct.bin'), sealed.subarray(16));
  openssl(['enc', '-d', '-aes-256-cbc', '-K', symKey.toString('hex'), '-iv', sealed.subarray(0, 16).toString('hex'), '-in', join(dir, 'ct.bin'), '-out', join(dir, 'plain.bin')]);
  const json = readFileSync(join(dir, 'plain.bin'));
  const sha256 = openssl(['dgst', '-sha256', '-binary', join(dir, 'plain.bin')]);
  return { symKey, json, sha256 };
}

/** Protects `json` with openssl only (key and IV from openssl rand): what another sender would send. */
export function opensslProtect(json: Buffer, publicKeyPem: string): { body: string; encSymKeyStd: string; msgHash: string } {
  const dir = tmpDir('kpr-slash-openssl-');
  writeFileSync(join(dir, 'pub.pem'), publicKeyPem);
  writeFileSync(join(dir, 'plain.bin'), json);
  const symKey = openssl(['rand', '32']);
  const iv = openssl(['rand', '16']);
  writeFileSync(join(dir, 'sym.bin'), symKey);
  const ct = openssl(['enc', '-aes-256-cbc', '-K', symKey.toString('hex'), '-iv', iv.toString('hex'), '-in', join(dir, 'plain.bin')]);
  const wrapped = openssl(['pkeyutl', '-encrypt', '-pubin', '-inkey', join(dir, 'pub.pem'), '-in', join(dir, 'sym.bin'), ...OAEP]);
  const hash = openssl(['dgst', '-sha256', '-binary', join(dir, 'plain.bin')]);
  return { body: Buffer.concat([iv, ct]).toString('base64'), encSymKeyStd: wrapped.toString('base64'), msgHash: hash.toString('base64url') };
}
