// Combines the five official sources of one message into the message file's content (a
// plain object whose key order is the order of docs/spec-format.md). Structure comes from
// the XSD; labels, texts and quality controls from the Annotations; usage (I/O/F) from the
// usage table; title page and class texts from the Word text. Where two sources speak about
// the same thing and disagree, the Annotations (or the XSD, for structure) win and a note says so.
import type { Consequence } from '../model/types.ts';
import type { AnnotatedAttribute } from './annotations.ts';
import type { CodingScheme } from './coding-schemes.ts';
import { ImportError, type Notes } from './errors.ts';
import { readFileSync } from 'node:fs';
import { acceptFromNotes, restrictionFromCheck } from './restrictions.ts';
import type { UsageRow, UsageTable } from './usage-table.ts';
import type { WordAttribute, WordText } from './word-text.ts';
import { normaliseSpace, type XsdAttribute, type XsdClass, type XsdSchema } from './xsd-structure.ts';

export interface Sources {
  files: { xsd: string; annotations: string; codingSchemes: string; wordText: string; usageTable: string };
  xsd: XsdSchema;
  schemes: Map<string, CodingScheme>;
  annotations: Map<string, AnnotatedAttribute>;
  word: WordText;
  usage: UsageTable;
}

export interface CodeListContext {
  /** Codes of the shared list after merging, by number. */
  sharedCodes(number: string): string[];
  /** True when this message keeps its own copy of the list (texts differ from the shared one). */
  isLocal(number: string): boolean;
}

type Obj = Record<string, unknown>;

const CONSEQUENCE_TEXT: Record<string, Consequence> = {
  'Slettemerk melding': 'discard-message',
  'Slettemerk rad med underelementer': 'discard-row',
  'Sett verdi til NULL': 'set-null',
  'Sett verdi til -1': 'set-minus-one',
  'Sett verdi til 0': 'set-zero',
  'Ingen handling': 'none',
};

function cardinality(min: number, max: number | null): string {
  if (max === null) return `${min}..*`;
  if (min === max) return String(min);
  return `${min}..${max}`;
}

function same(a: string | undefined, b: string | undefined): boolean {
  return normaliseSpace(a ?? '') === normaliseSpace(b ?? '');
}

/** Set `key` only when the value says something. */
function put(o: Obj, key: string, value: unknown): void {
  if (value === undefined || value === '' || (Array.isArray(value) && value.length === 0)) return;
  if (typeof value === 'object' && !Array.isArray(value) && Object.keys(value as Obj).length === 0) return;
  o[key] = value;
}

export function buildSpec(message: string, src: Sources, lists: CodeListContext, notes: Notes): Obj {
  const { xsd, word } = src;
  const tp = word.titlePage;
  const root = xsd.classes.find((c) => c.name === xsd.root)!;
  const versjon = root.attributes.find((a) => a.name === 'versjon')?.fixed;
  const version = versjon ?? tp.version;
  if (!/^\d+\.\d+\.\d+$/.test(version)) {
    throw new ImportError(`${src.files.xsd}: cannot tell the message version: ${xsd.root}/@versjon has no fixed value and the title page says "${tp.version}"`);
  }
  if (tp.version !== version && tp.version !== xsd.version) {
    notes.add(src.files.wordText, `title page Versjon "${tp.version}" is neither the message version ${version} nor the schema version ${xsd.version}`);
  }
  if (!xsd.version.startsWith(`${version}.`)) {
    notes.add(src.files.xsd, `schema version ${xsd.version} does not start with the message version ${version}`);
  }

  const spec: Obj = { message, version, schemaVersion: xsd.version, standard: tp.standard, title: tp.title, status: tp.status, published: tp.published };
  if (tp.validFrom) {
    spec.validFrom = tp.validFrom;
  } else {
    spec.validFrom = tp.published;
    notes.add(src.files.wordText, `"Frist: ${tp.frist}" gives no date; validFrom is set to the published date ${tp.published} because the format requires a date (review it)`);
  }
  spec.namespace = xsd.targetNamespace;
  spec.root = xsd.root;
  if (!tp.validFrom) spec.description = `Frist i publikasjonen: «${tp.frist}». validFrom er satt til utgitt dato fordi formatet krever en dato.`;

  const usage = matchUsage(src, notes);
  const classes: Obj = {};
  for (const cls of xsd.classes) classes[cls.name] = buildClass(cls, src, usage, lists, notes);
  spec.classes = classes;
  for (const wc of word.classes) {
    if (!xsd.classes.some((c) => c.name === wc.name)) notes.add(src.files.wordText, `class ${wc.label} (${wc.name}) is described but not in the XSD`);
  }
  return spec;
}

