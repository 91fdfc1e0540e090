// The pieces of the mapping language, table-driven: source paths, conditions and transforms.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCondition } from '../../runtime/mapping/condition.ts';
import { compilePath, parsePath } from '../../runtime/mapping/paths.ts';
import { parseTransform, TransformError, transformType } from '../../runtime/mapping/transforms.ts';

const record = {
  id: 'R1',
  child: { birthDate: '2019-05-17', ids: ['a', 'b'] },
  staff: [{ hpr: '123', role: 'lead' }, { hpr: '456' }],
  weight: 4160,
  empty: [],
};

describe('paths', () => {
  it.each([
    ['id', record, 'R1'],
    ['child.birthDate', record, '2019-05-17'],
    ['staff[1].hpr', record, '456'],
    ['child.ids[0]', record, 'a'],
    ['$.id', { other: 1 }, 'R1'],
    ['@.hpr', record.staff[0], '123'],
    ['@', 'scalar item', 'scalar item'],
    ['missing.deeper.still', record, undefined],
    ['weight.x', record, undefined],
  ])('%s', (text, item, want) => {
    const p = parsePath(text as string);
    if (typeof p === 'string') throw new Error(p);
    expect(compilePath(p)(record, item, 3)).toEqual(want);
  });

  it('$index is the position', () => {
    const p = parsePath('$index');
    if (typeof p === 'string') throw new Error(p);
    expect(compilePath(p)(record, record, 3)).toBe(3);
  });

  // toString and friends could reach Object.prototype: refused when the mapping is compiled.
  it.each(['', 'a..b', 'a[x]', 'a.b c', 'toString', 'child.constructor', '__proto__.x'])('refuses %j', (text) => {
    expect(typeof parsePath(text)).toBe('string');
  });
});

describe('conditions', () => {
  it.each([
    ["staff[0].role == 'lead'", true],
    ["staff[1].role == 'lead'", false],
    ['exists(child.birthDate)', true],
    ['exists(child.name)', false],
    ['empty', false],
    ['child.ids', true],
    ['not empty and weight > 4000', true],
    ['weight >= 5000 or id == "R1"', true],
    ["id in ['R1', 'R2']", true],
    ['weight in [1, 2]', false],
    ['(weight < 10 or weight > 100) and not exists(nothing)', true],
    ["weight == '4160'", true],
  ])('%s → %s', (src, want) => {
    const c = parseCondition(src);
    if (typeof c === 'string') throw new Error(c);
    expect(c.test(record, record, 1)).toBe(want);
  });

  it.each(["a == 'x", 'a ==', 'a and', '(a', 'a b', 'exists(1)'])('refuses %j', (src) => {
    expect(typeof parseCondition(src)).toBe('string');
  });
});

describe('transforms', () => {
  const run = (text: string, v: unknown) => {
    const t = parseTransform(text);
    if (typeof t === 'string') throw new Error(t);
    return t.fn(v);
  };
  it.each([
    ['trim', '  x ', 'x'],
    ['upper', 'ab', 'AB'],
    ['digits', '123 45-6', '123456'],
    ['utc-to-local', '2024-07-01T10:00:00Z', '2024-07-01T12:00:00'],
    ['local-date', '2024-12-31T23:30:00Z', '2025-01-01'],
    ['date', '2024-07-01T12:00:00', '2024-07-01'],
    ['datetime', '2024-07-01', '2024-07-01T00:00:00'],
    ['datetime', '2024-07-01T08:15', '2024-07-01T08:15:00'],
    ['year', '2019-05-17', 2019],
    ['integer', ' 42 ', 42],
    ['number', '3,5', 3.5],
    ['string', 48.1, '48.1'],
    ['round', 12.6, 13],
    ['round(1)', 12.345, 12.3],
    ['fixed(2)', 4.1, '4.10'],
    ['grams-to-kg', 4160, 4.16],
    ['grams-to-kg', 12345, 12.345],
    ['kg-to-grams', 4.16, 4160],
    ['cm-to-m', 104, 1.04],
    ['mm-to-cm', 367, 36.7],
    ["concat(' ')", ['Ola', '', null, 'Nordmann'], 'Ola Nordmann'],
    ["prefix('NO-')", '123', 'NO-123'],
    ['truncate(3)', 'abcdef', 'abc'],
    ['count', [1, 2, 3], 3],
    ['uuid5', 'P0000001', run('uuid5', 'P0000001')],
  ])('%s(%j) = %j', (text, v, want) => {
    expect(run(text, v)).toEqual(want);
  });

  it('string writes every number as String does (decimals of measurements by a shortcut)', () => {
    const decimals = fc.tuple(fc.integer({ min: -2e12, max: 2e12 }), fc.constantFrom(1, 10, 100, 1000, 1e4)).map(([m, f]) => m / f);
    const grams = fc.integer({ min: 0, max: 200_000 }).map((g) => run('grams-to-kg', g) as number);
    fc.assert(
      fc.property(fc.oneof(decimals, grams, fc.double(), fc.constantFrom(0.1 + 0.2, -0, 999_999_999.999, 1e9 - 0.5, 1.005)), (v) => {
        expect(run('string', v)).toBe(String(v));
      }),
      { numRuns: 20_000 },
    );
  });

  it('uuid5 is a deterministic RFC 9562 version-5 GUID', () => {
    const g = run('uuid5', 'P0000001') as string;
    expect(g).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(run('uuid5', 'P0000002')).not.toBe(g);
    // The DNS namespace example of RFC 9562 (appendix A.4): www.example.com.
    expect(run("uuid5('6ba7b810-9dad-11d1-80b4-00c04fd430c8')", 'www.example.com')).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
  });

  it.each([
    ['utc-to-local', '2024-07-01T10:00:00'],
    ['integer', '4.5'],
    ['year', 'soon'],
    ['grams-to-kg', '4160'],
    ['date', '17.05.2019'],
    ['string', { a: 1 }],
  ])('%s fails on %j with a TransformError', (text, v) => {
    expect(() => run(text, v)).toThrow(TransformError);
  });

  it.each(['nope', 'round(x)', 'fixed', 'trim(1)', "uuid5('not-a-uuid')"])('refuses to build %j', (text) => {
    expect(typeof parseTransform(text)).toBe('string');
  });

  it('types flow through transforms', () => {
    const t = (text: string) => {
      const s = parseTransform(text);
      if (typeof s === 'string') throw new Error(s);
      return s;
    };
    expect(transformType(t('utc-to-local'), 'instant')).toEqual({ type: 'localDateTime' });
    expect(transformType(t('year'), 'date')).toEqual({ type: 'integer' });
    expect(transformType(t('date'), 'instant')).toHaveProperty('error');
    expect(transformType(t('grams-to-kg'), 'string')).toHaveProperty('error');
  });
});
