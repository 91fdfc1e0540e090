// The catalogue of every diagnostic kpr-kit's spec tools can report. Ids are stable: users
// search for them, tests name them, and docs/diagnostics.md is generated from this table.
// Add new ids at the end of their block; never reuse or renumber one.

import type { SourcePos } from './model/types.ts';
import { catalogue, type DefRow } from '../runtime/cli/diagnostics.ts';

export { formatDiagnostic, hasErrors, sortDiagnostics } from '../runtime/cli/diagnostics.ts';
export type { Diagnostic, DiagnosticDef, Severity } from '../runtime/cli/diagnostics.ts';

const defs = [
  // 1000: reading files
  ['KPR1001', 'yaml-syntax', 'error', 'The file is not valid YAML.', 'Fix the YAML syntax at the position shown (indentation, quotes, colons).'],
  ['KPR1002', 'duplicate-key', 'error', 'A key appears twice in the same mapping.', 'Remove or rename one of them; YAML keeps only one.'],
  [
    'KPR1003',
    'unknown-key',
    'error',
    'A key the spec format does not know.',
    'Check the spelling against docs/spec-format.md; editors with the YAML extension complete valid keys.',
  ],
  ['KPR1004', 'missing-key', 'error', 'A required key is missing.', 'Add the key; docs/spec-format.md lists what each node needs.'],
  [
    'KPR1005',
    'wrong-type',
    'error',
    'A value has the wrong type (e.g. a list where a text is expected).',
    'Write the value in the form docs/spec-format.md shows; quote codes and numbers meant as text.',
  ],
  ['KPR1006', 'bad-value', 'error', 'A value is not one of the allowed values or does not match the expected form.', 'Use one of the values listed in the message.'],
  ['KPR1007', 'unreadable-file', 'error', 'A file could not be read.', 'Check the path and permissions.'],
  [
    'KPR1008',
    'alias-bomb',
    'error',
    'YAML aliases would expand to more than 100 uses (an "alias bomb"), so the file is not read.',
    'Write the values out, or alias a value directly rather than aliases of aliases.',
  ],
  // 1100: dates and versions
  ['KPR1101', 'bad-date', 'error', 'A date is not a real calendar date.', 'Write dates as YYYY-MM-DD with a valid month and day.'],
  [
    'KPR1102',
    'bad-version',
    'error',
    'Version, schema version, message id and file path disagree.',
    'A message file lives at spec/<message>/<version>.yaml; schemaVersion starts with the version.',
  ],
  ['KPR1103', 'validity-order', 'warning', 'The specification applies from a date before it was published.', 'Check validFrom and published against the title page.'],
  // 1200: classes and structure
  ['KPR1201', 'unknown-class', 'error', 'A child refers to a class that is not defined.', 'Define the class under `classes`, or fix the name (official names are case-sensitive).'],
  ['KPR1202', 'unknown-root', 'error', 'The root names a class that is not defined.', 'Set `root` to the top-level class, normally Melding.'],
  ['KPR1203', 'class-cycle', 'error', 'Classes contain each other in a cycle; a message could never end.', 'Remove one of the child references that close the cycle.'],
  ['KPR1204', 'unreachable-class', 'warning', 'A class is defined but no path from the root reaches it.', 'Add it as a child where it belongs, or remove it.'],
  ['KPR1205', 'duplicate-child', 'error', 'A class lists the same child class twice.', 'List each child class once, with its cardinality.'],
  ['KPR1206', 'bad-cardinality', 'error', 'A cardinality whose minimum exceeds its maximum.', 'Write cardinality as min..max with min <= max, e.g. 0..1, 1..*.'],
  [
    'KPR1207',
    'bad-exactly-one',
    'error',
    '`exactlyOne` names a class that is not a 0..1 child of the class.',
    'List only 0..1 children of the class ({XOR} between optional single children).',
  ],
  // 1300: code lists
  ['KPR1301', 'unknown-codelist', 'error', 'An attribute refers to a code list that is not defined.', 'Add spec/codelists/<number>.yaml, or fix the number.'],
  ['KPR1302', 'unknown-code', 'error', 'A code named in `codes` or `accept` is not in the code list.', 'Add the code to the code list, or remove it here.'],
  [
    'KPR1303',
    'codelist-type-mismatch',
    'error',
    'A coded attribute without a code list, or a code list on an attribute that is not coded.',
    'Give coded attributes a `codelist`, and only those.',
  ],
  ['KPR1304', 'accept-outside-codes', 'error', '`accept` names a code that `codes` does not publish.', '`accept` must narrow `codes`, not widen it.'],
  ['KPR1305', 'duplicate-code', 'error', 'A code appears twice in a code list.', 'Keep one entry per code; use validFrom/validTo for changes over time.'],
  ['KPR1306', 'codelist-identity', 'error', 'A code list file name, number and OID disagree.', 'Name the file <number>.yaml and end the OID with .<number>.'],
  ['KPR1307', 'code-validity-order', 'error', 'A code is valid to a date before it is valid from.', 'Check validFrom and validTo.'],
  // 1400: keys and references inside a class
  ['KPR1401', 'unknown-key-field', 'error', 'A unique, keyref or primary key names an attribute or child that does not exist.', 'Use the official attribute and class names.'],
  ['KPR1402', 'unknown-unique', 'error', 'A keyref refers to a unique constraint that is not defined.', 'Name an existing `unique` in `refer`.'],
  ['KPR1403', 'duplicate-attribute', 'error', 'An attribute name appears in two places where it must be unique.', 'Rename one of them.'],
  // 1500: attributes and controls
  ['KPR1501', 'fixed-type-mismatch', 'error', 'A fixed value that the attribute type cannot hold.', 'Make the fixed value match the type.'],
  ['KPR1502', 'bad-length', 'error', 'minLength is greater than maxLength.', 'Swap or correct the bounds.'],
  ['KPR1503', 'bad-pattern', 'error', 'A pattern is not a valid regular expression.', 'Write an ECMAScript regular expression that XSD can read too.'],
  [
    'KPR1504',
    'control-unknown-xpath',
    'warning',
    'A control refers, by XPath, to an attribute this message does not have.',
    'Often inherited from NPR messages; keep it if published, but the runtime cannot use it.',
  ],
  [
    'KPR1505',
    'required-control-on-optional',
    'warning',
    'A presence control on an attribute that may be left out.',
    'Check `use`: an attribute the receiver requires is usually required or obligatory.',
  ],
  ['KPR1506', 'control-on-unused', 'warning', 'Controls on an attribute this message prohibits or ignores.', 'Remove the controls or check `use`.'],
  ['KPR1507', 'codelist-type-controls', 'warning', 'A code control on an attribute that is not coded.', 'Code controls belong to coded attributes.'],
  // 1600: JSON message types (kind: json)
  [
    'KPR1601',
    'missing-provenance',
    'error',
    'A member of a JSON message type does not say where it comes from.',
    'Add `provenance: { status: published|inferred, source: <id> }`: a guess must never pass for a publication.',
  ],
  ['KPR1602', 'unknown-source', 'error', 'A provenance names a source that `sources` does not define.', 'Add the source under `sources`, or fix the id.'],
  [
    'KPR1603',
    'kind-mismatch',
    'error',
    'A key or type that belongs to the other kind of message (XML or JSON).',
    'JSON-only: provenance, nullable, enum, minimum/maximum, digits, number, boolean, dateTimeOffset. XML-only: unique, keyrefs, controls, namespace, schemaVersion.',
  ],
  [
    'KPR1604',
    'digits-not-integer',
    'error',
    '`digits` on a member that is not an integer.',
    '`digits` says an identifier is sent as a JSON number; give it type integer, or remove `digits`.',
  ],
  [
    'KPR1605',
    'bad-range',
    'error',
    'A lower bound above the upper bound, or a bound on a type that is not a number.',
    'Check minimum/maximum (and the exclusive ones); bounds belong to integer and number members.',
  ],
  [
    'KPR1606',
    'enum-type-mismatch',
    'error',
    "An `enum` value the member's type cannot hold.",
    "Write enum values of the member's type: numbers for integer and number, text for string.",
  ],
  // 1700: importing a JSON Schema (kpr spec import --json-schema)
  [
    'KPR1701',
    'schema-unreadable',
    'error',
    'The JSON Schema file is not valid JSON, or not a schema object.',
    'Save the schema exactly as the Swagger page serves it (JSON, UTF-8).',
  ],
  [
    'KPR1702',
    'schema-unsupported',
    'error',
    'A JSON Schema construct the spec format cannot express (oneOf with a discriminator, patternProperties, dependentSchemas …).',
    'Nothing is imported. Ask the publisher, or write the member by hand in the YAML and mark its provenance; docs/spec-import.md lists what is supported.',
  ],
  [
    'KPR1703',
    'schema-bad-ref',
    'error',
    'A $ref that does not resolve inside the file (external, or to a missing definition).',
    'Only local references (#/$defs/…, #/definitions/…) are read: save the referenced schema into the file.',
  ],
  [
    'KPR1704',
    'schema-name-clash',
    'error',
    'Two different object schemas under one member name: the spec names classes by member.',
    'Rename one in the drafted YAML by hand, or ask the publisher.',
  ],
  // 1800: message-level rules of the published text (`rules:`)
  ['KPR1801', 'duplicate-rule-id', 'error', 'Two message rules share an id.', 'Give each rule its own id; an id, once published, is never reused.'],
  [
    'KPR1802',
    'unknown-kit-rule',
    'error',
    'A message rule is `enforcedBy` a rule id that runtime/rules/catalogue.ts does not have.',
    'Name a rule of the catalogue (docs/diagnostics.md lists them), or say `notEnforced` and why.',
  ],
] as const satisfies readonly DefRow[];

export type DiagnosticId = (typeof defs)[number][0];

const kpr = catalogue<DiagnosticId>(defs);
export const DIAGNOSTICS = kpr.defs;

/** Build a diagnostic of a catalogued kind at a position. */
export function diag(id: DiagnosticId, at: SourcePos, message: string, hint?: string) {
  return kpr.make(id, at, message, hint);
}
