// fromXml has two paths (runtime/xml/read.ts): the scanner (scan.ts), which reads the documents
// the messages are, and saxes, which reads any document and raises every error. These tests hold
// them to one behaviour, with saxes's path as the judge: for random valid Meldinger, other
// spellings of them and mutated (mostly broken) copies, whatever the scanner accepts saxes
// accepts with the same JSON form (same keys in the same order), and whatever it leaves, the
// public reader answers exactly as saxes's path does: the same result or the same error, path,
// line and column.

import fc from 'fast-check';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromXml as hstFromXml, toXml as hstToXml } from '../../generated/hst/56.0.0/xml.ts';
import { toXml as iplosToXml } from '../../generated/iplos/56.0.0/xml.ts';
import { XmlCodecError } from '../../runtime/xml/errors.ts';
import { compileReader, compileReaderPaths, type MessageShape } from '../../runtime/xml/read.ts';
import { meldingArb } from './arbitrary.ts';
import { loadSpec, REPO, shapeOf } from './helpers.ts';
import { hstMelding, hstSamples, iplosSamples } from './samples.ts';

const SEED = 20260311;

type Outcome = { ok: true; json: string } | { ok: false; error: Record<string, unknown> };

function outcome<X>(read: (xml: X) => unknown, xml: X): Outcome {
  try {
    return { ok: true, json: JSON.stringify(read(xml)) };
  } catch (e) {
    if (!(e instanceof XmlCodecError)) throw e;
    return { ok: false, error: { message: e.message, path: e.path, attribute: e.attribute, line: e.line, column: e.column } };
  }
}

interface Paths {
  scan: (xml: string, latin1?: boolean) => unknown;
  sax: (xml: string) => unknown;
  read: (xml: string | Uint8Array) => unknown;
}

function pathsOf(shape: MessageShape): Paths {
  const { scan, sax } = compileReaderPaths(shape);
  if (!scan) throw new Error('no scanner for this shape');
  return { scan, sax, read: compileReader(shape) };
}

/** Where two strings part, with a little of each (failures stay short: vitest's diff of long lines is slow). */
function parting(a: string, b: string): string {
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return `at ${i}: ${JSON.stringify(a.slice(Math.max(0, i - 40), i + 80))} vs ${JSON.stringify(b.slice(Math.max(0, i - 40), i + 80))}`;
}

/**
 * The two paths agree on `xml`; returns which one answered. The scanner never throws: it reads
 * a document or leaves it to saxes.
 */
function agree(p: Paths, xml: string): 'scan' | 'sax' | 'error' {
  agreeAsBytes(p, xml);
  const judge = outcome(p.sax, xml);
  const r = p.scan(xml);
  if (r !== undefined) {
    if (!judge.ok) throw new Error(`the scanner accepted what saxes rejects (${judge.error.message}): ${JSON.stringify(xml.slice(0, 2000))}`);
    const json = JSON.stringify(r);
    if (json !== judge.json) throw new Error(`the scanner and saxes read differently, ${parting(json, judge.json)}`);
    return 'scan';
  }
  const got = JSON.stringify(outcome(p.read, xml));
  const want = JSON.stringify(judge);
  if (got !== want) throw new Error(`fromXml and saxes answer differently, ${parting(got, want)}`);
  return judge.ok ? 'sax' : 'error';
}

/**
 * The document as UTF-8 bytes reads as its text does: the scanner, reading the bytes as Latin-1,
 * accepts what it accepts in the decoded text, to the same JSON form, and fromXml answers alike.
 * (A lone surrogate becomes U+FFFD in UTF-8: the text judged is the bytes decoded.)
 */
function agreeAsBytes(p: Paths, xml: string): void {
  const bytes = Buffer.from(xml, 'utf8');
  const text = bytes.toString('utf8');
  const viaBytes = JSON.stringify(p.scan(bytes.toString('latin1'), true));
  const viaText = JSON.stringify(p.scan(text));
  if (viaBytes !== viaText) throw new Error(`the scanner reads bytes and text differently, ${parting(String(viaBytes), String(viaText))}`);
  const got = JSON.stringify(outcome(p.read, bytes));
  const want = JSON.stringify(outcome(p.read, text.replace(/^\uFEFF/, '')));
  if (got !== want) throw new Error(`fromXml answers bytes and text differently, ${parting(got, want)}`);
}

// ---- other spellings of the same document -------------------------------------------------

