// Emits TypeScript types of a message's JSON form with json-schema-to-typescript, named by the
// official element names, and the code lists as string-literal unions with the codes' texts as
// doc comments (json-schema-to-typescript cannot comment union members, so those are ours).

import { compile } from 'json-schema-to-typescript';
import { acceptedCodes, codeListTypeName, typeName } from '../model/json-form.ts';
import { specId, type MessageSpec } from '../model/types.ts';
import { generatedNotice, jsdoc, lit } from './codegen.ts';
import { emitJsonSchema, type JsonSchema } from './json-schema.ts';

/** The schema, with each coded attribute typed by name (`tsType`) instead of its enum. */
function schemaForTypes(spec: MessageSpec): JsonSchema {
  const schema = emitJsonSchema(spec);
  const defs = schema.$defs as Record<string, { properties: Record<string, JsonSchema> }>;
  for (const c of spec.classes) {
    for (const a of c.attributes) {
      const prop = defs[c.name]?.properties[a.name];
      if (!prop || a.type !== 'coded') continue;
      const all = spec.codelists.get(a.codelist!)?.codes.map((k) => k.code) ?? [];
      const accepted = acceptedCodes(spec, a);
      const name = codeListTypeName(spec, a.codelist!);
      prop.tsType = accepted.length === all.length ? name : `Extract<${name}, ${accepted.map(lit).join(' | ')}>`;
      delete prop.enum;
      delete prop['x-kpr-codes'];
      delete prop['x-kpr-codelist'];
    }
  }
  for (const def of Object.values(defs)) {
    for (const prop of Object.values(def.properties)) {
      // A title would make json-schema-to-typescript declare one alias per attribute (and
      // number the clashes); the label goes into the doc comment instead.
      if (typeof prop.title === 'string') {
        prop.description = prop.description ? `${prop.title}. ${prop.description}` : prop.title;
        delete prop.title;
      }
      const origin = provenanceLine(prop['x-kpr-provenance']);
      if (origin) prop.description = `${prop.description ?? ''}\n\n${origin}`.trim();
    }
  }
  for (const c of spec.classes) {
    // exactlyOne ({XOR}) is a validator's check: as oneOf it would turn the interface into an
    // intersection with an index signature of `unknown`, which types nothing. A doc line says it.
    const x = defs[c.name] as JsonSchema | undefined;
    if (x?.oneOf && c.exactlyOne) {
      delete x.oneOf;
      x.description = `${x.description ?? ''}\n\nExactly one of: ${c.exactlyOne.join(', ')}.`.trim();
    }
  }
  for (const c of spec.classes) {
    const origin = provenanceLine((defs[c.name] as JsonSchema | undefined)?.['x-kpr-provenance']);
    const def = defs[c.name] as JsonSchema | undefined;
    if (origin && def) def.description = `${def.description ?? ''}\n\n${origin}`.trim();
  }
  // The root class is the compiled schema itself, so it is declared once, by its own name.
  const { [spec.root]: root, ...rest } = defs;
  return { ...(root as JsonSchema), $defs: rest };
}

/** A doc comment's line on where a JSON member comes from, so an editor's hover shows a guess as one. */
function provenanceLine(p: unknown): string | undefined {
  if (!p || typeof p !== 'object') return undefined;
  const { status, source, note } = p as { status: string; source: string; note?: string };
  const head = status === 'inferred' ? `Inferred from ${source}, not published.` : `Published in ${source}.`;
  return note ? `${head} ${note}` : head;
}

/** A JSON message type's body: an array of root objects, or the root object itself. */
function messageBody(spec: MessageSpec): string {
  if (!spec.json) return '';
  const root = typeName(spec.root);
  const type = spec.json.body === 'array' ? `${root}[]` : root;
  return [jsdoc(`The body of a ${spec.json.messageType} ${spec.version} message, as sent.`).trimEnd(), `export type MessageBody = ${type};`, ''].join('\n');
}

function codeListUnions(spec: MessageSpec): string {
  const out: string[] = [];
  for (const [number, list] of spec.codelists) {
    const name = codeListTypeName(spec, number);
    out.push(jsdoc(`Kodeverk ${number} ${list.name} (OID ${list.oid}).`).trimEnd());
    out.push(`export type ${name} =`);
    list.codes.forEach((code, i) => {
      const text = code.comment ? `${code.text}. ${code.comment}` : code.text;
      out.push(jsdoc(text, '  ').trimEnd());
      out.push(`  | ${lit(code.code)}${i === list.codes.length - 1 ? ';' : ''}`);
    });
    out.push('');
  }
  return out.join('\n');
}

/**
 * Indent json-schema-to-typescript's unformatted output. Its own formatting runs Prettier, which
 * alone cost more than a second of every build; the output is regular enough that brace depth
 * suffices.
 */
export function indentDeclarations(text: string): string {
  let depth = 0;
  return text
    .split('\n')
    .map((raw) => {
      const line = raw.trim();
      if (line.startsWith('}')) depth = Math.max(0, depth - 1);
      const pad = '  '.repeat(depth);
      const out = line === '' ? '' : line.startsWith('*') ? `${pad} ${line}` : `${pad}${line}`;
      if (line.endsWith('{')) depth++;
      return out.replace(/\s+$/, '');
    })
    .join('\n');
}

export async function emitTypes(spec: MessageSpec, source: string): Promise<string> {
  const body = await compile(schemaForTypes(spec) as never, spec.root, {
    bannerComment: '',
    additionalProperties: false,
    declareExternallyReferenced: true,
    enableConstEnums: false,
    format: false,
    strictIndexSignatures: true,
    unknownAny: true,
    unreachableDefinitions: true,
    cwd: '/nonexistent',
    $refOptions: { resolve: { external: false } } as never,
  });
  return [
    `// TypeScript types of the JSON form of ${specId(spec)} (${spec.json ? spec.json.messageType : spec.standard}).`,
    `// ${generatedNotice(source)}`,
    '/* eslint-disable */',
    '',
    indentDeclarations(body.trim()),
    '',
    ...(spec.json ? [messageBody(spec)] : []),
    codeListUnions(spec),
  ].join('\n');
}
