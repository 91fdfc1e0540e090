// Semantic diff of two versions of a message specification: compares the models, not the
// text, and returns every change with its catalogued kind and severity, in a stable order.
import type { MessageSpec } from '../model/types.ts';
import { severityRank, type Change, type ChangeSeverity } from './change.ts';
import { RULES } from './catalogue.ts';
import { createContext } from './context.ts';

export type { Change, ChangeSeverity } from './change.ts';
export { CHANGE_KINDS } from './catalogue.ts';

/** Changes from `a` (older) to `b` (newer), sorted by section, path and kind. */
export function diffSpecs(a: MessageSpec, b: MessageSpec): Change[] {
  const out: Change[] = [];
  const ctx = createContext(a, b, out);
  for (const rule of RULES) rule.detect(ctx);
  return out.sort(compareChanges);
}

/** Message metadata first, then the classes from the root down, then code lists. */
function section(path: string): number {
  if (path.startsWith('message/')) return 0;
  if (path.startsWith('codelists/')) return 2;
  return 1;
}

function compareChanges(x: Change, y: Change): number {
  return section(x.path) - section(y.path) || cmp(x.path, y.path) || cmp(x.kind, y.kind) || cmp(x.description, y.description);
}

function cmp(x: string, y: string): number {
  return x < y ? -1 : x > y ? 1 : 0;
}

/** How many changes of each severity. */
export function countBySeverity(changes: readonly Change[]): Record<ChangeSeverity, number> {
  const counts: Record<ChangeSeverity, number> = { breaking: 0, warning: 0, info: 0 };
  for (const c of changes) counts[c.severity]++;
  return counts;
}

/** True when a change of severity `threshold` or worse is present (for `--fail-on`). */
export function failsOn(changes: readonly Change[], threshold: ChangeSeverity): boolean {
  return changes.some((c) => severityRank(c.severity) <= severityRank(threshold));
}
