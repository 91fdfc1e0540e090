// `kpr demo` (npm run demo): the main job on a fresh clone, offline, in under a minute. It makes
// a sandbox setup with synthetic EPJ data, starts the sandbox in-process, runs the backfill of
// everything up to a few days ago, then one daily run per remaining day (with the edits and
// deletions those days hold), and prints what was sent, accepted, annulled and rejected, and why.

import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import { MESSAGES } from '../../generated/index.ts';
import { EXIT, UserError } from '../cli/program.ts';
import { loadConfig } from '../config/load.ts';
import { generateRecords } from '../demo-data/generate.ts';
import { initSandboxSetup, slashConfigText, writeAppointmentMapping, writeRecords } from '../init/sandbox-setup.ts';
import { schemaPathFrom } from '../init/example.ts';
import { generateAppointments } from '../demo-data/appointments.ts';
import type { AppointmentLine } from '../demo-data/appointment-record.ts';
import type { SlashSummary } from '../jobs/channels/slash/index.ts';
import { makePrivateDir } from '../io/private.ts';
import { backfillJob, runJob } from '../jobs/jobs.ts';
import { errorRows } from '../jobs/report.ts';
import type { TransferSummary } from '../jobs/transfer.ts';
import { createLogger, silentLogger, type Logger } from '../log.ts';
import { generatedCodec } from '../sandbox/generated-codec.ts';
import { startSandbox } from '../sandbox/index.ts';
import { MAX_TENANTS } from '../init/tenants-setup.ts';
import { findPgBin } from './postgres.ts';
import { demoSlashStandIn } from './slash-stand-in.ts';
import { runTenantsDemo } from './tenants.ts';

export interface DemoOptions {
  dir: string;
  children: number;
  seed: string;
  today: string;
  dailyRuns: number;
  badRate: number;
  say: (line: string) => void;
  /** The jobs' JSON logs; default none (the demo says what happens in its own lines). */
  log?: Logger;
}

export interface DemoResult {
  backfill: TransferSummary;
  daily: TransferSummary[];
  /** The same days on FHI's SLASH channel: appointments (HST_Avtale 1) per reporting unit. */
  slash: { backfill: SlashSummary; daily: SlashSummary[]; units: number; current: number; deleted: number };
  active: number;
  annulled: number;
  rejectedByRule: Record<string, number>;
  exitCode: number;
}

function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}

function line(s: TransferSummary): string {
  const n = s.notifications;
  return `${s.records - s.skipped} new records, N ${n.N} / M ${n.M} / C ${n.C}, ${s.rejectedRecords} rejected, ${s.messagesAccepted}/${s.messagesBuilt} messages accepted`;
}

/** The demo replaces only a folder it made itself (or an empty one), never someone's data. */
const DEMO_MARK = '.kpr-demo';

function clearDemoFolder(dir: string): void {
  if (!existsSync(dir)) return;
  if (!statSync(dir).isDirectory()) throw new UserError(`--dir ${dir} is a file, not a folder`);
  // Demo folders of earlier versions carry no mark, but their kpr.yaml says where it came from.
  const earlier = () => existsSync(join(dir, 'kpr.yaml')) && readFileSync(join(dir, 'kpr.yaml'), 'utf8').includes('written by `kpr init --profile sandbox`');
  if (readdirSync(dir).length && !existsSync(join(dir, DEMO_MARK)) && !earlier()) {
    throw new UserError(`--dir ${dir} holds files the demo did not make; the demo replaces its folder on every run, so give an empty or new one`);
  }
  rmSync(dir, { recursive: true, force: true });
}

