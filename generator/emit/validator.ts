// Emits a standalone Ajv validator (ESM, no schema compilation at run time) with one exported
// function per class, which also checks the XSD's identity constraints (identity.ts), and its
// typings. Production code imports only this output, never Ajv's
// compiler: the runtime stays fast to start and free of generator code.

import { Ajv2020 } from 'ajv/dist/2020.js';
import standaloneModule from 'ajv/dist/standalone/index.js';
import { typeName } from '../model/json-form.ts';
import { specId, type MessageSpec } from '../model/types.ts';
import { generatedNotice, lit } from './codegen.ts';
import { emitJsonSchema, schemaId } from './json-schema.ts';
import { MESSAGE_VALIDATOR, withIdentity } from './identity.ts';

// ajv/dist/standalone is CommonJS with a default export; tsx and Node hand it over differently.
const standaloneCode = ((standaloneModule as unknown as { default?: unknown }).default ?? standaloneModule) as (ajv: Ajv2020, refs: Record<string, string>) => string;

export function validatorName(className: string): string {
  return `validate${typeName(className)}`;
}

/** A JSON message type's validator of the whole body (the array FHI SLASH receives). */
export { MESSAGE_VALIDATOR };

export function emitValidator(spec: MessageSpec, source: string): { js: string; dts: string } {
  const ajv = new Ajv2020({
    code: { source: true, esm: true, lines: true },
    allErrors: true,
    strict: false, // x-kpr-* annotations are ours
    // String lengths as UTF-16 units: no run-time helper to import, and "max 100 tegn" is
    // stricter, never looser, for the rare character outside the BMP.
    unicode: false,
    // Ajv warns that `unicode` is deprecated; the choice above is deliberate.
    logger: { log() {}, warn() {}, error: (...args: unknown[]) => console.error(...args) },
  });
  const schema = emitJsonSchema(spec);
  ajv.addSchema(schema);
  const refs: Record<string, string> = {};
  for (const c of spec.classes) refs[validatorName(c.name)] = `${schemaId(spec)}#/$defs/${c.name}`;
  if (spec.json) refs[MESSAGE_VALIDATOR] = schemaId(spec);
  const code = standaloneCode(ajv, refs);
  if (/\brequire\(/.test(code)) throw new Error(`validator for ${specId(spec)} needs a run-time require: ${code.match(/require\([^)]*\)/)?.[0]}`);
  const js = [
    `// Standalone validators of the JSON form of ${specId(spec)}, one per class.`,
    `// ${generatedNotice(source)}`,
    '/* eslint-disable */',
    withIdentity(code.replace(/^"use strict";/, ''), spec),
    '',
  ].join('\n');
  const dts = [
    `// Typings of validator.js for ${specId(spec)}.`,
    `// ${generatedNotice(source)}`,
    `import type { ErrorObject } from 'ajv';`,
    `import type { ${[...spec.classes.map((c) => typeName(c.name)), ...(spec.json ? ['MessageBody'] : [])].join(', ')} } from './types.ts';`,
    '',
    '/** An Ajv validate function: returns true or sets `errors` (each with its JSON path). */',
    'export interface Validator<T> {',
    '  (data: unknown): data is T;',
    '  errors?: ErrorObject[] | null;',
    '}',
    '',
    ...spec.classes.map((c) => `export declare const ${validatorName(c.name)}: Validator<${typeName(c.name)}>;`),
    ...(spec.json ? [`/** The whole message body, as sent. */`, `export declare const ${MESSAGE_VALIDATOR}: Validator<MessageBody>;`] : []),
    '',
    `export declare const SCHEMA_ID: ${lit(schemaId(spec))};`,
    '',
  ].join('\n');
  return { js: `${js}export const SCHEMA_ID = ${lit(schemaId(spec))};\n`, dts };
}
