// What the receiver must hold after every record of an extract has been reported: replays the
// demo EPJ records in change order, independently of the runtime's own decisions.
// Spoiled records (`_defect`) the receiver's published consequences would discard never reach
// it; those whose fault the receiver only logs or overwrites are sent (docs/consequences.md). A
// deletion annuls what was reported, and a consultation deleted before it was ever reported
// never appears.

export interface DemoLike {
  recordId: string;
  changedAt: string;
  deleted?: boolean;
  _defect?: string;
  consultation?: { id?: string; form?: string; programmeStep?: string };
  personnel?: { profession?: string }[];
}

/**
 * Whether a spoiled demo record is held back, read off the HST 56.0.0 controls by hand (not by
 * the runtime's code): a date after uttakDato on datoTidStart is "Ingen handling" (sent); an
 * unknown formKonsultasjon or anbefaltTypeKonsultasjon code is "Ingen handling" (sent as it is);
 * an unknown polUtforende code is "Sett verdi til -1" (sent as -1). A wrong check digit is the
 * kit's "discard row"; a missing datoTidStart, anbefaltTypeKonsultasjon or enhetID is
 * "Slettemerk rad", a missing fid "Slettemerk melding"; kjonn and fodselsar have no published
 * control, and the kit holds what its schema refuses there.
 */
export function heldBack(r: DemoLike): boolean {
  if (!r._defect) return false;
  if (r._defect === 'future-date') return false;
  if (r._defect === 'unknown-code') return !(r.consultation?.form === 'telephone' || r.consultation?.programmeStep === 'M09' || r.personnel?.[0]?.profession === 'SOSIONOM');
  return true;
}

export function consultationIdOf(r: DemoLike): string {
  return r.consultation?.id ?? r.recordId.replace(/\/\d+$/, '');
}

export function expectedHoldings(records: Iterable<DemoLike>): Map<string, 'active' | 'annulled'> {
  const held = new Map<string, 'active' | 'annulled'>();
  for (const r of records) {
    if (heldBack(r)) continue;
    const id = consultationIdOf(r);
    if (r.deleted) {
      if (held.has(id)) held.set(id, 'annulled');
    } else {
      held.set(id, 'active');
    }
  }
  return held;
}

/**
 * The held-back records `kpr errors` must still list: those no later version of the same
 * consultation has replaced (a corrected or deleted consultation leaves the list).
 */
export function awaitingCorrection<T extends DemoLike>(records: Iterable<T>): T[] {
  const out: T[] = [];
  const seenLater = new Set<string>();
  const all = [...records];
  for (let i = all.length - 1; i >= 0; i--) {
    const r = all[i];
    const id = consultationIdOf(r);
    if (heldBack(r) && !seenLater.has(id)) out.push(r);
    if (!heldBack(r)) seenLater.add(id);
  }
  return out.reverse();
}
