// `kpr enqueue`, `kpr worker` and `kpr queue`: a vendor's daily runs and backfills as work items
// in PostgreSQL, drained by any number of workers on any machines (docs/workers.md).
import type { Command } from 'commander';
import { EXIT, type Registrar, UserError } from '../cli/program.ts';
import { dateArgument, OBLIGATION_START } from '../cli/dates.ts';
import { chooseTenants, loadTenants } from '../tenants/load.ts';
import { osloDate } from '../time/oslo.ts';
import { backfillSlices, WorkQueue } from './queue.ts';
import { CONTROL_LATEST } from './schema.ts';
import { workerSettings } from './settings.ts';

/** An instant for the operator, in UTC with its Z, as kpr status shows run times (no zone to guess). */
const instant = (t: Date | string) => new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');

export const register: Registrar = (program: Command) => {
  program
    .command('enqueue')
    .description(
      'add work items to the queue: a daily run per tenant (none added where one is still queued), or a backfill cut into one item per calendar year (or month: workers.backfillSlice), oldest first',
    )
    .argument('<kind>', 'run or backfill')
    .requiredOption('--config <tenants.yaml>', 'the tenants file')
    .option('--tenant <id>', 'only this tenant (default: every tenant)')
    .option('--from <date>', `backfill: first consultation date (default: slash.backfillFrom or ${OBLIGATION_START})`, dateArgument)
    .option('--to <date>', "backfill: last consultation date (default: today, Oslo's date)", dateArgument)
    .option('--restart', 'backfill: read each slice again even if an earlier backfill completed it')
    .action(async (kind: string, flags: { config: string; tenant?: string; from?: string; to?: string; restart?: boolean }) => {
      if (kind !== 'run' && kind !== 'backfill') throw new UserError(`kpr enqueue ${kind}: expected run or backfill`, EXIT.partial);
      if (kind === 'run' && (flags.from || flags.to || flags.restart)) throw new UserError('--from, --to and --restart are for backfill', EXIT.partial);
      const cfg = loadTenants(flags.config);
      const s = workerSettings(cfg);
      const queue = await WorkQueue.open(s.url, s.schema, s.where);
      try {
        for (const t of chooseTenants(cfg, flags.tenant)) {
          if (kind === 'run') {
            const id = await queue.enqueueRun(t.id, s.maxAttempts);
            process.stdout.write(id === undefined ? `tenant ${t.id}: a run is already queued\n` : `tenant ${t.id}: run queued as item #${id}\n`);
            continue;
          }
          const from = flags.from ?? t.config.slash?.backfillFrom ?? OBLIGATION_START;
          const to = flags.to ?? osloDate(new Date());
          if (to < from) throw new UserError(`--to ${to} is before --from ${from}`, EXIT.partial);
          const ids = await queue.enqueueBackfill(t.id, backfillSlices(from, to, s.backfillSlice, flags.restart), s.maxAttempts);
          process.stdout.write(`tenant ${t.id}: backfill ${from}..${to} queued as ${ids.length} item(s) #${ids[0]}..#${ids[ids.length - 1]}\n`);
        }
      } finally {
        await queue.close();
      }
    });

  program
    .command('worker')
    .description(
      'claim work items from the queue and run them (any number of workers, on any machine that reaches the database): one tenant at a time per worker, daily runs before backfill slices; exits on SIGTERM once its item is done',
    )
    .requiredOption('--config <tenants.yaml>', 'the tenants file')
    .option('--id <name>', "this worker's name in the queue (default host:pid)")
    .option('--drain', 'exit once no item is queued or claimed: 0, or 2 when an item failed or needs attention')
    .option('--lease <duration>', 'how long a claim lasts without a heartbeat, e.g. 30s (default workers.lease, 30s)')
    .action(async (flags: { config: string; id?: string; drain?: boolean; lease?: string }) => {
      const cfg = loadTenants(flags.config);
      const settings = workerSettings(cfg, { lease: flags.lease });
      const { runWorker } = await import('./worker.ts');
      const stop = new AbortController();
      const onTerm = () => stop.abort();
      process.on('SIGTERM', onTerm);
      process.on('SIGINT', onTerm);
      try {
        const r = await runWorker({ tenants: cfg, settings, id: flags.id, drain: flags.drain, signal: stop.signal });
        process.exitCode = r.exitCode;
      } catch (err) {
        // The queue's database went away (or refused us): said in one line; a supervisor restarts
        // the worker, and the item it held goes to another after its lease.
        if (err instanceof UserError) throw err;
        throw new UserError(`worker ${flags.id ?? 'on this host'}: the work queue at ${settings.where}: ${(err as Error).message}`);
      } finally {
        process.off('SIGTERM', onTerm);
        process.off('SIGINT', onTerm);
      }
    });

  const queue = program.command('queue').description("the work queue: every tenant's items and state, and the queue's schema migrations");
  queue
    .command('list', { isDefault: true })
    .description("every tenant's items by state, what runs now and by whom, and the items that failed or need attention")
    .requiredOption('--config <tenants.yaml>', 'the tenants file')
    .option('--tenant <id>', 'only this tenant, every item listed')
    .option('--format <format>', 'text or json', 'text')
    .action(async (flags: { config: string; tenant?: string; format: string }) => {
      const cfg = loadTenants(flags.config);
      if (flags.tenant) chooseTenants(cfg, flags.tenant);
      const s = workerSettings(cfg);
      const q = await WorkQueue.open(s.url, s.schema, s.where);
      try {
        const tenants = (await q.tenants()).filter((t) => !flags.tenant || t.tenant === flags.tenant);
        const items = await q.items({ tenant: flags.tenant, states: flags.tenant ? undefined : ['queued', 'claimed', 'failed', 'attention'] });
        if (flags.format === 'json') {
          process.stdout.write(`${JSON.stringify({ tenants, items }, null, 2)}\n`);
          return;
        }
        process.stdout.write(`work queue ${s.where}: ${tenants.length} tenant(s)\n`);
        for (const t of tenants) {
          process.stdout.write(
            `  ${t.tenant}  queued ${t.queued}  running ${t.running ?? '-'}  done ${t.done}  failed ${t.failed}  attention ${t.attention}  last served ${t.lastServed ? instant(t.lastServed) : '-'}\n`,
          );
        }
        if (items.length) process.stdout.write(flags.tenant ? 'items:\n' : 'items not done:\n');
        for (const i of items) {
          const window = i.kind === 'backfill' ? ` ${i.params.from}..${i.params.to}` : '';
          const who = i.state === 'claimed' ? ` by ${i.claimedBy} on ${i.claimedHost} (pid ${i.claimedPid}), lease until ${i.leaseUntil ? instant(i.leaseUntil) : '-'}` : '';
          const when = i.state === 'queued' ? ` not before ${instant(i.notBefore)}` : '';
          process.stdout.write(
            `  #${i.id} ${i.tenant} ${i.kind}${window}: ${i.state}, attempt ${i.attempts}/${i.maxAttempts}${who}${when}${i.lastError ? `; ${i.lastError}` : ''}\n`,
          );
        }
      } finally {
        await q.close();
      }
    });
  queue
    .command('migrate')
    .description(`create or bring the work queue's control schema up to date (version ${CONTROL_LATEST}): its tables, in the queue's database (workers.queue)`)
    .requiredOption('--config <tenants.yaml>', 'the tenants file')
    .action(async (flags: { config: string }) => {
      const { migrateQueue } = await import('./schema-cli.ts');
      process.stdout.write(`${await migrateQueue(flags.config)}\n`);
    });
};
