// Emits generated/index.ts: the registry that lets code ask for `hst@56.0.0` and get its
// validators, XML codec and facts, without knowing where the files are.

import { specId, type MessageSpec } from '../model/types.ts';
import { generatedNotice, lit } from './codegen.ts';

function ident(spec: MessageSpec): string {
  return `${spec.message}_${spec.version.replace(/\./g, '_')}`.replace(/[^A-Za-z0-9_]/g, '_');
}

export function emitIndex(specs: MessageSpec[], hasXml: boolean): string {
  const lines: string[] = [
    '// Registry of every generated message version: getMessage("hst@56.0.0").',
    `// ${generatedNotice('spec/')}`,
    '',
  ];
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
  if (hasXml) lines.push('  /** toXml / fromXml of the JSON form of the root class. */', '  xml: { toXml(melding: never, opts?: { declaration?: boolean }): string; fromXml(xml: string): unknown };');
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
    if (hasXml) lines.push(`    xml: ${id}_xml as MessageInfo['xml'],`);
    lines.push('  },');
  }
  lines.push(
    '};',
    '',
    '/** The artefacts of one message version; throws naming the known ones when it is not generated. */',
    'export function getMessage(id: string): MessageInfo {',
    '  const m = MESSAGES[id];',
    '  if (!m) throw new Error(`unknown message version ${id}; known: ${Object.keys(MESSAGES).join(", ")}`);',
    '  return m;',
    '}',
    '',
  );
  return lines.join('\n');
}

function pascal(id: string): string {
  return id
    .split('_')
    .map((p) => (p ? p[0].toUpperCase() + p.slice(1) : p))
    .join('_');
}
