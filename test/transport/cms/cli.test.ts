// The seal/unseal/cert commands as a user runs them: `node bin/kpr.mjs …`.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { issueCertificate } from '../../../runtime/transport/pki/index.ts';
import { sharedPki, tempDir } from './helpers.ts';

function kpr(args: string[], input?: Buffer) {
  const r = spawnSync(process.execPath, ['bin/kpr.mjs', ...args], { input, cwd: process.cwd(), maxBuffer: 16 * 1024 * 1024 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.toString() };
}

// Each spawn starts tsx; on a loaded two-core machine that alone can take seconds.
describe('kpr seal / unseal / cert inspect', { timeout: 180_000 }, async () => {
  const pki = await sharedPki();
  const dir = tempDir('kpr-cli-');
  const payload = Buffer.from('<Melding versjon="56.0.0">\u00e6\u00f8\u00e5</Melding>\n', 'utf8');
  const sealedPath = join(dir, 'message.p7m');
  const unsealArgs = ['unseal', '--recipient-cert', pki.receiverEncryption.certPath, '--recipient-key', pki.receiverEncryption.keyPath];

  it('seals stdin to stdout with a PKCS#12 signer, unseals file to file with PEM keys', () => {
    const s = kpr(
      ['seal', '--sign-p12', pki.senderSigning.p12Path, '--p12-pass-file', pki.p12PassPath, '--recipient-cert', pki.receiverEncryption.certPath, '--cipher', 'aes-128-cbc'],
      payload,
    );
    expect(s.status, s.stderr).toBe(0);
    expect(s.stdout[0]).toBe(0x30);
    writeFileSync(sealedPath, s.stdout);
    const out = join(dir, 'out.xml');
    const u = kpr([...unsealArgs, '--expect-signer', pki.senderSigning.certPath, '--in', sealedPath, '--out', out]);
    expect(u.status, u.stderr).toBe(0);
    expect(readFileSync(out).equals(payload)).toBe(true);
    expect(u.stderr).toContain('signed by C=NO, O=TEST Avsender kommune, CN=TEST Avsender signering');
  });

  it('refuses an unexpected signer and a tampered message with exit 2, writing nothing', () => {
    const out = join(dir, 'refused.xml');
    const wrongSigner = kpr([...unsealArgs, '--expect-signer', pki.receiverSigning.certPath, '--in', sealedPath, '--out', out]);
    expect(wrongSigner.status).toBe(2);
    expect(wrongSigner.stderr).toMatch(/refused \(unexpected-signer\)/);
    expect(existsSync(out)).toBe(false);

    const tampered = Buffer.from(readFileSync(sealedPath));
    tampered[tampered.length - 17] ^= 0xff;
    const tamperedPath = join(dir, 'tampered.p7m');
    writeFileSync(tamperedPath, tampered);
    const t = kpr([...unsealArgs, '--expect-signer', pki.senderSigning.certPath, '--in', tamperedPath, '--out', out]);
    expect(t.status).toBe(2);
    expect(t.stderr).toMatch(/refused \(decrypt-failed\)/);
    expect(existsSync(out)).toBe(false);
  });

  it('seal refuses to write DER to a terminal, and says to give --out', () => {
    const input = join(dir, 'payload.xml');
    writeFileSync(input, payload);
    const cmd = [
      process.execPath,
      'bin/kpr.mjs',
      'seal',
      '--in',
      input,
      '--sign-cert',
      pki.senderSigning.certPath,
      '--sign-key',
      pki.senderSigning.keyPath,
      '--recipient-cert',
      pki.receiverEncryption.certPath,
    ].join(' ');
    // script(1) runs it on a pseudo-terminal, as a person at a shell would.
    const r = spawnSync('script', ['-qec', cmd, '/dev/null'], { cwd: process.cwd(), encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stdout).toMatch(/the output is binary \(DER\): give --out FILE, or redirect it/);
    expect(r.stdout).not.toContain('\u0000');
  });

  it('cert inspect: exit 0 when fine, 1 when expiring within --warn-days', () => {
    const ok = kpr(['cert', 'inspect', pki.senderSigning.certPath, '--purpose', 'signing']);
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout.toString()).toMatch(/org number:\s+999999905/);
    expect(ok.stdout.toString()).toMatch(/key usage:\s+nonRepudiation/);

    const soon = issueCertificate({ commonName: 'TEST snart utløpt', keyUsage: ['nonRepudiation'], issuer: pki.ca, notAfter: new Date(Date.now() + 10 * 86_400_000) });
    const soonPath = join(dir, 'soon.pem');
    writeFileSync(soonPath, soon.certPem);
    const warn = kpr(['cert', 'inspect', soonPath, '--warn-days', '60', '--format', 'json']);
    expect(warn.status).toBe(1);
    const report = JSON.parse(warn.stdout.toString());
    expect(report[0].status).toBe('expiring');
    expect(report[0].problems[0]).toMatch(/expires in/);
    // The spelling before --format still works, unlisted.
    const old = kpr(['cert', 'inspect', soonPath, '--warn-days', '60', '--json']);
    expect(JSON.parse(old.stdout.toString())).toEqual(report);
  });

  it('cert inspect --config: the signing and the receiver encryption certificates kpr.yaml names, each for its use', () => {
    const setup = join(dir, 'setup');
    expect(kpr(['init', '--profile', 'sandbox', '--dir', setup, '--children', '1']).status).toBe(0);
    const r = kpr(['cert', 'inspect', '--config', join(setup, 'kpr.yaml'), '--format', 'json']);
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout.toString());
    expect(report.map((c: { file: string }) => c.file.slice(setup.length))).toEqual(['/sandbox/pki/sender-sign.pem', '/sandbox/pki/receiver-enc.pem']);
    expect(report[0].keyUsage).toContain('nonRepudiation');
    expect(report[1].keyUsage).toContain('keyEncipherment');
    // The receiver's certificate is not fit for signing: --config checks each for its own use.
    const unfit = kpr(['cert', 'inspect', join(setup, 'sandbox/pki/receiver-enc.pem'), '--purpose', 'signing']);
    expect(unfit.status).toBe(1);
  });
});