export async function runDemo(o: DemoOptions): Promise<DemoResult> {
  const started = performance.now();
  const say = o.say;
  clearDemoFolder(o.dir);
  const firstDaily = addDays(o.today, -(o.dailyRuns - 1));
  const setup = await initSandboxSetup({ dir: o.dir, seed: o.seed, children: o.children, today: o.today, port: 0, extract: 'none' });
  writeFileSync(join(setup.dir, DEMO_MARK), 'made by kpr demo: replaced on its next run\n');
  say(`1. setup in ${setup.dir}: kpr.yaml, demo mapping, test certificates and HelseID client key`);

  // One extract for the backfill (everything changed before the first daily run), then one file
  // per day, dropped into the source folder just before that day's run, as an EPJ export would.
  const all = [...generateRecords({ children: o.children, from: '2017-01-01', to: o.today, seed: o.seed, badRate: o.badRate })];
  const day = (r: { changedAt: string }) => r.changedAt.slice(0, 10);
  const backfillRecords = all.filter((r) => day(r) < firstDaily);
  await writeRecords(join(setup.epjDir, '0000-backfill.ndjson'), backfillRecords);
  say(`2. synthetic EPJ data (seed ${o.seed}): ${o.children} children, ${all.length} records 2017-01-01..${o.today}, ${backfillRecords.length} before ${firstDaily}`);

  const sandbox = await startSandbox({
    dataDir: setup.sandboxDir,
    port: setup.port,
    host: '127.0.0.1',
    codec: generatedCodec(MESSAGES),
    slash: demoSlashStandIn(),
  });
  say(`3. sandbox (HelseID, the 2021 KPR API and FHI's SLASH stand-ins) at ${sandbox.url}`);
  try {
    const config = loadConfig(setup.configFile);
    const backfill = await backfillJob({ config, from: '2017-01-01', log: o.log ?? silentLogger });
    if ('alreadyComplete' in backfill) throw new Error('a fresh setup cannot have a completed backfill');
    say(`4. backfill from 2017-01-01: ${line(backfill)}`);
    const daily: TransferSummary[] = [];
    for (let i = 0; i < o.dailyRuns; i++) {
      const d = addDays(firstDaily, i);
      const todays = all.filter((r) => day(r) === d);
      await writeRecords(join(setup.epjDir, `${d}.ndjson`), todays);
      const s = await runJob({ config: loadConfig(setup.configFile), log: o.log ?? silentLogger });
      daily.push(s);
      say(`5.${i + 1} daily run for ${d}: ${line(s)}`);
    }
    const slash = await slashDemo(setup, sandbox.connection, o, firstDaily, say);
    // Counted in the sandbox's database: no need to read every consultation's content.
    const { active = 0, annulled = 0 } = sandbox.store.statusCounts();
    const rejectedByRule: Record<string, number> = {};
    const rows = await errorRows(config);
    for (const r of rows) if (r.kind !== 'warning') rejectedByRule[r.rule] = (rejectedByRule[r.rule] ?? 0) + 1;
    const warned = new Set(rows.filter((r) => r.kind === 'warning').map((r) => r.id)).size;
    const runs = [backfill, ...daily];
    const sent = runs.reduce((n, s) => n + s.notifications.N + s.notifications.M + s.notifications.C, 0);
    const exitCode = Math.max(...runs.map((s) => s.exitCode), slash.backfill.exitCode, ...slash.daily.map((s) => s.exitCode));
    const st = sandbox.slash.state();
    let current = 0;
    let deleted = 0;
    for (const types of Object.values(st.content)) for (const item of Object.values(types.HST_Avtale ?? {})) item.deleted ? deleted++ : current++;
    const slashRuns = [slash.backfill, ...slash.daily];
    say('');
    say('summary');
    say('  2021 channel (KNEIK pilot API: XPR XML in CMS, the notification chain)');
    say(`  notifications sent:      ${sent} (N new, M replaced, C annulled)`);
    say(`  messages accepted:       ${runs.reduce((n, s) => n + s.messagesAccepted, 0)} of ${runs.reduce((n, s) => n + s.messagesBuilt, 0)}`);
    say(`  at the receiver:         ${active} consultations active, ${annulled} annulled`);
    const rules = Object.entries(rejectedByRule).sort((a, b) => b[1] - a[1]);
    say(`  rejected records:        ${rules.reduce((n, [, c]) => n + c, 0)}${rules.length ? ` (by rule: ${rules.map(([r, c]) => `${r} ${c}`).join(', ')})` : ''}`);
    say(`  sent with a warning:     ${warned} record(s) (the receiver's consequence lets them through; see kpr errors)`);
    say("  SLASH (FHI's receiver today: HST_Avtale 1, hybrid encryption, FIFO per reporting unit)");
    say(
      `  deliveries confirmed:    ${slashRuns.reduce((n, s) => n + s.slash.delivered, 0)} of ${slashRuns.reduce((n, s) => n + s.slash.built, 0)} to ${Object.keys(st.units).length} units, month by month`,
    );
    say(`  at the receiver:         ${current} appointments, ${deleted} deleted (slettAvtale)`);
    say(`  time:                    ${((performance.now() - started) / 1000).toFixed(1)} s`);
    say(`  look closer:             npx kpr status --config ${setup.configFile}; npx kpr errors --config ${setup.configFile}`);
    say(`                           npx kpr status --config ${join(setup.dir, 'slash', 'kpr.yaml')}   (SLASH, per reporting unit)`);
    return { backfill, daily, active, annulled, rejectedByRule, exitCode, slash: { ...slash, units: Object.keys(st.units).length, current, deleted } };
  } finally {
    await sandbox.close();
  }
}

