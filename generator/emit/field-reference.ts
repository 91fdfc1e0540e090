// The field reference for vendors: generated/<message>/<version>/README.md, the page a vendor's
// developer keeps open while mapping the EPJ onto the message. Every class and attribute with
// its Norwegian label beside the official name, type, cardinality, code list, usage notes and
// the receiver's quality controls with their consequences. Built as a view model here and
// rendered by templates/field-reference.md.hbs; deterministic, no timestamps.

import { generatedNotice } from './codegen.ts';
import { CONSEQUENCE_TEXT, CONTROL_TEXT, controlDetail } from '../diff/consequence.ts';
import { formatCardinality } from '../load/build.ts';
import { acceptedCodes, isArrayChild, isRequired } from '../model/json-form.ts';
import type { Attribute, ChildRef, ClassDef, MessageSpec, Provenance } from '../model/types.ts';
import { mdCode, mdText, template } from '../templates/index.ts';

const USE_TEXT: Record<Attribute['use'], string> = {
  required: 'required',
  obligatory: 'obligatory (O)',
  optional: 'optional',
  prohibited: 'prohibited',
  ignored: 'ignored (I)',
};

export function emitFieldReference(spec: MessageSpec, source: string): string {
  return template('field-reference.md.hbs')(view(spec, source));
}

function anchor(name: string): string {
  return `class-${name.toLowerCase().replace(/[^a-z0-9_-]+/g, '-')}`;
}

function view(spec: MessageSpec, source: string) {
  const byName = new Map(spec.classes.map((c) => [c.name, c]));
  const paths = new Map<string, string>();
  const tree: { indent: string; name: string; label: string; card: string; anchor: string }[] = [];
  const walk = (name: string, path: string, depth: number, card: string) => {
    const c = byName.get(name);
    tree.push({ indent: '  '.repeat(depth), name, label: c?.label ?? '', card, anchor: anchor(name) });
    if (paths.has(name)) return; // shown once in full
    paths.set(name, path);
    for (const ch of c?.children ?? []) walk(ch.class, `${path}/${ch.class}`, depth + 1, formatCardinality(ch.min, ch.max));
  };
  const json = spec.json;
  // JSON message types: paths as JSONPath from the body (`$[*].avtale[*].person`).
  const jsonPaths = json ? memberPaths(spec, byName) : undefined;
  walk(spec.root, spec.root, 0, json?.body === 'array' ? '1..*' : '1');

  const classes = spec.classes.map((c) => classView(spec, c, jsonPaths?.get(c.name) ?? paths.get(c.name) ?? c.name, byName));
  const members = spec.classes.flatMap((c) => [c.provenance, ...c.attributes.map((a) => a.provenance)]).filter((p) => p !== undefined);
  return {
    source,
    json,
    provenanceCount: {
      published: members.filter((p) => p.status === 'published').length,
      inferred: members.filter((p) => p.status === 'inferred').length,
    },
    leadingZeros: spec.classes.flatMap((c) => c.attributes.filter((a) => a.digits !== undefined && a.digits > 1).map((a) => ({ name: `${c.name}.${a.name}` }))),
    spec,
    banner: generatedNotice(source),
    tree,
    classes,
    codelistCount: spec.codelists.size,
    rules: spec.rules.map((r) => ({ ...r, quote: `«${r.text}»`, anchor: `rule-${r.id.toLowerCase().replace(/[^a-z0-9]+/g, '-')}` })),
  };
}

/** Each class's JSONPath from the body, where it is first reached. */
function memberPaths(spec: MessageSpec, byName: Map<string, ClassDef>): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (name: string, path: string) => {
    if (out.has(name)) return;
    out.set(name, path);
    for (const ch of byName.get(name)?.children ?? []) walk(ch.class, `${path}.${ch.class}${isArrayChild(ch) ? '[*]' : ''}`);
  };
  walk(spec.root, spec.json?.body === 'array' ? '$[*]' : '$');
  return out;
}

/** "**Inferred** from `sample`, not published: note" — what a reader must not mistake for fact. */
function provenanceText(p: Provenance | undefined): string | undefined {
  if (!p) return undefined;
  const head = p.status === 'inferred' ? `**Inferred** from ${mdCode(p.source)}, not published` : `**Published** in ${mdCode(p.source)}`;
  return p.note ? `${head}: ${mdText(p.note)}` : `${head}.`;
}

