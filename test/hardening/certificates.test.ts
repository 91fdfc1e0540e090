// Certificates checked before use, end to end: an expired certificate, one whose key usage does
// not fit its role, or one from another CA stops `kpr run` (and its dry run) before anything is
// written or sent, naming the setting, the file and the fix; a DER certificate is read; `kpr cert
// inspect` says what a certificate is fit for; `kpr status` warns 30 days ahead. The
// certificates are issued here from the setup's own test CA (runtime/transport/pki).
import { X509Certificate } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../runtime/config/load.ts';
import { initSandboxSetup, type SandboxSetup } from '../../runtime/init/sandbox-setup.ts';
import { checkedCertificates } from '../../runtime/jobs/certificates.ts';
import { runJob } from '../../runtime/jobs/jobs.ts';
import { formatStatus, statusReport } from '../../runtime/jobs/report.ts';
import { renderReport } from '../../runtime/report/html.ts';
import { silentLogger } from '../../runtime/log.ts';
import { type CertificateError, checkCertificate, loadCredentials, readCertificates } from '../../runtime/transport/certificates/index.ts';
import { issueCertificate, type KeyPairPem, type KeyUsageName } from '../../runtime/transport/pki/index.ts';
import { runKpr } from '../helpers/cli.ts';
import { FakeReceiver, tmp } from '../runtime/helpers.ts';

const DAY = 86_400_000;

let setup: SandboxSetup;
let ca: KeyPairPem;
beforeAll(async () => {
  setup = await initSandboxSetup({ dir: join(tmp('kpr-certs-'), 's'), seed: 'c', children: 2, today: '2026-11-24', port: 0 });
  const pki = join(setup.sandboxDir, 'pki');
  ca = { certPem: readFileSync(join(pki, 'ca.pem'), 'utf8'), keyPem: readFileSync(join(pki, 'ca.key'), 'utf8') };
});

/** Writes a signing certificate issued as asked over the setup's, and its key; returns the cert path. */
function useSigning(o: { keyUsage: KeyUsageName[]; notBefore?: Date; notAfter?: Date; issuer?: KeyPairPem; der?: boolean }): string {
  const pair = issueCertificate({
    commonName: 'TEST Avsender signering',
    organisation: 'TEST Avsender kommune',
    orgNumber: '999999905',
    issuer: o.issuer ?? ca,
    keyUsage: o.keyUsage,
    notBefore: o.notBefore,
    notAfter: o.notAfter,
  });
  const dir = tmp('kpr-cert-');
  const cert = join(dir, o.der ? 'sign.cer' : 'sign.pem');
  writeFileSync(cert, o.der ? new X509Certificate(pair.certPem).raw : pair.certPem);
  writeFileSync(join(dir, 'sign.key'), pair.keyPem, { mode: 0o600 });
  const text = readFileSync(setup.configFile, 'utf8')
    .replace(/certFile: .*/, `certFile: ${cert}`)
    .replace(/keyFile: .*/, `keyFile: ${join(dir, 'sign.key')}`);
  const file = join(dir, 'kpr.yaml');
  writeFileSync(
    file,
    text
      .replace(/^(\s*)(mapping|database): (\S+)$/gm, (_m, sp, k, v) => `${sp}${k}: ${join(setup.dir, v)}`)
      .replace(/path: epj/, `path: ${setup.epjDir}`)
      .replace(/receiverEncryptionCertFile: (\S+)/, (_m, v) => `receiverEncryptionCertFile: ${join(setup.dir, v)}`)
      .replace(/jwkFile: (\S+)/, (_m, v) => `jwkFile: ${join(setup.dir, v)}`),
  );
  return file;
}

describe('a run stops before anything is sent', () => {
  const cases: [string, Parameters<typeof useSigning>[0], RegExp][] = [
    [
      'expired (valid 2020-2021)',
      { keyUsage: ['nonRepudiation'], notBefore: new Date('2020-01-01'), notAfter: new Date('2021-01-01') },
      /expired on 2021-01-01.*Fix: order a new signing certificate/,
    ],
    [
      'not yet valid',
      { keyUsage: ['nonRepudiation'], notBefore: new Date(Date.now() + 10 * DAY), notAfter: new Date(Date.now() + 400 * DAY) },
      /is not valid before .*Fix: check this machine's clock/,
    ],
    [
      'key usage keyEncipherment only',
      { keyUsage: ['keyEncipherment'] },
      /has key usage keyEncipherment, without digitalSignature or nonRepudiation.*Fix: certificates\.signing\.certFile must name a signing certificate/,
    ],
    [
      'issued by another CA',
      { keyUsage: ['nonRepudiation'], issuer: issueCertificate({ commonName: 'TEST other CA', keyUsage: ['keyCertSign', 'cRLSign'] }) },
      /issued by .*TEST other CA, not by a CA in certificates\.caCertFile/,
    ],
  ];
  it.each(cases)('%s: kpr run --dry-run exits 2 naming setting, file and fix, and writes nothing', (_name, cert, why) => {
    const config = useSigning(cert);
    // The chain is checked against a CA where one is given.
    writeFileSync(config, readFileSync(config, 'utf8').replace(/ {2}warnDays: 30/, `  warnDays: 30\n  caCertFile: ${join(setup.sandboxDir, 'pki', 'ca.pem')}`));
    const out = join(tmp('kpr-dry-'), 'out');
    const r = runKpr(['run', '--config', config, '--dry-run', '--out', out]);
    expect(r.code, r.stderr).toBe(2);
    const certFile = loadConfig(config).certificates!.signing as { certFile: string };
    expect(r.stderr).toContain(`certificates.signing.certFile (${certFile.certFile})`);
    expect(r.stderr).toMatch(why);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(out) ? readdirSync(out).filter((f) => f.endsWith('.xml')) : []).toEqual([]);
  });

  it('kpr run sends nothing to the receiver with an expired certificate', async () => {
    const config = loadConfig(useSigning({ keyUsage: ['nonRepudiation'], notBefore: new Date('2020-01-01'), notAfter: new Date('2021-01-01') }));
    const receiver = new FakeReceiver();
    await expect(runJob({ config, log: silentLogger, sender: receiver })).rejects.toThrow(/certificates\.signing\.certFile .*expired/);
    expect(Object.keys(receiver.state.consultations)).toEqual([]);
  });
});