const TAG = /<(\/?)([A-Za-z_][\w.-]*)((?:\s+[\w.-]+="[^"]*")*)\s*(\/?)>/g;
const ATTR = /([\w.-]+)="([^"]*)"/g;

/** The XML toXml wrote, spelt differently with the same meaning, choices drawn from `rnd`. */
function respell(xml: string, rnd: () => number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const body = xml.replace(/^<\?xml[^>]*\?>\n?/, '').replace(TAG, (_all, close: string, name: string, attrs: string, slash: string) => {
    const lead = pick(['', '', '\n', '\n  ', '\r\n\t', ' ']);
    if (close) return `${lead}</${name}${pick(['', ' ', '\n'])}>`;
    let out = `${lead}<${name}`;
    const list = [...attrs.matchAll(ATTR)];
    // Attributes in another order now and then (XML does not order them).
    if (rnd() < 0.2) list.reverse();
    for (const [, an, raw] of list) {
      // Spell some plain letters as character references, decimal or hexadecimal (references stay as they are).
      let v = raw.replace(/&[^;]*;|[A-Za-z0-9]/g, (ch) =>
        ch.length > 1 || rnd() >= 0.1 ? ch : pick([`&#${ch.charCodeAt(0)};`, `&#x${ch.charCodeAt(0).toString(16)};`, `&#x${ch.charCodeAt(0).toString(16).toUpperCase()};`]),
      );
      const single = rnd() < 0.3;
      if (single) v = v.replace(/&quot;/g, '"').replace(/'/g, pick(['&apos;', '&#39;', '&#x27;']));
      const q = single ? "'" : '"';
      out += `${pick([' ', '  ', '\n    ', '\t', ' \r\n '])}${an}${pick(['', ' ', '\n'])}=${pick(['', ' ', '\t'])}${q}${v}${q}`;
    }
    if (slash) return out + pick(['/>', ' />', `></${name}>`, `>\n</${name} >`]);
    return out + pick(['>', ' >', '\n>']);
  });
  const decl = pick(['', '<?xml version="1.0" encoding="UTF-8"?>\n', "<?xml version='1.0'?>", '<?xml version="1.0" encoding="utf-8" standalone="yes" ?>\r\n']);
  return pick(['', '\uFEFF']) + decl + body + pick(['', '\n', ' \r\n\t']);
}

// ---- mutations: single edits that mostly break the document --------------------------------

const PIECES = [
  '<',
  '>',
  '/',
  '=',
  '"',
  "'",
  '&',
  ';',
  '#',
  'x',
  ':',
  '!',
  '?',
  ' ',
  '\t',
  '\n',
  '\r',
  '\r\n',
  '\u0000',
  '\u0001',
  '\u001f',
  '\uD800',
  '\uDC00',
  '\uD834\uDD1E',
  '\uFFFE',
  '\uFFFF',
  '\uFEFF',
  '\u00A0',
  'a',
  'Z',
  '0',
  '-',
  '.',
  '_',
  'é',
  ']]>',
  '&amp;',
  '&#10;',
  '&#x9;',
  '&#X41;',
  '&#0;',
  '&#xD800;',
  '&lt;',
  '&bogus;',
  '&#1114112;',
  '&#x10FFFF;',
  '<!-- c -->',
  '<![CDATA[x]]>',
  '<?pi x?>',
  '<!DOCTYPE x>',
  'xmlns="urn:x"',
  ' xmlns=""',
  ' xmlns:p="urn:x"',
  ' p:a="1"',
  ' xsi:type="x"',
  ' a="1"',
  '</',
  '/>',
  '<Deltaker/>',
  '<Melding>',
  'tekst',
];

interface Edit {
  at: number;
  /** Where: anywhere (mostly inside values), or at a tag's edge or a space, where the structure is. */
  near: '' | '<' | '>' | ' ';
  op: 'insert' | 'delete' | 'replace' | 'repeat';
  piece: string;
  n: number;
}

const edit: fc.Arbitrary<Edit> = fc.record({
  at: fc.nat(),
  near: fc.constantFrom('', '<', '>', ' '),
  op: fc.constantFrom('insert', 'delete', 'replace', 'repeat'),
  piece: fc.constantFrom(...PIECES),
  n: fc.integer({ min: 1, max: 40 }),
});

function position(xml: string, e: Edit): number {
  if (!xml.length) return 0;
  if (e.near === '') return e.at % xml.length;
  const at: number[] = [];
  for (let i = xml.indexOf(e.near); i >= 0; i = xml.indexOf(e.near, i + 1)) at.push(e.near === '>' ? i + 1 : i);
  return at.length ? at[e.at % at.length] : e.at % xml.length;
}

function mutate(xml: string, edits: Edit[]): string {
  for (const e of edits) {
    const at = position(xml, e);
    if (e.op === 'insert') xml = xml.slice(0, at) + e.piece + xml.slice(at);
    else if (e.op === 'delete') xml = xml.slice(0, at) + xml.slice(at + e.n);
    else if (e.op === 'replace') xml = xml.slice(0, at) + e.piece + xml.slice(at + 1);
    else xml = xml.slice(0, at + e.n) + xml.slice(at, at + e.n) + xml.slice(at + e.n); // a run repeated
  }
  return xml;
}

const MESSAGES = [
  { message: 'hst', yaml: 'spec/hst/56.0.0.yaml', toXml: hstToXml as (m: any) => string, samples: hstSamples },
  { message: 'iplos', yaml: 'spec/iplos/56.0.0.yaml', toXml: iplosToXml as (m: any) => string, samples: iplosSamples },
];

for (const { message, yaml, toXml, samples } of MESSAGES) {
  describe(`${message} 56.0.0: the scanner and saxes agree`, () => {
    const spec = loadSpec(join(REPO, 'spec'), join(REPO, yaml));
    const p = pathsOf(shapeOf(spec));
    const arb = meldingArb(spec);
    // Where the document is only a carrier (spellings, mutations), failures shrink the edits, not
    // the Melding: shrinking both takes minutes.
    const carrier = fc.noShrink(arb);

    it('the scanner reads every valid Melding toXml writes, to the same JSON form as saxes', () => {
      for (const [name, m] of samples()) expect(p.scan(toXml(m)), name).toEqual(m);
      fc.assert(
        fc.property(arb, (m) => {
          const xml = toXml(m as never);
          const r = p.scan(xml);
          expect(r).toEqual(m);
          expect(JSON.stringify(r)).toBe(JSON.stringify(p.sax(xml)));
        }),
        { numRuns: 150, seed: SEED },
      );
    });

    it('the scanner reads other spellings of them (whitespace, quotes, references, declarations, empty elements)', () => {
      fc.assert(
        fc.property(carrier, fc.integer(), (m, seed) => {
          let s = seed >>> 0;
          const rnd = (): number => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
          const xml = respell(toXml(m as never), rnd);
          expect(agree(p, xml)).toBe('scan');
          expect(p.scan(xml)).toEqual(m);
        }),
        { numRuns: 150, seed: SEED },
      );
    });

    it("mutated documents: what the scanner accepts saxes accepts alike; the rest gets saxes's answer, errors included", () => {
      const seen = { scan: 0, sax: 0, error: 0 };
      fc.assert(
        fc.property(carrier, fc.array(edit, { minLength: 1, maxLength: 3 }), fc.boolean(), (m, edits, respelt) => {
          let s = edits[0].at >>> 0;
          const rnd = (): number => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
          const xml = toXml(m as never);
          seen[agree(p, mutate(respelt ? respell(xml, rnd) : xml, edits))]++;
        }),
        { numRuns: 400, seed: SEED },
      );
      // Most mutants are broken; some still read (a changed value), by the scanner.
      expect(seen.scan).toBeGreaterThan(3);
      expect(seen.error).toBeGreaterThan(300);
    });

    it('documents with what the scanner leaves to saxes (comments, PIs, CDATA, prefixes, xsi) read as saxes reads them', () => {
      const unusual = ['<!-- c -->', '<?pi x?>', '<![CDATA[ ]]>', '&#32;', '<!---->', '<?pi?>\n'];
      fc.assert(
        fc.property(carrier, fc.nat(), fc.nat(), fc.constantFrom('inside', 'prefix', 'xsi'), (m, at, which, how) => {
          let xml = toXml(m as never);
          const root = spec.root;
          if (how === 'inside') {
            // After a tag inside the root: the first > ends the declaration, the second the root's start tag.
            const ends: number[] = [];
            for (let i = xml.indexOf('>'); i >= 0; i = xml.indexOf('>', i + 1)) ends.push(i + 1);
            const inner = ends.slice(1, -1);
            if (!inner.length) return;
            const i = inner[at % inner.length];
            xml = xml.slice(0, i) + unusual[which % unusual.length] + xml.slice(i);
          } else if (how === 'prefix') {
            xml = xml.replace(/<(\/?)([A-Za-z_])/g, '<$1m:$2').replace(`<m:${root} xmlns=`, `<m:${root} xmlns:m=`);
          } else {
            xml = xml.replace(`<${root} `, `<${root} xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="${spec.namespace} x.xsd" `);
          }
          expect(agree(p, xml)).toBe('sax');
          expect(p.read(xml)).toEqual(m);
        }),
        { numRuns: 60, seed: SEED },
      );
    });
  });
}

describe('the scanner and saxes: chosen cases', () => {
  const NS = 'urn:t';
  const shape: MessageShape = {
    namespace: NS,
    root: 'R',
    classes: {
      R: {
        attributes: [
          ['v', 'string'],
          ['n', 'integer'],
        ],
        unused: ['old'],
        children: [
          ['A', true],
          ['B', false],
        ],
      },
      A: { attributes: [['v', 'string']], children: [] },
      B: { attributes: [['w', 'string']], children: [] },
    },
  };
  const p = pathsOf(shape);
  const r = (attrs: string, inner = ''): string => `<R xmlns="${NS}"${attrs}>${inner}</R>`;

  it.each([
    ['tab, line feed and carriage return in a value become spaces, CR LF one space', r(' v="a\tb\nc\rd\r\ne"'), { v: 'a b c d e' }],
    ['as references they are kept', r(' v="a&#9;b&#10;c&#13;d&#xD;&#xa;e"'), { v: 'a\tb\nc\rd\r\ne' }],
    ['the five entities', r(` v="&amp;&lt;&gt;&quot;&apos;"`), { v: `&<>"'` }],
    ['> and the other quote are plain in a value', r(` v='a>b"c'`), { v: 'a>b"c' }],
    ['a character outside the BMP, raw and as a reference', r(' v="𝄞&#x1D11E;&#119070;"'), { v: '𝄞𝄞𝄞' }],
    ['private-use and other BMP characters', r(' v="\uE000\uFFFD\u00A0"'), { v: '\uE000\uFFFD\u00A0' }],
    ['integers as XSD writes them', r(' n=" +007 "'), { n: 7 }],
    [
      'whitespace everywhere it may be',
      `\uFEFF<?xml version = '1.0'  encoding='UTF-8' standalone = "no"?>\r\n<R\n xmlns =\t"${NS}"\r\nv = "1" ><A\n/>\t<A v="2"></A ><B/>\n</R\r\n>\n`,
      { v: '1', A: [{}, { v: '2' }], B: {} },
    ],
    ['the namespace declared again on a child', r('', `<A xmlns="${NS}"/>`), { A: [{}] }],
  ])('reads %s', (_name, xml, want) => {
    expect(agree(p, xml)).toBe('scan');
    expect(p.scan(xml)).toEqual(want);
  });

  it.each([
    ['a prefixed document', `<t:R xmlns:t="${NS}" v="1"/>`],
    ['xsi attributes', `<R xmlns="${NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="${NS} r.xsd"/>`],
    ['a comment', `<!-- c --><R xmlns="${NS}"/>`],
    ['a comment inside', r('', '<!-- c --><A/>')],
    ['a processing instruction', `<?pi x?><R xmlns="${NS}"/>`],
    ['a namespace declaration with spaces around it', `<R xmlns=" ${NS} "/>`],
    ['whitespace text as a reference', r('', '&#32;<A/>')],
    ['whitespace CDATA', r('', '<![CDATA[ ]]><A/>')],
    ['a hexadecimal reference with many leading zeros', r(' v="&#x00000041;"')],
    ['a lone high surrogate before a character (saxes takes the two as one)', r(' v="\uD800a"')],
    ['XML 1.1', `<?xml version="1.1"?><R xmlns="${NS}"/>`],
  ])('leaves %s to saxes, which reads it', (_name, xml) => {
    expect(agree(p, xml)).toBe('sax');
  });

  it.each([
    ['a DOCTYPE', `<!DOCTYPE R><R xmlns="${NS}"/>`],
    ['no namespace', '<R v="1"/>'],
    ['another namespace', '<R xmlns="urn:other"/>'],
    ['another namespace on a child', r('', '<A xmlns="urn:other"/>')],
    ['an empty default namespace on a child', r('', '<A xmlns=""/>')],
    ['the namespace declared twice', `<R xmlns="${NS}" xmlns="${NS}"/>`],
    ['another root', `<A xmlns="${NS}"/>`],
    ['a second root', `<R xmlns="${NS}"/><R xmlns="${NS}"/>`],
    ['text after the root', `<R xmlns="${NS}"/>x`],
    ['text', r('', 'x')],
    ['an unknown attribute', r(' u="1"')],
    ['an unknown attribute that begins like a known one', r(' vx="1"')],
    ['an unknown attribute that begins like the next one in spec order', r(' v="1" nn="2"')],
    ['an unused attribute', r(' old="1"')],
    ['a duplicate attribute', r(' v="1" v="2"')],
    ['no whitespace between attributes', r(' v="1"n="2"')],
    ['an unquoted value', r(' v=1')],
    ['< in a value', r(' v="a<b"')],
    ['an unknown entity', r(' v="&nbsp;"')],
    ['a reference without ;', r(' v="&amp"')],
    ['an upper-case X reference', r(' v="&#X41;"')],
    ['a reference to NUL', r(' v="&#0;"')],
    ['a reference beyond Unicode', r(' v="&#x110000;"')],
    ['a reference to a surrogate', r(' v="&#xDC00;"')],
    ['a raw control', r(' v="a\u0001"')],
    ['a lone low surrogate', r(' v="\uDC00"')],
    ['U+FFFE', r(' v="\uFFFE"')],
    ['an integer that is not one', r(' n="1.0"')],
    ['an integer beyond 2^53-1', r(' n="9007199254740993"')],
    ['an unknown element', r('', '<C/>')],
    ['children out of order', r('', '<B/><A/>')],
    ['a second single child', r('', '<B/><B/>')],
    ['a mismatched end tag', r('', '<A></B>')],
    ['an unclosed element', `<R xmlns="${NS}"><A>`],
    ['an end tag that only begins like the name', r('', '<A></Ax>')],
    ['a space after <', `< R xmlns="${NS}"/>`],
    ['a declaration not at the start', ` <?xml version="1.0"?><R xmlns="${NS}"/>`],
    ['a declaration without version', `<?xml encoding="UTF-8"?><R xmlns="${NS}"/>`],
    ['an empty document', ''],
    ['an end tag first', '</R>'],
  ])('leaves %s to saxes, which raises the error', (_name, xml) => {
    expect(agree(p, xml)).toBe('error');
  });

  it('reads bytes as UTF-8: values outside ASCII, raw or as references, and bytes that are not UTF-8 an error', () => {
    const bytes = (xml: string) => Buffer.from(xml, 'utf8');
    for (const v of ['blåbær', 'Ø&#248;ø', '€ 𝄞 &#x1D11E;', 'a&amp;é\tb', '\uFEFFa', '\uFEFF', 'a\uFEFF']) {
      const xml = r(` v="${v}"`);
      expect(p.scan(bytes(xml).toString('latin1'), true)).toEqual(p.scan(xml));
      expect(p.read(bytes(xml))).toEqual(p.read(xml));
    }
    expect(p.read(bytes(r(' v="blåbær"')))).toEqual({ v: 'blåbær' });
    expect(p.read(bytes(r(' v="\uFEFFa"')))).toEqual({ v: '\uFEFFa' });
    // C3 28 is no UTF-8: the scanner leaves it, and fromXml says what is wrong.
    const bad = Buffer.from(bytes(r(' v="aXY"')).toString('latin1').replace('XY', '\u00c3('), 'latin1');
    expect(p.scan(bad.toString('latin1'), true)).toBeUndefined();
    expect(() => p.read(bad)).toThrow(/not UTF-8/);
  });

  it('does not scan a message whose names or namespace it cannot read the way saxes does', () => {
    const renamed = structuredClone(shape) as any;
    renamed.classes.R.attributes.push(['vé', 'string']);
    expect(compileReaderPaths({ ...shape, namespace: ` ${NS}` }).scan).toBeUndefined();
    expect(compileReaderPaths({ ...shape, namespace: 'http://www.w3.org/XML/1998/namespace' }).scan).toBeUndefined();
    expect(compileReaderPaths(renamed).scan).toBeUndefined();
    // The public reader still reads such a message, through saxes alone.
    expect(compileReader(renamed)(`<R xmlns="${NS}" vé="1"/>`)).toEqual({ vé: '1' });
  });
});

describe('the generated HST fromXml', () => {
  it('reads the benchmark message through the scanner, to the same result as saxes', () => {
    const spec = loadSpec(join(REPO, 'spec'), join(REPO, 'spec/hst/56.0.0.yaml'));
    const p = pathsOf(shapeOf(spec));
    const xml = hstToXml(hstMelding(50));
    expect(p.scan(xml)).toBeDefined();
    expect(JSON.stringify(hstFromXml(xml))).toBe(JSON.stringify(p.sax(xml)));
  });
});
