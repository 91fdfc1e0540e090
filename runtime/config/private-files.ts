// The files a configuration names that hold keys, secrets or personal data, and which of them
// others can read: `kpr status` warns about each (kpr-kit creates its own 0600, but a file copied
// in by hand, or made before kpr-kit was, keeps the mode it came with).

import { exposure } from '../io/private.ts';
import type { KprConfig } from './load.ts';

/** Every configured file that should be readable by its owner only. */
export function privateFiles(config: KprConfig): string[] {
  const files = [config.database, `${config.database}-wal`, `${config.database}-shm`];
  if (config.helseid) files.push(config.helseid.jwkFile);
  const signing = config.certificates?.signing;
  if (signing && 'keyFile' in signing) files.push(signing.keyFile);
  if (signing && 'p12File' in signing) {
    files.push(signing.p12File);
    if (signing.passphrase?.file) files.push(signing.passphrase.file);
  }
  for (const ref of Object.values(config.source.env)) if (ref.file) files.push(ref.file);
  return files;
}

/** One sentence per private file that its group or others can read or write. */
export function exposedPrivateFiles(config: KprConfig): string[] {
  return privateFiles(config).flatMap((f) => exposure(f) ?? []);
}
