// kpr run against the real sandbox (HelseID stand-in with DPoP, CMS sign-then-encrypt, the
// generated codec validating every Melding, the receiver's chain checks): consultations arrive
// once, in their latest version; a configuration error the receiver rejects is fixed by the
// operator and `kpr resend` delivers the message's consultations.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MESSAGES } from '../../generated/index.ts';
import { loadConfig } from '../../runtime/config/load.ts';
import { resendJob, runJob } from '../../runtime/jobs/jobs.ts';
import { formatStatus, statusReport } from '../../runtime/jobs/report.ts';
import { silentLogger } from '../../runtime/log.ts';
import { DEFAULT_CLIENT_ID, startSandbox, type Sandbox } from '../../runtime/sandbox/index.ts';
import { generatedCodec } from '../../runtime/sandbox/generated-codec.ts';
import { openStore } from '../../runtime/store/open.ts';
import { issueCertificate } from '../../runtime/transport/pki/index.ts';
import { del, rec, tmp, writeNdjson } from './helpers.ts';

let sb: Sandbox;
let dir: string;

beforeAll(async () => {
  dir = tmp('kpr-rt-sbx-');
  sb = await startSandbox({ dataDir: join(dir, 'sandbox'), codec: generatedCodec(MESSAGES) });
});
afterAll(async () => {
  await sb?.close();
});

/** kpr.yaml for sandbox `s` (by default the one the tests share). */
function yaml(signingCert: string, signingKey: string, s: Sandbox = sb): string {
  return `profile: sandbox
api: { baseUrl: "${s.url}", helseidAuthority: "${s.url}", receiverHerId: ${s.receiverHerId} }
helseid:
  clientId: ${DEFAULT_CLIENT_ID}
  jwkFile: ${s.files.clientJwkFile}
  scopes: [hdir:kneik/hst/submit]
certificates:
  signing: { certFile: ${signingCert}, keyFile: ${signingKey} }
  receiverEncryptionCertFile: ${s.pki.test.receiverEncryption.certPath}
sender:
  herId: ${s.senderHerId}
  orgNr: "974770000"
  Kommune: [{ kommuneNr: "0301" }]
  Kontaktperson: [{ kontPerson: Kari Kontakt, meldEpost1: kari@example.invalid, typeKontaktperson: "1" }, { kontPerson: Kari Kontakt, meldEpost1: kari@example.invalid, typeKontaktperson: "15" }]
epj: { leverandor: Test AS, navnEPJ: TestEPJ, versjonEPJ: "1.0" }
message: { spec: hst@56.0.0 }
batch: { maxConsultations: 2 }
source: { type: file, path: epj.ndjson }
`;
}

