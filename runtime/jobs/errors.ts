// Errors of the jobs, told by their class: which are an operator's to fix (the source, the
// mapping, the certificates, the transport: shown without a stack trace, exit 2), and how an
// error crosses from the mapping worker's thread to the transfer's keeping its class, so that
// both threads' errors are classified alike.
import { UserError } from '../cli/program.ts';
import { ConfigError } from '../config/load.ts';
import { MappingError } from '../mapping/diagnostics.ts';
import { SourceError } from '../sources/types.ts';
import { CertificateError } from '../transport/certificates/errors.ts';
import { CmsError } from '../transport/cms/errors.ts';
import { HelseIdError } from '../transport/helseid/errors.ts';
import { TransportError } from '../transport/http.ts';

/** An error class, whatever its constructor's arguments. */
type ErrorClass = abstract new (...args: never[]) => Error;

/** Errors of the transport, source and mapping layers: an operator's to fix. */
const OPERATOR_ERRORS: readonly ErrorClass[] = [SourceError, MappingError, CertificateError, CmsError, HelseIdError, TransportError];

export function isOperatorError(err: unknown): err is Error {
  return OPERATOR_ERRORS.some((c) => err instanceof c);
}

/**
 * The classes an error from the worker is rebuilt as, by the `name` each sets on its instances
 * (the one place a name is read: a thread boundary carries no classes).
 */
const CROSSING = new Map<string, ErrorClass>([
  ['SourceError', SourceError],
  ['MappingError', MappingError],
  ['CertificateError', CertificateError],
  ['CmsError', CmsError],
  ['HelseIdError', HelseIdError],
  ['TransportError', TransportError],
  ['ConfigError', ConfigError],
  ['UserError', UserError],
]);

/** An error as it crosses a thread: its name, message and own fields (code, diagnostics …). */
export interface CrossingError {
  name: string;
  message: string;
  fields: Record<string, unknown>;
}

export function toCrossing(err: unknown): CrossingError {
  if (!(err instanceof Error)) return { name: 'Error', message: String(err), fields: {} };
  const fields: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(err)) {
    try {
      fields[k] = structuredClone(v);
    } catch {
      // A field that cannot cross (a function, a handle) stays behind.
    }
  }
  return { name: err.name, message: err.message, fields };
}

/** The error again, of its class when it is one of ours (so instanceof holds), else an Error. */
export function fromCrossing(e: CrossingError): Error {
  const cls = CROSSING.get(e.name);
  // The constructors differ in their arguments; the instance is made from the prototype and
  // given the fields its constructor set on the other side.
  const err: Error = cls ? (Object.create(cls.prototype) as Error) : new Error(e.message);
  Object.assign(err, e.fields);
  Object.defineProperty(err, 'message', { value: e.message, writable: true, configurable: true, enumerable: false });
  if (err.name !== e.name) err.name = e.name;
  if (cls) Error.captureStackTrace(err, fromCrossing);
  return err;
}
