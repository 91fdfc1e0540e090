// Shared by the diff tests: loading a case or fixture file, making change sites independent of
// where the repository lives, and the inverse of a diff as the catalogue declares it.
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { CHANGE_KINDS, type Change } from '../../generator/diff/index.ts';
import { loadCodeLists, loadSpecFile } from '../../generator/load/index.ts';
import type { MessageSpec } from '../../generator/model/types.ts';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));

/** Load a message file with the code lists of its own spec root; fail the test on errors. */
export function load(file: string): MessageSpec {
  const lists = loadCodeLists(join(file, '..', '..', 'codelists'));
  const r = loadSpecFile(file, lists.value ?? new Map());
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return r.value!;
}

/** The one spec file in `<dir>/<message>/`. */
export function onlySpecIn(dir: string): string {
  const [message] = readdirSync(dir);
  const [file] = readdirSync(join(dir, message));
  return join(dir, message, file);
}

/** Change sites relative to `base`, so goldens do not depend on the working directory. */
export function portable(changes: Change[], base: string): Change[] {
  const fix = (s?: { file: string; line: number }) => s && { file: relative(base, join(process.cwd(), s.file)).replace(/\\/g, '/'), line: s.line };
  return changes.map((c) => {
    const out: Change = { ...c };
    if (c.before) out.before = fix(c.before);
    if (c.after) out.after = fix(c.after);
    return out;
  });
}

/** What diff(b, a) must be, given diff(a, b): inverse kinds, sides and values swapped. */
export function inverted(changes: Change[]): string[] {
  return changes.map((c) => key({ ...c, kind: CHANGE_KINDS.get(c.kind)!.inverse, before: c.after, after: c.before, from: c.to, to: c.from })).sort();
}

/** The parts of a change that must mirror exactly (descriptions and labels are worded per direction). */
export function key(c: Change): string {
  return JSON.stringify([c.kind, c.path, c.before ?? null, c.after ?? null, c.from ?? null, c.to ?? null]);
}
