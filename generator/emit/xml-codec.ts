// Emits `generated/<message>/<version>/xml.ts`: a serialiser (`toXml`) specialised per class —
// one function per class, attributes in spec order, children in XSD sequence order, plain string
// concatenation — and a parser (`fromXml`) driven by the message's shape tables through the
// shared saxes reader in runtime/xml. Spec strings reach the code only through codegen.ts.

import { isArrayChild, isNumeric, isRequired, sentAttributes } from '../model/json-form.ts';
import { findClass, specId, type ClassDef, type MessageSpec } from '../model/types.ts';
import { banner, lit } from './codegen.ts';
import type { ClassShape } from '../../runtime/xml/shape.ts';

/** Where generated/<m>/<v>/xml.ts finds the shared runtime. */
const RUNTIME = '../../../runtime/xml';

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Text for a double-quoted attribute, escaped at generation time (the namespace URI). */
function xmlAttr(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
}

/** `o.name`, or `o["name"]` when the name is not an identifier (XML names may hold - and .). */
function access(obj: string, name: string): string {
  return IDENT.test(name) ? `${obj}.${name}` : `${obj}[${lit(name)}]`;
}

/** A distinct TypeScript identifier per class, close to its official name. */
function classIdents(spec: MessageSpec): Map<string, string> {
  const out = new Map<string, string>();
  const taken = new Set<string>();
  for (const c of spec.classes) {
    let base = c.name.replace(/[^A-Za-z0-9_]/g, '_');
    if (!/^[A-Za-z_]/.test(base)) base = `_${base}`;
    let id = base;
    for (let i = 2; taken.has(id); i++) id = `${base}_${i}`;
    taken.add(id);
    out.set(c.name, id);
  }
  return out;
}

/** The classes a document can hold (reachable from the root), in spec order. */
function reachableClasses(spec: MessageSpec): ClassDef[] {
  const seen = new Set([spec.root]);
  const queue = [spec.root];
  while (queue.length) {
    for (const ch of findClass(spec, queue.shift()!)?.children ?? []) {
      if (!seen.has(ch.class)) {
        seen.add(ch.class);
        queue.push(ch.class);
      }
    }
  }
  return spec.classes.filter((c) => seen.has(c.name));
}

/**
 * Each class's TypeScript type, reached from the root type by indexed access, so the codec
 * depends only on the root's name in types.ts and not on how the types emitter names the rest.
 */
function classTypes(spec: MessageSpec, ids: Map<string, string>): string[] {
  const out: string[] = [];
  const seen = new Set([spec.root]);
  const queue = [spec.root];
  while (queue.length) {
    const name = queue.shift()!;
    const c = findClass(spec, name)!;
    for (const ch of c.children) {
      if (seen.has(ch.class)) continue;
      seen.add(ch.class);
      queue.push(ch.class);
      const prop = `${ids.get(name)}[${lit(ch.class)}]`;
      const t = isArrayChild(ch) ? `NonNullable<${prop}>[number]` : `NonNullable<${prop}>`;
      out.push(`type ${ids.get(ch.class)} = ${t};`);
    }
  }
  return out;
}

