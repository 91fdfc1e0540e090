// The one way generated code is made: any value written as a literal reads back as itself, so
// no text from a mapping or a spec can break out of its string; helpers arrive by name.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileSource, literal } from '../../runtime/codegen/compile.ts';

describe('generated code', () => {
  it('a literal of any JSON value evaluates to that value', () => {
    // fast-check's jsonValue() includes -0, which JSON itself writes as 0 (JSON.stringify(-0) is
    // "0"): the values a literal is asked to carry are those JSON can carry, so -0 is folded first.
    const jsonCarried = fc.jsonValue().map((v) => JSON.parse(JSON.stringify(v)) as unknown);
    fc.assert(
      fc.property(jsonCarried, (v) => {
        expect(compileSource<unknown>({}, `return ${literal(v)};`)).toEqual(v);
      }),
      { numRuns: 300 },
    );
  });

  it('hostile text stays data: quotes, backslashes, line separators, a closing comment, code', () => {
    for (const s of ['"; throw new Error("x"); "', '\\', '\u2028\u2029', '*/ process.exit(1) /*', '`${1+1}`', '\u0000\ud800']) {
      expect(compileSource<string>({}, `return ${literal(s)};`)).toBe(s);
    }
  });

  it('passes the helpers in by name, and undefined writes as the template literal would', () => {
    const f = compileSource<(x: number) => number>({ add: (a: number, b: number) => a + b, k: 2 }, '"use strict"; return (x) => add(x, k);');
    expect(f(40)).toBe(42);
    expect(literal(undefined)).toBe(`${undefined}`);
    // A "__proto__" key stays a key (in an object literal it would set the prototype).
    const poisoned = JSON.parse('{"__proto__":{"polluted":true},"a":[{"__proto__":[]}]}') as Record<string, unknown>;
    const back = compileSource<Record<string, unknown>>({}, `return ${literal(poisoned)};`);
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(Object.keys(back)).toEqual(['__proto__', 'a']);
    expect(back).toEqual(poisoned);
    // -0 is written as JSON writes it; a generated literal never carries a sign JSON would drop.
    expect(Object.is(compileSource<number>({}, `return ${literal(-0)};`), 0)).toBe(true);
  });
});
