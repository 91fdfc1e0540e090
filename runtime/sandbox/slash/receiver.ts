// The SLASH stand-in's `POST /message`: checks what FHI's receiver checks, in this order, and
// answers with FHI's codes, `{delivered, errors}` and an `X-Correlation-ID` on every answer.
// The order is ours (FHI does not publish one): the cheap header and binding checks first, then
// decryption, then the content.
//
// | step | check                                                               | answer            |
// |------|---------------------------------------------------------------------|-------------------|
// | 1    | DPoP-bound token: signature, expiry, scope, cnf, proof htm/htu/jti, `ath` | 401 / 403   |
// | 2    | the token names an organisation (orgnr_parent)                      | 2002              |
// | 3    | the five x- headers present                                         | 1001              |
// | 4    | their values (dd.MM.yyyy date), Content-Type text/plain             | 1002              |
// | 5    | msg_type / msg_version in the proof, known                          | 1003              |
// | 6    | the organisation may send this type (when a list is configured)     | 2001              |
// | 7    | enc_key_id known / not expired                                      | 1004 / 1007       |
// | 8    | msg_hash is base64url of 32 bytes                                   | 1005              |
// | 9    | body within 15 MB                                                   | 2009              |
// | 10   | enc_sym_key opens / body decrypts                                   | 1008 / 1009       |
// | 11   | SHA-256 of the decrypted bytes = msg_hash                           | 1006              |
// | 12   | JSON / a schema for the type / valid                                | 2007 / 2006 / 2008|
import { randomUUID } from 'node:crypto';
import type { JWTPayload } from 'jose';
import { decodeJwt } from 'jose';
import { decryptBody, msgHashOf, UnprotectError, unwrapKey } from '../../transport/slash/protect.ts';
import { EXTRACTION_DATE_HEADER, isExtractionDate, VENDOR_HEADER_NAMES } from '../../transport/slash/request.ts';
import { codeNamed, slashCode } from '../../transport/slash/codes.ts';
import { ORG_PARENT_CLAIM, type Answer, type HelseIdStandIn } from '../helseid-stand-in.ts';
import type { Keyring } from './keyring.ts';
import type { SlashLedger } from './ledger.ts';
import { errorDetailsText, typeKey, type MessageTypes } from './validate.ts';

/** FHI's limit on a payload. */
export const MAX_PAYLOAD_BYTES = 15 * 1024 * 1024;
/** The scope FHI's integration tests ask for. */
export const SLASH_SCOPE = 'fhi:slash.mottak/all';

export interface SlashRequest {
  /** Lower-case header names. */
  headers: Record<string, string | undefined>;
  body: Buffer;
  /** The URL the request was made to (what htu must name). */
  url: string;
}

export interface ReceiverDeps {
  helseid: HelseIdStandIn;
  keyring: Keyring;
  ledger: SlashLedger;
  messageTypes: MessageTypes;
  acceptedScopes: string[];
  requireNonce: () => boolean;
  /** orgnr_parent → the message types it may send; absent: every organisation may send every type. */
  allowed?: Record<string, string[]>;
  now?: () => number;
}

const HEADERS = [...Object.values(VENDOR_HEADER_NAMES), EXTRACTION_DATE_HEADER];

function answer(status: number, correlationId: string, errors: Array<{ code: number; property?: string; message?: string; details?: string }>): Answer {
  return {
    status,
    headers: { 'X-Correlation-ID': correlationId },
    body: {
      delivered: status === 200,
      errors: errors.map((e) => ({ errorCode: e.code, propertyName: e.property ?? null, errorMessage: e.message ?? slashCode(e.code).name, errorDetails: e.details ?? null })),
    },
  };
}

export const refuse = (correlationId: string, code: number, property?: string, details?: string): Answer =>
  answer(code === codeNamed('StorageError').code ? 500 : 400, correlationId, [{ code, property, details }]);

