// Sends one sealed message to the KPR API and reports what became of it. Retries what can
// succeed later (5xx, 429, timeouts, dropped connections, one 401 after a fresh token, a new
// DPoP nonce) with backoff inside a time budget, always with the same messageId, so the
// receiver can recognise a resend. A 400 is the receiver's verdict and is returned at once.
import { httpRequest, TransportError } from '../http.ts';
import { HelseIdError } from '../helseid/errors.ts';
import type { AccessToken, HelseIdClient, TokenRequest } from '../helseid/client.ts';
import { backoffDelay, DEFAULT_RETRY, type RetryPolicy } from './backoff.ts';
import { classify } from './classify.ts';
import { envelopeBody, newMessageId, type EnvelopeParts } from './envelope.ts';

export type SendResult =
  | { outcome: 'accepted'; messageId: string; refId?: string; attempts: number }
  | {
      outcome: 'rejected';
      messageId: string;
      status: number;
      validationCode?: number;
      validationMessage: string;
      refId?: string;
      attempts: number;
    }
  | { outcome: 'retryable'; messageId: string; reason: string; status?: number; errorCode?: number; refId?: string; attempts: number };

export interface AttemptInfo {
  messageId: string;
  attempt: number;
  /** What happened: accepted, rejected, HTTP status, timeout, network, token, nonce. */
  result: string;
  /** Wait before the next attempt, if there is one. */
  waitMs?: number;
}

export interface KprClientOptions {
  /** API base, e.g. https://hint-inet.utv.helsedir.no/proxy/api/kneik */
  baseUrl: string;
  helseid: HelseIdClient;
  token: TokenRequest;
  /** Deadline of one HTTP request. */
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Injected in tests so that waits can be seen without being slept. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  onAttempt?: (info: AttemptInfo) => void;
}

const sleepReal = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
/** Nonce and token refreshes answer a protocol step, not a failure: a few are allowed per send. */
const MAX_NONCE_ROUNDS = 2;
/** How old a prepared DPoP proof may be when its request goes out; receivers allow about a minute. */
const PROOF_FRESH_MS = 10_000;

export class KprClient {
  private readonly policy: RetryPolicy;
  private readonly url: string;
  /** The API's latest DPoP nonce, sent with every proof until it asks for another. */
  private apiNonce: string | undefined;

  /**
   * The request of the message to be sent next, made ready while the one before is with the
   * receiver: its body, token and DPoP proof. Messages go one at a time, so the receiver waits
   * for everything done between an answer and the next request.
   */
  private prepared:
    | {
        parts: EnvelopeParts & { messageId: string };
        body: Buffer;
        at: number;
        first: Promise<{ token: AccessToken; proof?: string; nonce?: string } | undefined>;
      }
    | undefined;

  constructor(private readonly options: KprClientOptions) {
    this.policy = { ...DEFAULT_RETRY, ...options.retry };
    this.url = `${options.baseUrl.replace(/\/+$/, '')}/message/process`;
  }

  /** Makes the request for `parts` ready (the messageId must be given); a later send of it uses it. */
  prepare(parts: EnvelopeParts & { messageId: string }): void {
    const o = this.options;
    const nonce = this.apiNonce;
    const first = (async () => {
      const token = await o.helseid.getToken(o.token);
      return { token, nonce, proof: token.tokenType === 'DPoP' ? await o.helseid.apiProof('POST', this.url, token, nonce) : undefined };
    })().catch(() => undefined); // whatever failed here fails again, and is handled, in send
    this.prepared = { parts: { ...parts }, body: envelopeBody(parts), at: Date.now(), first };
  }

  /** The prepared request, if it is for exactly these parts (the same sealed payload, the same header). */
  private takePrepared(parts: EnvelopeParts, messageId: string): KprClient['prepared'] {
    const p = this.prepared;
    if (!p || p.parts.messageId !== messageId) return undefined;
    this.prepared = undefined;
    const same =
      p.parts.payload === parts.payload &&
      p.parts.fromHerId === parts.fromHerId &&
      p.parts.toHerId === parts.toHerId &&
      p.parts.messageType === parts.messageType &&
      p.parts.messageVersion === parts.messageVersion;
    return same ? p : undefined;
  }

