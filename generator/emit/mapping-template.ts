// Emits the mapping template of a message version (`generated/<m>/<v>/mapping-template.yaml`,
// printed by `kpr mapping template hst@56.0.0`): a YAML scaffold of the consultation subtree with
// every target attribute, its type, cardinality, code list (codes and texts) and usage notes as
// comments. Rendered with Handlebars from generator/templates/mapping-template.yaml.hbs, so next
// year's template comes from next year's spec with no code change.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import { acceptedCodes, isArrayChild, isRequired, sentAttributes } from '../model/json-form.ts';
import { findClass, specId, type Attribute, type ClassDef, type MessageSpec } from '../model/types.ts';

const hb = Handlebars.create();

const CONSEQUENCE_TEXT: Record<string, string> = {
  'discard-message': 'discard message',
  'discard-row': 'discard row',
  'set-null': 'set NULL',
  'set-minus-one': 'set -1',
  'set-zero': 'set 0',
  none: 'logged only',
};

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this strips
const CONTROL = /[\u0000-\u001f\u007f]+/g;

/** Text that must stay inside a YAML comment: one line, no control characters. */
function oneLine(s: string): string {
  return s.replace(CONTROL, ' ').replace(/\s+/g, ' ').trim();
}

/** Wraps prose into comment lines of at most `width` characters. */
function wrap(text: string | undefined, width = 96): string[] {
  if (!text) return [];
  const out: string[] = [];
  for (const para of text.split(/\n\s*\n|\r?\n/)) {
    let line = '';
    for (const word of oneLine(para).split(' ')) {
      if (!word) continue;
      if (line && line.length + word.length + 1 > width) {
        out.push(line);
        line = word;
      } else line = line ? `${line} ${word}` : word;
    }
    if (line) out.push(line);
  }
  return out;
}

interface AttrView {
  name: string;
  required: boolean;
  summary: string;
  notes: string[];
}

interface ClassView {
  indent: string;
  name: string;
  cardinality: string;
  label: string;
  array: boolean;
  required: boolean;
  /** Prefix of live lines: '' when the block is live, '# ' when commented out. */
  off: string;
  notes: string[];
  attributes: AttrView[];
  children: ClassView[];
}

function typeText(spec: MessageSpec, a: Attribute): string {
  switch (a.type) {
    case 'coded': {
      const list = spec.codelists.get(a.codelist!);
      return `code list ${a.codelist}${list ? ` ${list.name}` : ''}`;
    }
    case 'date':
      return 'date YYYY-MM-DD';
    case 'dateTime':
      return 'local date-time YYYY-MM-DDTHH:MM:SS (Norwegian time)';
    case 'guid':
      return 'GUID';
    case 'nonNegativeInteger':
      return 'whole number ≥ 0';
    case 'integer':
      return a.digits ? `whole number; as a number this ${a.digits}-digit identifier loses its leading zeros` : 'whole number';
    case 'number':
      return 'number';
    case 'boolean':
      return 'true or false';
    case 'dateTimeOffset':
      return 'date-time with offset, e.g. 2024-05-10T17:08:31+02:00';
    default:
      return a.maxLength !== undefined ? `text, max ${a.maxLength}` : 'text';
  }
}

function attrView(spec: MessageSpec, a: Attribute): AttrView {
  const required = isRequired(a);
  const notes: string[] = [];
  notes.push(...wrap(a.description));
  if (a.usage) notes.push(...wrap(`Bruk: ${a.usage}`));
  if (a.usageComment) notes.push(...wrap(`Merknad: ${a.usageComment}`));
  if (a.fixed !== undefined) notes.push(`Fixed: ${oneLine(a.fixed)} (filled in for you)`);
  if (a.enum) notes.push(`One of: ${a.enum.map((v) => JSON.stringify(v)).join(', ')}`);
  if (a.nullable) notes.push('May be null.');
  // A guess must not pass for a rule: say so where the vendor maps the field.
  if (a.provenance?.status === 'inferred') notes.push(...wrap(`Inferred from ${a.provenance.source}, not published${a.provenance.note ? `: ${a.provenance.note}` : '.'}`));
  if (a.type === 'coded') {
    const list = spec.codelists.get(a.codelist!);
    for (const c of acceptedCodes(spec, a)) {
      const text = list?.codes.find((k) => k.code === c)?.text ?? '';
      notes.push(`  ${`'${c}'`.padEnd(8)} ${oneLine(text)}`);
    }
  }
  const controls = a.controls
    .filter((c) => c.consequence !== 'none')
    .map(
      (c) =>
        `${c.kind === 'required' ? 'missing' : c.kind === 'datatype' ? 'wrong format' : c.kind === 'code' ? 'unknown code' : 'out of range'} → ${CONSEQUENCE_TEXT[c.consequence]}`,
    );
  if (controls.length) notes.push(`Receiver: ${controls.join('; ')}`);
  const summary = `${a.name}: ${oneLine(a.label)} (${typeText(spec, a)}) ${required ? '1, REQUIRED' : '0..1'}`;
  return { name: a.name, required, summary, notes };
}

