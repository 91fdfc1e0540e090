// What a semantic diff of two message specifications produces: a list of changes, each of a
// catalogued kind with a stable id and a severity seen from the sender's side. These types are
// shared by the change kinds, the engine, the renderers and the CLI.

export type ChangeSeverity = 'breaking' | 'warning' | 'info';

/** Worst first: used for sorting, summaries and `--fail-on`. */
export const SEVERITIES: readonly ChangeSeverity[] = ['breaking', 'warning', 'info'];

export function severityRank(s: ChangeSeverity): number {
  return SEVERITIES.indexOf(s);
}

/** Where something was written: enough to open the file at the line. */
export interface ChangeSite {
  file: string;
  line: number;
}

export interface Change {
  /** Stable kebab-case id of the kind of change, e.g. `attribute-became-required`. */
  kind: string;
  severity: ChangeSeverity;
  /** Where in the message: `Melding/Notifikasjon/Konsultasjon/@amming`, `codelists/8524/3`. */
  path: string;
  /** The Norwegian label of the thing changed, shown beside its official name. */
  label?: string;
  /** One plain sentence saying what changed. */
  description: string;
  /** Where it was written in the older version (absent for additions). */
  before?: ChangeSite;
  /** Where it is written in the newer version (absent for removals). */
  after?: ChangeSite;
  from?: unknown;
  to?: unknown;
}

/** The catalogue entry of one kind of change. */
export interface ChangeKind {
  id: string;
  severity: ChangeSeverity;
  /** The kind reported when the same two versions are compared the other way round. */
  inverse: string;
  /** What the kind means and why it has its severity: one or two sentences, for docs/changelog.md. */
  summary: string;
}
