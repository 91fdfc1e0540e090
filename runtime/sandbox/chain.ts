// What the KPR stand-in does with an accepted Melding: check each sender's notification chain
// (notifikasjonForrigeGUID must name the previous accepted notification, notifikasjonLopeNr
// must rise strictly) and apply N/M/T/C to the consultations. All or nothing per message.
import type { ElementJson, KonsultasjonJson, MeldingJson, NotifikasjonJson } from './codec.ts';

export interface SenderState {
  chainHead: string | null;
  lastLopeNr: number | null;
  notifications: number;
  messages: number;
  /** notifikasjonGUID → the konsultasjonIDs it carried (for C without Konsultasjon). */
  notificationConsultations: Record<string, string[]>;
}

export interface ConsultationState {
  status: 'active' | 'annulled';
  fromHerId: string;
  content: KonsultasjonJson;
}

export interface SandboxState {
  /** Sequence number of the last journal entry applied. */
  seq: number;
  senders: Record<string, SenderState>;
  consultations: Record<string, ConsultationState>;
  /** Accepted messageIds → refId, so that a retried message gets the same answer. */
  messages: Record<string, { refId: string; fromHerId: string }>;
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

export function emptyState(): SandboxState {
  return { seq: 0, senders: {}, consultations: {}, messages: {} };
}

function newSender(): SenderState {
  return { chainHead: null, lastLopeNr: null, notifications: 0, messages: 0, notificationConsultations: {} };
}

const STATUSES = new Set(['N', 'M', 'T', 'C']);

/** Checks the chain without changing anything. */
export function checkChain(state: SandboxState, fromHerId: string, melding: MeldingJson): ChainRejection | undefined {
  const sender = state.senders[fromHerId] ?? newSender();
  let head = sender.chainHead;
  let last = sender.lastLopeNr;
  // Notifications accepted before (the sender's whole history: looked up, never copied) and
  // those earlier in this message.
  const accepted = sender.notificationConsultations;
  const known = new Set<string>();
  for (const n of melding.Notifikasjon ?? []) {
    const where = `Notifikasjon ${n.notifikasjonGUID}`;
    if (!STATUSES.has(n.statusNotifikasjon)) {
      return { validationCode: CODES.status, validationMessage: `${where}: unknown statusNotifikasjon ${JSON.stringify(n.statusNotifikasjon)}` };
    }
    // The first notification a sender ever sends has nothing to point back to here.
    if (head !== null && n.notifikasjonForrigeGUID !== head) {
      return {
        validationCode: CODES.forrigeGuid,
        validationMessage: `${where}: notifikasjonForrigeGUID ${n.notifikasjonForrigeGUID} is not the last accepted notification ${head} (gap or out of order)`,
      };
    }
    const lopeNr = Number(n.notifikasjonLopeNr);
    if (!Number.isSafeInteger(lopeNr) || (last !== null && lopeNr <= last)) {
      return {
        validationCode: CODES.lopeNr,
        validationMessage: `${where}: notifikasjonLopeNr ${n.notifikasjonLopeNr} does not follow ${last}`,
      };
    }
    if (n.statusNotifikasjon !== 'N') {
      if (!n.notifikasjonRef) {
        return { validationCode: CODES.ref, validationMessage: `${where}: statusNotifikasjon ${n.statusNotifikasjon} needs notifikasjonRef` };
      }
      if (!Object.hasOwn(accepted, n.notifikasjonRef) && !known.has(n.notifikasjonRef)) {
        return { validationCode: CODES.ref, validationMessage: `${where}: notifikasjonRef ${n.notifikasjonRef} names no accepted notification` };
      }
    }
    known.add(n.notifikasjonGUID);
    head = n.notifikasjonGUID;
    last = lopeNr;
  }
  return undefined;
}

/** Applies a message whose chain `checkChain` accepted. Deterministic: the journal replays it. */
export function applyMelding(state: SandboxState, fromHerId: string, melding: MeldingJson, messageId: string, refId: string): void {
  const sender = (state.senders[fromHerId] ??= newSender());
  for (const n of melding.Notifikasjon ?? []) applyNotifikasjon(state, sender, fromHerId, n);
  sender.messages++;
  state.messages[messageId] = { refId, fromHerId };
}

function applyNotifikasjon(state: SandboxState, sender: SenderState, fromHerId: string, n: NotifikasjonJson): void {
  const konsultasjoner = n.Konsultasjon ?? [];
  let ids = konsultasjoner.map((k) => k.konsultasjonID);
  switch (n.statusNotifikasjon) {
    case 'N':
    case 'M':
      for (const k of konsultasjoner) state.consultations[k.konsultasjonID] = { status: 'active', fromHerId, content: k };
      break;
    case 'T':
      for (const k of konsultasjoner) {
        const existing = state.consultations[k.konsultasjonID];
        state.consultations[k.konsultasjonID] = existing
          ? { ...existing, content: supplement(existing.content, k) as KonsultasjonJson }
          : { status: 'active', fromHerId, content: k };
      }
      break;
    case 'C':
      if (!ids.length && n.notifikasjonRef) ids = sender.notificationConsultations[n.notifikasjonRef] ?? [];
      for (const id of ids) {
        const existing = state.consultations[id];
        if (existing) existing.status = 'annulled';
      }
      break;
  }
  sender.notificationConsultations[n.notifikasjonGUID] = ids;
  sender.chainHead = n.notifikasjonGUID;
  sender.lastLopeNr = Number(n.notifikasjonLopeNr);
  sender.notifications++;
}

/** T adds to a consultation: new attribute values win, child element lists grow. */
function supplement(base: ElementJson, extra: ElementJson): ElementJson {
  const out: ElementJson = { ...base };
  for (const [name, value] of Object.entries(extra)) {
    const prior = out[name];
    out[name] = Array.isArray(prior) && Array.isArray(value) ? [...prior, ...value] : value;
  }
  return out;
}

/** The public view served at GET /sandbox/state. */
export function publicState(state: SandboxState) {
  const senders: Record<string, { chainHead: string | null; notifications: number; messages: number }> = {};
  for (const [herId, s] of Object.entries(state.senders)) {
    senders[herId] = { chainHead: s.chainHead, notifications: s.notifications, messages: s.messages };
  }
  const consultations: Record<string, { status: string; content: KonsultasjonJson }> = {};
  for (const [id, c] of Object.entries(state.consultations)) consultations[id] = { status: c.status, content: c.content };
  return { senders, consultations };
}