/**
 * The same days on SLASH: a configuration beside the 2021 one (the same sandbox, HelseID client
 * and key), the EPJ's appointment book and its mapping, the initial load, then the daily runs.
 */
async function slashDemo(
  setup: { dir: string; url: string },
  c: { clientId: string; jwkFile: string; slashScope: string },
  o: DemoOptions,
  firstDaily: string,
  say: (line: string) => void,
): Promise<{ backfill: SlashSummary; daily: SlashSummary[] }> {
  const dir = join(setup.dir, 'slash');
  const epj = join(dir, 'epj');
  makePrivateDir(epj);
  writeFileSync(
    join(dir, 'kpr.yaml'),
    slashConfigText({
      schemaRel: schemaPathFrom(dir),
      sandboxRel: '../sandbox',
      url: setup.url,
      clientId: c.clientId,
      scope: c.slashScope,
      jwk: c.jwkFile,
      seed: o.seed,
      today: o.today,
    }),
  );
  // The same EPJ's appointment book (its children, units and consultations), mapped onto
  // HST_Avtale 1 by examples/demo-epj-appointments/mapping.yaml. Unspoiled: the rejections are
  // shown on the 2021 channel; here every appointment should arrive.
  writeAppointmentMapping(dir);
  const all = demoAppointments(o);
  const day = (l: { changedAt: string }) => l.changedAt.slice(0, 10);
  await writeRecords(
    join(epj, '0000-backfill.ndjson'),
    all.filter((l) => day(l) < firstDaily),
  );
  const configFile = join(dir, 'kpr.yaml');
  const describe = (s: SlashSummary) =>
    `${s.slash.items} appointment(s) and ${s.slash.deletions} deletion(s), ${s.slash.delivered}/${s.slash.built} deliveries confirmed${s.slash.stopped.length ? `, ${s.slash.stopped.length} unit(s) stopped` : ''}`;
  const backfill = (await backfillJob({ config: loadConfig(configFile), from: '2017-01-01', log: o.log ?? silentLogger })) as SlashSummary;
  say(`6. SLASH (${dir}): initial load from 2017-01-01, per reporting unit month by month: ${describe(backfill)}`);
  const daily: SlashSummary[] = [];
  for (let i = 0; i < o.dailyRuns; i++) {
    const d = addDays(firstDaily, i);
    await writeRecords(
      join(epj, `${d}.ndjson`),
      all.filter((l) => day(l) === d),
    );
    const s = (await runJob({ config: loadConfig(configFile), log: o.log ?? silentLogger })) as SlashSummary;
    daily.push(s);
    say(`6.${i + 1} SLASH daily run for ${d}: ${describe(s)}`);
  }
  return { backfill, daily };
}

