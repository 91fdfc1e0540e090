// The catalogue of every record-level rule: what `kpr map`, `kpr run`, `kpr xml` and the
// Melding builder can say about one record (or about records together). Shaped like the KPR and
// MAP catalogues (runtime/cli/diagnostics.ts: stable id, kebab name, severity, summary, hint),
// plus whose rule it is and what follows from it, because the promise to a municipality is that
// the receiver's rules are applied as the receiver publishes them and the kit's own are
// labelled as the kit's. Ids are stable: add new ones at the end of their block, never reuse one.
// docs/diagnostics.md lists them (generated; test/generator/diagnostics-doc.test.ts).

import type { Consequence } from '../spec/consequence.ts';

/**
 * Whose rule it is:
 * - `receiver-control`: a published control (Kontroller) of the message's specification; the
 *   consequence is the one published for that attribute.
 * - `receiver-xsd`: the official XSD refuses it (type, length, enumeration, identity
 *   constraints); XML the XSD refuses costs the whole Melding.
 * - `receiver-text`: a rule written in the specification's prose or usage notes, with no
 *   published control or consequence; the kit chose the consequence.
 * - `kit`: no published rule at all; a careful sender's check, with the consequence the kit chose.
 */
export type RuleOwner = 'receiver-control' | 'receiver-xsd' | 'receiver-text' | 'kit';

/** `published`: the consequence the specification publishes for the attribute at hand. */
export type RuleConsequence = Consequence | 'published';

export interface RuleDef {
  id: string;
  /** kebab-case name, for people who prefer words to numbers. */
  name: string;
  /** The default; a `published` consequence decides per finding (docs/consequences.md). */
  severity: 'error' | 'warning';
  owner: RuleOwner;
  consequence: RuleConsequence;
  /** What the rule means. */
  summary: string;
  /** What to do about it. */
  hint: string;
  /** The published text the rule rests on, quoted (receiver's rules only). */
  source?: string;
}

type Row = readonly [id: string, name: string, severity: 'error' | 'warning', owner: RuleOwner, consequence: RuleConsequence, summary: string, hint: string, source?: string];

