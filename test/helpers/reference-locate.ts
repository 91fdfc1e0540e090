// Finding the official package, without vitest: the one-line skip notice (reference-setup.ts)
// runs before any test file, where describe/it do not exist yet.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const REPO_ROOT = resolve(import.meta.dirname, '../..');

/** The folders looked in, in order: $KPR_REFERENCE_DIR, then the shared checkout beside the repository. */
export function referenceCandidates(env: NodeJS.ProcessEnv = process.env): string[] {
  const shared = resolve(REPO_ROOT, '../shared/reference/dhhr-api/message-spesifications');
  return env.KPR_REFERENCE_DIR ? [resolve(env.KPR_REFERENCE_DIR), shared] : [shared];
}

const holdsPackage = (dir: string) => existsSync(join(dir, 'hst-56.0.0')) && existsSync(join(dir, 'iplos-56.0.0'));

/** The first candidate holding hst-56.0.0/ and iplos-56.0.0/, or undefined. */
export function findReference(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return referenceCandidates(env).find(holdsPackage);
}

/** CI as the usual CI services set it ("true", "1"); "false" and "0" mean not CI. */
export function inCi(env: NodeJS.ProcessEnv = process.env): boolean {
  return !!env.CI && env.CI !== 'false' && env.CI !== '0';
}

/** What to do when the package is missing: one sentence, for the skip line and CI's failure. */
export function referenceHint(env: NodeJS.ProcessEnv = process.env): string {
  return (
    `the official KPR message specifications (hst-56.0.0/, iplos-56.0.0/) were not found in ${referenceCandidates(env).join(' or ')}; ` +
    'get them from Helsedirektoratet (https://github.com/hdir/DHHR.API, folder message-spesifications) ' +
    'and set KPR_REFERENCE_DIR to that folder (see README.md, "Tests")'
  );
}
