// Regenerates test/diff/cases/<kind>/{a,b}/mini/<version>.yaml from mutations.ts (the inverse
// kind's case is the same pair swapped). Run: node bin/run-ts.mjs test/diff/make-cases.ts, then
// UPDATE_GOLDEN=1 npx vitest run test/diff and review every expected.json before committing.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { base, caseYaml, MUTATIONS, type S } from './mutations.ts';

const ROOT = fileURLToPath(new URL('cases/', import.meta.url));

function write(dir: string, s: S, what: string) {
  // Replace the side's files but keep the case's expected.json, the golden under review.
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'mini'), { recursive: true });
  writeFileSync(join(dir, 'mini', `${s.version}.yaml`), caseYaml(s, what));
}

for (const [kind, mutate, inverse] of MUTATIONS) {
  const a = base(), b = base();
  mutate(b);
  write(join(ROOT, kind, 'a'), a, `${kind} (a, before)`);
  write(join(ROOT, kind, 'b'), b, `${kind} (b, after)`);
  if (inverse) {
    write(join(ROOT, inverse, 'a'), b, `${inverse} (a, before)`);
    write(join(ROOT, inverse, 'b'), a, `${inverse} (b, after)`);
  }
}
console.log(`wrote ${MUTATIONS.length} case pairs under ${ROOT}`);
