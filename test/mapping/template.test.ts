// The mapping template emitter: every sent attribute of the consultation subtree is there with
// its codes and notes, the YAML parses, the unfilled template fails to compile exactly at its
// blanks, and `kpr mapping template` prints the generated file.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { emitMappingTemplate, mappedClass } from '../../generator/emit/mapping-template.ts';
import { loadCodeLists, loadSpecFile } from '../../generator/load/index.ts';
import { acceptedCodes, sentAttributes } from '../../generator/model/json-form.ts';
import { findClass, type ClassDef, type MessageSpec } from '../../generator/model/types.ts';
import { compileMappingText } from '../../runtime/mapping/compile.ts';
import { REPO_ROOT, runKpr } from '../helpers/cli.ts';

function load(specDir: string, file: string): MessageSpec {
  const lists = loadCodeLists(join(specDir, 'codelists'));
  const r = loadSpecFile(join(specDir, file), lists.value!);
  if (!r.value) throw new Error(JSON.stringify(r.diagnostics));
  return r.value;
}

const hst = load(join(REPO_ROOT, 'spec'), 'hst/56.0.0.yaml');
const text = emitMappingTemplate(hst, 'spec/hst/56.0.0.yaml');

function subtree(spec: MessageSpec, c: ClassDef): ClassDef[] {
  return [c, ...c.children.flatMap((ch) => subtree(spec, findClass(spec, ch.class)!))];
}

describe('the HST mapping template', () => {
  it('targets Konsultasjon and is deterministic', () => {
    expect(mappedClass(hst).name).toBe('Konsultasjon');
    expect(emitMappingTemplate(hst, 'spec/hst/56.0.0.yaml')).toBe(text);
  });

  it('lists every sent attribute of the subtree, with every accepted code', () => {
    for (const c of subtree(hst, mappedClass(hst))) {
      for (const a of sentAttributes(c)) {
        expect(text, `${c.name}.${a.name}`).toMatch(new RegExp(`^\\s*(# )?${a.name}: ~$`, 'm'));
        expect(text).toContain(`# ${a.name}: ${a.label}`);
        if (a.type === 'coded') for (const code of acceptedCodes(hst, a)) expect(text).toContain(`'${code}'`);
      }
    }
    expect(text).not.toMatch(/gammel|isfRefusjon/);
  });

  it('parses as YAML with the required attributes live and the optional ones commented out', () => {
    const doc = parse(text);
    expect(doc.spec).toBe('hst@56.0.0');
    expect(Object.keys(doc.Konsultasjon)).toEqual([
      'konsultasjonID',
      'datoTidStart',
      'formKonsultasjon',
      'anbefaltTypeKonsultasjon',
      'konsultasjonRegistrertTidspunkt',
      'amming',
      'Barn_ungdom',
    ]);
    expect(doc.Konsultasjon.episodeGUID).toBeUndefined();
  });

  it('fails to compile exactly at each blank until filled in', () => {
    const blanks = text.split('\n').filter((l) => /^\s*\w+: ~$/.test(l)).length;
    const r = compileMappingText(
      text.replace('schema: ./source.schema.json', `schema: ${join(REPO_ROOT, 'examples/demo-epj/source.schema.json')}`).replace('id: id ', 'id: recordId '),
      join(tmpdir(), 'template.yaml'),
    );
    const errors = r.diagnostics.filter((d) => d.severity === 'error');
    expect(errors.length).toBe(blanks);
    expect(errors.every((d) => d.id === 'MAP1006')).toBe(true);
  });
});

describe('kpr mapping template', () => {
  it('prints the generated template, and says how to get one when there is none', () => {
    const gen = mkdtempSync(join(tmpdir(), 'kpr-gen-'));
    mkdirSync(join(gen, 'hst/56.0.0'), { recursive: true });
    writeFileSync(join(gen, 'hst/56.0.0/mapping-template.yaml'), text);
    const r = runKpr(['mapping', 'template', 'hst@56.0.0', '--generated', gen]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(text);
    const none = runKpr(['mapping', 'template', 'hst@57.0.0', '--generated', gen]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/kpr spec build/);
  });
});

describe('a template of another message', () => {
  it('works for the mini fixture, whose records hang directly under Melding', () => {
    const mini = load(join(REPO_ROOT, 'test/fixtures/mini/spec'), 'mini/1.0.0.yaml');
    const t = emitMappingTemplate(mini, 'mini/1.0.0.yaml');
    expect(parse(t).spec).toBe('mini@1.0.0');
    expect(t).toMatch(/^Konsultasjon:$/m);
    expect(t).toContain("'9'      Annet");
  });
});
