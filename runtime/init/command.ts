// `kpr init`: a commented example configuration, or with --profile sandbox a complete working
// setup for the local sandbox.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { EXIT, UserError } from '../cli/program.ts';
import { writeFileAtomic } from '../io/atomic.ts';
import { EXAMPLE_CONFIG } from './example.ts';
import { initSandboxSetup } from './sandbox-setup.ts';

function int(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number');
  return n;
}

function day(v: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v) || Number.isNaN(Date.parse(v))) throw new InvalidArgumentError('expected a date YYYY-MM-DD');
  return v;
}

export function register(program: Command): void {
  program
    .command('init')
    .description('Write a commented example kpr.yaml, or with --profile sandbox a complete offline setup')
    .option('--profile <name>', 'sandbox: write configuration, demo data, mapping, test keys and certificates')
    .option('--dir <dir>', 'where to write (default: kpr.yaml on standard output without --profile)')
    .option('--seed <seed>', 'seed of the demo data', '1')
    .option('--children <n>', 'children in the demo data', int, 300)
    .option('--today <date>', "the demo data's last day", day, new Date().toISOString().slice(0, 10))
    .option('--port <n>', 'sandbox port (0 = pick a free one)', int, 8089)
    .option('--bad-rate <r>', 'share of deliberately spoiled demo records', parseFloat, 0)
    .option('--force', 'replace an existing setup')
    .action(async (o: { profile?: string; dir?: string; seed: string; children: number; today: string; port: number; badRate: number; force?: boolean }) => {
      if (!o.profile) {
        if (!o.dir) {
          process.stdout.write(EXAMPLE_CONFIG);
          return;
        }
        const file = join(o.dir, 'kpr.yaml');
        if (existsSync(file) && !o.force) throw new UserError(`${file} exists; use --force to replace it`);
        writeFileAtomic(file, EXAMPLE_CONFIG);
        process.stdout.write(`wrote ${file}: edit it, then check it with kpr status --config ${file}\n`);
        return;
      }
      if (o.profile !== 'sandbox') throw new UserError(`--profile ${o.profile}: only the sandbox can be set up automatically; run kpr init without --profile for a commented example`);
      if (!o.dir) throw new UserError('--profile sandbox needs --dir DIR');
      const s = await initSandboxSetup({ dir: o.dir, seed: o.seed, children: o.children, today: o.today, port: o.port, force: o.force, badRate: o.badRate });
      process.stdout.write(
        [
          `wrote a sandbox setup in ${s.dir} (${s.records} demo EPJ records, seed ${o.seed})`,
          `  1. kpr sandbox --data ${s.sandboxDir}          # serves ${s.url}; leave it running`,
          `  2. kpr backfill --config ${s.configFile} --from 2017-01-01`,
          `  3. kpr run --config ${s.configFile}; kpr status --config ${s.configFile}`,
          '',
        ].join('\n'),
      );
      process.exitCode = EXIT.ok;
    });
}
