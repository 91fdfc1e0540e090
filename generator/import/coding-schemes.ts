// Reads XPR(x)_CodingSchemes.xsd: one simpleType per coded attribute type, with the Volven
// number in the comment after it, and an appinfo block per (class, attribute) listing the
// coding scheme's name, number, simpleType and every code with text and comment.
import { ImportError } from './errors.ts';
import { elements, parseXml, type XmlElement } from './xml.ts';

export interface PublishedCode {
  code: string;
  text: string;
  /** Empty comments are dropped. */
  comment?: string;
}

export interface CodingScheme {
  /** The simpleType name the XSD refers to (`npr:<simpleType>`). */
  simpleType: string;
  number: string;
  name: string;
  codes: PublishedCode[];
  /** Where the appinfo block says it belongs: class label and attribute name. */
  usedBy: { classLabel: string; attribute: string }[];
}

export function readCodingSchemes(text: string, file: string): Map<string, CodingScheme> {
  const schema = parseXml(text, file);
  const numberBySimpleType = new Map<string, string>();
  for (const st of elements(schema, 'simpleType')) {
    for (const n of st.children) {
      const m = n.kind === 'comment' ? /Kodeverk:\s*(\d+)/.exec(n.text) : null;
      if (m && st.attrs.name) numberBySimpleType.set(st.attrs.name, m[1]);
    }
  }
  const out = new Map<string, CodingScheme>();
  for (const ann of elements(schema, 'annotation')) {
    for (const info of elements(ann, 'appinfo')) {
      const block = readBlock(info, file);
      const known = out.get(block.simpleType);
      if (known) {
        if (known.number !== block.number || JSON.stringify(known.codes) !== JSON.stringify(block.codes)) {
          throw new ImportError(`${file}:${info.line}: simpleType ${block.simpleType} is published twice with different codes`);
        }
        known.usedBy.push(...block.usedBy);
        continue;
      }
      const fromComment = numberBySimpleType.get(block.simpleType);
      if (fromComment && fromComment !== block.number) {
        throw new ImportError(`${file}:${info.line}: simpleType ${block.simpleType} is Kodeverk ${fromComment} in its comment but OID ${block.number} in appinfo`);
      }
      out.set(block.simpleType, block);
    }
  }
  return out;
}

function readBlock(info: XmlElement, file: string): CodingScheme {
  let classLabel: string | undefined;
  let attribute: string | undefined;
  let name: string | undefined;
  let number: string | undefined;
  let simpleType: string | undefined;
  const codes: PublishedCode[] = [];
  for (const el of elements(info)) {
    switch (el.local) {
      case 'class':
        classLabel = el.attrs.name;
        break;
      case 'attribute':
        attribute = el.attrs.name;
        break;
      case 'codingScheme':
        if (el.attrs.name !== undefined) name = el.attrs.name;
        if (el.attrs.OID !== undefined) number = el.attrs.OID;
        break;
      case 'simpleT':
        simpleType = el.attrs.name;
        break;
      case 'code': {
        if (el.attrs.value === undefined || el.attrs.text === undefined) {
          throw new ImportError(`${file}:${el.line}: <code> without value or text`);
        }
        const code: PublishedCode = { code: el.attrs.value, text: el.attrs.text.trim() };
        const comment = (el.attrs.comment ?? '').trim();
        if (comment) code.comment = comment;
        codes.push(code);
        break;
      }
      default:
        throw new ImportError(`${file}:${el.line}: unexpected <${el.name}> in a coding scheme's appinfo`);
    }
  }
  if (!simpleType || !number || name === undefined || !classLabel || !attribute) {
    throw new ImportError(`${file}:${info.line}: appinfo block lacks one of class, attribute, codingScheme name/OID or simpleT`);
  }
  if (!/^\d+$/.test(number)) throw new ImportError(`${file}:${info.line}: coding scheme OID "${number}" is not a Volven number`);
  return { simpleType, number, name, codes, usedBy: [{ classLabel, attribute }] };
}
