// Naming a spec version on the command line: `hst@56.0.0` is spec/hst/56.0.0.yaml under a spec
// root; a path to a YAML file names that file, with code lists from its own root
// (`<root>/<message>/<version>.yaml` → `<root>/codelists/`), so fixtures can be diffed too.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatDiagnostic } from '../diagnostics.ts';
import { loadCodeLists, loadSpecFile } from '../load/index.ts';
import type { MessageSpec } from '../model/types.ts';

/** The package's own spec/ folder. */
export const DEFAULT_SPEC_DIR = fileURLToPath(new URL('../../spec/', import.meta.url));

export class SpecRefError extends Error {}

export function resolveSpecRef(ref: string, specDir: string): { file: string; codelists: string } {
  const m = /^([a-z][a-z0-9_-]*)@(\d+(?:\.\d+)*)$/.exec(ref); // 56.0.0, or a JSON type's 1
  if (m && !existsSync(ref)) {
    const file = join(specDir, m[1], `${m[2]}.yaml`);
    if (!existsSync(file)) throw new SpecRefError(`${ref}: no ${file} (use --spec-dir to look elsewhere)`);
    return { file, codelists: join(specDir, 'codelists') };
  }
  if (!existsSync(ref)) throw new SpecRefError(`${ref}: neither <message>@<version> nor an existing file`);
  const file = resolve(ref);
  return { file, codelists: join(dirname(dirname(file)), 'codelists') };
}

/** Load a referenced spec; errors come back as one readable message. */
export function loadSpecRef(ref: string, specDir: string): MessageSpec {
  const { file, codelists } = resolveSpecRef(ref, specDir);
  const lists = loadCodeLists(codelists);
  const r = loadSpecFile(file, lists.value ?? new Map());
  const errors = [...lists.diagnostics, ...r.diagnostics].filter((d) => d.severity === 'error');
  if (!r.value || errors.length) {
    throw new SpecRefError(`${ref} does not load:\n${errors.map((d) => formatDiagnostic(d)).join('\n')}`);
  }
  return r.value;
}
