// Every published SLASH code has its name and an action; answers are sorted by status and code.
import { describe, expect, it } from 'vitest';
import { classifySlash, explainRefusal, parseAnswer, schemaErrorLines, SLASH_CODES, slashCode } from '../../../runtime/transport/slash/index.ts';

const h = (o: Record<string, string> = {}) => new Headers(o);
const body = (...codes: number[]) =>
  JSON.stringify({ delivered: false, errors: codes.map((c) => ({ errorCode: c, propertyName: 'p', errorMessage: `m${c}`, errorDetails: null })) });

// The table as FHI publishes it (README of Fhi.Slash.Public), with the action we chose for each.
const EXPECTED: Array<[number, string, string]> = [
  [1001, 'HttpHeaderMissing', 'stop-unit'],
  [1002, 'HttpHeaderValidation', 'stop-unit'],
  [1003, 'InvalidMessageTypeVersion', 'stop-unit'],
  [1004, 'InvalidKeyId', 'refresh-keys'],
  [1005, 'InvalidDigest', 'stop-unit'],
  [1006, 'PayloadHashMismatch', 'stop-unit'],
  [1007, 'ExpiredKey', 'refresh-keys'],
  [1008, 'DecryptionErrorForAsymmetricalKey', 'stop-unit'],
  [1009, 'DecryptionErrorForSymmetricalKey', 'stop-unit'],
  [2001, 'ShouldNotReceiveMessageForGivenOrganizationAndMessageType', 'stop-unit'],
  [2002, 'MissingOrganizationNumberClaimFromHelseIdToken', 'stop-unit'],
  [2003, 'MissingSignatureClaimFromHelseIdToken', 'new-token'],
  [2004, 'BadSignatureClaimFromHelseIdToken', 'new-token'],
  [2005, 'HelseIdSignatureDoesNotMatchHeaderValues', 'new-token'],
  [2006, 'SchemaNotFound', 'stop-unit'],
  [2007, 'InvalidJsonMessage', 'stop-unit'],
  [2008, 'SchemaValidationFailed', 'stop-unit'],
  [2009, 'PayloadSizeLimitExceeded', 'split'],
  [2010, 'StorageError', 'retry-later'],
];

describe('SLASH error codes', () => {
  it("the catalogue is exactly FHI's table", () => {
    expect(SLASH_CODES.map((c) => c.code)).toEqual(EXPECTED.map(([c]) => c));
  });

  it.each(EXPECTED)('%i %s → %s, named in the reason', (code, name, action) => {
    expect(slashCode(code).name).toBe(name);
    const c = classifySlash(400, h({ 'X-Correlation-ID': 'corr-1' }), body(code));
    expect(c.kind).toBe('refused');
    if (c.kind !== 'refused') return;
    expect(c.action).toBe(action);
    expect(c.codes.map((x) => x.name)).toEqual([name]);
    expect(c.reason).toContain(`${code} ${name}`);
    expect(c.answer.correlationId).toBe('corr-1');
    expect(slashCode(code).fix.length).toBeGreaterThan(10);
  });

  it('an unknown code stops the unit, and when codes disagree the most careful action wins', () => {
    expect(slashCode(1999)).toMatchObject({ name: 'UnknownErrorCode', action: 'stop-unit' });
    const mixed = classifySlash(400, h(), body(2010, 1004, 2009));
    expect(mixed.kind === 'refused' && mixed.action).toBe('split');
    const stop = classifySlash(400, h(), body(1004, 2008));
    expect(stop.kind === 'refused' && stop.action).toBe('stop-unit');
  });
});

describe('SLASH answers by status', () => {
  it.each([
    [200, '{"delivered":true,"errors":[]}', 'delivered'],
    [201, '', 'delivered'],
    [200, '{"delivered":false,"errors":[]}', 'stop-unit'],
    [500, 'oops', 'retry-later'],
    [503, '', 'retry-later'],
    [429, '', 'retry-later'],
    [403, '', 'new-token'],
    [413, '', 'split'],
    [404, 'not found', 'stop-unit'],
    [400, '{"title":"Bad Request"}', 'stop-unit'],
  ])('%i %s → %s', (status, text, want) => {
    const c = classifySlash(status, h(), text);
    expect(c.kind === 'refused' ? c.action : c.kind).toBe(want);
  });

  it('401 with use_dpop_nonce carries the nonce', () => {
    const c = classifySlash(401, h({ 'www-authenticate': 'DPoP error="use_dpop_nonce"', 'dpop-nonce': 'n1' }), '');
    expect(c).toMatchObject({ kind: 'unauthorized', useDpopNonce: true, dpopNonce: 'n1' });
  });

  it('parses errors, string codes, and the schema errors inside errorDetails', () => {
    const details = JSON.stringify([{ Location: '/0', Errors: [{ Value: 'Required properties ["orgNr"] are not present' }] }]);
    const a = parseAnswer(
      400,
      h({ 'x-correlation-id': 'c-9' }),
      JSON.stringify({ delivered: false, errors: [{ errorCode: '2008', propertyName: 'payload', errorMessage: 'SchemaValidationFailed', errorDetails: details }] }),
    );
    expect(a).toMatchObject({ status: 400, delivered: false, correlationId: 'c-9', errors: [{ errorCode: 2008, errorDetails: details }] });
    expect(schemaErrorLines(a.errors[0]!.errorDetails)).toEqual(['/0: Required properties ["orgNr"] are not present']);
    expect(schemaErrorLines('not json')).toBeUndefined();
    expect(parseAnswer(502, h(), '<html>bad gateway</html>')).toMatchObject({ errors: [], rawBody: '<html>bad gateway</html>' });
  });
});

describe('explainRefusal', () => {
  it('names each code, says what to do, lists schema errors and quotes the correlation id', () => {
    const details = JSON.stringify([{ Location: '/0', Errors: [{ Value: 'Required properties ["orgNr"] are not present' }, { Value: 'x' }] }]);
    const c = classifySlash(
      400,
      h({ 'x-correlation-id': 'corr-42' }),
      JSON.stringify({ delivered: false, errors: [{ errorCode: 2008, propertyName: 'payload', errorMessage: 'SchemaValidationFailed', errorDetails: details }] }),
    );
    if (c.kind !== 'refused') throw new Error('expected refused');
    const lines = explainRefusal({
      outcome: 'refused',
      action: c.action,
      msgHash: 'H',
      status: 400,
      codes: c.codes,
      answer: c.answer,
      correlationId: c.answer.correlationId,
      reason: c.reason,
      attempts: 1,
    });
    expect(lines).toEqual([
      'SLASH refused the delivery (HTTP 400, msg_hash H): this unit is stopped: fix the cause, then regenerate from the last accepted period and resend',
      '  2008 SchemaValidationFailed (decrypted payload does not match the schema) at payload',
      `    what to do: ${slashCode(2008).fix}`,
      '    /0: Required properties ["orgNr"] are not present',
      '    /0: x',
      '  correlation id (quote it to FHI): corr-42',
    ]);
    const net = explainRefusal({ outcome: 'refused', action: 'retry-later', msgHash: 'H', codes: [], reason: 'could not reach x', attempts: 6 });
    expect(net).toEqual([
      'SLASH refused the delivery (no answer, msg_hash H): the receiver or the network failed: it will be tried again later; tell FHI if it persists',
      '  could not reach x',
      '  correlation id (quote it to FHI): none given',
    ]);
  });
});
