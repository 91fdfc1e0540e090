// The run's summary line on the SLASH channel, and for each unit it stopped what to do next.
import type { SlashSummary } from './transfer.ts';

export type { SlashSummary } from './transfer.ts';

export function describeSlashSummary(s: SlashSummary): string {
  const x = s.slash;
  const parts = [
    `${s.kind} ${s.runId} (SLASH): ${s.records} record(s) read`,
    `${s.unchanged} unchanged`,
    `${x.items} item(s) and ${x.deletions} deletion(s) to deliver`,
    `${x.built} delivery(ies) built, ${x.delivered} confirmed`,
  ];
  if (s.skipped) parts.push(`${s.skipped} older version(s) skipped`);
  if (s.outsideWindow) parts.push(`${s.outsideWindow} before the load's first day`);
  if (x.resumed.length) parts.push(`resumed ${x.resumed.length} unit(s)${x.regenerated ? `, ${x.regenerated} delivery(ies) regenerated` : ''}`);
  if (s.rejectedRecords) parts.push(`${s.rejectedRecords} record(s) rejected (see npx kpr errors)`);
  let text = parts.join('; ');
  for (const u of x.stopped) {
    text +=
      u.state === 'stopped'
        ? `\nstopped: unit ${u.unit}: SLASH refused delivery ${u.seq}: ${u.reason} (correlation id ${u.correlationId ?? 'none'}); the other units went on. Details and what to do: npx kpr errors`
        : `\nattention: unit ${u.unit}: delivery ${u.seq} not confirmed (${u.reason}); the next run (or npx kpr resend --unit ${u.unit.split('|')[0]}) sends it again unchanged`;
  }
  for (const u of x.waiting) text += `\nwaiting: unit ${u} is stopped since an earlier run; after the fix: npx kpr resend --unit ${u.split('|')[0]}`;
  return text;
}
