#!/usr/bin/env node
// The build step (`npm run build`, run by `npm ci`/`npm install` through "prepare"): every
// TypeScript file the `kpr` command can load, transpiled once into .kpr-build/ beside a
// manifest of the sources' sizes and times. bin/kpr.mjs then starts without compiling
// anything: bin/loader.mjs serves the transpiled text under the source's own URL, so
// import.meta.url and every path relative to it stay what they are in the sources.
import { transform } from 'esbuild';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUILD_DIR, MANIFEST, TRANSFORM } from './build-options.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const SOURCES = ['bin', 'runtime', 'generator', 'generated'];

function* tsFiles(dir) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* tsFiles(p);
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) yield p;
  }
}

const started = performance.now();
// Built into a fresh folder and renamed into place: a failed build leaves the last good one.
const out = join(root, `${BUILD_DIR}.${process.pid}.tmp`);
rmSync(out, { recursive: true, force: true });
const files = {};
const jobs = [];
for (const top of SOURCES) {
  for (const file of tsFiles(join(root, top))) {
    const rel = relative(root, file);
    const st = statSync(file);
    jobs.push(
      transform(readFileSync(file, 'utf8'), { ...TRANSFORM, sourcefile: file }).then((r) => {
        const target = join(out, `${rel}.js`);
        mkdirSync(dirname(target), { recursive: true });
        writeFileSync(target, r.code);
        files[rel] = { size: st.size, mtimeMs: st.mtimeMs };
      }),
    );
  }
}
await Promise.all(jobs);
writeFileSync(join(out, MANIFEST), JSON.stringify({ files }, null, 0));
rmSync(join(root, BUILD_DIR), { recursive: true, force: true });
renameSync(out, join(root, BUILD_DIR));
process.stderr.write(`kpr-kit: built ${Object.keys(files).length} files into ${BUILD_DIR}/ (${Math.round(performance.now() - started)} ms)\n`);
