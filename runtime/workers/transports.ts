// The configured transports with the receiver gate around them: the 2021 KPR API's sender and
// SLASH's client, built from the tenant's kpr.yaml settings as the jobs build them
// (jobs/sender.ts, channels/slash: HelseID tokens in the process's cache, one per tenant), with two hooks both clients already take: `sleep` (the
// wait between attempts: the receiver's slot is given back meanwhile) and `onAttempt` (a 429
// pauses the receiver for every worker). The clients themselves are not changed.
import { requireKneik, requireTransport, type KprConfig } from '../config/load.ts';
import type { JobOptions } from '../jobs/channels/types.ts';
import { configSlashClient } from '../jobs/channels/slash/index.ts';
import { loadMessageKit } from '../jobs/message-kit.ts';
import type { OutgoingMessage, Sender } from '../jobs/sender.ts';
import { HelseIdClient, loadSigningKey, processTokenCache } from '../transport/helseid/index.ts';
import { createSender } from '../transport/kpr-client/index.ts';
import { SlashClient } from '../transport/slash/client.ts';
import type { ReceiverGate } from './backpressure.ts';

/** The receiver a tenant sends to: its base URL, the key of its slots and pause. */
export function receiverOf(config: KprConfig): string {
  return (config.profile.baseUrl ?? '(no baseUrl)').replace(/\/+$/, '');
}

/** JobOptions' injection points filled with gated transports for this tenant's channel. */
export async function gatedTransports(config: KprConfig, gate: ReceiverGate, log?: (msg: string) => void): Promise<Pick<JobOptions, 'sender' | 'slashClient'>> {
  const receiver = receiverOf(config);
  const hooks = { sleep: gate.sleepFor(receiver), onAttempt: gate.onAttemptFor(receiver, log) };
  if (config.channel === 'slash') {
    // The configured client first, for its checks (baseUrl, helseid), then the same with the hooks.
    await configSlashClient(config);
    const h = config.helseid!;
    const key = await loadSigningKey(h.jwkFile);
    const helseid = new HelseIdClient({
      authority: (h.authority ?? config.profile.helseidAuthority)!,
      clientId: h.clientId,
      key,
      dpop: true,
      timeoutMs: h.timeoutMs,
      cache: processTokenCache,
    });
    const client = new SlashClient({ baseUrl: config.profile.baseUrl!, helseid, scopes: h.scopes, vendor: config.slash!.vendor, timeoutMs: h.timeoutMs, ...hooks });
    return { slashClient: { send: (msg) => gate.around(receiver, () => client.send(msg)) } };
  }
  const t = requireTransport(config);
  const kit = await loadMessageKit(config.message.generatedDir, config.message.spec);
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
    messageVersion: kit.version,
    messageId: m.messageId,
    payload: m.payload,
  });
  const sender: Sender = {
    prepare: (m) => send.prepare(parts(m)),
    async send(m) {
      const r = await gate.around(receiver, () => send(parts(m)));
      if (r.outcome === 'accepted') return { outcome: 'accepted', refId: r.refId };
      if (r.outcome === 'rejected') return { outcome: 'rejected', validationCode: r.validationCode, validationMessage: r.validationMessage, refId: r.refId, status: r.status };
      return { outcome: 'retryable', reason: r.reason, refId: r.refId };
    },
  };
  return { sender };
}
