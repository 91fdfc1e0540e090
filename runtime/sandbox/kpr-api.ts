// The KPR API stand-in: POST /message/process does what the receiver's pipeline does
// (token, envelope, decrypt and verify the CMS, signer registered for fromHerId, validate the
// message, check the notification chain, store, answer) and answers in the API's shapes:
// 200 {messageId, refId}, 400 {validationCode, validationMessage, refId}, 500 {errorCode, ...}.
import { createHash, randomUUID, X509Certificate } from 'node:crypto';
import { base64Decode } from '../transport/base64.ts';
import { checkChain, CODES } from './chain.ts';
import type { MessageCodec } from './codec.ts';
import { Recent } from './recent.ts';
import type { Answer } from './helseid-stand-in.ts';
import type { SandboxStore } from './store.ts';

/** Decrypts and verifies a sealed payload; throws an error with a `code` when it cannot. */
export type PayloadOpener = (der: Buffer) => { content: Buffer; signerCertPem: string };

export interface KprApiDeps {
  store: SandboxStore;
  codec: MessageCodec;
  open: PayloadOpener;
  receiverHerId: string;
  /** herId → SHA-256 fingerprints of the signing certificates registered for it. */
  signers: Map<string, Set<string>>;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Fingerprints of the few signing certificates seen: a certificate is parsed once, not with every message (docs/operations.md, "Measured"). */
const fingerprints = new Recent<string, string>();

export function certFingerprint(certPem: string): string {
  let fp = fingerprints.get(certPem);
  if (fp === undefined) {
    fp = createHash('sha256').update(new X509Certificate(certPem).raw).digest('hex');
    fingerprints.set(certPem, fp);
  }
  return fp;
}

interface Envelope {
  messageHeader: { fromHerId: number; toHerId: number; messageType: string; messageVersion: string; messageId: string };
  /** The payload decoded. */
  bytes: Buffer;
}

/** What `parseBody` gives for a body that is not JSON. */
export const NOT_JSON = Symbol('not JSON');

/** The payload as `parseBody` took it out of the body: its bytes, or undefined if not base64. */
export class DecodedPayload {
  constructor(readonly bytes: Buffer | undefined) {}
}

const PAYLOAD_KEY = Buffer.from('"payload":"', 'latin1');
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * The request body parsed once; the server notes the messageId from it and processes it.
 * The payload (a megabyte of base64) is decoded straight from the bytes and the rest parsed as
 * JSON without it: turning the whole body into a string and parsing it cost four times as much.
 * Whenever that shortcut could read the body differently from JSON.parse (an escape inside
 * the payload, a "payload" key that is not the top-level one, a repeated key), the whole body
 * is parsed as JSON instead.
 */
export function parseBody(body: Buffer): unknown {
  const at = body.indexOf(PAYLOAD_KEY);
  if (at >= 0) {
    const start = at + PAYLOAD_KEY.length;
    const end = body.indexOf(QUOTE, start);
    const backslash = body.indexOf(BACKSLASH, start);
    if (end >= 0 && (backslash < 0 || backslash > end)) {
      let rest: unknown;
      try {
        rest = JSON.parse(Buffer.concat([body.subarray(0, start), body.subarray(end)]).toString('utf8'));
      } catch {
        rest = undefined;
      }
      // The blanked value must be the top-level payload, and the only one.
      if (rest && typeof rest === 'object' && !Array.isArray(rest) && (rest as { payload?: unknown }).payload === '' && body.indexOf(PAYLOAD_KEY, end) < 0) {
        (rest as { payload: unknown }).payload = new DecodedPayload(base64Decode(body, start, end));
        return rest;
      }
    }
  }
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return NOT_JSON;
  }
}

function readEnvelope(parsed: unknown): Envelope | string {
  if (parsed === NOT_JSON) return 'body is not JSON';
  // biome-ignore lint/suspicious/noExplicitAny: a request body, checked member by member below
  const json = parsed as any;
  const h = json?.messageHeader;
  if (!h || typeof h !== 'object') return 'messageHeader is missing';
  for (const f of ['fromHerId', 'toHerId'] as const) {
    if (!Number.isSafeInteger(h[f]) || h[f] <= 0) return `messageHeader.${f} must be a positive integer`;
  }
  for (const f of ['messageType', 'messageVersion'] as const) {
    if (typeof h[f] !== 'string' || !h[f]) return `messageHeader.${f} must be a non-empty string`;
  }
  if (typeof h.messageId !== 'string' || !GUID.test(h.messageId)) return 'messageHeader.messageId must be a GUID';
  // Both ways to the payload decode with the same function, so they accept the same texts.
  const bytes = json.payload instanceof DecodedPayload ? json.payload.bytes : typeof json.payload === 'string' ? base64Decode(Buffer.from(json.payload, 'utf8')) : undefined;
  if (!bytes) return 'payload must be base64';
  return { messageHeader: h, bytes };
}

export function processMessage(deps: KprApiDeps, request: unknown): Answer {
  const refId = randomUUID();
  const reject = (validationCode: number, validationMessage: string): Answer => ({
    status: 400,
    body: { validationCode, validationMessage, refId },
  });
  try {
    const env = readEnvelope(request);
    if (typeof env === 'string') return reject(CODES.envelope, env);
    const h = env.messageHeader;
    const fromHerId = String(h.fromHerId);
    // A retry of a message already accepted gets the first answer again.
    const seen = deps.store.answered(h.messageId);
    if (seen && seen.fromHerId === fromHerId) return { status: 200, body: { messageId: h.messageId, refId: seen.refId } };
    if (String(h.toHerId) !== deps.receiverHerId) return reject(CODES.receiver, `toHerId ${h.toHerId} is not this receiver (${deps.receiverHerId})`);

    let opened: ReturnType<typeof deps.open>;
    try {
      opened = deps.open(env.bytes);
    } catch (err) {
      const code = String((err as { code?: string }).code ?? '');
      const decrypt = ['malformed', 'not-for-recipient', 'decrypt-failed', 'bad-key'].includes(code);
      return reject(decrypt ? CODES.decrypt : CODES.signature, `${decrypt ? 'Kan ikke dekryptere' : 'Ugyldig signatur'}: ${(err as Error).message}`);
    }
    const registered = deps.signers.get(fromHerId);
    if (!registered?.has(certFingerprint(opened.signerCertPem))) {
      return reject(CODES.signerNotRegistered, `Feil signeringssertifikat: not registered for fromHerId ${fromHerId}`);
    }

    // The bytes, not a string decoded from them: the generated reader scans them as Latin-1.
    const parsed = deps.codec.parse(opened.content, h.messageType, h.messageVersion);
    if ('errors' in parsed) {
      const shown = parsed.errors.slice(0, 5).join('; ');
      const more = parsed.errors.length > 5 ? ` (and ${parsed.errors.length - 5} more)` : '';
      return reject(CODES.content, `Ugyldig melding: ${shown}${more}`);
    }
    const broken = checkChain(deps.store, fromHerId, parsed.melding);
    if (broken) return reject(broken.validationCode, broken.validationMessage);

    deps.store.accept({
      messageId: h.messageId,
      refId,
      fromHerId,
      toHerId: String(h.toHerId),
      messageType: h.messageType,
      messageVersion: h.messageVersion,
      melding: parsed.melding,
    });
    return { status: 200, body: { messageId: h.messageId, refId } };
  } catch (err) {
    return { status: 500, body: { errorCode: 1000, errorMessage: `Teknisk feil: ${(err as Error).message}`, refId } };
  }
}