export async function receiveMessage(deps: ReceiverDeps, req: SlashRequest): Promise<Answer & { accepted?: boolean }> {
  const correlationId = randomUUID();
  const withId = (a: Answer): Answer => ({ ...a, headers: { ...a.headers, 'X-Correlation-ID': correlationId } });
  const now = deps.now?.() ?? Date.now();
  const h = req.headers;

  const auth = await deps.helseid.checkApiRequest({
    authorization: h.authorization,
    dpop: h.dpop,
    method: 'POST',
    url: req.url,
    acceptedScopes: deps.acceptedScopes,
    requireNonce: deps.requireNonce(),
  });
  if (!('claims' in auth)) return withId(auth);
  // SLASH requires DPoP; checkApiRequest verified the proof only for a bound token.
  if (!(auth.claims.cnf as { jkt?: string } | undefined)?.jkt || !h.dpop) {
    return withId({
      status: 401,
      headers: { 'WWW-Authenticate': 'DPoP error="invalid_token", error_description="SLASH requires a DPoP-bound token and a DPoP proof"' },
      body: { error: 'invalid_token', error_description: 'SLASH requires a DPoP-bound token and a DPoP proof' },
    });
  }
  const parent = auth.claims[ORG_PARENT_CLAIM];
  if (typeof parent !== 'string' || !parent) return refuse(correlationId, 2002, 'Authorization', 'the access token has no helseid://claims/client/claims/orgnr_parent');

  const missing = HEADERS.filter((name) => !h[name]);
  if (missing.length) return refuse(correlationId, 1001, missing.join(', '));
  if (!isExtractionDate(h[EXTRACTION_DATE_HEADER]!)) return refuse(correlationId, 1002, EXTRACTION_DATE_HEADER, `expected dd.MM.yyyy, got ${h[EXTRACTION_DATE_HEADER]}`);
  if (!/^text\/plain\b/i.test(h['content-type'] ?? '')) return refuse(correlationId, 1002, 'Content-Type', 'expected text/plain');

  // The proof's signature, htm, htu and ath were checked with the token; its claims are read here.
  const proof = decodeJwt(h.dpop!) as JWTPayload & Record<string, unknown>;
  const msgType = typeof proof.msg_type === 'string' ? proof.msg_type : undefined;
  const msgVersion = typeof proof.msg_version === 'string' ? proof.msg_version : undefined;
  if (!msgType || !msgVersion || !(typeKey(msgType, msgVersion) in deps.messageTypes)) {
    return refuse(correlationId, 1003, 'msg_type', `${msgType ?? '(none)'} version ${msgVersion ?? '(none)'} is not known`);
  }
  if (deps.allowed && !deps.allowed[parent]?.includes(msgType)) return refuse(correlationId, 2001, 'orgnr_parent', `${parent} may not send ${msgType}`);

  const key = typeof proof.enc_key_id === 'string' ? deps.keyring.find(proof.enc_key_id) : undefined;
  if (!key) return refuse(correlationId, 1004, 'enc_key_id');
  if (key.expiresAt <= now) return refuse(correlationId, 1007, 'enc_key_id', `key ${key.id} expired ${new Date(key.expiresAt).toISOString()}`);
  const msgHash = proof.msg_hash;
  if (typeof msgHash !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(msgHash)) return refuse(correlationId, 1005, 'msg_hash');
  if (req.body.length > MAX_PAYLOAD_BYTES) return refuse(correlationId, 2009, 'payload', `${req.body.length} bytes, at most ${MAX_PAYLOAD_BYTES}`);

  let json: Buffer;
  try {
    if (typeof proof.enc_sym_key !== 'string') throw new UnprotectError('asymmetric', 'enc_sym_key is missing from the proof');
    json = decryptBody(req.body, unwrapKey(proof.enc_sym_key, key.privateKey));
  } catch (err) {
    if (!(err instanceof UnprotectError)) throw err;
    return refuse(correlationId, err.stage === 'asymmetric' ? 1008 : 1009, err.stage === 'asymmetric' ? 'enc_sym_key' : 'payload', err.message);
  }
  if (msgHashOf(json) !== msgHash) return refuse(correlationId, 1006, 'msg_hash');

  let message: unknown;
  try {
    message = JSON.parse(json.toString('utf8'));
  } catch {
    return refuse(correlationId, 2007, 'payload');
  }
  const validate = deps.messageTypes[typeKey(msgType, msgVersion)];
  if (!validate) return refuse(correlationId, 2006, 'msg_type', `no schema for ${msgType} version ${msgVersion}`);
  const errors = validate(message);
  if (errors.length) return refuse(correlationId, 2008, 'payload', errorDetailsText(errors));

  deps.ledger.record({ correlationId, msgType, msgVersion, msgHash, parentOrgNr: parent }, message as unknown[]);
  return { ...answer(200, correlationId, []), accepted: true };
}
