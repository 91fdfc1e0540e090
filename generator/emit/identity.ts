// The XSD's identity constraints (xs:unique, xs:key, xs:keyref) as JavaScript appended to the
// standalone validator: JSON Schema cannot say "unique by this attribute", so each exported
// validate<Class> is wrapped to check them after Ajv and to report a violation as an Ajv-shaped
// error (keyword `unique` or `keyref`, the constraint's name in params). xs:unique is checked
// as the XSD does: within each element of the class, its `selector` children, by `fields`, those
// without every field left out. An xs:keyref whose selector starts at the root (HST's
// RefEnhet_IDREF0, declared on Kommune with `Melding/Notifikasjon/Konsultasjon/RefEnhet`, a path
// the XSD evaluates from Kommune and so never matches) is checked as it is meant: across the
// Melding, when the Melding is validated (docs/consequences.md names it as stricter than the XSD).
// Dates are checked here too: a pattern cannot say that 2017-02-30 does not exist, and the XSD
// refuses it; the published "Dato" control takes the years 1900-2999 (keyword `date`). JSON
// message types get the day check only: FHI has published no year range for them. Their body
// validator (validateMessage, an array of root objects) checks each object as a root.

import type { MessageSpec } from '../model/types.ts';
import { lit } from './codegen.ts';

/** The body validator's class name in the checker: an array whose items are each a root. */
const BODY = '$body';
/** The name of a JSON message type's whole-body validator (validator.ts exports it). */
export const MESSAGE_VALIDATOR = 'validateMessage';

export function identityTable(spec: MessageSpec): Record<string, unknown> {
  const classes: Record<string, unknown> = {};
  for (const c of spec.classes) {
    classes[c.name] = {
      children: Object.fromEntries(c.children.map((ch) => [ch.class, ch.max === null || ch.max > 1])),
      unique: c.unique.map((u) => ({ name: u.name, selector: u.selector, fields: u.fields })),
      keyrefs: c.keyrefs.map((k) => ({ name: k.name, refer: k.refer.replace(/^\w+:/, ''), selector: k.selector, fields: k.fields })),
      dates: Object.fromEntries(c.attributes.filter((a) => a.type === 'date' || a.type === 'dateTime' || a.type === 'dateTimeOffset').map((a) => [a.name, a.type])),
      ...(c.exactlyOne && { exactlyOne: c.exactlyOne }),
    };
  }
  return { root: spec.root, years: spec.json ? null : [1900, 2999], classes };
}

/** Rewrites Ajv's `export const validateX = validateN;` lines and appends the checker. */
export function withIdentity(code: string, spec: MessageSpec): string {
  const wrapped = code.replace(/^export const (validate\w+) = (validate\d+);$/gm, (_m, name: string, fn: string) => {
    const cls = name === MESSAGE_VALIDATOR ? BODY : name.slice('validate'.length);
    return `export const ${name} = withIdentity(${lit(cls)}, ${fn});`;
  });
  return `${wrapped}\nconst IDENTITY = ${JSON.stringify(identityTable(spec))};\n${RUNTIME}`;
}

