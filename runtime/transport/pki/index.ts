// The test PKI: a CA, the sender's signing and encryption certificates and the receiver's
// encryption (and signing) certificates, generated on first use into one folder and reused
// afterwards. Everything is marked TEST in the subject. The file names are documented in
// docs/transport-cms.md; the default folder for development is .test-pki/ (git-ignored).
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { syncDir, writeFileAtomic } from '../../io/atomic.ts';
import { makePrivateDir } from '../../io/private.ts';
import { issueCertificate, toPkcs12, type KeyPairPem } from './issue.ts';

export { issueCertificate, toPkcs12, generateRsaKeyPem, type IssueOptions, type KeyPairPem, type KeyUsageName } from './issue.ts';

export const DEFAULT_TEST_PKI_DIR = '.test-pki';

/** Organisation numbers (valid mod 11, not real organisations) of the two test parties. */
export const TEST_ORG_NUMBERS = { sender: '999999905', receiver: '999999913' } as const;

export interface PkiParty extends KeyPairPem {
  certPath: string;
  keyPath: string;
}

export interface TestPki {
  dir: string;
  ca: PkiParty;
  /** nonRepudiation; subject serialNumber = sender org number. */
  senderSigning: PkiParty & { p12Path: string };
  /** keyEncipherment. */
  senderEncryption: PkiParty & { p12Path: string };
  /** keyEncipherment: what the sender encrypts for. */
  receiverEncryption: PkiParty;
  /** nonRepudiation: for the receiver's signed replies (sandbox). */
  receiverSigning: PkiParty;
  /** File holding the passphrase of the .p12 bundles. */
  p12PassPath: string;
  p12Pass: string;
}

/** File names inside the folder. */
export const PKI_FILES = {
  manifest: 'pki.json',
  p12Pass: 'p12-pass.txt',
  ca: 'ca',
  senderSigning: 'sender-sign',
  senderEncryption: 'sender-enc',
  receiverEncryption: 'receiver-enc',
  receiverSigning: 'receiver-sign',
} as const;

type PartyName = 'ca' | 'senderSigning' | 'senderEncryption' | 'receiverEncryption' | 'receiverSigning';

function generate(): { files: Map<string, { data: string | Buffer; mode: number }> } {
  const files = new Map<string, { data: string | Buffer; mode: number }>();
  const put = (name: string, pair: KeyPairPem) => {
    files.set(`${name}.pem`, { data: pair.certPem, mode: 0o644 });
    files.set(`${name}.key`, { data: pair.keyPem, mode: 0o600 });
  };
  const ca = issueCertificate({ commonName: 'TEST kpr-kit CA', organisation: 'TEST kpr-kit', keyUsage: ['keyCertSign', 'cRLSign'] });
  const sender = { organisation: 'TEST Avsender kommune', orgNumber: TEST_ORG_NUMBERS.sender, issuer: ca };
  const receiver = { organisation: 'TEST Mottaker KPR', orgNumber: TEST_ORG_NUMBERS.receiver, issuer: ca };
  const senderSigning = issueCertificate({ ...sender, commonName: 'TEST Avsender signering', keyUsage: ['nonRepudiation'] });
  const senderEncryption = issueCertificate({ ...sender, commonName: 'TEST Avsender kryptering', keyUsage: ['keyEncipherment'] });
  const receiverEncryption = issueCertificate({ ...receiver, commonName: 'TEST Mottaker kryptering', keyUsage: ['keyEncipherment'] });
  const receiverSigning = issueCertificate({ ...receiver, commonName: 'TEST Mottaker signering', keyUsage: ['nonRepudiation'] });
  put(PKI_FILES.ca, ca);
  put(PKI_FILES.senderSigning, senderSigning);
  put(PKI_FILES.senderEncryption, senderEncryption);
  put(PKI_FILES.receiverEncryption, receiverEncryption);
  put(PKI_FILES.receiverSigning, receiverSigning);
  const pass = randomBytes(12).toString('base64url');
  files.set(PKI_FILES.p12Pass, { data: `${pass}\n`, mode: 0o600 });
  files.set(`${PKI_FILES.senderSigning}.p12`, { data: toPkcs12(senderSigning, [ca.certPem], pass, 'TEST Avsender signering'), mode: 0o600 });
  files.set(`${PKI_FILES.senderEncryption}.p12`, { data: toPkcs12(senderEncryption, [ca.certPem], pass, 'TEST Avsender kryptering'), mode: 0o600 });
  files.set(PKI_FILES.manifest, {
    data: `${JSON.stringify({ kind: 'kpr-kit test PKI', created: new Date().toISOString(), orgNumbers: TEST_ORG_NUMBERS }, null, 2)}\n`,
    mode: 0o644,
  });
  return { files };
}

function load(dir: string): TestPki {
  const party = (name: PartyName): PkiParty => {
    const certPath = join(dir, `${PKI_FILES[name]}.pem`);
    const keyPath = join(dir, `${PKI_FILES[name]}.key`);
    return { certPath, keyPath, certPem: readFileSync(certPath, 'utf8'), keyPem: readFileSync(keyPath, 'utf8') };
  };
  const p12PassPath = join(dir, PKI_FILES.p12Pass);
  return {
    dir,
    ca: party('ca'),
    senderSigning: { ...party('senderSigning'), p12Path: join(dir, `${PKI_FILES.senderSigning}.p12`) },
    senderEncryption: { ...party('senderEncryption'), p12Path: join(dir, `${PKI_FILES.senderEncryption}.p12`) },
    receiverEncryption: party('receiverEncryption'),
    receiverSigning: party('receiverSigning'),
    p12PassPath,
    p12Pass: readFileSync(p12PassPath, 'utf8').trim(),
  };
}

/**
 * The test PKI in `dir`, generated on first use. Safe when several processes race: a fresh
 * folder is built beside `dir` and renamed into place, and the loser loads the winner's.
 */
export async function ensureTestPki(dir: string = DEFAULT_TEST_PKI_DIR): Promise<TestPki> {
  const target = resolve(dir);
  if (existsSync(join(target, PKI_FILES.manifest))) return load(target);
  const { files } = generate();
  const emptyOrMissing = !existsSync(target) || readdirSync(target).length === 0;
  if (emptyOrMissing) {
    makePrivateDir(dirname(target));
    const staging = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    makePrivateDir(staging);
    for (const [name, f] of files) writeFileAtomic(join(staging, name), f.data, { mode: f.mode });
    try {
      renameSync(staging, target);
      syncDir(dirname(target));
    } catch {
      rmSync(staging, { recursive: true, force: true });
      if (!existsSync(join(target, PKI_FILES.manifest))) throw new Error(`could not create the test PKI in ${target}`);
    }
    return load(target);
  }
  // A folder with other files in it: write ours one by one, the manifest last.
  for (const [name, f] of files) if (name !== PKI_FILES.manifest) writeFileAtomic(join(target, name), f.data, { mode: f.mode });
  const manifest = files.get(PKI_FILES.manifest)!;
  writeFileAtomic(join(target, PKI_FILES.manifest), manifest.data, { mode: manifest.mode });
  return load(target);
}
