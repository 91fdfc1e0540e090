// The sandbox with the real generated codec (as `kpr sandbox` runs it): a realistic HST Melding
// is accepted and its consultations appear in the state in the JSON form; a Melding the
// validator refuses, or a version nobody generated, is answered 400 with the reason.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { MESSAGES } from '../../generated/index.ts';
import { generatedCodec, type Sandbox } from '../../runtime/sandbox/index.ts';
import { KprClient } from '../../runtime/transport/kpr-client/index.ts';
import { hstMelding } from '../xml-codec/samples.ts';
import { clientFor, HST_SCOPE, partsFor, startTestSandbox, tmpDir } from './fixtures.ts';

let sb: Sandbox;
let client: KprClient;
const toXml = (melding: unknown) => MESSAGES['hst@56.0.0']!.xml.toXml(melding as never, { declaration: true });

beforeAll(async () => {
  sb = await startTestSandbox(tmpDir('kpr-pki-'), { codec: generatedCodec(MESSAGES) });
  client = new KprClient({ baseUrl: sb.url, helseid: await clientFor(sb), token: { scopes: [HST_SCOPE] }, retry: { maxAttempts: 1 } });
});
afterAll(() => sb?.close());

it('accepts a valid HST Melding and stores its consultations', async () => {
  const melding = hstMelding(3);
  const r = await client.send(partsFor(sb, toXml(melding)));
  expect(r).toMatchObject({ outcome: 'accepted' });
  const k = sb.state().consultations[melding.Notifikasjon[0].Konsultasjon[0].konsultasjonID];
  expect(k?.status).toBe('active');
  expect(k?.content).toEqual(melding.Notifikasjon[0].Konsultasjon[0]);
  expect(sb.state().senders[sb.senderHerId]?.chainHead).toBe(melding.Notifikasjon[0].notifikasjonGUID);
});

it("answers 400 with the validator's reason", async () => {
  const xml = toXml(hstMelding(1)).replace(/ uttakDato="[^"]*"/, '');
  const r = await client.send(partsFor(sb, xml));
  expect(r).toMatchObject({ outcome: 'rejected', validationCode: 1020 });
  expect(r.outcome === 'rejected' && r.validationMessage).toContain('uttakDato');
  const v = await client.send({ ...partsFor(sb, toXml(hstMelding(1))), messageVersion: '57.0.0' });
  expect(v.outcome === 'rejected' && v.validationMessage).toContain('unknown messageType/messageVersion HST 57.0.0');
});
