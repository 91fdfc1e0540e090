// Shared helpers for the sandbox, HelseID and KPR client tests: temporary data directories,
// one test PKI per test file, a small stand-in message codec, and Melding XML built from a
// short description of its notifications.
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seal } from '../../runtime/transport/cms/index.ts';
import { HelseIdClient, loadSigningKey, clearDiscoveryCache } from '../../runtime/transport/helseid/index.ts';
import { genericXmlCodec, startSandbox, type MessageCodec, type Sandbox, type SandboxOptions } from '../../runtime/sandbox/index.ts';

export function tmpDir(prefix = 'kpr-sbx-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A stand-in for the generated codec: the generic reader plus the chain attributes' presence. */
export const standInCodec: MessageCodec = {
  parse(xml, messageType, version) {
    if (messageType !== 'HST' || version !== '56.0.0') return { errors: [`unknown message ${messageType} ${version}`] };
    const r = genericXmlCodec.parse(xml, messageType, version);
    if ('errors' in r) return r;
    const errors: string[] = [];
    for (const n of r.melding.Notifikasjon ?? []) {
      for (const a of ['statusNotifikasjon', 'notifikasjonGUID', 'notifikasjonForrigeGUID', 'notifikasjonLopeNr'] as const) {
        if (!n[a]) errors.push(`Notifikasjon: ${a} is required`);
      }
      for (const k of n.Konsultasjon ?? []) if (!k.konsultasjonID) errors.push('Konsultasjon: konsultasjonID is required');
    }
    return errors.length ? { errors } : r;
  },
};

export interface NotifSpec {
  status: 'N' | 'M' | 'T' | 'C';
  guid: string;
  prev: string;
  lopeNr: number;
  ref?: string;
  konsultasjoner?: Array<Record<string, string>>;
}

export function meldingXml(notifs: NotifSpec[]): string {
  const body = notifs
    .map((n) => {
      const ref = n.ref ? ` notifikasjonRef="${n.ref}"` : '';
      const ks = (n.konsultasjoner ?? [])
        .map(
          (k) =>
            `<Konsultasjon ${Object.entries(k)
              .map(([a, v]) => `${a}="${v}"`)
              .join(' ')}><Barn_ungdom kjonn="1"/></Konsultasjon>`,
        )
        .join('');
      return `<Notifikasjon statusNotifikasjon="${n.status}" notifikasjonGUID="${n.guid}" notifikasjonForrigeGUID="${n.prev}" notifikasjonLopeNr="${n.lopeNr}"${ref}>${ks}</Notifikasjon>`;
    })
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?><Melding xmlns="http://www.npr.no/xmlstds/56_0_0_hst" versjon="56.0.0">${body}</Melding>`;
}

export const HST_SCOPE = 'hdir:kneik/hst/submit';

export function startTestSandbox(pkiDir: string, extra: Partial<SandboxOptions> = {}): Promise<Sandbox> {
  return startSandbox({ dataDir: tmpDir(), pkiDir, codec: standInCodec, ...extra });
}

export async function clientFor(sb: Sandbox, dpop = true): Promise<HelseIdClient> {
  clearDiscoveryCache();
  const key = await loadSigningKey(sb.files.clientJwkFile);
  return new HelseIdClient({ authority: sb.url, clientId: sb.clientId, key, dpop });
}

export function sealFor(sb: Sandbox, xml: string): Buffer {
  return seal(Buffer.from(xml, 'utf8'), { signer: sb.pki.sender, recipientCertPem: sb.pki.receiver.certPem });
}

/** Envelope parts from the sandbox's default sender to its receiver. */
export function partsFor(sb: Sandbox, xml: string, messageId: string = randomUUID()) {
  return {
    fromHerId: Number(sb.senderHerId),
    toHerId: Number(sb.receiverHerId),
    messageType: 'HST',
    messageVersion: '56.0.0',
    messageId,
    payload: sealFor(sb, xml),
  };
}

export const guid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
