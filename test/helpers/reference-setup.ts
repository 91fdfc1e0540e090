// vitest globalSetup: one line, once per run, when the tests that need the official package
// are skipped, saying how to enable them (in CI they fail instead; see reference.ts).
import { findReference, inCi, PACKAGES, referenceHint } from './reference-locate.ts';

export default function setup(): void {
  if (inCi()) return;
  if (findReference() === undefined)
    process.stderr.write(`kpr-kit: skipping the tests that compare with the official package (spec fidelity, import, xmllint judges): ${referenceHint()}\n`);
  if (findReference(process.env, PACKAGES.fhiSlash) === undefined)
    process.stderr.write(`kpr-kit: skipping the tests of FHI's sample (hst-avtale): ${referenceHint(process.env, PACKAGES.fhiSlash)}\n`);
}
