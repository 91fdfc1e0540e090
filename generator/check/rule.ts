// What a lint rule is: a function over the loaded model that reports catalogued diagnostics.
// One rule per file in this folder; `index.ts` lists them.

import type { Diagnostic } from '../diagnostics.ts';
import type { MessageSpec } from '../model/types.ts';

export interface SpecRule {
  /** The diagnostic ids this rule can report. */
  ids: readonly string[];
  check(spec: MessageSpec): Diagnostic[];
}

/** True when `s` is YYYY-MM-DD and a real calendar day. */
export function isCalendarDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
  return d.getUTCFullYear() === +m[1] && d.getUTCMonth() === +m[2] - 1 && d.getUTCDate() === +m[3];
}