const rows = [
  // 1000: reading a source record (the kit's: nothing to send yet)
  ['REC1001', 'source-json', 'error', 'kit', 'discard-row', 'A source line is not JSON.', 'Fix the export so every line is one JSON object; the line number points at it.'],
  [
    'REC1002',
    'source-shape',
    'error',
    'kit',
    'discard-row',
    'A source record is not a JSON object, or lacks the part the kit needs (e.g. `Konsultasjon`).',
    'Export one JSON object per line, in the form docs/configuration.md shows.',
  ],
  [
    'REC1003',
    'source-changed-at',
    'error',
    'kit',
    'discard-row',
    'A source record has no `changedAt` (or the configured field), or it is not a point in time.',
    'Export when the record last changed, as an ISO 8601 instant; it tells versions of one record apart.',
  ],
  [
    'REC1004',
    'source-konsultasjon-id',
    'error',
    'kit',
    'discard-row',
    'A source record (or a deletion) gives no `konsultasjonID`.',
    "Every consultation and every deletion needs the EPJ's identity of the consultation.",
  ],
  [
    'REC1005',
    'mapping-failed',
    'error',
    'kit',
    'discard-row',
    'The mapping failed on a record in a way no rule describes.',
    'Report it with the line; the mapping or the record has a case the kit did not foresee.',
  ],
  [
    'REC1006',
    'line-too-long',
    'error',
    'kit',
    'discard-row',
    'A source line longer than the limit (`--max-line-bytes`); it is not read into memory.',
    'Check the export: no consultation is that long; raise the limit only if one really is.',
  ],
  [
    'REC1007',
    'source-not-utf8',
    'error',
    'kit',
    'discard-row',
    'A source line holds bytes that are not UTF-8; nothing is replaced, the line is held.',
    'Export in UTF-8; the message gives the byte offset in the line where the bad bytes start.',
  ],
  [
    'REC1008',
    'source-record-id',
    'error',
    'kit',
    'discard-row',
    'A source record has no record id (`recordId`, or what the mapping names), so its versions cannot be told apart.',
    "Export the EPJ's identity of the record on every line.",
  ],
  [
    'REC1009',
    'source-reporting-unit',
    'error',
    'kit',
    'discard-row',
    'A source record for SLASH names no reporting unit: no organisation number (`orgNr`, or the field `slash.unit.orgNr` names) of 9 digits.',
    "Export each record's reporting unit (its organisation number, and kommuneNr / bydelNr where FHI wants them): SLASH delivers per unit, in order, and a record without one cannot be queued anywhere.",
  ],
  // 1100: the vendor's mapping (kit's: the mapping could not make a value)
  [
    'REC1101',
    'unmapped-code',
    'error',
    'kit',
    'published',
    'A source value has no entry in the translation table.',
    "Add the value to the table in the mapping (or a catch-all `'*'`), or correct the record in the EPJ.",
  ],
  [
    'REC1102',
    'transform-failed',
    'error',
    'kit',
    'published',
    'A transform could not convert the source value (e.g. `integer` on a text).',
    'Correct the record in the EPJ, or change the transform in the mapping.',
  ],
  ['REC1103', 'source-not-a-list', 'error', 'kit', 'discard-row', 'An `each:` source is not a list.', 'Export the field as a JSON array, or fix the `each:` path.'],
  // 2000: the official XSD (and the kit's JSON Schema of it)
  [
    'REC2001',
    'schema-required',
    'error',
    'receiver-xsd',
    'published',
    'A value the message requires is missing.',
    'Fill it in the EPJ; the published control says what the receiver does without it.',
  ],
  [
    'REC2002',
    'schema-type',
    'error',
    'receiver-xsd',
    'published',
    'A value has the wrong type (text for a number, a number for a text).',
    "Correct the value in the EPJ or the mapping's transform.",
  ],
  [
    'REC2003',
    'schema-format',
    'error',
    'receiver-xsd',
    'published',
    'A value does not have the published form (pattern, date, GUID, number of digits).',
    'Correct the value; the message names the expected form.',
  ],
  [
    'REC2004',
    'schema-length',
    'error',
    'receiver-xsd',
    'published',
    'A text is longer (or shorter) than the message allows.',
    'Shorten the text in the EPJ; the published control says what the receiver does with it.',
  ],
  [
    'REC2005',
    'schema-code',
    'error',
    'receiver-xsd',
    'published',
    "A value is not a code of the attribute's code list.",
    'Use a code of the list (the field reference lists them); the published control says what the receiver does with an unknown code.',
  ],
  ['REC2006', 'schema-range', 'error', 'receiver-xsd', 'published', 'A number is outside the range the message allows.', 'Correct the value in the EPJ.'],
  [
    'REC2007',
    'schema-fixed',
    'error',
    'receiver-xsd',
    'discard-message',
    'An attribute has another value than the one the XSD fixes.',
    'Leave the attribute to the kit, or set it to the fixed value.',
  ],
  ['REC2008', 'schema-unknown', 'error', 'receiver-xsd', 'discard-message', 'An attribute or element the message does not have.', 'Remove it; official names are case-sensitive.'],
  [
    'REC2009',
    'schema-structure',
    'error',
    'receiver-xsd',
    'discard-message',
    "The record breaks the message's structure (too many or too few children, one of two exclusive children, …).",
    'Correct the record; the message names the element.',
  ],
  [
    'REC2010',
    'date-not-real',
    'error',
    'receiver-xsd',
    'published',
    'A date or date-time that does not exist (30 February, year 0000) or is outside the published years 1900-2999.',
    'Correct the date in the EPJ.',
  ],
  [
    'REC2011',
    'number-too-large',
    'error',
    'kit',
    'discard-row',
    'A whole number larger than the kit can write exactly (above 2^53-1).',
    'Correct the value in the EPJ; no KPR number is that large.',
  ],
  [
    'REC2012',
    'xml-character',
    'error',
    'receiver-xsd',
    'discard-row',
    'A text holds a character XML 1.0 cannot carry (NUL and other control characters, a lone surrogate, U+FFFE, U+FFFF); a Melding with it could not be read at all, so the record is held.',
    'Remove the character in the EPJ; the message names the field and the offset.',
  ],
  // 3000: the receiver's published controls beyond the schema
  [
    'REC3001',
    'date-after-extract',
    'error',
    'receiver-control',
    'published',
    'A date after the extract date (`uttakDato`).',
    'Correct the date in the EPJ, or check the extract date.',
    'Kontroll «Dato-område»: til /Melding/@uttakDato',
  ],
  [
    'REC3002',
    'period-order',
    'error',
    'receiver-control',
    'published',
    'A date before the start (or after the end) of the period the specification names.',
    'Correct the dates in the EPJ.',
    'Kontroll «Dato-område»',
  ],
  [
    'REC3003',
    'code-not-valid-on-date',
    'error',
    'receiver-control',
    'published',
    'A code that is not valid on the date the receiver checks it against.',
    "Use a code valid on that date (the field reference shows each code's validity).",
    'Kontroll «Kodeverk»: gyldig på dato',
  ],
  [
    'REC3004',
    'birth-date-id-format',
    'warning',
    'receiver-text',
    'none',
    'With typeID 9 (Annet), fid is not a birth date in the form ddmmyy.',
    'Send the birth date as ddmmyy (e.g. 170219), or the fødselsnummer with typeID 1 once the child has one.',
    'fid, Bruk: «skal rapporteres med fødselsdato med format ddmmyy og med Type person identifikasjon (typeID) lik 9 Annet»',
  ],
  [
    'REC3005',
    'maleresultat-numbering',
    'warning',
    'receiver-text',
    'none',
    'The results of a measurement are not numbered 1, 2, … in order.',
    'Number the results from 1 in the order they were taken; a duplicate number costs the Melding (REC5001).',
    'maleresultatNr, Bruk: «Angi 1 for første måleresultat, 2 for neste osv.»',
  ],
  // 4000: the kit's own checks (no published control; the kit chose the consequence)
  [
    'REC4001',
    'fnr-check-digit',
    'error',
    'kit',
    'discard-row',
    'A fødselsnummer, D-nummer or H-nummer whose check digits, date or century are wrong.',
    'Correct the number in the EPJ; a wrong number gives the child no KPR identity.',
  ],
  [
    'REC4002',
    'person-id-type-mismatch',
    'error',
    'kit',
    'discard-row',
    'The number is of another kind than `typeID` says (a D-nummer with typeID 1, …).',
    'Correct typeID or the number in the EPJ.',
  ],
  [
    'REC4003',
    'orgnr-check-digit',
    'warning',
    'kit',
    'none',
    'An organisasjonsnummer whose check digit is wrong (the receiver publishes only "Min 1 max 10 siffer"; sent, with a warning).',
    'Correct the number; Enhetsregisteret shows the right one.',
  ],
  [
    'REC4004',
    'hpr-format',
    'error',
    'receiver-control',
    'published',
    'An HPR-nummer that is not one to nine digits (or -1).',
    'Correct the number; Helsepersonellregisteret shows the right one.',
    'Kontroll «Datatype»: Min 1 max 9 siffer',
  ],
  [
    'REC4005',
    'kommunenummer-format',
    'error',
    'receiver-control',
    'published',
    'A kommunenummer that is not four digits (the kit also refuses 00xx, which no county has).',
    'Use the four-digit kommunenummer.',
    'Kontroll «Datatype»: Kommunenummer',
  ],
  [
    'REC4006',
    'growth-implausible',
    'warning',
    'kit',
    'none',
    'A height or weight far outside what a child of that age can have (often a unit mix-up).',
    'Check the value and the unit in the EPJ; it is sent as it is.',
  ],
  [
    'REC4007',
    'synthetic-person-id',
    'error',
    'kit',
    'discard-row',
    'A synthetic (Tenor) test number in a production profile.',
    'Test numbers name no real person; send them only to the test environment.',
  ],
  [
    'REC4008',
    'unknown-enhet',
    'warning',
    'kit',
    'none',
    "A RefEnhet names an enhetID that kpr.yaml does not report under sender.Kommune[].Enhet (sent: the XSD's keyref never matches, so the receiver takes it).",
    'Add the Enhet to sender.Kommune in kpr.yaml, or correct the record in the EPJ.',
  ],
  [
    'REC4009',
    'birth-year-implausible',
    'warning',
    'kit',
    'none',
    'A fødselsår (`fodselsar`) before 1900, after the extract, or other than the year the person number gives (the receiver publishes no control; sent, with a warning).',
    'Check the birth date in the EPJ; 0 is the published code for an unknown year.',
  ],
  // 5000: across records (identity constraints and the builder's checks)
  [
    'REC5001',
    'duplicate-key',
    'error',
    'receiver-xsd',
    'discard-message',
    'Two records share a value the XSD requires to be unique (xs:unique / xs:key).',
    'Give each its own identity in the EPJ; the record that came later is held back.',
  ],
  [
    'REC5002',
    'dangling-reference',
    'error',
    'receiver-xsd',
    'discard-message',
    'A reference (xs:keyref) names no element of the Melding.',
    'Report the element it refers to, or correct the reference.',
  ],
  [
    'REC5003',
    'duplicate-version',
    'warning',
    'kit',
    'discard-row',
    'Two lines of one run give the same record id and changedAt with different content; the first is taken, the second is not sent (the same content twice is skipped without a word).',
    'Correct the export: a changed record needs a later changedAt. Both lines are named.',
  ],
  [
    'REC5004',
    'melding-build-failed',
    'error',
    'kit',
    'discard-row',
    'A Melding could not be written with this record in it (a defect no other rule caught); the record is held and the rest are sent.',
    'Report it with the line and the message; correct the record in the EPJ.',
  ],
] as const satisfies readonly Row[];