/** Usage table rows by `Class/attribute`. Rows name classes by label; inherited attributes under their superclass ("Person"). */
function matchUsage(src: Sources, notes: Notes): Map<string, UsageRow> {
  const out = new Map<string, UsageRow>();
  const attrs = [...src.annotations.values()];
  const classLabels = new Set(attrs.map((a) => a.classLabel));
  const pending: UsageRow[] = [];
  for (const row of src.usage.rows) {
    if (!classLabels.has(row.classLabel)) {
      pending.push(row);
      continue;
    }
    const hit = attrs.find((a) => a.classLabel === row.classLabel && a.label === row.attributeLabel.trim());
    if (!hit) notes.add(src.files.usageTable, `row ${row.classLabel} / ${row.attributeLabel} matches no attribute`);
    else out.set(`${hit.className}/${hit.name}`, row);
  }
  for (const row of pending) {
    const candidates = attrs.filter((a) => a.label === row.attributeLabel.trim() && !out.has(`${a.className}/${a.name}`));
    if (candidates.length === 1) out.set(`${candidates[0].className}/${candidates[0].name}`, row);
    else notes.add(src.files.usageTable, `row ${row.classLabel} / ${row.attributeLabel}: class not in this message and ${candidates.length} attributes carry that label`);
  }
  return out;
}

function buildClass(cls: XsdClass, src: Sources, usage: Map<string, UsageRow>, lists: CodeListContext, notes: Notes): Obj {
  const where = cls.name;
  const annotated = cls.attributes.map((a) => {
    const ann = src.annotations.get(`${cls.name}/${a.name}`);
    if (!ann) throw new ImportError(`${src.files.annotations}: no appinfo block for ${cls.name}/@${a.name} (the XSD declares it)`);
    return ann;
  });
  const wc = src.word.classes.find((c) => c.name === cls.name);
  if (!wc) notes.add(src.files.wordText, `class ${cls.name} has no section in the Word text`);
  const label = annotated[0]?.classLabel ?? wc?.label ?? cls.commentLabel ?? cls.name;
  if (wc && wc.label !== label) notes.add(where, `label: Annotations say "${label}", Word text "${wc.label}"`);

  const out: Obj = { label };
  const description = wc?.blocks.get('Beskrivelse') || cls.documentation;
  if (wc?.blocks.get('Beskrivelse') && cls.documentation && !same(wc.blocks.get('Beskrivelse'), cls.documentation)) {
    const lost = /ï¿½|\uFFFD/.test(cls.documentation) ? ' (the XSD documentation has lost letters: "ï¿½")' : '';
    notes.add(where, `description: Word text and XSD documentation differ${lost}; the Word text is kept`);
  }
  put(out, 'description', description);
  put(out, 'usage', wc?.blocks.get('Bruk'));
  // The format has no place for association constraints ({XOR Notifikasjon}); they go in the comment.
  const constrained = wc?.constrained.length ? `Assosierte klasser:\n${wc.constrained.join('\n')}` : undefined;
  if (constrained) notes.add(where, 'association constraints (e.g. XOR) are kept as text in the class comment: the format cannot express them');
  put(out, 'comment', [wc?.blocks.get('Kommentar'), constrained].filter(Boolean).join('\n'));
  if (wc?.blocks.get('Eksempler')) out.examples = [wc.blocks.get('Eksempler')];
  for (const [k] of wc?.blocks ?? []) {
    if (/^Spesielle forhold/.test(k)) notes.add(where, `class text "${k}" is not carried over (the format has no place for it)`);
  }

  const pk = annotated.filter((a) => a.primaryKey).map((a) => a.name);
  put(out, 'primaryKey', pk);
  if (wc) {
    const wordPk = wc.primaryKey.map((l) => annotated.find((a) => a.label === l)?.name ?? `?${l}`);
    if (wordPk.join(',') !== pk.join(',')) notes.add(where, `primary key: Annotations say [${pk.join(', ')}], Word text [${wordPk.join(', ')}]`);
  }

  put(
    out,
    'children',
    cls.children.map((ch) => ({ [ch.name]: cardinality(ch.min, ch.max) })),
  );
  if (wc) {
    for (const ch of cls.children) {
      const childLabel = src.xsd.classes.find((c) => c.name === ch.name);
      const childAnn = [...src.annotations.values()].find((a) => a.className === ch.name)?.classLabel ?? childLabel?.commentLabel;
      const said = wc.contains.find((c) => c.label === childAnn);
      if (said && said.cardinality !== cardinality(ch.min, ch.max)) {
        notes.add(where, `child ${ch.name}: XSD says ${cardinality(ch.min, ch.max)}, Word text ${said.cardinality}`);
      }
    }
  }
  const unique: Obj = {};
  for (const u of cls.unique) unique[u.name] = { selector: u.selector, fields: u.fields };
  put(out, 'unique', unique);
  const keyrefs: Obj = {};
  for (const k of cls.keyrefs) keyrefs[k.name] = { refer: k.refer, selector: k.selector, fields: k.fields };
  put(out, 'keyrefs', keyrefs);

  const attributes: Obj = {};
  cls.attributes.forEach((a, i) => {
    const wa = wc?.attributes.find((w) => w.name === a.name);
    if (wc && !wa) notes.add(`${cls.name}/@${a.name}`, 'not described in the Word text');
    attributes[a.name] = buildAttribute(cls, a, annotated[i], usage.get(`${cls.name}/${a.name}`), wa, src, lists, notes);
  });
  put(out, 'attributes', attributes);
  return out;
}

