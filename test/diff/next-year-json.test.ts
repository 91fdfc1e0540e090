// What a spec maintainer does when next year's schema of a JSON message type arrives: import it
// as version 2 beside version 1, diff the two, and build: the changelog lists the changes with
// their severities. Both schemas are the example written for the importer's tests, the second
// edited here as a publisher might (not FHI schemas).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildArtefacts } from '../../generator/build.ts';
import { importJsonSchema } from '../../generator/import/json-schema/import.ts';
import { runKpr } from '../helpers/cli.ts';
import { REPO } from './helpers.ts';

const tmp = mkdtempSync(join(tmpdir(), 'kpr-next-year-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('next year: import version 2 of a JSON message type, diff, changelog', async () => {
  const v1 = JSON.parse(readFileSync(join(REPO, 'test/fixtures/json-schema/example-besok.schema.json'), 'utf8'));
  const v2 = structuredClone(v1);
  v2.$defs.Besok.properties.status.enum = [1, 2]; // a code withdrawn
  v2.$defs.Besok.required.push('dato'); // now required
  v2.$defs.Besok.properties.merknad.maxLength = 40; // longer notes allowed
  delete v2.$defs.Besok.properties.kanal; // a member withdrawn
  const files = [1, 2].map((v) => join(tmp, `besok-${v}.schema.json`));
  writeFileSync(files[0], JSON.stringify(v1, null, 2));
  writeFileSync(files[1], JSON.stringify(v2, null, 2));
  const spec = join(tmp, 'spec');
  const imports = files.map((schema, i) => importJsonSchema({ schema, messageType: 'EKSEMPEL_Besok', version: String(i + 1), out: spec }));
  const built = await buildArtefacts(spec);

  it('imports both versions and builds them', () => {
    expect(imports.flatMap((r) => r.diagnostics)).toEqual([]);
    expect(built.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect([...built.files.keys()].filter((p) => p.endsWith('schema.json'))).toEqual(['eksempel-besok/1/schema.json', 'eksempel-besok/2/schema.json']);
  });

  it('kpr spec diff names each change with its severity, and --fail-on breaking exits 1', () => {
    const r = runKpr(['spec', 'diff', 'eksempel-besok@1', 'eksempel-besok@2', '--spec-dir', spec, '--format', 'json', '--fail-on', 'breaking']);
    expect(r.code).toBe(1);
    const got = (JSON.parse(r.stdout).changes as { kind: string; path: string; severity: string }[]).map((c) => `${c.severity} ${c.kind} ${c.path}`).sort();
    expect(got).toEqual([
      'breaking attribute-became-required Enhet/besok.dato',
      'breaking attribute-removed Enhet/besok.kanal',
      'breaking enum-narrowed Enhet/besok.status',
      'info max-length-raised Enhet/besok.merknad',
      'info message-version-changed message/version',
    ]);
  });

  it('the changelog lists version 2 against version 1', () => {
    const log = built.files.get('eksempel-besok/CHANGELOG.md')!;
    expect(log.indexOf('## eksempel-besok@2')).toBeLessThan(log.indexOf('## eksempel-besok@1'));
    expect(log).toContain('Compared with eksempel-besok@1: 3 breaking, 0 that may break, 2 other.');
    expect(log).toContain('- **enum-narrowed** `Enhet/besok.status`');
  });
});
