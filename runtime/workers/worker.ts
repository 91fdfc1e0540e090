// `kpr worker`: claims an item, runs its job with the tenant's settings and gated transports,
// records the outcome, and claims the next. The lease is renewed by a heartbeat while the job
// runs; a worker that dies stops renewing and its item goes to another worker when the lease
// runs out, which continues from the tenant store's last confirmed delivery (the jobs are
// crash-safe and idempotent; the store's own run lock is a second guard).
import { EXIT } from '../cli/program.ts';
import { backfillJob, runJob } from '../jobs/jobs.ts';
import type { JobOptions } from '../jobs/channels/types.ts';
import { createLogger, type Logger } from '../log.ts';
import { tenantError } from '../tenants/jobs.ts';
import type { Tenant, TenantsConfig } from '../tenants/load.ts';
import { ReceiverGate } from './backpressure.ts';
import { thisWorker, type WorkerIdentity, type WorkItem, WorkQueue } from './queue.ts';
import type { WorkerSettings } from './settings.ts';
import { gatedTransports } from './transports.ts';

/** What a job ended with: its summary and whether the operator must look (it exited 2). */
export interface ItemOutcome {
  state: 'done' | 'attention';
  summary: unknown;
  note?: string;
}

/** Runs one item's job; `log` names the worker, tenant and item. */
export type Execute = (item: WorkItem, tenant: Tenant, gate: ReceiverGate, log: (msg: string) => void) => Promise<ItemOutcome>;

/** The real execution: `kpr run` or `kpr backfill --from --to` of the tenant, its transports gated. */
export const executeJob: Execute = async (item, tenant, gate, log) => {
  // The job's own log lines carry the tenant and the item, so a vendor's logs say whose they are.
  const o: JobOptions = {
    config: tenant.config,
    log: jobLogger(tenant.config.log.level).child({ tenant: tenant.id, item: item.id }),
    ...(await gatedTransports(tenant.config, gate, log)),
  };
  if (item.kind === 'run') {
    const s = await runJob(o);
    return { state: s.exitCode === EXIT.failed ? 'attention' : 'done', summary: s, note: s.stopped ? `stopped at ${s.stopped.messageId}: ${s.stopped.state}` : undefined };
  }
  const { from, to, restart } = item.params;
  const r = await backfillJob({ ...o, from: from as string, to, restart });
  if ('alreadyComplete' in r) return { state: 'done', summary: r };
  return { state: r.exitCode === EXIT.failed ? 'attention' : 'done', summary: r, note: r.stopped ? `stopped at ${r.stopped.messageId}: ${r.stopped.state}` : undefined };
};

const loggers = new Map<string, Logger>();
function jobLogger(level: string): Logger {
  const known = loggers.get(level);
  if (known) return known;
  const made = createLogger({ level });
  loggers.set(level, made);
  return made;
}

export interface WorkerOptions {
  tenants: TenantsConfig;
  settings: WorkerSettings;
  id?: string;
  /** Exit once no item is queued or claimed (0, or 2 when an item failed or needs attention). */
  drain?: boolean;
  /** Progress lines: they name the worker, tenant and item, never records or persons. */
  log?: (line: string) => void;
  /** Aborted (SIGTERM): the item under way is finished, then the worker exits. */
  signal?: AbortSignal;
  execute?: Execute;
  /** How long to wait when nothing is claimable. */
  pollMs?: number;
  retryDelayMs?: (attempts: number) => number;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((r) => {
    const t = setTimeout(r, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      r();
    });
  });

function describeItem(i: WorkItem): string {
  return `tenant ${i.tenant} item #${i.id} ${i.kind}${i.kind === 'backfill' ? ` ${i.params.from}..${i.params.to}` : ''}`;
}

export async function runWorker(o: WorkerOptions): Promise<{ exitCode: number; processed: number }> {
  const me: WorkerIdentity = thisWorker(o.id);
  const log = o.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const say = (line: string) => log(`worker ${me.id}: ${line}`);
  const execute = o.execute ?? executeJob;
  const byId = new Map(o.tenants.tenants.map((t) => [t.id, t]));
  const queue = await WorkQueue.open(o.settings.url, o.settings.schema, o.settings.where);
  const gate = await ReceiverGate.open(o.settings.url, o.settings.schema, o.settings.maxInFlight);
  let processed = 0;
  try {
    while (!o.signal?.aborted) {
      const item = await queue.claim(me, o.settings.leaseMs);
      if (!item) {
        if (o.drain) {
          const p = await queue.pending();
          if (p.queued === 0 && p.claimed === 0) {
            say(`drained: ${p.attention} item(s) need attention, ${p.failed} failed`);
            return { exitCode: p.attention + p.failed > 0 ? EXIT.failed : EXIT.ok, processed };
          }
        }
        await sleep(o.pollMs ?? 1000, o.signal);
        continue;
      }
      processed++;
      await work(item);
    }
    say('stopping: asked to (SIGTERM)');
    return { exitCode: EXIT.ok, processed };
  } finally {
    await gate.close().catch(() => {});
    await queue.close().catch(() => {});
  }

  async function work(item: WorkItem): Promise<void> {
    const what = describeItem(item);
    say(`${what}: claimed (attempt ${item.attempts} of ${item.maxAttempts})`);
    let lost = false;
    const beat = setInterval(
      () => {
        queue.renew(item.id, me, o.settings.leaseMs).then(
          (ok) => {
            if (!ok && !lost) {
              lost = true;
              say(`${what}: the claim was lost (the lease ran out); the tenant store's run lock keeps a second run out`);
            }
          },
          () => {},
        );
      },
      Math.max(50, Math.floor(o.settings.leaseMs / 3)),
    );
    try {
      const tenant = byId.get(item.tenant);
      if (!tenant) {
        await queue.finish(item.id, me, 'attention', null, `tenant ${item.tenant} is not in ${o.tenants.file}`);
        say(`${what}: attention: the tenant is not in the tenants file`);
        return;
      }
      let outcome: ItemOutcome;
      try {
        outcome = await execute(item, tenant, gate, (m) => say(`${what}: ${m}`));
      } catch (err) {
        // With what to set up when the tenant's token lacks its organisation (the line and the
        // item name the tenant already).
        const message = tenantError(tenant, err).message.replace(`tenant ${tenant.id}: `, '');
        const state = await queue.fail(item.id, me, message, o.retryDelayMs);
        say(`${what}: ${state === 'failed' ? 'failed for good' : state === 'queued' ? 'failed, retried later' : 'failed, and the claim was lost'}: ${message}`);
        return;
      }
      const kept = await queue.finish(item.id, me, outcome.state, outcome.summary, outcome.note);
      say(`${what}: ${kept ? outcome.state : `${outcome.state}, but the claim was lost meanwhile (another worker has the item)`}${outcome.note ? ` (${outcome.note})` : ''}`);
    } finally {
      clearInterval(beat);
    }
  }
}
