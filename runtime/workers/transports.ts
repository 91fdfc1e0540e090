// The configured transports with the receiver gate around them: the 2021 KPR API's sender and
// SLASH's client, built by the jobs' own factories from the tenant's settings (jobs/sender.ts,
// channels/slash: HelseID tokens in the process's cache, one per tenant), with two hooks both
// clients take: `sleep` (the wait between attempts: the receiver's slot is given back
// meanwhile) and `onAttempt` (a 429 pauses the receiver for every worker).
import type { KprConfig } from '../config/load.ts';
import type { JobOptions } from '../jobs/channels/types.ts';
import { configSlashClient } from '../jobs/channels/slash/index.ts';
import { loadMessageKit } from '../jobs/message-kit.ts';
import { type Sender, transportSender } from '../jobs/sender.ts';
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
    const client = await configSlashClient(config, hooks);
    return { slashClient: { send: (msg) => gate.around(receiver, () => client.send(msg)) } };
  }
  const kit = await loadMessageKit(config.message.generatedDir, config.message.spec);
  const configured = await transportSender(config, kit.version, hooks);
  const sender: Sender = { prepare: (m) => configured.prepare?.(m), send: (m) => gate.around(receiver, () => configured.send(m)) };
  return { sender };
}