/** The demo's appointment book: every line the EPJ has written up to `today`. */
export function demoAppointments(o: Pick<DemoOptions, 'children' | 'seed' | 'today'>): AppointmentLine[] {
  return [...generateAppointments({ children: o.children, from: '2017-01-01', to: o.today, seed: o.seed, badRate: 0 })].filter((l) => l.changedAt.slice(0, 10) <= o.today);
}

function int(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive whole number');
  return n;
}

export function register(program: Command): void {
  program
    .command('demo')
    .description(
      "The end-to-end demo, offline, on both channels: synthetic EPJ data → mapping → chain → CMS → HelseID → the 2021 API; appointments → FHI's SLASH (FIFO per unit); then a summary of what each delivered",
    )
    .option('--dir <dir>', 'working folder, replaced on every run (only a new, empty or earlier demo folder)', '.kpr/demo')
    .option('--children <n>', 'children in the synthetic EPJ (default 400; with --tenants 20 per tenant)', int)
    .option(
      '--tenants <n>',
      "a vendor's deployment instead: N tenants (municipalities) on a throwaway PostgreSQL cluster, two kpr workers draining their work queue (needs PostgreSQL installed)",
      int,
    )
    .option('--seed <seed>', 'seed of the synthetic data', '2026')
    .option('--today <date>', 'the last day of data', '2026-11-24')
    .option('--days <n>', 'daily runs after the backfill', int, 3)
    .option('--bad-rate <r>', 'share of deliberately spoiled records', parseFloat, 0.01)
    .option('-q, --quiet', 'print only the summary')
    .option('-v, --verbose', "also the jobs' JSON log lines on stderr (--log-level debug)")
    .addOption(new Option('--log-level <level>', "the jobs' JSON log lines on stderr at this level (default: none)").choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace']))
    .action(
      async (opts: {
        dir: string;
        children?: number;
        tenants?: number;
        seed: string;
        today: string;
        days: number;
        badRate: number;
        quiet?: boolean;
        verbose?: boolean;
        logLevel?: string;
      }) => {
        if (opts.quiet && (opts.verbose || opts.logLevel)) throw new UserError('--quiet goes alone: not with --verbose or --log-level');
        let summary = false;
        const say = (s: string) => {
          if (s === 'summary') summary = true;
          if (!opts.quiet || summary) process.stdout.write(`${s}\n`);
        };
        if (opts.tenants !== undefined) {
          if (opts.tenants > MAX_TENANTS) throw new UserError(`--tenants must be from 1 to ${MAX_TENANTS} (one demo municipality each), got ${opts.tenants}`);
          const dir = resolve(opts.dir);
          // Checked before anything is made: without PostgreSQL one line, and the folder stays as it was.
          const pgBin = findPgBin();
          if (pgBin !== undefined) {
            say(`kpr-kit demo: a vendor's ${opts.tenants} tenants, one PostgreSQL, two workers, against the local sandbox`);
            clearDemoFolder(dir);
          }
          const t = await runTenantsDemo({ dir, tenants: opts.tenants, children: opts.children ?? 20, seed: opts.seed, today: opts.today, say, pgBin });
          if (pgBin !== undefined) writeFileSync(join(dir, DEMO_MARK), 'made by kpr demo: replaced on its next run\n');
          process.exitCode = t.exitCode;
          return;
        }
        say('kpr-kit demo: the daily transfer to KPR, end to end against the local sandbox');
        const level = opts.logLevel ?? (opts.verbose ? 'debug' : undefined);
        const r = await runDemo({
          dir: resolve(opts.dir),
          children: opts.children ?? 400,
          seed: opts.seed,
          today: opts.today,
          dailyRuns: opts.days,
          badRate: opts.badRate,
          say,
          log: level ? createLogger({ level }) : undefined,
        });
        // Rejected records are the point of the bad rate: the demo succeeded if everything else arrived.
        process.exitCode = r.exitCode === EXIT.failed ? EXIT.failed : EXIT.ok;
      },
    );
}
