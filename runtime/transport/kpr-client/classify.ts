// Sorts the API's answers into what the sender should do next: accepted (done), rejected (the
// message is at fault: fix it, never resend it unchanged) or retryable (try again later).
import { jsonBody, type HttpResponse } from '../http.ts';

export type Classified =
  | { kind: 'accepted'; messageId?: string; refId?: string }
  | { kind: 'rejected'; status: number; validationCode?: number; validationMessage: string; refId?: string }
  | { kind: 'retryable'; status: number; reason: string; retryAfterMs?: number; errorCode?: number; refId?: string }
  | { kind: 'unauthorized'; reason: string; dpopNonce?: string; useDpopNonce: boolean };

/** Retry-After as seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export function classify(res: HttpResponse): Classified {
  const body = (jsonBody(res) ?? {}) as Record<string, unknown>;
  const refId = typeof body.refId === 'string' ? body.refId : undefined;
  if (res.status >= 200 && res.status < 300) {
    return { kind: 'accepted', messageId: typeof body.messageId === 'string' ? body.messageId : undefined, refId };
  }
  if (res.status === 401) {
    const challenge = res.headers.get('www-authenticate') ?? '';
    return {
      kind: 'unauthorized',
      reason: typeof body.error_description === 'string' ? body.error_description : challenge || 'HTTP 401',
      dpopNonce: res.headers.get('dpop-nonce') ?? undefined,
      useDpopNonce: /error="?use_dpop_nonce/.test(challenge) || body.error === 'use_dpop_nonce',
    };
  }
  if (res.status === 429 || res.status === 503 || res.status >= 500 || res.status === 408) {
    const message = typeof body.errorMessage === 'string' ? body.errorMessage : res.body.slice(0, 200);
    return {
      kind: 'retryable',
      status: res.status,
      reason: `HTTP ${res.status}${message ? `: ${message}` : ''}`,
      retryAfterMs: retryAfterMs(res.headers.get('retry-after')),
      errorCode: typeof body.errorCode === 'number' ? body.errorCode : undefined,
      refId,
    };
  }
  // 400 is the receiver's verdict on the message; other 4xx (403 scope, 404 wrong URL, 413) are
  // configuration faults that a resend will not fix either.
  const validationMessage =
    typeof body.validationMessage === 'string'
      ? body.validationMessage
      : typeof body.error_description === 'string'
        ? body.error_description
        : `HTTP ${res.status}${res.body ? `: ${res.body.slice(0, 200)}` : ''}`;
  return {
    kind: 'rejected',
    status: res.status,
    validationCode: typeof body.validationCode === 'number' ? body.validationCode : undefined,
    validationMessage,
    refId,
  };
}
