// Errors cross the mapping worker's thread keeping their class, and the jobs tell an operator's
// error (no stack trace, exit 2) from a defect by class, not by a name string.
import { describe, expect, it } from 'vitest';
import { UserError } from '../../runtime/cli/program.ts';
import { ConfigError } from '../../runtime/config/load.ts';
import { fromCrossing, isOperatorError, toCrossing } from '../../runtime/jobs/errors.ts';
import { MappingError } from '../../runtime/mapping/diagnostics.ts';
import { SourceError } from '../../runtime/sources/types.ts';
import { CertificateError } from '../../runtime/transport/certificates/errors.ts';
import { CmsError } from '../../runtime/transport/cms/errors.ts';
import { HelseIdError } from '../../runtime/transport/helseid/errors.ts';
import { TransportError } from '../../runtime/transport/http.ts';

/** What the worker posts, as the thread boundary copies it. */
const cross = (err: unknown) => fromCrossing(structuredClone(toCrossing(err)));

describe('errors across the worker thread', () => {
  const operator = [
    new SourceError('cannot read /data/epj.ndjson: ENOENT'),
    new MappingError([]),
    new CertificateError('not-found', 'no certificate in /etc/kpr/sign.p12'),
    new CmsError('malformed', 'not a CMS structure'),
    new HelseIdError('invalid_client', 'unknown client'),
    new TransportError('timed out after 30 s', 'timeout', 'https://kpr.example.invalid/api'),
  ];

  it.each(operator.map((e) => [e.name, e] as const))('%s keeps its class, message and fields, and is an operator error', (_name, err) => {
    const back = cross(err);
    expect(back).toBeInstanceOf(err.constructor);
    expect(back.name).toBe(err.name);
    expect(back.message).toBe(err.message);
    for (const [k, v] of Object.entries(err)) expect((back as unknown as Record<string, unknown>)[k]).toEqual(v);
    expect(isOperatorError(back)).toBe(true);
    expect(back.stack).toContain(err.name);
  });

  it('a configuration error stays a user error with its issues', () => {
    const err = new ConfigError([{ at: { file: 'kpr.yaml', line: 3, col: 5 }, message: 'sender.herId: required' }]);
    const back = cross(err);
    expect(back).toBeInstanceOf(ConfigError);
    expect(back).toBeInstanceOf(UserError);
    expect((back as ConfigError).issues).toEqual(err.issues);
    expect((back as ConfigError).exitCode).toBe(err.exitCode);
  });

  it('a defect stays a defect: a plain Error or a TypeError is no operator error on either side', () => {
    for (const err of [new Error('boom'), new TypeError('x is undefined')]) {
      const back = cross(err);
      expect(back.message).toBe(err.message);
      expect(back.name).toBe(err.name);
      expect(isOperatorError(err)).toBe(false);
      expect(isOperatorError(back)).toBe(false);
    }
    expect(cross('a string thrown').message).toBe('a string thrown');
  });

  it('classifies by class, not by name: an Error merely named SourceError is not one', () => {
    const impostor = Object.assign(new Error('x'), { name: 'SourceError' });
    expect(isOperatorError(impostor)).toBe(false);
    expect(isOperatorError(new SourceError('y'))).toBe(true);
  });
});
