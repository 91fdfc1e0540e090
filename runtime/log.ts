// Structured JSON logs (pino) on stderr, so stdout stays for a command's own output. Log calls
// pass counts, ids and reasons only: never a record's content. The redaction list is the
// second fence: should a token, key, passphrase or identity number ever reach a log call under
// one of these names, it is written as [redacted].
import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

export const REDACT = [
  'token',
  'accessToken',
  'authorization',
  'headers.authorization',
  'headers.DPoP',
  'dpop',
  'key',
  'keyPem',
  'privateKey',
  'passphrase',
  'password',
  'secret',
  'payload',
  'fid',
  'fodselsnummer',
  'nationalId',
  'barn_ungdomNr',
  'name',
  'kontPerson',
  'record',
  'konsultasjon',
  '*.token',
  '*.accessToken',
  '*.authorization',
  '*.key',
  '*.keyPem',
  '*.passphrase',
  '*.password',
  '*.secret',
  '*.fid',
  '*.fodselsnummer',
  '*.nationalId',
  '*.barn_ungdomNr',
  '*.name',
  '*.kontPerson',
];

export interface LogOptions {
  level?: string;
  /** Where to write; default stderr. Tests pass a stream to read the lines back. */
  destination?: NodeJS.WritableStream;
}

export function createLogger(opts: LogOptions = {}): Logger {
  const dest = opts.destination ?? pino.destination({ fd: 2, sync: true });
  return pino(
    {
      level: opts.level ?? 'info',
      base: { pid: process.pid },
      redact: { paths: REDACT, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    dest,
  );
}

export const silentLogger: Logger = pino({ level: 'silent' });
