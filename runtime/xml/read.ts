// The parser behind every generated `fromXml`, driven by the message's shape tables, which the
// generated code passes in. It builds the JSON form directly (arrays for maxOccurs > 1, objects
// for maxOccurs = 1, integers as numbers) and rejects what the JSON form cannot hold: another
// root or namespace, unknown elements and attributes, children out of XSD order, a second single
// child, text content, a DOCTYPE. Content rules (required attributes, codes, patterns) are the
// validator's job, not this one's.
//
// Two paths, one behaviour. A document is first given to the scanner (scan.ts), written for what
// the messages are: one namespace, elements that carry only attributes and child elements. It
// accepts only documents it is sure of and builds the same JSON form; anything else — an error
// of any kind, or anything unusual (comments, CDATA, processing instructions, prefixes, a
// DOCTYPE, references it does not know) — it leaves to saxes (strict, namespace-aware), below,
// which reads the document from the start. So every error is the one saxes's path raises, with
// its path, line and column, and the scanner is only ever a faster way to the same result.

import { SaxesParser, type SaxesTagNS } from 'saxes';
import { XmlCodecError } from './errors.ts';
import { compileScanner } from './scan.ts';
import { XMLNS_NS, XSI_NS, xsdInteger, type AttributeKind, type MessageShape } from './shape.ts';

export type { AttributeKind, ClassShape, MessageShape } from './shape.ts';

const NOT_SPACE = /[^ \t\r\n]/;

interface Compiled {
  name: string;
  attributes: Map<string, AttributeKind>;
  unused: Set<string>;
  children: Map<string, { seq: number; array: boolean }>;
  order: string;
}

interface Frame {
  cls: Compiled;
  obj: Record<string, unknown>;
  /** The element's name and its index in the parent's array (-1: a single child, or the root). */
  name: string;
  index: number;
  /** Sequence position of the last child seen, for the order check. */
  seq: number;
}

/** JSON pointer of the innermost open element, built only when an error needs it. */
function pointer(stack: Frame[]): string {
  let p = '';
  for (let i = 1; i < stack.length; i++) p += stack[i].index < 0 ? `/${stack[i].name}` : `/${stack[i].name}/${stack[i].index}`;
  return p;
}

