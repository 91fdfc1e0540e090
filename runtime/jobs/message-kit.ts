// The generated artefacts of the configured message version (generated/index.ts:
// getMessage("hst@56.0.0")): its validators and XML codec. Loaded by path at run time, so the
// runtime works with whatever `kpr spec build` produced, and tests can point at a fixture build.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ErrorObject } from 'ajv';
import { UserError } from '../cli/program.ts';
import type { MessageInfo } from '../../generated/index.ts';
import type { SerialisedElement } from '../xml/write.ts';

export interface Validate {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}

export interface MessageKit {
  id: string;
  /** e.g. "56.0.0": the Melding's versjon and the envelope's messageVersion. */
  version: string;
  root: string;
  namespace: string;
  validateMelding?: Validate;
  validateKonsultasjon?: Validate;
  toXml(melding: Record<string, unknown>): string;
  /** One Konsultasjon written on its own, to stand in for its object in a later toXml (generated codec only). */
  writeKonsultasjon?: (konsultasjon: unknown) => SerialisedElement;
  /** True when toXml is the generic stand-in (no generated codec yet): XSD order not guaranteed. */
  genericXml: boolean;
}

/**
 * The registry's entry, as `kpr spec build` emits its type. A registry loaded from elsewhere (a
 * fixture build, an older build) may lack the XML codec or a part of it: the kit then falls back.
 */
type GeneratedInfo = Omit<MessageInfo, 'xml'> & { xml?: Partial<MessageInfo['xml']> };

export async function loadMessageKit(generatedDir: string, spec: string): Promise<MessageKit> {
  const index = ['index.ts', 'index.js'].map((f) => join(generatedDir, f)).find((f) => existsSync(f));
  if (!index) throw new UserError(`no generated message registry in ${generatedDir}: run \`npx kpr spec build\` first`);
  const mod = (await import(pathToFileURL(index).href)) as { getMessage(id: string): GeneratedInfo };
  let info: GeneratedInfo;
  try {
    info = mod.getMessage(spec);
  } catch (err) {
    throw new UserError(`message.spec ${spec}: ${(err as Error).message}`);
  }
  const v = info.validators as Record<string, Validate | undefined>;
  const xml = info.xml;
  const generated = xml?.toXml;
  const elementToXml = xml?.elementToXml;
  return {
    id: info.id,
    version: info.version,
    root: info.root,
    namespace: info.namespace,
    validateMelding: v[`validate${info.root}`],
    validateKonsultasjon: v.validateKonsultasjon,
    // The codec takes the Melding's generated type; the transfer builds it as plain JSON.
    toXml: generated ? (m) => generated(m as never) : (m) => genericToXml(info.root, info.namespace, m),
    ...(elementToXml && { writeKonsultasjon: (k: unknown) => elementToXml('Konsultasjon', k) }),
    genericXml: !generated,
  };
}

// --- stand-in serialiser -------------------------------------------------------------------

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/\t/g, '&#9;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;');
}

function element(name: string, obj: Record<string, unknown>, ns?: string): string {
  let attrs = ns ? ` xmlns="${esc(ns)}"` : '';
  let children = '';
  for (const [k, v] of Object.entries(obj)) {
    if (v === undefined || v === null) continue;
    if (Array.isArray(v)) for (const c of v) children += element(k, c as Record<string, unknown>);
    else if (typeof v === 'object') children += element(k, v as Record<string, unknown>);
    else attrs += ` ${k}="${esc(String(v))}"`;
  }
  return children ? `<${name}${attrs}>${children}</${name}>` : `<${name}${attrs}/>`;
}

/**
 * The JSON form as XML (attributes for values, elements for objects and arrays, in key order).
 * Used only until the generated codec exists; it does not know the XSD's sequence order.
 */
export function genericToXml(root: string, namespace: string, melding: Record<string, unknown>): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${element(root, melding, namespace)}\n`;
}
