// Emits generated/index.ts: the registry that lets code ask for `hst@56.0.0` and get its
// validators, XML codec and facts, without knowing where the files are.

import { specId, type MessageSpec } from '../model/types.ts';
import { generatedNotice, lit } from './codegen.ts';

function ident(spec: MessageSpec): string {
  return `${spec.message}_${spec.version.replace(/\./g, '_')}`.replace(/[^A-Za-z0-9_]/g, '_');
}

export function emitIndex(all: MessageSpec[], hasXml: boolean): string {
  // XML messages keep their registry as it was; JSON message types (FHI SLASH) have their own,
  // since they have no XML codec, no namespace and no schema version.
  const specs = all.filter((s) => s.kind === 'xml');
  const jsonSpecs = all.filter((s) => s.kind === 'json');
  const lines: string[] = [
    '// Registry of every generated message version: getMessage("hst@56.0.0"); JSON message types: getJsonMessage("hst-avtale@1").',
    `// ${generatedNotice('spec/')}`,
    '',
  ];
  if (hasXml) lines.push(`import type { SerialisedElement } from ${lit('../runtime/xml/write.ts')};`);
  for (const s of jsonSpecs) {
    const id = ident(s);
    lines.push(`import * as ${id}_validator from ${lit(`./${s.message}/${s.version}/validator.js`)};`);
    lines.push(`export type * as ${pascal(id)} from ${lit(`./${s.message}/${s.version}/types.ts`)};`);
  }
  for (const s of specs) {
    const id = ident(s);
    const dir = `./${s.message}/${s.version}`;
    lines.push(`import * as ${id}_validator from ${lit(`${dir}/validator.js`)};`);
    if (hasXml) lines.push(`import * as ${id}_xml from ${lit(`${dir}/xml.ts`)};`);
    lines.push(`export type * as ${pascal(id)} from ${lit(`${dir}/types.ts`)};`);
  }
  lines.push(
    '',
    'export interface MessageInfo {',
    '  /** `hst@56.0.0` */',
    '  id: string;',
    '  message: string;',
    '  version: string;',
    '  schemaVersion: string;',
    '  standard: string;',
    '  title: string;',
    '  namespace: string;',
    '  root: string;',
    '  validFrom: string;',
    '  /** The JSON Schema of the JSON form. */',
    '  schemaFile: URL;',
    '  /** One standalone validator per class, named validate<Class>. */',
    '  validators: Record<string, unknown>;',
  );
  if (hasXml) {
    lines.push(
      '  /** toXml / fromXml of the JSON form of the root class; elementToXml writes one element of a class on its own (a Konsultasjon ahead of its Melding). */',
      '  xml: {',
      '    toXml(melding: never, opts?: { declaration?: boolean }): string;',
      '    fromXml(xml: string): unknown;',
      '    elementToXml(element: string, value: unknown): SerialisedElement;',
      '  };',
    );
  }
  lines.push('}', '', 'export const MESSAGES: Readonly<Record<string, MessageInfo>> = {');
  for (const s of specs) {
    const id = ident(s);
    lines.push(
      `  ${lit(specId(s))}: {`,
      `    id: ${lit(specId(s))},`,
      `    message: ${lit(s.message)},`,
      `    version: ${lit(s.version)},`,
      `    schemaVersion: ${lit(s.schemaVersion)},`,
      `    standard: ${lit(s.standard)},`,
      `    title: ${lit(s.title)},`,
      `    namespace: ${lit(s.namespace)},`,
      `    root: ${lit(s.root)},`,
      `    validFrom: ${lit(s.validFrom)},`,
      `    schemaFile: new URL(${lit(`./${s.message}/${s.version}/schema.json`)}, import.meta.url),`,
      `    validators: ${id}_validator,`,
    );
    // No cast: the compiler checks the generated codec against the registry's type.
    if (hasXml) lines.push(`    xml: ${id}_xml,`);
    lines.push('  },');
  }
  lines.push(
    '};',
    '',
    '/** The artefacts of one message version; throws naming the known ones when it is not generated. */',
    'export function getMessage(id: string): MessageInfo {',
    '  const m = MESSAGES[id];',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a line of generated code, whose template literal is meant
    '  if (!m && JSON_MESSAGES[id]) throw new Error(`${id} is a JSON message type, sent as JSON: use getJsonMessage(${JSON.stringify(id)})`);',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a line of generated code, whose template literal is meant
    '  if (!m) throw new Error(`unknown message version ${id}; known: ${Object.keys(MESSAGES).join(", ")}`);',
    '  return m;',
    '}',
    '',
  );
  lines.push(...jsonRegistry(jsonSpecs));
  return lines.join('\n');
}

function jsonRegistry(specs: MessageSpec[]): string[] {
  const lines = [
    '/** A JSON message type (FHI SLASH): sent as JSON, so no XML codec. */',
    'export interface JsonMessageInfo {',
    '  /** `hst-avtale@1` */',
    '  id: string;',
    '  message: string;',
    '  /** The official type name, sent as msg_type. */',
    '  messageType: string;',
    '  /** Sent as msg_version. */',
    '  version: string;',
    '  title: string;',
    '  /** `array`: the body is a JSON array of root objects. */',
    "  body: 'array' | 'object';",
    '  root: string;',
    '  /** Members read off a sample rather than published: their types and presence are guesses. */',
    '  inferredMembers: number;',
    '  /** The JSON Schema of the body. */',
    '  schemaFile: URL;',
    '  /** validateMessage (the whole body) and one validator per class, named validate<Class>. */',
    '  validators: Record<string, unknown>;',
    '}',
    '',
    'export const JSON_MESSAGES: Readonly<Record<string, JsonMessageInfo>> = {',
  ];
  for (const s of specs) {
    const inferred = s.classes.flatMap((c) => [c.provenance, ...c.attributes.map((a) => a.provenance)]).filter((p) => p?.status === 'inferred').length;
    lines.push(
      `  ${lit(specId(s))}: {`,
      `    id: ${lit(specId(s))},`,
      `    message: ${lit(s.message)},`,
      `    messageType: ${lit(s.json!.messageType)},`,
      `    version: ${lit(s.version)},`,
      `    title: ${lit(s.title)},`,
      `    body: ${lit(s.json!.body)},`,
      `    root: ${lit(s.root)},`,
      `    inferredMembers: ${inferred},`,
      `    schemaFile: new URL(${lit(`./${s.message}/${s.version}/schema.json`)}, import.meta.url),`,
      `    validators: ${ident(s)}_validator,`,
      '  },',
    );
  }
  lines.push(
    '};',
    '',
    '/** A JSON message type by id (`hst-avtale@1`), or by its type and version (`HST_Avtale@1`). */',
    'export function getJsonMessage(id: string): JsonMessageInfo {',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a line of generated code, whose template literal is meant
    '  const m = JSON_MESSAGES[id] ?? Object.values(JSON_MESSAGES).find((j) => `${j.messageType}@${j.version}` === id);',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a line of generated code, whose template literal is meant
    '  if (!m) throw new Error(`unknown JSON message type ${id}; known: ${Object.keys(JSON_MESSAGES).join(", ")}`);',
    '  return m;',
    '}',
    '',
  );
  return lines;
}

function pascal(id: string): string {
  return id
    .split('_')
    .map((p) => (p ? p[0].toUpperCase() + p.slice(1) : p))
    .join('_');
}
