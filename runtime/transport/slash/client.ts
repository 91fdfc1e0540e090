// Sends one JSON message to SLASH and reports what became of it. What a protocol step can fix
// is done here, once each: a refused key (1004/1007) is fetched anew and the message protected
// again; a refused token (401/403, 2003-2005) is replaced; a DPoP nonce is answered. What time
// can fix (5xx, 2010, timeouts, dropped connections) is retried with backoff inside a budget.
// Everything else is returned for the delivery rules to act on (split, stop the unit). The
// JSON bytes never change between attempts, so every attempt carries the same msg_hash.
import { httpRequest, TransportError } from '../http.ts';
import type { AccessToken, HelseIdClient } from '../helseid/client.ts';
import { HelseIdError } from '../helseid/errors.ts';
import { normaliseOrgNr, requireOrgClaims } from '../helseid/org-claims.ts';
import { backoffDelay, DEFAULT_RETRY, type RetryPolicy } from '../kpr-client/backoff.ts';
import { classifySlash, type SlashOutcome } from './classify.ts';
import type { SlashAction, SlashCode } from './codes.ts';
import type { SlashAnswer } from './answer.ts';
import { SlashKeyError, SlashKeys } from './keys.ts';
import { bindingsOf } from './proof.ts';
import { protect } from './protect.ts';
import { slashHeaders, type VendorHeaders } from './request.ts';

export interface SlashMessage {
  /** The exact JSON bytes (a JSON array of unit objects). */
  json: Uint8Array;
  msgType: string;
  msgVersion: string;
  /** Multi-tenant clients: the reporting unit's parent organisation number. */
  parentOrgNr?: string;
}

export type SlashResult =
  | { outcome: 'delivered'; msgHash: string; correlationId?: string; attempts: number }
  | {
      outcome: 'refused';
      /** What the delivery rules should do: split, stop the unit, or (budget spent) retry later. */
      action: SlashAction;
      msgHash: string;
      status?: number;
      codes: SlashCode[];
      answer?: SlashAnswer;
      correlationId?: string;
      reason: string;
      attempts: number;
    };

export interface SlashAttempt {
  attempt: number;
  msgHash: string;
  /** delivered, refused <action>, keys, token, nonce, timeout, network … */
  result: string;
  correlationId?: string;
  waitMs?: number;
}

export interface SlashClientOptions {
  /** e.g. https://app-mottak-api-et.azurewebsites.net/ */
  baseUrl: string;
  /** Its DPoP key signs the message proofs: tokens must be DPoP-bound (SLASH requires it). */
  helseid: HelseIdClient;
  scopes: string[];
  vendor: VendorHeaders;
  keys?: SlashKeys;
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  now?: () => number;
  onAttempt?: (info: SlashAttempt) => void;
}

const sleepReal = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const MAX_NONCE_ROUNDS = 2;

export class SlashClient {
  readonly keys: SlashKeys;
  readonly url: string;
  private readonly policy: RetryPolicy;
  private apiNonce: string | undefined;
  /** The parent organisation each cached token was found to name: its claims are read once, not per delivery. */
  private readonly orgChecked = new WeakMap<AccessToken, string>();

  constructor(private readonly options: SlashClientOptions) {
    if (!options.helseid.usesDpop) throw new Error('SLASH requires DPoP-bound tokens: configure the HelseID client with dpop');
    const base = options.baseUrl.replace(/\/+$/, '');
    this.url = `${base}/message`;
    this.keys = options.keys ?? new SlashKeys({ baseUrl: base, timeoutMs: options.timeoutMs, now: options.now });
    this.policy = { ...DEFAULT_RETRY, ...options.retry };
    slashHeaders(options.vendor); // a configuration without the headers fails here, not at FHI
  }

