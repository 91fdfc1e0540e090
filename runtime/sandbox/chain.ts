// The KPR stand-in's chain rules: each sender's notifications form a chain
// (notifikasjonForrigeGUID must name the previous accepted notification, notifikasjonLopeNr
// must rise strictly, M/T/C must refer to an accepted N: IPLOS 56.0.0 on statusNotifikasjon,
// "referansen skal alltid peke på en N 'Original'", the only published rule). The store (store.ts)
// applies N/M/T/C to the consultations once a message passes. All or nothing per message.
import { chainBreak, isOriginal, refersToOriginal } from '../notify/chain.ts';
import type { MeldingJson } from './codec.ts';

/** What the chain check needs to know of a sender: its last accepted notification. */
export interface SenderHead {
  chainHead: string | null;
  lastLopeNr: number | null;
}

/** The receiver's memory as the chain check reads it (the sandbox's store, or a test's). */
export interface ChainView {
  sender(herId: string): SenderHead | undefined;
  hasNotification(herId: string, guid: string): boolean;
  /** The statusNotifikasjon of an accepted notification (N, M, T, C), when the view keeps it. */
  notificationStatus?(herId: string, guid: string): string | undefined;
}

export interface ChainRejection {
  validationCode: number;
  validationMessage: string;
}

/** Validation codes the sandbox uses (its own: the real receiver's codes are not published). */
export const CODES = {
  envelope: 1001,
  receiver: 1002,
  decrypt: 1010,
  signature: 1011,
  signerNotRegistered: 1012,
  content: 1020,
  forrigeGuid: 1030,
  lopeNr: 1031,
  ref: 1032,
  status: 1033,
} as const;

const STATUSES = new Set(['N', 'M', 'T', 'C']);

/** Checks the chain without changing anything. */
export function checkChain(view: ChainView, fromHerId: string, melding: MeldingJson): ChainRejection | undefined {
  const sender = view.sender(fromHerId);
  let head = sender?.chainHead ?? null;
  let last = sender?.lastLopeNr ?? null;
  // Notifications earlier in this message; those accepted before are looked up in the view.
  const known = new Map<string, string>();
  for (const n of melding.Notifikasjon ?? []) {
    const where = `Notifikasjon ${n.notifikasjonGUID}`;
    if (!STATUSES.has(n.statusNotifikasjon)) {
      return { validationCode: CODES.status, validationMessage: `${where}: unknown statusNotifikasjon ${JSON.stringify(n.statusNotifikasjon)}` };
    }
    const lopeNr = Number(n.notifikasjonLopeNr);
    // The sender's rule (runtime/notify/chain.ts), checked from the receiver's side.
    const broken = chainBreak({ guid: head, lopeNr: last }, { forrigeGuid: n.notifikasjonForrigeGUID, lopeNr });
    if (broken === 'forrigeGuid') {
      return {
        validationCode: CODES.forrigeGuid,
        validationMessage: `${where}: notifikasjonForrigeGUID ${n.notifikasjonForrigeGUID} is not the last accepted notification ${head} (gap or out of order)`,
      };
    }
    if (broken === 'lopeNr') {
      return {
        validationCode: CODES.lopeNr,
        validationMessage: `${where}: notifikasjonLopeNr ${n.notifikasjonLopeNr} does not follow ${last}`,
      };
    }
    if (refersToOriginal(n.statusNotifikasjon)) {
      if (!n.notifikasjonRef) {
        return { validationCode: CODES.ref, validationMessage: `${where}: statusNotifikasjon ${n.statusNotifikasjon} needs notifikasjonRef` };
      }
      if (!known.has(n.notifikasjonRef) && !view.hasNotification(fromHerId, n.notifikasjonRef)) {
        return { validationCode: CODES.ref, validationMessage: `${where}: notifikasjonRef ${n.notifikasjonRef} names no accepted notification` };
      }
      const status = known.get(n.notifikasjonRef) ?? view.notificationStatus?.(fromHerId, n.notifikasjonRef);
      if (status !== undefined && !isOriginal(status)) {
        return {
          validationCode: CODES.ref,
          validationMessage: `${where}: notifikasjonRef ${n.notifikasjonRef} is a ${status}, not the original N ("referansen skal alltid peke på en N 'Original'")`,
        };
      }
    }
    known.set(n.notifikasjonGUID, n.statusNotifikasjon);
    head = n.notifikasjonGUID;
    last = lopeNr;
  }
  return undefined;
}