/** What a JSON member's cardinality does not say: null allowed, presence unlike `min > 0`. */
function childFlags(ch: ChildRef): string {
  const flags = [
    ch.nullable ? 'may be null' : '',
    ch.required === true && ch.min === 0 ? 'must be sent, even empty' : '',
    ch.required === false && ch.min > 0 ? 'may be left out' : '',
  ].filter(Boolean);
  return flags.length ? ` (${flags.join(', ')})` : '';
}

/** A made-up identifier that starts with 0, to show what a number does to it. */
function leadingZeroExample(digits: number): { text: string; number: string } {
  const text = `0${'123456789'.repeat(2)}`.slice(0, digits);
  return { text, number: String(Number(text)) };
}

function classView(spec: MessageSpec, c: ClassDef, path: string, byName: Map<string, ClassDef>) {
  const json = spec.kind === 'json';
  return {
    ...c,
    path,
    provenanceText: provenanceText(c.provenance),
    anchor: anchor(c.name),
    children: c.children.map((ch) => ({
      name: ch.class,
      label: byName.get(ch.class)?.label ?? '',
      card: formatCardinality(ch.min, ch.max) + childFlags(ch),
      anchor: anchor(ch.class),
    })),
    unique: c.unique.map((u) => ({ name: u.name, what: `${u.selector}/@${u.fields.join(' + @')}` })),
    keyrefs: c.keyrefs.map((k) => ({ name: k.name, what: `${k.selector}/@${k.fields.join(' + @')} → ${k.refer}` })),
    primaryKey: c.primaryKey?.join(', '),
    attributes: c.attributes.map((a) => ({ ...attributeView(spec, a, path, json), anchor: `${anchor(c.name)}-${a.name.toLowerCase().replace(/[^a-z0-9_-]+/g, '-')}` })),
  };
}

function attributeView(spec: MessageSpec, a: Attribute, classPath: string, json: boolean) {
  const sent = a.use !== 'prohibited' && a.use !== 'ignored';
  const list = a.codelist ? spec.codelists.get(a.codelist) : undefined;
  const accepted = a.type === 'coded' ? new Set(acceptedCodes(spec, a)) : undefined;
  const published = a.codes ? new Set(a.codes) : undefined;
  const restrictions = [
    a.fixed !== undefined ? `fixed ${JSON.stringify(a.fixed)}` : '',
    a.minLength !== undefined ? `min ${a.minLength} chars` : '',
    a.maxLength !== undefined ? `max ${a.maxLength} chars` : '',
    a.pattern !== undefined ? `pattern /${a.pattern}/` : '',
    a.enum !== undefined ? `one of ${a.enum.map((v) => JSON.stringify(v)).join(', ')}` : '',
    a.minimum !== undefined ? `≥ ${a.minimum}` : '',
    a.exclusiveMinimum !== undefined ? `> ${a.exclusiveMinimum}` : '',
    a.maximum !== undefined ? `≤ ${a.maximum}` : '',
    a.exclusiveMaximum !== undefined ? `< ${a.exclusiveMaximum}` : '',
    a.nullable ? 'may be null' : '',
    a.digits !== undefined ? `${a.digits}-digit identifier` : '',
  ].filter(Boolean);
  return {
    ...a,
    path: json ? `${classPath}.${a.name}` : `${classPath}/@${a.name}`,
    provenanceText: provenanceText(a.provenance),
    leadingZero: a.digits !== undefined && a.digits > 1 ? leadingZeroExample(a.digits) : undefined,
    useText: USE_TEXT[a.use],
    card: !sent ? '0' : isRequired(a) ? '1' : '0..1',
    restrictions: restrictions.join('; '),
    examples: a.examples?.length ? a.examples : undefined,
    controls: a.controls.map((c) => ({
      kind: c.kind,
      name: CONTROL_TEXT[c.kind],
      detail: controlDetail(c),
      consequence: c.consequence,
      consequenceText: CONSEQUENCE_TEXT[c.consequence],
    })),
    codelist: list && {
      number: list.number,
      name: list.name,
      oid: list.oid,
      narrowed: accepted!.size < list.codes.length,
      codes: list.codes
        .filter((code) => !published || published.has(code.code))
        .map((code) => ({
          ...code,
          accepted: accepted!.has(code.code),
          validity: code.validFrom || code.validTo ? `${code.validFrom ?? '…'} – ${code.validTo ?? '…'}` : '',
        })),
    },
  };
}
