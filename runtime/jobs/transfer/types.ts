// The transfer's contract with its callers (`kpr run`, `kpr backfill`, `kpr resend`, the demo and
// the tests): what it is given, what it is asked, what it reports.
import type { Logger } from '../../log.ts';
import type { MeldingHeader } from '../../message/melding.ts';
import type { ReadOptions, Source } from '../../sources/types.ts';
import type { AsyncStore } from '../../store/async.ts';
import type { FrontEnd } from '../front-end.ts';
import type { RecordMapper } from '../mapper.ts';
import type { MessageKit } from '../message-kit.ts';
import type { Sealer, Sender } from '../sender.ts';

export interface TransferDeps {
  store: AsyncStore;
  kit: MessageKit;
  header: MeldingHeader;
  limits: TransferLimits;
  sender: Sender;
  sealer: Sealer;
  log: Logger;
  mapper?: RecordMapper;
  source?: Source;
  /** Source and mapping together, e.g. in a worker thread (front-end.ts); else source + mapper here. */
  frontEnd?: FrontEnd;
  /** Injected in tests for reproducible chains and dates. */
  newGuid?: () => string;
  newMessageId?: () => string;
  now?: () => Date;
  onProgress?: (p: TransferProgress) => void;
  /** Test hook: called at named points; throwing there simulates a crash at that point. */
  failpoint?: (name: FailPoint) => void;
}

export interface TransferLimits {
  maxConsultations: number;
  maxBytes: number;
  recordsPerTransaction: number;
}

export type FailPoint = 'before-commit' | 'after-commit' | 'after-sealed' | 'after-send' | 'after-accept';

export interface TransferOptions {
  kind: 'run' | 'backfill' | 'resend';
  /** Read the source (false for resend: only the queue and the outbox). */
  readSource: boolean;
  read?: ReadOptions;
  /** Backfill window on the consultation's datoTidStart (dates, inclusive). */
  window?: { from: string; to?: string };
  /** Save the source position under this key with every commit (resumable backfill). */
  checkpointKey?: string;
}

export interface TransferProgress {
  records: number;
  messages: number;
  bytesRead: number;
  bytesTotal?: number;
  elapsedMs: number;
}

/** The run's tally: every room of the transfer adds to it; the driver reports it. */
export interface TransferSummary {
  runId: number;
  kind: string;
  records: number;
  skipped: number;
  outsideWindow: number;
  unchanged: number;
  rejectedRecords: number;
  notifications: { N: number; M: number; C: number };
  messagesBuilt: number;
  messagesAccepted: number;
  /** Why the line stopped, if it did. */
  stopped?: { messageId: string; state: 'rejected' | 'retrying'; reason: string };
  outcome: 'ok' | 'partial' | 'failed';
  exitCode: number;
}

/** Where the source stands: written by the source loop, saved by the builder with each commit. */
export interface SourceMark {
  /** The last line fully handled. */
  position?: { file: string; line: number };
  /** Files read to their end since the last commit (checkpoint key and identity). */
  filesDone: { key: string; value: string }[];
}
