// The notification's domain types, shared by the chain's policy (runtime/notify/) and the stores
// that persist what it decides (runtime/store/): neither owns them.

/** Outbox states. A message moves built → sent → accepted | rejected | retrying (→ sent ...);
 * `superseded`: built after a message the receiver rejected, never sent, rebuilt from its items;
 * `requeued`: a rejected message whose content an operator queued again (`kpr resend`). */
export type MessageState = 'built' | 'sent' | 'retrying' | 'accepted' | 'rejected' | 'superseded' | 'requeued';
export const UNCONFIRMED: readonly MessageState[] = ['built', 'sent', 'retrying'];

export type StatusNotifikasjon = 'N' | 'M' | 'C';

/** What the receiver knows (accepted) and what is on its way (pending) for one konsultasjonID. */
export interface ConsultationState {
  /** Last accepted: content hash (hex), notification GUID, and whether it is active or annulled. */
  accHash: string | null;
  accGuid: string | null;
  accActive: boolean;
  /** Last built but not yet accepted notification for it, if any. */
  pendHash: string | null;
  pendGuid: string | null;
  pendActive: boolean;
  hasPending: boolean;
  /**
   * The notifikasjonGUID of the N ("Original") the consultation's current life began with: what
   * an M or C refers to (IPLOS 56.0.0: "referansen skal alltid peke på en N 'Original'").
   * Unknown for states kept by older versions, which referred to the latest notification.
   */
  origGuid?: string | null;
}
