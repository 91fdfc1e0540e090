// The seams between the jobs and transport: a Sealer (XML bytes → CMS bytes) and a Sender (one
// sealed message → the receiver's verdict). The real ones come from kpr.yaml (runtime/transport);
// tests inject fakes, and the dry run writes files instead.
import { join } from 'node:path';
import { requireKneik, requireTransport, type KprConfig } from '../config/load.ts';
import { writePrivateFile } from '../io/private.ts';
import { checkedCertificates } from './certificates.ts';
import { seal } from '../transport/cms/index.ts';
import { HelseIdClient, loadSigningKey, processTokenCache } from '../transport/helseid/index.ts';
import { buildEnvelope, createSender, type KprClientOptions } from '../transport/kpr-client/index.ts';

export interface OutgoingMessage {
  seq: number;
  messageId: string;
  lopenr: number;
  /** The Melding's XML, UTF-8: what `payload` seals. */
  xml: Buffer;
  payload: Buffer;
}

export type SendOutcome =
  | { outcome: 'accepted'; refId?: string }
  | { outcome: 'rejected'; validationCode?: number; validationMessage: string; refId?: string; status?: number }
  | { outcome: 'retryable'; reason: string; refId?: string };

export interface Sender {
  send(m: OutgoingMessage): Promise<SendOutcome>;
  /** A hint: `m` is sent next. A sender may make its request ready meanwhile. */
  prepare?(m: OutgoingMessage): void;
}

export type Sealer = (content: Buffer) => Buffer;

/**
 * Seals with the configured signing certificate for the configured receiver certificate, both
 * checked first (validity, key usage, chain): a job makes its sealer before it sends anything,
 * so an unfit certificate stops it before the first message.
 */
export function configSealer(config: KprConfig, now = new Date()): Sealer {
  const { signer, recipientCertPem } = checkedCertificates(config, now);
  const cipher = config.certificates!.cipher;
  return (content) => seal(content, { signer, recipientCertPem, cipher });
}

/**
 * The KPR API client for the configured profile, with HelseID tokens. `hooks` reach the client's
 * waits and attempts (a worker's receiver gate, runtime/workers/).
 */
export async function transportSender(config: KprConfig, messageVersion: string, hooks: Pick<KprClientOptions, 'sleep' | 'onAttempt'> = {}): Promise<Sender> {
  const t = requireTransport(config);
  const key = await loadSigningKey(t.helseid.jwkFile);
  const helseid = new HelseIdClient({
    authority: t.helseid.authority,
    clientId: t.helseid.clientId,
    key,
    dpop: t.helseid.dpop,
    timeoutMs: t.helseid.timeoutMs,
    cache: processTokenCache,
  });
  const send = createSender({ baseUrl: t.baseUrl, helseid, token: { scopes: t.helseid.scopes, org: t.helseid.orgNumbers }, ...hooks });
  const parts = (m: OutgoingMessage) => ({
    fromHerId: requireKneik(config).sender.herId,
    toHerId: t.receiverHerId,
    messageType: config.message.messageType,
    messageVersion,
    messageId: m.messageId,
    payload: m.payload,
  });
  return {
    prepare: (m) => send.prepare(parts(m)),
    async send(m) {
      const r = await send(parts(m));
      if (r.outcome === 'accepted') return { outcome: 'accepted', refId: r.refId };
      if (r.outcome === 'rejected') return { outcome: 'rejected', validationCode: r.validationCode, validationMessage: r.validationMessage, refId: r.refId, status: r.status };
      return { outcome: 'retryable', reason: r.reason, refId: r.refId };
    },
  };
}

/** --dry-run: each message's XML and its API envelope as files in `dir`; every message "accepted". */
export function dryRunSender(dir: string, header: { fromHerId: number; toHerId: number; messageType: string; messageVersion: string }, sealed: boolean): Sender {
  return {
    async send(m) {
      const base = join(dir, `melding-${String(m.lopenr).padStart(6, '0')}-${m.messageId}`);
      writePrivateFile(`${base}.xml`, m.xml);
      const envelope = sealed
        ? buildEnvelope({ ...header, messageId: m.messageId, payload: m.payload })
        : { messageHeader: { ...header, messageId: m.messageId }, payload: null, note: 'not sealed: kpr.yaml has no certificates' };
      writePrivateFile(`${base}.envelope.json`, `${JSON.stringify(envelope, null, 2)}\n`);
      return { outcome: 'accepted', refId: 'dry-run' };
    },
  };
}
