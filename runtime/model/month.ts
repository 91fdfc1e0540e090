// The consultation month (YYYY-MM of datoTidStart): how the report groups what was sent and
// what was held back. A held-back record is counted in its month when its datoTidStart could be
// read that far, whatever else was wrong with it.

/** YYYY-MM of a datoTidStart value; null when it does not start with a year and a month. */
export function monthOf(datoTidStart: unknown): string | null {
  if (typeof datoTidStart !== 'string') return null;
  return /^(\d{4}-\d{2})/.exec(datoTidStart)?.[1] ?? null;
}

/** YYYY-MM of the consultation's datoTidStart in its JSON form (C notifications carry none). */
export function monthOfJson(json: string | null): string | null {
  if (json === null) return null;
  return /"datoTidStart":"(\d{4}-\d{2})/.exec(json)?.[1] ?? null;
}