function writer(spec: MessageSpec, c: ClassDef, ids: Map<string, string>): string {
  const id = ids.get(c.name)!;
  const L: string[] = [];
  L.push(`function w_${id}(o: ${id}): string {`);
  if (c.name !== spec.root) {
    L.push(`  const w = $written(o, ${lit(c.name)});`);
    L.push('  if (w !== undefined) return w;');
  }
  L.push(`  if (typeof o !== 'object' || o === null || Array.isArray(o)) throw $notObject(o, ${lit(c.name)});`);
  const attrs = sentAttributes(c);
  if (attrs.length) L.push('  let v;');
  // The root declares the message's namespace; every other element inherits it.
  const open = c.name === spec.root ? `<${c.name} xmlns="${xmlAttr(spec.namespace)}"` : `<${c.name}`;
  L.push(`  let s = ${lit(open)};`);
  for (const a of attrs) {
    const conv = isNumeric(a) ? '$int' : '$str';
    L.push(`  v = ${access('o', a.name)};`);
    const put = `s += ${lit(` ${a.name}="`)} + ${conv}(v, ${lit(a.name)}) + '"';`;
    if (isRequired(a)) {
      L.push(`  if (v === undefined) throw $missing(${lit(a.name)}, 'attribute');`);
      L.push(`  ${put}`);
    } else {
      L.push(`  if (v !== undefined) ${put}`);
    }
  }
  if (!c.children.length) {
    L.push(`  return s + '/>';`);
    L.push('}');
    return L.join('\n');
  }
  L.push(`  let c = '';`);
  c.children.forEach((ch, k) => {
    const child = ids.get(ch.class)!;
    const name = lit(ch.class);
    const x = `c${k}`;
    L.push(`  const ${x} = ${access('o', ch.class)};`);
    if (isArrayChild(ch)) {
      const bad = `throw $badArray(${x}, ${name}, ${ch.min}, ${ch.max === null ? 'null' : ch.max});`;
      const tooMany = ch.max === null ? '' : ` || ${x}.length > ${ch.max}`;
      const tooFew = ch.min > 0 ? ` || ${x}.length < ${ch.min}` : '';
      L.push(`  if (${x} !== undefined) {`);
      L.push(`    if (!Array.isArray(${x})${tooFew}${tooMany}) ${bad}`);
      L.push('    let i = 0;');
      L.push('    try {');
      L.push(`      for (; i < ${x}.length; i++) c += w_${child}(${x}[i]);`);
      L.push('    } catch (e) {');
      L.push(`      throw $within(e, ${name}, i);`);
      L.push('    }');
      L.push(ch.min > 0 ? `  } else throw $missing(${name}, 'element');` : '  }');
    } else {
      L.push(`  if (${x} !== undefined) {`);
      L.push('    try {');
      L.push(`      c += w_${child}(${x});`);
      L.push('    } catch (e) {');
      L.push(`      throw $within(e, ${name});`);
      L.push('    }');
      L.push(ch.min > 0 ? `  } else throw $missing(${name}, 'element');` : '  }');
    }
  });
  L.push(`  return c === '' ? s + '/>' : s + '>' + c + ${lit(`</${c.name}>`)};`);
  L.push('}');
  return L.join('\n');
}

/** What the reader's SHAPE says of one class: sent attributes with their kind, the unused ones, children. */
export function classShape(c: ClassDef): ClassShape {
  const sent = sentAttributes(c);
  return {
    attributes: sent.map((a) => [a.name, isNumeric(a) ? 'integer' : 'string'] as const),
    unused: c.attributes.filter((a) => !sent.includes(a)).map((a) => a.name),
    children: c.children.map((ch) => [ch.class, isArrayChild(ch)] as const),
  };
}

function shapeTable(classes: ClassDef[]): string {
  const L: string[] = [];
  L.push('const SHAPE: $MessageShape = {');
  L.push(`  namespace: NAMESPACE,`);
  L.push(`  root: ROOT,`);
  L.push('  classes: {');
  for (const c of classes) {
    const shape = classShape(c);
    const attrs = shape.attributes.map(([name, kind]) => `[${lit(name)}, ${lit(kind)}]`);
    const unused = (shape.unused ?? []).map(lit);
    const children = shape.children.map(([name, array]) => `[${lit(name)}, ${array}]`);
    L.push(`    ${lit(c.name)}: {`);
    L.push(`      attributes: [${attrs.join(', ')}],`);
    if (unused.length) L.push(`      unused: [${unused.join(', ')}],`);
    L.push(`      children: [${children.join(', ')}],`);
    L.push('    },');
  }
  L.push('  },');
  L.push('};');
  return L.join('\n');
}

function orderTable(classes: ClassDef[], name: string, doc: string, list: (c: ClassDef) => string[]): string {
  const L = [`/** ${doc} */`, `export const ${name}: Readonly<Record<string, readonly string[]>> = {`];
  for (const c of classes) L.push(`  ${lit(c.name)}: [${list(c).map(lit).join(', ')}],`);
  L.push('};');
  return L.join('\n');
}

