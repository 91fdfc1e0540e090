// Helpers the generated serialisers (`generated/<m>/<v>/xml.ts`, `toXml`) call for every
// attribute and child. They are small so V8 inlines them; the error path is kept out of the
// way: an error is raised with the attribute's name and located on the way up (`$within`),
// so no JSON path is built while serialising valid data.

import { escapeAttribute } from './chars.ts';
import { XmlCodecError } from './errors.ts';

export { XmlCodecError } from './errors.ts';

/**
 * What a wrong value is, without the value itself: errors get logged, and a misplaced value can
 * be a national identity number.
 */
function show(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `a string (${v.length} characters)`;
  if (typeof v === 'number') return 'a number';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

/** A string attribute's value, escaped for a double-quoted attribute. */
export function $str(v: unknown, name: string): string {
  if (typeof v !== 'string') throw new XmlCodecError(`attribute ${name} must be a string, got ${show(v)}`, { path: `/${name}`, attribute: name });
  const r = escapeAttribute(v);
  if (typeof r === 'string') return r;
  throw new XmlCodecError(`attribute ${name} ${r.describe()}`, { path: `/${name}`, attribute: name });
}

/** An integer attribute's value in XSD integer syntax (plain digits, never an exponent). */
export function $int(v: unknown, name: string): string {
  if (typeof v === 'number' && Number.isSafeInteger(v)) return `${v}`;
  const got = typeof v !== 'number' ? show(v) : Number.isInteger(v) ? 'an integer beyond 2^53-1' : Number.isFinite(v) ? 'a number with a fraction' : String(v);
  throw new XmlCodecError(`attribute ${name} must be an integer (a JSON number without fraction, at most 2^53-1), got ${got}`, {
    path: `/${name}`,
    attribute: name,
  });
}

/** A required attribute or child is absent. */
export function $missing(name: string, what: 'attribute' | 'element'): XmlCodecError {
  return new XmlCodecError(`required ${what} ${name} is missing`, what === 'attribute' ? { path: `/${name}`, attribute: name } : { path: `/${name}` });
}

/** The value where an element's object belongs is not an object. */
export function $notObject(v: unknown, name: string): XmlCodecError {
  return new XmlCodecError(`${name} must be an object, got ${show(v)}`);
}

/** An array child is not an array, or has too few or too many items. */
export function $badArray(v: unknown, name: string, min: number, max: number | null): XmlCodecError {
  const n = Array.isArray(v) ? `${v.length} item(s)` : show(v);
  const want = max === null ? `at least ${min}` : `${min} to ${max}`;
  return new XmlCodecError(`${name} must be an array of ${want} item(s), got ${n}`, { path: `/${name}` });
}

/**
 * Locate an error raised inside child `name` (item `index` for arrays) by prefixing the JSON
 * path. Anything that is not an XmlCodecError (a bug, or a getter that throws) is wrapped.
 */
export function $within(e: unknown, name: string, index?: number): XmlCodecError {
  const seg = index === undefined ? `/${name}` : `/${name}/${index}`;
  if (e instanceof XmlCodecError) {
    e.path = seg + e.path;
    e.message = e.describe();
    return e;
  }
  const err = new XmlCodecError(`cannot serialise: ${e instanceof Error ? e.message : String(e)}`, { path: seg });
  (err as Error & { cause?: unknown }).cause = e;
  return err;
}

/** The error toXml throws: XmlCodecErrors as they are, anything else wrapped at the root. */
export function $root(e: unknown): XmlCodecError {
  if (e instanceof XmlCodecError) return e;
  const err = new XmlCodecError(`cannot serialise: ${e instanceof Error ? e.message : String(e)}`);
  (err as Error & { cause?: unknown }).cause = e;
  return err;
}

/**
 * An element already written by the same codec (its `elementToXml`), standing where the element's
 * object would: the writer takes its XML as it is. Lets the mapping worker write each Konsultasjon
 * on its own thread, so the thread that assembles the Melding only concatenates.
 */
export class SerialisedElement {
  constructor(
    readonly element: string,
    readonly xml: string,
  ) {}
}

/** Opens and closes a stand-in's number: U+0001 is no XML character, so no written value holds it. */
const MARK = '\u0001';

/**
 * A document's UTF-8 bytes with pre-written elements copied in as they are. `hold` gives a
 * stand-in that the writer places where the element goes; `bytes` then encodes the document
 * around the stand-ins and each element on its own. Why: a Melding written with its elements in
 * it is a rope of thousands of strings, and encoding that costs several times as much as
 * encoding the flat strings it is made of (figures: docs/operations.md, "Measured").
 */
export class Splice {
  private readonly held: string[] = [];

  hold(el: SerialisedElement): SerialisedElement {
    this.held.push(el.xml);
    return new SerialisedElement(el.element, MARK + (this.held.length - 1) + MARK);
  }

  bytes(doc: string): Buffer {
    // Text, number, text, number, ..., text; each stand-in exactly once (the writer may order
    // elements differently from the order they were held in).
    const segs = doc.split(MARK);
    const used = new Uint8Array(this.held.length);
    let size = 0;
    for (let i = 0; i < segs.length; i++) {
      if (i % 2 === 1) {
        const n = Number(segs[i]);
        if (String(n) !== segs[i] || n >= used.length || used[n]++) throw new Error(`splice: stand-in ${segs[i]} is unknown or placed twice`);
        segs[i] = this.held[n]!;
      }
      size += Buffer.byteLength(segs[i]!, 'utf8');
    }
    if (segs.length % 2 === 0 || used.includes(0)) throw new Error('splice: a held element has no stand-in in the document');
    const out = Buffer.allocUnsafe(size);
    let at = 0;
    for (const seg of segs) at += out.write(seg, at, 'utf8');
    return out;
  }
}

/** The XML of a pre-written element, if `o` is one; it must be the element the writer writes. */
export function $written(o: unknown, element: string): string | undefined {
  if (!(o instanceof SerialisedElement)) return undefined;
  if (o.element !== element) throw new XmlCodecError(`a written ${o.element} element stands where ${element} belongs`);
  return o.xml;
}

/** elementToXml of a generated codec: `writers` holds its writer of each element below the root. */
export function $writeElement(writers: Readonly<Record<string, (o: never) => string>>, element: string, value: unknown): SerialisedElement {
  const w = writers[element];
  if (!w) throw new Error(`no element ${element} below the root`);
  try {
    return new SerialisedElement(element, w(value as never));
  } catch (e) {
    throw $within(e, element);
  }
}
