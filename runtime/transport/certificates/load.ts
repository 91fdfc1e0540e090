// Loads certificates and keys from PEM files, DER certificates and PKCS#12 bundles (as Buypass
// and Commfides deliver enterprise certificates; a .cer downloaded from them is often DER). A PKCS#12 passphrase comes from a file, never from the
// command line, so it stays out of shell history and process lists.
import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import forge from 'node-forge';
import { CertificateError } from './errors.ts';

export interface LoadedCredentials {
  /** The certificates in the file, PEM, in file order (for PKCS#12: the key's certificate first). */
  certPems: string[];
  /** The private key (PKCS#8 PEM), if the file holds one. */
  keyPem?: string;
  /** The certificate belonging to the key, else the first certificate. Reading it throws
   *  CertificateError('not-found') for a file holding only a key. */
  certPem: string;
}

export function readPassphraseFile(path: string): string {
  try {
    // Only the line ending is trimmed: spaces may be part of a passphrase.
    return readFileSync(path, 'utf8').replace(/\r?\n$/, '');
  } catch (err) {
    throw new CertificateError('not-found', `cannot read the passphrase file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]+?-----END \1-----/g;

export function parsePem(text: string, source: string): LoadedCredentials {
  const certPems: string[] = [];
  let keyPem: string | undefined;
  for (const m of text.matchAll(PEM_BLOCK)) {
    const label = m[1];
    if (label === 'CERTIFICATE') certPems.push(normalisePem(m[0], source));
    else if (/PRIVATE KEY$/.test(label) && !keyPem) {
      if (label === 'ENCRYPTED PRIVATE KEY') {
        throw new CertificateError('unreadable', `${source}: encrypted PEM keys are not supported; use PKCS#12 with a passphrase file`);
      }
      keyPem = toPkcs8(m[0], source);
    }
  }
  if (certPems.length === 0 && !keyPem) throw new CertificateError('not-found', `${source}: no certificate or key in the file`);
  return finish(certPems, keyPem, source);
}

function normalisePem(pem: string, source: string): string {
  try {
    return new X509Certificate(pem).toString();
  } catch (err) {
    throw new CertificateError('unreadable', `${source}: unreadable certificate: ${(err as Error).message}`);
  }
}

function toPkcs8(key: string | { key: Buffer; format: 'der'; type: 'pkcs8' }, source: string): string {
  try {
    return createPrivateKey(key).export({ type: 'pkcs8', format: 'pem' }).toString();
  } catch (err) {
    throw new CertificateError('unreadable', `${source}: unreadable private key: ${(err as Error).message}`);
  }
}

/** A DER certificate (one X.509 structure, no PEM armour), or undefined when `data` is not one. */
function derCertificate(data: Buffer): string | undefined {
  // A DER certificate is a SEQUENCE; PKCS#12 is one too, so only a parse tells them apart.
  if (data[0] !== 0x30) return undefined;
  try {
    return new X509Certificate(data).toString();
  } catch {
    return undefined;
  }
}

/**
 * The certificates of a PEM file (a chain, in file order) or of a DER certificate file; throws a
 * CertificateError naming the file when it holds none.
 */
