// The spec compiler's driver: load every spec under a root, run every emitter, and either write
// the artefacts to generated/ or compare them with what is there (`--check`). Emitters are pure
// functions of the model, so the output is byte-identical on every run.

import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { writeFileAtomic } from '../runtime/io/atomic.ts';
import { basename, dirname, join, relative } from 'node:path';
import { hasErrors, type Diagnostic } from './diagnostics.ts';
import { emitChangelog } from './emit/changelog.ts';
import { emitFieldReference } from './emit/field-reference.ts';
import { emitIndex } from './emit/index-module.ts';
import { emitJsonSchema } from './emit/json-schema.ts';
import { emitMappingTemplate } from './emit/mapping-template.ts';
import { emitTypes } from './emit/types.ts';
import { emitValidator } from './emit/validator.ts';
import { emitXmlCodec } from './emit/xml-codec.ts';
import { loadSpecRoot } from './load/index.ts';
import type { MessageSpec } from './model/types.ts';

export interface BuildResult {
  specs: MessageSpec[];
  /** Path relative to the output folder → content. */
  files: Map<string, string>;
  diagnostics: Diagnostic[];
}

/** Where a spec's YAML is, as named in banners: stable whatever the working directory. */
function sourceName(root: string, spec: MessageSpec): string {
  return `${basename(root)}/${spec.message}/${spec.version}.yaml`;
}

export async function buildArtefacts(root: string): Promise<BuildResult> {
  const loaded = loadSpecRoot(root);
  const files = new Map<string, string>();
  if (!loaded.value || hasErrors(loaded.diagnostics)) return { specs: [], files, diagnostics: loaded.diagnostics };
  const specs = loaded.value;
  for (const spec of specs) {
    const dir = `${spec.message}/${spec.version}`;
    const source = sourceName(root, spec);
    files.set(`${dir}/schema.json`, `${JSON.stringify(emitJsonSchema(spec), null, 2)}\n`);
    files.set(`${dir}/types.ts`, await emitTypes(spec, source));
    const v = emitValidator(spec, source);
    files.set(`${dir}/validator.js`, v.js);
    files.set(`${dir}/validator.d.ts`, v.dts);
    // A JSON message type is sent as JSON: no XML codec.
    if (spec.kind === 'xml') files.set(`${dir}/xml.ts`, emitXmlCodec(spec, source));
    files.set(`${dir}/README.md`, emitFieldReference(spec, source));
    files.set(`${dir}/mapping-template.yaml`, emitMappingTemplate(spec, source));
  }
  for (const message of new Set(specs.map((s) => s.message))) {
    files.set(`${message}/CHANGELOG.md`, emitChangelog(specs.filter((s) => s.message === message)));
  }
  files.set('index.ts', emitIndex(specs, true));
  return { specs, files, diagnostics: loaded.diagnostics };
}

/** Every file under `dir`, relative, sorted. */
function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(relative(dir, p).split('\\').join('/'));
    }
  };
  walk(dir);
  return out.sort();
}

export interface Staleness {
  changed: string[];
  missing: string[];
  extra: string[];
}

export function compareWithDisk(outDir: string, files: Map<string, string>): Staleness {
  const onDisk = new Set(listFiles(outDir));
  const changed: string[] = [];
  const missing: string[] = [];
  for (const [path, content] of [...files].sort(([a], [b]) => a.localeCompare(b))) {
    if (!onDisk.has(path)) missing.push(path);
    else if (readFileSync(join(outDir, path), 'utf8') !== content) changed.push(path);
  }
  const extra = [...onDisk].filter((p) => !files.has(p) && !p.endsWith('.gitkeep'));
  return { changed, missing, extra };
}

/** Write atomically (temp file + rename) only what differs, and remove what is no longer produced. */
export function writeArtefacts(outDir: string, files: Map<string, string>): Staleness {
  const diff = compareWithDisk(outDir, files);
  for (const path of [...diff.changed, ...diff.missing]) {
    const content = files.get(path);
    if (content !== undefined) writeFileAtomic(join(outDir, path), content, { mkdir: true });
  }
  for (const path of diff.extra) {
    rmSync(join(outDir, path));
    removeEmptyParents(outDir, dirname(join(outDir, path)));
  }
  return diff;
}

function removeEmptyParents(top: string, dir: string) {
  while (dir.startsWith(top) && dir !== top && existsSync(dir) && statSync(dir).isDirectory() && readdirSync(dir).length === 0) {
    rmSync(dir, { recursive: true });
    dir = dirname(dir);
  }
}
