// Loading specifications: YAML files → checked model. Every problem comes back as a catalogued
// diagnostic with file:line:col; a spec is returned only when it has no errors.

import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { checkCodeList } from '../check/codelists.ts';
import { checkSpec } from '../check/index.ts';
import { hasErrors, sortDiagnostics, type Diagnostic } from '../diagnostics.ts';
import type { CodeList, MessageSpec } from '../model/types.ts';
import { buildCodeList, buildMessage } from './build.ts';
import { checkShape } from './schema-check.ts';
import { YamlSource } from './source.ts';

export interface LoadResult<T> {
  value?: T;
  diagnostics: Diagnostic[];
}

/** Show paths relative to the working directory, as compilers do. */
export function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel.startsWith('..') ? file : rel;
}

/** Read every `<number>.yaml` in a code list folder. */
export function loadCodeLists(dir: string): LoadResult<Map<string, CodeList>> {
  const lists = new Map<string, CodeList>();
  const diagnostics: Diagnostic[] = [];
  if (!existsSync(dir)) return { value: lists, diagnostics };
  for (const name of readdirSync(dir)
    .filter((n) => /\.ya?ml$/.test(n))
    .sort()) {
    const r = loadCodeListFile(join(dir, name));
    diagnostics.push(...r.diagnostics);
    if (r.value) lists.set(r.value.number, r.value);
  }
  return { value: lists, diagnostics };
}

export function loadCodeListFile(file: string): LoadResult<CodeList> {
  const { source, diagnostics } = YamlSource.read(displayPath(file));
  if (!source || hasErrors(diagnostics)) return { diagnostics };
  const data = source.toJS() as { number: string };
  diagnostics.push(...checkShape('codelist', data, source));
  if (hasErrors(diagnostics)) return { diagnostics };
  const list = buildCodeList(String(data.number), data, source);
  diagnostics.push(...checkCodeList(list));
  return { value: hasErrors(diagnostics) ? undefined : list, diagnostics };
}

/**
 * Load one message file. Code lists come from `codelists` (normally the shared folder, loaded
 * once by the caller) and from the file's own `codelists:` section, which wins.
 */
export function loadSpecFile(file: string, shared: Map<string, CodeList>): LoadResult<MessageSpec> {
  const { source, diagnostics } = YamlSource.read(displayPath(file));
  if (!source || hasErrors(diagnostics)) return { diagnostics: sortDiagnostics(diagnostics) };
  const data = source.toJS() as Record<string, unknown>;
  diagnostics.push(...checkShape('message', data, source));
  if (hasErrors(diagnostics)) return { diagnostics: sortDiagnostics(diagnostics) };

  const base = buildMessage(data, source);
  const available = new Map(shared);
  for (const [number, raw] of Object.entries((data.codelists ?? {}) as Record<string, unknown>)) {
    const list = buildCodeList(number, raw, source, ['codelists', number]);
    diagnostics.push(...checkCodeList(list));
    available.set(number, list);
  }
  // Keep only the lists this message uses, in number order, so generated output depends on
  // nothing else in the folder.
  const used = new Map<string, CodeList>();
  const numbers = new Set(base.classes.flatMap((c) => c.attributes.map((a) => a.codelist).filter((n): n is string => !!n)));
  for (const n of [...numbers].sort((a, b) => Number(a) - Number(b))) {
    const list = available.get(n);
    if (list) used.set(n, list);
  }
  const spec: MessageSpec = { ...base, codelists: used };
  // checkSpec reports references to lists that are missing entirely.
  const specForCheck: MessageSpec = { ...spec, codelists: new Map([...used]) };
  diagnostics.push(...checkSpec(specForCheck));
  return { value: hasErrors(diagnostics) ? undefined : spec, diagnostics: sortDiagnostics(diagnostics) };
}

/** Every `spec/<message>/<version>.yaml` under a spec root, sorted. */
export function findSpecFiles(root: string): string[] {
  if (!existsSync(root)) return [];
  const files: string[] = [];
  for (const dir of readdirSync(root, { withFileTypes: true })) {
    if (!dir.isDirectory() || dir.name === 'codelists') continue;
    for (const f of readdirSync(join(root, dir.name))) {
      if (/^\d+(\.\d+)*\.ya?ml$/.test(f)) files.push(join(root, dir.name, f));
    }
  }
  return files.sort(compareSpecPaths);
}

/** Sort by message, then by version numerically (56.0.0 before 57.0.0 before 100.0.0). */
function compareSpecPaths(a: string, b: string): number {
  const pa = a.split(/[\\/]/),
    pb = b.split(/[\\/]/);
  const ma = pa[pa.length - 2],
    mb = pb[pb.length - 2];
  if (ma !== mb) return ma < mb ? -1 : 1;
  return compareVersions(pa[pa.length - 1].replace(/\.ya?ml$/, ''), pb[pb.length - 1].replace(/\.ya?ml$/, ''));
}

export function compareVersions(a: string, b: string): number {
  const x = a.split('.').map(Number),
    y = b.split('.').map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
  return 0;
}

/** Load every message version under a spec root (with its shared code lists). */
export function loadSpecRoot(root: string): LoadResult<MessageSpec[]> {
  const lists = loadCodeLists(join(root, 'codelists'));
  const diagnostics = [...lists.diagnostics];
  const specs: MessageSpec[] = [];
  for (const file of findSpecFiles(root)) {
    const r = loadSpecFile(file, lists.value ?? new Map());
    diagnostics.push(...r.diagnostics);
    if (r.value) specs.push(r.value);
  }
  return { value: hasErrors(diagnostics) ? undefined : specs, diagnostics: sortDiagnostics(diagnostics) };
}
