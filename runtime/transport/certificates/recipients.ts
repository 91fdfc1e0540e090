// Where the receiver's encryption certificate comes from. Adresseregisteret (NHN) publishes it
// per HER-id (GetCertificateDetailsForEncryption); until a client for it exists, it is read
// from a file (one receiver) or a folder of `<herId>.pem` files. Both check that the
// certificate is fit for encryption before handing it out.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CertificateError } from './errors.ts';
import { assertFitFor } from './inspect.ts';
import { parsePem } from './load.ts';

export interface RecipientCertificates {
  /** The receiver's encryption certificate (PEM) for a HER-id. */
  forHerId(herId: number): Promise<string>;
}

/**
 * `path` is a PEM file (the same certificate for every HER-id) or a folder holding
 * `<herId>.pem` per receiver.
 */
export function fileRecipientCertificates(path: string, opts: { now?: () => Date } = {}): RecipientCertificates {
  return {
    async forHerId(herId: number): Promise<string> {
      if (!Number.isSafeInteger(herId) || herId <= 0) throw new CertificateError('not-found', `invalid HER-id ${herId}`);
      let file = path;
      if (existsSync(path) && statSync(path).isDirectory()) {
        file = join(path, `${herId}.pem`);
        if (!existsSync(file)) {
          throw new CertificateError('not-found', `no encryption certificate for HER-id ${herId}: expected ${file}`);
        }
      }
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (err) {
        throw new CertificateError('not-found', `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
      const certPem = parsePem(text, file).certPem;
      assertFitFor(certPem, 'encryption', opts.now?.());
      return certPem;
    },
  };
}
