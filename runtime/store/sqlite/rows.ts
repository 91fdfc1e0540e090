// Rows as SQLite returns them, and their conversion to the Store's types.
import { osloDateTime } from '../../time/oslo.ts';
import type { ItemRow, MessageState, OutboxMessage, StatusNotifikasjon } from '../types.ts';

export const now = (): string => new Date().toISOString();

export interface OutboxDbRow {
  seq: number;
  message_id: string;
  state: MessageState;
  year: number;
  lopenr: number;
  meldingstype: string;
  consultations: number;
  bytes: number;
  created_at: string;
  uttak_dato: string;
  sent_at: string | null;
  done_at: string | null;
  attempts: number;
  ref_id: string | null;
  validation_code: number | null;
  validation_message: string | null;
  last_error: string | null;
}

export const OUTBOX_COLS =
  'seq, message_id, state, year, lopenr, meldingstype, consultations, bytes, created_at, uttak_dato, sent_at, done_at, attempts, ref_id, validation_code, validation_message, last_error';

export function toMessage(r: OutboxDbRow): OutboxMessage {
  return {
    seq: r.seq,
    messageId: r.message_id,
    state: r.state,
    year: r.year,
    lopenr: r.lopenr,
    meldingstype: r.meldingstype,
    consultations: r.consultations,
    bytes: r.bytes,
    createdAt: r.created_at,
    uttakDato: r.uttak_dato,
    sentAt: r.sent_at,
    doneAt: r.done_at,
    attempts: r.attempts,
    refId: r.ref_id,
    validationCode: r.validation_code,
    validationMessage: r.validation_message,
    lastError: r.last_error,
  };
}

export interface ItemDbRow {
  konsultasjon_id: string;
  status: StatusNotifikasjon;
  guid: string;
  forrige_guid: string;
  ref: string | null;
  lope_nr: number;
  hash: string | null;
  source_id: string;
  changed_at: string;
  json: string | null;
}

export const ITEM_COLS = 'i.konsultasjon_id, i.status, i.guid, i.forrige_guid, i.ref, i.lope_nr, i.hash, i.source_id, i.changed_at, j.json';

export function toItem(r: ItemDbRow): ItemRow {
  return {
    konsultasjonId: r.konsultasjon_id,
    status: r.status,
    guid: r.guid,
    forrigeGuid: r.forrige_guid,
    ref: r.ref,
    lopeNr: r.lope_nr,
    hash: r.hash,
    sourceId: r.source_id,
    changedAt: r.changed_at,
    json: r.json,
    notifikasjonTid: osloDateTime(r.changed_at),
  };
}
