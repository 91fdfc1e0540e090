// Finding the official packages, without vitest: the one-line skip notice (reference-setup.ts)
// runs before any test file, where describe/it do not exist yet. Two packages live beside the
// repository, never in it: Helsedirektoratet's 2021 message specifications, and FHI's public
// SLASH sample. Each is looked for in its environment variable's folder, then in ../shared.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const REPO_ROOT = resolve(import.meta.dirname, '../..');

export interface Package {
  /** What the tests that need it compare with, for the skip line. */
  what: string;
  env: string;
  shared: string;
  /** Files the folder must hold. */
  holds: string[];
  /** Where to get it. */
  from: string;
}

export const PACKAGES = {
  dhhr: {
    what: 'the official KPR message specifications (hst-56.0.0/, iplos-56.0.0/)',
    env: 'KPR_REFERENCE_DIR',
    shared: '../shared/reference/dhhr-api/message-spesifications',
    holds: ['hst-56.0.0', 'iplos-56.0.0'],
    from: 'Helsedirektoratet (https://github.com/hdir/DHHR.API, folder message-spesifications)',
  },
  fhiSlash: {
    what: "FHI's public SLASH sample (hst_avtale_test_message.json)",
    env: 'KPR_FHI_SLASH_DIR',
    shared: '../shared/reference/fhi-slash',
    holds: ['hst_avtale_test_message.json'],
    from: "FHI's SLASH documentation (see docs/spec-format.md, HST_Avtale)",
  },
} satisfies Record<string, Package>;

/** The folders looked in, in order: the package's environment variable, then the shared checkout beside the repository. */
export function referenceCandidates(env: NodeJS.ProcessEnv = process.env, p: Package = PACKAGES.dhhr): string[] {
  const shared = resolve(REPO_ROOT, p.shared);
  return env[p.env] ? [resolve(env[p.env]!), shared] : [shared];
}

/** The first candidate holding the package's files, or undefined. */
export function findReference(env: NodeJS.ProcessEnv = process.env, p: Package = PACKAGES.dhhr): string | undefined {
  return referenceCandidates(env, p).find((dir) => p.holds.every((f) => existsSync(join(dir, f))));
}

/** CI as the usual CI services set it ("true", "1"); "false" and "0" mean not CI. */
export function inCi(env: NodeJS.ProcessEnv = process.env): boolean {
  return !!env.CI && env.CI !== 'false' && env.CI !== '0';
}

/** What to do when the package is missing: one sentence, for the skip line and CI's failure. */
export function referenceHint(env: NodeJS.ProcessEnv = process.env, p: Package = PACKAGES.dhhr): string {
  return `${p.what}: not found in ${referenceCandidates(env, p).join(' or ')}; get them from ${p.from} and set ${p.env} to that folder (see README.md, "Tests")`;
}
