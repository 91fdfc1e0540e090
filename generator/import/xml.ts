// A small XML tree for the importer: the official XSDs are parsed with saxes into plain
// elements that keep their comments and CDATA, because the publications put meaning in both
// (code list numbers in comments after simpleTypes, consequence names after handling ids,
// receiver regexes in CDATA).
import { SaxesParser } from 'saxes';
import { ImportError } from './errors.ts';

export interface XmlElement {
  kind: 'element';
  /** Qualified name as written, e.g. `npr:xprAppInfo`. */
  name: string;
  /** Name without prefix, e.g. `xprAppInfo`. */
  local: string;
  attrs: Record<string, string>;
  children: XmlNode[];
  line: number;
}
export interface XmlText {
  kind: 'text';
  text: string;
}
export interface XmlComment {
  kind: 'comment';
  text: string;
}
export type XmlNode = XmlElement | XmlText | XmlComment;

/**
 * XML normalises line breaks inside attribute values to spaces, but the Annotations files
 * write multi-line texts (Bruk, Kommentar) as raw line breaks in `value="..."`. Turning those
 * into character references first keeps the published line breaks. Quoted values cannot hold
 * `"` or `<`, so the pattern cannot run past the end of a value.
 */
function keepLineBreaksInAttributes(xml: string): string {
  return xml.replace(/="([^"<]*)"/g, (whole, value: string) => (value.includes('\n') ? `="${value.replace(/\r?\n/g, '&#10;')}"` : whole));
}

/** Parse `xml` (already decoded) into a tree; errors name `file` and the line. */
export function parseXml(xml: string, file: string): XmlElement {
  const parser = new SaxesParser({ position: true });
  const root: XmlElement = { kind: 'element', name: '#document', local: '#document', attrs: {}, children: [], line: 0 };
  const stack: XmlElement[] = [root];
  let failure: Error | undefined;
  parser.on('error', (err) => {
    failure ??= new ImportError(`${file}: not well-formed XML: ${err.message}`);
  });
  parser.on('opentag', (tag) => {
    const name = tag.name;
    const attrs: Record<string, string> = {};
    for (const [k, v] of Object.entries(tag.attributes)) attrs[k] = typeof v === 'string' ? v : v.value;
    const el: XmlElement = {
      kind: 'element',
      name,
      local: name.includes(':') ? name.slice(name.indexOf(':') + 1) : name,
      attrs,
      children: [],
      line: parser.line,
    };
    stack[stack.length - 1].children.push(el);
    stack.push(el);
  });
  parser.on('closetag', () => {
    stack.pop();
  });
  parser.on('text', (text) => stack[stack.length - 1].children.push({ kind: 'text', text }));
  parser.on('cdata', (text) => stack[stack.length - 1].children.push({ kind: 'text', text }));
  parser.on('comment', (text) => stack[stack.length - 1].children.push({ kind: 'comment', text }));
  parser.write(keepLineBreaksInAttributes(xml.replace(/\r\n/g, '\n'))).close();
  if (failure) throw failure;
  const top = root.children.find((n): n is XmlElement => n.kind === 'element');
  if (!top) throw new ImportError(`${file}: no root element`);
  return top;
}

export function elements(el: XmlElement, local?: string): XmlElement[] {
  return el.children.filter((n): n is XmlElement => n.kind === 'element' && (local === undefined || n.local === local));
}

export function firstElement(el: XmlElement, local: string): XmlElement | undefined {
  return elements(el, local)[0];
}

/** All text below `el` (text and CDATA), concatenated. */
export function textOf(el: XmlElement): string {
  let out = '';
  for (const n of el.children) {
    if (n.kind === 'text') out += n.text;
    else if (n.kind === 'element') out += textOf(n);
  }
  return out;
}
