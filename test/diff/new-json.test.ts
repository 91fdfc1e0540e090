// `kpr spec new` and `kpr spec diff <id>@<version>` for a JSON message type: the next version
// loads, carries every member over as inferred (version 1's schema says nothing about version 2),
// gains the dates it lacked, and differs from the previous one only in that.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { diffSpecs } from '../../generator/diff/index.ts';
import { runKpr } from '../helpers/cli.ts';
import { load, REPO } from './helpers.ts';

const tmp = mkdtempSync(join(tmpdir(), 'kpr-new-json-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const root = join(tmp, 'spec');
mkdirSync(root);
cpSync(join(REPO, 'test/fixtures/json-mini/spec/ekko'), join(root, 'ekko'), { recursive: true });

describe('kpr spec new for a JSON message type', () => {
  const r = runKpr(['spec', 'new', 'ekko', '2', '--from', '1', '--valid-from', '2027-01-01', '--published', '2026-04-01', '--spec-dir', root]);

  it('scaffolds version 2 that loads, with its dates and every member inferred', () => {
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('provenance: 7 published → 7 inferred until the 2 publication confirms them');
    const before = load(join(root, 'ekko/1.yaml'));
    const after = load(join(root, 'ekko/2.yaml'));
    expect(after).toMatchObject({ kind: 'json', version: '2', published: '2026-04-01', validFrom: '2027-01-01', status: 'Utkast' });
    const provenances = after.classes.flatMap((c) => [c.provenance!, ...c.attributes.map((a) => a.provenance!)]);
    expect(provenances.every((p) => p.status === 'inferred')).toBe(true);
    const kinds = diffSpecs(before, after).map((c) => c.kind);
    expect(new Set(kinds)).toEqual(new Set(['member-provenance-inferred', 'message-version-changed', 'validity-changed', 'metadata-changed']));
    expect(kinds.filter((k) => k === 'member-provenance-inferred')).toHaveLength(7);
  });

  it('keeps the rest of the file byte for byte', () => {
    const orig = readFileSync(join(root, 'ekko/1.yaml'), 'utf8').split('\n');
    const lines = readFileSync(join(root, 'ekko/2.yaml'), 'utf8').split('\n');
    // The note, version, status, two date lines; 7 provenances turned inferred, one per line.
    expect(lines.length).toBe(orig.length + 3);
    expect(lines.filter((l) => !orig.includes(l)).length).toBe(5 + 7);
  });

  it('diffs by <id>@<version> with a JSON version', () => {
    const d = runKpr(['spec', 'diff', 'ekko@1', 'ekko@2', '--spec-dir', root, '--format', 'json', '--fail-on', 'warning']);
    expect(d.code).toBe(1); // member-provenance-inferred is a warning
    expect(JSON.parse(d.stdout).changes.length).toBeGreaterThan(7);
  });

  it('refuses a semver version for a JSON type', () => {
    const bad = runKpr(['spec', 'new', 'ekko', '2.0.0.x', '--from', '1', '--valid-from', '2027-01-01', '--spec-dir', root]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/version 2\.0\.0\.x is not of the form 2/);
  });
});
