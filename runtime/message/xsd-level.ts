// What the official XSD alone asks of a message, as a JSON Schema derived from the kit's
// schema.json: the kit's schema is stricter (code lists as enums, the published lengths and
// digit patterns); the receiver's XSD declares xs:string for those and leaves the rest to its
// published controls and their consequences. The sandbox judges with this, as the receiver
// does, and the consequence policy's tests use it to show nothing sent is refused by the XSD.

import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { Validate } from '../rules/stage.ts';

// biome-ignore lint/suspicious/noExplicitAny: generated JSON Schema, walked by key
type Json = Record<string, any>;

/** xs:date and xs:dateTime as lexical forms (any year but 0000, optional zone, fractions). */
const XSD_DATE = '^-?(?!0000)[0-9]{4,}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])(Z|[+-][0-9]{2}:[0-9]{2})?$';
const XSD_DATETIME = '^-?(?!0000)[0-9]{4,}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?$';

function attribute(p: Json): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(p)) {
    if (k === 'enum' || k === 'maxLength' || k === 'minLength' || k === 'pattern' || k.startsWith('x-kpr-')) continue;
    out[k] = v;
  }
  const pattern: string | undefined = p.pattern;
  if (pattern?.includes('[0-9a-fA-F]{8}-'))
    out.pattern = pattern; // nprx:guid, from NPR.xsd
  else if (pattern?.startsWith('^[0-9]{4}-(0[1-9]|1[0-2])')) out.pattern = pattern.includes('T(') ? XSD_DATETIME : XSD_DATE;
  // The XSD's xs:string for code lists.
  if (Array.isArray(p.enum) && p.const === undefined) out.type = 'string';
  return out;
}

/** The XSD-level schema of a parsed schema.json. */
export function xsdLevelSchema(schema: Json): Json {
  const defs: Json = {};
  for (const [name, cls] of Object.entries<Json>(schema.$defs ?? {})) {
    const properties: Json = {};
    for (const [prop, p] of Object.entries<Json>(cls.properties ?? {})) properties[prop] = p.$ref || p.items ? p : attribute(p);
    const c: Json = {};
    for (const [k, v] of Object.entries(cls)) if (!k.startsWith('x-kpr-')) c[k] = v;
    defs[name] = { ...c, properties };
  }
  return { ...schema, $id: `${String(schema.$id ?? 'urn:kpr').replace(/\.json$/, '')}.xsd-level.json`, $defs: defs };
}

const ajv = new Ajv2020({ allErrors: true, strict: false });
const cache = new Map<string, Validate>();

/** The XSD-level validator of a class of the schema.json at `file` (compiled once). */
export function xsdLevelValidator(file: string | URL, className = 'Melding'): Validate {
  const key = `${String(file)}#${className}`;
  let v = cache.get(key);
  if (!v) {
    const schema = xsdLevelSchema(JSON.parse(readFileSync(file, 'utf8')));
    v = ajv.compile({ ...schema, $id: String(schema.$id).replace(/\.json$/, `.${className}.json`), $ref: `#/$defs/${className}` }) as unknown as Validate;
    cache.set(key, v);
  }
  return v;
}