function buildAttribute(
  cls: XsdClass,
  a: XsdAttribute,
  ann: AnnotatedAttribute,
  row: UsageRow | undefined,
  wa: WordAttribute | undefined,
  src: Sources,
  lists: CodeListContext,
  notes: Notes,
): Obj {
  const where = `${cls.name}/@${a.name}`;
  const t = restoreSpecialCharacters(ann, wa, where, notes);
  const out: Obj = { label: ann.label };
  let scheme: CodingScheme | undefined;
  switch (a.type.kind) {
    case 'builtin':
      out.type = a.type.name;
      break;
    case 'guid':
      out.type = 'guid';
      break;
    case 'restricted':
      out.type = 'string';
      break;
    case 'coded':
      scheme = src.schemes.get(a.type.simpleType);
      if (!scheme) throw new ImportError(`${src.files.codingSchemes}: no coding scheme for simpleType ${a.type.simpleType} (used by ${where} in the XSD)`);
      out.type = 'coded';
      out.codelist = scheme.number;
      if (ann.codeOID && ann.codeOID !== scheme.number) notes.add(where, `code list: CodingSchemes say ${scheme.number}, Annotations codeOID ${ann.codeOID}`);
      break;
  }
  if (a.type.kind !== 'coded' && ann.codeOID) {
    notes.add(
      where,
      `Annotations name code list ${ann.codeOID} but the XSD type is ${a.typeName}; kept as ${String(out.type)} (the format has no place for a code list reference on an uncoded attribute)`,
    );
  }
  if (scheme) {
    const published = scheme.codes.map((c) => c.code);
    const shared = lists.sharedCodes(scheme.number);
    if (!lists.isLocal(scheme.number) && published.length < shared.length) out.codes = published;
    let acc = acceptFromNotes([t.use, t.comment, row?.comment ?? ''], published);
    // A chapter of the specification can overrule an attribute's note: IPLOS says of the person
    // identity types that the others "blir ikke stoppet i skjemavalidering" (they are reported back).
    if (acc && a.name === 'typeID' && wordSays(src.files.wordText, 'blir ikke stoppet i skjemavalidering')) {
      notes.add(where, `accept [${acc.accept.join(', ')}] from "${acc.because}" not applied: the chapter on identities says other types "blir ikke stoppet i skjemavalidering"`);
      acc = undefined;
    }
    if (acc) {
      out.accept = acc.accept;
      notes.add(where, `accept [${acc.accept.join(', ')}] read from the note "${acc.because}" (review it)`);
    }
  }

  out.use = useOf(a, row, ann, where, notes);
  if (a.fixed !== undefined) out.fixed = a.fixed;
  if ((ann.fixedValue || undefined) !== a.fixed) notes.add(where, `fixed: XSD says ${a.fixed ?? '(none)'}, Annotations fixedValue ${ann.fixedValue || '(none)'}`);

  const restriction =
    a.type.kind === 'restricted'
      ? { minLength: a.type.minLength, maxLength: a.type.maxLength, pattern: a.type.pattern }
      : ann.datatype
        ? restrictionFromCheck(ann.datatype.check, a.type.kind === 'coded')
        : {};
  put(out, 'maxLength', restriction.maxLength);
  put(out, 'minLength', restriction.minLength);
  put(out, 'pattern', restriction.pattern);

  put(out, 'description', t.doc);
  put(out, 'usage', t.use);
  put(out, 'comment', t.comment);
  if (t.example) out.examples = [t.example];
  put(out, 'origin', t.origin);
  put(out, 'usageComment', row?.comment);

  const controls: Obj = {};
  if (ann.datatype) {
    const d: Obj = { check: ann.datatype.check };
    put(d, 'regex', ann.datatype.regex);
    d.consequence = ann.datatype.consequence;
    controls.datatype = d;
  }
  if (ann.required) controls.required = ann.required;
  if (ann.code) {
    const c: Obj = {};
    put(c, 'validOn', ann.code.validOn);
    c.consequence = ann.code.consequence;
    controls.code = c;
  }
  if (ann.range) {
    const r: Obj = {};
    put(r, 'from', ann.range.from);
    put(r, 'to', ann.range.to);
    r.consequence = ann.range.consequence;
    controls.range = r;
  }
  put(out, 'controls', controls);

  if (wa) {
    crossCheckWord(where, { ...ann, ...t }, wa, notes);
    // The Word text prints NPR.xsd types by their own name (kommNr, bydelNr).
    const printedType = a.type.kind === 'restricted' && wa.type === a.type.name ? 'string' : WORD_TYPES[wa.type.toLowerCase()];
    const ourType = out.type;
    if (printedType !== ourType) notes.add(where, `type: the XSD gives ${a.typeName} (${String(ourType)}), the Word text prints "${wa.type}"; the XSD is kept`);
    crossCheckSpecial(where, row, wa, notes);
    crossCheckKodeverk(where, scheme, wa, notes);
  }
  return out;
}

