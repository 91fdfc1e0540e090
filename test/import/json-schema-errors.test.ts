// What the JSON Schema importer cannot express is refused, never dropped: each construct is named
// with file:line:col and its JSON pointer and a stable id, and nothing is written. Each case is a
// small example schema written for the test; the expected output is a golden file.
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../generator/diagnostics.ts';
import { importJsonSchema } from '../../generator/import/json-schema/import.ts';
import { expectGolden } from '../helpers/golden.ts';
import { runKpr } from '../helpers/cli.ts';

const goldenDir = 'test/import/golden/json-schema-errors';

/** An example body: an array of units, with `extra` spliced into the unit's properties. */
function unitSchema(extra: string, defs = ''): string {
  return `{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "title": "EXAMPLE written for kpr-kit's tests",
  "type": "array",
  "items": { "$ref": "#/$defs/Enhet" },
  "$defs": {
    "Enhet": {
      "type": "object",
      "additionalProperties": false,
      "properties": {
        "orgNr": { "type": "integer" },
${extra}
      }
    }${defs}
  }
}
`;
}

const cases: [string, string, string[]][] = [
  [
    'oneof-discriminator',
    unitSchema(
      `        "hendelse": { "oneOf": [{ "$ref": "#/$defs/A" }, { "$ref": "#/$defs/B" }], "discriminator": { "propertyName": "art" } }`,
      `,\n    "A": { "type": "object", "properties": { "art": { "const": "a" } } },\n    "B": { "type": "object", "properties": { "art": { "const": "b" } } }`,
    ),
    ['KPR1702'],
  ],
  ['pattern-properties', unitSchema(`        "koder": { "type": "object", "patternProperties": { "^k": { "type": "string" } } }`), ['KPR1702']],
  [
    'dependent-schemas',
    unitSchema(`        "person": { "type": "object", "properties": { "a": { "type": "string" } }, "dependentSchemas": { "a": { "required": ["b"] } } }`),
    ['KPR1702'],
  ],
  ['external-ref', unitSchema(`        "sted": { "$ref": "https://example.invalid/sted.json" }`), ['KPR1703']],
  ['missing-ref', unitSchema(`        "sted": { "$ref": "#/$defs/Sted" }`), ['KPR1703']],
  ['array-of-scalars', unitSchema(`        "koder": { "type": "array", "items": { "type": "string" } }`), ['KPR1702']],
  ['several-types', unitSchema(`        "verdi": { "type": ["string", "integer"] }`), ['KPR1702']],
  ['unknown-format', unitSchema(`        "epost": { "type": "string", "format": "email" }`), ['KPR1702']],
  [
    'name-clash',
    unitSchema(
      `        "sted": { "type": "object", "properties": { "a": { "type": "string" } } },\n        "besok": { "type": "array", "items": { "type": "object", "properties": { "sted": { "type": "object", "properties": { "b": { "type": "integer" } } } } } }`,
    ),
    ['KPR1704'],
  ],
  [
    'several-at-once',
    unitSchema(
      `        "a": { "type": "string", "format": "email" },\n        "b": { "allOf": [{ "type": "string" }] },\n        "c": { "type": "object", "additionalProperties": { "type": "string" } }`,
    ),
    ['KPR1702'],
  ],
  ['not-json', '{ "type": "array", ', ['KPR1701']],
];

describe('kpr spec import --json-schema refuses what it cannot express', () => {
  const root = mkdtempSync(join(tmpdir(), 'kpr-import-errors-'));

  it.each(cases)('%s', (name, text, ids) => {
    const file = join(root, `${name}.schema.json`);
    writeFileSync(file, text);
    const out = join(root, `out-${name}`);
    const r = importJsonSchema({ schema: file, messageType: 'EKSEMPEL_Feil', version: '1', out });
    expect(r.diagnostics.length).toBeGreaterThan(0);
    for (const id of ids) expect(r.diagnostics.map((d) => d.id)).toContain(id);
    // file:line:col and a JSON pointer in every message, and nothing written.
    for (const d of r.diagnostics) {
      expect(d.line).toBeGreaterThan(0);
      if (d.id !== 'KPR1701') expect(d.message).toMatch(/^\/\S*: /);
    }
    expect(existsSync(out)).toBe(false);
    const text2 = `${r.diagnostics.map((d) => formatDiagnostic(d).split(root).join('<tmp>')).join('\n')}\n`;
    expectGolden(join(goldenDir, `${name}.txt`), text2);
  });

  it('points at the line of the offending keyword', () => {
    const file = join(root, 'pattern-properties.schema.json');
    const r = importJsonSchema({ schema: file, messageType: 'EKSEMPEL_Feil', version: '1', out: join(root, 'x') });
    const lines = unitSchema(`        "koder": { "type": "object", "patternProperties": { "^k": { "type": "string" } } }`).split('\n');
    const d = r.diagnostics[0];
    expect(lines[d.line - 1].slice(d.col - 1)).toMatch(/^"patternProperties"/);
    expect(d.message).toContain('/$defs/Enhet/properties/koder/patternProperties');
  });

  it('the command exits 1, prints file:line:col, and writes nothing', () => {
    const out = join(root, 'cli-out');
    const r = runKpr(['spec', 'import', '--json-schema', join(root, 'pattern-properties.schema.json'), '--message', 'EKSEMPEL_Feil', '--version', '1', '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/pattern-properties\.schema\.json:12:\d+: error KPR1702: \/\$defs\/Enhet\/properties\/koder\/patternProperties: /);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(existsSync(out) && readdirSync(out).length).toBeFalsy();
  });

  it('needs --version with --json-schema, and one source', () => {
    expect(runKpr(['spec', 'import', '--json-schema', 'x.json', '--message', 'EKSEMPEL_Feil']).stderr).toMatch(/needs --version/);
    expect(runKpr(['spec', 'import', '--message', 'EKSEMPEL_Feil']).code).toBe(2);
  });
});
