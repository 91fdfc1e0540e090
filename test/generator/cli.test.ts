// The spec maintainer's commands as a user runs them: lint output and exit codes, check on a
// stale tree, and tsc over everything including generated/.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, runKpr } from '../helpers/cli.ts';

describe('kpr spec lint, build, check', () => {
  it('lint prints file:line:col: severity id: message and exits 1 on errors', () => {
    const root = mkdtempSync(join(tmpdir(), 'kpr-cli-'));
    cpSync('test/fixtures/mini/spec', root, { recursive: true });
    const file = join(root, 'mini/1.0.0.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('codelist: "8524"', 'codelist: "8525"'));
    const r = runKpr(['spec', 'lint', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/1\.0\.0\.yaml:\d+:\d+: error KPR1301: Konsultasjon\/@amming refers to code list 8525, which is not defined\n {2}hint: /);
    expect(r.stderr).toMatch(/1 file checked: 1 error, 0 warnings/);
  });

  it('lint of the committed specs has no errors', () => {
    const r = runKpr(['spec', 'lint']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/3 files checked: 0 errors/);
  });

  it('check exits 1 and names stale files; build mends them', () => {
    const out = mkdtempSync(join(tmpdir(), 'kpr-cli-gen-'));
    const spec = 'test/fixtures/mini/spec';
    expect(runKpr(['spec', 'build', '--spec-dir', spec, '--out', out]).code).toBe(0);
    expect(runKpr(['spec', 'check', '--spec-dir', spec, '--out', out]).code).toBe(0);
    writeFileSync(join(out, 'mini/1.0.0/types.ts'), '// edited\n');
    const r = runKpr(['spec', 'check', '--spec-dir', spec, '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('changed  mini/1.0.0/types.ts');
  });

  it('tsc --noEmit passes over the whole project, generated/ included', () => {
    const r = spawnSync(process.execPath, [join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', 'tsconfig.json'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
