// Module hooks of the `kpr` command (registered by kpr.mjs when .kpr-build/ exists): a .ts
// source is served as the JavaScript the build made of it, under its own URL. A source changed
// since the build (a developer's edit, a spec build that rewrote generated/) is transpiled here
// with the same options, so the command is never stale, only slower for that file.
import { readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUILD_DIR, MANIFEST, TRANSFORM } from './build-options.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const files = JSON.parse(readFileSync(join(root, BUILD_DIR, MANIFEST), 'utf8')).files;
let esbuild;

export async function load(url, context, nextLoad) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return nextLoad(url, context);
  const file = fileURLToPath(url);
  const rel = relative(root, file);
  const built = files[rel];
  const st = statSync(file);
  let source;
  if (built && built.size === st.size && built.mtimeMs === st.mtimeMs) {
    source = readFileSync(join(root, BUILD_DIR, `${rel}.js`), 'utf8');
  } else {
    esbuild ??= await import('esbuild');
    source = (await esbuild.transform(readFileSync(file, 'utf8'), { ...TRANSFORM, sourcefile: file })).code;
  }
  return { format: 'module', source, shortCircuit: true };
}
