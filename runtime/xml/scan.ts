// The fast path of fromXml: a scanner for what the messages are — one namespace, declared on the
// root as the default; elements that carry attributes and child elements and no text. It walks
// the string with charCodeAt, copies attribute values without `& < tab LF CR` or surrogates as
// they are, and builds the same JSON form as saxes's path in read.ts, keys in the same order.
// Bytes are scanned read as Latin-1, and only attribute values outside ASCII decoded as UTF-8.
//
// It is sure of a document, or it gives up: it returns undefined at the first thing that is an
// error or that it does not read itself (comments, CDATA, processing instructions other than the
// XML declaration, a DOCTYPE, prefixes, entity or character references it does not know, a
// namespace declaration other than the message's, names outside ASCII), and read.ts then gives
// the document to saxes, which reads it from the start and raises the error. So errors never
// come from here, and what it accepts is a subset of what saxes accepts: strict XML 1.0
// (balanced tags, quoted attributes, whitespace between attributes, no duplicates, only
// characters XML 1.0 can carry) in the message's namespace, in XSD order.

import { XML_NS, XMLNS_NS, xsdInteger, type MessageShape } from './shape.ts';

// Names are found by comparing the document with the class's list in place, from where the last
// one was found (documents list attributes in spec order and children in XSD order), so no
// string is cut out for a name, and the object keys are the tables' own strings.
interface ScanClass {
  /** The element's name (a child's class is the class of its element name). */
  name: string;
  /** Attributes in spec order, and which of them are integers. */
  attributes: string[];
  integer: boolean[];
  /** Children in XSD sequence order (the index is the sequence position). */
  children: string[];
  array: boolean[];
  classes: ScanClass[];
  /** false: names this scanner does not read, or a child named as an attribute; saxes reads the document. */
  ok: boolean;
}

// Names are compared with the tables, so only the tables' names need be valid XML names; these
// are, and their characters are NameChars, so a scanned name ends where saxes's would.
const ASCII_NCNAME = /^[A-Za-z_][A-Za-z0-9._-]*$/;
const NAME_CHAR = new Uint8Array(128);
for (let c = 0; c < 128; c++) NAME_CHAR[c] = /[A-Za-z0-9._-]/.test(String.fromCharCode(c)) ? 1 : 0;

// The declaration as XML 1.0 writes it, version 1.0 only (1.1 has other character rules).
const S = '[ \\t\\r\\n]';
const DECLARATION = new RegExp(
  `<\\?xml${S}+version${S}*=${S}*(["'])1\\.0\\1` + `(?:${S}+encoding${S}*=${S}*(["'])[A-Za-z][A-Za-z0-9._-]*\\2)?` + `(?:${S}+standalone${S}*=${S}*(["'])(?:yes|no)\\3)?${S}*\\?>`,
  'y',
);

const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const DQUOTE = 0x22;
const AMP = 0x26;
const SQUOTE = 0x27;
const SLASH = 0x2f;
const LT = 0x3c;
const EQ = 0x3d;
const GT = 0x3e;
const QUESTION = 0x3f;

const PREDEFINED: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** XML 1.0 production Char. */
function isXmlChar(c: number): boolean {
  return c === TAB || c === LF || c === CR || (c >= 0x20 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd) || (c >= 0x10000 && c <= 0x10ffff);
}

/** What a reference between & and ; stands for, or undefined for one this scanner does not read. */
function reference(name: string): string | undefined {
  if (name.charCodeAt(0) !== 0x23) return Object.hasOwn(PREDEFINED, name) ? PREDEFINED[name] : undefined;
  // Up to 6 digits: enough for every character, and no large numbers to round.
  const hex = name.charCodeAt(1) === 0x78; // saxes takes a lower-case x only
  const digits = name.slice(hex ? 2 : 1);
  if (digits.length === 0 || digits.length > 6 || !(hex ? /^[0-9a-fA-F]+$/ : /^[0-9]+$/).test(digits)) return undefined;
  const c = parseInt(digits, hex ? 16 : 10);
  return isXmlChar(c) ? String.fromCodePoint(c) : undefined;
}

