// `kpr run`, `kpr backfill`, `kpr resend`, `kpr status` and `kpr errors`: the operator's daily
// commands. Exit codes for cron and systemd timers: 0 all sent, 1 sent but some records were
// rejected, 2 failed (nothing or not everything could be sent; see the message and kpr status).
import { Command, InvalidArgumentError, Option } from 'commander';
import { EXIT, UserError, type Registrar } from '../cli/program.ts';
import { loadConfig } from '../config/load.ts';
import { backfillJob, describeSummary, dryRunJob, resendJob, runJob } from './jobs.ts';
import { progressReporter } from './progress.ts';
import { errorRows, formatErrors, formatStatus, statusReport } from './report.ts';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function date(v: string): string {
  if (!DATE.test(v) || Number.isNaN(Date.parse(v))) throw new InvalidArgumentError('expected a date YYYY-MM-DD');
  return v;
}

const configOption = () => new Option('-c, --config <file>', 'the configuration file').default('kpr.yaml');

export const register: Registrar = (program: Command) => {
  program
    .command('run')
    .description('Send everything changed in the EPJ since the last run (and resend what is unconfirmed)')
    .addOption(configOption())
    .option('--dry-run', 'build the messages on a copy of the database and write them to --out instead of sending')
    .option('--out <dir>', 'folder for --dry-run: one .xml and one .envelope.json per message, and summary.json')
    .action(async (o: { config: string; dryRun?: boolean; out?: string }) => {
      const config = loadConfig(o.config);
      if (o.dryRun && !o.out) throw new UserError('--dry-run needs --out DIR');
      if (o.out && !o.dryRun) throw new UserError('--out is only for --dry-run');
      const summary = o.dryRun ? await dryRunJob({ config, out: o.out! }) : await runJob({ config });
      process.stdout.write(`${describeSummary(summary)}\n`);
      if (o.dryRun) process.stdout.write(`dry run: messages written to ${o.out}; nothing was sent and the database is unchanged\n`);
      process.exitCode = summary.exitCode;
    });

  program
    .command('backfill')
    .description('Send all consultations in a date window (the first extract: --from 2017-01-01), resumably')
    .addOption(configOption())
    .requiredOption('--from <date>', 'first consultation date (datoTidStart), YYYY-MM-DD', date)
    .option('--to <date>', 'last consultation date, YYYY-MM-DD (default: no end)', date)
    .option('--restart', 'read the window again from the start even if it was completed')
    .action(async (o: { config: string; from: string; to?: string; restart?: boolean }) => {
      if (o.to && o.to < o.from) throw new UserError(`--to ${o.to} is before --from ${o.from}`);
      const config = loadConfig(o.config);
      const bar = progressReporter(process.stderr);
      const result = await backfillJob({ config, from: o.from, to: o.to, restart: o.restart, onProgress: (p) => bar.update(p) });
      bar.done();
      if ('alreadyComplete' in result) {
        process.stdout.write(`backfill ${o.from}..${o.to ?? ''} was completed at ${result.alreadyComplete}; use --restart to read it again\n`);
        return;
      }
      process.stdout.write(`${describeSummary(result)}\n`);
      process.exitCode = result.exitCode;
    });

  program
    .command('resend')
    .description('After fixing a configuration error: seal and send an unconfirmed message again, or queue a rejected one again')
    .argument('<message-id>', 'the messageId (see kpr errors or kpr status)')
    .addOption(configOption())
    .action(async (messageId: string, o: { config: string }) => {
      const config = loadConfig(o.config);
      const summary = await resendJob({ config, messageId });
      process.stdout.write(`${summary.action}\n${describeSummary(summary)}\n`);
      process.exitCode = summary.exitCode;
    });

  program
    .command('status')
    .description('Messages by state, the last run, the chain head, the oldest unconfirmed message, rejected records, certificate expiry')
    .addOption(configOption())
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action((o: { config: string; format: 'text' | 'json' }) => {
      const report = statusReport(loadConfig(o.config));
      process.stdout.write(o.format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : `${formatStatus(report)}\n`);
      const last = report.lastRun;
      const interrupted = last !== null && last.endedAt === null && !report.runningNow?.alive;
      process.exitCode = last && (last.exitCode === EXIT.failed || interrupted) ? EXIT.failed : EXIT.ok;
    });

  program
    .command('errors')
    .description('Every rejected record (source id, path, rule, message, consequence) and every message the receiver rejected')
    .addOption(configOption())
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json', 'csv']).default('table'))
    .action((o: { config: string; format: 'table' | 'json' | 'csv' }) => {
      const rows = errorRows(loadConfig(o.config));
      process.stdout.write(formatErrors(rows, o.format));
      process.exitCode = rows.length ? EXIT.partial : EXIT.ok;
    });
};
