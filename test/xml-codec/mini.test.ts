// The XML codec emitted for the tiny fixture spec: the emitted source equals the golden file
// (UPDATE_GOLDEN=1 rewrites it), type-checks against the emitted types, and behaves: order,
// escaping, errors with JSON paths, and a strict parser.

import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emitXmlCodec } from '../../generator/emit/xml-codec.ts';
import { emitTree, importCodec, loadSpec, REPO, typecheck, type Codec } from './helpers.ts';
import { expectGolden } from '../helpers/golden.ts';

const SPEC_DIR = join(REPO, 'test/fixtures/mini/spec');
const SPEC_FILE = join(SPEC_DIR, 'mini/1.0.0.yaml');
const GOLDEN = join(import.meta.dirname, 'golden/mini.xml.ts.golden');
const NS = 'http://example.invalid/mini';

const spec = loadSpec(SPEC_DIR, SPEC_FILE);

function melding(): any {
  return {
    versjon: '1.0.0',
    lopenr: 7,
    uttakDato: '2026-03-01',
    Konsultasjon: [
      { konsultasjonID: 'K1', datoTidStart: '2026-02-01T10:00:00', amming: '2', Barn: { typeID: '1', fodselsar: 2025, nr: 0 } },
      { konsultasjonID: 'K2', datoTidStart: '2026-02-02T11:30:00', Barn: { typeID: '9', fodselsar: 2024 } },
    ],
  };
}

describe('mini codec: emitted source', () => {
  it('equals the golden file', () => {
    const code = emitXmlCodec(spec, 'test/fixtures/mini/spec/mini/1.0.0.yaml');
    expectGolden(GOLDEN, code);
  });

  it('is deterministic', () => {
    expect(emitXmlCodec(spec, 'x')).toBe(emitXmlCodec(spec, 'x'));
  });
});

