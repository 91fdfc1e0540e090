// FHI's SLASH error codes (README of Fhi.Slash.Public), each with what a sender does about it.
// The code and name are FHI's; the action is ours, inferred from the meaning and from FHI's
// delivery rules (4xx stops the unit until the cause is fixed; 5xx is retried later):
//
// | action        | what the sender does                                             | codes                      |
// |---------------|------------------------------------------------------------------|----------------------------|
// | refresh-keys  | fetch /keys again, protect anew, resend once                     | 1004, 1007                 |
// | new-token     | drop the token, fetch a new one with a new proof, resend once    | 2003, 2004, 2005           |
// | split         | send the unit's content in smaller requests                      | 2009                       |
// | retry-later   | wait and resend the same content (capped, then alert)            | 2010                       |
// | stop-unit     | stop that unit; an operator fixes the cause; regenerate, resend  | every other code           |
//
// Why 1008 and 1009 stop rather than refresh: a key that rotated answers 1004 or 1007; a wrapped
// key or body that does not open under a key the receiver knows is a fault in the sender.
// Why 2002 stops: the token lacks the organisation number because the client is not set up for
// multi-tenancy (or no parent organisation was asked for); a new token would lack it too.

export type SlashAction = 'refresh-keys' | 'new-token' | 'split' | 'retry-later' | 'stop-unit';

export interface SlashCode {
  code: number;
  /** FHI's name of the code. */
  name: string;
  /** FHI's meaning, in English. */
  meaning: string;
  action: SlashAction;
  /** What an operator does when the unit is stopped on it. */
  fix: string;
}

const code = (code: number, name: string, meaning: string, action: SlashAction, fix: string): SlashCode => ({ code, name, meaning, action, fix });

export const SLASH_CODES: readonly SlashCode[] = [
  code(
    1001,
    'HttpHeaderMissing',
    'one or more required HTTP headers missing',
    'stop-unit',
    'set all five vendor headers (x-vendor-name, x-software-name, x-software-version, x-export-software-version, x-data-extraction-date) in the configuration',
  ),
  code(1002, 'HttpHeaderValidation', 'invalid value in one or more headers', 'stop-unit', 'correct the header values named in errorDetails (x-data-extraction-date is dd.MM.yyyy)'),
  code(
    1003,
    'InvalidMessageTypeVersion',
    'unknown message type and/or version',
    'stop-unit',
    'configure a message type and version the receiver knows (HST_Konsultasjon 1, HST_Avtale 1)',
  ),
  code(1004, 'InvalidKeyId', 'unknown public key id', 'refresh-keys', 'the receiver no longer knows the key: fetch /keys again (done automatically once)'),
  code(1005, 'InvalidDigest', 'invalid payload hash', 'stop-unit', 'msg_hash must be base64url SHA-256 of the JSON bytes: report this to the vendor of kpr-kit'),
  code(
    1006,
    'PayloadHashMismatch',
    "payload hash does not match the proof's value",
    'stop-unit',
    'the body changed between hashing and sending: report this to the vendor of kpr-kit with the correlation id',
  ),
  code(
    1007,
    'ExpiredKey',
    'the key used to wrap the symmetric key has expired',
    'refresh-keys',
    'the key expired: fetch /keys again (done automatically once); check the clock if it repeats',
  ),
  code(
    1008,
    'DecryptionErrorForAsymmetricalKey',
    'the wrapped key could not be decrypted',
    'stop-unit',
    'the receiver could not open enc_sym_key: use `kpr slash encrypt` output with FHI to compare, citing the correlation id',
  ),
  code(
    1009,
    'DecryptionErrorForSymmetricalKey',
    'the payload could not be decrypted',
    'stop-unit',
    'the receiver could not decrypt the body: show FHI the message (`kpr slash decrypt`) and the correlation id',
  ),
  code(
    2001,
    'ShouldNotReceiveMessageForGivenOrganizationAndMessageType',
    'this organisation may not send this type',
    'stop-unit',
    'ask FHI to register the organisation for this message type, or correct the parent organisation number',
  ),
  code(
    2002,
    'MissingOrganizationNumberClaimFromHelseIdToken',
    'token lacks the organisation number',
    'stop-unit',
    'give the parent organisation number of the unit, and have the HelseID client set up for multi-tenancy (orgnr_parent)',
  ),
  code(2003, 'MissingSignatureClaimFromHelseIdToken', 'signature claim missing', 'new-token', 'if it repeats with a fresh token: check the HelseID client registration with NHN'),
  code(2004, 'BadSignatureClaimFromHelseIdToken', 'signature claim malformed', 'new-token', 'if it repeats with a fresh token: check the HelseID client registration with NHN'),
  code(
    2005,
    'HelseIdSignatureDoesNotMatchHeaderValues',
    'signature does not match the headers',
    'new-token',
    'if it repeats with a fresh token: the vendor headers do not match what HelseID knows of the client; check them',
  ),
  code(2006, 'SchemaNotFound', 'no schema for this type and version', 'stop-unit', 'configure a message type and version the receiver has a schema for'),
  code(2007, 'InvalidJsonMessage', 'decrypted payload is not JSON', 'stop-unit', 'the message is not JSON: report it to the vendor of kpr-kit with the correlation id'),
  code(
    2008,
    'SchemaValidationFailed',
    'decrypted payload does not match the schema',
    'stop-unit',
    'fix the data or the mapping at the places errorDetails names, then resend from the last accepted period',
  ),
  code(2009, 'PayloadSizeLimitExceeded', 'payload over the limit (15 MB)', 'split', 'send smaller requests (at most 2 MB each)'),
  code(2010, 'StorageError', 'the receiver failed to store the message', 'retry-later', 'the receiver failed: it is retried later; tell FHI if it persists'),
];

const BY_CODE = new Map(SLASH_CODES.map((c) => [c.code, c]));

/** The catalogue entry of a code; an unknown code stops the unit (nothing safe to assume). */
export function slashCode(n: number): SlashCode {
  return (
    BY_CODE.get(n) ?? {
      code: n,
      name: 'UnknownErrorCode',
      meaning: `code ${n} is not in FHI's published table`,
      action: 'stop-unit',
      fix: 'look the code up with FHI, citing the correlation id',
    }
  );
}

export function codeNamed(name: string): SlashCode {
  const c = SLASH_CODES.find((x) => x.name === name);
  if (!c) throw new Error(`no SLASH code named ${name}`);
  return c;
}

/** When one answer holds several codes, the one that needs the most care decides. */
export const ACTION_RANK: Record<SlashAction, number> = { 'stop-unit': 4, split: 3, 'new-token': 2, 'refresh-keys': 1, 'retry-later': 0 };
