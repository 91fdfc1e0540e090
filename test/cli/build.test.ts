// The build step: kpr started from the transpiled sources says what it says from the sources
// (tsx), and a source edited after the build is served as edited, never the stale build. Run in
// a copy of bin/ beside links to the rest, so the repository's own .kpr-build/ is not touched.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.ts';

function copy(): string {
  const root = mkdtempSync(join(tmpdir(), 'kpr-build-'));
  cpSync(join(REPO_ROOT, 'bin'), join(root, 'bin'), { recursive: true });
  for (const d of ['runtime', 'generator', 'generated', 'node_modules', 'examples', 'spec']) symlinkSync(join(REPO_ROOT, d), join(root, d));
  writeFileSync(join(root, 'package.json'), readFileSync(join(REPO_ROOT, 'package.json')));
  return root;
}

const kpr = (root: string, args: string[], env: NodeJS.ProcessEnv = {}) =>
  spawnSync(process.execPath, [join(root, 'bin/kpr.mjs'), ...args], { encoding: 'utf8', env: { ...process.env, ...env } });

describe('npm run build (prepare)', () => {
  it('serves the built sources with the output of the sources, and an edit made after the build', () => {
    const root = copy();
    const b = spawnSync(process.execPath, [join(root, 'bin/build.mjs')], { encoding: 'utf8' });
    expect(b.status, b.stderr).toBe(0);
    expect(existsSync(join(root, '.kpr-build/runtime/jobs/cli.ts.js'))).toBe(true);
    for (const args of [['--help'], ['backfill', '--help'], ['spec', 'diff', '--help']]) {
      const built = kpr(root, args);
      expect(built.status).toBe(0);
      expect(built.stdout).toBe(kpr(root, args, { KPR_NO_BUILD: '1' }).stdout);
    }
    // A command that does work, through modules with paths relative to import.meta.url.
    const lint = kpr(root, ['spec', 'lint']);
    expect(lint.status, lint.stderr).toBe(0);
    const file = join(root, 'bin/kpr.ts');
    writeFileSync(file, readFileSync(file, 'utf8').replace("'print the version of kpr-kit'", "'print the version of kpr-kit (edited)'"));
    expect(kpr(root, ['--help']).stdout).toContain('(edited)');
  });
});
