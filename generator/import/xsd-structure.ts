// Reads the structure of a message from its XSD (XPR(x).xsd) and the shared datatypes from
// NPR.xsd: the global elements (classes) in document order, their child sequence with
// cardinality, their attributes with type/use/fixed, and xs:unique / xs:keyref.
import { ImportError } from './errors.ts';
import { elements, firstElement, parseXml, textOf, type XmlElement } from './xml.ts';

const XS = 'http://www.w3.org/2001/XMLSchema';

export type XsdType =
  | { kind: 'builtin'; name: 'string' | 'date' | 'dateTime' | 'integer' | 'nonNegativeInteger' }
  | { kind: 'guid' }
  /** A simpleType of the message's own namespace: a coding scheme in XPR(x)_CodingSchemes.xsd. */
  | { kind: 'coded'; simpleType: string }
  /** A restricted string from NPR.xsd (kommNr, bydelNr, …). */
  | { kind: 'restricted'; name: string; minLength?: number; maxLength?: number; pattern?: string };

export interface XsdAttribute {
  name: string;
  /** The type as written, e.g. `npr:kjonn`. */
  typeName: string;
  type: XsdType;
  use: 'required' | 'optional' | 'prohibited';
  fixed?: string;
}

export interface XsdChild {
  name: string;
  min: number;
  max: number | null;
}

export interface XsdClass {
  name: string;
  /** The label in the generator's comment `<!-- Class: Barn/ungdom -->`, if any. */
  commentLabel?: string;
  documentation?: string;
  children: XsdChild[];
  attributes: XsdAttribute[];
  unique: { name: string; selector: string; fields: string[] }[];
  keyrefs: { name: string; refer: string; selector: string; fields: string[] }[];
}

export interface XsdSchema {
  targetNamespace: string;
  version: string;
  classes: XsdClass[];
  root: string;
}

const BUILTINS = new Set(['string', 'date', 'dateTime', 'integer', 'nonNegativeInteger']);

