// Sorts SLASH's answers into what the sender does next. Delivered only on 200/201 with no
// errors (FHI's rule). 401 is the token's or the proof's fault; 403 is treated alike (FHI: fix
// the technical cause, resend unchanged). A 400 is sorted by its error codes (codes.ts); 413 is
// too big (split); 408, 429 and 5xx are worth waiting for. Any other 4xx is a fault no resend
// fixes: the unit stops.
import { parseAnswer, type SlashAnswer } from './answer.ts';
import { ACTION_RANK, slashCode, type SlashAction, type SlashCode } from './codes.ts';
import { retryAfterMs } from '../kpr-client/classify.ts';

export type SlashOutcome =
  | { kind: 'delivered'; answer: SlashAnswer }
  | { kind: 'unauthorized'; answer: SlashAnswer; reason: string; dpopNonce?: string; useDpopNonce: boolean }
  | { kind: 'refused'; action: SlashAction; codes: SlashCode[]; answer: SlashAnswer; reason: string; retryAfterMs?: number };

function describe(answer: SlashAnswer, codes: SlashCode[]): string {
  const parts = answer.errors.map((e) => {
    const c = e.errorCode !== undefined ? slashCode(e.errorCode) : undefined;
    return [c ? `${c.code} ${c.name}` : undefined, e.propertyName, e.errorMessage].filter(Boolean).join(': ');
  });
  if (!parts.length && codes.length === 0) parts.push(answer.rawBody ? answer.rawBody.slice(0, 200) : 'no error body');
  return `HTTP ${answer.status}: ${parts.join('; ')}`;
}

export function classifySlash(status: number, headers: Headers, body: string): SlashOutcome {
  const answer = parseAnswer(status, headers, body);
  if ((status === 200 || status === 201) && answer.delivered !== false && answer.errors.length === 0) return { kind: 'delivered', answer };
  if (status === 401) {
    const challenge = headers.get('www-authenticate') ?? '';
    let error: string | undefined;
    try {
      error = (JSON.parse(body) as { error?: string }).error;
    } catch {
      /* not JSON */
    }
    return {
      kind: 'unauthorized',
      answer,
      reason: `HTTP 401${challenge ? `: ${challenge}` : ''}`,
      dpopNonce: headers.get('dpop-nonce') ?? undefined,
      useDpopNonce: /error="?use_dpop_nonce/.test(challenge) || error === 'use_dpop_nonce',
    };
  }
  const codes = answer.errors.flatMap((e) => (e.errorCode !== undefined ? [slashCode(e.errorCode)] : []));
  const reason = describe(answer, codes);
  const retry = { retryAfterMs: retryAfterMs(headers.get('retry-after')) };
  if (status === 408 || status === 429 || status >= 500) return { kind: 'refused', action: 'retry-later', codes, answer, reason, ...retry };
  if (status === 403) return { kind: 'refused', action: 'new-token', codes, answer, reason };
  if (status === 413) return { kind: 'refused', action: 'split', codes, answer, reason };
  if (codes.length) {
    const action = codes.map((c) => c.action).reduce((a, b) => (ACTION_RANK[b] > ACTION_RANK[a] ? b : a));
    return { kind: 'refused', action, codes, answer, reason, ...retry };
  }
  // A 2xx that says delivered: false, or a 4xx without a code: nothing safe to resend.
  return { kind: 'refused', action: 'stop-unit', codes, answer, reason };
}
