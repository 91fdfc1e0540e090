// `kpr run`, `kpr backfill`, `kpr resend`, `kpr status` and `kpr errors`: the operator's daily
// commands. Exit codes for cron and systemd timers: 0 all sent, 1 sent but some records were
// rejected, 2 failed (nothing or not everything could be sent; see the message and kpr status).
// Each also takes a vendor's tenants file when runtime/tenants/operator-cli.ts registers it.
import { type Command, InvalidArgumentError, Option } from 'commander';
import { EXIT, UserError, type Registrar } from '../cli/program.ts';
import { loadConfig } from '../config/load.ts';
import { backfillJob, describeSummary, dryRunJob, resendJob, runJob } from './jobs.ts';
import type { KprConfig } from '../config/load.ts';
import { createLogger } from '../log.ts';
import { progressReporter } from './progress.ts';
import type { TransferProgress } from './transfer.ts';
import { errorRows, failures, formatErrors, formatStatus, MAX_COLUMNS, statusReport } from './report.ts';
import { describeStore } from '../store/location.ts';
import { dateArgument, OBLIGATION_START } from '../cli/dates.ts';

const configOption = () => new Option('-c, --config <file>', 'the configuration file: a kpr.yaml, or a tenants file (docs/tenants.md)').default('kpr.yaml');

/** `--tenant ID`, repeatable: which of a tenants file's tenants (all by default). */
const tenantOption = (what = 'all by default') =>
  new Option('--tenant <id>', `with a tenants file: this tenant only (repeat for more; ${what})`).argParser((v: string, prev: string[] | undefined) => [...(prev ?? []), v]);

/** The options every operator command may get, as commander gives them. */
export interface OperatorFlags extends OutputOptions {
  config: string;
  tenant?: string[];
}

/**
 * The commands' way to a tenants file. jobs/ sits below tenants/ (which runs jobs per tenant),
 * so the tenants' side is handed in by runtime/tenants/operator-cli.ts rather than imported.
 */
export interface TenantsHook {
  isTenantsFile(file: string): boolean;
  run(o: OperatorFlags): Promise<void>;
  backfill(o: OperatorFlags & { from?: string; to?: string; restart?: boolean }): Promise<void>;
  resend(messageId: string | undefined, o: OperatorFlags & { unit?: string[] }): Promise<void>;
  status(o: OperatorFlags & { format: 'text' | 'json' }): Promise<void>;
  errors(o: OperatorFlags & { format: 'text' | 'json' | 'csv' }): Promise<void>;
}

/** True when the command goes to the tenants' side; `--tenant` with a kpr.yaml is refused. */
function forTenants(hook: TenantsHook | undefined, o: OperatorFlags): hook is TenantsHook {
  if (hook?.isTenantsFile(o.config)) return true;
  if (o.tenant?.length) throw new UserError(`--tenant needs a tenants file; ${o.config} is a kpr.yaml (one reporting unit)`);
  return false;
}

export { OBLIGATION_START };

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** From least to most said. */
const VERBOSITY = ['silent', 'fatal', 'error', 'warn', 'info', 'debug', 'trace'];

/** `level`, or `most` when `level` would say more. */
export function atMost(level: string, most: string): string {
  return VERBOSITY.indexOf(level) > VERBOSITY.indexOf(most) ? most : level;
}

interface OutputOptions {
  quiet?: boolean;
  verbose?: boolean;
  logLevel?: string;
}

/** --quiet, --verbose and --log-level, the same on every long-running command (npm's meanings). */
function withOutputOptions(cmd: Command): Command {
  return cmd
    .option('-q, --quiet', 'no progress; log warnings and errors only (--log-level warn)')
    .option('-v, --verbose', 'log what every step does (--log-level debug)')
    .addOption(
      new Option('--log-level <level>', "log level of the JSON log lines on stderr (default: kpr.yaml's log.level; at least warn while a progress bar is shown)").choices(
        LOG_LEVELS,
      ),
    );
}

/**
 * The logger and progress bar of a long-running command, sharing stderr: log lines go through
 * the bar so they never break into it; while a bar is shown, logs below warn are held back
 * unless asked for (--verbose, --log-level).
 */
