// The transforms of the mapping language: each is built once from its arguments into a plain
// function, and declares what value types it takes and gives so the checker can catch a
// missing `utc-to-local` before any record is read. A transform that cannot convert a value
// throws TransformError; the record is then rejected with rule REC1102 (transform-failed), naming the transform.

import { hash } from 'node:crypto';
import { num4 } from '../time/civil.ts';
import { utcToOslo } from '../time/oslo.ts';

/**
 * Value types as the checker sees them. `instant` is a date-time with a zone (the source's UTC
 * timestamps), `localDateTime` the message's zone-less `YYYY-MM-DDTHH:MM:SS`, `date` a plain date.
 */
export type ValueType = 'any' | 'string' | 'instant' | 'localDateTime' | 'date' | 'number' | 'integer' | 'boolean' | 'array' | 'object';

export class TransformError extends Error {}

export type Fn = (v: unknown) => unknown;

type Arg = string | number;

interface TransformDef {
  /** Argument kinds, in order; a trailing `?` marks an optional one. */
  args: ('string' | 'number' | 'string?' | 'number?')[];
  takes: ValueType[];
  gives: ValueType | ((input: ValueType) => ValueType);
  doc: string;
  make(args: Arg[]): Fn;
}

/**
 * GUIDs each generation of uuid5's cache holds: about 15 MB when full, enough that the children
 * of a large municipality (whose records come back every few months) stay in the newer one.
 */
const UUID5_GENERATION = 100_000;

/** Default namespace of uuid5: fixed, so the same source value always gives the same GUID. */
export const KPR_KIT_NAMESPACE = '6f1c1d2e-4b7a-5c3d-9e8f-0a1b2c3d4e5f';

const STRINGY: ValueType[] = ['string', 'instant', 'localDateTime', 'date'];
const NUMERIC: ValueType[] = ['number', 'integer'];
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const LOCAL_DT = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}(?::\d{2})?)(\.\d+)?$/;
const INTEGER_TEXT = /^[+-]?\d+$/;
const NUMBER_TEXT = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

function str(name: string, v: unknown): string {
  if (typeof v !== 'string') throw new TransformError(`${name} needs a text, got ${typeof v}`);
  return v;
}

/**
 * String(v), but for numbers with one to three decimals (measurements: 78.9 cm, 10.515 kg) made
 * from the decimal digits instead of V8's general shortest-digits conversion, which costs several
 * times more. The same text: if m / 10^d is v, the decimal m·10^-d rounds to v, and below 10^9
 * no other decimal of at most d places, nor of fewer digits, lies within v's rounding interval,
 * so it is the shortest that does, which is what String writes.
 */
function numberText(v: number): string {
  if (v > -1e9 && v < 1e9 && !Number.isInteger(v)) {
    const a = v < 0 ? -v : v;
    for (let d = 1, f = 10; d <= 3; d++, f *= 10) {
      const m = Math.round(a * f);
      if (m / f === a) {
        const frac = m % f;
        return `${(v < 0 ? '-' : '') + String((m - frac) / f)}.${String(frac).padStart(d, '0')}`;
      }
    }
  }
  return String(v);
}

function num(name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new TransformError(`${name} needs a number, got ${JSON.stringify(v)}`);
  return v;
}

function scale(name: string, factor: number): TransformDef {
  return {
    args: [],
    takes: NUMERIC,
    gives: 'number',
    doc: `multiplies by ${factor}`,
    make: () => (v) => {
      const x = num(name, v) * factor;
      // Keep decimal results readable: 12345 g → 12.345 kg, not 12.345000000000001.
      return Math.round(x * 1e9) / 1e9;
    },
  };
}