function compile(shape: MessageShape): Map<string, Compiled> {
  const out = new Map<string, Compiled>();
  for (const [name, c] of Object.entries(shape.classes)) {
    out.set(name, {
      name,
      attributes: new Map(c.attributes.map(([n, k]) => [n, k])),
      unused: new Set(c.unused ?? []),
      children: new Map(c.children.map(([n, array], seq) => [n, { seq, array }])),
      order: c.children.map(([n]) => n).join(', '),
    });
  }
  if (!out.has(shape.root)) throw new Error(`XML shape has no class for the root ${shape.root}`);
  return out;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Bytes are read as UTF-8 whatever the declaration says (what we and the receiver exchange is
 * UTF-8); bytes that are not UTF-8 are an error rather than a silent replacement character.
 */
function decode(xml: string | Uint8Array): string {
  if (typeof xml === 'string') return xml;
  if (!(xml instanceof Uint8Array)) throw new XmlCodecError('fromXml expects the XML document as a string or UTF-8 bytes');
  try {
    return UTF8.decode(xml);
  } catch {
    const declared = /^\s*<\?xml[^>]*encoding\s*=\s*["']([^"']+)["']/.exec(new TextDecoder('latin1').decode(xml.subarray(0, 200)))?.[1];
    throw new XmlCodecError(`the document is not UTF-8${declared ? ` (it declares ${declared})` : ''}: convert it to UTF-8 first`);
  }
}

/** saxes's path: any document, every error with its path, line and column. */
function compileSaxReader<T>(shape: MessageShape): (xml: string) => T {
  const classes = compile(shape);
  const root = classes.get(shape.root)!;
  const ns = shape.namespace;

  return function readSax(xml: string): T {
    const parser = new SaxesParser({ xmlns: true, position: true });
    const stack: Frame[] = [];
    let result: Record<string, unknown> | undefined;

    const fail = (detail: string, path: string, attribute?: string): never => {
      throw new XmlCodecError(detail, { path, attribute, line: parser.line, column: parser.column + 1 });
    };

    parser.on('error', (e) => {
      // saxes prefixes line:column; ours are kept as fields so the message says it once.
      const detail = e.message.replace(/^\d+:\d+: /, '');
      throw new XmlCodecError(`not well-formed XML: ${detail}`, { path: pointer(stack), line: parser.line, column: parser.column + 1 });
    });
    parser.on('doctype', () => fail('a DOCTYPE is not allowed', ''));
    parser.on('opentag', (tag: SaxesTagNS) => {
      const parent = stack.length ? stack[stack.length - 1] : undefined;
      if (tag.uri !== ns) {
        const got = tag.uri ? `namespace "${tag.uri}"` : 'no namespace';
        fail(`element <${tag.name}> is in ${got}, expected "${ns}"`, pointer(stack));
      }
      const obj: Record<string, unknown> = {};
      const local = tag.local;
      let cls: Compiled;
      let index = -1;
      if (!parent) {
        if (local !== shape.root) fail(`the root element is <${local}>, expected <${shape.root}>`, '');
        cls = root;
        result = obj;
      } else {
        const ch = parent.cls.children.get(local);
        if (ch === undefined) {
          const allowed = parent.cls.order ? `expected one of: ${parent.cls.order}` : 'it has no child elements';
          return fail(`unknown element <${local}> in <${parent.cls.name}>: ${allowed}`, pointer(stack));
        }
        if (ch.seq < parent.seq) fail(`<${local}> is out of order in <${parent.cls.name}>: the XSD sequence is ${parent.cls.order}`, pointer(stack));
        if (ch.array) {
          let arr = parent.obj[local] as unknown[] | undefined;
          if (arr === undefined) parent.obj[local] = arr = [];
          index = arr.length;
          arr.push(obj);
        } else {
          if (parent.obj[local] !== undefined) fail(`<${parent.cls.name}> may hold only one <${local}>`, pointer(stack));
          parent.obj[local] = obj;
        }
        parent.seq = ch.seq;
        cls = classes.get(local)!;
      }
      stack.push({ cls, obj, name: local, index, seq: -1 });
      const attrs = tag.attributes;
      for (const key in attrs) {
        const a = attrs[key];
        if (a.uri === '') {
          const kind = cls.attributes.get(a.local);
          if (kind === undefined) {
            const why = cls.unused.has(a.local) ? 'is not used in this message (prohibited or ignored)' : 'is unknown';
            fail(`attribute ${a.local} on <${cls.name}> ${why}`, `${pointer(stack)}/${a.local}`, a.local);
          }
          if (kind === 'integer') {
            const n = xsdInteger(a.value);
            if (n === undefined) {
              fail(`attribute ${a.local} on <${cls.name}> must be an integer (XSD integer syntax, at most 2^53-1)`, `${pointer(stack)}/${a.local}`, a.local);
            }
            obj[a.local] = n;
          } else {
            obj[a.local] = a.value;
          }
        } else if (a.uri !== XMLNS_NS && a.uri !== XSI_NS) {
          fail(`attribute ${a.name} on <${cls.name}> is in foreign namespace "${a.uri}"`, pointer(stack), a.name);
        }
      }
    });
    parser.on('closetag', () => {
      stack.pop();
    });
    const noText = (t: string): void => {
      if (stack.length && NOT_SPACE.test(t)) fail(`text is not allowed in <${stack[stack.length - 1].cls.name}>`, pointer(stack));
    };
    parser.on('text', noText);
    parser.on('cdata', noText);

    parser.write(xml).close();
    if (!result) throw new XmlCodecError(`no <${shape.root}> element found`);
    return result as T;
  };
}

/** The two paths apart, for the tests that hold them to the same results and for the benchmark. */
export function compileReaderPaths<T>(shape: MessageShape): { scan: ((xml: string, latin1?: boolean) => T | undefined) | undefined; sax: (xml: string) => T } {
  const sax = compileSaxReader<T>(shape);
  return { scan: compileScanner<T>(shape), sax };
}

/** A function that parses one document of this message into its JSON form. */
export function compileReader<T>(shape: MessageShape): (xml: string | Uint8Array) => T {
  const { scan, sax } = compileReaderPaths<T>(shape);
  if (!scan) return (input) => sax(decode(input));
  return function read(input: string | Uint8Array): T {
    // Bytes are scanned as Latin-1 (decoding it is much cheaper than UTF-8; the markup is ASCII);
    // undefined: the scanner is not sure of this document; saxes reads it, or says what is wrong.
    if (input instanceof Uint8Array) {
      const r = scan(Buffer.from(input.buffer, input.byteOffset, input.byteLength).toString('latin1'), true);
      return r !== undefined ? r : sax(decode(input));
    }
    const xml = decode(input);
    const r = scan(xml);
    return r !== undefined ? r : sax(xml);
  };
}