export type RuleId = (typeof rows)[number][0];
export type RuleName = (typeof rows)[number][1];

export const RULES: ReadonlyMap<string, RuleDef> = new Map(
  (rows as readonly Row[]).map(([id, name, severity, owner, consequence, summary, hint, source]) => [
    id,
    { id, name, severity, owner, consequence, summary, hint, ...(source ? { source } : {}) },
  ]),
);

const byName: ReadonlyMap<string, RuleDef> = new Map([...RULES.values()].map((d) => [d.name, d]));

/** The rule of an id or a kebab name; throws for one not in the catalogue (a programming error). */
export function rule(idOrName: RuleId | RuleName): RuleDef {
  const d = RULES.get(idOrName) ?? byName.get(idOrName);
  if (!d) throw new Error(`rule ${idOrName} is not in the catalogue`);
  return d;
}

/** The rule of an id found in stored data (rejections of older versions may name none). */
export function ruleOf(id: string): RuleDef | undefined {
  return RULES.get(id) ?? byName.get(id);
}

/** The catalogue's rule for a JSON Schema keyword (Ajv's `keyword` of an error). */
export function schemaRule(keyword: string): RuleId {
  switch (keyword) {
    case 'required':
      return 'REC2001';
    case 'type':
      return 'REC2002';
    case 'pattern':
    case 'format':
      return 'REC2003';
    case 'maxLength':
    case 'minLength':
      return 'REC2004';
    case 'enum':
      return 'REC2005';
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return 'REC2006';
    case 'const':
      return 'REC2007';
    case 'additionalProperties':
      return 'REC2008';
    case 'date':
      return 'REC2010';
    case 'unique':
      return 'REC5001';
    case 'keyref':
      return 'REC5002';
    default:
      return 'REC2009';
  }
}