describe('fit certificates', () => {
  it('digitalSignature alone is fit for signing; a DER certificate is read as PEM is', () => {
    const config = loadConfig(useSigning({ keyUsage: ['digitalSignature'], der: true }));
    const checked = checkedCertificates(config);
    expect(checked.reports.signing.keyUsage).toEqual(['digitalSignature']);
    const file = (config.certificates!.signing as { certFile: string }).certFile;
    expect(readFileSync(file).subarray(0, 1)[0]).toBe(0x30); // DER, no armour
    expect(readCertificates(file)).toEqual([checked.signer.certPem]);
    expect(loadCredentials(file).certPem).toBe(checked.signer.certPem);
  });

  it('a chain in the file is checked link by link', () => {
    const other = issueCertificate({ commonName: 'TEST other CA', keyUsage: ['keyCertSign', 'cRLSign'] });
    const leaf = issueCertificate({ commonName: 'TEST leaf', keyUsage: ['nonRepudiation'], issuer: ca });
    const role = (certPems: string[]) => ({ setting: 'x.certFile', file: '/f.pem', purpose: 'signing' as const, certPems });
    expect(checkCertificate(role([leaf.certPem, ca.certPem])).status).toBe('valid');
    expect(() => checkCertificate(role([leaf.certPem, other.certPem]))).toThrow(/x\.certFile \(\/f\.pem\): .*is not issued by the next one/);
    const code = (() => {
      try {
        checkCertificate(role([leaf.certPem, other.certPem]));
      } catch (err) {
        return (err as CertificateError).code;
      }
    })();
    expect(code).toBe('chain');
  });
});

describe('kpr cert inspect tells the truth', () => {
  it('an encryption-only certificate valid in time is not called fit for signing', () => {
    const config = loadConfig(useSigning({ keyUsage: ['keyEncipherment'] }));
    const file = (config.certificates!.signing as { certFile: string }).certFile;
    const plain = runKpr(['cert', 'inspect', file]);
    expect(plain.stdout).toMatch(/fit for:\s+encryption only, not signing/);
    expect(plain.stdout).toMatch(/validity:\s+valid/);
    const asSigning = runKpr(['cert', 'inspect', file, '--purpose', 'signing']);
    expect(asSigning.code).toBe(1);
    expect(asSigning.stdout).toMatch(/problem:\s+key usage keyEncipherment lacks digitalSignature or nonRepudiation/);
    const otherCa = issueCertificate({ commonName: 'TEST other CA', keyUsage: ['keyCertSign', 'cRLSign'] });
    const caFile = join(tmp('kpr-ca-'), 'ca.pem');
    writeFileSync(caFile, otherCa.certPem);
    const chained = runKpr(['cert', 'inspect', file, '--ca', caFile]);
    expect(chained.code).toBe(1);
    expect(chained.stdout).toMatch(/problem:\s+issued by .*TEST kpr-kit CA, not by a CA in --ca/);
  });
});

describe('kpr status counts down', () => {
  it('warns 30 days ahead, and says when the next run would stop', async () => {
    const soon = loadConfig(useSigning({ keyUsage: ['nonRepudiation'], notAfter: new Date(Date.now() + 20 * DAY) }));
    await runJob({ config: soon, log: silentLogger, sender: new FakeReceiver() });
    const text = formatStatus(await statusReport(soon));
    expect(text).toMatch(/certificate signing: (19|20) day\(s\) left .*expiring\)/);
    expect(text).toMatch(/warning {3}certificate signing expires in (19|20) day\(s\): order its successor now/);

    const wrong = loadConfig(useSigning({ keyUsage: ['keyEncipherment'] }));
    const t2 = formatStatus(await statusReport(wrong));
    expect(t2).toMatch(/warning {3}certificate signing: the next run stops: certificates\.signing\.certFile .*key usage keyEncipherment/);
    // The HTML report marks it bad with the same reason.
    expect(await renderReport(wrong)).toMatch(
      /Certificate: signing<\/div><div class="v bad">[^<]*<\/div><div class="d">[^<]*has key usage keyEncipherment, without digitalSignature or nonRepudiation/,
    );
  });
});