// Plain JavaScript, appended verbatim: no imports, no allocation unless a class has constraints.
const RUNTIME = String.raw`
function withIdentity(cls, validate) {
  const f = function (data, opts) {
    const ok = validate(data, opts);
    const errs = identityErrors(cls, data);
    const ajvErrs = ok ? [] : exactlyOneErrors(cls, validate.errors || []);
    f.errors = errs.length ? [...ajvErrs, ...errs] : ok ? null : ajvErrs;
    return ok && !errs.length;
  };
  f.errors = null;
  return f;
}
/**
 * exactlyOne ({XOR}) is emitted as oneOf over one \`required\` per child (json-schema.ts): Ajv
 * then reports each child as "required" besides the oneOf. Keep one error that names the choice.
 */
function exactlyOneErrors(cls, errors) {
  const out = [];
  for (const e of errors) {
    if (e.keyword === "required" && /\/oneOf\/\d+\/required$/.test(e.schemaPath)) {
      if (exactlyOneOf(cls, e.instancePath)) continue;
    }
    const list = e.keyword === "oneOf" ? exactlyOneOf(cls, e.instancePath) : undefined;
    if (list) {
      const held = (e.params.passingSchemas || []).map((i) => list[i]);
      out.push({ ...e, message: "must hold exactly one of " + list.join(", ") + (held.length ? " (it holds " + held.join(" and ") + ")" : " (it holds none)") });
    } else out.push(e);
  }
  return out;
}
/** The exactlyOne list of the class at instancePath (its last member name; the validated class at the root). */
function exactlyOneOf(cls, instancePath) {
  const steps = instancePath.split("/").filter((s) => s !== "" && !/^\d+$/.test(s));
  const c = IDENTITY.classes[steps.length ? steps[steps.length - 1].replace(/~1/g, "/").replace(/~0/g, "~") : cls];
  return c && c.exactlyOne;
}
const esc = (s) => String(s).replace(/~/g, "~0").replace(/\//g, "~1");
function childList(v) { return Array.isArray(v) ? v : v !== null && typeof v === "object" ? [v] : []; }
function keyOf(o, fields) {
  if (o === null || typeof o !== "object") return undefined;
  const vs = [];
  for (const f of fields) { if (o[f] === undefined || o[f] === null) return undefined; vs.push(String(o[f])); }
  return JSON.stringify(vs);
}
/** Every element of the class under data (of class cls), with its JSON path. */
function each(cls, data, path, want, out) {
  if (data === null || typeof data !== "object") return out;
  if (cls === want) out.push([data, path]);
  const c = IDENTITY.classes[cls];
  if (!c) return out;
  for (const [child, many] of Object.entries(c.children)) {
    const v = data[child];
    if (many && Array.isArray(v)) v.forEach((x, i) => each(child, x, path + "/" + esc(child) + "/" + i, want, out));
    else if (!many) each(child, v, path + "/" + esc(child), want, out);
  }
  return out;
}
const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
/** A day that exists, in the published years if any; the time (if any) left to the pattern. */
function realDate(v) {
  const y = Number(v.slice(0, 4)), m = Number(v.slice(5, 7)), d = Number(v.slice(8, 10));
  if (IDENTITY.years && !(y >= IDENTITY.years[0] && y <= IDENTITY.years[1])) return false;
  if (!(m >= 1 && m <= 12)) return false;
  const leap = m === 2 && y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  return d >= 1 && d <= DAYS[m - 1] + (leap ? 1 : 0);
}
/** Whether elements of the class, or any below them, carry a date or an xs:unique: the walk skips the rest. */
const NEEDED = {};
function needed(cls) {
  if (cls in NEEDED) return NEEDED[cls];
  NEEDED[cls] = false; // a class met again on its own path adds nothing new
  const c = IDENTITY.classes[cls];
  let v = !!c && (c.unique.length > 0 || Object.keys(c.dates).length > 0);
  if (c) for (const child of Object.keys(c.children)) if (needed(child)) v = true;
  return (NEEDED[cls] = v);
}
const pathOf = (segs) => segs.map((s) => "/" + (typeof s === "number" ? s : esc(s))).join("");
/** One visit per element: its dates and the xs:unique among its children; the path is spelt only for an error. */
function walk(cls, o, segs, errs) {
  if (o === null || typeof o !== "object" || Array.isArray(o)) return;
  const c = IDENTITY.classes[cls];
  if (!c) return;
  for (const a in c.dates) {
    const v = o[a];
    if (typeof v === "string" && !realDate(v)) errs.push({ instancePath: pathOf([...segs, a]), schemaPath: "#/x-kpr-date/" + a, keyword: "date", params: { kind: c.dates[a] }, message: "is not a " + (c.dates[a] === "date" ? "date" : "date and time") + " that exists" + (IDENTITY.years ? " in the years " + IDENTITY.years.join("-") : "") });
  }
  for (const u of c.unique) {
    const list = o[u.selector];
    if (list === undefined || list === null) continue;
    const seen = new Map();
    const items = Array.isArray(list) ? list : childList(list);
    items.forEach((it, i) => {
      const k = keyOf(it, u.fields);
      if (k === undefined) return;
      const at = pathOf(Array.isArray(list) ? [...segs, u.selector, i] : [...segs, u.selector]);
      if (seen.has(k)) errs.push({ instancePath: at + "/" + esc(u.fields[0]), schemaPath: "#/x-kpr-unique/" + u.name, keyword: "unique", params: { constraint: u.name, fields: u.fields, duplicateOf: seen.get(k) }, message: "duplicate " + u.fields.join(", ") + " " + JSON.parse(k).join(", ") + " (xs:unique " + u.name + "; first at " + (seen.get(k) || "/") + ")" });
      else seen.set(k, at);
    });
  }
  for (const child in c.children) {
    if (!needed(child)) continue;
    const v = o[child];
    if (v === undefined || v === null) continue;
    segs.push(child);
    if (!c.children[child]) walk(child, v, segs, errs);
    else if (Array.isArray(v)) for (let i = 0; i < v.length; i++) {
      segs.push(i);
      walk(child, v[i], segs, errs);
      segs.pop();
    }
    segs.pop();
  }
}
function identityErrors(cls, data) {
  const errs = [];
  if (cls === "$body") {
    if (Array.isArray(data)) data.forEach((x, i) => { for (const e of identityErrors(IDENTITY.root, x)) errs.push({ ...e, instancePath: "/" + i + e.instancePath }); });
    return errs;
  }
  if (data === null || typeof data !== "object") return errs;
  walk(cls, data, [], errs);
  // Root-anchored keyrefs: only the whole Melding shows every referred element.
  if (cls !== IDENTITY.root) return errs;
  for (const c of Object.values(IDENTITY.classes)) {
    for (const r of c.keyrefs) {
      const steps = r.selector.split("/");
      if (steps[0] !== IDENTITY.root) continue;
      const target = Object.entries(IDENTITY.classes).find(([, d]) => d.unique.some((u) => u.name === r.refer));
      if (!target) continue;
      const u = target[1].unique.find((x) => x.name === r.refer);
      const keys = new Set();
      for (const [o] of each(cls, data, "", target[0], [])) for (const it of childList(o[u.selector])) { const k = keyOf(it, u.fields); if (k !== undefined) keys.add(k); }
      const leaf = steps[steps.length - 1];
      for (const [o, p] of each(cls, data, "", leaf, [])) {
        const k = keyOf(o, r.fields);
        if (k !== undefined && !keys.has(k)) errs.push({ instancePath: p + "/" + esc(r.fields[0]), schemaPath: "#/x-kpr-keyref/" + r.name, keyword: "keyref", params: { constraint: r.name, refer: r.refer, fields: r.fields }, message: r.fields.join(", ") + " " + JSON.parse(k).join(", ") + " names no " + target[0] + "/" + u.selector + " of the Melding (xs:keyref " + r.name + ")" });
      }
    }
  }
  return errs;
}
`;
