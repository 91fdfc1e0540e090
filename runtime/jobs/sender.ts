// The seams between the jobs and transport: a Sealer (XML bytes → CMS bytes) and a Sender (one
// sealed message → the receiver's verdict). The real ones come from kpr.yaml (runtime/transport);
// tests inject fakes, and the dry run writes files instead.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../cli/program.ts';
import { requireTransport, type KprConfig } from '../config/load.ts';
import { readSecret } from '../config/secrets.ts';
import { writePrivateFile } from '../io/private.ts';
import { loadCredentials, parsePem } from '../transport/certificates/index.ts';
import { seal } from '../transport/cms/index.ts';
import { HelseIdClient, loadSigningKey } from '../transport/helseid/index.ts';
import { buildEnvelope, createSender } from '../transport/kpr-client/index.ts';

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

export function signingMaterial(config: KprConfig): { certPem: string; keyPem: string } {
  const c = config.certificates;
  if (!c) throw new UserError('kpr.yaml has no certificates section: sealing needs certificates.signing');
  const s = c.signing;
  if ('p12File' in s) {
    const creds = loadCredentials(s.p12File, { passphrase: s.passphrase ? readSecret(s.passphrase) : '' });
    if (!creds.keyPem) throw new UserError(`certificates.signing.p12File ${s.p12File} holds no private key`);
    return { certPem: creds.certPem, keyPem: creds.keyPem };
  }
  const both = parsePem(`${readFileSync(s.certFile, 'utf8')}\n${readFileSync(s.keyFile, 'utf8')}`, `${s.certFile} + ${s.keyFile}`);
  if (!both.keyPem) throw new UserError(`certificates.signing.keyFile ${s.keyFile} holds no private key`);
  return { certPem: both.certPem, keyPem: both.keyPem };
}

/** Seals with the configured signing certificate for the configured receiver certificate. */
export function configSealer(config: KprConfig): Sealer {
  const c = config.certificates;
  if (!c) throw new UserError('kpr.yaml has no certificates section: sealing needs certificates.signing and receiverEncryptionCertFile');
  const signer = signingMaterial(config);
  const recipientCertPem = readFileSync(c.receiverEncryptionCertFile, 'utf8');
  return (content) => seal(content, { signer, recipientCertPem, cipher: c.cipher });
}

/** The KPR API client for the configured profile, with HelseID tokens. */
export async function transportSender(config: KprConfig, messageVersion: string): Promise<Sender> {
  const t = requireTransport(config);
  const key = await loadSigningKey(t.helseid.jwkFile);
  const helseid = new HelseIdClient({ authority: t.helseid.authority, clientId: t.helseid.clientId, key, dpop: t.helseid.dpop, timeoutMs: t.helseid.timeoutMs });
  const send = createSender({ baseUrl: t.baseUrl, helseid, token: { scopes: t.helseid.scopes, org: t.helseid.orgNumbers } });
  const parts = (m: OutgoingMessage) => ({
    fromHerId: config.sender.herId,
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
