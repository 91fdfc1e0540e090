// What the sandbox serves from its folded tables: the public state, the chains as they arrived,
// consultations by status. The caller folds first.
import type { KonsultasjonJson } from '../codec.ts';
import type { Statements } from './statements.ts';
import type { NotificationRecord, PublicState, SenderSummary } from './types.ts';

/** Every sender's chain and every consultation (GET /sandbox/state: tests and demos). */
export function publicState(st: Statements, sender?: string): PublicState {
  const senders: Record<string, SenderSummary> = {};
  for (const r of st.senders.all())
    if (sender === undefined || r.her_id === sender) senders[r.her_id] = { chainHead: r.chain_head, notifications: r.notifications, messages: r.messages };
  const consultations: PublicState['consultations'] = {};
  for (const r of st.consultations.iterate())
    if (sender === undefined || r.from_her_id === sender) consultations[r.id] = { status: r.status, content: JSON.parse(r.content) as KonsultasjonJson };
  return { senders, consultations };
}

/** Every accepted notification in the order it arrived: the chains as the receiver saw them. */
export function notifications(st: Statements): NotificationRecord[] {
  return st.notifications.all().map((r) => ({
    fromHerId: r.her_id,
    notifikasjonGUID: r.guid,
    statusNotifikasjon: r.status,
    notifikasjonForrigeGUID: r.forrige_guid,
    notifikasjonLopeNr: r.lope_nr,
    konsultasjonIDs: JSON.parse(r.ids) as string[],
  }));
}

/** Consultations by status, without reading their content. */
export function statusCounts(st: Statements): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of st.statusCounts.all()) out[r.status] = r.n;
  return out;
}
