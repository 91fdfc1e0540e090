// What every catalogued diagnostic of kpr-kit is, and how it is printed: the spec linter
// (KPRnnnn, generator/diagnostics.ts) and the mapping checker (MAPnnnn,
// runtime/mapping/diagnostics.ts) keep their catalogues here-shaped, so users see one form:
//   file:line:col: error KPR1301: message
//     hint: what to do

export type Severity = 'error' | 'warning';

export interface Pos {
  file: string;
  line: number;
  col: number;
}

export interface DiagnosticDef {
  id: string;
  /** kebab-case name, for people who prefer words to numbers. */
  name: string;
  severity: Severity;
  /** What the diagnostic means, for the catalogue page. */
  summary: string;
  /** What to do about it. */
  hint: string;
}

export interface Diagnostic {
  id: string;
  severity: Severity;
  file: string;
  line: number;
  col: number;
  message: string;
  hint?: string;
}

export type DefRow = readonly [id: string, name: string, severity: Severity, summary: string, hint: string];

/** A catalogue from its rows, and the function that makes a diagnostic of one of its ids. */
export function catalogue<Id extends string>(rows: readonly DefRow[]) {
  const defs: ReadonlyMap<string, DiagnosticDef> = new Map(rows.map(([id, name, severity, summary, hint]) => [id, { id, name, severity, summary, hint }]));
  const make = (id: Id, at: Pos, message: string, hint?: string): Diagnostic => {
    const def = defs.get(id);
    if (!def) throw new Error(`diagnostic ${id} is not in the catalogue`);
    return { id, severity: def.severity, file: at.file, line: at.line, col: at.col, message, hint: hint ?? def.hint };
  };
  return { defs, make };
}

/** `file:line:col: error KPR1234: message` — the form editors and CI annotate. */
export function formatDiagnostic(d: Diagnostic, withHint = true): string {
  const head = `${d.file}:${d.line}:${d.col}: ${d.severity} ${d.id}: ${d.message}`;
  return withHint && d.hint ? `${head}\n  hint: ${d.hint}` : head;
}

export function hasErrors(ds: readonly Diagnostic[]): boolean {
  return ds.some((d) => d.severity === 'error');
}

/** Stable order: by file, line, column, id. */
export function sortDiagnostics<D extends Diagnostic>(ds: D[]): D[] {
  return ds.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.col - b.col || a.id.localeCompare(b.id));
}
