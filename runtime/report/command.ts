// `kpr report --html report.html`: the daily report for operators.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { type Command, Option } from 'commander';
import { loadConfig } from '../config/load.ts';
import { writeFileAtomic } from '../io/atomic.ts';
import { renderReport } from './html.ts';

export function register(program: Command): void {
  program
    .command('report')
    .description(
      'Write a self-contained HTML report: volumes by consultation month and by run (sent, not yet confirmed, rejected, held back), records held back by rule and by month, records sent with a warning by rule, chain health',
    )
    .addOption(new Option('-c, --config <file>', 'the configuration file').default('kpr.yaml'))
    .requiredOption('--html <file>', 'where to write the report')
    .action(async (o: { config: string; html: string }) => {
      const html = await renderReport(loadConfig(o.config));
      mkdirSync(dirname(o.html), { recursive: true });
      writeFileAtomic(o.html, html);
      process.stdout.write(`wrote ${o.html}\n`);
    });
}
