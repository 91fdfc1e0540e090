// The KPR API's request body: a message header and the sealed (signed, then encrypted)
// payload in base64. The payload is opaque here: transport moves bytes, not messages.
import { randomUUID } from 'node:crypto';

export interface EnvelopeParts {
  fromHerId: number;
  toHerId: number;
  /** e.g. "HST" or "IPLOS": passed through, never interpreted here. */
  messageType: string;
  messageVersion: string;
  /** Chosen once per message and kept across every retry; generated when left out. */
  messageId?: string;
  /** The CMS DER bytes from `seal`. */
  payload: Buffer;
}

export interface Envelope {
  messageHeader: { fromHerId: number; toHerId: number; messageType: string; messageVersion: string; messageId: string };
  payload: string;
}

export function buildEnvelope(parts: EnvelopeParts & { messageId: string }): Envelope {
  for (const f of ['fromHerId', 'toHerId'] as const) {
    if (!Number.isSafeInteger(parts[f]) || parts[f] <= 0) throw new Error(`${f} must be a positive integer, got ${parts[f]}`);
  }
  return {
    messageHeader: {
      fromHerId: parts.fromHerId,
      toHerId: parts.toHerId,
      messageType: parts.messageType,
      messageVersion: parts.messageVersion,
      messageId: parts.messageId,
    },
    payload: parts.payload.toString('base64'),
  };
}

export function newMessageId(): string {
  return randomUUID();
}
