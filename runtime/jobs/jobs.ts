// The jobs behind `kpr run`, `kpr backfill` and `kpr resend`, as library calls (the CLI, the
// demo and the reliability harness use these): open the store, take the single-run lock, keep
// its heartbeat, and hand the job to the configured channel (channels/: the 2021 KNEIK API or
// FHI's SLASH), which wires its transport from kpr.yaml (or takes injected ones).
import { existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT, UserError } from '../cli/program.ts';
import { requireKneik } from '../config/load.ts';
import { makePrivateDir, writePrivateFile } from '../io/private.ts';
import { openConfigStore } from '../store/location.ts';
import { channelOf } from './channels/index.ts';
import { runTransfer } from './channels/kneik/index.ts';
import type { BackfillOptions, BackfillResult, JobOptions, ResendTarget } from './channels/types.ts';
import { openJob, withKit, type JobBase } from './context.ts';
import { isOperatorError } from './errors.ts';
import { configSealer, dryRunSender } from './sender.ts';
import type { TransferSummary } from './transfer.ts';
import { describeSlashSummary, type SlashSummary } from './channels/slash/summary.ts';

export type { BackfillOptions, BackfillResult, JobOptions } from './channels/types.ts';

const HEARTBEAT_MS = 30_000;

function asUserError(err: unknown): unknown {
  if (err instanceof UserError) return err;
  if (isOperatorError(err)) return new UserError(err.message, EXIT.failed);
  if (err instanceof Error && (err as NodeJS.ErrnoException).code === 'SQLITE_BUSY') return new UserError(`the database is busy: ${err.message}`, EXIT.failed);
  return err;
}

async function withLockedJob<T>(o: JobOptions, kind: string, body: (base: JobBase) => Promise<T>, databasePath?: string): Promise<T> {
  const base = await openJob(o.config, { log: o.log, databasePath, store: databasePath === undefined ? o.store : undefined });
  const timer = setInterval(() => {
    // A heartbeat that fails says so; the run's own next write fails (and stops it) if the store is gone.
    base.store.heartbeat().catch((err: unknown) => base.log.warn({ err: (err as Error).message }, 'heartbeat failed'));
  }, HEARTBEAT_MS);
  timer.unref();
  let locked = false;
  try {
    await base.store.acquireLock(kind);
    locked = true;
    return await body(base);
  } catch (err) {
    throw asUserError(err);
  } finally {
    clearInterval(timer);
    // A store handed in stays open for its owner (a worker's next job): only the lock goes.
    if (!base.borrowed) await base.store.close();
    else if (locked) await base.store.releaseLock();
  }
}

/** `kpr run`: what is unconfirmed first, then everything changed in the EPJ since the last run. */
export async function runJob(o: JobOptions): Promise<TransferSummary> {
  return withLockedJob(o, 'run', (base) => channelOf(o.config).run(o, base));
}

/**
 * `kpr run --dry-run --out DIR`: the same run on a snapshot of the database, with every message
 * written to DIR (XML and API envelope) instead of sent. The real database is not changed.
 */
export async function dryRunJob(o: JobOptions & { out: string }): Promise<TransferSummary> {
  if (o.config.channel !== 'kneik')
    throw new UserError(`kpr run --dry-run writes 2021 Meldinger; channel ${o.config.channel} has no dry run yet (kpr slash encrypt shows what one message would be)`);
  // The messages written here hold health data and identity numbers.
  makePrivateDir(o.out);
  const work = join(tmpdir(), `kpr-dry-run-${process.pid}-${Date.now()}`);
  makePrivateDir(work);
  const snapshot = join(work, 'kpr.db');
  try {
    if (o.store) await o.store.snapshotTo(snapshot);
    else if (o.config.store.kind === 'postgres' || existsSync(o.config.database)) {
      const real = await openConfigStore(o.config);
      try {
        await real.snapshotTo(snapshot);
      } finally {
        await real.close();
      }
    }
    const sealed = Boolean(o.config.certificates) && !o.sealer;
    return await withLockedJob(
      o,
      'run --dry-run',
      async (base) => {
        const header = {
          fromHerId: requireKneik(o.config).sender.herId,
          toHerId: o.config.profile.receiverHerId ?? 0,
          messageType: o.config.message.messageType,
          messageVersion: withKit(base).kit.version,
        };
        const wired = {
          sender: dryRunSender(o.out, header, sealed),
          sealer: o.sealer ?? (sealed ? configSealer(o.config) : (b: Buffer) => b),
        };
        const since = await base.store.checkpoint('watermark');
        const summary = await runTransfer(o, base, o.config.message.meldingstype, { kind: 'run', readSource: true, read: { since } }, wired);
        writePrivateFile(join(o.out, 'summary.json'), `${JSON.stringify({ ...summary, dryRun: true, sealed }, null, 2)}\n`);
        // The copy of the database goes away with the dry run: what it rejected stays readable here
        // (owner-only: rejections quote the records).
        writePrivateFile(join(o.out, 'rejected.json'), `${JSON.stringify(await base.store.rejections(), null, 2)}\n`);
        return summary;
      },
      snapshot,
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** `kpr backfill`: the history in the window, as the channel delivers a history (docs/slash.md). */
export async function backfillJob(o: BackfillOptions): Promise<BackfillResult> {
  return withLockedJob(o, 'backfill', (base) => channelOf(o.config).backfill(o, base));
}

/** `kpr resend`: a 2021 message by its id, or SLASH units after the operator's fix. */
export async function resendJob(o: JobOptions & ResendTarget): Promise<TransferSummary & { action: string }> {
  return withLockedJob(o, 'resend', (base) => channelOf(o.config).resend(o, base, { messageId: o.messageId, units: o.units }));
}

export function describeSummary(s: TransferSummary, opts: { dryRun?: boolean } = {}): string {
  if ('slash' in s) return describeSlashSummary(s as SlashSummary);
  const parts = [
    `${opts.dryRun ? 'dry run' : `${s.kind} ${s.runId}`}: ${s.records} record(s) read`,
    `${s.skipped} already decided`,
    `${s.unchanged} unchanged`,
    `N ${s.notifications.N}, M ${s.notifications.M}, C ${s.notifications.C}`,
    // A dry run's "accepted" is its stand-in receiver's: nothing went anywhere.
    opts.dryRun ? `${s.messagesBuilt} message(s) built, none sent` : `${s.messagesBuilt} message(s) built, ${s.messagesAccepted} accepted`,
  ];
  if (s.outsideWindow) parts.push(`${s.outsideWindow} outside the window`);
  if (s.rejectedRecords) parts.push(`${s.rejectedRecords} record(s) rejected (${opts.dryRun ? 'listed in rejected.json beside the messages' : 'see npx kpr errors'})`);
  let text = parts.join('; ');
  if (s.stopped) {
    text +=
      s.stopped.state === 'rejected'
        ? `\nstopped: the receiver rejected message ${s.stopped.messageId}: ${s.stopped.reason}\n  later messages are rebuilt by the next run; after fixing the cause: npx kpr resend ${s.stopped.messageId}`
        : `\nstopped: message ${s.stopped.messageId} was not confirmed (${s.stopped.reason}); the next run resends it with the same messageId`;
  }
  return text;
}