/**
 * The value of an attribute between `from` and `to` (the closing quote) that holds one of
 * `& < tab LF CR`, a control or a surrogate: references replaced, whitespace normalised to spaces
 * (CR LF as one), as XML 1.0 says. Undefined for what is an error or not read here.
 */
function slowValue(xml: string, from: number, to: number): string | undefined {
  let out = '';
  let start = from;
  for (let k = from; k < to; k++) {
    const c = xml.charCodeAt(k);
    if (c >= SPACE && c < 0xd800 && c !== AMP && c !== LT) continue;
    let rep: string | undefined;
    const at = k;
    if (c === AMP) {
      const semi = xml.indexOf(';', k + 1);
      if (semi < 0 || semi >= to) return undefined;
      rep = reference(xml.slice(k + 1, semi));
      if (rep === undefined) return undefined;
      k = semi;
    } else if (c === TAB || c === LF) {
      rep = ' ';
    } else if (c === CR) {
      rep = ' ';
      if (xml.charCodeAt(k + 1) === LF) k++;
    } else if (c >= 0xd800 && c <= 0xdbff) {
      const d = xml.charCodeAt(k + 1);
      // A pair is one character outside the BMP; a lone surrogate is left to saxes.
      if (k + 1 < to && d >= 0xdc00 && d <= 0xdfff) {
        k++;
        continue;
      }
      return undefined;
    } else if (c >= 0xe000 && c <= 0xfffd) {
      continue;
    } else {
      return undefined; // <, a C0 control, a lone low surrogate, U+FFFE, U+FFFF
    }
    out += xml.slice(start, at) + rep;
    start = k + 1;
  }
  return out + xml.slice(start, to);
}

// ignoreBOM: a U+FEFF at the start of a value is part of the value (the document's own mark is
// skipped by the scanner, before the first tag).
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const NOT_ASCII = /[\u0080-\u00ff]/;

/**
 * An attribute value of a document read as Latin-1 (one character per byte): its bytes decoded
 * as UTF-8, then as slowValue reads it. Undefined for bytes that are not UTF-8 (saxes's path
 * decodes the whole document and says so) and for what slowValue leaves to saxes.
 */
function latin1Value(xml: string, from: number, to: number): string | undefined {
  let value = xml.slice(from, to);
  if (NOT_ASCII.test(value)) {
    try {
      value = UTF8.decode(Buffer.from(value, 'latin1'));
    } catch {
      return undefined;
    }
  }
  return slowValue(value, 0, value.length);
}

function compileClasses(shape: MessageShape): Map<string, ScanClass> | undefined {
  const out = new Map<string, ScanClass>();
  for (const [name, c] of Object.entries(shape.classes)) {
    const attributes = c.attributes.map(([a]) => a);
    const children = c.children.map(([e]) => e);
    const all = [name, ...attributes, ...children];
    out.set(name, {
      name,
      attributes,
      integer: c.attributes.map(([, kind]) => kind === 'integer'),
      children,
      array: c.children.map(([, array]) => array),
      classes: [],
      ok:
        all.every((n) => ASCII_NCNAME.test(n)) &&
        new Set(attributes).size === attributes.length &&
        new Set(children).size === children.length &&
        !attributes.includes('xmlns') &&
        !children.some((e) => attributes.includes(e)),
    });
  }
  for (const [name, c] of Object.entries(shape.classes)) {
    const cls = out.get(name)!;
    for (const [e] of c.children) {
      const child = out.get(e);
      if (child) cls.classes.push(child);
      else cls.ok = false;
    }
  }
  return out.has(shape.root) ? out : undefined;
}