/** "Kodeverk: 9032 Type personidentifikasjon … Totalt antall koder:11" against the coding scheme. */
function crossCheckKodeverk(where: string, scheme: CodingScheme | undefined, wa: WordAttribute, notes: Notes): void {
  const block = wa.blocks.get('Kodeverk');
  if (!block || !scheme) return;
  const lines = block.split('\n');
  const number = /^Kodeverk:\s*(\d+)/.exec(lines[0])?.[1];
  const total = /Totalt antall koder:\s*(\d+)/.exec(block)?.[1];
  const count = total ? Number(total) : lines.length - 1;
  if (number !== scheme.number) notes.add(where, `code list: the Word text prints Kodeverk ${number}, the CodingSchemes ${scheme.number}`);
  else if (count !== scheme.codes.length) notes.add(where, `code list ${number}: the Word text counts ${count} codes, the CodingSchemes publish ${scheme.codes.length}`);
}

/** The Word text's type column, lower-cased, in the format's words. */
const WORD_TYPES: Record<string, string> = {
  string: 'string',
  date: 'date',
  datetime: 'dateTime',
  integer: 'integer',
  nonnegativeinteger: 'nonNegativeInteger',
  guid: 'guid',
  kodet: 'coded',
};

/**
 * The Word text repeats the usage table as "Spesielle forhold for …: Ignorer." / "Obligatorisk." /
 * "Fast verdi. K". Anything else there is prose the format only keeps if the table has it too.
 */
function crossCheckSpecial(where: string, row: UsageRow | undefined, wa: WordAttribute, notes: Notes): void {
  const key = [...wa.blocks.keys()].find((k) => /^Spesielle forhold/.test(k));
  const said = key ? normaliseSpace(wa.blocks.get(key) ?? '') : '';
  const letter = row?.letter ?? '';
  const words: Record<string, string> = { I: 'Ignorer.', O: 'Obligatorisk.', V: 'Valgfri.', B: 'Betinget bruk.', D: 'Normalverdi.', F: 'Fast verdi.' };
  const expected = letter ? normaliseSpace(`${words[letter]} ${row?.comment ?? ''}`) : normaliseSpace(row?.comment ?? '');
  if (said !== expected) notes.add(where, `the Word text's "${key ?? 'Spesielle forhold'}" says "${said}", the usage table "${expected}"; the usage table is kept`);
}

type Texts = Pick<AnnotatedAttribute, 'doc' | 'use' | 'comment' | 'example' | 'origin'>;

/**
 * The Annotations write quotation marks as the placeholder "SpesTegn". Where the Word text
 * prints the same sentence, its quotation marks are taken; otherwise a plain " stands in.
 */
