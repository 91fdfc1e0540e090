// The JSON text of what a generated mapping made, written as UTF-8 straight into the output's
// byte buffer: byte for byte what JSON.stringify gives, at a fraction of the cost of making that
// string and encoding it (kpr map writes one such line per record). The writer knows the shape
// of the objects, as codegen.ts made them: one function per class reads its keys by name, in the
// order of the object literals (the spec's), and leaves out the ones that are undefined. An
// object where a child is, is taken to be one of that class (the mapping puts no other there);
// values it does not expect (anything but texts and numbers where an attribute is, anything but
// objects where a child is) go through JSON.stringify itself.

import { compileSource, literal as lit } from '../codegen/compile.ts';
import type { ClassPlan, MappingPlan } from './compile.ts';

/** Where the writer writes: `buf` from `pos` on; `grow` makes room for `need` more bytes. */
export interface ByteSink {
  buf: Buffer;
  pos: number;
  grow(need: number): void;
}

/** Writes `value` (an object made by the mapping) as JSON text into `sink`, moving `sink.pos`. */
export type JsonWriter = (value: Record<string, unknown>, sink: ByteSink) => void;

const HEX = '0123456789abcdef';

/** `\uXXXX`, as JSON.stringify writes control characters and lone surrogates. */
function unicodeEscape(b: Buffer, p: number, c: number): number {
  b[p] = 92;
  b[p + 1] = 117;
  b[p + 2] = HEX.charCodeAt(c >> 12);
  b[p + 3] = HEX.charCodeAt((c >> 8) & 15);
  b[p + 4] = HEX.charCodeAt((c >> 4) & 15);
  b[p + 5] = HEX.charCodeAt(c & 15);
  return p + 6;
}

/** The short escapes of JSON.stringify, by character code (0 where there is none). */
const SHORT_ESCAPE = new Uint8Array(128);
SHORT_ESCAPE[8] = 98; // \b
SHORT_ESCAPE[9] = 116; // \t
SHORT_ESCAPE[10] = 110; // \n
SHORT_ESCAPE[12] = 102; // \f
SHORT_ESCAPE[13] = 114; // \r
SHORT_ESCAPE[34] = 34; // \"
SHORT_ESCAPE[92] = 92; // \\

/**
 * A text as a JSON string in UTF-8 at `p`; returns the position after it. The caller has made
 * room for `6 * s.length + 2` bytes (the longest escape per UTF-16 unit, and the quotes). Kept
 * small so that V8 inlines it: printable ASCII is copied here, the rest left to writeTextFrom.
 */
export function writeJsonString(b: Buffer, p: number, s: string): number {
  b[p++] = 34;
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 34 || c === 92) {
      p = writeTextFrom(b, p, s, i);
      break;
    }
    b[p++] = c;
  }
  b[p++] = 34;
  return p;
}

/** The characters of `s` from `i` on, escaped and encoded as JSON.stringify and UTF-8 do. */
function writeTextFrom(b: Buffer, p: number, s: string, i: number): number {
  const n = s.length;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) {
      if (c >= 0x20 && c !== 34 && c !== 92) b[p++] = c;
      else if (SHORT_ESCAPE[c]) {
        b[p++] = 92;
        b[p++] = SHORT_ESCAPE[c];
      } else p = unicodeEscape(b, p, c);
    } else if (c < 0x800) {
      b[p++] = 0xc0 | (c >> 6);
      b[p++] = 0x80 | (c & 0x3f);
    } else if (c < 0xd800 || c > 0xdfff) {
      b[p++] = 0xe0 | (c >> 12);
      b[p++] = 0x80 | ((c >> 6) & 0x3f);
      b[p++] = 0x80 | (c & 0x3f);
    } else {
      const d = c <= 0xdbff && i + 1 < n ? s.charCodeAt(i + 1) : 0;
      if (d >= 0xdc00 && d <= 0xdfff) {
        const u = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        b[p++] = 0xf0 | (u >> 18);
        b[p++] = 0x80 | ((u >> 12) & 0x3f);
        b[p++] = 0x80 | ((u >> 6) & 0x3f);
        b[p++] = 0x80 | (u & 0x3f);
        i++;
      } else p = unicodeEscape(b, p, c); // a lone surrogate, escaped as JSON.stringify does
    }
  }
  return p;
}

/** A number as JSON.stringify writes it (null when not finite); room for 25 bytes is made. */
export function writeJsonNumber(b: Buffer, p: number, v: number): number {
  if (v >= 0 && v < 10 && (v | 0) === v) {
    b[p] = 48 + v;
    return p + 1;
  }
  const s = Number.isFinite(v) ? String(v) : 'null';
  for (let i = 0; i < s.length; i++) b[p++] = s.charCodeAt(i);
  return p;
}

