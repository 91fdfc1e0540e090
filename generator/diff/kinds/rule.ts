// A diff rule: a few tightly related change kinds (usually one kind and its inverse) and the
// code that finds them. Every file in this folder exports one; catalogue.ts lists them all.
import type { ChangeKind } from '../change.ts';
import type { DiffContext } from '../context.ts';

export interface DiffRule {
  kinds: readonly ChangeKind[];
  detect(ctx: DiffContext): void;
}

export function kind(id: string, severity: ChangeKind['severity'], inverse: string, summary: string): ChangeKind {
  return { id, severity, inverse, summary };
}
