// One unit's pending items become its deliveries: period by period (the item's month), oldest
// first, each period cut into requests whose JSON stays within the configured size (2 MB by
// default; FHI refuses over 15 MB). The body is a JSON array with the one unit object, its keys
// in the order of FHI's sample, so the same items always make the same bytes.
import type { NewSlashDelivery, SlashItemRow } from '../../../store/types.ts';
import type { DeliveryForm } from './form.ts';
import { parseUnitKey } from './unit.ts';

/** Items of one unit, already sorted by month then id. */
export function buildDeliveries(unit: string, items: SlashItemRow[], form: DeliveryForm, maxBytes: number): NewSlashDelivery[] {
  const u = parseUnitKey(unit);
  const head = [`"orgNr":${Number(u.orgNr)}`];
  if (u.kommuneNr !== undefined) head.push(`"kommuneNr":${u.kommuneNr}`);
  if (u.bydelNr !== undefined) head.push(`"bydelNr":${JSON.stringify(u.bydelNr)}`);
  const open = `[{${head.join(',')}`;
  const out: NewSlashDelivery[] = [];
  let i = 0;
  while (i < items.length) {
    const period = items[i]!.month;
    const dels: string[] = [];
    const cur: string[] = [];
    const ids: string[] = [];
    // Fixed text: the brackets, both list names, their brackets and commas.
    const frame = Buffer.byteLength(open) + form.deleteList.length + form.list.length + 16;
    let bytes = frame;
    for (; i < items.length && items[i]!.month === period; i++) {
      const it = items[i]!;
      const text = it.json === null ? `{${JSON.stringify(form.id)}:${JSON.stringify(it.id)},${JSON.stringify(form.deletedFlag)}:true}` : it.json;
      const size = Buffer.byteLength(text) + 1;
      // Never an empty request: an item larger than the limit goes alone.
      if (ids.length && bytes + size > maxBytes) break;
      (it.json === null ? dels : cur).push(text);
      ids.push(it.id);
      bytes += size;
    }
    const parts = [open];
    if (dels.length) parts.push(`,${JSON.stringify(form.deleteList)}:[${dels.join(',')}]`);
    if (cur.length) parts.push(`,${JSON.stringify(form.list)}:[${cur.join(',')}]`);
    parts.push('}]');
    out.push({ unit, orgNr: u.orgNr, period, body: parts.join(''), ids, items: cur.length, deletes: dels.length });
  }
  return out;
}
