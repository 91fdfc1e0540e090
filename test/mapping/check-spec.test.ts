// `kpr mapping check --spec`: a made-up next version of HST (derived from 56.0.0 by editing the
// YAML as a spec maintainer would) and what the example mapping must change for it: errors where
// it would no longer compile, and each spec change at the rule it touches.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkMappingAgainst } from '../../generator/mapping/check-spec.ts';
import { REPO_ROOT, runKpr } from '../helpers/cli.ts';

const MAPPING = join(REPO_ROOT, 'examples/demo-epj/mapping.yaml');

function nextVersion(): string {
  const specDir = mkdtempSync(join(tmpdir(), 'kpr-spec-next-'));
  cpSync(join(REPO_ROOT, 'spec'), specDir, { recursive: true });
  const text = readFileSync(join(specDir, 'hst/56.0.0.yaml'), 'utf8');
  const edit = (s: string, from: string, to: string) => {
    expect(s.includes(from), from).toBe(true);
    return s.replace(from, to);
  };
  let next = text;
  next = edit(next, 'version: 56.0.0\nschemaVersion: 56.0.0.27', 'version: 57.0.0\nschemaVersion: 57.0.0.1');
  next = edit(next, 'fixed: 56.0.0', 'fixed: 57.0.0');
  // episodeGUID becomes required; helsepersonHPR is renamed.
  next = edit(
    next,
    '      episodeGUID:\n        label: Episode GUID\n        type: guid\n        use: optional',
    '      episodeGUID:\n        label: Episode GUID\n        type: guid\n        use: required',
  );
  next = edit(next, '      helsepersonHPR:\n', '      hprNummer:\n');
  writeFileSync(join(specDir, 'hst/57.0.0.yaml'), next);
  return specDir;
}

describe('a mapping against another spec version', () => {
  const specDir = nextVersion();

  it('names what breaks, at the rules it touches', () => {
    const r = checkMappingAgainst(MAPPING, 'hst@57.0.0', { specDir });
    expect(r.diffed).toBe(true);
    const text = readFileSync(MAPPING, 'utf8');
    const lineOf = (needle: string) => text.slice(0, text.indexOf(needle)).split('\n').length;
    const errors = r.diagnostics.filter((d) => d.severity === 'error').map((d) => [d.id, d.line]);
    expect(errors).toEqual(
      expect.arrayContaining([
        ['MAP2001', lineOf('Konsultasjon:')], // episodeGUID is now required
        ['MAP2002', lineOf('helsepersonHPR: hpr')], // no such attribute any more
      ]),
    );
    const changes = r.diagnostics.filter((d) => d.id === 'MAP3001');
    expect(changes.some((d) => /episodeGUID/.test(d.message))).toBe(true);
    expect(changes.some((d) => d.line === lineOf('helsepersonHPR: hpr') && /helsepersonHPR/.test(d.message))).toBe(true);
  });

  it('is quiet against its own version', () => {
    const r = checkMappingAgainst(MAPPING, 'hst@56.0.0', { specDir });
    expect(r.diagnostics).toEqual([]);
    expect(r.changes).toEqual([]);
  });

  it('kpr mapping check exits 1 when the mapping would not compile there', () => {
    const r = runKpr(['mapping', 'check', MAPPING, '--spec', 'hst@57.0.0', '--spec-dir', specDir]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/mapping\.yaml:\d+:\d+: error MAP2002: Helseperson has no attribute or child "helsepersonHPR"/);
    expect(r.stderr).toMatch(/warning MAP3001: hst@57\.0\.0 /);
    expect(r.stderr).toMatch(/spec changes? touch this mapping/);
  });
});
