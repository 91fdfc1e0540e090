// What the receiver must hold after every record of an extract has been reported: replays the
// demo EPJ records in change order, independently of the runtime's own decisions.
// Spoiled records (`_defect`) never reach the receiver; a deletion annuls what was reported, and
// a consultation deleted before it was ever reported never appears.

export interface DemoLike {
  recordId: string;
  changedAt: string;
  deleted?: boolean;
  _defect?: string;
  consultation?: { id?: string };
}

export function consultationIdOf(r: DemoLike): string {
  return r.consultation?.id ?? r.recordId.replace(/\/\d+$/, '');
}

export function expectedHoldings(records: Iterable<DemoLike>): Map<string, 'active' | 'annulled'> {
  const held = new Map<string, 'active' | 'annulled'>();
  for (const r of records) {
    if (r._defect) continue;
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
 * The spoiled records `kpr errors` must still list: those no later valid version of the same
 * consultation has corrected (a corrected or deleted consultation leaves the list).
 */
export function awaitingCorrection<T extends DemoLike>(records: Iterable<T>): T[] {
  const out: T[] = [];
  const seenLater = new Set<string>();
  const all = [...records];
  for (let i = all.length - 1; i >= 0; i--) {
    const r = all[i];
    const id = consultationIdOf(r);
    if (r._defect && !seenLater.has(id)) out.push(r);
    if (!r._defect) seenLater.add(id);
  }
  return out.reverse();
}
