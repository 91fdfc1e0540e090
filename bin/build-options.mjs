// Shared by the build (build.mjs) and the loader (loader.mjs), so a file transpiled at start
// (its source changed since the build) reads exactly like one from the build.
export const BUILD_DIR = '.kpr-build';
export const MANIFEST = 'manifest.json';
export const TRANSFORM = { loader: 'ts', format: 'esm', target: 'node20', sourcemap: 'inline' };