/** Index of the name in `names` that the document holds between `a` and `j`, searching `from` to `to`; -1 if none. */
function find(names: string[], from: number, to: number, xml: string, a: number, j: number): number {
  const n = j - a;
  outer: for (let k = from; k < to; k++) {
    const name = names[k];
    if (name.length !== n) continue;
    for (let x = 0; x < n; x++) if (name.charCodeAt(x) !== xml.charCodeAt(a + x)) continue outer;
    return k;
  }
  return -1;
}

/**
 * The scanner for one message, or undefined when its namespace is one saxes treats specially
 * (then every document goes to saxes). The scanner returns the JSON form, or undefined to leave
 * the document to saxes.
 */
export function compileScanner<T>(shape: MessageShape): ((xml: string, latin1?: boolean) => T | undefined) | undefined {
  const ns = shape.namespace;
  // saxes trims a namespace declaration's value and refuses these two as the default namespace.
  if (ns === '' || ns !== ns.trim() || ns === XML_NS || ns === XMLNS_NS) return undefined;
  const classes = compileClasses(shape);
  if (!classes) return undefined;
  const rootName = shape.root;
  const root = classes.get(rootName)!;
  if (!root.ok) return undefined;

  /**
   * `latin1`: `xml` is the document's UTF-8 bytes read as Latin-1, one character per byte, which
   * is several times cheaper than decoding them. Markup is ASCII either way; attribute values
   * with a byte above 0x7F are decoded as UTF-8 on their own (latin1Value).
   */
  return function scan(xml: string, latin1 = false): T | undefined {
    const len = xml.length;
    // The byte order mark: U+FEFF, or its three UTF-8 bytes.
    let i = latin1 ? (xml.startsWith('\u00ef\u00bb\u00bf') ? 3 : 0) : xml.charCodeAt(0) === 0xfeff ? 1 : 0;
    const high = latin1 ? 0x80 : 0xd800;
    if (xml.charCodeAt(i) === LT && xml.charCodeAt(i + 1) === QUESTION) {
      DECLARATION.lastIndex = i;
      if (!DECLARATION.test(xml)) return undefined;
      i = DECLARATION.lastIndex;
    }
    let c = xml.charCodeAt(i);
    while (c === SPACE || c === LF || c === CR || c === TAB) c = xml.charCodeAt(++i);
    if (c !== LT) return undefined;

    // The open elements: object, class (and so name), sequence position of the last child.
    const objs: Record<string, unknown>[] = [];
    const clss: ScanClass[] = [];
    const seqs: number[] = [];
    let depth = 0;
    let result: Record<string, unknown> | undefined;

    // At the top of the loop xml[i] is the < of a tag inside (or starting) the root.
    for (;;) {
      c = xml.charCodeAt(i + 1);
      if (c === SLASH) {
        if (depth === 0) return undefined;
        const name = clss[depth - 1].name;
        if (!xml.startsWith(name, i + 2)) return undefined;
        i += 2 + name.length;
        c = xml.charCodeAt(i);
        while (c === SPACE || c === LF || c === CR || c === TAB) c = xml.charCodeAt(++i);
        if (c !== GT) return undefined;
        i++;
        if (--depth === 0) break;
      } else {
        let j = i + 1;
        while (c < 128 && NAME_CHAR[c] === 1) c = xml.charCodeAt(++j);
        const obj: Record<string, unknown> = {};
        let cls: ScanClass;
        if (depth === 0) {
          if (j - i - 1 !== rootName.length || !xml.startsWith(rootName, i + 1)) return undefined;
          cls = root;
          result = obj;
        } else {
          const p = depth - 1;
          const pc = clss[p];
          // Only at or after the last child's place: anything else is unknown or out of order.
          const seq = find(pc.children, Math.max(seqs[p], 0), pc.children.length, xml, i + 1, j);
          if (seq < 0) return undefined;
          cls = pc.classes[seq];
          if (!cls.ok) return undefined;
          const name = cls.name;
          const parent = objs[p];
          if (pc.array[seq]) {
            const arr = parent[name] as Record<string, unknown>[] | undefined;
            if (arr === undefined) parent[name] = [obj];
            else arr.push(obj);
          } else {
            if (parent[name] !== undefined) return undefined;
            parent[name] = obj;
          }
          seqs[p] = seq;
        }
        // Attributes: each after whitespace; then > or />.
        let declared = false;
        let selfClosing: boolean;
        const attributes = cls.attributes;
        const count = attributes.length;
        let next = 0;
        for (;;) {
          let space = false;
          while (c === SPACE || c === LF || c === CR || c === TAB) {
            c = xml.charCodeAt(++j);
            space = true;
          }
          if (c === GT) {
            selfClosing = false;
            j++;
            break;
          }
          if (c === SLASH) {
            if (xml.charCodeAt(j + 1) !== GT) return undefined;
            selfClosing = true;
            j += 2;
            break;
          }
          if (!space) return undefined;
          let k = -1;
          // Most often the name is the next one in spec order: compared where it stands.
          if (next < count) {
            const want = attributes[next];
            const e = j + want.length;
            c = xml.charCodeAt(e);
            if ((c === EQ || c === SPACE || c === LF || c === CR || c === TAB) && xml.startsWith(want, j)) {
              k = next;
              j = e;
            } else {
              c = xml.charCodeAt(j);
            }
          }
          if (k < 0) {
            const a = j;
            while (c < 128 && NAME_CHAR[c] === 1) c = xml.charCodeAt(++j);
            k = find(attributes, next, count, xml, a, j);
            if (k < 0) k = find(attributes, 0, next, xml, a, j);
            // -1: xmlns (checked below), or a name the class does not have.
            if (k < 0 && (j - a !== 5 || !xml.startsWith('xmlns', a))) return undefined;
          }
          while (c === SPACE || c === LF || c === CR || c === TAB) c = xml.charCodeAt(++j);
          if (c !== EQ) return undefined;
          c = xml.charCodeAt(++j);
          while (c === SPACE || c === LF || c === CR || c === TAB) c = xml.charCodeAt(++j);
          if (c !== DQUOTE && c !== SQUOTE) return undefined;
          const q = c;
          const from = ++j;
          let plain = true;
          for (; j < len; j++) {
            c = xml.charCodeAt(j);
            if (c === q) break;
            if (c < EQ ? c === AMP || c === LT || c < SPACE : c >= high) plain = false;
          }
          if (j >= len) return undefined;
          const value = plain ? xml.slice(from, j) : latin1 ? latin1Value(xml, from, j) : slowValue(xml, from, j);
          if (value === undefined) return undefined;
          c = xml.charCodeAt(++j);
          if (k < 0) {
            // Only the message's namespace, as the default, once; saxes reads anything else.
            if (declared || value !== ns) return undefined;
            declared = true;
          } else {
            const an = attributes[k];
            if (obj[an] !== undefined) return undefined;
            if (cls.integer[k]) {
              const n = xsdInteger(value);
              if (n === undefined) return undefined;
              obj[an] = n;
            } else {
              obj[an] = value;
            }
            next = k + 1;
          }
        }
        if (depth === 0 && !declared) return undefined;
        i = j;
        if (selfClosing) {
          if (depth === 0) break;
        } else {
          objs[depth] = obj;
          clss[depth] = cls;
          seqs[depth] = -1;
          depth++;
        }
      }
      // Between tags inside the root: whitespace only.
      c = xml.charCodeAt(i);
      while (c === SPACE || c === LF || c === CR || c === TAB) c = xml.charCodeAt(++i);
      if (c !== LT) return undefined;
    }
    // After the root: whitespace only, up to the end.
    c = xml.charCodeAt(i);
    while (c === SPACE || c === LF || c === CR || c === TAB) c = xml.charCodeAt(++i);
    return i === len ? (result as T) : undefined;
  };
}
