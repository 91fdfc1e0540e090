// The `kpr seal`, `kpr unseal` and `kpr cert inspect` commands: CMS sign-then-encrypt and its
// inverse on files (or stdin/stdout), and a certificate health check for cron. A refused
// message exits 2 with the reason and writes nothing; outputs are written atomically.
import { readFileSync, statSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { EXIT, UserError } from '../cli/program.ts';
import { writePrivateFile } from '../io/private.ts';
import {
  assertFitFor,
  CertificateError,
  expiryWarning,
  fileRecipientCertificates,
  chainProblems,
  inspectCertificate,
  purposesOf,
  readCertificates,
  loadCredentials,
  loadPrivateKey,
  usageProblems,
  type CertificatePurpose,
  type LoadedCredentials,
} from './certificates/index.ts';
import { CmsError, CONTENT_CIPHERS, seal, unseal, type ContentCipher } from './cms/index.ts';
import { DEFAULT_TEST_PKI_DIR, ensureTestPki } from './pki/index.ts';

async function readInput(path: string | undefined): Promise<Buffer> {
  if (path && path !== '-') {
    try {
      return readFileSync(path);
    } catch (err) {
      throw new UserError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** A command's output file: sealed and unsealed messages hold health data, so atomic and owner-only. */
export function writeAtomic(path: string, data: Buffer): void {
  try {
    writePrivateFile(path, data);
  } catch (err) {
    throw new UserError(`cannot write ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

function writeOutput(path: string | undefined, data: Buffer): void {
  if (path && path !== '-') writeAtomic(path, data);
  else if (process.stdout.isTTY && data.some((b) => b < 0x09)) throw new UserError('the output is binary (DER): give --out FILE, or redirect it (> file)');
  else process.stdout.write(data);
}

interface InspectTarget {
  file: string;
  passphrase?: string;
  passphraseFile?: string;
  purpose?: CertificatePurpose;
  warnDays: number;
}

/** The certificates kpr.yaml names, each with the use it is there for. */
async function configuredCertificates(configFile: string, warnDays: number | undefined, purpose: string | undefined): Promise<InspectTarget[]> {
  if (purpose) throw new UserError('--purpose goes with a certificate file; with --config each certificate is checked for its own use');
  const [{ loadConfig }, { readSecret }] = await Promise.all([import('../config/load.ts'), import('../config/secrets.ts')]);
  const c = loadConfig(configFile);
  if (!c.certificates) throw new UserError(`${c.file} has no certificates section`);
  const days = warnDays ?? c.certificates.warnDays;
  const s = c.certificates.signing;
  const signing: InspectTarget =
    'p12File' in s
      ? { file: s.p12File, passphrase: s.passphrase ? readSecret(s.passphrase) : undefined, purpose: 'signing', warnDays: days }
      : { file: s.certFile, purpose: 'signing', warnDays: days };
  return [signing, { file: c.certificates.receiverEncryptionCertFile, purpose: 'encryption', warnDays: days }];
}

/** Certificate/CMS errors become user errors naming their code. */
async function guarded<T>(fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof CmsError) throw new UserError(`refused (${err.code}): ${err.message}`, EXIT.failed);
    if (err instanceof CertificateError) throw new UserError(`certificate (${err.code}): ${err.message}`, EXIT.failed);
    throw err;
  }
}

interface KeyOptions {
  cert?: string;
  key?: string;
  p12?: string;
  p12PassFile?: string;
}

/** A certificate and its key, from PEM files or a PKCS#12 bundle. */
function loadKeyPair(o: KeyOptions, what: string, flags: { cert: string; key: string; p12: string }): { certPem: string; keyPem: string } {
  let creds: LoadedCredentials;
  if (o.p12) {
    if (!o.p12PassFile) throw new UserError(`${flags.p12} needs --p12-pass-file`);
    creds = loadCredentials(o.p12, { passphraseFile: o.p12PassFile });
  } else if (o.cert) {
    creds = loadCredentials(o.cert, { passphraseFile: o.p12PassFile });
    if (!creds.keyPem && o.key) creds = { ...creds, keyPem: loadPrivateKey(o.key) };
  } else {
    throw new UserError(`the ${what} certificate is missing: give ${flags.cert} and ${flags.key}, or ${flags.p12}`);
  }
  if (!creds.keyPem) throw new UserError(`the ${what} private key is missing: give ${flags.key}`);
  return { certPem: creds.certPem, keyPem: creds.keyPem };
}

/** Refuse an unfit certificate; warn on stderr when it expires soon. */
function checkFit(certPem: string, purpose: CertificatePurpose, what: string): void {
  const report = assertFitFor(certPem, purpose);
  const warning = expiryWarning(report);
  if (warning) process.stderr.write(`kpr: warning: ${what}: ${warning}\n`);
}

function parseHerId(v: string): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n <= 0) throw new UserError(`--her-id must be a positive integer, got ${v}`);
  return n;
}

export function register(program: Command): void {
  program
    .command('seal')
    .description('Sign a payload (CMS SignedData, SHA-256) and encrypt it for the receiver (EnvelopedData)')
    .option('--sign-cert <file>', 'signing certificate, PEM (key usage nonRepudiation)')
    .option('--sign-key <file>', 'private key of the signing certificate, PEM')
    .option('--sign-p12 <file>', 'signing certificate and key as PKCS#12, instead of --sign-cert/--sign-key')
    .option('--p12-pass-file <file>', 'file holding the PKCS#12 passphrase')
    .requiredOption('--recipient-cert <path>', "receiver's encryption certificate, PEM; or a folder of <her-id>.pem with --her-id")
    .option('--her-id <n>', 'HER-id of the receiver, when --recipient-cert is a folder', parseHerId)
    .addOption(new Option('--cipher <name>', 'content cipher').choices(CONTENT_CIPHERS).default('aes-256-cbc'))
    .option('--in <file>', 'payload to seal (default: stdin)')
    .option('--out <file>', 'where to write the sealed message, DER (default: stdout)')
    .action(async (o) =>
      guarded(async () => {
        const signer = loadKeyPair({ cert: o.signCert, key: o.signKey, p12: o.signP12, p12PassFile: o.p12PassFile }, 'signing', {
          cert: '--sign-cert',
          key: '--sign-key',
          p12: '--sign-p12',
        });
        checkFit(signer.certPem, 'signing', 'signing certificate');
        let recipientCertPem: string;
        if (statSync(o.recipientCert, { throwIfNoEntry: false })?.isDirectory()) {
          if (o.herId === undefined) throw new UserError('--recipient-cert is a folder: give --her-id');
          recipientCertPem = await fileRecipientCertificates(o.recipientCert).forHerId(o.herId);
        } else {
          recipientCertPem = loadCredentials(o.recipientCert).certPem;
        }
        checkFit(recipientCertPem, 'encryption', 'recipient certificate');
        const payload = await readInput(o.in);
        const sealed = seal(payload, { signer, recipientCertPem, cipher: o.cipher as ContentCipher });
        writeOutput(o.out, sealed);
      }),
    );

  program
    .command('unseal')
    .description('Decrypt a sealed message and verify its signature; exit 2 and write nothing if refused')
    .option('--recipient-cert <file>', 'our encryption certificate, PEM')
    .option('--recipient-key <file>', 'private key of our encryption certificate, PEM')
    .option('--recipient-p12 <file>', 'our encryption certificate and key as PKCS#12')
    .option('--p12-pass-file <file>', 'file holding the PKCS#12 passphrase')
    .option('--expect-signer <file>', 'the certificate the message must be signed with, PEM')
    .option('--any-signer', 'accept any signer (integrity only; prefer --expect-signer)')
    .option('--in <file>', 'sealed message, DER (default: stdin)')
    .option('--out <file>', 'where to write the payload (default: stdout)')
    .action(async (o) =>
      guarded(async () => {
        if (!o.expectSigner && !o.anySigner) {
          throw new UserError("give --expect-signer (the sender's signing certificate), or --any-signer to skip that check");
        }
        const recipient = loadKeyPair({ cert: o.recipientCert, key: o.recipientKey, p12: o.recipientP12, p12PassFile: o.p12PassFile }, 'recipient', {
          cert: '--recipient-cert',
          key: '--recipient-key',
          p12: '--recipient-p12',
        });
        const expectSigner = o.expectSigner ? loadCredentials(o.expectSigner).certPem : undefined;
        const der = await readInput(o.in);
        const result = unseal(der, { recipient, expectSigner });
        writeOutput(o.out, result.content);
        const signer = inspectCertificate(result.signerCertPem);
        process.stderr.write(`kpr: unsealed ${result.content.length} bytes signed by ${signer.subject}${result.signingTime ? ` at ${result.signingTime.toISOString()}` : ''}\n`);
      }),
    );

  const cert = program.command('cert').description('Certificates: inspect and check');
  cert
    .command('inspect')
    .description('Show subject, serial, organisation number, validity (ISO instants), key usage and days left; exit 1 if expired, expiring or unfit')
    .argument('[file]', 'certificate file: PEM (may hold a chain and a key) or PKCS#12 (or give --config)')
    .option('-c, --config <file>', "inspect the certificates this kpr.yaml names: its signing certificate (for signing) and the receiver's encryption certificate")
    .option('--p12-pass-file <file>', 'file holding the PKCS#12 passphrase')
    .option('--warn-days <n>', 'warn (exit 1) when a certificate expires within this many days (default: 60, or certificates.warnDays with --config)', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0) throw new UserError(`--warn-days must be a whole number of days, got ${v}`);
      return n;
    })
    .addOption(new Option('--purpose <purpose>', 'also check key usage for this use (exit 1 if unfit)').choices(['signing', 'encryption']))
    .option('--ca <file>', 'CA certificate(s), PEM or DER: check that the certificate chains to one (exit 1 if not)')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    // The spelling before --format; kept so scripts keep working.
    .addOption(new Option('--json', 'same as --format json').hideHelp())
    .action(async (file: string | undefined, o) =>
      guarded(async () => {
        if (!file && !o.config) throw new UserError('kpr cert inspect needs a certificate file, or --config kpr.yaml to inspect the certificates it names');
        if (file && o.config) throw new UserError('give either a certificate file or --config, not both');
        const targets = file
          ? [
              {
                file,
                passphraseFile: o.p12PassFile as string | undefined,
                purpose: o.purpose as CertificatePurpose | undefined,
                warnDays: (o.warnDays as number | undefined) ?? 60,
              },
            ]
          : await configuredCertificates(o.config, o.warnDays, o.purpose);
        const ca = o.ca ? { caPems: readCertificates(o.ca), caSetting: `--ca ${o.ca}` } : {};
        let bad = false;
        const out = targets.flatMap((t) => {
          const creds = loadCredentials(t.file, { passphrase: 'passphrase' in t ? t.passphrase : undefined, passphraseFile: t.passphraseFile });
          if (creds.certPems.length === 0) throw new UserError(`${t.file}: no certificate in the file (only a key)`);
          // The chain in the file (each issued by the next) and, with --ca, to a trusted CA.
          const chain = chainProblems(creds.certPems, ca);
          return creds.certPems.map((pem, i) => {
            const r = inspectCertificate(pem, { warnDays: t.warnDays });
            // Key usage is checked on the first certificate only: the key's own, not the chain.
            const problems = i === 0 && t.purpose ? usageProblems(r, t.purpose) : [];
            if (i === 0) problems.push(...chain);
            const warning = expiryWarning(r);
            if (r.status !== 'valid' || problems.length > 0) bad = true;
            return { file: t.file, ...r, fitFor: purposesOf(r), problems: warning ? [warning, ...problems] : problems };
          });
        });
        if (o.json || o.format === 'json') {
          process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
        } else {
          for (const r of out) {
            process.stdout.write(
              [
                `file:         ${r.file}`,
                `subject:      ${r.subject}`,
                `issuer:       ${r.issuer}`,
                `serial:       ${r.serialNumber}`,
                `org number:   ${r.orgNumber ?? '-'}`,
                `valid:        ${r.notBefore.toISOString()} to ${r.notAfter.toISOString()}`,
                `days left:    ${r.daysLeft}`,
                `key usage:    ${r.keyUsage ? r.keyUsage.join(', ') || '(none)' : '(no extension: any)'}`,
                `sha-256:      ${r.fingerprint256}`,
                `fit for:      ${fitForText(r.fitFor)}`,
                `validity:     ${r.status}`,
                ...r.problems.map((p) => `problem:      ${p}`),
                '',
              ].join('\n'),
            );
          }
        }
        if (bad) process.exitCode = EXIT.partial;
      }),
    );

  cert
    .command('test-pki')
    .description('Create (once) a TEST CA and TEST certificates for sender and receiver, and print their paths')
    .option('--dir <dir>', 'folder for the test PKI', DEFAULT_TEST_PKI_DIR)
    .action(async (o) => {
      const pki = await ensureTestPki(o.dir);
      const lines = [
        `ca:                  ${pki.ca.certPath}`,
        `sender signing:      ${pki.senderSigning.certPath} ${pki.senderSigning.keyPath} ${pki.senderSigning.p12Path}`,
        `sender encryption:   ${pki.senderEncryption.certPath} ${pki.senderEncryption.keyPath} ${pki.senderEncryption.p12Path}`,
        `receiver encryption: ${pki.receiverEncryption.certPath} ${pki.receiverEncryption.keyPath}`,
        `receiver signing:    ${pki.receiverSigning.certPath} ${pki.receiverSigning.keyPath}`,
        `p12 passphrase file: ${pki.p12PassPath}`,
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}

/** Which uses the key usage allows, said plainly: a certificate valid in time may still be unfit. */
function fitForText(fit: CertificatePurpose[]): string {
  if (fit.length === 2) return 'signing and encryption';
  if (fit.length === 0) return 'neither signing (digitalSignature or nonRepudiation) nor encryption (keyEncipherment)';
  return fit[0] === 'signing' ? 'signing only, not encryption (no keyEncipherment)' : 'encryption only, not signing (no digitalSignature or nonRepudiation)';
}
