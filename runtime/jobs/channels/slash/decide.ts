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

export type LineDecision = { kind: 'item'; unit: ReportingUnit; item: SlashItemRow } | { kind: 'rejected'; rejection: Rejection };

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
  if (s.map) {
    // A mapping rooted at the unit object (examples/demo-epj-appointments): it gives the unit
    // and one item (or one deletion) itself.
    const m = s.map(rec);
    if (m.ok && m.value.orgNr !== undefined) return fromUnitObject(line, m.value, m.sourceId ?? fallbackId, changedAt, s);
    if (!m.ok && m.value && ('orgNr' in m.value || s.form.list in m.value || s.form.deleteList in m.value)) {
      const first: Issue | undefined = m.issues[0];
      const noUnit = m.issues.find((i) => i.path === '/orgNr');
      if (noUnit) return reject(line, m.sourceId ?? fallbackId, 'REC1009', `no reporting unit: ${noUnit.message}`, changedAt, '/orgNr');
      return reject(line, m.sourceId ?? fallbackId, first?.rule ?? 'REC1005', first?.message ?? 'the mapping failed', changedAt, first?.path ?? '');
    }
  }
  const unit = unitOf(r, s.unit);
  const deleted = r[s.deletedField] === true;
  let item: Record<string, unknown> | undefined;
  if (s.map && !deleted) {
    const m = s.map(rec);
    if (!m.ok) {
      const first: Issue | undefined = m.issues[0];
      return reject(line, m.sourceId ?? fallbackId, first?.rule ?? 'REC1005', first?.message ?? 'the mapping failed', changedAt, first?.path ?? '');
    }
    item = m.value;
  } else if (!deleted) {
    const v = r[s.form.list];
    if (v === null || typeof v !== 'object' || Array.isArray(v))
      return reject(line, fallbackId, 'REC1002', `no \`${s.form.list}\` object (the item, as the message carries it; or configure a mapping)`, changedAt);
    item = v as Record<string, unknown>;
  }
  let rawId: unknown;
  if (item) rawId = item[s.form.id];
  else if (s.map) {
    // A deletion need not map whole: its id is what the mapping makes of it, or the record's id.
    const m = s.map(rec);
    rawId = m.value?.[s.form.id] ?? m.sourceId;
  } else rawId = r[s.form.id] ?? (r[s.form.list] as Record<string, unknown> | undefined)?.[s.form.id];
  const id = typeof rawId === 'string' && rawId ? rawId : typeof rawId === 'number' ? String(rawId) : undefined;
  if (!id) return reject(line, fallbackId, 'REC1008', `no \`${s.form.id}\`: the item's identity, which later versions and deletions name`, changedAt);
  if ('problem' in unit) return reject(line, id, 'REC1009', unit.problem, changedAt);
  if (!item) return { kind: 'item', unit, item: { unit: unit.key, id, month: '', hash: sha(`deleted:${id}`), json: null, changedAt } };
  const time = item[s.form.time];
  const month = typeof time === 'string' && /^\d{4}-\d{2}/.test(time) ? time.slice(0, 7) : '';
  if (!month) return reject(line, id, 'REC2001', `no \`${s.form.time}\`: the item's time decides the period it is delivered in`, changedAt, `/${s.form.time}`);
  const json = JSON.stringify(item);
  return { kind: 'item', unit, item: { unit: unit.key, id, month, hash: sha(json), json, changedAt } };
}

/** The one item (or deletion) of a unit object a mapping made, with the unit it names. */
function fromUnitObject(line: SourceLine, value: Record<string, unknown>, sourceId: string, changedAt: string, s: DecideSettings): LineDecision {
  const unit = unitOf(value, { orgNr: 'orgNr', kommuneNr: 'kommuneNr', bydelNr: 'bydelNr' });
  if ('problem' in unit) return reject(line, sourceId, 'REC1009', unit.problem, changedAt, '/orgNr');
  const one = (v: unknown): Record<string, unknown>[] => (Array.isArray(v) ? v : v && typeof v === 'object' ? [v] : []) as Record<string, unknown>[];
  const items = one(value[s.form.list]);
  const dels = one(value[s.form.deleteList]).filter((d) => d[s.form.deletedFlag] === true);
  if (items.length + dels.length !== 1)
    return reject(
      line,
      sourceId,
      'REC1002',
      `the mapping made ${items.length} ${s.form.list} and ${dels.length} ${s.form.deleteList} of one line; the SLASH channel takes one item per line`,
      changedAt,
    );
  const it = items[0] ?? dels[0]!;
  const id = it[s.form.id];
  if ((typeof id !== 'string' || !id) && typeof id !== 'number')
    return reject(line, sourceId, 'REC1008', `no \`${s.form.id}\`: the item's identity, which later versions and deletions name`, changedAt);
  if (!items.length) return { kind: 'item', unit, item: { unit: unit.key, id: String(id), month: '', hash: sha(`deleted:${id}`), json: null, changedAt } };
  const time = it[s.form.time];
  const month = typeof time === 'string' && /^\d{4}-\d{2}/.test(time) ? time.slice(0, 7) : '';
  if (!month) return reject(line, String(id), 'REC2001', `no \`${s.form.time}\`: the item's time decides the period it is delivered in`, changedAt, `/${s.form.time}`);
  const json = JSON.stringify(it);
  return { kind: 'item', unit, item: { unit: unit.key, id: String(id), month, hash: sha(json), json, changedAt } };
}
