// The jobs behind `kpr run`, `kpr backfill` and `kpr resend`, as library calls (the CLI, the
// demo and the reliability harness use these): open the store, take the single-run lock, keep
// its heartbeat, wire sender and sealer from kpr.yaml (or take injected ones), run the transfer.
import { existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT, UserError } from '../cli/program.ts';
import { requireKneik, type KprConfig } from '../config/load.ts';
import { makePrivateDir, writePrivateFile } from '../io/private.ts';
import type { Logger } from '../log.ts';
import { openStore } from '../store/open.ts';
import { openJob, transferDeps, type JobBase } from './context.ts';
import { isOperatorError } from './errors.ts';
import { configSealer, dryRunSender, transportSender, type Sealer, type Sender } from './sender.ts';
import { transfer, type FailPoint, type TransferOptions, type TransferProgress, type TransferSummary } from './transfer.ts';

export interface JobOptions {
  config: KprConfig;
  log?: Logger;
  /** Replace the KPR API client and CMS sealing (tests, harnesses). */
  sender?: Sender;
  sealer?: Sealer;
  onProgress?: (p: TransferProgress) => void;
  newGuid?: () => string;
  newMessageId?: () => string;
  now?: () => Date;
  failpoint?: (name: FailPoint) => void;
}

const HEARTBEAT_MS = 30_000;

function asUserError(err: unknown): unknown {
  if (err instanceof UserError) return err;
  if (isOperatorError(err)) return new UserError(err.message, EXIT.failed);
  if (err instanceof Error && (err as NodeJS.ErrnoException).code === 'SQLITE_BUSY') return new UserError(`the database is busy: ${err.message}`, EXIT.failed);
  return err;
}

async function withLockedJob<T>(o: JobOptions, kind: string, body: (base: JobBase) => Promise<T>, databasePath?: string): Promise<T> {
  const base = await openJob(o.config, { log: o.log, databasePath });
  const timer = setInterval(() => base.store.heartbeat(), HEARTBEAT_MS);
  timer.unref();
  try {
    base.store.acquireLock(kind);
    return await body(base);
  } catch (err) {
    throw asUserError(err);
  } finally {
    clearInterval(timer);
    base.store.close();
  }
}

async function io(o: JobOptions, base: JobBase): Promise<{ sender: Sender; sealer: Sealer }> {
  return {
    sender: o.sender ?? (await transportSender(o.config, base.kit.version)),
    sealer: o.sealer ?? configSealer(o.config),
  };
}

async function runTransfer(o: JobOptions, base: JobBase, meldingstype: string, opts: TransferOptions, wired?: { sender: Sender; sealer: Sealer }): Promise<TransferSummary> {
  const deps = await transferDeps(o.config, base, meldingstype, { ...(wired ?? (await io(o, base))), onProgress: o.onProgress });
  return transfer({ ...deps, newGuid: o.newGuid, newMessageId: o.newMessageId, now: o.now, failpoint: o.failpoint }, opts);
}

/** `kpr run`: resend what is unconfirmed, then everything changed in the EPJ since the last run. */
export async function runJob(o: JobOptions): Promise<TransferSummary> {
  return withLockedJob(o, 'run', async (base) => {
    const since = base.store.checkpoint('watermark');
    return runTransfer(o, base, o.config.message.meldingstype, { kind: 'run', readSource: true, read: { since } });
  });
}

/**
 * `kpr run --dry-run --out DIR`: the same run on a snapshot of the database, with every message
 * written to DIR (XML and API envelope) instead of sent. The real database is not changed.
 */
export async function dryRunJob(o: JobOptions & { out: string }): Promise<TransferSummary> {
  // The messages written here hold health data and identity numbers.
  makePrivateDir(o.out);
  const work = join(tmpdir(), `kpr-dry-run-${process.pid}-${Date.now()}`);
  makePrivateDir(work);
  const snapshot = join(work, 'kpr.db');
  try {
    if (existsSync(o.config.database)) {
      const real = openStore(o.config.database);
      try {
        await real.snapshotTo(snapshot);
      } finally {
        real.close();
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
          messageVersion: base.kit.version,
        };
        const wired = {
          sender: dryRunSender(o.out, header, sealed),
          sealer: o.sealer ?? (sealed ? configSealer(o.config) : (b: Buffer) => b),
        };
        const since = base.store.checkpoint('watermark');
        const summary = await runTransfer(o, base, o.config.message.meldingstype, { kind: 'run', readSource: true, read: { since } }, wired);
        writePrivateFile(join(o.out, 'summary.json'), `${JSON.stringify({ ...summary, dryRun: true, sealed }, null, 2)}\n`);
        // The copy of the database goes away with the dry run: what it rejected stays readable here
        // (owner-only: rejections quote the records).
        writePrivateFile(join(o.out, 'rejected.json'), `${JSON.stringify(base.store.rejections(), null, 2)}\n`);
        return summary;
      },
      snapshot,
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export interface BackfillOptions extends JobOptions {
  from: string;
  to?: string;
  /** Read the window again from the start even if an earlier backfill completed it. */
  restart?: boolean;
}

export type BackfillResult = TransferSummary | { alreadyComplete: string };

/**
 * `kpr backfill`: every consultation whose datoTidStart lies in [from, to], as batch messages
 * (meldingstype B). The source position is saved with every commit, so an interrupted backfill
 * resumes after the last committed record; versions already decided are skipped anyway.
 */
export async function backfillJob(o: BackfillOptions): Promise<BackfillResult> {
  const key = `backfill:${o.from}:${o.to ?? ''}`;
  return withLockedJob(o, 'backfill', async (base) => {
    const saved = base.store.checkpoint(key);
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
    if (summary.exitCode !== EXIT.failed) base.store.setCheckpoint(key, JSON.stringify({ completedAt: new Date().toISOString() }));
    return summary;
  });
}

/**
 * `kpr resend MESSAGE-ID`, after an operator fixed what made a message fail:
 * - unconfirmed (built, sent, retrying): sealed again with the current certificates and sent
 *   with the same messageId, in chain order;
 * - rejected: its consultations are queued again and go out in a new message at the chain head
 *   (the receiver discarded the rejected one, so it is not part of the chain).
 */
export async function resendJob(o: JobOptions & { messageId: string }): Promise<TransferSummary & { action: string }> {
  return withLockedJob(o, 'resend', async (base) => {
    const m = base.store.message(o.messageId);
    if (!m) throw new UserError(`no message ${o.messageId} in ${o.config.database}`);
    let action: string;
    switch (m.state) {
      case 'accepted':
        throw new UserError(`message ${m.messageId} was accepted (refId ${m.refId ?? '?'}): nothing to resend`);
      case 'superseded':
        throw new UserError(`message ${m.messageId} was never sent: a message before it was rejected, and its consultations were rebuilt into later messages`);
      case 'requeued':
        throw new UserError(`message ${m.messageId} was already queued again`);
      case 'rejected': {
        const n = base.store.requeueMessage(m.seq);
        action = `queued ${n} consultation(s) of rejected message ${m.messageId} again`;
        break;
      }
      default:
        action = `sending message ${m.messageId} again (sealed with the current certificates, same messageId)`;
    }
    base.log.info({ messageId: m.messageId, state: m.state }, action);
    const summary = await runTransfer(o, base, o.config.message.meldingstype, { kind: 'resend', readSource: false });
    return { ...summary, action };
  });
}

export function describeSummary(s: TransferSummary, opts: { dryRun?: boolean } = {}): string {
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
