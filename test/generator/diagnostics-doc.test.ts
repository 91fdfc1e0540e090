// docs/diagnostics.md is rendered from the catalogue; this keeps the two equal.
import { expect, it } from 'vitest';
import { emitDiagnosticsDoc } from '../../generator/emit/diagnostics-doc.ts';
import { DIAGNOSTICS } from '../../generator/diagnostics.ts';
import { MAPPING_DIAGNOSTICS } from '../../runtime/mapping/diagnostics.ts';
import { RULES } from '../../runtime/rules/catalogue.ts';
import { expectGolden } from '../helpers/golden.ts';

it('docs/diagnostics.md lists every diagnostic of the three catalogues', () => {
  const doc = emitDiagnosticsDoc();
  for (const id of [...DIAGNOSTICS.keys(), ...MAPPING_DIAGNOSTICS.keys(), ...RULES.keys()]) expect(doc).toContain(`| ${id} |`);
  expectGolden('docs/diagnostics.md', doc);
});
