// The Handlebars templates of the generated Markdown (field reference, changelog, diff), compiled
// once each on an isolated Handlebars instance with the few helpers they need. Markdown is not
// HTML: nothing is HTML-escaped wholesale (`noEscape`); instead the helpers make text safe where
// Markdown needs it (table cells, inline code, a stray `<`).

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';

const hb = Handlebars.create();

/** Prose from a spec: a `<` would start an HTML tag in Markdown and hide the text after it. */
export function mdText(value: unknown): string {
  if (value === undefined || value === null) return '';
  return String(value)
    .replace(/&(?=[A-Za-z#][A-Za-z0-9]*;)/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/\r\n?/g, '\n');
}

/** A paragraph of spec prose: its line breaks are kept (published usage notes are often lists). */
export function mdPara(value: unknown): string {
  return mdText(value)
    .trim()
    .replace(/[ \t]*\n/g, '  \n');
}

/** One table cell: no pipe may end the cell early and no line break may end the row. */
export function mdCell(value: unknown): string {
  return mdText(value).trim().replace(/\|/g, '\\|').replace(/\n+/g, '<br>');
}

/** Inline code that survives backticks in the value. */
export function mdCode(value: unknown): string {
  if (value === undefined || value === null || value === '') return '';
  const s = String(value).replace(/\r?\n/g, ' ');
  const runs = s.match(/`+/g) ?? [];
  const fence = '`'.repeat(Math.max(0, ...runs.map((r) => r.length)) + 1);
  const pad = s.startsWith('`') || s.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${s}${pad}${fence}`;
}

hb.registerHelper('text', (v: unknown) => mdText(v));
hb.registerHelper('para', (v: unknown) => mdPara(v));
hb.registerHelper('cell', (v: unknown) => mdCell(v));
hb.registerHelper('code', (v: unknown) => mdCode(v));
// Inline code inside a table cell: the pipe must still be escaped.
hb.registerHelper('cellCode', (v: unknown) => mdCode(v).replace(/\|/g, '\\|'));
hb.registerHelper('eq', (x: unknown, y: unknown) => x === y);
hb.registerHelper('join', (v: unknown, sep: unknown) => (Array.isArray(v) ? v.join(typeof sep === 'string' ? sep : ', ') : ''));
hb.registerHelper('upper', (v: unknown) => String(v ?? '').toUpperCase());

export type Template = (view: object) => string;

const cache = new Map<string, Template>();

function compile(source: string): Template {
  const t = hb.compile(source, { noEscape: true, strict: false });
  // Collapse runs of blank lines that conditional blocks leave behind, and end with one newline.
  return (view) =>
    t(view)
      .replace(/\n{3,}/g, '\n\n')
      .replace(/\s*$/, '\n');
}

/** A template shipped in this folder, by file name (`field-reference.md.hbs`). */
export function template(name: string): Template {
  let t = cache.get(name);
  if (!t) {
    t = compile(readFileSync(fileURLToPath(new URL(name, import.meta.url)), 'utf8'));
    cache.set(name, t);
  }
  return t;
}

/** A user's own template file (`kpr spec diff --template`). */
export function templateFromFile(file: string): Template {
  return compile(readFileSync(file, 'utf8'));
}
