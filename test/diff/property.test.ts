// Properties of the diff over random combinations of the golden cases' edits: the inverse
// holds exactly, a version compared with itself is empty, the result is deterministic, and
// every change is catalogued with its catalogued severity.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, expect, it } from 'vitest';
import { CHANGE_KINDS, diffSpecs } from '../../generator/diff/index.ts';
import { loadSpecFile } from '../../generator/load/index.ts';
import type { MessageSpec } from '../../generator/model/types.ts';
import { inverted, key } from './helpers.ts';
import { base, caseYaml, MUTATIONS, type S } from './mutations.ts';

const tmp = mkdtempSync(join(tmpdir(), 'kpr-diff-prop-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;

/** Load a spec from data; undefined when the combination is not a valid spec (e.g. two edits clash). */
function loadData(s: S): MessageSpec | undefined {
  const dir = join(tmp, String(n++), 'mini');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${s.version}.yaml`);
  writeFileSync(file, caseYaml(s, 'property'));
  return loadSpecFile(file, new Map()).value;
}

const a = loadData(base())!;

it('diff(b, a) is the inverse of diff(a, b) for any combination of edits', () => {
  fc.assert(
    fc.property(fc.subarray(MUTATIONS, { minLength: 1, maxLength: 6 }), (edits) => {
      const data = base();
      for (const [, edit] of edits) edit(data);
      const b = loadData(data);
      fc.pre(b !== undefined);
      const forward = diffSpecs(a, b!);
      expect(forward.length).toBeGreaterThan(0);
      for (const c of forward) expect(c.severity).toBe(CHANGE_KINDS.get(c.kind)?.severity);
      expect(diffSpecs(b!, a).map(key).sort()).toEqual(inverted(forward));
      expect(diffSpecs(a, b!)).toEqual(forward);
      expect(diffSpecs(b!, b!)).toEqual([]);
    }),
    { numRuns: 40, seed: 20260401 },
  );
});
