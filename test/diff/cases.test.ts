// Golden diff cases in the Smithy style: for every change kind, `cases/<kind>/a` and
// `cases/<kind>/b` hold a tiny message before and after, and `expected.json` the changes
// diff(a, b) reports. Each case must report its own kind; diff(b, a) must be the exact inverse;
// a version compared with itself has no changes; and the cases cover the whole catalogue.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CHANGE_KINDS, diffSpecs } from '../../generator/diff/index.ts';
import { expectGolden } from '../helpers/golden.ts';
import { inverted, key, load, onlySpecIn, portable } from './helpers.ts';

const CASES = fileURLToPath(new URL('cases/', import.meta.url));
const names = readdirSync(CASES).sort();

describe('change kind catalogue', () => {
  it('has one golden case per kind, and no case without a kind', () => {
    expect(names).toEqual([...CHANGE_KINDS.keys()].sort());
  });

  it('declares an inverse for every kind, and the inverse of the inverse is the kind', () => {
    for (const k of CHANGE_KINDS.values()) {
      const inv = CHANGE_KINDS.get(k.inverse);
      expect(inv, `${k.id} → ${k.inverse}`).toBeDefined();
      expect(inv!.inverse).toBe(k.id);
      expect(k.id).toMatch(/^[a-z]+(-[a-z]+)*$/);
      expect(k.summary.length).toBeGreaterThan(20);
    }
  });
});

describe.each(names)('case %s', (name) => {
  const dir = join(CASES, name);
  const a = load(onlySpecIn(join(dir, 'a')));
  const b = load(onlySpecIn(join(dir, 'b')));
  const forward = diffSpecs(a, b);

  it('matches expected.json and reports its own kind', () => {
    expectGolden(join(dir, 'expected.json'), `${JSON.stringify(portable(forward, dir), null, 2)}\n`);
    expect(forward.map((c) => c.kind)).toContain(name);
    for (const c of forward) expect(c.severity).toBe(CHANGE_KINDS.get(c.kind)!.severity);
  });

  it('reports the inverse when compared the other way round', () => {
    expect(diffSpecs(b, a).map(key).sort()).toEqual(inverted(forward));
  });

  it('reports nothing for a version compared with itself', () => {
    expect(diffSpecs(a, a)).toEqual([]);
    expect(diffSpecs(b, b)).toEqual([]);
  });
});

describe('codes of a shared list', () => {
  // Barn/@typeID accepts only code 1 of list 9032 here; 2 and 9 are in the list but never usable.
  const narrowed = load(onlySpecIn(join(CASES, 'accepted-codes-restricted', 'b')));
  const without = (code: string) => {
    const s = structuredClone(narrowed);
    const list = s.codelists.get('9032')!;
    list.codes = list.codes.filter((c) => c.code !== code);
    return s;
  };

  it('ignores a removed code no attribute of the message accepts', () => {
    expect(diffSpecs(narrowed, without('2'))).toEqual([]);
  });

  it('reports a removed code an attribute accepts', () => {
    expect(diffSpecs(narrowed, without('1')).map((c) => [c.kind, c.path])).toEqual([['code-removed', 'codelists/9032/1']]);
  });
});
