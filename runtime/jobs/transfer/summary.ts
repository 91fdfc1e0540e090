// A run's tally: every channel's transfer starts from the empty one and ends by settling it
// (outcome and exit code) and recording it in the run log.
import { EXIT } from '../../cli/program.ts';
import type { Logger } from '../../log.ts';
import type { AsyncStore } from '../../store/async.ts';
import type { TransferSummary } from './types.ts';

export function emptySummary(runId: number, kind: string): TransferSummary {
  return {
    runId,
    kind,
    records: 0,
    skipped: 0,
    outsideWindow: 0,
    unchanged: 0,
    rejectedRecords: 0,
    notifications: { N: 0, M: 0, C: 0 },
    messagesBuilt: 0,
    messagesAccepted: 0,
    outcome: 'ok',
    exitCode: EXIT.ok,
  };
}

/**
 * Sets the outcome (failed when the run failed or `stopped`; partial with rejected records),
 * records the run, and logs it. The caller rethrows `exitError`.
 */
export async function settleRun(store: AsyncStore, log: Logger, s: TransferSummary, stopped: boolean, exitError: unknown): Promise<void> {
  if (exitError || stopped) {
    s.outcome = 'failed';
    s.exitCode = EXIT.failed;
  } else if (s.rejectedRecords > 0) {
    s.outcome = 'partial';
    s.exitCode = EXIT.partial;
  }
  const summary = { ...s, error: exitError ? String((exitError as Error).message ?? exitError) : undefined };
  try {
    await store.finishRun(s.runId, s.outcome, s.exitCode, summary);
  } catch {
    // The store itself failed; the error the caller rethrows says why.
  }
  log.info({ ...summary }, 'transfer finished');
}
