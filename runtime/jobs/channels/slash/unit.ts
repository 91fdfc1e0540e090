// The reporting unit of an extract line: SLASH keeps one FIFO queue per unit. A unit is the
// organisation number (the body's `orgNr`, and the token's parent organisation) with the
// kommuneNr and bydelNr the unit object carries (FHI's sample has all three), so two districts
// of one organisation never share a queue or an object.

export interface ReportingUnit {
  /** orgNr|kommuneNr|bydelNr: the queue's key. */
  key: string;
  orgNr: string;
  kommuneNr?: number;
  bydelNr?: string;
}

export interface UnitFields {
  orgNr: string;
  kommuneNr: string;
  bydelNr: string;
}

const present = (v: unknown) => v !== undefined && v !== null && v !== '';

/** The unit named by `record`'s fields, or the reason there is none. */
export function unitOf(record: Record<string, unknown>, f: UnitFields): ReportingUnit | { problem: string } {
  const org = record[f.orgNr];
  const orgNr = typeof org === 'number' ? String(org).padStart(9, '0') : typeof org === 'string' ? org.trim() : undefined;
  if (!orgNr) return { problem: `no reporting unit: the record has no \`${f.orgNr}\`` };
  if (!/^\d{9}$/.test(orgNr)) return { problem: `\`${f.orgNr}\` ${JSON.stringify(org)} is not an organisation number of 9 digits` };
  const k = record[f.kommuneNr];
  let kommuneNr: number | undefined;
  if (present(k)) {
    kommuneNr = typeof k === 'number' ? k : typeof k === 'string' && /^\d{1,4}$/.test(k.trim()) ? Number(k) : Number.NaN;
    if (!Number.isInteger(kommuneNr)) return { problem: `\`${f.kommuneNr}\` ${JSON.stringify(k)} is not a kommunenummer` };
  }
  const b = record[f.bydelNr];
  const bydelNr = present(b) ? String(b) : undefined;
  return { key: unitKey(orgNr, kommuneNr, bydelNr), orgNr, kommuneNr, bydelNr };
}

export function unitKey(orgNr: string, kommuneNr?: number, bydelNr?: string): string {
  return `${orgNr}|${kommuneNr ?? ''}|${bydelNr ?? ''}`;
}

/** The unit back from its key (the store keeps keys). */
export function parseUnitKey(key: string): ReportingUnit {
  const [orgNr, k, b] = key.split('|');
  return { key, orgNr: orgNr!, kommuneNr: k ? Number(k) : undefined, bydelNr: b || undefined };
}
