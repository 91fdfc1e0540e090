// kpr spec diff between HST_Avtale 1 as transcribed from FHI's sample and the same type imported
// from a schema shows exactly what the transcription guessed: every inferred member becomes
// published, and each guess the schema contradicts (a type, a presence, a limit) is a change of
// its own. The schema is an example written for this test (an invented HST_Avtale schema, not
// FHI's), in draft-07 form.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { importJsonSchema } from '../../generator/import/json-schema/import.ts';
import { runKpr } from '../helpers/cli.ts';
import { expectGolden } from '../helpers/golden.ts';
import { REPO } from './helpers.ts';

const tmp = mkdtempSync(join(tmpdir(), 'kpr-transcription-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('kpr spec diff: the sample-based HST_Avtale against an imported schema', () => {
  const imported = importJsonSchema({
    schema: join(REPO, 'test/fixtures/json-schema/example-hst-avtale.schema.json'),
    messageType: 'HST_Avtale',
    version: '1',
    out: tmp,
  });
  const run = (format: string) => runKpr(['spec', 'diff', 'spec/hst-avtale/1.yaml', imported.specFile!, '--format', format]);

  it('imports the example into hst-avtale/1.yaml', () => {
    expect(imported.diagnostics).toEqual([]);
    expect(imported.specFile).toBe(join(tmp, 'hst-avtale/1.yaml'));
  });

  it('reports every inferred member as now published, and each contradicted guess', () => {
    const r = run('json');
    expect(r.code).toBe(0);
    const changes = (JSON.parse(r.stdout) as { changes: { kind: string; path: string; severity: string }[] }).changes;
    const published = changes.filter((c) => c.kind === 'member-provenance-published').map((c) => c.path);
    // 5 objects and 17 scalars, all inferred in the transcription, all in the example schema.
    expect(published).toHaveLength(22);
    const at = (path: string) =>
      changes
        .filter((c) => c.path === path)
        .map((c) => c.kind)
        .sort();
    expect(at('Enhet/avtale/person.fodselsNr')).toEqual(['attribute-type-changed', 'member-provenance-published', 'pattern-added']);
    expect(at('Enhet.kommuneNr')).toEqual(['attribute-became-required', 'attribute-type-changed', 'member-provenance-published', 'pattern-added']);
    expect(at('Enhet/avtale.oppmoteStatus')).toEqual(['attribute-became-required', 'enum-narrowed', 'member-provenance-published']);
    expect(at('Enhet/avtale/person')).toEqual(['child-min-raised', 'member-provenance-published']);
    // A guess the schema confirms changes nothing but its provenance.
    expect(at('Enhet/avtale/person.personId')).toEqual(['member-provenance-published']);
  });

  it('reads as the golden text', () => {
    const r = run('text');
    expectGolden(join(REPO, 'test/diff/golden/transcription-vs-schema.txt'), r.stdout.split(tmp).join('<imported>'));
  });
});
