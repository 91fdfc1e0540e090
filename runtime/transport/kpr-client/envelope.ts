// The KPR API's request body: a message header and the sealed (signed, then encrypted)
// payload in base64. The payload is opaque here: transport moves bytes, not messages.
import { randomUUID } from 'node:crypto';
import { base64Into, base64Length } from '../base64.ts';

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

/**
 * The request body as bytes: exactly `JSON.stringify(buildEnvelope(parts))` in UTF-8, with the
 * payload's base64 written straight into the buffer instead of going through a string three
 * times (encode, JSON escape scan, UTF-8).
 */
export function envelopeBody(parts: EnvelopeParts & { messageId: string }): Buffer {
  // `{"messageHeader":{…},"payload":""}` around the base64: base64 needs no JSON escaping.
  const around = JSON.stringify(buildEnvelope({ ...parts, payload: Buffer.alloc(0) }));
  const head = Buffer.from(around.slice(0, -2), 'utf8');
  const body = Buffer.allocUnsafe(head.length + base64Length(parts.payload.length) + 2);
  head.copy(body, 0);
  body.write('"}', base64Into(parts.payload, body, head.length), 'latin1');
  return body;
}

export function newMessageId(): string {
  return randomUUID();
}
