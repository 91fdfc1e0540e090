// The catalogue of everything `kpr mapping compile|check` can say about a mapping file. Ids are
// stable (users search for them, tests name them); add new ids at the end of their block and
// never reuse one. The printed form matches the spec linter's: `file:line:col: error MAP2001: ...`.

import { catalogue, formatDiagnostic, hasErrors, sortDiagnostics, type DefRow, type Diagnostic } from '../cli/diagnostics.ts';

export type { Pos, Severity } from '../cli/diagnostics.ts';
export type MappingDiagnostic = Diagnostic;

const defs = [
  // 1000: reading the file
  ['MAP1001', 'yaml-syntax', 'error', 'The mapping is not valid YAML.', 'Fix the YAML syntax at the position shown (indentation, quotes, colons).'],
  ['MAP1002', 'unreadable-file', 'error', 'A file could not be read.', 'Check the path and permissions.'],
  ['MAP1003', 'bad-spec-ref', 'error', 'The `spec:` line is missing or not of the form message@version.', 'Write e.g. `spec: hst@56.0.0` at the top of the mapping.'],
  [
    'MAP1004',
    'spec-not-generated',
    'error',
    'The target spec version has no generated artefacts.',
    'Run `kpr spec build`, or point --generated at the folder holding <message>/<version>/schema.json.',
  ],
  [
    'MAP1005',
    'unknown-key',
    'error',
    'A key the mapping language does not know here.',
    'See docs/mapping.md for the keys of a rule (from, const, table, map, default, when, transform) and of a child block (each, where, when, map).',
  ],
  ['MAP1006', 'wrong-type', 'error', 'A value has the wrong form (e.g. a list where a rule is expected).', 'Write the value in the form docs/mapping.md shows.'],
  ['MAP1007', 'bad-source-schema', 'error', 'The source description could not be read as JSON Schema.', 'Point `source.schema` at a JSON Schema of one source record.'],
  // 2000: the mapping against the target spec
  ['MAP2001', 'required-unmapped', 'error', 'A required target attribute has no rule.', 'Add a rule for it (a source path, a `const`, or a `default`).'],
  [
    'MAP2002',
    'unknown-target',
    'error',
    'The target class has no attribute or child of this name.',
    'Use the official names from the spec (case-sensitive); `kpr mapping template` lists them.',
  ],
  [
    'MAP2003',
    'code-not-in-list',
    'error',
    'A constant, default or table value is not a code the target attribute accepts.',
    'Use one of the codes listed in the template comment for this attribute.',
  ],
  [
    'MAP2004',
    'table-not-total',
    'error',
    'A translation table does not cover every value the source may hold.',
    "Add the missing source values, or a catch-all entry `'*': <code>`.",
  ],
  [
    'MAP2005',
    'type-mismatch',
    'error',
    "The value this rule produces cannot have the target attribute's type.",
    'Add a transform (e.g. `integer`, `string`, `year`, `utc-to-local`) or map another source field.',
  ],
  [
    'MAP2006',
    'unknown-source-path',
    'error',
    'A source path does not exist in the source description.',
    'Check the path against the source schema; paths inside `each` are relative to the item, `$.x` starts at the record.',
  ],
  ['MAP2007', 'unknown-table', 'error', 'A rule names a translation table that is not defined under `tables:`.', 'Define the table under `tables:` or fix its name.'],
  ['MAP2008', 'bad-transform', 'error', 'An unknown transform, or one with the wrong arguments.', 'See docs/mapping.md for the transforms and their arguments.'],
  ['MAP2009', 'bad-condition', 'error', 'A `when:` or `where:` condition cannot be parsed.', "Write conditions like `type == 'height'`, `exists(breastfeeding)`, `a and not b`."],
  ['MAP2010', 'required-child-unmapped', 'error', 'A required child element has no mapping.', 'Map the child (e.g. `Barn_ungdom: {...}`).'],
  [
    'MAP2011',
    'cardinality-mismatch',
    'error',
    'A repeated-child block (`each`, a list of blocks) on a child that occurs at most once, or the reverse.',
    'Use `each:` only for children that may repeat (0..* or 1..*).',
  ],
  [
    'MAP2012',
    'bad-constant',
    'error',
    'A constant or default does not fit the target attribute (type, pattern, length, fixed value).',
    'Write a value of the target type; the template comment shows the type and format.',
  ],
  [
    'MAP2013',
    'conditional-required',
    'warning',
    'A required attribute is mapped only under a condition and has no default.',
    'Give it a `default:` or be sure the condition always holds; records where it does not are rejected.',
  ],
  ['MAP2014', 'unused-table', 'warning', 'A translation table is defined but no rule uses it.', 'Remove it or refer to it with `table:`.'],
  // 3000: the mapping against another spec version
  [
    'MAP3001',
    'spec-change',
    'warning',
    'The other spec version changes something this mapping relies on.',
    'Update the rule as described before switching `spec:` to the new version.',
  ],
] as const satisfies readonly DefRow[];

export type MappingDiagnosticId = (typeof defs)[number][0];

const map = catalogue<MappingDiagnosticId>(defs);
export const MAPPING_DIAGNOSTICS = map.defs;
export const mdiag = map.make;
export const formatMappingDiagnostic = formatDiagnostic;
export const hasMappingErrors = hasErrors;
export const sortMappingDiagnostics = sortDiagnostics<MappingDiagnostic>;

/** A mapping that cannot be used: its diagnostics, each with file:line:col and a stable id. */
export class MappingError extends Error {
  constructor(readonly diagnostics: MappingDiagnostic[]) {
    super(`the mapping has errors:\n${diagnostics.map((d) => formatMappingDiagnostic(d)).join('\n')}`);
    this.name = 'MappingError';
  }
}
