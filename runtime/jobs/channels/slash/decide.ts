// One extract line on the SLASH channel: read its reporting unit, map it (or take the item as
// passthrough under the form's list name), and say what it is: an item's new content, a
// deletion, nothing new, or a rejected record with its file:line and rule.
import { createHash } from 'node:crypto';
import type { Issue } from '../../../rules/issue.ts';
import type { MapResult } from '../../../mapping/apply.ts';
import type { SourceLine } from '../../../sources/types.ts';
import type { Rejection, SlashItemRow } from '../../../store/types.ts';
import type { DeliveryForm } from './form.ts';
import { unitOf, type ReportingUnit, type UnitFields } from './unit.ts';

export interface DecideSettings {
  form: DeliveryForm;
  unit: UnitFields;
  deletedField: string;
  changedAtField: string;
  /** The vendor's mapping onto the form's list item; passthrough (`record[form.list]`) without. */
  map?: (record: unknown) => MapResult;
}

export type LineDecision =
  | { kind: 'item'; unit: ReportingUnit; item: SlashItemRow }
  | { kind: 'rejected'; rejection: Rejection };

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

function reject(line: SourceLine, sourceId: string, rule: string, message: string, changedAt: string | null = null, path = ''): LineDecision {
  return { kind: 'rejected', rejection: { sourceId, changedAt, file: line.file, line: line.line, path, rule, message, consequence: 'discard-row' } };
}

export function decideLine(line: SourceLine, s: DecideSettings): LineDecision {
  const fallbackId = `${line.file}:${line.line}`;
  if (line.parseError) return reject(line, fallbackId, line.parseRule ?? 'REC1001', line.parseError);
  const rec = line.value;
  if (rec === null || typeof rec !== 'object' || Array.isArray(rec)) return reject(line, fallbackId, 'REC1002', 'the line is not a JSON object');
  const r = rec as Record<string, unknown>;
  const changedAt = r[s.changedAtField];
  if (typeof changedAt !== 'string' || Number.isNaN(Date.parse(changedAt))) {
    return reject(line, fallbackId, 'REC1003', `no \`${s.changedAtField}\` as an ISO 8601 instant: it tells versions of one record apart`);
  }
  const unit = unitOf(r, s.unit);
  const deleted = r[s.deletedField] === true;
  let item: Record<string, unknown> | undefined;
  let id: string | undefined;
  if (s.map && !deleted) {
    const m = s.map(rec);
    if (!m.ok) {
      const first: Issue | undefined = m.issues[0];
      return reject(line, m.sourceId ?? fallbackId, first?.rule ?? 'REC1005', first?.message ?? 'the mapping failed', changedAt, first?.path ?? '');
    }
    item = m.value;
  } else if (!deleted) {
    const v = r[s.form.list];
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return reject(line, fallbackId, 'REC1002', `no \`${s.form.list}\` object (the item, as the message carries it; or configure a mapping)`, changedAt);
    item = v as Record<string, unknown>;
  }
  let rawId: unknown;
  if (item) rawId = item[s.form.id];
  else if (s.map) {
    // A deletion need not map whole: its id is what the mapping makes of it, or the record's id.
    const m = s.map(rec);
    rawId = m.value?.[s.form.id] ?? m.sourceId;
  } else rawId = r[s.form.id] ?? (r[s.form.list] as Record<string, unknown> | undefined)?.[s.form.id];
  id = typeof rawId === 'string' && rawId ? rawId : typeof rawId === 'number' ? String(rawId) : undefined;
  if (!id) return reject(line, fallbackId, 'REC1008', `no \`${s.form.id}\`: the item's identity, which later versions and deletions name`, changedAt);
  if ('problem' in unit) return reject(line, id, 'REC1009', unit.problem, changedAt);
  if (!item) return { kind: 'item', unit, item: { unit: unit.key, id, month: '', hash: sha(`deleted:${id}`), json: null, changedAt } };
  const time = item[s.form.time];
  const month = typeof time === 'string' && /^\d{4}-\d{2}/.test(time) ? time.slice(0, 7) : '';
  if (!month) return reject(line, id, 'REC2001', `no \`${s.form.time}\`: the item's time decides the period it is delivered in`, changedAt, `/${s.form.time}`);
  const json = JSON.stringify(item);
  return { kind: 'item', unit, item: { unit: unit.key, id, month, hash: sha(json), json, changedAt } };
}
