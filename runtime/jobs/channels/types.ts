// The channel seam: what differs between the receivers kpr-kit delivers to (message form,
// protection, ordering, answers) behind one interface. `jobs.ts` takes the lock and opens the
// store and the message kit for every channel alike, then hands the job to the configured
// channel (index.ts). A third channel is another folder beside kneik/ and slash/ and one line in
// index.ts.
import type { KprConfig } from '../../config/load.ts';
import type { Logger } from '../../log.ts';
import type { AsyncStore } from '../../store/async.ts';
import type { JobBase } from '../context.ts';
import type { Sealer, Sender } from '../sender.ts';
import type { FailPoint, TransferProgress, TransferSummary } from '../transfer/types.ts';
import type { SlashDeps, SlashFailPoint } from './slash/transfer.ts';

export interface JobOptions {
  config: KprConfig;
  log?: Logger;
  /**
   * An opened store to use instead of the configuration's (a worker keeps one per tenant): the
   * job takes and releases its run lock but leaves it open.
   */
  store?: AsyncStore;
  /** Replace the KPR API client and CMS sealing (tests, harnesses): the 2021 channel. */
  sender?: Sender;
  sealer?: Sealer;
  /** Replace the SLASH client (tests, harnesses). */
  slashClient?: SlashDeps['client'];
  onProgress?: (p: TransferProgress) => void;
  newGuid?: () => string;
  newMessageId?: () => string;
  now?: () => Date;
  failpoint?: (name: FailPoint | SlashFailPoint) => void;
}

export interface BackfillOptions extends JobOptions {
  /** The first day; default the channel's (SLASH: slash.backfillFrom, 2017-01-01). */
  from: string;
  to?: string;
  /** Read the window again from the start even if an earlier backfill completed it. */
  restart?: boolean;
}

export type BackfillResult = TransferSummary | { alreadyComplete: string };

/** What `kpr resend` names: a 2021 message id, or SLASH units (none: every stopped unit). */
export interface ResendTarget {
  messageId?: string;
  units?: string[];
}

export interface Channel {
  readonly name: KprConfig['channel'];
  run(o: JobOptions, base: JobBase): Promise<TransferSummary>;
  backfill(o: BackfillOptions, base: JobBase): Promise<BackfillResult>;
  resend(o: JobOptions, base: JobBase, target: ResendTarget): Promise<TransferSummary & { action: string }>;
}