describe('mini codec: behaviour', () => {
  let codec: Codec;
  let root: string;
  beforeAll(async () => {
    const t = await emitTree(spec);
    root = t.root;
    codec = await importCodec(t.dir);
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('type-checks against the emitted types', () => {
    expect(typecheck(root)).toBe('');
  });

  it('writes the declaration, the namespace, attributes in spec order, only sent attributes', () => {
    const m = melding();
    m.Konsultasjon[0].gammel = 'ignored attribute must never be written';
    expect(codec.toXml(m)).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n' +
        `<Melding xmlns="${NS}" versjon="1.0.0" lopenr="7" uttakDato="2026-03-01">` +
        '<Konsultasjon konsultasjonID="K1" datoTidStart="2026-02-01T10:00:00" amming="2"><Barn typeID="1" fodselsar="2025" nr="0"/></Konsultasjon>' +
        '<Konsultasjon konsultasjonID="K2" datoTidStart="2026-02-02T11:30:00"><Barn typeID="9" fodselsar="2024"/></Konsultasjon>' +
        '</Melding>',
    );
    expect(codec.toXml({ versjon: '1.0.0', lopenr: 1, uttakDato: '2026-03-01' }, { declaration: false })).toBe(
      `<Melding xmlns="${NS}" versjon="1.0.0" lopenr="1" uttakDato="2026-03-01"/>`,
    );
  });

  it('writes children in XSD order and attributes in spec order whatever the key order', () => {
    const m = melding();
    const reversed = (o: any): any =>
      Array.isArray(o)
        ? o.map(reversed)
        : o && typeof o === 'object'
          ? Object.fromEntries(
              Object.entries(o)
                .reverse()
                .map(([k, v]) => [k, reversed(v)]),
            )
          : o;
    const r = reversed(m);
    expect(Object.keys(r)[0]).toBe('Konsultasjon');
    expect(codec.toXml(r)).toBe(codec.toXml(m));
  });

  it('escapes & < > " and keeps tab, line feed and carriage return as character references', () => {
    const m = melding();
    m.Konsultasjon[0].konsultasjonID = `a&b<c>d"e'f\tg\nh\ri é 𝄞`;
    const xml = codec.toXml(m);
    expect(xml).toContain(`konsultasjonID="a&amp;b&lt;c&gt;d&quot;e'f&#9;g&#10;h&#13;i é 𝄞"`);
    expect(codec.fromXml(xml)).toEqual(m);
  });

  it.each([
    ['C0 control', '\u0001', 'U+0001'],
    ['NUL', 'x\u0000', 'U+0000'],
    ['lone high surrogate', 'a\uD800', 'lone surrogate U+D800'],
    ['lone low surrogate', '\uDC00b', 'lone surrogate U+DC00'],
    ['U+FFFE', '\uFFFE', 'U+FFFE'],
    ['U+FFFF', '\uFFFF', 'U+FFFF'],
  ])('rejects %s naming the JSON path and the attribute', (_name, bad, shown) => {
    const m = melding();
    m.Konsultasjon[1].konsultasjonID = `K${bad}`;
    let err: any;
    try {
      codec.toXml(m);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(codec.XmlCodecError);
    expect(err.path).toBe('/Konsultasjon/1/konsultasjonID');
    expect(err.attribute).toBe('konsultasjonID');
    expect(err.message).toContain('/Konsultasjon/1/konsultasjonID');
    expect(err.message).toContain(shown);
  });

  it('rejects wrong types and missing required parts with the path', () => {
    const cases: [(m: any) => void, string, RegExp][] = [
      [(m) => (m.Konsultasjon[0].Barn.fodselsar = 2025.5), '/Konsultasjon/0/Barn/fodselsar', /integer/],
      [(m) => (m.Konsultasjon[0].Barn.fodselsar = '2025'), '/Konsultasjon/0/Barn/fodselsar', /integer/],
      [(m) => (m.lopenr = 2 ** 53), '/lopenr', /integer/],
      [(m) => (m.Konsultasjon[1].datoTidStart = 5), '/Konsultasjon/1/datoTidStart', /string/],
      [(m) => delete m.Konsultasjon[1].Barn, '/Konsultasjon/1/Barn', /required element Barn/],
      [(m) => delete m.Konsultasjon[0].Barn.typeID, '/Konsultasjon/0/Barn/typeID', /required attribute typeID/],
      [(m) => (m.Konsultasjon = { not: 'an array' }), '/Konsultasjon', /array/],
      [(m) => (m.Konsultasjon[1] = null), '/Konsultasjon/1', /object/],
    ];
    for (const [spoil, path, msg] of cases) {
      const m = melding();
      spoil(m);
      let err: any;
      try {
        codec.toXml(m);
      } catch (e) {
        err = e;
      }
      expect(err, path).toBeInstanceOf(codec.XmlCodecError);
      expect(err.path).toBe(path);
      expect(err.message).toMatch(msg);
    }
  });

  it('never repeats the offending value in an error (it may be a national identity number)', () => {
    const m = melding();
    m.Konsultasjon[0].konsultasjonID = 13108012345;
    expect(() => codec.toXml(m)).toThrow(/^\/Konsultasjon\/0\/konsultasjonID: attribute konsultasjonID must be a string, got a number$/);
    m.Konsultasjon[0].konsultasjonID = 'K1';
    m.Konsultasjon[0].Barn.fodselsar = '13108012345';
    expect(() => codec.toXml(m)).toThrow(/got a string \(11 characters\)$/);
    expect(() => codec.fromXml(`<Melding xmlns="${NS}" lopenr="13108012345x"/>`)).toThrow(/^(?!.*13108012345).*must be an integer/);
  });

  it('reads back what it writes, numbers as numbers, arrays and single objects as the JSON form says', () => {
    const m = melding();
    const back = codec.fromXml(codec.toXml(m));
    expect(back).toEqual(m);
    expect(typeof back.Konsultasjon[0].Barn.fodselsar).toBe('number');
    expect(Array.isArray(back.Konsultasjon)).toBe(true);
  });

  it('reads other spellings of the same document: prefixes, declarations, whitespace, xsi attributes', () => {
    const xml =
      '\uFEFF<?xml version="1.0" encoding="iso-8859-1"?>\n<!-- comment -->\n' +
      `<m:Melding xmlns:m="${NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="${NS} x.xsd" uttakDato="2026-03-01" lopenr=" +7 " versjon="1.0.0">\n` +
      '  <m:Konsultasjon konsultasjonID="K&#10;1" datoTidStart="2026-02-01T10:00:00">\n    <m:Barn fodselsar="2025" typeID="1"></m:Barn>\n  </m:Konsultasjon>\n' +
      '</m:Melding>\n';
    expect(codec.fromXml(xml)).toEqual({
      versjon: '1.0.0',
      lopenr: 7,
      uttakDato: '2026-03-01',
      Konsultasjon: [{ konsultasjonID: 'K\n1', datoTidStart: '2026-02-01T10:00:00', Barn: { typeID: '1', fodselsar: 2025 } }],
    });
  });

  it('reads UTF-8 bytes whatever the declaration says, and refuses bytes that are not UTF-8', () => {
    const m = melding();
    m.Konsultasjon[0].konsultasjonID = 'Ærøy-é-𝄞';
    const xml = codec.toXml(m).replace('encoding="UTF-8"', 'encoding="ISO-8859-1"');
    expect(codec.fromXml(Buffer.from(xml, 'utf8'))).toEqual(m);
    expect(codec.fromXml(new Uint8Array([0xef, 0xbb, 0xbf, ...Buffer.from(xml, 'utf8')]))).toEqual(m);
    const latin1 = Buffer.from(xml.replace('-𝄞', ''), 'latin1');
    expect(() => codec.fromXml(latin1)).toThrow(/not UTF-8 \(it declares ISO-8859-1\)/);
  });

  it.each([
    ['a wrong namespace', `<Melding xmlns="urn:other" versjon="1.0.0"/>`, /line 1, column \d+: .*namespace "urn:other", expected "http:\/\/example.invalid\/mini"/],
    ['no namespace', `<Melding versjon="1.0.0"/>`, /no namespace/],
    ['a wrong root', `<Konsultasjon xmlns="${NS}"/>`, /root element is <Konsultasjon>, expected <Melding>/],
    [
      'an unknown attribute',
      `<Melding xmlns="${NS}">\n  <Konsultasjon konsultasjonID="K" farge="blå"/></Melding>`,
      /line 2, .*\/Konsultasjon\/0\/farge: attribute farge on <Konsultasjon> is unknown/,
    ],
    ['an ignored attribute', `<Melding xmlns="${NS}"><Konsultasjon gammel="x"/></Melding>`, /gammel on <Konsultasjon> is not used in this message/],
    ['a qualified attribute', `<Melding xmlns="${NS}" xmlns:m="${NS}" m:lopenr="1"/>`, /foreign namespace/],
    ['an unknown element', `<Melding xmlns="${NS}">\n<Konsultasjon/>\n<Pasient/></Melding>`, /line 3, .*unknown element <Pasient> in <Melding>: expected one of: Konsultasjon/],
    ['a second single child', `<Melding xmlns="${NS}"><Konsultasjon><Barn/><Barn/></Konsultasjon></Melding>`, /\/Konsultasjon\/0: <Konsultasjon> may hold only one <Barn>/],
    ['text content', `<Melding xmlns="${NS}">tekst</Melding>`, /text is not allowed in <Melding>/],
    ['a non-integer integer', `<Melding xmlns="${NS}" lopenr="7.0"/>`, /\/lopenr: attribute lopenr on <Melding> must be an integer/],
    ['a DOCTYPE', `<!DOCTYPE Melding [<!ENTITY x "y">]><Melding xmlns="${NS}"/>`, /DOCTYPE is not allowed/],
    ['a character reference to a C0 control', `<Melding xmlns="${NS}" versjon="&#1;"/>`, /not well-formed XML: malformed character entity/],
    ['a character reference to a lone surrogate', `<Melding xmlns="${NS}" versjon="&#xD800;"/>`, /not well-formed XML: malformed character entity/],
    ['a raw C0 control', `<Melding xmlns="${NS}" versjon="\u0001"/>`, /not well-formed XML: disallowed character/],
    ['malformed XML', `<Melding xmlns="${NS}"><Konsultasjon></Melding>`, /not well-formed XML/],
    ['an empty document', ``, /not well-formed|no <Melding>/],
  ])('fromXml rejects %s with a clear error', (_name, xml, msg) => {
    let err: any;
    try {
      codec.fromXml(xml);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(codec.XmlCodecError);
    expect(err.message).toMatch(msg);
  });

  it('fromXml rejects children out of XSD order', async () => {
    // mini has one child per class, so build a two-child shape directly through the runtime.
    const { compileReader } = await import('../../runtime/xml/read.ts');
    const read = compileReader({
      namespace: 'urn:t',
      root: 'R',
      classes: {
        R: {
          attributes: [],
          children: [
            ['A', true],
            ['B', false],
          ],
        },
        A: { attributes: [], children: [] },
        B: { attributes: [], children: [] },
      },
    });
    expect(read('<R xmlns="urn:t"><A/><A/><B/></R>')).toEqual({ A: [{}, {}], B: {} });
    expect(() => read('<R xmlns="urn:t"><B/><A/></R>')).toThrow(/<A> is out of order in <R>: the XSD sequence is A, B/);
  });
});