function classView(spec: MessageSpec, c: ClassDef, indent: string, card: { min: number; max: number | null; array: boolean }, on: boolean): ClassView {
  const bodyIndent = card.array ? `${indent}    ` : `${indent}  `;
  return {
    indent,
    name: c.name,
    cardinality: `${card.min}..${card.max === null ? '*' : card.max}`,
    label: oneLine(c.label),
    array: card.array,
    required: card.min > 0,
    off: on ? '' : '# ',
    notes: wrap(c.description),
    attributes: sentAttributes(c).map((a) => attrView(spec, a)),
    children: c.children.map((ch) => {
      const cls = findClass(spec, ch.class)!;
      return classView(spec, cls, bodyIndent, { min: ch.min, max: ch.max, array: isArrayChild(ch) }, on && ch.min > 0);
    }),
  };
}

hb.registerPartial(
  'class',
  [
    '{{#each notes}}{{../indent}}# {{this}}\n{{/each}}',
    '{{indent}}{{off}}{{name}}:{{#if array}}{{#unless root}}                  # {{cardinality}} {{label}}: one per item of a source list{{/unless}}\n',
    '{{indent}}{{off}}  each: ~\n',
    '{{indent}}{{off}}  map:{{/if}}{{#unless array}}{{#unless root}}                  # {{cardinality}} {{label}}{{/unless}}{{/unless}}\n',
    '{{#each attributes}}',
    '{{#if ../array}}  {{/if}}{{../indent}}  # {{summary}}\n',
    '{{#each notes}}{{#if ../../array}}  {{/if}}{{../../indent}}  #   {{this}}\n{{/each}}',
    '{{#if required}}{{#if ../array}}  {{/if}}{{../indent}}  {{../off}}{{name}}: ~\n{{else}}{{#if ../array}}  {{/if}}{{../indent}}  # {{name}}: ~\n{{/if}}',
    '{{/each}}',
    '{{#each children}}\n{{> class this}}{{/each}}',
  ].join(''),
);

let compiled: HandlebarsTemplateDelegate | undefined;

function template(): HandlebarsTemplateDelegate {
  compiled ??= hb.compile(readFileSync(fileURLToPath(new URL('../templates/mapping-template.yaml.hbs', import.meta.url)), 'utf8'), { noEscape: true, strict: false });
  return compiled;
}

/**
 * The class a mapping produces: the first child of Notifikasjon (HST: Konsultasjon); for a JSON
 * message type, its `record` (HST_Avtale: avtale), else the root's first array member.
 */
export function mappedClass(spec: MessageSpec): ClassDef {
  if (spec.json) {
    const root = findClass(spec, spec.root);
    const name = spec.json.record ?? root?.children.find((ch) => isArrayChild(ch))?.class ?? spec.root;
    return findClass(spec, name)!;
  }
  const notifikasjon = findClass(spec, 'Notifikasjon');
  const name = notifikasjon?.children[0]?.class ?? findClass(spec, spec.root)?.children[0]?.class ?? spec.root;
  return findClass(spec, name)!;
}

export function emitMappingTemplate(spec: MessageSpec, source: string, className?: string): string {
  const cls = className ? findClass(spec, className) : mappedClass(spec);
  if (!cls) throw new Error(`${specId(spec)} has no class ${className}`);
  const root = { ...classView(spec, cls, '', { min: 1, max: 1, array: false }, true), root: true };
  const text = template()({
    id: specId(spec),
    title: oneLine(spec.title),
    standard: oneLine(spec.json ? `${spec.json.messageType} ${spec.version}` : spec.standard),
    source,
    root,
  });
  return text
    .replace(/[ \t]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .replace(/\s*$/, '\n');
}
