// The sandbox store's shapes: what it is given (an accepted message) and what it serves.
import type { KonsultasjonJson, MeldingJson } from '../codec.ts';

export interface AcceptedMessage {
  messageId: string;
  refId: string;
  fromHerId: string;
  toHerId: string;
  messageType: string;
  messageVersion: string;
  melding: MeldingJson;
}

export interface SenderSummary {
  chainHead: string | null;
  notifications: number;
  messages: number;
}

export interface NotificationRecord {
  fromHerId: string;
  notifikasjonGUID: string;
  statusNotifikasjon: string;
  notifikasjonForrigeGUID: string;
  notifikasjonLopeNr: number;
  konsultasjonIDs: string[];
}

export interface PublicState {
  senders: Record<string, SenderSummary>;
  consultations: Record<string, { status: string; content: KonsultasjonJson }>;
}

export interface SandboxStoreOptions {
  /** Fold once this many notifications or konsultasjon rows are unfolded (default 50 000). */
  foldAfter?: number;
}

/** One content row as the fold reads it (not its content). */
export interface ContentOp {
  seq: number;
  id: string;
  op: string;
}

/** What one message appended, remembered once its transaction committed. */
export interface Appended {
  notifications: Map<string, number>;
  rows: ContentOp[];
}
