// The source loop: reads the front end's lines (mapped and validated, in source order), skips
// versions already decided, records rejections and hands each consultation version to the
// builder; after each line the builder may commit and the pump send.
import type { Logger } from '../../log.ts';
import { monthOf } from '../../model/month.ts';
import type { ReadOptions } from '../../sources/types.ts';
import type { AsyncStore } from '../../store/async.ts';
import { SerialisedElement } from '../../xml/write.ts';
import type { FrontEnd, FrontItem, FrontMapped } from '../front-end.ts';
import { VersionMemo } from '../versions.ts';
import type { Builder } from './builder.ts';
import type { Pump } from './pump.ts';
import type { SourceMark, TransferOptions, TransferSummary } from './types.ts';

/**
 * Records between two turns of the event loop while the pump is sending. An answer takes the
 * HTTP client several turns to come through, and each turn waits for this many records to be
 * built: a turn costs far less than building one record, while waiting for a large count of
 * them delays the next request (docs/operations.md, "Measured").
 */
const YIELD_EVERY = 4;

export interface SourceLoopDeps {
  store: AsyncStore;
  log: Logger;
  builder: Builder;
  pump: Pump;
  mark: SourceMark;
  window: TransferOptions['window'];
}

export class SourceLoop {
  /** Versions seen in this run, to tell one given twice with different content. */
  private readonly versions = new VersionMemo();

  constructor(
    private readonly deps: SourceLoopDeps,
    private readonly summary: TransferSummary,
  ) {}

  /** Reads the source to its end, or until the builder stops; false when it stopped. */
  async run(front: FrontEnd, readOpts: ReadOptions): Promise<boolean> {
    const { builder, pump, mark } = this.deps;
    let sinceYield = 0;
    for await (const line of front.read(readOpts)) {
      this.summary.records++;
      builder.batch.records++;
      // Lines come from a buffer without a turn of the event loop in between: give the pump
      // one now and then, so that an answer is taken and the next message goes out while we
      // build, instead of the receiver waiting for us.
      if (pump.active && ++sinceYield >= YIELD_EVERY) {
        sinceYield = 0;
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      if (line.parseError !== undefined) this.unreadable(line, line.parseError);
      else if (line.mapped) await this.handle(line.mapped, line);
      // The position a commit saves is that of the last line fully handled.
      mark.position = line;
      if (!(await builder.maybeCommit())) return false;
    }
    return true;
  }

  /** A line that is not a record (not JSON, not UTF-8 …). */
  private unreadable(line: FrontItem, parseError: string): void {
    const sourceId = `${line.file}:${line.line}`;
    this.summary.rejectedRecords++;
    const rule = line.parseRule ?? 'REC1001';
    this.deps.builder.batch.rejections.push({
      sourceId,
      changedAt: null,
      file: line.file,
      line: line.line,
      path: '/',
      rule,
      message: rule === 'REC1001' ? `not JSON: ${parseError}` : parseError,
      consequence: 'not sent',
    });
  }

  private async handle(m: FrontMapped, line: { file: string; line: number }): Promise<void> {
    const { store, log, builder, window } = this.deps;
    const s = this.summary;
    const hash = m.kind === 'konsultasjon' ? m.hash : m.kind === 'deleted' ? 'deleted' : undefined;
    const changedAt = m.changedAt;
    // A rejected record without a readable changedAt is never "already decided".
    if (changedAt !== null && (m.kind !== 'rejected' || changedAt)) {
      const prior = builder.batch.seen.get(m.sourceId);
      if (!builder.batchOpen) await builder.openBatch();
      if ((prior && prior.changedAt >= changedAt) || (await store.seen(m.sourceId, changedAt))) {
        s.skipped++;
        const first = hash === undefined ? undefined : this.versions.conflict(m.sourceId, changedAt, hash);
        if (first) {
          s.rejectedRecords++;
          const both = `${first.file}:${first.line} and ${line.file}:${line.line}`;
          builder.batch.rejections.push({
            sourceId: m.sourceId,
            konsultasjonId: m.konsultasjonId ?? null,
            changedAt,
            month: monthOf(m.kind === 'konsultasjon' ? m.day : undefined),
            file: line.file,
            line: line.line,
            path: '/',
            rule: 'REC5003',
            message: `record ${m.sourceId} changedAt ${changedAt} is given twice with different content: ${both}; the first was taken`,
            consequence: 'this line is not sent: give the changed record a later changedAt',
          });
          log.warn({ sourceId: m.sourceId, first, second: line, rule: 'REC5003' }, 'one record version given twice with different content');
        }
        return;
      }
      if (hash !== undefined) this.versions.remember(m.sourceId, changedAt, hash, line);
    }
    if (m.kind === 'konsultasjon' && window) {
      if (m.day < window.from || (window.to && m.day > window.to)) {
        // Not marked as seen: a later run (or another window) still takes it.
        s.outsideWindow++;
        return;
      }
    }
    const b = builder.batch;
    if (m.kind === 'rejected') {
      s.rejectedRecords++;
      if (m.changedAt) b.seen.set(m.sourceId, { sourceId: m.sourceId, changedAt: m.changedAt, rejected: true });
      if (m.konsultasjonId) b.rejectedInBatch.add(m.konsultasjonId);
      for (const f of m.findings) {
        b.rejections.push({
          sourceId: m.sourceId,
          konsultasjonId: m.konsultasjonId ?? null,
          changedAt: m.changedAt,
          month: m.month ?? null,
          file: line.file,
          line: line.line,
          path: f.path,
          rule: f.rule,
          message: f.message,
          consequence: f.consequence,
        });
      }
      log.debug({ sourceId: m.sourceId, file: line.file, line: line.line, rules: m.findings.map((f) => f.rule) }, 'record rejected');
      return;
    }
    const at = { file: line.file, line: line.line };
    if (m.kind === 'deleted') {
      await builder.consider({
        konsultasjonId: m.konsultasjonId,
        sourceId: m.sourceId,
        changedAt: m.changedAt,
        deleted: true,
        konsultasjon: undefined,
        json: null,
        hash: null,
        at,
      });
    } else {
      const konsultasjon = m.konsultasjon ?? (m.xml === undefined ? undefined : new SerialisedElement('Konsultasjon', m.xml));
      await builder.consider({ konsultasjonId: m.konsultasjonId, sourceId: m.sourceId, changedAt: m.changedAt, deleted: false, konsultasjon, json: m.json, hash: m.hash, at });
    }
    // Only now, and in the batch open now: a commit inside consider() must not mark this record
    // before its notification.
    const now = builder.batch;
    now.seen.set(m.sourceId, { sourceId: m.sourceId, konsultasjonId: m.konsultasjonId, changedAt: m.changedAt, rejected: false });
    if (m.kind === 'konsultasjon' && m.warnings) {
      const w = { sourceId: m.sourceId, konsultasjonId: m.konsultasjonId, changedAt: m.changedAt, file: line.file, line: line.line };
      now.warnings.set(
        m.konsultasjonId,
        m.warnings.map((f) => ({ ...w, path: f.path, rule: f.rule, message: f.message, consequence: f.consequence, action: f.action === 'substituted' ? 'substituted' : 'sent' })),
      );
    } else if (now.warnings.size) now.warnings.delete(m.konsultasjonId);
    // A corrected version in the same batch as the rejected one: the rejection is void.
    if (now.rejectedInBatch.has(m.konsultasjonId)) {
      now.rejections = now.rejections.filter((r) => r.konsultasjonId !== m.konsultasjonId);
      now.rejectedInBatch.delete(m.konsultasjonId);
    }
  }
}
