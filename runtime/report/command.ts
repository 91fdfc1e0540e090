// `kpr report --html report.html`: the daily report for operators; with a tenants file, one page
// per tenant and an overview across them in a folder (written by runtime/tenants/report.ts,
// handed in as `tenants` since report/ sits below tenants/).
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { type Command, Option } from 'commander';
import { UserError } from '../cli/program.ts';
import { loadConfig } from '../config/load.ts';
import { writeFileAtomic } from '../io/atomic.ts';
import { renderReport } from './html.ts';

export interface ReportFlags {
  config: string;
  html: string;
  tenant?: string[];
}

/** The report over a tenants file: what it needs from runtime/tenants/. */
export interface TenantsReport {
  isTenantsFile(file: string): boolean;
  write(o: ReportFlags): Promise<void>;
}

export function register(program: Command): void {
  registerReport(program);
}

export function registerReport(program: Command, tenants?: TenantsReport): void {
  program
    .command('report')
    .description(
      'Write a self-contained HTML report: volumes by consultation month and by run (sent, not yet confirmed, rejected, held back), records held back by rule and by month, records sent with a warning by rule, chain health; with a tenants file, a folder with one page per tenant and an overview (index.html) across them',
    )
    .addOption(new Option('-c, --config <file>', 'the configuration file: a kpr.yaml, or a tenants file (docs/tenants.md)').default('kpr.yaml'))
    .requiredOption('--html <path>', 'where to write the report: a file for a kpr.yaml, a folder for a tenants file')
    .addOption(
      new Option('--tenant <id>', 'with a tenants file: this tenant only (repeat for more; all by default)').argParser((v: string, prev: string[] | undefined) => [
        ...(prev ?? []),
        v,
      ]),
    )
    .action(async (o: ReportFlags) => {
      if (tenants?.isTenantsFile(o.config)) return tenants.write(o);
      if (o.tenant?.length) throw new UserError(`--tenant needs a tenants file; ${o.config} is a kpr.yaml (one reporting unit)`);
      const html = await renderReport(loadConfig(o.config));
      mkdirSync(dirname(o.html), { recursive: true });
      writeFileAtomic(o.html, html);
      process.stdout.write(`wrote ${o.html}\n`);
    });
}
