// `kpr mapping compile --out`: the emitted TypeScript module type-checks against the generated
// HST types with the repository's tsc, maps records exactly as the compiled closures do, and
// tsc rejects a module whose table sends a code the target does not have.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { generateRecords } from '../../runtime/demo-data/generate.ts';
import { loadMapping } from '../../runtime/mapping/apply.ts';
import { compileMappingFile } from '../../runtime/mapping/compile.ts';
import { emitMappingModule, writeMappingModule } from '../../runtime/mapping/emit-ts.ts';
import { REPO_ROOT, runKpr } from '../helpers/cli.ts';

const MAPPING = join(REPO_ROOT, 'examples/demo-epj/mapping.yaml');

function tsc(dir: string): string {
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        strict: true,
        skipLibCheck: true,
        allowImportingTsExtensions: true,
        noEmit: true,
        types: ['node'],
        typeRoots: [join(REPO_ROOT, 'node_modules/@types')],
      },
      files: ['mapping.ts'],
    }),
  );
  const r = spawnSync(process.execPath, [join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(dir, 'tsconfig.json')], { encoding: 'utf8' });
  return (r.stdout + r.stderr).trim();
}

describe('the mapping as TypeScript', () => {
  it('is written by kpr mapping compile --out, type-checks, and maps like the closures', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kpr-map-ts-'));
    const r = runKpr(['mapping', 'compile', MAPPING, '--out', dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(tsc(dir)).toBe('');
    const mod = await import(pathToFileURL(join(dir, 'mapping.ts')).href);
    const mapper = await loadMapping(MAPPING, { extractDate: '2024-12-31' });
    let compared = 0;
    for (const rec of generateRecords({ children: 15, from: '2020-01-01', to: '2024-12-31', seed: 3 })) {
      if ('deleted' in rec) continue;
      const res = mapper.apply(rec);
      expect(res.ok).toBe(true);
      expect(mod.mapKonsultasjon(rec)).toEqual(res.ok && res.value);
      compared++;
    }
    expect(compared).toBeGreaterThan(50);
    expect(() => mod.mapKonsultasjon({ consultation: { id: 'x' } })).toThrow(mod.MappingIssue);
  });

  it('lets tsc catch a table value outside the target code list', () => {
    const { plan } = compileMappingFile(MAPPING);
    const table = plan!.root.rules.find((r) => r.target === 'formKonsultasjon')!.table!;
    table.entries.set('clinic', 'X'); // what a checker bug would let through
    const dir = mkdtempSync(join(tmpdir(), 'kpr-map-ts-'));
    writeFileSync(join(dir, 'mapping.ts'), emitMappingModule(plan!, dir));
    expect(tsc(dir)).toMatch(/mapping\.ts\(\d+,\d+\): error TS\d+/);
    expect(writeMappingModule).toBeTypeOf('function');
  });
});
