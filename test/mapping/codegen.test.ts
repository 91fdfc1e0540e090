// The generated mapping code against the closures (two implementations of one plan, judging each
// other), and the one escaping path: hostile text in constants, tables and conditions ends up
// as data, never as code.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateRecords } from '../../runtime/demo-data/generate.ts';
import { buildMapping } from '../../runtime/mapping/build.ts';
import { compileMappingFile, compileMappingText } from '../../runtime/mapping/compile.ts';
import { generate } from '../../runtime/mapping/codegen.ts';
import { REPO_ROOT } from '../helpers/cli.ts';

const MAPPING = join(REPO_ROOT, 'examples/demo-epj/mapping.yaml');
const plain = (v: unknown) => JSON.parse(JSON.stringify(v));

describe('generated code and closures', () => {
  it('map every demo record, defects included, to the same object and the same issues', () => {
    const { plan } = compileMappingFile(MAPPING);
    const gen = buildMapping(plan!);
    const clo = buildMapping(plan!, { closures: true });
    let n = 0;
    for (const r of generateRecords({ children: 40, from: '2018-01-01', to: '2024-12-31', seed: 9, badRate: 0.1 })) {
      const a = { issues: [] as unknown[] };
      const b = { issues: [] as unknown[] };
      expect(plain(gen.map(r, a as never))).toEqual(plain(clo.map(r, b as never)));
      expect(a.issues).toEqual(b.issues);
      expect(gen.annul?.(r, a as never)).toEqual(clo.annul?.(r, b as never));
      n++;
    }
    expect(n).toBeGreaterThan(200);
  });

  it('agree on records of the wrong shape', () => {
    const { plan } = compileMappingFile(MAPPING);
    const gen = buildMapping(plan!);
    const clo = buildMapping(plan!, { closures: true });
    for (const r of [{}, { consultation: 5 }, { personnel: 'x', measurements: [null, 3, { type: 'height', valueCm: 'tall' }] }, { child: { sex: { M: 1 } } }]) {
      const a = { issues: [] as unknown[] };
      const b = { issues: [] as unknown[] };
      expect(plain(gen.map(r, a as never))).toEqual(plain(clo.map(r, b as never)));
      expect(a.issues).toEqual(b.issues);
    }
  });
});

describe('escaping', () => {
  const hostile = `x"]; process.exit(3); //*/ \\' \${1}\n`;
  const text = readFileSync(MAPPING, 'utf8')
    .replace('typeMaling: { const: Høyde }', `typeMaling: { const: ${JSON.stringify(hostile.trim())} }`)
    .replace("    M: '1'", `    M: '1'\n    ${JSON.stringify(hostile)}: '2'`)
    .replace("where: type == 'height'", `where: "type == 'height' or type == '\\"]); process.exit(4); //'"`)
    .replace('./source.schema.json', join(REPO_ROOT, 'examples/demo-epj/source.schema.json'));

  it('keeps hostile YAML text as data in the generated source', () => {
    const r = compileMappingText(text, join(REPO_ROOT, 'examples/demo-epj/hostile.yaml'));
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const { source, fn } = generate(r.plan!.root);
    expect(source).not.toMatch(/^\s*process\.exit/m);
    const out = fn(
      { consultation: { id: 'K1' }, child: { sex: hostile }, measurements: [{ type: 'height', valueCm: 50, measuredAt: '2020-01-01T10:00:00Z' }] },
      { issues: [] },
    ) as { Barn_ungdom: { kjonn: string }; Maling: { typeMaling: string }[] };
    expect(out.Barn_ungdom.kjonn).toBe('2');
    expect(out.Maling[0].typeMaling).toBe(hostile.trim());
  });
});
