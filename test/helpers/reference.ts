// Where the official specifications are, and xmllint as the independent judge of our XML.
// The package is not in the repository (it is Helsedirektoratet's): a clone anywhere gets the
// tests that need it skipped with one line saying how to enable them, while CI (CI set) must
// have it, so there a missing package fails those tests instead of hiding them.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { findReference, inCi, PACKAGES, referenceHint } from './reference-locate.ts';

export { findReference, inCi, referenceHint };

const FOUND = findReference();
/** Skip only where not in CI: in CI the tests run and fail with the hint. */
const SKIP = FOUND === undefined && !inCi();

/** describe() for tests that need the official package; skipped without it (outside CI). */
export const describeOfficial = describe.skipIf(SKIP);
/** it() for a test that needs the official package; skipped without it (outside CI). */
export const itOfficial = it.skipIf(SKIP);

export function referenceDir(): string {
  if (FOUND === undefined) throw new Error(referenceHint());
  return FOUND;
}

export function officialXsd(message: 'hst' | 'iplos'): string {
  return message === 'hst' ? join(referenceDir(), 'hst-56.0.0', 'XPR(hst).xsd') : join(referenceDir(), 'iplos-56.0.0', 'XPR(ipl).xsd');
}

/** Validate an XML file against the official XSD with xmllint; returns '' when valid, else xmllint's complaint. */
export function xmllint(file: string, message: 'hst' | 'iplos'): string {
  const r = spawnSync('xmllint', ['--noout', '--schema', officialXsd(message), file], { encoding: 'utf8' });
  if (r.error) throw new Error(`xmllint is needed to validate XML (Debian: apt-get install libxml2-utils): ${r.error.message}`);
  return r.status === 0 ? '' : r.stderr.trim();
}

const FHI_SLASH = findReference(process.env, PACKAGES.fhiSlash);
const SKIP_FHI_SLASH = FHI_SLASH === undefined && !inCi();

/** it() for a test that needs FHI's SLASH sample; skipped without it (outside CI). */
export const itFhiSlash = it.skipIf(SKIP_FHI_SLASH);

/** FHI's one public SLASH message body (HST_Avtale 1, random test values): KPR_FHI_SLASH_DIR, then ../shared/reference/fhi-slash/. */
export function fhiSlashSample(): string {
  if (FHI_SLASH === undefined) throw new Error(referenceHint(process.env, PACKAGES.fhiSlash));
  return join(FHI_SLASH, 'hst_avtale_test_message.json');
}
