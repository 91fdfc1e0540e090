// docs/diagnostics.md is rendered from the catalogue; this keeps the two equal.
import { readFileSync, writeFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { emitDiagnosticsDoc } from '../../generator/emit/diagnostics-doc.ts';
import { DIAGNOSTICS } from '../../generator/diagnostics.ts';
import { MAPPING_DIAGNOSTICS } from '../../runtime/mapping/diagnostics.ts';
import { RULES } from '../../runtime/rules/catalogue.ts';

it('docs/diagnostics.md lists every diagnostic of the three catalogues', () => {
  const doc = emitDiagnosticsDoc();
  if (process.env.UPDATE_GOLDEN) writeFileSync('docs/diagnostics.md', doc);
  for (const id of [...DIAGNOSTICS.keys(), ...MAPPING_DIAGNOSTICS.keys(), ...RULES.keys()]) expect(doc).toContain(`| ${id} |`);
  expect(readFileSync('docs/diagnostics.md', 'utf8')).toBe(doc);
});
