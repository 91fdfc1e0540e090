// What a check says about one record: where (JSON path inside the Konsultasjon), which rule
// (a stable id), a message for the person correcting the EPJ, and what the receiver would do
// with it. Shared by the mapping, the generated validator's adapter and the semantic rules.

import type { Consequence } from '../spec/consequence.ts';

export interface Issue {
  /** JSON pointer inside the produced object, e.g. `/Barn_ungdom/fid`; '' for the whole record. */
  path: string;
  /** Stable rule id of the catalogue (runtime/rules/catalogue.ts): `REC4001`, `REC2001`, ... */
  rule: string;
  message: string;
  /** The receiver's consequence (from the spec's controls where published, else discard-row). */
  consequence: Consequence;
  /** Warnings go with a successful result; errors reject the record. */
  severity: 'error' | 'warning';
  /** The value as the record had it, when the kit sends another (or the source value a mapping could not translate). */
  original?: unknown;
  /** What the kit did about it (runtime/rules/policy.ts): set once the record is settled. */
  action?: Action;
  /** True when `consequence` is the receiver's published one; false when the kit chose it. */
  published?: boolean;
}

/** `sent`: unchanged, with a warning; `substituted`: the receiver's value sent instead; `held`: not sent. */
export type Action = 'sent' | 'substituted' | 'held';

/** Worst first: what the receiver would do to the most data. */
const RANK: Record<Consequence, number> = {
  'discard-message': 0,
  'discard-row': 1,
  'set-null': 2,
  'set-minus-one': 3,
  'set-zero': 4,
  none: 5,
};

export function worstFirst(issues: Issue[]): Issue[] {
  return issues.sort((a, b) => RANK[a.consequence] - RANK[b.consequence]);
}