function restoreSpecialCharacters(ann: AnnotatedAttribute, wa: WordAttribute | undefined, where: string, notes: Notes): Texts {
  const word: Texts = {
    doc: wa?.description ?? '',
    use: wa?.blocks.get('Bruk') ?? '',
    comment: wa?.blocks.get('Kommentar') ?? '',
    example: wa?.blocks.get('Eksempler') ?? '',
    origin: wa?.blocks.get('Opprinnelse') ?? '',
  };
  const out: Texts = { doc: ann.doc, use: ann.use, comment: ann.comment, example: ann.example, origin: ann.origin };
  for (const k of Object.keys(out) as (keyof Texts)[]) {
    if (!out[k].includes('SpesTegn')) continue;
    const pattern = out[k]
      .split('SpesTegn')
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '\\s+'))
      .join(`(["'“”‘’«»])`);
    const m = new RegExp(`^${pattern}$`).exec(word[k]);
    if (m) {
      // Keep the Annotations' line breaks, take the Word text's characters at the placeholders.
      let i = 1;
      out[k] = out[k].replace(/SpesTegn/g, () => m[i++]);
      notes.add(where, `${k}: the Annotations' placeholder "SpesTegn" replaced by the quotation marks the Word text prints`);
    } else {
      out[k] = out[k].replace(/SpesTegn/g, '"');
      notes.add(where, `${k}: the Annotations' placeholder "SpesTegn" replaced by " (the Word text differs, check it)`);
    }
  }
  return out;
}

function useOf(a: XsdAttribute, row: UsageRow | undefined, ann: AnnotatedAttribute, where: string, notes: Notes): string {
  const letter = row?.letter ?? '';
  if (!row) notes.add(where, 'not in the usage table');
  const annLetter = ann.moduleConstraint === 'None' ? '' : ann.moduleConstraint;
  if (row && annLetter !== letter) notes.add(where, `usage: the usage table says "${letter}", the Annotations' moduleConstraint "${annLetter}"`);
  if (letter === 'I') {
    if (a.use === 'prohibited') return 'ignored';
    notes.add(where, `the usage table says I (ignored) but the XSD says use="${a.use}"; the XSD's use is kept`);
    return a.use;
  }
  if (letter === 'O') {
    if (a.use === 'required') return 'obligatory';
    notes.add(where, `the usage table says O (obligatory) but the XSD says use="${a.use}"; the XSD's use is kept`);
    return a.use;
  }
  if (letter === 'F' && a.fixed === undefined) notes.add(where, 'the usage table says F (fixed value) but the XSD has no fixed value');
  if (['B', 'D', 'V'].includes(letter)) notes.add(where, `the usage table says ${letter}; only I and O change "use", see usageComment`);
  return a.use;
}

/** Compare what the Word text prints about an attribute with the Annotations. */
function crossCheckWord(where: string, ann: AnnotatedAttribute, wa: WordAttribute, notes: Notes): void {
  const pairs: [string, string | undefined, string][] = [
    ['label', wa.label, ann.label],
    ['K', wa.cardinality, ann.cardinality],
    ['description', wa.description, ann.doc],
    ['Bruk (usage)', wa.blocks.get('Bruk'), ann.use],
    ['Kommentar (comment)', wa.blocks.get('Kommentar'), ann.comment],
    ['Eksempler (examples)', wa.blocks.get('Eksempler'), ann.example],
    ['Opprinnelse (origin)', wa.blocks.get('Opprinnelse'), ann.origin],
  ];
  for (const [what, w, a] of pairs) {
    if (!same(w, a)) notes.add(where, `${what}: Annotations say "${normaliseSpace(a)}", Word text "${normaliseSpace(w ?? '')}"; the Annotations are kept`);
  }
  // The Word text prints the controls whose consequence is not "Ingen handling".
  const printed: string[] = [];
  for (let i = 0; i < wa.controls.length; i++) {
    const m = /^Konsekvens dersom (feil datatype|attributt mangler|ukjent kode):\s*(.+)$/.exec(wa.controls[i]);
    if (!m) continue;
    const kind = m[1] === 'feil datatype' ? 'datatype' : m[1] === 'attributt mangler' ? 'required' : 'code';
    printed.push(`${kind}:${CONSEQUENCE_TEXT[m[2].trim()] ?? m[2].trim()}`);
  }
  const expected: string[] = [];
  if (ann.datatype && ann.datatype.consequence !== 'none') expected.push(`datatype:${ann.datatype.consequence}`);
  if (ann.required && ann.required !== 'none') expected.push(`required:${ann.required}`);
  if (ann.code && ann.code.consequence !== 'none') expected.push(`code:${ann.code.consequence}`);
  if (printed.sort().join(' ') !== expected.sort().join(' ')) {
    notes.add(
      where,
      `quality controls: Annotations (switched on, with a consequence) [${expected.join(', ')}], Word text prints [${printed.join(', ')}]; the Annotations are kept`,
    );
  }
}

const wordTexts = new Map<string, string>();
/** Whether the Word text (read once per file) contains `phrase`. */
function wordSays(file: string, phrase: string): boolean {
  let text = wordTexts.get(file);
  if (text === undefined) {
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      text = '';
    }
    wordTexts.set(file, text);
  }
  return text.includes(phrase);
}
