// An independent reader of the official package files for the fidelity test. It shares no
// code with generator/import on purpose: if the importer misreads the publications, this
// reader must not make the same mistake silently. It reads only what the test compares.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { SaxesParser } from 'saxes';

export const REPO_ROOT = resolve(import.meta.dirname, '../..');

/** Where the official packages are: see test/helpers/reference.ts. */
export { referenceDir } from '../helpers/reference.ts';

// Windows-1252 in 0x80–0x9F: the files declare ISO-8859-1 but use the en dash 0x96.
const WIN1252_C1 = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ';

export function readLatin1(path: string): string {
  const buf = readFileSync(path);
  let out = '';
  for (const b of buf) out += b >= 0x80 && b <= 0x9f ? WIN1252_C1[b - 0x80] : String.fromCharCode(b);
  return out.replace(/\r\n/g, '\n');
}

export interface Node {
  name: string;
  attrs: Record<string, string>;
  children: Node[];
  /** Comments and text in document order, with the index of the next element child. */
  comments: { text: string; before: number }[];
  text: string;
}

export function parse(xml: string): Node {
  const p = new SaxesParser();
  const top: Node = { name: '#', attrs: {}, children: [], comments: [], text: '' };
  const stack = [top];
  p.on('opentag', (t) => {
    const n: Node = { name: t.name.replace(/^[^:]*:/, ''), attrs: t.attributes as Record<string, string>, children: [], comments: [], text: '' };
    stack[stack.length - 1].children.push(n);
    stack.push(n);
  });
  p.on('closetag', () => void stack.pop());
  p.on('comment', (c) => {
    const cur = stack[stack.length - 1];
    cur.comments.push({ text: c, before: cur.children.length });
  });
  p.on('text', (t) => void (stack[stack.length - 1].text += t));
  p.on('cdata', (t) => void (stack[stack.length - 1].text += t));
  p.on('error', (e) => {
    throw e;
  });
  p.write(xml).close();
  return top.children[0];
}

const kids = (n: Node, name: string) => n.children.filter((c) => c.name === name);

export interface OfficialAttribute {
  name: string;
  type: string;
  use: string;
  fixed?: string;
}
export interface OfficialClass {
  name: string;
  documentation?: string;
  children: { name: string; min: string; max: string }[];
  attributes: OfficialAttribute[];
  unique: { name: string; selector: string; fields: string[] }[];
  keyrefs: { name: string; refer: string; selector: string; fields: string[] }[];
}
export interface OfficialSchema {
  targetNamespace: string;
  version: string;
  prefixes: Record<string, string>;
  classes: OfficialClass[];
}

const noPrefix = (s: string) => s.replace(/(^|\/)npr:/g, '$1');

export function readSchema(path: string): OfficialSchema {
  const root = parse(readLatin1(path));
  const prefixes: Record<string, string> = {};
  for (const [k, v] of Object.entries(root.attrs)) if (k.startsWith('xmlns:')) prefixes[k.slice(6)] = v;
  const classes = kids(root, 'element').map((el): OfficialClass => {
    const ct = kids(el, 'complexType')[0];
    const seq = kids(ct, 'sequence')[0];
    const fields = (c: Node) => kids(c, 'field').map((f) => f.attrs.xpath.replace(/^@/, ''));
    const doc = kids(el, 'annotation')[0];
    return {
      name: el.attrs.name,
      documentation: doc ? kids(doc, 'documentation')[0]?.text : undefined,
      children: (seq ? kids(seq, 'element') : []).map((r) => ({
        name: noPrefix(r.attrs.ref),
        min: r.attrs.minOccurs ?? '1',
        max: r.attrs.maxOccurs ?? '1',
      })),
      attributes: kids(ct, 'attribute').map((a) => ({ name: a.attrs.name, type: a.attrs.type, use: a.attrs.use ?? 'optional', fixed: a.attrs.fixed })),
      unique: kids(el, 'unique').map((u) => ({ name: u.attrs.name, selector: noPrefix(kids(u, 'selector')[0].attrs.xpath), fields: fields(u) })),
      keyrefs: kids(el, 'keyref').map((k) => ({
        name: k.attrs.name,
        refer: noPrefix(k.attrs.refer),
        selector: noPrefix(kids(k, 'selector')[0].attrs.xpath),
        fields: fields(k),
      })),
    };
  });
  return { targetNamespace: root.attrs.targetNamespace, version: root.attrs.version, prefixes, classes };
}

/** NPR.xsd simpleTypes: name → facets. */
export function readNprTypes(path: string): Map<string, Record<string, string>> {
  const out = new Map<string, Record<string, string>>();
  for (const st of kids(parse(readLatin1(path)), 'simpleType')) {
    const facets: Record<string, string> = {};
    for (const f of kids(st, 'restriction')[0]?.children ?? []) facets[f.name] = f.attrs.value;
    out.set(st.attrs.name, facets);
  }
  return out;
}

export interface OfficialScheme {
  number: string;
  name: string;
  codes: { code: string; text: string; comment: string }[];
}

/** CodingSchemes appinfo by simpleType name. */
export function readCodingSchemes(path: string): Map<string, OfficialScheme> {
  const out = new Map<string, OfficialScheme>();
  for (const ann of kids(parse(readLatin1(path)), 'annotation')) {
    for (const info of kids(ann, 'appinfo')) {
      const simple = kids(info, 'simpleT')[0].attrs.name;
      const cs = kids(info, 'codingScheme');
      out.set(simple, {
        number: cs.find((c) => c.attrs.OID !== undefined)!.attrs.OID,
        name: cs.find((c) => c.attrs.name !== undefined)!.attrs.name,
        codes: kids(info, 'code').map((c) => ({ code: c.attrs.value, text: c.attrs.text, comment: c.attrs.comment })),
      });
    }
  }
  return out;
}

export interface OfficialAnnotation {
  values: Record<string, string>;
  /** handling*ID key → the name in the "Handling:" comment after it. */
  handlings: Record<string, string>;
}

/** Annotations by `classShortName/attributeShortName`. */
export function readAnnotations(path: string): Map<string, OfficialAnnotation> {
  const out = new Map<string, OfficialAnnotation>();
  for (const ann of kids(parse(readLatin1(path)), 'annotation')) {
    for (const info of kids(ann, 'appinfo')) {
      const values: Record<string, string> = {};
      const handlings: Record<string, string> = {};
      info.children.forEach((c) => {
        values[c.attrs.name] = c.attrs.value ?? c.text.trim();
      });
      for (const cm of info.comments) {
        const m = /Handling: ="([^"]*)"/.exec(cm.text);
        if (m) handlings[info.children[cm.before - 1].attrs.name] = m[1];
      }
      out.set(`${values.classShortName}/${values.attributeShortName}`, { values, handlings });
    }
  }
  return out;
}

/** The usage table: [class label, attribute label, K, letter, comment] rows. */
export function readUsageRows(path: string): string[][] {
  const text = readFileSync(path, 'utf8').replace(/\r\n/g, '\n');
  const cells = text
    .slice(text.indexOf('Klassenavn'))
    .split('|')
    .map((c) => c.trim());
  const rows: string[][] = [];
  for (let i = 5; i + 2 < cells.length; i += 5) rows.push(cells.slice(i, i + 5));
  return rows.filter((r) => r[0] !== '');
}
