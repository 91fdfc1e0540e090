// Splice: pre-written elements copied into a document as bytes. The judge is Buffer.from of the
// document with each element written into it as text.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SerialisedElement, Splice } from '../../runtime/xml/write.ts';

const el = (xml: string) => new SerialisedElement('K', xml);

describe('Splice', () => {
  it('gives the UTF-8 of the document with every element in its place, whatever the order', () => {
    // Text that XML can carry (no U+0001), with multi-byte and astral characters.
    const text = fc
      .string({ unit: fc.oneof(fc.constantFrom('a', '<', 'ø', 'Å', '€', '😀', ' '), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })) })
      .map((s) => s.replace(/\u0001/g, ''));
    fc.assert(
      fc.property(fc.array(text), fc.array(text, { minLength: 1 }), fc.infiniteStream(fc.nat()), (elements, between, order) => {
        const splice = new Splice();
        const marks = elements.map((x) => splice.hold(el(x)).xml);
        // The writer may place held elements in any order: shuffle them.
        const placed = elements.map((_, i) => i).sort((a, b) => ((order.next().value as number) % 3) - 1 || a - b);
        let doc = '';
        let whole = '';
        placed.forEach((i, k) => {
          doc += between[k % between.length] + marks[i];
          whole += between[k % between.length] + elements[i];
        });
        doc += between[0];
        whole += between[0];
        expect(splice.bytes(doc).equals(Buffer.from(whole, 'utf8'))).toBe(true);
      }),
      { numRuns: 300, seed: 7 },
    );
  });

  it('refuses a document whose stand-ins do not match what it holds', () => {
    const splice = new Splice();
    const a = splice.hold(el('<K/>')).xml;
    const b = splice.hold(el('<K a="1"/>')).xml;
    expect(() => splice.bytes(`<M>${a}</M>`)).toThrow(/has no stand-in/);
    expect(() => splice.bytes(`<M>${a}${a}${b}</M>`)).toThrow(/placed twice/);
    expect(() => splice.bytes(`<M>${a}${b}\u00017\u0001</M>`)).toThrow(/unknown/);
    expect(() => splice.bytes(`<M>${a}${b}\u0001</M>`)).toThrow(/no stand-in|unknown/);
    expect(splice.bytes(`<M>${b}${a}</M>`).toString('utf8')).toBe('<M><K a="1"/><K/></M>');
  });
});