export const TRANSFORMS: Record<string, TransformDef> = {
  trim: { args: [], takes: STRINGY, gives: (t) => t, doc: 'removes leading and trailing white space', make: () => (v) => str('trim', v).trim() },
  upper: { args: [], takes: STRINGY, gives: 'string', doc: 'upper case', make: () => (v) => str('upper', v).toUpperCase() },
  lower: { args: [], takes: STRINGY, gives: 'string', doc: 'lower case', make: () => (v) => str('lower', v).toLowerCase() },
  digits: { args: [], takes: STRINGY, gives: 'string', doc: 'keeps only the digits (spaces and dashes in numbers)', make: () => (v) => str('digits', v).replace(/\D+/g, '') },
  'utc-to-local': {
    args: [],
    takes: ['instant', 'string'],
    gives: 'localDateTime',
    doc: 'a UTC (or offset) timestamp to local Norwegian time YYYY-MM-DDTHH:MM:SS (Europe/Oslo, summer time included)',
    make: () => (v) => {
      const out = utcToOslo(str('utc-to-local', v));
      if (out === undefined) throw new TransformError(`"${v}" is not a timestamp with a time zone`);
      return out;
    },
  },
  'local-date': {
    args: [],
    takes: ['instant', 'string'],
    gives: 'date',
    doc: 'the Norwegian calendar date of a UTC timestamp (utc-to-local, then date)',
    make: () => (v) => {
      const out = utcToOslo(str('local-date', v));
      if (out === undefined) throw new TransformError(`"${v}" is not a timestamp with a time zone`);
      return out.slice(0, 10);
    },
  },
  date: {
    args: [],
    takes: ['localDateTime', 'date', 'string'],
    gives: 'date',
    doc: 'the date part of a local date-time (YYYY-MM-DD)',
    make: () => (v) => {
      const s = str('date', v);
      const d = s.slice(0, 10);
      if (!DATE_ONLY.test(d) || (s.length > 10 && s[10] !== 'T')) throw new TransformError(`"${s}" is not a date`);
      return d;
    },
  },
  datetime: {
    args: [],
    takes: ['localDateTime', 'date', 'string'],
    gives: 'localDateTime',
    doc: 'a local date-time normalised to YYYY-MM-DDTHH:MM:SS (a date alone becomes midnight; fractions are dropped)',
    make: () => (v) => {
      const s = str('datetime', v);
      if (DATE_ONLY.test(s)) return `${s}T00:00:00`;
      const m = LOCAL_DT.exec(s);
      if (!m) throw new TransformError(`"${s}" is not a local date-time (no zone expected; use utc-to-local for UTC)`);
      return `${m[1]}T${m[2].length === 5 ? `${m[2]}:00` : m[2]}`;
    },
  },
  year: {
    args: [],
    takes: ['date', 'localDateTime', 'string'],
    gives: 'integer',
    doc: 'the year of a date as a number',
    make: () => (v) => {
      const s = str('year', v);
      // Four digits read as such: what /^\d{4}/ and Number(s.slice(0, 4)) say, without either.
      const year = num4(s, 0);
      if (year < 0) throw new TransformError(`"${s}" does not start with a year`);
      return year;
    },
  },
  integer: {
    args: [],
    takes: ['string', 'number', 'integer'],
    gives: 'integer',
    doc: 'a whole number from a text or a number (fails on fractions)',
    make: () => (v) => {
      if (typeof v === 'number' && Number.isInteger(v)) return v;
      if (typeof v === 'string' && INTEGER_TEXT.test(v.trim())) return Number(v.trim());
      throw new TransformError(`${JSON.stringify(v)} is not a whole number`);
    },
  },
  number: {
    args: [],
    takes: ['string', 'number', 'integer'],
    gives: 'number',
    doc: 'a number from a text (decimal point or comma)',
    make: () => (v) => {
      if (typeof v === 'number' && Number.isFinite(v)) return v;
      const t = typeof v === 'string' ? v.trim().replace(',', '.') : '';
      if (NUMBER_TEXT.test(t)) return Number(t);
      throw new TransformError(`${JSON.stringify(v)} is not a number`);
    },
  },
  string: {
    args: [],
    takes: ['any'],
    gives: 'string',
    doc: 'the value as text',
    make: () => (v) => {
      if (v === null || typeof v === 'object') throw new TransformError(`${JSON.stringify(v)} cannot be written as text`);
      return typeof v === 'number' ? numberText(v) : String(v);
    },
  },
  round: {
    args: ['number?'],
    takes: NUMERIC,
    gives: 'number',
    doc: 'rounds to n decimals (default 0, giving a whole number)',
    make: ([n = 0]) => {
      const f = 10 ** Number(n);
      return (v) => Math.round(num('round', v) * f) / f;
    },
  },
  fixed: {
    args: ['number'],
    takes: NUMERIC,
    gives: 'string',
    doc: 'a number as text with exactly n decimals (12.3 → "12.30" with fixed(2))',
    make:
      ([n]) =>
      (v) =>
        num('fixed', v).toFixed(Number(n)),
  },
  'grams-to-kg': scale('grams-to-kg', 0.001),
  'kg-to-grams': scale('kg-to-grams', 1000),
  'cm-to-m': scale('cm-to-m', 0.01),
  'm-to-cm': scale('m-to-cm', 100),
  'mm-to-cm': scale('mm-to-cm', 0.1),
  concat: {
    args: ['string?'],
    takes: ['array'],
    gives: 'string',
    doc: 'joins the values of a list of paths (`from: [a, b]`) with a separator, leaving out empty ones',
    make:
      ([sep = '']) =>
      (v) => {
        if (!Array.isArray(v)) throw new TransformError('concat needs a list of values (from: [a, b])');
        let out = '';
        let first = true;
        for (const x of v) {
          if (x === undefined || x === null || x === '') continue;
          if (typeof x === 'object') throw new TransformError(`concat cannot join ${JSON.stringify(x)}`);
          out += first ? String(x) : String(sep) + String(x);
          first = false;
        }
        return out;
      },
  },
  prefix: {
    args: ['string'],
    takes: STRINGY,
    gives: 'string',
    doc: 'puts a text in front',
    make:
      ([p]) =>
      (v) =>
        String(p) + str('prefix', v),
  },
  suffix: {
    args: ['string'],
    takes: STRINGY,
    gives: 'string',
    doc: 'puts a text after',
    make:
      ([p]) =>
      (v) =>
        str('suffix', v) + String(p),
  },
  truncate: {
    args: ['number'],
    takes: STRINGY,
    gives: 'string',
    doc: 'keeps at most n characters (for "Streng max n tegn" fields)',
    make:
      ([n]) =>
      (v) =>
        str('truncate', v).slice(0, Number(n)),
  },
  uuid5: {
    args: ['string?'],
    takes: ['any'],
    gives: 'string',
    doc: "a stable GUID made from the value (RFC 9562 name-based UUID, version 5), e.g. pasientGUID from the EPJ's patient id; the optional argument is the namespace UUID",
    make: ([ns = KPR_KIT_NAMESPACE]) => {
      const nsBytes = Buffer.from(String(ns).replace(/[{}-]/g, ''), 'hex');
      if (nsBytes.length !== 16) throw new TransformError(`uuid5: namespace ${ns} is not a UUID`);
      // The same patient comes back in many records, months apart: remember recent GUIDs in two
      // generations (a GUID used in the older one moves to the newer), in bounded memory.
      let cur = new Map<string, string>();
      let old = new Map<string, string>();
      let input = Buffer.alloc(64);
      nsBytes.copy(input);
      const guid = (key: string): string => {
        if (input.length < 16 + 3 * key.length) {
          input = Buffer.alloc(16 + 3 * key.length);
          nsBytes.copy(input);
        }
        const data = input.subarray(0, 16 + input.write(key, 16, 'utf8'));
        // The digest as hex (cheaper to get than as bytes), then the version (5) in the high
        // half of byte 6 and the variant (binary 10) in the top bits of byte 8.
        // One-shot hashing: much cheaper per call than a Hash object.
        const x = hash('sha1', data, 'hex');
        return `${x.slice(0, 8)}-${x.slice(8, 12)}-5${x.slice(13, 16)}-${'89ab'[parseInt(x[16], 16) & 3]}${x.slice(17, 20)}-${x.slice(20, 32)}`;
      };
      return (v) => {
        if (v === null || typeof v === 'object') throw new TransformError(`uuid5 needs a text or number, got ${JSON.stringify(v)}`);
        const key = String(v);
        let out = cur.get(key);
        if (out !== undefined) return out;
        out = old.get(key) ?? guid(key);
        if (cur.size >= UUID5_GENERATION) {
          old = cur;
          cur = new Map();
        }
        cur.set(key, out);
        return out;
      };
    },
  },
  count: { args: [], takes: ['array'], gives: 'integer', doc: 'the number of items of a list', make: () => (v) => (Array.isArray(v) ? v.length : 0) },
};