describe('kpr run against the sandbox', () => {
  it('delivers N, M and C through HelseID and CMS; a rejected message is resent after the configuration is fixed', async () => {
    const cfgFile = join(dir, 'kpr.yaml');
    const signing = sb.pki.test.senderSigning;
    writeFileSync(cfgFile, yaml(signing.certPath, signing.keyPath));
    writeNdjson(join(dir, 'epj.ndjson'), [rec('K1', '2024-05-01T08:00:00Z'), rec('K2', '2024-05-01T08:00:00Z'), rec('K3', '2024-05-01T08:00:00Z')]);
    const r1 = await runJob({ config: loadConfig(cfgFile), log: silentLogger });
    expect(r1).toMatchObject({ exitCode: 0, messagesAccepted: 2, notifications: { N: 3, M: 0, C: 0 } });

    writeNdjson(join(dir, 'epj.ndjson'), [rec('K2', '2024-05-02T08:00:00Z', 1), del('K3', '2024-05-02T08:00:00Z')]);
    const r2 = await runJob({ config: loadConfig(cfgFile), log: silentLogger });
    expect(r2).toMatchObject({ exitCode: 0, notifications: { N: 0, M: 1, C: 1 } });
    const held = sb.state().consultations;
    expect(Object.fromEntries(Object.entries(held).map(([k, v]) => [k, `${v.status}:${v.content.amming}`]))).toEqual({ K1: 'active:1', K2: 'active:2', K3: 'annulled:1' });

    // The operator signs with a certificate fit for signing but not registered for the sender's
    // HER-id (one the kit cannot know is wrong): the receiver says no. (An encryption
    // certificate named as the signing one no longer gets this far: the run refuses it.)
    const unregistered = issueCertificate({
      commonName: 'TEST Avsender signering (ny)',
      organisation: 'TEST Avsender kommune',
      keyUsage: ['nonRepudiation'],
      issuer: sb.pki.test.ca,
    });
    const wrong = { certPath: join(dir, 'unregistered.pem'), keyPath: join(dir, 'unregistered.key') };
    writeFileSync(wrong.certPath, unregistered.certPem);
    writeFileSync(wrong.keyPath, unregistered.keyPem, { mode: 0o600 });
    writeFileSync(cfgFile, yaml(wrong.certPath, wrong.keyPath));
    writeNdjson(join(dir, 'epj.ndjson'), [rec('K4', '2024-05-03T08:00:00Z')]);
    const r3 = await runJob({ config: loadConfig(cfgFile), log: silentLogger });
    expect(r3.exitCode).toBe(2);
    expect(r3.stopped?.state).toBe('rejected');
    const rejectedId = r3.stopped!.messageId;
    expect(formatStatus(await statusReport(loadConfig(cfgFile)))).toMatch(/last run {2}run #3 .*: failed, exit 2 \(message .* rejected: 1012/);

    // Fixed: resend delivers K4 in a new message continuing the accepted chain.
    writeFileSync(cfgFile, yaml(signing.certPath, signing.keyPath));
    const r4 = await resendJob({ config: loadConfig(cfgFile), messageId: rejectedId, log: silentLogger });
    expect(r4).toMatchObject({ exitCode: 0, messagesAccepted: 1, notifications: { N: 1, M: 0, C: 0 } });
    expect(sb.state().consultations.K4?.status).toBe('active');
    const store = openStore(join(dir, 'kpr.db'));
    expect(store.countsByState()).toEqual({ accepted: 4, requeued: 1 });
    store.close();
    const status = await statusReport(loadConfig(cfgFile));
    expect(status.certificates.map((c) => c.name)).toEqual(['signing', 'receiver encryption']);
    expect(status.certificates.every((c) => typeof c.daysLeft === 'number' && c.daysLeft > 0)).toBe(true);
  });

  it('does not resend a consultation the EPJ deleted after its message was rejected', async () => {
    // Its own sandbox and database: a second sender chain in the first one would be refused.
    const home = tmp('kpr-rt-sbx-del-');
    const own = await startSandbox({ dataDir: join(home, 'sandbox'), codec: generatedCodec(MESSAGES) });
    try {
      const cfgFile = join(home, 'kpr.yaml');
      const epj = join(home, 'epj.ndjson');
      const signing = own.pki.test.senderSigning;
      writeFileSync(cfgFile, yaml(signing.certPath, signing.keyPath, own));
      writeNdjson(epj, [rec('K1', '2024-05-01T08:00:00Z')]);
      expect(await runJob({ config: loadConfig(cfgFile), log: silentLogger })).toMatchObject({ exitCode: 0, notifications: { N: 1 } });

      // A fault the receiver refuses (a signing certificate not registered for the HER-id):
      // the message with K2 and K3 is rejected.
      const unregistered = issueCertificate({
        commonName: 'TEST Avsender signering (ny)',
        organisation: 'TEST Avsender kommune',
        keyUsage: ['nonRepudiation'],
        issuer: own.pki.test.ca,
      });
      const wrong = { certPath: join(home, 'unregistered.pem'), keyPath: join(home, 'unregistered.key') };
      writeFileSync(wrong.certPath, unregistered.certPem);
      writeFileSync(wrong.keyPath, unregistered.keyPem, { mode: 0o600 });
      writeFileSync(cfgFile, yaml(wrong.certPath, wrong.keyPath, own));
      writeNdjson(epj, [rec('K2', '2024-05-02T08:00:00Z'), rec('K3', '2024-05-02T08:00:00Z')]);
      const rejected = await runJob({ config: loadConfig(cfgFile), log: silentLogger });
      expect(rejected.stopped?.state).toBe('rejected');

      // Meanwhile K2 is deleted in the EPJ; the configuration is fixed and the next run reads it.
      writeFileSync(cfgFile, yaml(signing.certPath, signing.keyPath, own));
      writeNdjson(epj, [del('K2', '2024-05-03T08:00:00Z')]);
      const after = await runJob({ config: loadConfig(cfgFile), log: silentLogger });
      expect(after).toMatchObject({ exitCode: 0, notifications: { N: 0, M: 0, C: 0 } });

      // The operator resends the rejected message: K3 goes, K2 (deleted since) does not.
      const resent = await resendJob({ config: loadConfig(cfgFile), messageId: rejected.stopped!.messageId, log: silentLogger });
      expect(resent).toMatchObject({ exitCode: 0, notifications: { N: 1, M: 0, C: 0 } });
      expect(Object.fromEntries(Object.entries(own.state().consultations).map(([k, v]) => [k, v.status]))).toEqual({ K1: 'active', K3: 'active' });
    } finally {
      await own.close();
    }
  });
});
