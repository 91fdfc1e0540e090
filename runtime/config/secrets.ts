// Secrets (passphrases, tokens for a source command) are never written in kpr.yaml: the file
// names a file or an environment variable, and the value is read only when it is needed.
import { readFileSync } from 'node:fs';
import { UserError } from '../cli/program.ts';

export interface SecretRef {
  /** Absolute path (resolved against kpr.yaml's folder). */
  file?: string;
  env?: string;
  /** Where kpr.yaml names it, for error messages. */
  where: string;
}

export function readSecret(ref: SecretRef, env: NodeJS.ProcessEnv = process.env): string {
  if (ref.env !== undefined) {
    const v = env[ref.env];
    if (v === undefined || v === '') throw new UserError(`${ref.where}: environment variable ${ref.env} is not set`);
    return v;
  }
  try {
    // A trailing newline is an editor's, not the secret's.
    return readFileSync(ref.file!, 'utf8').replace(/\r?\n$/, '');
  } catch (err) {
    throw new UserError(`${ref.where}: cannot read secret file ${ref.file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}
