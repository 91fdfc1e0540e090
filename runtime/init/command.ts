// `kpr init`: a commented example configuration, or with --profile sandbox a complete working
// setup for the local sandbox.
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { EXIT, UserError } from '../cli/program.ts';
import { writeFileAtomic } from '../io/atomic.ts';
import { exampleConfig } from './example.ts';
import { initSandboxSetup } from './sandbox-setup.ts';
import { initTenantsSetup, MAX_TENANTS } from './tenants-setup.ts';

function int(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number');
  return n;
}

function day(v: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v) || Number.isNaN(Date.parse(v))) throw new InvalidArgumentError('expected a date YYYY-MM-DD');
  return v;
}

function rate(v: string): number {
  const n = Number(v);
  if (!(n >= 0 && n <= 1)) throw new InvalidArgumentError('expected a share between 0 and 1');
  return n;
}

/** Paths printed in next steps: quoted when the shell would split them. */
const sh = (p: string) => (/^[\w@%+=:,./-]+$/.test(p) ? p : `'${p.replaceAll("'", `'\\''`)}'`);

export function register(program: Command): void {
  program
    .command('init')
    .summary('Write a kpr.yaml to start from, or a complete offline sandbox setup')
    .description(
      'Write a commented example kpr.yaml, or with --profile sandbox a complete offline setup (configuration, demo EPJ data, mapping, test keys and certificates). No sandbox is started: the port is only written down.',
    )
    .option('--profile <name>', 'sandbox: write configuration, demo data, mapping, test keys and certificates')
    .addOption(
      new Option(
        '--channel <channel>',
        "with --profile sandbox: the receiver, kneik (the 2021 API) or slash (FHI's SLASH: demo appointments as HST_Avtale 1); default kneik, slash with --tenants",
      ).choices(['kneik', 'slash']),
    )
    .option('--tenants <n>', `with --profile sandbox: a vendor's setup of N tenants (1-${MAX_TENANTS}), each a municipality of its own, in one tenants.yaml`, int)
    .addOption(
      new Option('--store <kind>', "with --tenants: the tenants' store, sqlite (a file per tenant) or postgres (a schema per tenant; the URL from KPR_PG_URL)")
        .choices(['sqlite', 'postgres'])
        .default('sqlite'),
    )
    .option('--dir <dir>', 'where to write, created if missing (required with --profile; without it kpr.yaml goes to standard output)')
    .option('--seed <seed>', 'seed of the demo data', '1')
    .option('--children <n>', 'children in the demo data (default 300; with --tenants 30 per tenant)', int)
    .option('--today <date>', "the demo data's last day", day, new Date().toISOString().slice(0, 10))
    .option('--port <n>', 'the port the sandbox will serve on (0 = pick one that is free now)', int, 8089)
    .option('--bad-rate <r>', 'share of deliberately spoiled demo records (0 to 1)', rate, 0)
    .option('--force', 'replace an existing setup (its database and sandbox state too)')
    .action(async (o: InitFlags) => {
      if (o.dir !== undefined && existsSync(o.dir) && !statSync(o.dir).isDirectory()) throw new UserError(`--dir ${o.dir} is a file, not a folder`);
      if (o.tenants !== undefined && o.profile !== 'sandbox')
        throw new UserError('--tenants writes a sandbox setup: use it with --profile sandbox --dir DIR (a real tenants file: docs/tenants.md)');
      if (!o.profile) {
        if (!o.dir) {
          process.stdout.write(exampleConfig('.'));
          return;
        }
        const file = join(o.dir, 'kpr.yaml');
        if (existsSync(file) && !o.force) throw new UserError(`${file} exists; use --force to replace it`);
        mkdirSync(o.dir, { recursive: true });
        writeFileAtomic(file, exampleConfig(o.dir));
        process.stdout.write(`wrote ${file}: edit it, then check it with\n  npx kpr status --config ${sh(file)}\n`);
        return;
      }
      if (o.profile !== 'sandbox')
        throw new UserError(`--profile ${o.profile}: only the sandbox can be set up automatically; run npx kpr init without --profile for a commented example`);
      if (!o.dir) throw new UserError('--profile sandbox needs --dir DIR (the folder to write the setup in; created if missing)');
      if (o.tenants !== undefined) return initTenants({ ...o, dir: o.dir, tenants: o.tenants });
      const channel = o.channel ?? 'kneik';
      const s = await initSandboxSetup({ dir: o.dir, seed: o.seed, children: o.children ?? 300, today: o.today, port: o.port, force: o.force, badRate: o.badRate, channel });
      const pidFile = join(s.sandboxDir, 'sandbox.pid');
      const steps: [string, string][] = [
        [`npx kpr sandbox --data ${sh(s.sandboxDir)} &`, `serves ${s.url}; writes its pid to ${pidFile}`],
        [
          `npx kpr backfill --config ${sh(s.configFile)}`,
          channel === 'slash' ? 'the initial load to SLASH: per unit, month by month since 2017-01-01' : 'everything since 2017-01-01',
        ],
        [`npx kpr run --config ${sh(s.configFile)}`, 'the daily run'],
        [`npx kpr status --config ${sh(s.configFile)}`, 'what was sent, what was rejected'],
        [`kill $(cat ${sh(pidFile)})`, 'stops the sandbox'],
      ];
      process.stdout.write(
        [
          `wrote a sandbox setup in ${s.dir} (${channel === 'slash' ? `channel slash, ${s.records} demo appointments` : `${s.records} demo EPJ records`}, seed ${o.seed})`,
          'next (the sandbox in the background, or without the & in a second terminal):',
          ...stepLines(steps),
          '',
        ].join('\n'),
      );
      process.exitCode = EXIT.ok;
    });
}