export function readCertificates(path: string): string[] {
  let data: Buffer;
  try {
    data = readFileSync(path);
  } catch (err) {
    throw new CertificateError('not-found', `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  if (data.includes('-----BEGIN ')) {
    const certPems = parsePem(data.toString('utf8'), path).certPems;
    if (certPems.length === 0) throw new CertificateError('not-found', `${path}: no certificate in the file (only a key)`);
    return certPems;
  }
  const der = derCertificate(data);
  if (der) return [der];
  throw new CertificateError('unreadable', `${path}: neither a PEM nor a DER X.509 certificate`);
}

/** The private key of a PEM file (PKCS#8 or PKCS#1, unencrypted), as PKCS#8 PEM. */
export function loadPrivateKey(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new CertificateError('not-found', `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  for (const m of text.matchAll(PEM_BLOCK)) {
    if (m[1] === 'ENCRYPTED PRIVATE KEY') {
      throw new CertificateError('unreadable', `${path}: encrypted PEM keys are not supported; use PKCS#12 with a passphrase file`);
    }
    if (/PRIVATE KEY$/.test(m[1])) return toPkcs8(m[0], path);
  }
  throw new CertificateError('not-found', `${path}: no private key in the file`);
}

/** Put the key's certificate first. */
function finish(certPems: string[], keyPem: string | undefined, source: string): LoadedCredentials {
  if (keyPem && certPems.length > 0) {
    const pub = createPublicKey(keyPem).export({ type: 'spki', format: 'der' });
    const i = certPems.findIndex((c) => new X509Certificate(c).publicKey.export({ type: 'spki', format: 'der' }).equals(pub));
    if (i < 0) throw new CertificateError('unreadable', `${source}: the private key belongs to none of the certificates`);
    certPems.unshift(...certPems.splice(i, 1));
  }
  if (certPems.length === 0) {
    // A key-only file is fine for callers that want the key; reading its certificate is not.
    return {
      certPems,
      keyPem,
      get certPem(): string {
        throw new CertificateError('not-found', `${source}: the file holds a key but no certificate`);
      },
    };
  }
  return { certPems, keyPem, certPem: certPems[0] };
}

const der = (a: forge.asn1.Asn1) => Buffer.from(forge.asn1.toDer(a).getBytes(), 'binary');

export function parsePkcs12(data: Buffer, passphrase: string, source: string): LoadedCredentials {
  let p12: forge.pkcs12.Pkcs12Pfx;
  // forge re-encodes parsed certificates from their fields, which can change the bytes of a
  // real CA's certificate; keep the original ASN.1 of every certificate instead.
  const originals = new Map<object, Buffer>();
  const pki = forge.pki as unknown as { certificateFromAsn1: (obj: forge.asn1.Asn1, computeHash?: boolean) => object };
  const fromAsn1 = pki.certificateFromAsn1;
  pki.certificateFromAsn1 = (obj, computeHash) => {
    const cert = fromAsn1(obj, computeHash);
    originals.set(cert, der(obj));
    return cert;
  };
  try {
    const asn1 = forge.asn1.fromDer(data.toString('binary'));
    p12 = forge.pkcs12.pkcs12FromAsn1(asn1, true, passphrase);
  } catch (err) {
    const msg = (err as Error).message;
    if (/password|MAC/i.test(msg)) throw new CertificateError('bad-passphrase', `${source}: wrong PKCS#12 passphrase`);
    throw new CertificateError('unreadable', `${source}: not a readable PKCS#12 file: ${msg}`);
  } finally {
    pki.certificateFromAsn1 = fromAsn1;
  }
  const certPems: string[] = [];
  let keyPem: string | undefined;
  for (const safe of p12.safeContents) {
    for (const bag of safe.safeBags) {
      const b = bag as typeof bag & { asn1?: forge.asn1.Asn1 };
      if (bag.type === forge.pki.oids.certBag) {
        const raw = bag.cert ? originals.get(bag.cert) : b.asn1 ? der(b.asn1) : undefined;
        if (raw) certPems.push(normalisePem(new X509Certificate(raw).toString(), source));
      } else if (bag.type === forge.pki.oids.pkcs8ShroudedKeyBag || bag.type === forge.pki.oids.keyBag) {
        if (keyPem) continue;
        if (bag.key) keyPem = toPkcs8(forge.pki.privateKeyToPem(bag.key), source);
        else if (b.asn1) keyPem = toPkcs8({ key: der(b.asn1), format: 'der', type: 'pkcs8' }, source);
      }
    }
  }
  return finish(certPems, keyPem, source);
}

/**
 * Load a PEM file (certificates and optionally a key) or a PKCS#12 bundle. PKCS#12 needs
 * `passphrase` or `passphraseFile`.
 */
export function loadCredentials(path: string, opts: { passphrase?: string; passphraseFile?: string } = {}): LoadedCredentials {
  let data: Buffer;
  try {
    data = readFileSync(path);
  } catch (err) {
    throw new CertificateError('not-found', `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  if (data.includes('-----BEGIN ')) return parsePem(data.toString('utf8'), path);
  const der = derCertificate(data);
  if (der) return finish([der], undefined, path);
  const passphrase = opts.passphrase ?? (opts.passphraseFile ? readPassphraseFile(opts.passphraseFile) : undefined);
  if (passphrase === undefined) {
    throw new CertificateError('bad-passphrase', `${path} is not PEM; if it is PKCS#12, give its passphrase file (--p12-pass-file)`);
  }
  return parsePkcs12(data, passphrase, path);
}