/** `npr:Melding/npr:Notifikasjon` → `Melding/Notifikasjon`. */
export function stripPrefixes(path: string): string {
  return path.replace(/(^|[/(\s@])[A-Za-z_][\w.-]*:(?!:)/g, '$1');
}

export function readXsdStructure(xsdText: string, xsdFile: string, nprText: string, nprFile: string): XsdSchema {
  const schema = parseXml(xsdText, xsdFile);
  if (schema.local !== 'schema') throw new ImportError(`${xsdFile}: root element is <${schema.name}>, expected <schema>`);
  const targetNamespace = schema.attrs.targetNamespace;
  const version = schema.attrs.version;
  if (!targetNamespace) throw new ImportError(`${xsdFile}: <schema> has no targetNamespace`);
  if (!version) throw new ImportError(`${xsdFile}: <schema> has no version attribute`);

  const namespaces = new Map<string, string>();
  for (const [k, v] of Object.entries(schema.attrs)) {
    if (k === 'xmlns') namespaces.set('', v);
    else if (k.startsWith('xmlns:')) namespaces.set(k.slice(6), v);
  }
  const nprNamespace = firstElement(schema, 'import')?.attrs.namespace;
  const nprTypes = readNprTypes(nprText, nprFile);

  const resolveType = (qname: string, where: string): XsdType => {
    const colon = qname.indexOf(':');
    const prefix = colon < 0 ? '' : qname.slice(0, colon);
    const local = colon < 0 ? qname : qname.slice(colon + 1);
    const ns = namespaces.get(prefix);
    if (ns === undefined) throw new ImportError(`${xsdFile}: ${where}: type ${qname} uses an undeclared prefix "${prefix}"`);
    if (ns === XS) {
      if (!BUILTINS.has(local)) {
        throw new ImportError(`${xsdFile}: ${where}: built-in type ${local} is not supported by the spec format (string, date, dateTime, integer, nonNegativeInteger)`);
      }
      return { kind: 'builtin', name: local as 'string' };
    }
    if (ns === targetNamespace) return { kind: 'coded', simpleType: local };
    if (ns === nprNamespace) {
      if (local === 'guid') return { kind: 'guid' };
      const t = nprTypes.get(local);
      if (!t) throw new ImportError(`${xsdFile}: ${where}: type ${qname} is not a simpleType in ${nprFile}`);
      return { kind: 'restricted', name: local, ...t };
    }
    throw new ImportError(`${xsdFile}: ${where}: type ${qname} is from namespace ${ns}, which the importer does not know`);
  };

  const classes: XsdClass[] = [];
  let pendingLabel: string | undefined;
  for (const node of schema.children) {
    if (node.kind === 'comment') {
      const m = /^\s*Class:\s*(.+?)\s*$/.exec(node.text);
      if (m) pendingLabel = m[1];
      continue;
    }
    if (node.kind !== 'element' || node.local !== 'element') continue;
    classes.push(readClass(node, pendingLabel, xsdFile, resolveType));
    pendingLabel = undefined;
  }
  if (classes.length === 0) throw new ImportError(`${xsdFile}: no global <element> (class) found`);

  const referenced = new Set(classes.flatMap((c) => c.children.map((ch) => ch.name)));
  const roots = classes.filter((c) => !referenced.has(c.name));
  if (roots.length !== 1) {
    throw new ImportError(`${xsdFile}: expected one root element that no other element refers to, found ${roots.map((r) => r.name).join(', ') || 'none'}`);
  }
  for (const c of classes) {
    for (const ch of c.children) {
      if (!classes.some((k) => k.name === ch.name)) throw new ImportError(`${xsdFile}: ${c.name} refers to ${ch.name}, which is not a global element`);
    }
  }
  return { targetNamespace, version, classes, root: roots[0].name };
}

function readClass(el: XmlElement, commentLabel: string | undefined, file: string, resolveType: (qname: string, where: string) => XsdType): XsdClass {
  const name = el.attrs.name;
  if (!name) throw new ImportError(`${file}:${el.line}: global <element> without a name`);
  const doc = firstElement(el, 'annotation');
  const documentation = doc ? normaliseSpace(elements(doc, 'documentation').map(textOf).join(' ')) : undefined;
  const complex = firstElement(el, 'complexType');
  if (!complex) throw new ImportError(`${file}:${el.line}: element ${name} has no complexType`);
  const children: XsdChild[] = [];
  for (const part of elements(complex)) {
    if (part.local === 'sequence') {
      for (const ref of elements(part)) {
        if (ref.local !== 'element' || !ref.attrs.ref) {
          throw new ImportError(`${file}:${ref.line}: ${name}: expected <element ref=...> in the sequence, found <${ref.name}>`);
        }
        const min = ref.attrs.minOccurs === undefined ? 1 : Number(ref.attrs.minOccurs);
        const maxRaw = ref.attrs.maxOccurs ?? '1';
        const max = maxRaw === 'unbounded' ? null : Number(maxRaw);
        if (!Number.isInteger(min) || (max !== null && !Number.isInteger(max))) {
          throw new ImportError(`${file}:${ref.line}: ${name}: unreadable minOccurs/maxOccurs on ${ref.attrs.ref}`);
        }
        children.push({ name: stripPrefixes(ref.attrs.ref), min, max });
      }
    } else if (part.local !== 'attribute') {
      throw new ImportError(`${file}:${part.line}: ${name}: <${part.name}> is not supported (only a sequence of element refs and attributes)`);
    }
  }
  const attributes: XsdAttribute[] = elements(complex, 'attribute').map((a) => {
    const aname = a.attrs.name;
    const typeName = a.attrs.type;
    if (!aname || !typeName) throw new ImportError(`${file}:${a.line}: ${name}: attribute without name or type`);
    const use = (a.attrs.use ?? 'optional') as XsdAttribute['use'];
    if (!['required', 'optional', 'prohibited'].includes(use)) throw new ImportError(`${file}:${a.line}: ${name}/@${aname}: unknown use "${use}"`);
    const attr: XsdAttribute = { name: aname, typeName, type: resolveType(typeName, `${name}/@${aname}`), use };
    if (a.attrs.fixed !== undefined) attr.fixed = a.attrs.fixed;
    return attr;
  });
  const readFields = (c: XmlElement) => elements(c, 'field').map((f) => stripPrefixes(f.attrs.xpath ?? '').replace(/^@/, ''));
  const selectorOf = (c: XmlElement) => {
    const s = firstElement(c, 'selector')?.attrs.xpath;
    if (!s) throw new ImportError(`${file}:${c.line}: ${name}: <${c.name} name="${c.attrs.name}"> has no selector`);
    return stripPrefixes(s);
  };
  const unique = [...elements(el, 'unique'), ...elements(el, 'key')].map((u) => ({
    name: u.attrs.name,
    selector: selectorOf(u),
    fields: readFields(u),
  }));
  const keyrefs = elements(el, 'keyref').map((k) => ({
    name: k.attrs.name,
    refer: stripPrefixes(k.attrs.refer ?? ''),
    selector: selectorOf(k),
    fields: readFields(k),
  }));
  return { name, commentLabel, documentation: documentation || undefined, children, attributes, unique, keyrefs };
}

/** simpleTypes of NPR.xsd that restrict string with length facets or a pattern. */
function readNprTypes(text: string, file: string): Map<string, { minLength?: number; maxLength?: number; pattern?: string }> {
  const schema = parseXml(text, file);
  const out = new Map<string, { minLength?: number; maxLength?: number; pattern?: string }>();
  for (const st of elements(schema, 'simpleType')) {
    const r = firstElement(st, 'restriction');
    if (!r || !st.attrs.name) continue;
    const base = r.attrs.base ?? '';
    if (!/(^|:)(string|token)$/.test(base)) continue;
    const facets: { minLength?: number; maxLength?: number; pattern?: string } = {};
    for (const f of elements(r)) {
      if (f.local === 'minLength') facets.minLength = Number(f.attrs.value);
      else if (f.local === 'maxLength') facets.maxLength = Number(f.attrs.value);
      else if (f.local === 'pattern') facets.pattern = f.attrs.value;
    }
    out.set(st.attrs.name, facets);
  }
  return out;
}

export function normaliseSpace(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}
