// The SLASH stand-in as the demos run it: messages judged with the generated validators (every
// JSON message type in generated/), its ledger reading HST_Avtale 1's item lists.
import { JSON_MESSAGES } from '../../generated/index.ts';
import { deliveryForm, itemsOfUnit } from '../jobs/channels/slash/form.ts';
import { generatedMessageTypes, type SlashReceiverOptions } from '../sandbox/slash/index.ts';

export function demoSlashStandIn(): SlashReceiverOptions {
  return {
    messageTypes: generatedMessageTypes(JSON_MESSAGES),
    contentOf: (type, version, unit) => (type === 'HST_Avtale' && version === '1' ? itemsOfUnit(deliveryForm(type, version), unit) : []),
  };
}
