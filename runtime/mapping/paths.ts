// Source paths of the mapping language, compiled once into getters. A path is read from the
// source record (`$`), from the current item of an `each` (`@`, the default inside a block), or
// is the item's 1-based position (`$index`):  consultation.startTime, $.child.birthDate,
// personnel[0].hpr, @, $index.

export type Getter = (root: unknown, item: unknown, index: number) => unknown;

export interface ParsedPath {
  /** Where the path starts. */
  base: 'root' | 'item' | 'index';
  /** Property names and array indices after the base. */
  segments: (string | number)[];
  text: string;
}

const SEGMENT = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** Parses a path, or returns an error message. */
export function parsePath(text: string): ParsedPath | string {
  const t = text.trim();
  if (!t) return 'empty path';
  if (t === '$index') return { base: 'index', segments: [], text: t };
  let base: ParsedPath['base'] = 'item';
  let rest = t;
  if (t === '$' || t.startsWith('$.') || t.startsWith('$[')) {
    base = 'root';
    rest = t.slice(1);
  } else if (t === '@' || t.startsWith('@.') || t.startsWith('@[')) {
    rest = t.slice(1);
  } else {
    rest = `.${t}`;
  }
  const segments: (string | number)[] = [];
  const re = /\.([^.[\]]+)|\[(\d+)\]/y;
  let i = 0;
  while (i < rest.length) {
    re.lastIndex = i;
    const m = re.exec(rest);
    if (!m) return `cannot read path "${t}" at "${rest.slice(i)}"`;
    if (m[1] !== undefined) {
      if (!SEGMENT.test(m[1])) return `"${m[1]}" is not a field name in path "${t}"`;
      // Names every object inherits could reach Object.prototype; refusing them here lets the
      // getters read properties directly, with no own-property check per record.
      if (m[1] in Object.prototype || m[1] === '__proto__') return `"${m[1]}" cannot be a field name (it is a name every object has)`;
      segments.push(m[1]);
    } else segments.push(Number(m[2]));
    i = re.lastIndex;
  }
  return { base, segments, text: t };
}

function step(v: unknown, s: string | number): unknown {
  if (v === null || typeof v !== 'object') return undefined;
  if (typeof s === 'number') return Array.isArray(v) ? v[s] : undefined;
  return (v as Record<string, unknown>)[s];
}

/** A getter specialised for the path's length, so a record is read with no loop and no parsing. */
export function compilePath(p: ParsedPath): Getter {
  if (p.base === 'index') return (_r, _i, index) => index;
  const segs = p.segments;
  const fromRoot = p.base === 'root';
  switch (segs.length) {
    case 0:
      return fromRoot ? (r) => r : (_r, i) => i;
    case 1: {
      const [a] = segs;
      return fromRoot ? (r) => step(r, a) : (_r, i) => step(i, a);
    }
    case 2: {
      const [a, b] = segs;
      return fromRoot ? (r) => step(step(r, a), b) : (_r, i) => step(step(i, a), b);
    }
    case 3: {
      const [a, b, c] = segs;
      return fromRoot ? (r) => step(step(step(r, a), b), c) : (_r, i) => step(step(step(i, a), b), c);
    }
    default:
      return (r, i) => {
        let v: unknown = fromRoot ? r : i;
        for (const s of segs) v = step(v, s);
        return v;
      };
  }
}
