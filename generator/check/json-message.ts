// A JSON message type (kind: json) says where every member comes from, through a source it
// defines; uses only what the JSON form can carry; and keeps its bounds and enums coherent. An
// XML message uses none of the JSON-only keys. See docs/spec-format.md, "JSON message types".
import { diag, type Diagnostic } from '../diagnostics.ts';
import type { Attribute, AttributeType, MessageSpec, Provenance, SourcePos } from '../model/types.ts';
import type { SpecRule } from './rule.ts';

const JSON_TYPES: ReadonlySet<AttributeType> = new Set(['number', 'boolean', 'dateTimeOffset']);
const JSON_KEYS = ['provenance', 'nullable', 'enum', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'digits'] as const;
const NUMERIC: ReadonlySet<AttributeType> = new Set(['integer', 'nonNegativeInteger', 'number']);

function fitsType(type: AttributeType, v: string | number | boolean): boolean {
  if (type === 'boolean') return typeof v === 'boolean';
  if (type === 'number') return typeof v === 'number';
  if (type === 'integer' || type === 'nonNegativeInteger') return Number.isInteger(v) && (type === 'integer' || (v as number) >= 0);
  return typeof v === 'string';
}

function checkProvenance(spec: MessageSpec, p: Provenance | undefined, at: SourcePos, what: string, out: Diagnostic[]) {
  if (!p) {
    out.push(diag('KPR1601', at, `${what} has no provenance`));
    return;
  }
  if (!spec.json?.sources.some((s) => s.id === p.source)) {
    out.push(diag('KPR1602', p.at ?? at, `${what}: provenance names source ${p.source}, which \`sources\` does not define`));
  }
}

function checkBounds(a: Attribute, where: string, out: Diagnostic[]) {
  const lows = [a.minimum, a.exclusiveMinimum].filter((x): x is number => x !== undefined);
  const highs = [a.maximum, a.exclusiveMaximum].filter((x): x is number => x !== undefined);
  if ((lows.length || highs.length) && !NUMERIC.has(a.type)) {
    out.push(diag('KPR1605', a.at, `${where}: bounds on a member of type ${a.type}`));
    return;
  }
  for (const lo of lows) for (const hi of highs) if (lo > hi) out.push(diag('KPR1605', a.at, `${where}: lower bound ${lo} is above upper bound ${hi}`));
}

function checkJson(spec: MessageSpec, out: Diagnostic[]) {
  const record = spec.json?.record;
  if (record !== undefined && !spec.classes.some((c) => c.name === record))
    out.push(diag('KPR1201', spec.metaAt.record ?? spec.at, `record names ${record}, which is not a defined class`));
  for (const key of ['namespace', 'schemaVersion', 'standard'] as const) {
    if (spec[key] !== '') out.push(diag('KPR1603', spec.metaAt[key] ?? spec.at, `\`${key}\` belongs to XML messages; a JSON message type has none`));
  }
  for (const c of spec.classes) {
    checkProvenance(spec, c.provenance, c.at, c.name, out);
    for (const u of [...c.unique, ...c.keyrefs]) out.push(diag('KPR1603', u.at, `${c.name}: unique and keyrefs are XSD identity constraints; a JSON message type has none`));
    for (const a of c.attributes) {
      const where = `${c.name}.${a.name}`;
      checkProvenance(spec, a.provenance, a.at, where, out);
      if (a.controls.length) out.push(diag('KPR1603', a.controls[0].at ?? a.at, `${where}: controls name XPaths of the XML form; a JSON message type has none`));
      if (a.digits !== undefined && a.type !== 'integer' && a.type !== 'nonNegativeInteger') out.push(diag('KPR1604', a.at, `${where}: digits on a member of type ${a.type}`));
      checkBounds(a, where, out);
      for (const v of a.enum ?? []) if (!fitsType(a.type, v)) out.push(diag('KPR1606', a.at, `${where}: enum value ${JSON.stringify(v)} is not of type ${a.type}`));
    }
  }
}

function checkXml(spec: MessageSpec, out: Diagnostic[]) {
  for (const c of spec.classes) {
    if (c.provenance) out.push(diag('KPR1603', c.provenance.at ?? c.at, `${c.name}: provenance belongs to JSON message types (kind: json)`));
    for (const ch of c.children)
      if (ch.nullable || ch.required !== undefined) out.push(diag('KPR1603', ch.at, `${c.name}/${ch.class}: nullable and required belong to JSON message types (kind: json)`));
    for (const a of c.attributes) {
      if (JSON_TYPES.has(a.type)) out.push(diag('KPR1603', a.at, `${c.name}/@${a.name}: type ${a.type} belongs to JSON message types (kind: json)`));
      for (const k of JSON_KEYS) if (a[k] !== undefined) out.push(diag('KPR1603', a.at, `${c.name}/@${a.name}: \`${k}\` belongs to JSON message types (kind: json)`));
    }
  }
}

export const jsonMessage: SpecRule = {
  ids: ['KPR1201', 'KPR1601', 'KPR1602', 'KPR1603', 'KPR1604', 'KPR1605', 'KPR1606'],
  check(spec) {
    const out: Diagnostic[] = [];
    if (spec.kind === 'json') checkJson(spec, out);
    else checkXml(spec, out);
    return out;
  },
};