/** `where`: the store(s) named when interrupted (several tenants': each tenant's own). */
export function terminal(o: OutputOptions, config: KprConfig, where = describeStore(config)) {
  if (o.quiet && (o.verbose || o.logLevel)) throw new UserError('--quiet goes alone: not with --verbose or --log-level');
  const bar = progressReporter(process.stderr, { quiet: o.quiet });
  const level = o.logLevel ?? (o.verbose ? 'debug' : o.quiet ? 'warn' : bar.tty ? atMost(config.log.level, 'warn') : config.log.level);
  const log = createLogger({ level, destination: bar.logs as NodeJS.WritableStream });
  // Ctrl-C: everything committed is kept (a kill at any point loses nothing), so stop at once
  // and say how far it got and how to go on.
  const interrupted = () => {
    bar.done();
    const p = bar.last;
    const got = p ? `${p.records.toLocaleString('en-US')} records read, ${p.messages.toLocaleString('en-US')} messages built` : 'stopped before the first record';
    process.stderr.write(
      `\ninterrupted: ${got}. Every decision and message committed so far is saved in ${where}; nothing is lost or sent twice.\n` +
        `resume with: npx kpr ${process.argv.slice(2).map(shellWord).join(' ')}\n`,
    );
    process.exit(130);
  };
  process.once('SIGINT', interrupted);
  return { bar, log, end: () => process.off('SIGINT', interrupted) };
}

/** "table" was text's name before one --format vocabulary; still accepted, no longer listed. */
function errorsFormat(v: string): 'text' | 'json' | 'csv' {
  if (v === 'table') return 'text';
  if (v === 'text' || v === 'json' || v === 'csv') return v;
  throw new InvalidArgumentError('expected text, json or csv');
}

const shellWord = (w: string) => (/^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replaceAll("'", `'\\''`)}'`);

export const register: Registrar = (program: Command) => registerOperatorCommands(program);