/** Bytes of a key (`"name":`) at `p`. */
function writeBytes(b: Buffer, p: number, bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; i++) b[p + i] = bytes[i];
  return p + bytes.length;
}

/** UTF-8 of a JSON text that JSON.stringify made, for the values the writer does not expect. */
function writeText(b: Buffer, p: number, text: string): number {
  return p + b.write(text, p, 'utf8');
}

interface ClassShape {
  attributes: Set<string>;
  children: Map<string, { className: string; array: boolean }>;
}

/** What each class's objects may hold, over every block that makes them. */
function shapesOf(plan: MappingPlan): Map<string, ClassShape> {
  const shapes = new Map<string, ClassShape>();
  const visit = (c: ClassPlan) => {
    let s = shapes.get(c.className);
    if (!s) {
      s = { attributes: new Set(), children: new Map() };
      shapes.set(c.className, s);
    }
    for (const r of c.rules) s.attributes.add(r.target);
    for (const ch of c.children) {
      s.children.set(ch.name, { className: ch.child.name, array: ch.child.array });
      for (const b of ch.blocks) visit(b.body);
    }
  };
  visit(plan.root);
  return shapes;
}

/**
 * The writer of a mapping's Konsultasjon objects, generated once (as codegen.ts generates the
 * mapping). Keys come in the spec's order, attributes before children: the order of every object
 * literal the generated mapping writes, whichever block made it.
 */
export function generateJsonWriter(plan: MappingPlan): { source: string; write: JsonWriter } {
  const shapes = shapesOf(plan);
  const keys: Uint8Array[] = [];
  const keyOf = (name: string) => {
    keys.push(Buffer.from(`${lit(name)}:`, 'utf8'));
    return keys.length - 1;
  };
  const fns: string[] = [];
  const names = new Map<string, string>();
  const emit = (className: string): string => {
    const known = names.get(className);
    if (known) return known;
    const fn = `j${names.size}`;
    names.set(className, fn);
    const shape = shapes.get(className)!;
    const cls = plan.target.classes.get(className);
    const attributes = [...(cls?.attributes.keys() ?? [])].filter((a) => shape.attributes.has(a));
    const children = [...(cls?.children.keys() ?? [])].filter((c) => shape.children.has(c));
    const body = ['let v, c = 0;', 'room(1); B[P++] = 123;'];
    for (const a of attributes) body.push(`v = o[${lit(a)}]; if (v !== undefined) c = val(c, ${keyOf(a)}, v);`);
    for (const name of children) {
      const ch = shape.children.get(name)!;
      const k = keyOf(name);
      const child = emit(ch.className);
      const start = `room(${keys[k].length + 2}); if (c) B[P++] = 44; P = key(B, P, K[${k}]); c = 1;`;
      if (ch.array) {
        body.push(
          `v = o[${lit(name)}]; if (v !== undefined) { if (Array.isArray(v)) { ${start} B[P++] = 91; for (let i = 0; i < v.length; i++) { const e = v[i]; room(1); if (i) B[P++] = 44; if (plain(e)) ${child}(e); else item(e); } room(1); B[P++] = 93; } else c = val(c, ${k}, v); }`,
        );
      } else body.push(`v = o[${lit(name)}]; if (v !== undefined) { if (plain(v)) { ${start} ${child}(v); } else c = val(c, ${k}, v); }`);
    }
    body.push('room(1); B[P++] = 125;');
    fns.push(`function ${fn}(o) {\n${body.join('\n')}\n}`);
    return fn;
  };
  const root = emit(plan.root.className);
  const source = `"use strict";
let S, B, P;
function room(n) { if (P + n > B.length) { S.pos = P; S.grow(n); B = S.buf; } }
const plain = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
// One attribute: its key (after a comma unless first) and value; returns whether one was written.
function val(c, k, v) {
  const kb = K[k];
  if (typeof v === "string") { room(kb.length + 6 * v.length + 3); if (c) B[P++] = 44; P = str(B, key(B, P, kb), v); return 1; }
  if (typeof v === "number") { room(kb.length + 26); if (c) B[P++] = 44; P = num(B, key(B, P, kb), v); return 1; }
  const t = JSON.stringify(v);
  if (t === undefined) return c;
  room(kb.length + 3 * t.length + 1); if (c) B[P++] = 44; P = text(B, key(B, P, kb), t); return 1;
}
// An array item that is not an object of the class: as JSON.stringify writes it (null for undefined).
function item(e) {
  const t = JSON.stringify(e) ?? "null";
  room(3 * t.length); P = text(B, P, t);
}
${fns.join('\n\n')}
return (value, sink) => {
  S = sink; B = sink.buf; P = sink.pos;
  try { ${root}(value); sink.pos = P; } finally { S = B = undefined; }
};`;
  return { source, write: compileSource<JsonWriter>({ K: keys, key: writeBytes, str: writeJsonString, num: writeJsonNumber, text: writeText }, source) };
}
