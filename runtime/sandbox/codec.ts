// The seam between the sandbox and message formats. The sandbox checks envelopes, tokens, CMS
// and notification chains; turning a message's XML into its JSON form and validating it is
// injected through `MessageCodec`, so the sandbox knows no particular message version.
// `genericXmlCodec` is the fallback: well-formedness only, no validation against a spec.
import { SaxesParser, type SaxesTagNS } from 'saxes';

/**
 * An element in JSON form: attributes as properties, child elements by local name. The generic
 * reader gives strings and arrays; a generated codec may give typed values and single objects
 * for children that occur once. The sandbox relies only on the fields named below.
 */
export interface ElementJson {
  [name: string]: unknown;
}

export interface KonsultasjonJson extends ElementJson {
  konsultasjonID: string;
}

export interface NotifikasjonJson extends ElementJson {
  statusNotifikasjon: string;
  notifikasjonGUID: string;
  notifikasjonForrigeGUID: string;
  notifikasjonLopeNr: string | number;
  notifikasjonRef?: string;
  Konsultasjon?: KonsultasjonJson[];
}

export interface MeldingJson extends ElementJson {
  Notifikasjon?: NotifikasjonJson[];
}

export type ParseResult = { melding: MeldingJson } | { errors: string[] };

export interface MessageCodec {
  /** `xml`: the decrypted payload, UTF-8 bytes. */
  parse(xml: Buffer, messageType: string, version: string): ParseResult;
}

/** Reads any well-formed XML whose root is `Melding` into the JSON form; validates nothing else. */
export function xmlToElementJson(xml: string): { root: string; element: ElementJson } | { errors: string[] } {
  const parser = new SaxesParser({ xmlns: true });
  const stack: ElementJson[] = [];
  let root: { name: string; element: ElementJson } | undefined;
  const errors: string[] = [];
  parser.on('error', (err) => {
    errors.push(err.message);
  });
  parser.on('opentag', (tag) => {
    const element: ElementJson = {};
    for (const attr of Object.values((tag as SaxesTagNS).attributes)) {
      if (attr.prefix === 'xmlns' || attr.name === 'xmlns' || attr.prefix === 'xsi') continue;
      element[attr.local] = attr.value;
    }
    const parent = stack[stack.length - 1];
    if (parent) {
      if (parent[tag.local!] === undefined) parent[tag.local!] = [];
      const list = parent[tag.local!] as ElementJson[] | string;
      if (!Array.isArray(list)) errors.push(`element ${tag.local} clashes with an attribute of the same name`);
      else list.push(element);
    } else {
      root = { name: tag.local!, element };
    }
    stack.push(element);
  });
  parser.on('closetag', () => {
    stack.pop();
  });
  try {
    parser.write(xml).close();
  } catch (err) {
    if (!errors.length) errors.push((err as Error).message);
  }
  if (errors.length) return { errors };
  if (!root) return { errors: ['no root element'] };
  return { root: root.name, element: root.element };
}

export const genericXmlCodec: MessageCodec = {
  parse(xml) {
    const read = xmlToElementJson(xml.toString('utf8'));
    if ('errors' in read) return read;
    if (read.root !== 'Melding') return { errors: [`root element is ${read.root}, expected Melding`] };
    return { melding: read.element as MeldingJson };
  },
};