/** The options of `kpr init`, as commander gives them. */
interface InitFlags {
  profile?: string;
  channel?: 'kneik' | 'slash';
  tenants?: number;
  store: 'sqlite' | 'postgres';
  dir?: string;
  seed: string;
  children?: number;
  today: string;
  port: number;
  badRate: number;
  force?: boolean;
}

/** What to run next, a command and why per line, the comments lined up. */
function stepLines(steps: [cmd: string, why: string][]): string[] {
  const width = Math.max(...steps.map(([cmd]) => cmd.length));
  return steps.map(([cmd, why]) => `  ${cmd.padEnd(width)}   # ${why}`);
}

/** `--tenants N`: the vendor's setup, and what to do with it next. */
async function initTenants(o: Omit<InitFlags, 'profile'> & { tenants: number; dir: string }): Promise<void> {
  const channel = o.channel ?? 'slash';
  const s = await initTenantsSetup({ ...o, channel, children: o.children ?? 30 });
  const records = s.tenants.reduce((n, t) => n + t.records, 0);
  const steps: [string, string][] = [
    [`npx kpr tenants check --config ${sh(s.tenantsFile)}`, 'the tenants, each with its organisation and store'],
    [`npx kpr sandbox --data ${sh(s.sandboxDir)} &`, `serves ${s.url} for every tenant's organisation`],
  ];
  if (o.store === 'postgres') steps.unshift(['export KPR_PG_URL=postgresql://kpr@localhost/kpr', 'the store: a schema per tenant (docs/postgres.md)']);
  process.stdout.write(
    [
      `wrote a sandbox setup of ${s.tenants.length} tenants in ${s.dir} (channel ${channel}, store ${o.store}, ${records} demo records, seed ${o.seed}):`,
      ...s.tenants.map(
        (t) =>
          `  ${t.id.padEnd(14)} ${t.municipality.number} ${t.municipality.name}, organisation ${t.orgNr}${channel === 'kneik' ? `, HER-id ${t.herId}` : ''}: ${t.records} records`,
      ),
      'next:',
      ...stepLines(steps),
      '',
    ].join('\n'),
  );
  process.exitCode = EXIT.ok;
}
