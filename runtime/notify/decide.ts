// The N/M/C decision for one consultation version, against what the receiver holds or is about
// to hold. "About to hold" matters: a consultation whose N is built but not yet confirmed gets
// an M (or C) that refers to that N, because messages reach the receiver in chain order.
import type { ConsultationState, StatusNotifikasjon } from '../model/notification.ts';

export interface VersionInput {
  /** Deleted in the EPJ. */
  deleted: boolean;
  /** Content hash of the mapped Konsultasjon (ignored when deleted). */
  hash: string | null;
}

export type Decision = { status: StatusNotifikasjon; ref: string | null } | null;

/** The receiver's view once everything built has arrived: active with a hash, annulled, or unknown. */
export function effective(state: ConsultationState | undefined): { known: boolean; active: boolean; hash: string | null; guid: string | null } {
  if (state?.hasPending) return { known: true, active: state.pendActive, hash: state.pendHash, guid: state.pendGuid };
  if (state?.accGuid) return { known: true, active: state.accActive, hash: state.accHash, guid: state.accGuid };
  return { known: false, active: false, hash: null, guid: null };
}

/**
 * - new, or back after an annulment → N (an annulled notification cannot be replaced);
 * - active with other content → M, notifikasjonRef = its original N;
 * - active and deleted in the EPJ → C, notifikasjonRef = its original N;
 * - the same content, or deleted when the receiver never had it (or it is annulled) → nothing.
 *
 * The reference is the original N, not the latest M: the only published rule on it (IPLOS
 * 56.0.0, on statusNotifikasjon) says "referansen skal alltid peke på en N 'Original'"
 * (docs/mapping.md quotes it). A state from an older version that does not know its N falls
 * back to the latest notification.
 */
export function decide(state: ConsultationState | undefined, v: VersionInput): Decision {
  const e = effective(state);
  const ref = state?.origGuid ?? e.guid;
  if (v.deleted) return e.known && e.active ? { status: 'C', ref } : null;
  if (!e.known || !e.active) return { status: 'N', ref: null };
  if (e.hash === v.hash) return null;
  return { status: 'M', ref };
}

/** The state after a decision was built (pending until the receiver confirms it). */
export function afterDecision(state: ConsultationState | undefined, status: StatusNotifikasjon, guid: string, hash: string | null): ConsultationState {
  return {
    accHash: state?.accHash ?? null,
    accGuid: state?.accGuid ?? null,
    accActive: state?.accActive ?? false,
    pendHash: status === 'C' ? null : hash,
    pendGuid: guid,
    pendActive: status !== 'C',
    hasPending: true,
    origGuid: status === 'N' ? guid : (state?.origGuid ?? state?.pendGuid ?? state?.accGuid ?? null),
  };
}
