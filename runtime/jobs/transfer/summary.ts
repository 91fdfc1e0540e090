// A run's tally before anything happened: every channel's transfer starts from it.
import { EXIT } from '../../cli/program.ts';
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
