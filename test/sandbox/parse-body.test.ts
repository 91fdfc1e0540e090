// The sandbox reads an API body without turning the megabyte payload into a string
// (runtime/sandbox/kpr-api.ts parseBody). Judge: JSON.parse of the whole body, with the payload
// decoded by Node, must mean the same for every body, including those built to trip the shortcut.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DecodedPayload, NOT_JSON, parseBody } from '../../runtime/sandbox/kpr-api.ts';
import { isBase64 } from '../transport/base64-oracle.ts';

/** What a parsed body means: its JSON with the top-level payload as hex of its bytes, or 'invalid'. */
function meaning(parsed: unknown): unknown {
  if (parsed === NOT_JSON || !parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return parsed === NOT_JSON ? 'not JSON' : parsed;
  const { payload, ...rest } = parsed as { payload?: unknown };
  let p: unknown = payload;
  if (payload instanceof DecodedPayload) p = payload.bytes ? payload.bytes.toString('hex') : 'invalid';
  else if (typeof payload === 'string') p = isBase64(payload) ? Buffer.from(payload, 'base64').toString('hex') : 'invalid';
  return { ...rest, payload: p };
}

function judge(body: string): unknown {
  try {
    return meaning(JSON.parse(body));
  } catch {
    return 'not JSON';
  }
}

const header = { fromHerId: 8139519, toHerId: 8139520, messageType: 'HST', messageVersion: '56.0.0', messageId: '6f0e1c1e-2b7a-4c55-9e57-1f6f0b9e2c11' };

describe('parseBody', () => {
  it('means what JSON.parse means, for plain bodies and those built to trip the shortcut', () => {
    const shapes = fc.constantFrom('plain', 'escaped-slash', 'nested-key-first', 'repeated-key', 'not-base64', 'empty', 'spaced', 'number', 'truncated', 'unicode-header');
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), fc.uint8Array({ minLength: 1, maxLength: 30 }), shapes, (bytes, other, shape) => {
        const b64 = Buffer.from(bytes).toString('base64');
        const b64Other = Buffer.from(other).toString('base64');
        let body: string;
        switch (shape) {
          case 'plain':
            body = JSON.stringify({ messageHeader: header, payload: b64 });
            break;
          case 'escaped-slash':
            body = `{"messageHeader":${JSON.stringify(header)},"payload":"${b64.replace(/\//g, '\\/')}"}`;
            break;
          case 'nested-key-first':
            body = JSON.stringify({ messageHeader: { ...header, payload: b64Other }, payload: b64 });
            break;
          case 'repeated-key':
            body = `{"payload":"${b64Other}","messageHeader":${JSON.stringify(header)},"payload":"${b64}"}`;
            break;
          case 'not-base64':
            body = JSON.stringify({ messageHeader: header, payload: `${b64}!` });
            break;
          case 'empty':
            body = JSON.stringify({ messageHeader: header, payload: '' });
            break;
          case 'spaced':
            body = `{ "messageHeader" : ${JSON.stringify(header)}, "payload" : "${b64}" }`;
            break;
          case 'number':
            body = `{"messageHeader":${JSON.stringify(header)},"payload":"${b64}","payload":7}`;
            break;
          case 'truncated':
            body = JSON.stringify({ messageHeader: header, payload: b64 }).slice(0, -2);
            break;
          default:
            body = JSON.stringify({ messageHeader: { ...header, messageType: 'HØST' }, payload: b64 });
        }
        expect(meaning(parseBody(Buffer.from(body, 'utf8'))), `${shape}: ${body.slice(0, 80)}`).toEqual(judge(body));
      }),
      { numRuns: 1000 },
    );
  });

  it('takes the payload out without parsing it as a string in the usual case', () => {
    const body = Buffer.from(JSON.stringify({ messageHeader: header, payload: Buffer.from('abc').toString('base64') }));
    expect((parseBody(body) as { payload: unknown }).payload).toBeInstanceOf(DecodedPayload);
  });
});