  async send(parts: EnvelopeParts): Promise<SendResult> {
    const o = this.options;
    const messageId = parts.messageId ?? newMessageId();
    const ready = this.takePrepared(parts, messageId);
    const body = ready?.body ?? envelopeBody({ ...parts, messageId });
    // A prepared token and proof serve the first attempt, if the token is still the one to use,
    // the nonce the proof carries is still the API's, and the proof is fresh (a send before
    // this one may have waited out retries). A proof's jti is used once only.
    let firstReady = ready && Date.now() - ready.at < PROOF_FRESH_MS ? await ready.first : undefined;
    const sleep = o.sleep ?? sleepReal;
    const started = Date.now();
    let attempts = 0;
    let retries = 0;
    let refreshed = false;
    let nonceRounds = 0;

    for (;;) {
      attempts++;
      const note = (result: string, waitMs?: number) => o.onAttempt?.({ messageId, attempt: attempts, result, waitMs });
      let failure: Extract<SendResult, { outcome: 'retryable' }>;
      let waitMs: number | undefined;
      let token: AccessToken | undefined;
      try {
        token = await o.helseid.getToken(o.token);
        const headers: Record<string, string> = {
          'content-type': 'application/json',
          accept: 'application/json',
          authorization: `${token.tokenType} ${token.accessToken}`,
        };
        const reuse = firstReady && firstReady.token.accessToken === token.accessToken && firstReady.nonce === this.apiNonce ? firstReady : undefined;
        firstReady = undefined;
        if (token.tokenType === 'DPoP') headers.DPoP = reuse?.proof ?? (await o.helseid.apiProof('POST', this.url, token, this.apiNonce));
        const res = await httpRequest(this.url, { method: 'POST', headers, body, timeoutMs: o.timeoutMs ?? 30_000 });
        const c = classify(res);
        if (c.kind === 'accepted') {
          note('accepted');
          return { outcome: 'accepted', messageId, refId: c.refId, attempts };
        }
        if (c.kind === 'rejected') {
          note(`rejected ${c.status}`);
          const { kind: _kind, ...rest } = c;
          return { outcome: 'rejected', messageId, ...rest, attempts };
        }
        if (c.kind === 'unauthorized') {
          if (c.useDpopNonce && c.dpopNonce && nonceRounds < MAX_NONCE_ROUNDS) {
            nonceRounds++;
            this.apiNonce = c.dpopNonce;
            note('nonce');
            continue;
          }
          if (!refreshed) {
            refreshed = true;
            o.helseid.invalidate(token);
            note('token refresh');
            continue;
          }
          failure = { outcome: 'retryable', messageId, status: 401, reason: `HTTP 401 after a fresh token: ${c.reason}`, attempts };
        } else {
          failure = { outcome: 'retryable', messageId, status: c.status, reason: c.reason, errorCode: c.errorCode, refId: c.refId, attempts };
          waitMs = c.retryAfterMs;
        }
      } catch (err) {
        if (err instanceof HelseIdError && err.permanent) throw err;
        if (!(err instanceof TransportError) && !(err instanceof HelseIdError)) throw err;
        failure = { outcome: 'retryable', messageId, reason: err.message, status: err instanceof HelseIdError ? err.httpStatus : undefined, attempts };
      }

      waitMs ??= backoffDelay(retries, this.policy, o.random);
      const elapsed = Date.now() - started;
      if (attempts >= this.policy.maxAttempts || elapsed + waitMs > this.policy.budgetMs) {
        note(failure.reason);
        return failure;
      }
      note(failure.reason, waitMs);
      await sleep(waitMs);
      retries++;
    }
  }
}

/** The send function the runtime calls: sealed bytes and header fields in, a SendResult out. */
export function createSender(options: KprClientOptions): ((parts: EnvelopeParts) => Promise<SendResult>) & { prepare(parts: EnvelopeParts & { messageId: string }): void } {
  const client = new KprClient(options);
  return Object.assign((parts: EnvelopeParts) => client.send(parts), { prepare: (parts: EnvelopeParts & { messageId: string }) => client.prepare(parts) });
}
