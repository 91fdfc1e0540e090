// The full diff of the published HST 56.0.0 against the labelled *example* next version in
// test/fixtures/hst-example-next (not an official publication): golden Markdown and JSON, the
// changes a vendor must not miss, symmetry, and nothing for a version compared with itself.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diffSpecs } from '../../generator/diff/index.ts';
import { renderJson, renderMarkdown, renderText } from '../../generator/diff/render.ts';
import { expectGolden } from '../helpers/golden.ts';
import { inverted, key, load, portable, REPO } from './helpers.ts';

const v56 = load(join(REPO, 'spec/hst/56.0.0.yaml'));
const v57 = load(join(REPO, 'test/fixtures/hst-example-next/spec/hst/57.0.0.yaml'));
const changes = portable(diffSpecs(v56, v57), REPO);
const golden = (name: string) => join(REPO, 'test/diff/golden', name);

describe('hst 56.0.0 → example 57.0.0', () => {
  it('matches the Markdown and JSON goldens', () => {
    expectGolden(golden('hst-56.0.0-57.0.0.md'), renderMarkdown(v56, v57, changes));
    expectGolden(golden('hst-56.0.0-57.0.0.json'), renderJson(v56, v57, changes));
  });

  it('reports what a vendor must not miss, with both sides located', () => {
    const find = (kind: string, path: string) => changes.find((c) => c.kind === kind && c.path === path);
    const guardian = find('required-attribute-added', 'Melding/Notifikasjon/Konsultasjon/@foresattTilstede');
    expect(guardian).toMatchObject({ severity: 'breaking', label: 'Foresatt til stede', after: { file: 'test/fixtures/hst-example-next/spec/hst/57.0.0.yaml' } });
    expect(guardian!.before).toBeUndefined();
    expect(find('code-removed', 'codelists/8425/1')).toMatchObject({ severity: 'breaking', before: { file: 'spec/codelists/8425.yaml', line: 7 } });
    expect(find('class-added', 'Melding/Notifikasjon/Konsultasjon/Svangerskapskonsultasjon')).toBeDefined();
    expect(find('child-min-raised', 'Melding/Notifikasjon/Konsultasjon/Helseperson')).toMatchObject({ from: '0..*', to: '1..*' });
    expect(find('consequence-harsher', 'Melding/Notifikasjon/Konsultasjon/@konsultasjonRegistrertTidspunkt/controls/required')).toMatchObject({
      severity: 'warning',
      from: 'none',
      to: 'discard-row',
    });
    expect(find('fixed-value-changed', 'Melding/@versjon')).toMatchObject({ from: '56.0.0', to: '57.0.0' });
    expect(find('namespace-changed', 'message/namespace')).toMatchObject({ before: { file: 'spec/hst/56.0.0.yaml', line: 12 } });
    for (const c of changes) {
      expect(c.before ?? c.after, c.kind).toBeDefined();
      expect(c.description).toMatch(/^[^\n]+[.)]$/);
    }
  });

  it('is the inverse when compared the other way round', () => {
    expect(portable(diffSpecs(v57, v56), REPO).map(key).sort()).toEqual(inverted(changes));
  });

  it('finds nothing between a version and itself', () => {
    expect(diffSpecs(v56, v56)).toEqual([]);
    expect(diffSpecs(v57, load(join(REPO, 'test/fixtures/hst-example-next/spec/hst/57.0.0.yaml')))).toEqual([]);
  });

  it('lists breaking changes first in text, with file:line on both sides', () => {
    const text = renderText(v56, v57, changes);
    const first = text.split('\n').find((l) => /^(BREAKING|WARNING|INFO)/.test(l))!;
    expect(first.startsWith('BREAKING')).toBe(true);
    expect(text).toContain('spec/hst/56.0.0.yaml:300 → test/fixtures/hst-example-next/spec/hst/57.0.0.yaml:306');
    expect(text.lastIndexOf('BREAKING')).toBeLessThan(text.indexOf('WARNING'));
  });
});