/** run, backfill, resend, status and errors; with `hook`, each also over a tenants file. */
export function registerOperatorCommands(program: Command, hook?: TenantsHook): void {
  withOutputOptions(
    program
      .command('run')
      .description('Send everything changed in the EPJ since the last run (and resend what is unconfirmed)')
      .addOption(configOption())
      .addOption(tenantOption('all by default, one after another'))
      .option('--dry-run', 'build the messages on a copy of the database and write them to --out instead of sending')
      .option('--out <dir>', 'folder for --dry-run: one .xml and one .envelope.json per message, and summary.json'),
  ).action(async (o: { config: string; tenant?: string[]; dryRun?: boolean; out?: string } & OutputOptions) => {
    if (forTenants(hook, o)) {
      if (o.dryRun || o.out) throw new UserError('--dry-run is for one kpr.yaml, not a tenants file');
      return hook.run(o);
    }
    const config = loadConfig(o.config);
    if (o.dryRun && !o.out) throw new UserError('--dry-run needs --out DIR');
    if (o.out && !o.dryRun) throw new UserError('--out is only for --dry-run');
    const t = terminal(o, config);
    try {
      const job = { config, log: t.log, onProgress: (p: TransferProgress) => t.bar.update(p) };
      const summary = o.dryRun ? await dryRunJob({ ...job, out: o.out! }) : await runJob(job);
      t.bar.done();
      process.stdout.write(`${describeSummary(summary, { dryRun: o.dryRun })}\n`);
      if (o.dryRun) process.stdout.write(`dry run: messages written to ${o.out}; nothing was sent and the database is unchanged\n`);
      process.exitCode = summary.exitCode;
    } finally {
      t.bar.done();
      t.end();
    }
  });

  withOutputOptions(
    program
      .command('backfill')
      .description(`Send all consultations in a date window (default: everything since ${OBLIGATION_START}, the obligation's start), resumably`)
      .addOption(configOption())
      .addOption(tenantOption('all by default, one after another'))
      .option('--from <date>', `first consultation date (datoTidStart), YYYY-MM-DD (default ${OBLIGATION_START}; SLASH: slash.backfillFrom)`, dateArgument)
      .option('--to <date>', 'last consultation date, YYYY-MM-DD (default: no end)', dateArgument)
      .option('--restart', 'read the window again from the start even if it was completed'),
  ).action(async (opts: { config: string; tenant?: string[]; from?: string; to?: string; restart?: boolean } & OutputOptions) => {
    if (forTenants(hook, opts)) return hook.backfill(opts);
    const config = loadConfig(opts.config);
    const o = { ...opts, from: opts.from ?? config.slash?.backfillFrom ?? OBLIGATION_START };
    if (o.to && o.to < o.from) throw new UserError(`--to ${o.to} is before --from ${o.from}`);
    const t = terminal(o, config);
    try {
      const result = await backfillJob({ config, from: o.from, to: o.to, restart: o.restart, log: t.log, onProgress: (p) => t.bar.update(p) });
      t.bar.done();
      if ('alreadyComplete' in result) {
        process.stdout.write(`backfill ${o.from}..${o.to ?? ''} was completed at ${result.alreadyComplete}; use --restart to read it again\n`);
        return;
      }
      process.stdout.write(`${describeSummary(result)}\n`);
      process.exitCode = result.exitCode;
    } finally {
      t.bar.done();
      t.end();
    }
  });

  withOutputOptions(
    program
      .command('resend')
      .description(
        'After fixing what the receiver refused: seal and send an unconfirmed message again, or queue a rejected one again (2021 channel); SLASH: let stopped units go on (regenerated from the last accepted period, or the same delivery after an authentication or server error)',
      )
      .argument('[message-id]', 'the messageId (see kpr errors or kpr status); 2021 channel')
      .option('--unit <unit...>', 'SLASH: the stopped unit(s) to resume, by unit or orgNr (default: every stopped unit)')
      .addOption(configOption())
      .addOption(tenantOption('all by default; exactly one with a message-id')),
  ).action(async (messageId: string | undefined, o: { config: string; tenant?: string[]; unit?: string[] } & OutputOptions) => {
    if (forTenants(hook, o)) return hook.resend(messageId, o);
    const config = loadConfig(o.config);
    const t = terminal(o, config);
    try {
      const summary = await resendJob({ config, messageId, units: o.unit, log: t.log, onProgress: (p) => t.bar.update(p) });
      t.bar.done();
      process.stdout.write(`${summary.action}\n${describeSummary(summary)}\n`);
      process.exitCode = summary.exitCode;
    } finally {
      t.bar.done();
      t.end();
    }
  });

  program
    .command('status')
    .description(
      'Messages by state, the last run, the chain head, the oldest unconfirmed message, rejected records, certificate expiry; with a tenants file, one overview row per tenant (exit 0 every tenant fine, 1 records held back, 2 a tenant failed or needs attention)',
    )
    .addOption(configOption())
    .addOption(tenantOption('all by default: one overview row each; one tenant: its detail too'))
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (o: { config: string; tenant?: string[]; format: 'text' | 'json' }) => {
      if (forTenants(hook, o)) return hook.status(o);
      const report = await statusReport(loadConfig(o.config));
      process.stdout.write(o.format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : `${formatStatus(report)}\n`);
      const last = report.lastRun;
      const interrupted = last !== null && last.endedAt === null && !report.runningNow?.alive;
      process.exitCode = last && (last.exitCode === EXIT.failed || interrupted) ? EXIT.failed : EXIT.ok;
    });

  program
    .command('errors')
    .description(
      'Every rejected record (source id, path, rule, message, consequence), every record sent with a warning (by rule), and every message the receiver rejected; exit 1 only for rejected records or messages (a warning is not a failure)',
    )
    .addOption(configOption())
    .addOption(tenantOption('all by default; each row names its tenant'))
    .addOption(new Option('--format <format>', 'output format: text (wrapped to the terminal, at most 120 columns), json or csv').default('text').argParser(errorsFormat))
    .action(async (o: { config: string; tenant?: string[]; format: 'text' | 'json' | 'csv' }) => {
      if (forTenants(hook, o)) return hook.errors(o);
      const rows = await errorRows(loadConfig(o.config));
      process.stdout.write(formatErrors(rows, o.format, process.stdout.columns ?? MAX_COLUMNS));
      // Records sent with a warning are at the receiver: news for the operator, not a failure.
      process.exitCode = failures(rows) ? EXIT.partial : EXIT.ok;
    });
}
