// vitest globalSetup: one line, once per run, when the tests that need the official package
// are skipped, saying how to enable them (in CI they fail instead; see reference.ts).
import { findReference, inCi, referenceHint } from './reference-locate.ts';

export default function setup(): void {
  if (findReference() === undefined && !inCi()) process.stderr.write(`kpr-kit: skipping the tests that compare with the official package (spec fidelity, import, xmllint judges): ${referenceHint()}\n`);
}