export function emitXmlCodec(spec: MessageSpec, source: string): string {
  if (!IDENT.test(spec.root)) throw new Error(`root class ${spec.root} is not a TypeScript identifier`);
  if (!findClass(spec, spec.root)) throw new Error(`root class ${spec.root} is not defined`);
  const ids = classIdents(spec);
  const classes = reachableClasses(spec);
  const root = spec.root;
  const rootId = ids.get(root)!;
  const out: string[] = [];
  out.push(banner(source, `XML codec of ${specId(spec)} (${spec.standard}): toXml and fromXml for the JSON form.`).trimEnd());
  out.push('');
  out.push(`import type { ${root} } from './types.ts';`);
  // Runtime types are imported under $ names: class aliases are XML names, which hold no $, so nothing clashes.
  out.push(`import { compileReader, type MessageShape as $MessageShape } from '${RUNTIME}/read.ts';`);
  out.push(`import { $badArray, $int, $missing, $notObject, $root, $str, $within, $writeElement, $written, type SerialisedElement } from '${RUNTIME}/write.ts';`);
  out.push('');
  out.push(`export { XmlCodecError } from '${RUNTIME}/errors.ts';`);
  out.push('');
  out.push(`/** The message's XML namespace: elements are qualified, attributes are not. */`);
  out.push(`export const NAMESPACE = ${lit(spec.namespace)};`);
  out.push(`export const ROOT = ${lit(root)};`);
  out.push('');
  out.push(orderTable(classes, 'ELEMENT_ORDER', 'Child elements of each class in XSD sequence order.', (c) => c.children.map((ch) => ch.class)));
  out.push('');
  out.push(orderTable(classes, 'ATTRIBUTE_ORDER', 'Attributes of each class that the JSON form and the XML carry, in spec order.', (c) => sentAttributes(c).map((a) => a.name)));
  out.push('');
  if (rootId !== root) out.push(`type ${rootId} = ${root};`);
  out.push(...classTypes(spec, ids));
  out.push('');
  for (const c of classes) {
    out.push(writer(spec, c, ids));
    out.push('');
  }
  out.push('/**');
  out.push(` * The XML of a ${root}: the namespace declared on the root, children in XSD order, attributes`);
  out.push(' * in spec order, values escaped. Throws XmlCodecError, naming the JSON path, for a value XML');
  out.push(' * 1.0 cannot carry, a missing required attribute or element, or a value of the wrong type.');
  out.push(' */');
  out.push(`export function toXml(melding: ${root}, opts: { declaration?: boolean } = {}): string {`);
  out.push('  let body: string;');
  out.push('  try {');
  out.push(`    body = w_${rootId}(melding);`);
  out.push('  } catch (e) {');
  out.push('    throw $root(e);');
  out.push('  }');
  out.push(`  return opts.declaration === false ? body : '<?xml version="1.0" encoding="UTF-8"?>\\n' + body;`);
  out.push('}');
  out.push('');
  out.push('/** The writer of each element below the root, for elementToXml. */');
  out.push('const WRITERS: Readonly<Record<string, (o: never) => string>> = {');
  for (const c of classes) if (c.name !== root) out.push(`  ${lit(c.name)}: w_${ids.get(c.name)},`);
  out.push('};');
  out.push('');
  out.push('/**');
  out.push(' * One element written on its own (as toXml would write it inside its parent), to be placed');
  out.push(' * where its object would go in a later toXml. Throws XmlCodecError as toXml does.');
  out.push(' */');
  out.push('export function elementToXml(element: string, value: unknown): SerialisedElement {');
  out.push('  return $writeElement(WRITERS, element, value);');
  out.push('}');
  out.push('');
  out.push(shapeTable(classes));
  out.push('');
  out.push(`const read = compileReader<${root}>(SHAPE);`);
  out.push('');
  out.push('/**');
  out.push(` * The JSON form of a ${root} document (a string, or UTF-8 bytes whatever the declaration says;`);
  out.push(' * strict, namespace-aware). Throws XmlCodecError naming the element path, line and column for');
  out.push(" * anything the JSON form cannot hold. Content rules are the validator's job.");
  out.push(' */');
  out.push(`export function fromXml(xml: string | Uint8Array): ${root} {`);
  out.push('  return read(xml);');
  out.push('}');
  out.push('');
  return out.join('\n');
}
