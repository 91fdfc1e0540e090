// The store's Bloom filter may say "maybe" for a key it never saw, never "absent" for one it did.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KeyFilter } from '../../runtime/store/key-filter.ts';

describe('KeyFilter', () => {
  it('never answers "absent" for a key that went in', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'grapheme', maxLength: 40 }), { maxLength: 300 }), fc.integer({ min: 1, max: 5000 }), (keys, capacity) => {
        const f = new KeyFilter(capacity);
        for (const k of keys) f.add(k);
        return keys.every((k) => f.mightHave(k)) && f.count === keys.length;
      }),
    );
  });

  it('says "maybe" for about 1 % of keys it never saw, at its capacity', () => {
    const capacity = 100_000;
    const f = new KeyFilter(capacity);
    for (let i = 0; i < capacity; i++) f.add(`K${i}-${(i * 7919) % 29}`);
    let maybe = 0;
    const trials = 100_000;
    for (let i = 0; i < trials; i++) if (f.mightHave(`other-${i}`)) maybe++;
    // A filter that answered "maybe" always, or hashed badly, would be far above this.
    expect(maybe / trials).toBeLessThan(0.02);
  });
});
