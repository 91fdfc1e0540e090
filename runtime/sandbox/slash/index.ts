// FHI's SLASH receiver in the sandbox: `/keys`, `/message`, its faults and the ledger of what it
// accepted. Knows no message type: validators are handed in.
import type { IncomingHttpHeaders } from 'node:http';
import type { Answer, HelseIdStandIn } from '../helseid-stand-in.ts';
import { SlashFaults, type SlashFaultSettings } from './faults.ts';
import { Keyring, type ReceiverKey } from './keyring.ts';
import { SlashLedger, stateOfParent, type ContentOf, type SlashLedgerState } from './ledger.ts';
import { receiveMessage, refuse, SLASH_SCOPE } from './receiver.ts';
import { DEFAULT_MESSAGE_TYPES, type MessageTypes } from './validate.ts';
import { randomUUID } from 'node:crypto';

export { SLASH_SCOPE, MAX_PAYLOAD_BYTES } from './receiver.ts';
export { DEFAULT_MESSAGE_TYPES, unitArrayValidator, typeKey, errorDetailsText, type MessageTypes, type MessageValidator, type SchemaError } from './validate.ts';
export { newReceiverKey, type ReceiverKey, type KeysAnswerFault } from './keyring.ts';
export { generatedMessageTypes } from './generated-types.ts';
export type { SlashFaultSettings } from './faults.ts';
export type { SlashLedgerState, SlashDelivery, ContentOf, ItemChange, ItemState } from './ledger.ts';

export interface SlashReceiverOptions {
  /** Validators per `"<type>|<version>"`; default: HST_Konsultasjon 1 and HST_Avtale 1, structure only. */
  messageTypes?: MessageTypes;
  acceptedScopes?: string[];
  /** orgnr_parent → message types it may send (2001 otherwise); default: anyone, anything. */
  allowed?: Record<string, string[]>;
  /** Reads item ids and deletions per message type, for the current content per unit in the state. */
  contentOf?: ContentOf;
  /** The first key (tests pass one to save generating it). */
  key?: ReceiverKey;
  now?: () => number;
}

/** `drop`: destroy the socket; `wait`: hold the request this long first. */
export type SlashHandling = { drop: true } | { drop?: false; waitMs?: number; answer: () => Promise<Answer> };

export class SlashReceiver {
  readonly keyring: Keyring;
  readonly ledger: SlashLedger;
  readonly faults = new SlashFaults();
  readonly stats = { messages: 0, delivered: 0, refused: 0, faultsServed: 0, keysRequests: 0 };
  readonly acceptedScopes: string[];

  constructor(private readonly options: SlashReceiverOptions = {}) {
    this.keyring = new Keyring(options.key, options.now);
    this.ledger = new SlashLedger(options.contentOf);
    this.acceptedScopes = options.acceptedScopes ?? [SLASH_SCOPE];
  }

  keys(): Answer {
    this.stats.keysRequests++;
    return { status: 200, body: this.keyring.published() };
  }

  applyFaults(f: SlashFaultSettings): void {
    this.faults.add(f);
    if (f.rotateKey) this.keyring.rotate();
    if (f.expireKey) this.keyring.expireCurrent();
    if (f.keys !== undefined) this.keyring.keysFault = f.keys ?? undefined;
  }

  /** Decides what becomes of one `POST /message`. */
  message(helseid: HelseIdStandIn, headers: IncomingHttpHeaders, body: Buffer, url: string, requireNonce: () => boolean): SlashHandling {
    this.stats.messages++;
    const fault = this.faults.next();
    if (fault.kind !== 'none') this.stats.faultsServed++;
    if (fault.kind === 'drop') return { drop: true };
    if (fault.kind === 'fail500') return { answer: async () => ({ status: 500, headers: { 'X-Correlation-ID': randomUUID() }, body: 'Internal Server Error' }) };
    if (fault.kind === 'code') {
      this.stats.refused++;
      return { answer: async () => refuse(randomUUID(), fault.code) };
    }
    const flat: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries(headers)) flat[k] = Array.isArray(v) ? v[0] : v;
    return {
      waitMs: fault.kind === 'delay' ? fault.ms : undefined,
      answer: async () => {
        const a = await receiveMessage(
          {
            helseid,
            keyring: this.keyring,
            ledger: this.ledger,
            messageTypes: this.options.messageTypes ?? DEFAULT_MESSAGE_TYPES,
            acceptedScopes: this.acceptedScopes,
            requireNonce,
            allowed: this.options.allowed,
            now: this.options.now,
          },
          { headers: flat, body, url },
        );
        if (a.accepted) this.stats.delivered++;
        else this.stats.refused++;
        const { accepted: _a, ...rest } = a;
        return rest;
      },
    };
  }

  /** Everything received, or with `parent` one tenant's part (its organisation's units). */
  state(parent?: string): SlashLedgerState & { keys: unknown; pending: ReturnType<SlashFaults['pending']> } {
    const all = this.ledger.state();
    return { ...(parent === undefined ? all : stateOfParent(all, parent)), keys: this.keyring.published(), pending: this.faults.pending() };
  }
}
