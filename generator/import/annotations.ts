// Reads XPR(x)_Annotations.xsd: one appinfo block per attribute with its label, texts
// (attributeDoc = Beskrivelse, attributeUse = Bruk, attributeComment = Kommentar, example,
// origin), cardinality, primary key flag, and the receiver's quality controls. Each handling
// id is followed by a comment naming it (`<!-- Handling: ="Slettemerk melding" -->`); the
// consequence is taken from that name, not from the number, so a renumbering cannot fool us.
import type { Consequence } from '../model/types.ts';
import { ImportError } from './errors.ts';
import { elements, parseXml, textOf } from './xml.ts';

const CONSEQUENCES: Record<string, Consequence> = {
  'slettemerk melding': 'discard-message',
  'slettemerk rad med underelementer': 'discard-row',
  'sett verdi til null': 'set-null',
  'sett verdi til -1': 'set-minus-one',
  'sett verdi til 0': 'set-zero',
  'ingen handling': 'none',
};

export interface AnnotatedAttribute {
  classLabel: string;
  className: string;
  label: string;
  name: string;
  doc: string;
  use: string;
  comment: string;
  origin: string;
  example: string;
  cardinality: string;
  fixedValue: string;
  primaryKey: boolean;
  codeOID: string;
  /** The usage table's letter as the Annotations repeat it (I, O, F, …), if any. */
  moduleConstraint: string;
  moduleComment: string;
  datatype?: { check: string; regex?: string; consequence: Consequence };
  required?: Consequence;
  code?: { validOn?: string; consequence: Consequence };
  range?: { from?: string; to?: string; consequence: Consequence };
}

/** `xPath:/Melding/@uttakDato` → `/Melding/@uttakDato` (the prefix only says what kind of value it is). */
/** Published texts without trailing blanks on their lines (whitespace the Word export leaves). */
function cleanText(v: string): string {
  return v
    .split('\n')
    .map((l) => l.trimEnd())
    .join('\n')
    .trim();
}

function xpathValue(v: string): string | undefined {
  const s = v
    .trim()
    .replace(/^xPath:/, '')
    .trim();
  return s || undefined;
}

export function readAnnotations(text: string, file: string): Map<string, AnnotatedAttribute> {
  const schema = parseXml(text, file);
  const out = new Map<string, AnnotatedAttribute>();
  const handlingNames = new Map<string, string>();
  for (const ann of elements(schema, 'annotation')) {
    for (const info of elements(ann, 'appinfo')) {
      const values = new Map<string, string>();
      const handlingOf = new Map<string, string>();
      let lastHandlingId: string | undefined;
      for (const n of info.children) {
        if (n.kind === 'comment') {
          const m = /Handling:\s*="([^"]*)"/.exec(n.text);
          if (m && lastHandlingId !== undefined) {
            const name = m[1].trim().toLowerCase();
            if (!(name in CONSEQUENCES)) throw new ImportError(`${file}: unknown consequence "${m[1]}" (known: ${Object.keys(CONSEQUENCES).join(', ')})`);
            const known = handlingNames.get(lastHandlingId);
            if (known && known !== name) throw new ImportError(`${file}: handling id ${lastHandlingId} is named both "${known}" and "${name}"`);
            handlingNames.set(lastHandlingId, name);
            lastHandlingId = undefined;
          }
          continue;
        }
        if (n.kind !== 'element') continue;
        if (n.local !== 'xprAppInfo') throw new ImportError(`${file}:${n.line}: unexpected <${n.name}> in appinfo`);
        const key = n.attrs.name;
        if (!key) throw new ImportError(`${file}:${n.line}: <xprAppInfo> without name`);
        const value = n.attrs.value ?? textOf(n).trim();
        values.set(key, value);
        if (/^handling\w*ID$/.test(key)) {
          handlingOf.set(key, value);
          lastHandlingId = value || undefined;
        }
      }
      const get = (k: string): string => {
        const v = values.get(k);
        if (v === undefined) throw new ImportError(`${file}:${info.line}: appinfo block lacks ${k}`);
        return v;
      };
      const className = get('classShortName');
      const name = get('attributeShortName');
      const where = `${file}:${info.line}: ${className}/@${name}`;
      const consequence = (idKey: string): Consequence => {
        const id = handlingOf.get(idKey) ?? '';
        if (!id) throw new ImportError(`${where}: the control is switched on but ${idKey} is empty`);
        return id as Consequence; // resolved to a name below, once every block is read
      };
      const attr: AnnotatedAttribute = {
        classLabel: get('className'),
        className,
        label: get('attributeName').trim(),
        name,
        doc: cleanText(get('attributeDoc')),
        use: cleanText(get('attributeUse')),
        comment: cleanText(get('attributeComment')),
        origin: cleanText(get('origin')),
        example: cleanText(get('example')),
        cardinality: get('cardinality').trim(),
        fixedValue: get('fixedValue'),
        primaryKey: get('primaryKey') === 'True',
        codeOID: get('codeOID').trim(),
        moduleConstraint: (values.get('moduleConstraint') ?? '').trim(),
        moduleComment: (values.get('moduleComment') ?? '').trim(),
      };
      if (get('merketForTypesjekk') === '1') {
        const regex = (values.get('regex') ?? '').trim();
        attr.datatype = { check: get('datatypeNavn').trim(), consequence: consequence('handlingTypeID') };
        if (regex && regex !== 'NULL') attr.datatype.regex = regex;
      }
      if (get('merketForObligat') === '1') attr.required = consequence('handlingObligatID');
      if (get('merketForKodeverk') === '1') {
        attr.code = { consequence: consequence('handlingKodeverkID') };
        const validOn = xpathValue(get('validationDate'));
        if (validOn) attr.code.validOn = validOn;
      }
      if (get('merketForRangeCheck') === '1') {
        attr.range = { consequence: consequence('handlingRangeCheckID') };
        const from = xpathValue(get('valueRangeFrom'));
        const to = xpathValue(get('valueRangeTo'));
        if (from) attr.range.from = from;
        if (to) attr.range.to = to;
      }
      const key = `${className}/${name}`;
      if (out.has(key)) throw new ImportError(`${where}: annotated twice`);
      out.set(key, attr);
    }
  }
  // Handling ids to consequences, by the names the file itself gives them.
  const resolve = (id: string, where: string): Consequence => {
    const name = handlingNames.get(id);
    if (!name) throw new ImportError(`${file}: ${where}: handling id ${id} is never named by a "Handling:" comment`);
    return CONSEQUENCES[name];
  };
  for (const a of out.values()) {
    const where = `${a.className}/@${a.name}`;
    if (a.datatype) a.datatype.consequence = resolve(a.datatype.consequence, where);
    if (a.required) a.required = resolve(a.required, where);
    if (a.code) a.code.consequence = resolve(a.code.consequence, where);
    if (a.range) a.range.consequence = resolve(a.range.consequence, where);
  }
  return out;
}