export interface TransformStep {
  name: string;
  args: Arg[];
  fn: Fn;
  def: TransformDef;
}

/** Parses `name` or `name(arg, 'text', 2)`; returns an error message when it cannot. */
export function parseTransform(text: string): TransformStep | string {
  const m = /^\s*([a-z][a-z0-9-]*)\s*(?:\((.*)\))?\s*$/.exec(text);
  if (!m) return `cannot read transform "${text}"`;
  const [, name, argText] = m;
  const def = Object.hasOwn(TRANSFORMS, name) ? TRANSFORMS[name] : undefined;
  if (!def) return `unknown transform "${name}"; known: ${Object.keys(TRANSFORMS).join(', ')}`;
  const args: Arg[] = [];
  if (argText !== undefined && argText.trim() !== '') {
    const re = /\s*(?:'([^']*)'|"([^"]*)"|(-?\d+(?:\.\d+)?)|([^,'"\s][^,]*?))\s*(?:,|$)/y;
    let i = 0;
    while (i < argText.length) {
      re.lastIndex = i;
      const a = re.exec(argText);
      if (!a || re.lastIndex === i) return `cannot read the arguments of ${name}: "${argText}"`;
      args.push(a[1] ?? a[2] ?? (a[3] !== undefined ? Number(a[3]) : a[4]));
      i = re.lastIndex;
    }
  }
  const min = def.args.filter((k) => !k.endsWith('?')).length;
  if (args.length < min || args.length > def.args.length) {
    return `${name} takes ${def.args.length === min ? min : `${min} to ${def.args.length}`} argument${def.args.length === 1 ? '' : 's'}, got ${args.length}`;
  }
  for (let k = 0; k < args.length; k++) {
    const want = def.args[k].replace('?', '');
    if (want === 'number' && typeof args[k] !== 'number') return `argument ${k + 1} of ${name} must be a number`;
    if (want === 'string') args[k] = String(args[k]);
  }
  try {
    return { name, args, fn: def.make(args), def };
  } catch (err) {
    return (err as Error).message;
  }
}

/** The type a transform gives for an input type, or an error message when it cannot take it. */
export function transformType(step: TransformStep, input: ValueType): { type: ValueType } | { error: string } {
  const { def } = step;
  if (input !== 'any' && !def.takes.includes('any') && !def.takes.includes(input)) {
    const hint = input === 'instant' && step.name === 'date' ? ' (a UTC timestamp: use local-date, or utc-to-local before date)' : '';
    return { error: `${step.name} takes ${def.takes.join(' or ')}, not ${input}${hint}` };
  }
  return { type: typeof def.gives === 'function' ? def.gives(input) : def.gives };
}
