// What an operator reads when SLASH refused a delivery: each code with FHI's name and meaning,
// what to do, the receiver's errorDetails (schema errors one per line), and the correlation id
// to quote to FHI. Plain lines, for `kpr errors`, logs and the report alike.
import { schemaErrorLines } from './answer.ts';
import type { SlashResult } from './client.ts';
import { slashCode } from './codes.ts';

const DO: Record<string, string> = {
  'stop-unit': 'this unit is stopped: fix the cause, then regenerate from the last accepted period and resend',
  split: 'send the content in smaller requests (at most 2 MB each)',
  'retry-later': 'the receiver or the network failed: it will be tried again later; tell FHI if it persists',
};

export function explainRefusal(r: Extract<SlashResult, { outcome: 'refused' }>): string[] {
  const lines = [`SLASH refused the delivery (${r.status !== undefined ? `HTTP ${r.status}` : 'no answer'}, msg_hash ${r.msgHash}): ${DO[r.action] ?? r.action}`];
  const errors = r.answer?.errors ?? [];
  for (const e of errors) {
    const c = e.errorCode !== undefined ? slashCode(e.errorCode) : undefined;
    lines.push(
      `  ${c ? `${c.code} ${c.name} (${c.meaning})` : 'no error code'}${e.propertyName ? ` at ${e.propertyName}` : ''}${e.errorMessage && e.errorMessage !== c?.name ? `: ${e.errorMessage}` : ''}`,
    );
    if (c) lines.push(`    what to do: ${c.fix}`);
    const schema = schemaErrorLines(e.errorDetails);
    if (schema) for (const s of schema) lines.push(`    ${s}`);
    else if (e.errorDetails) lines.push(`    details: ${e.errorDetails}`);
  }
  if (!errors.length) lines.push(`  ${r.reason}`);
  lines.push(`  correlation id (quote it to FHI): ${r.correlationId ?? 'none given'}`);
  return lines;
}
