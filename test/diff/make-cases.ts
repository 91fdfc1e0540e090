// Regenerates test/diff/cases/<kind>/{a,b}/<message>/<version>.yaml from mutations.ts (the inverse
// kind's case is the same pair swapped). Run: node bin/run-ts.mjs test/diff/make-cases.ts, then
// UPDATE_GOLDEN=1 npx vitest run test/diff and review every expected.json before committing.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { base, caseYaml, jsonBase, JSON_MUTATIONS, MUTATIONS, type S } from './mutations.ts';

const ROOT = fileURLToPath(new URL('cases/', import.meta.url));

function write(dir: string, s: S, what: string) {
  // Replace the side's files but keep the case's expected.json, the golden under review.
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, s.message), { recursive: true });
  writeFileSync(join(dir, s.message, `${s.version}.yaml`), caseYaml(s, what));
}

const all: [string, () => S, (s: S) => void, string?][] = [
  ...MUTATIONS.map(([k, m, i]): [string, () => S, (s: S) => void, string?] => [k, base, m, i]),
  ...JSON_MUTATIONS.map(([k, m, i]): [string, () => S, (s: S) => void, string?] => [k, jsonBase, m, i]),
];
for (const [kind, start, mutate, inverse] of all) {
  const a = start(),
    b = start();
  mutate(b);
  write(join(ROOT, kind, 'a'), a, `${kind} (a, before)`);
  write(join(ROOT, kind, 'b'), b, `${kind} (b, after)`);
  if (inverse) {
    write(join(ROOT, inverse, 'a'), b, `${inverse} (a, before)`);
    write(join(ROOT, inverse, 'b'), a, `${inverse} (b, after)`);
  }
}
console.log(`wrote ${all.length} case pairs under ${ROOT}`);