  async send(msg: SlashMessage): Promise<SlashResult> {
    const o = this.options;
    const parent = msg.parentOrgNr === undefined ? undefined : normaliseOrgNr(msg.parentOrgNr, 'the parent organisation number');
    const tokenRequest = { scopes: o.scopes, org: parent ? { parent } : undefined };
    const sleep = o.sleep ?? sleepReal;
    const started = Date.now();
    let attempts = 0;
    let retries = 0;
    let keysRefreshed = false;
    let tokenRenewed = false;
    let nonceRounds = 0;
    let msgHash = '';

    for (;;) {
      attempts++;
      const note = (result: string, extra: Partial<SlashAttempt> = {}) => o.onAttempt?.({ attempt: attempts, msgHash, result, ...extra });
      let waitFor: { reason: string; status?: number; codes: SlashCode[]; answer?: SlashAnswer; retryAfterMs?: number };
      let token: AccessToken | undefined;
      try {
        const key = await this.keys.current();
        const p = protect(msg.json, key);
        msgHash = p.msgHash;
        token = await o.helseid.getToken(tokenRequest);
        if (parent && this.orgChecked.get(token) !== parent) {
          try {
            requireOrgClaims(token, parent);
          } catch (err) {
            // Not kept for the next job: once the delegation is fixed, a new token carries it.
            o.helseid.invalidate(token);
            throw err;
          }
          this.orgChecked.set(token, parent);
        }
        const proof = await o.helseid.apiProof('POST', this.url, token, this.apiNonce, { ...bindingsOf(p, msg.msgType, msg.msgVersion) });
        const headers = {
          'content-type': 'text/plain',
          accept: 'application/json',
          authorization: `DPoP ${token.accessToken}`,
          dpop: proof,
          ...slashHeaders(o.vendor, o.now?.()),
        };
        const res = await httpRequest(this.url, { method: 'POST', headers, body: p.body, timeoutMs: o.timeoutMs ?? 60_000 });
        const c: SlashOutcome = classifySlash(res.status, res.headers, res.body);
        const correlationId = c.answer.correlationId;
        if (c.kind === 'delivered') {
          note('delivered', { correlationId });
          return { outcome: 'delivered', msgHash, correlationId, attempts };
        }
        if (c.kind === 'unauthorized') {
          if (c.useDpopNonce && c.dpopNonce && nonceRounds < MAX_NONCE_ROUNDS) {
            nonceRounds++;
            this.apiNonce = c.dpopNonce;
            note('nonce', { correlationId });
            continue;
          }
          if (!tokenRenewed) {
            tokenRenewed = true;
            o.helseid.invalidate(token);
            note('token', { correlationId });
            continue;
          }
          return {
            outcome: 'refused',
            action: 'stop-unit',
            msgHash,
            status: 401,
            codes: [],
            answer: c.answer,
            correlationId,
            reason: `${c.reason} (after a fresh token)`,
            attempts,
          };
        }
        if (c.action === 'refresh-keys' && !keysRefreshed) {
          keysRefreshed = true;
          await this.keys.refresh();
          note('keys', { correlationId });
          continue;
        }
        if (c.action === 'new-token' && !tokenRenewed) {
          tokenRenewed = true;
          o.helseid.invalidate(token);
          note('token', { correlationId });
          continue;
        }
        if (c.action !== 'retry-later') {
          // A second 1004/1007 or a second token refusal: a person has to look.
          const action = c.action === 'refresh-keys' || c.action === 'new-token' ? 'stop-unit' : c.action;
          note(`refused ${action}`, { correlationId });
          return { outcome: 'refused', action, msgHash, status: c.answer.status, codes: c.codes, answer: c.answer, correlationId, reason: c.reason, attempts };
        }
        waitFor = { reason: c.reason, status: c.answer.status, codes: c.codes, answer: c.answer, retryAfterMs: c.retryAfterMs };
      } catch (err) {
        if (err instanceof HelseIdError && err.permanent) throw err;
        if (err instanceof SlashKeyError && !err.retryable) throw err;
        if (!(err instanceof TransportError) && !(err instanceof HelseIdError) && !(err instanceof SlashKeyError)) throw err;
        waitFor = { reason: err.message, codes: [] };
      }
      const waitMs = waitFor.retryAfterMs ?? backoffDelay(retries, this.policy, o.random);
      if (attempts >= this.policy.maxAttempts || Date.now() - started + waitMs > this.policy.budgetMs) {
        note(waitFor.reason);
        const { retryAfterMs: _r, ...rest } = waitFor;
        return { outcome: 'refused', action: 'retry-later', msgHash, ...rest, correlationId: waitFor.answer?.correlationId, attempts };
      }
      note(waitFor.reason, { waitMs, correlationId: waitFor.answer?.correlationId });
      await sleep(waitMs);
      retries++;
    }
  }
}
