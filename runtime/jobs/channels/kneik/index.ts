// The 2021 KNEIK channel: XPR XML Meldinger with the notification chain, sealed in CMS, sent to
// `/message/process` (the transfer in jobs/transfer.ts and its rooms). Unchanged by the channel
// seam: these are the bodies `kpr run`, `kpr backfill` and `kpr resend` always had.
import { EXIT, UserError } from '../../../cli/program.ts';
import { describeStore } from '../../../store/location.ts';
import { transferDeps, withKit, type JobBase, type KneikBase } from '../../context.ts';
import { configSealer, transportSender, type Sealer, type Sender } from '../../sender.ts';
import { transfer, type TransferOptions, type TransferSummary } from '../../transfer.ts';
import type { BackfillOptions, BackfillResult, Channel, JobOptions, ResendTarget } from '../types.ts';

async function io(o: JobOptions, base: KneikBase): Promise<{ sender: Sender; sealer: Sealer }> {
  return {
    sender: o.sender ?? (await transportSender(o.config, base.kit.version)),
    sealer: o.sealer ?? configSealer(o.config),
  };
}

export async function runTransfer(o: JobOptions, job: JobBase, meldingstype: string, opts: TransferOptions, wired?: { sender: Sender; sealer: Sealer }): Promise<TransferSummary> {
  const base = withKit(job);
  const deps = await transferDeps(o.config, base, meldingstype, { ...(wired ?? (await io(o, base))), onProgress: o.onProgress });
  return transfer({ ...deps, newGuid: o.newGuid, newMessageId: o.newMessageId, now: o.now, failpoint: o.failpoint as never }, opts);
}

/** `kpr run`: resend what is unconfirmed, then everything changed in the EPJ since the last run. */
async function run(o: JobOptions, base: JobBase): Promise<TransferSummary> {
  const since = await base.store.checkpoint('watermark');
  return runTransfer(o, base, o.config.message.meldingstype, { kind: 'run', readSource: true, read: { since } });
}

/**
 * `kpr backfill`: every consultation whose datoTidStart lies in [from, to], as batch messages
 * (meldingstype B). The source position is saved with every commit, so an interrupted backfill
 * resumes after the last committed record; versions already decided are skipped anyway.
 */
async function backfill(o: BackfillOptions, base: JobBase): Promise<BackfillResult> {
  const key = `backfill:${o.from}:${o.to ?? ''}`;
  const saved = await base.store.checkpoint(key);
  const state = saved ? (JSON.parse(saved) as { file?: string; line?: number; completedAt?: string }) : undefined;
  if (state?.completedAt && !o.restart) return { alreadyComplete: state.completedAt };
  const after = !o.restart && state?.file !== undefined ? { file: state.file, line: state.line! } : undefined;
  // B (satsvis) for a backfill, unless the message version fixes another (IPLOS: K).
  const summary = await runTransfer(o, base, o.config.message.meldingstypeFixed ? o.config.message.meldingstype : 'B', {
    kind: 'backfill',
    readSource: true,
    read: { from: o.from, to: o.to, after },
    window: { from: o.from, to: o.to },
    checkpointKey: key,
  });
  if (summary.exitCode !== EXIT.failed) await base.store.setCheckpoint(key, JSON.stringify({ completedAt: new Date().toISOString() }));
  return summary;
}

/**
 * `kpr resend MESSAGE-ID`, after an operator fixed what made a message fail:
 * - unconfirmed (built, sent, retrying): sealed again with the current certificates and sent
 *   with the same messageId, in chain order;
 * - rejected: its consultations are queued again and go out in a new message at the chain head
 *   (the receiver discarded the rejected one, so it is not part of the chain).
 */
async function resend(o: JobOptions, base: JobBase, target: ResendTarget): Promise<TransferSummary & { action: string }> {
  if (!target.messageId) throw new UserError('kpr resend on the 2021 channel names a MESSAGE-ID (npx kpr errors lists them)');
  const m = await base.store.message(target.messageId);
  if (!m) throw new UserError(`no message ${target.messageId} in ${describeStore(o.config)}`);
  let action: string;
  switch (m.state) {
    case 'accepted':
      throw new UserError(`message ${m.messageId} was accepted (refId ${m.refId ?? '?'}): nothing to resend`);
    case 'superseded':
      throw new UserError(`message ${m.messageId} was never sent: a message before it was rejected, and its consultations were rebuilt into later messages`);
    case 'requeued':
      throw new UserError(`message ${m.messageId} was already queued again`);
    case 'rejected': {
      const n = await base.store.requeueMessage(m.seq);
      action = `queued ${n} consultation(s) of rejected message ${m.messageId} again`;
      break;
    }
    default:
      action = `sending message ${m.messageId} again (sealed with the current certificates, same messageId)`;
  }
  base.log.info({ messageId: m.messageId, state: m.state }, action);
  const summary = await runTransfer(o, base, o.config.message.meldingstype, { kind: 'resend', readSource: false });
  return { ...summary, action };
}

export const kneikChannel: Channel = { name: 'kneik', run, backfill, resend };
