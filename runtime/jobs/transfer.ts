// The transfer: the one loop behind `kpr run`, `kpr backfill` and `kpr resend`.
//
//   1. send what is unconfirmed, in chain order, with its original messageId and content;
//   2. decide what an operator or a rejection queued again (requeue);
//   3. stream the source: map, validate, skip versions already decided, decide N/M/C, chain;
//   4. every `maxConsultations` notifications (or bytes, or records): build the Melding(s) and
//      commit them to the outbox together with every decision, rejection and source position
//      they stem from (one transaction), then send them.
//
// Sending only moves outbox states; the receiver's confirmation is what makes a consultation
// "accepted". The first message that is not accepted stops the line: later ones would break
// the chain the receiver checks.
//
// This file is the driver; each job has its room in transfer/: the pump that seals and sends in
// order (pump.ts), the builder that decides, cuts and commits (builder.ts), the source loop
// (source-loop.ts) and the Melding writer (writer.ts).
import { randomUUID } from 'node:crypto';
import { osloDate } from '../time/oslo.ts';
import { contentHash } from '../notify/hash.ts';
import type { FileIdentity, ReadOptions } from '../sources/types.ts';
import { inProcessFrontEnd } from './front-end.ts';
import { Builder } from './transfer/builder.ts';
import { Pump } from './transfer/pump.ts';
import { SourceLoop } from './transfer/source-loop.ts';
import { emptySummary, settleRun } from './transfer/summary.ts';
import type { SourceMark, TransferDeps, TransferOptions, TransferProgress, TransferSummary } from './transfer/types.ts';
import { MeldingWriter } from './transfer/writer.ts';

export type { FailPoint, TransferDeps, TransferLimits, TransferOptions, TransferProgress, TransferSummary } from './transfer/types.ts';

export async function transfer(deps: TransferDeps, opts: TransferOptions): Promise<TransferSummary> {
  const { store, log } = deps;
  const now = deps.now ?? (() => new Date());
  const fail = deps.failpoint ?? (() => {});
  const runId = await store.startRun(opts.kind);
  const started = Date.now();
  const s: TransferSummary = emptySummary(runId, opts.kind);
  log.info({ runId, kind: opts.kind }, 'transfer started');

  const front = deps.frontEnd ?? (deps.source && deps.mapper ? inProcessFrontEnd(deps.source, deps.mapper) : undefined);
  const progress = (): TransferProgress => ({
    records: s.records,
    messages: s.messagesBuilt,
    ...(front?.progress() ?? { bytesRead: 0 }),
    elapsedMs: Date.now() - started,
  });
  const writer = new MeldingWriter(deps.kit, deps.header, osloDate(now()));
  const pump = new Pump({ store, sender: deps.sender, sealer: deps.sealer, writer, log, fail }, s);
  const mark: SourceMark = { filesDone: [] };
  const builder = await Builder.open(
    {
      store,
      log,
      limits: deps.limits,
      writer,
      pump,
      mark,
      runId,
      meldingstype: deps.header.meldingstype,
      checkpointKey: opts.checkpointKey,
      newMessageId: deps.newMessageId ?? randomUUID,
      newGuid: deps.newGuid,
      fail,
      onCommit: () => deps.onProgress?.(progress()),
    },
    s,
  );
  const fileKey = (f: FileIdentity) => ({ key: `file:${f.path}`, value: `${f.size}:${f.mtimeMs}` });
  // A daily run skips files it read to the end before, unchanged since: an export folder grows
  // for years, and every line in those files was decided. A backfill window reads everything
  // (lines outside the window stay undecided, so a file is only "done" for a run without one).
  const readOpts: ReadOptions = opts.window
    ? { ...opts.read }
    : {
        ...opts.read,
        skipFile: async (f) => (await store.checkpoint(fileKey(f).key)) === fileKey(f).value,
        onFileDone: (f) => mark.filesDone.push(fileKey(f)),
      };

  let exitError: unknown;
  try {
    let flowing = await pump.send(0);
    if (flowing) {
      for (const q of await store.requeued()) {
        const k = q.json ? (JSON.parse(q.json) as Record<string, unknown>) : undefined;
        await builder.consider({
          konsultasjonId: q.konsultasjonId,
          sourceId: q.sourceId,
          changedAt: q.changedAt,
          deleted: q.deleted,
          konsultasjon: k,
          json: q.json,
          hash: q.hash ?? (k ? contentHash(k) : null),
        });
        builder.batch.requeueDone.push(q.konsultasjonId);
      }
      if (builder.batch.requeueDone.length) {
        await builder.commit();
        flowing = await pump.send(0);
      }
    }
    if (flowing && opts.readSource && front) {
      flowing = await new SourceLoop({ store, log, builder, pump, mark, window: opts.window }, s).run(front, readOpts);
    }
    if (flowing) {
      await builder.commit();
      flowing = await pump.send(0);
    }
  } catch (err) {
    exitError = err;
    await store.rollbackBatch().catch(() => {});
  }
  // Whatever the pump still does finishes (or fails) before the run is recorded; its outcomes
  // are kept even when the builder failed.
  await pump.settle();
  try {
    await pump.applyEvents();
  } catch (err) {
    exitError ??= err;
  }

  await settleRun(store, log, s, Boolean(s.stopped), exitError);
  deps.onProgress?.(progress());
  if (exitError) throw exitError;
  return s;
}
